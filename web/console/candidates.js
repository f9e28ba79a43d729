// Candidates of the selected job and the two ways to dispatch it: a click on a candidate (a
// manual choice, which may break rules the engine keeps) and auto-assign (the engine's choice).
// The server decides; the console says beforehand what the engine's own verdict was, and asks
// again before forcing what the server refuses without force.
import { api, ApiError, el, minutes } from '/shared/api.js';
import { state, on, emit, upsertJobs, technicianName, timeZoneOfJob, centerOfJob, openJobCount, isOpen } from './store.js';
import { ask, toast, explain } from './dialogs.js';
import { ruleLabel, clockText, untilText, kmText, haversineKm } from './format.js';

const view = { job: null, box: null, decision: null, fallbackNote: null, error: null, loading: false, busy: false };
let request = 0;
let seenDispatch = '';
// The technician ids in the order shown, for the 1–9 keys.
let shownOrder = [];

// A candidate under the pointer or the keyboard focus lights up on the map.
function hoverTechnician(id) {
  emit('hover-technician', id);
}

export function initCandidates() {
  on('jobs', (ids) => {
    if (!view.job || !ids.includes(view.job.id)) return;
    const job = state.jobs.get(view.job.id);
    view.job = job;
    // Someone (the engine, another dispatcher) changed who has it: the decision may be new.
    if (dispatchSignature(job) !== seenDispatch) load();
    else renderList();
  });
  on('technicians', () => renderList());
  on('tick', () => renderList());
}

function dispatchSignature(job) {
  return `${job.technician_id}|${job.dispatch && job.dispatch.reason}|${job.assignment_locked}`;
}

export function showCandidatesFor(job, box, refresh = false) {
  if (!job) {
    view.job = null;
    view.box = null;
    shownOrder = [];
    hoverTechnician(null);
    return;
  }
  if (!refresh && view.job && view.job.id === job.id && view.box === box) return;
  view.job = job;
  view.box = box;
  load();
}

async function load() {
  const job = view.job;
  const mine = ++request;
  seenDispatch = dispatchSignature(job);
  view.loading = true;
  renderList();
  let decision = null;
  let fallbackNote = null;
  let error = null;
  try {
    decision = await api(`/api/v1/jobs/${job.id}/candidates`);
  } catch (e) {
    // 404 for a job we hold means the engine never looked at it (created without auto-assign,
    // or imported): offer the center's technicians by straight-line distance instead.
    if (e instanceof ApiError && e.status === 404) fallbackNote = e.message;
    else error = explain(e);
  }
  if (mine !== request) return;
  Object.assign(view, { decision, fallbackNote, error, loading: false });
  renderList();
}

