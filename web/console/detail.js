// The selected job: what it is, where, for whom, its three SLA clocks and warranty, and the
// actions on it. The candidates part below is candidates.js's; this file redraws only the rest,
// so a feed update does not throw away a candidate list being read.
import { el } from '/shared/api.js';
import { state, on, isOpen, technicianName, timeZoneOfJob, selectJob } from './store.js';
import { ensureCustomer, ensureSite } from './data.js';
import { TARGETS, targetState } from './sla.js';
import { SEVERITY_SHORT, STATUS_LABEL, STATE_LABEL, clockText, untilText, kmText, warrantyText } from './format.js';
import { initCandidates, showCandidatesFor, autoAssign } from './candidates.js';

const pane = document.getElementById('detail');
let info;
let candidatesBox;
let autoAssignButton;
let shownJobId = null;
let scheduled = false;

export function initDetail() {
  on('select', () => render(true));
  for (const type of ['jobs', 'technicians', 'sites', 'tick', 'customer']) on(type, scheduleRender);
  on('reset', () => render(true));
  initCandidates();
}

function scheduleRender() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    render(false);
  });
}

function render(selectionChanged) {
  const job = state.jobs.get(state.selectedJobId);
  if (!job) {
    shownJobId = null;
    pane.replaceChildren(el('p', { class: 'muted empty' }, 'Select a job in the queue or on the map.'));
    showCandidatesFor(null, null);
    return;
  }
  if (selectionChanged || shownJobId !== job.id || !info) {
    info = el('div', { class: 'detail-info' });
    candidatesBox = el('div', { class: 'candidates' });
    pane.replaceChildren(toolbar(job.id), info, candidatesBox);
    shownJobId = job.id;
    showCandidatesFor(job, candidatesBox);
  }
  autoAssignButton.disabled = !isOpen(job);
  info.replaceChildren(...jobInfo(job));
}

// Built once per selection and never redrawn, so a feed update does not take the focus away.
function toolbar(jobId) {
  autoAssignButton = el('button', { type: 'button', class: 'primary', onclick: () => autoAssign(jobId), title: 'Run the dispatch engine on this job (A)' }, 'Auto-assign');
  return el('div', { class: 'actions' },
    autoAssignButton,
    el('button', { type: 'button', onclick: () => showCandidatesFor(state.jobs.get(jobId), candidatesBox, true), title: 'Ask the server again (R)' }, 'Refresh candidates'),
    el('span', { class: 'spacer' }),
    el('button', { type: 'button', class: 'close', title: 'Close (Esc)', 'aria-label': 'Close', onclick: () => selectJob(null) }, '×'));
}

function row(label, ...value) {
  return [el('dt', {}, label), el('dd', {}, ...value)];
}

function customerLine(site) {
  if (!site) return 'loading…';
  const cached = state.customers.get(site.customer_id);
  if (!cached) {
    ensureCustomer(site.customer_id).catch(() => {});
    return `customer ${site.customer_id}`;
  }
  const contact = cached.contact || {};
  return [
    el('span', { class: 'customer-name' }, cached.name),
    cached.account_tier === 'key' ? el('span', { class: 'flag' }, 'key account') : null,
    contact.name || contact.phone ? el('div', { class: 'muted' }, [contact.name, contact.phone].filter(Boolean).join(' · ')) : null,
  ];
}

function slaTable(job, now) {
  const zone = timeZoneOfJob(job);
  return el('table', { class: 'sla-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'target'), el('th', {}, 'due'), el('th', {}, 'at risk from'), el('th', {}, 'state'))),
    el('tbody', {}, TARGETS.map((name) => {
      const t = job.sla && job.sla[name];
      if (!t) return null;
      const s = targetState(job, name, now);
      return el('tr', { class: `state-${s}` },
        el('th', { scope: 'row' }, name),
        el('td', {}, clockText(t.due, zone, now), t.done_at ? null : el('span', { class: 'muted' }, ` (${untilText(Date.parse(t.due), now)})`)),
        el('td', {}, clockText(t.at_risk_at, zone, now)),
        el('td', { class: `state-${s}` }, STATE_LABEL[s] || s, t.done_at ? el('span', { class: 'muted' }, ` at ${clockText(t.done_at, zone, now)}`) : null));
    })));
}

function jobInfo(job) {
  const now = Date.now();
  const site = state.sites.get(job.site_id);
  if (!site) ensureSite(job.site_id).catch(() => {});
  const zone = timeZoneOfJob(job);
  const center = site && state.centers.get(site.center_id);
  return [
    el('header', { class: 'detail-head' },
      el('h2', {},
        el('span', { class: `sev sev-${job.severity}` }, SEVERITY_SHORT[job.severity] || job.severity),
        ` #${job.id} · ${job.severity} ${job.kind}`),
      el('span', { class: `status status-${job.status}` }, STATUS_LABEL[job.status] || job.status)),
    el('p', { class: 'description' }, job.description || '(no description)'),
    el('dl', { class: 'facts' },
      row('Site', site ? site.address : `site ${job.site_id}`,
        el('div', { class: 'muted' }, `${center ? center.name : ''}${job.distance_km !== undefined ? ` · ${kmText(job.distance_km)} from the center` : ''}`)),
      row('Customer', customerLine(site)),
      row('Reported', clockText(job.reported_at, zone, now), el('span', { class: 'muted' }, ` (${untilText(Date.parse(job.reported_at), now).replace(' late', ' ago')})`)),
      row('Technician', job.technician_id ? technicianName(job.technician_id) : 'unassigned',
        job.assignment_locked ? el('span', { class: 'flag', title: 'assigned by hand: the optimizer leaves it alone' }, 'by hand') : null),
      row('Skills', (job.required_skills || []).join(', ') || 'none'),
      job.fault ? row('Fault', job.fault) : [],
      row('Warranty', warrantyText(job.warranty)),
      job.dispatch && job.dispatch.reason ? row('Dispatch', job.dispatch.reason.replaceAll('_', ' ')) : [],
      job.needs_review ? row('Review', 'dispatched without a technician who meets every target') : []),
    slaTable(job, now),
  ].flat();
}
