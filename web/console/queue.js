// The queue: open jobs of the center(s) shown, next due first, at-risk and breached marked.
// Rows are rebuilt only when what they show changed (their key), and the list keeps focus
// itself (aria-activedescendant), so a feed update never steals the keyboard.
import { el } from '/shared/api.js';
import { state, on, emit, openJobsInScope, filteredOpenJobs, technicianName, timeZoneOfJob, selectJob } from './store.js';
import { compareByNextDue, highlight, nextDue, missedTargets } from './sla.js';
import { SEVERITY_SHORT, STATUS_LABEL, STATE_LABEL, clockText, untilText, oncePerFrame } from './format.js';

// Many store events in one frame draw once.
const scheduleRender = oncePerFrame(() => render());

const list = document.getElementById('queue');
const countLabel = document.getElementById('queue-count');
const rows = new Map();
let order = [];
let scrolledTo = null;

export function initQueue() {
  for (const type of ['reset', 'jobs', 'technicians', 'sites', 'scope', 'tick', 'filter']) on(type, scheduleRender);
  on('select', () => { scheduleRender(); });
  list.addEventListener('click', (event) => {
    const row = event.target.closest('[data-job-id]');
    if (row) selectJob(Number(row.dataset.jobId));
  });
  list.addEventListener('keydown', (event) => {
    if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      if (order.length) selectJob(event.key === 'Home' ? order[0] : order[order.length - 1]);
    }
  });
}

export function visibleJobs() {
  return filteredOpenJobs().sort(compareByNextDue);
}

function dueText(job, now) {
  const due = nextDue(job);
  if (!due) return 'nothing due';
  return `${due.name} ${untilText(due.due, now)}`;
}

function rowKey(job, now) {
  const site = state.sites.get(job.site_id);
  return [job.version, job.status, highlight(job, now), dueText(job, now), job.id === state.selectedJobId,
    technicianName(job.technician_id), site ? site.address : ''].join('|');
}

function buildRow(job, now) {
  const site = state.sites.get(job.site_id);
  const shade = highlight(job, now);
  const due = nextDue(job);
  const selected = job.id === state.selectedJobId;
  const missed = missedTargets(job);
  return el('li', {
    id: `job-${job.id}`,
    role: 'option',
    'aria-selected': selected ? 'true' : 'false',
    class: `job state-${shade} sev-${job.severity}${selected ? ' selected' : ''}`,
    dataset: { jobId: job.id },
  },
  el('div', { class: 'job-line' },
    el('span', { class: `sev sev-${job.severity}`, title: job.severity }, SEVERITY_SHORT[job.severity] || job.severity),
    el('span', { class: 'job-id' }, `#${job.id}`),
    el('span', { class: 'job-site' }, site ? site.address : `site ${job.site_id}`),
    el('span', { class: `job-due state-${shade}`, title: due ? `${STATE_LABEL[shade]}; due ${clockText(new Date(due.due).toISOString(), timeZoneOfJob(job), now)}` : '' },
      dueText(job, now))),
  el('div', { class: 'job-line secondary' },
    el('span', { class: 'job-desc' }, job.description || job.kind),
    job.needs_review ? el('span', { class: 'flag', title: 'dispatched without a technician who meets every target' }, 'review') : null,
    missed.length ? el('span', { class: 'flag flag-missed', title: 'targets already breached' }, `missed ${missed.join(', ')}`) : null,
    el('span', { class: 'job-who' },
      `${STATUS_LABEL[job.status] || job.status} · ${job.technician_id ? technicianName(job.technician_id) : 'unassigned'}`)));
}

export function render() {
  const now = Date.now();
  const jobs = visibleJobs();
  const nodes = [];
  const seen = new Set();
  for (const job of jobs) {
    const key = rowKey(job, now);
    let entry = rows.get(job.id);
    if (!entry || entry.key !== key) {
      entry = { key, node: buildRow(job, now) };
      rows.set(job.id, entry);
    }
    seen.add(job.id);
    nodes.push(entry.node);
  }
  for (const id of rows.keys()) if (!seen.has(id)) rows.delete(id);
  // Moves only what moved: replaceChildren would detach and re-insert every row.
  let cursor = list.firstChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextSibling;
    else list.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
  order = jobs.map((j) => j.id);
  const open = openJobsInScope().length;
  countLabel.textContent = jobs.length === open ? `(${open})` : `(${jobs.length} of ${open})`;
  if (!jobs.length) list.append(el('li', { class: 'queue-empty muted' }, open ? 'No job matches the filter.' : 'No open job.'));
  const selected = state.selectedJobId && rows.get(state.selectedJobId);
  if (selected) {
    list.setAttribute('aria-activedescendant', `job-${state.selectedJobId}`);
    // Only when the selection moved: a feed update must not yank a list the user scrolled.
    if (scrolledTo !== state.selectedJobId) selected.node.scrollIntoView({ block: 'nearest' });
    scrolledTo = state.selectedJobId;
  } else {
    list.removeAttribute('aria-activedescendant');
  }
  emit('queue-rendered', order.length);
}

// Enter in the filter: the top match, with the keyboard back on the list.
export function selectFirst() {
  const first = visibleJobs()[0];
  if (first) selectJob(first.id);
  list.focus();
}

// Moves the selection by `delta` rows in the order shown.
export function moveSelection(delta) {
  if (!order.length) return;
  const at = order.indexOf(state.selectedJobId);
  const next = at < 0 ? (delta > 0 ? 0 : order.length - 1) : Math.max(0, Math.min(order.length - 1, at + delta));
  selectJob(order[next]);
}