// Without a decision: the rules the console can see for itself, so the click still asks first.
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function minutesOf(hhmm) {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

// The arrival due still ahead, else now: the shift must start before it.
function dueOf(job) {
  const arrival = job.sla && job.sla.arrival;
  const due = arrival && !arrival.done_at && arrival.due ? Date.parse(arrival.due) : NaN;
  return Number.isNaN(due) ? Date.now() : Math.max(Date.now(), due);
}

// As the server reads a shift (on shift now, or a shift starting before `until`), in the home
// center's zone; daylight-saving changes inside the window are not looked at, an hour at most.
function onShiftBy(technician, until) {
  const shift = technician.shift;
  if (!shift) return true;
  const center = state.centers.get(technician.home_center_id);
  const zone = (center && center.time_zone) || 'UTC';
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  const today = WEEKDAYS.indexOf(parts.weekday.toLowerCase().slice(0, 3));
  const now = Number(parts.hour) * 60 + Number(parts.minute);
  const ahead = (until - Date.now()) / 60000;
  for (let d = 0; d < 8; d += 1) {
    const hours = shift[WEEKDAYS[(today + d) % 7]];
    if (!hours) continue;
    const start = d * 1440 + minutesOf(hours[0]) - now;
    const end = d * 1440 + minutesOf(hours[1]) - now;
    if (start <= 0 && end > 0) return true;
    if (start > 0) return start <= ahead;
  }
  return false;
}

function fallbackCandidates(job) {
  const site = state.sites.get(job.site_id);
  const centerId = centerOfJob(job);
  return [...state.technicians.values()]
    .filter((t) => t.home_center_id === centerId && t.location)
    .map((t) => {
      const missing = (job.required_skills || []).filter((s) => !(t.skills || []).includes(s));
      let excluded = null;
      if (!t.active) excluded = 'inactive';
      else if (!onShiftBy(t, dueOf(job))) excluded = 'off_shift';
      else if (missing.length) excluded = 'missing_skills';
      else if (openJobCount(t.id) >= t.max_open_jobs) excluded = 'capacity';
      return {
        technician_id: t.id,
        distance_km: site ? haversineKm(t.location, site.location) : null,
        eligible: null,
        excluded_because: excluded,
      };
    })
    .sort((a, b) => (a.excluded_because ? 1 : 0) - (b.excluded_because ? 1 : 0) || a.distance_km - b.distance_km);
}

// The engine's choice first (the 1 key takes it), then those that meet the arrival target with
// their margin, then the other eligible ones, each by ETA; the excluded last, nearest first.
function ordered(candidates, chosenId) {
  const rank = (c) => (c.technician_id === chosenId ? 0 : c.meets_arrival_target ? 1 : 2);
  const eligible = candidates.filter((c) => c.eligible)
    .sort((a, b) => rank(a) - rank(b) || Date.parse(a.eta) - Date.parse(b.eta) || a.distance_km - b.distance_km);
  const excluded = candidates.filter((c) => !c.eligible).sort((a, b) => a.distance_km - b.distance_km);
  return [...eligible, ...excluded];
}

// One button per technician, kept while the job stays selected: a feed page or the clock
// redraws what the button says, never the button, so focus and a pending click survive.
const buttons = new Map();
let buttonsBox = null;
let header;
let list;

function candidateButton(id) {
  if (!buttons.has(id)) {
    const entry = { candidate: null };
    entry.button = el('button', {
      type: 'button',
      dataset: { technicianId: id },
      onclick: () => entry.candidate && assign(view.job.id, entry.candidate),
      onmouseenter: () => hoverTechnician(id),
      onmouseleave: () => hoverTechnician(null),
      onfocus: () => hoverTechnician(id),
      onblur: () => hoverTechnician(null),
    });
    entry.item = el('li', {}, entry.button);
    buttons.set(id, entry);
  }
  return buttons.get(id);
}

function verdictOf(candidate) {
  if (candidate.excluded_because) return el('span', { class: 'verdict excluded' }, `excluded: ${ruleLabel(candidate.excluded_because)}`);
  if (candidate.eligible) {
    let text;
    if (candidate.meets_arrival_target) text = 'eligible · meets arrival';
    else if (candidate.would_delay_job_id) text = `eligible · would make #${candidate.would_delay_job_id} late`;
    else if (candidate.slack_minutes >= 0) text = 'eligible · on time only if the jobs ahead do not overrun';
    else text = 'eligible · misses arrival';
    return el('span', { class: `verdict ${candidate.meets_arrival_target ? 'eligible' : 'late'}` }, text);
  }
  return el('span', { class: 'verdict' }, 'not checked by the engine');
}

function updateButton(entry, candidate, index, job, chosenId) {
  const now = Date.now();
  const zone = timeZoneOfJob(job);
  const id = candidate.technician_id;
  const current = job.technician_id === id;
  const { button } = entry;
  entry.candidate = candidate;
  button.className = `candidate${candidate.excluded_because ? ' is-excluded' : ''}${current ? ' is-current' : ''}`;
  // A job closed or cancelled meanwhile (the feed says so) cannot be assigned any more.
  const open = isOpen(job);
  button.disabled = current || view.busy || !open;
  button.title = !open ? `#${job.id} is ${job.status}`
    : current ? 'has the job now' : `Assign #${job.id} to ${technicianName(id)}${index < 9 ? ` (${index + 1})` : ''}`;
  button.replaceChildren(
    el('span', { class: 'key' }, index < 9 ? String(index + 1) : ''),
    el('span', { class: 'name' }, technicianName(id),
      current ? el('span', { class: 'flag' }, 'current') : null,
      chosenId === id && !current ? el('span', { class: 'flag' }, 'engine chose') : null),
    el('span', { class: 'eta' }, candidate.eta ? `ETA ${clockText(candidate.eta, zone, now)} (${untilText(Date.parse(candidate.eta), now)})` : ''),
    el('span', { class: 'dist' }, kmText(candidate.distance_km),
      candidate.travel_km ? el('span', { class: 'muted' }, ` · ${kmText(candidate.travel_km)} road`) : null),
    el('span', { class: 'slack muted' },
      candidate.slack_minutes !== undefined ? `slack ${minutes(candidate.slack_minutes)}` : '',
      // The margin is what "meets" is judged with: slack under it misses, however large.
      candidate.margin_minutes ? `, margin ${minutes(candidate.margin_minutes)}` : '',
      candidate.queue_ahead ? ` · ${candidate.queue_ahead} ahead` : ''),
    verdictOf(candidate));
}

function renderList() {
  const { job, box } = view;
  if (!job || !box || !box.isConnected) return;
  if (buttonsBox !== box) {
    buttons.clear();
    buttonsBox = box;
    header = el('div', {});
    list = el('ol', { class: 'candidate-list', 'aria-label': 'Candidates: click to assign' });
    box.replaceChildren(el('h3', {}, 'Candidates'), header, list);
  }
  const parts = [];
  let candidates = [];
  if (view.loading && !view.decision && !view.fallbackNote) parts.push(el('p', { class: 'muted' }, 'Loading…'));
  if (view.error) parts.push(el('p', { class: 'error' }, view.error));
  if (view.decision) {
    const d = view.decision;
    const zone = timeZoneOfJob(job);
    parts.push(el('p', { class: 'muted decision' },
      `Engine decision ${clockText(d.decided_at, zone)} · searched ${kmText(d.radius_km)}`,
      d.chosen_technician_id ? ` · chose ${technicianName(d.chosen_technician_id)}` : '',
      d.reason ? ` · ${String(d.reason).replaceAll('_', ' ')}` : ''));
    candidates = ordered(d.candidates || [], d.chosen_technician_id);
    if (!candidates.length) parts.push(el('p', { class: 'muted' }, 'The engine considered no technician.'));
  } else if (view.fallbackNote) {
    parts.push(el('p', { class: 'muted decision' },
      `No engine decision yet (${view.fallbackNote}). Technicians of this center by straight-line distance; `,
      'Auto-assign runs the engine and lists every candidate with its ETA.'));
    candidates = fallbackCandidates(job);
  }
  header.replaceChildren(...parts);
  shownOrder = candidates.map((c) => c.technician_id);
  const chosen = view.decision ? view.decision.chosen_technician_id : null;
  const items = candidates.map((candidate, index) => {
    const entry = candidateButton(candidate.technician_id);
    updateButton(entry, candidate, index, job, chosen);
    return entry.item;
  });
  let cursor = list.firstChild;
  for (const item of items) {
    if (item === cursor) cursor = cursor.nextSibling;
    else list.insertBefore(item, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

// Rules the server itself refuses to break without "force": for these its 409 asks the
// question (once), so the console does not ask first.
// The engine says at_capacity where the assign rules say capacity: both are refused.
const REFUSED_WITHOUT_FORCE = new Set(['inactive', 'capacity', 'at_capacity', 'full']);

// What the console knows about a choice before sending it: the rules the server would accept
// being broken, silently, if nobody asked.
function knownBreaks(candidate) {
  if (candidate.excluded_because) return REFUSED_WITHOUT_FORCE.has(candidate.excluded_because) ? [] : [candidate.excluded_because];
  if (candidate.eligible && candidate.meets_arrival_target === false) return ['eta_misses_due'];
  return [];
}

function withoutCheck(answer) {
  const { broken_rules: _rules, assignment_check: _check, ...job } = answer;
  return job;
}

async function guarded(action) {
  if (view.busy) return;
  view.busy = true;
  renderList();
  try {
    await action();
  } finally {
    view.busy = false;
    renderList();
  }
}

export function assign(jobId, candidate) {
  return guarded(async () => {
    const id = candidate.technician_id;
    const name = technicianName(id);
    const breaks = knownBreaks(candidate);
    if (breaks.length) {
      const go = await ask({
        title: `Assign #${jobId} to ${name}?`,
        body: ['The dispatch engine left this technician out:', el('ul', {}, breaks.map((b) => el('li', {}, ruleLabel(b)))),
          'The job keeps the assignment as a manual choice that breaks these rules.'],
        ok: 'Assign anyway',
      });
      if (!go) return;
    }
    let answer;
    try {
      answer = await api(`/api/v1/jobs/${jobId}/assign`, { method: 'POST', body: { technician_id: id } });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409 && e.code === 'conflict')) {
        toast(`Assign #${jobId} to ${name}: ${explain(e)}`, 'error');
        return;
      }
      const force = await ask({
        title: `The server will not give #${jobId} to ${name} without force`,
        body: [el('ul', {}, (e.details || []).map((d) => el('li', {}, ruleLabel(d)))),
          el('p', { class: 'muted' }, e.message)],
        ok: 'Force the assignment',
      });
      if (!force) return;
      try {
        answer = await api(`/api/v1/jobs/${jobId}/assign`, { method: 'POST', body: { technician_id: id, force: true } });
      } catch (again) {
        toast(`Forcing #${jobId} to ${name}: ${explain(again)}`, 'error');
        return;
      }
    }
    upsertJobs([withoutCheck(answer)]);
    const broken = answer.broken_rules || [];
    if (broken.length) {
      const check = answer.assignment_check || {};
      const notes = broken.map((b) => (b === 'missing_skills' && check.missing_skills && check.missing_skills.length
        ? `missing skills: ${check.missing_skills.join(', ')}` : ruleLabel(b)));
      if (check.eta) notes.push(`ETA ${clockText(check.eta, timeZoneOfJob(answer))}`);
      toast(`#${jobId} assigned to ${name}, breaking:`, 'warn', notes);
    } else {
      toast(`#${jobId} assigned to ${name}.`, 'ok');
    }
  });
}

export function assignByIndex(index) {
  const job = view.job;
  if (!job || index >= shownOrder.length) return;
  const id = shownOrder[index];
  const candidates = view.decision ? view.decision.candidates : fallbackCandidates(job);
  const candidate = candidates.find((c) => c.technician_id === id);
  if (candidate && job.technician_id !== id && isOpen(job)) assign(job.id, candidate);
}

export function autoAssign(jobId) {
  return guarded(async () => {
    const before = state.jobs.get(jobId);
    const previous = before ? before.technician_id : null;
    let job;
    try {
      job = await api(`/api/v1/jobs/${jobId}/auto-assign`, { method: 'POST', body: {} });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409 && e.code === 'conflict')) {
        toast(`Auto-assign #${jobId}: ${explain(e)}`, 'error');
        return;
      }
      const again = await ask({
        title: `Dispatch #${jobId} again?`,
        body: ['The engine leaves a dispatcher\'s choice alone unless told otherwise; dispatching again lets it replace that choice.',
          el('p', { class: 'muted' }, e.message)],
        ok: 'Dispatch again',
      });
      if (!again) return;
      try {
        job = await api(`/api/v1/jobs/${jobId}/auto-assign`, { method: 'POST', body: { force: true } });
      } catch (e2) {
        toast(`Auto-assign #${jobId}: ${explain(e2)}`, 'error');
        return;
      }
    }
    upsertJobs([job]);
    const reason = job.dispatch && job.dispatch.reason ? ` (${job.dispatch.reason.replaceAll('_', ' ')})` : '';
    if (job.technician_id && job.technician_id !== previous) toast(`#${jobId} auto-assigned to ${technicianName(job.technician_id)}.`, 'ok');
    else if (job.technician_id) toast(`#${jobId}: the engine kept ${technicianName(job.technician_id)}${reason}.`, reason ? 'warn' : 'ok');
    else toast(`#${jobId}: the engine found no technician${reason}.`, 'warn');
    if (view.job && view.job.id === jobId) load();
  });
}

export function refreshCandidates() {
  if (view.job) load();
}
