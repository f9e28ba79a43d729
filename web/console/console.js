// The dispatcher console: loads the picture (feed cursor first, then the lists), keeps it
// current from the feed, and wires the keyboard. The views (queue, map, detail, candidates,
// optimizer, move-ups) listen to the store and draw themselves.
import { requireToken, clearToken, homeFor, ApiError, el } from '/shared/api.js';
import { state, on, emit, replaceAll, upsertJobs, upsertTechnicians, selectJob, isOpen, centerOfJob } from './store.js';
import { loadSnapshot, loadMe, ensureSite } from './data.js';
import { Feed } from './feed.js';
import { initQueue, moveSelection, selectFirst } from './queue.js';
import { initDetail } from './detail.js';
import { assignByIndex, autoAssign, refreshCandidates } from './candidates.js';
import { initOptimizer, openOptimizer } from './optimizer.js';
import { initMoveUps, openMoveUps } from './moveups.js';
import { anyDialogOpen, showBanner, toast, explain } from './dialogs.js';
import { highlight } from './sla.js';

await requireToken();

// Open targets turn at risk and breached with time alone, and the feed does not say so.
const SLA_TICK_MS = 20000;
const CENTER_KEY = 'fieldserve.console.center';

const centerSelect = document.getElementById('center-select');
const filterInput = document.getElementById('queue-filter');
const unassignedToggle = document.getElementById('queue-unassigned');
const feedStatus = document.getElementById('feed-status');
const slaSummary = document.getElementById('sla-summary');

// Leaflet is the largest download: the queue must not wait for it.
const mapReady = import('./map.js').then((mapModule) => {
  mapModule.createMap(document.getElementById('map'));
  return mapModule;
});
initQueue();
initDetail();
initOptimizer();
initMoveUps();

const feed = new Feed({
  onPage(page) {
    upsertTechnicians(page.technicians || []);
    upsertJobs(page.jobs || []);
    for (const job of page.jobs || []) if (!state.sites.has(job.site_id)) ensureSite(job.site_id).catch(() => {});
  },
  reload: loadEverything,
  onStatus(kind, text) {
    feedStatus.textContent = text;
    feedStatus.className = `feed-status feed-${kind}`;
  },
});

let loadedOnce = false;

// The cursor before the lists: whatever changes while they load is in the first feed page.
async function loadEverything() {
  const snapshot = await loadSnapshot(feed.takeCursor());
  replaceAll(snapshot);
  if (!loadedOnce) chooseInitialCenter();
  fillCenterSelect();
  if (!loadedOnce) emit('loaded');
  loadedOnce = true;
}

function chooseInitialCenter() {
  const stored = localStorage.getItem(CENTER_KEY);
  if (stored === 'all') state.centerId = 'all';
  else if (stored && state.centers.has(Number(stored))) state.centerId = Number(stored);
  else state.centerId = state.centers.size ? Math.min(...state.centers.keys()) : 'all';
}

function scopeCounts(centerId) {
  const now = Date.now();
  const counts = { open: 0, at_risk: 0, breached: 0, unassigned: 0 };
  for (const job of state.jobs.values()) {
    if (!isOpen(job) || (centerId !== 'all' && centerOfJob(job) !== centerId)) continue;
    counts.open += 1;
    const shade = highlight(job, now);
    if (shade === 'at_risk' || shade === 'breached') counts[shade] += 1;
    if (job.technician_id === null) counts.unassigned += 1;
  }
  return counts;
}

function centerOptionText(name, counts) {
  return `${name} · ${counts.open} open${counts.breached ? ` · ${counts.breached} breached` : ''}`;
}

function fillCenterSelect() {
  const options = [el('option', { value: 'all' }, centerOptionText('All centers', scopeCounts('all')))];
  for (const center of [...state.centers.values()].sort((a, b) => a.id - b.id)) {
    options.push(el('option', { value: String(center.id) }, centerOptionText(center.name, scopeCounts(center.id))));
  }
  centerSelect.replaceChildren(...options);
  centerSelect.value = String(state.centerId);
}

let summaryScheduled = false;
function scheduleSummary() {
  if (summaryScheduled) return;
  summaryScheduled = true;
  requestAnimationFrame(() => {
    summaryScheduled = false;
    const c = scopeCounts(state.centerId);
    slaSummary.replaceChildren(
      el('span', {}, `${c.open} open`),
      el('span', { class: c.unassigned ? 'count-unassigned' : 'muted' }, `${c.unassigned} unassigned`),
      el('span', { class: c.at_risk ? 'state-at_risk' : 'muted' }, `${c.at_risk} at risk`),
      el('span', { class: c.breached ? 'state-breached' : 'muted' }, `${c.breached} breached`));
    for (const option of centerSelect.options) {
      const id = option.value === 'all' ? 'all' : Number(option.value);
      const center = state.centers.get(id);
      option.textContent = centerOptionText(center ? center.name : 'All centers', scopeCounts(id));
    }
  });
}

