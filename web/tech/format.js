// How job data reads on the tablet. Everything here returns text or nodes built with el():
// server strings are never parsed as markup.
import { el, minutes, localTime } from '/shared/api.js';

export function localDate(iso) {
  return iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' }) : '';
}

export const STATUS_LABELS = {
  new: 'New', assigned: 'Assigned', accepted: 'Accepted', en_route: 'En route', on_site: 'On site',
  on_hold: 'On hold', resumed: 'Resumed', resolved: 'Resolved', signed_off: 'Signed off',
  closed: 'Closed', cancelled: 'Cancelled',
};

// What the button that makes a move says.
export const MOVE_LABELS = {
  accepted: 'Accept', en_route: 'En route', on_site: 'On site', on_hold: 'Put on hold',
  resumed: 'Resume', resolved: 'Resolved',
};

export const HOLD_REASONS = { waiting_parts: 'Waiting for parts', waiting_customer: 'Waiting for the customer' };

export const KIND_LABELS = { repair: 'Repair', installation: 'Installation', maintenance: 'Maintenance', inspection: 'Inspection' };

const OP_LABELS = { status: 'Status', note: 'Note', parts_used: 'Parts', signoff: 'Sign-off', location: 'Location' };

export function statusLabel(status) {
  return STATUS_LABELS[status] || status;
}

export function statusBadge(status) {
  return el('span', { class: `badge status-${status}` }, statusLabel(status));
}

const TARGET_LABELS = { response: 'Response', arrival: 'Arrival', restore: 'Restore' };

// The SLA state worked out from the due times and the device clock: the document's `state` is
// as of the pull and goes stale offline (docs/sync-protocol.md).
export function targetState(target, now = Date.now()) {
  if (!target || !target.due) return null;
  const due = Date.parse(target.due);
  if (target.done_at) {
    return Date.parse(target.done_at) <= due ? { key: 'met', text: 'met' } : { key: 'breached', text: 'missed' };
  }
  const left = (due - now) / 60000;
  if (left < 0) return { key: 'breached', text: `overdue by ${minutes(-left)}` };
  if (target.at_risk_at && now >= Date.parse(target.at_risk_at)) return { key: 'at_risk', text: `${minutes(left)} left` };
  return { key: 'on_track', text: `${minutes(left)} left` };
}

export function dueLines(job, now = Date.now()) {
  const sla = job.sla || {};
  return ['response', 'arrival', 'restore']
    .filter((name) => sla[name]?.due)
    .map((name) => {
      const state = targetState(sla[name], now);
      return el('li', { class: 'due' },
        el('span', { class: 'due-name' }, TARGET_LABELS[name]),
        ' due ', el('time', { datetime: sla[name].due }, localTime(sla[name].due)),
        state ? el('span', { class: `due-state state-${state.key}` }, ` · ${state.text}`) : null);
    });
}

// The next target still running, for ordering the list: what is due soonest comes first.
export function nextDue(job) {
  const sla = job.sla || {};
  for (const name of ['response', 'arrival', 'restore']) {
    if (sla[name]?.due && !sla[name].done_at) return Date.parse(sla[name].due);
  }
  return Number.POSITIVE_INFINITY;
}

const BASIS_TEXT = {
  within_7_days: 'within 7 days of sale', within_15_days: 'within 15 days of sale',
  out_of_warranty: 'out of warranty', repair_over_30_days: 'repair open over 30 days',
  repeat_failure: 'failed twice after repair', in_warranty: 'in warranty',
};

// Whether the customer pays: the first thing asked on site (docs/after-sales.md).
export function warrantyLine(job) {
  const w = job.warranty;
  if (!w) {
    return job.kind === 'repair' ? el('p', { class: 'warranty muted' }, 'Warranty: no unit named on this job') : null;
  }
  const basis = BASIS_TEXT[w.basis] || w.basis || '';
  const remedies = (w.remedies || []).map((r) => r.replace(/_/g, ' ')).join(', ');
  if (w.in_warranty) {
    return el('p', { class: 'warranty warranty-free' },
      el('strong', {}, 'Free repair'), ` (${basis})`, remedies ? ` · customer may ask for: ${remedies}` : '');
  }
  return el('p', { class: 'warranty warranty-paid' }, el('strong', {}, 'Paid repair'), ` (${basis})`);
}

export function contactBlock(customer) {
  if (!customer) return null;
  const contact = customer.contact || {};
  return el('div', { class: 'contact' },
    el('div', { class: 'customer-name' }, customer.name || ''),
    contact.name ? el('div', {}, contact.name) : null,
    contact.phone ? el('a', { class: 'touch-link', href: `tel:${contact.phone.replace(/[^+0-9]/g, '')}` }, contact.phone) : null,
    contact.email ? el('a', { class: 'touch-link', href: `mailto:${contact.email}` }, contact.email) : null);
}

export function opLabel(type) {
  return OP_LABELS[type] || type;
}

// One line on what an op carries, for the outbox.
export function opSummary(record) {
  const payload = record.op?.payload || {};
  switch (record.type) {
    case 'status':
      return `→ ${statusLabel(payload.to)}${payload.reason ? ` (${HOLD_REASONS[payload.reason] || payload.reason})` : ''}`;
    case 'note':
      return payload.text.length > 80 ? `${payload.text.slice(0, 80)}…` : payload.text;
    case 'parts_used':
      return (payload.parts || []).map((p) => `${p.part_number} × ${p.qty}`).join(', ');
    case 'signoff':
      return `signed by ${payload.signer_name}${payload.location ? '' : ' (no location)'}`;
    default:
      return '';
  }
}

// replaceChildren() would print a null as the text "null": optional parts are left out instead.
export function fill(parent, ...children) {
  parent.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}