for (const type of ['reset', 'jobs', 'sites', 'scope', 'tick']) on(type, scheduleSummary);

centerSelect.addEventListener('change', () => {
  state.centerId = centerSelect.value === 'all' ? 'all' : Number(centerSelect.value);
  localStorage.setItem(CENTER_KEY, String(state.centerId));
  emit('scope');
});
filterInput.addEventListener('input', () => {
  state.filterText = filterInput.value;
  emit('filter');
});
filterInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') selectFirst();
});
unassignedToggle.addEventListener('change', () => {
  state.unassignedOnly = unassignedToggle.checked;
  emit('filter');
});
document.getElementById('logout-button').addEventListener('click', () => {
  clearToken();
  location.assign('/login/?next=/console/');
});

function block(title, text, role) {
  feed.stop();
  document.getElementById('workspace').hidden = true;
  document.getElementById('blocked').hidden = false;
  document.getElementById('blocked-title').textContent = title;
  document.getElementById('blocked-text').textContent = text;
  const link = document.getElementById('blocked-link');
  link.href = role ? homeFor(role) : '/';
  link.textContent = role === 'technician' ? 'Open the technician app' : 'Back to the start page';
  feedStatus.textContent = '';
  document.body.dataset.blocked = 'true';
}

const STAFF_ONLY = 'The dispatch console is for dispatchers';

function keyboard(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || anyDialogOpen()) return;
  const typing = event.target.closest && event.target.closest('input, select, textarea');
  if (event.key === 'Escape') {
    if (typing) event.target.blur();
    else selectJob(null);
    return;
  }
  // The map pans with the arrow keys when it has focus; a text field wants its letters.
  if (typing || (event.target.closest && event.target.closest('.leaflet-container'))) return;
  const actions = {
    ArrowDown: () => moveSelection(1), j: () => moveSelection(1),
    ArrowUp: () => moveSelection(-1), k: () => moveSelection(-1),
    a: () => state.selectedJobId && autoAssign(state.selectedJobId),
    r: () => refreshCandidates(),
    o: () => openOptimizer(),
    m: () => openMoveUps(),
    '/': () => filterInput.focus(),
    c: () => centerSelect.focus(),
    u: () => { unassignedToggle.checked = !unassignedToggle.checked; unassignedToggle.dispatchEvent(new Event('change')); },
  };
  const action = actions[event.key] || (/^[1-9]$/.test(event.key) ? () => assignByIndex(Number(event.key) - 1) : null);
  if (!action) return;
  event.preventDefault();
  action();
}

async function start() {
  const [meResult, loadResult] = await Promise.allSettled([loadMe(), loadEverything()]);
  const me = meResult.status === 'fulfilled' ? meResult.value : null;
  state.me = me;
  if (me) document.getElementById('who').textContent = `${me.name} · ${me.role}`;
  if (me && me.role === 'technician') {
    block(STAFF_ONLY, `This token belongs to a technician${me.name ? ` (${me.name})` : ''}. The server answers the console's staff routes (all jobs, technicians, candidates) only to dispatchers, managers and admins.`, 'technician');
    return;
  }
  if (loadResult.status === 'rejected') {
    const e = loadResult.reason;
    if (e instanceof ApiError && e.status === 403) {
      block(STAFF_ONLY, `The server refused this token: ${e.message}. Log in with a dispatcher's token.`, me && me.role);
    } else {
      showBanner(`Could not load the console: ${explain(e)}. Retrying…`, 'error');
      setTimeout(start, 5000);
    }
    return;
  }
  showBanner(me && me.role === 'manager'
    ? 'Signed in as a manager: you can look at everything, but the server refuses changes (assign, auto-assign, optimize).'
    : '', 'info');
  // The queue draws in the next frame; this callback runs after its render.
  requestAnimationFrame(() => {
    performance.mark('console-ready');
    document.body.dataset.ready = 'true';
  });
  feed.start();
  setInterval(() => emit('tick'), SLA_TICK_MS);
  document.addEventListener('keydown', keyboard);
  try {
    const mapModule = await mapReady;
    requestAnimationFrame(() => {
      performance.mark('map-ready');
      document.body.dataset.mapReady = 'true';
    });
    await mapModule.loadBasemap();
    document.body.dataset.basemap = 'true';
  } catch (e) {
    toast(`Map not drawn: ${e.message}`, 'warn');
  }
}

on('loaded', () => emit('scope'));
start();
