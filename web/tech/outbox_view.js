// The outbox as the technician sees it: every op with its state and the server's answer, newest
// first. Nothing disappears unseen: an op the server refused stays until the technician discards
// it, and one not answered yet cannot be discarded at all.
import { el, localTime } from '/shared/api.js';
import { allOps } from './db.js';
import { PENDING, effectiveState, canDiscard, discardOp } from './outbox.js';
import { status as syncStatus } from './sync.js';
import { opLabel, opSummary } from './format.js';

const STATE_TEXT = {
  pending: 'waiting to be sent', sending: 'sending…', applied: 'applied', duplicate: 'already received',
  conflict: 'conflict', rejected: 'rejected',
};

function stateOf(record) {
  if (record.state === PENDING && syncStatus.sending.has(record.op_id)) return 'sending';
  return record.state;
}

function answerText(record) {
  const parts = [];
  if (record.state === 'duplicate' && record.first) {
    parts.push(`first answer: ${record.first.status}`);
    if (record.first.code) parts.push(record.first.code);
    if (record.first.message) parts.push(record.first.message);
  } else {
    if (record.code) parts.push(record.code);
    if (record.message) parts.push(record.message);
  }
  return parts.join(' · ');
}

// What the technician should make of an answer (sync-protocol "Retry advice" 4).
function advice(record) {
  const state = effectiveState(record);
  const code = record.state === 'duplicate' ? record.first?.code : record.code;
  if (state === 'conflict' && code === 'not_your_job') return 'Nothing was stored: this job is not yours. Check the job number.';
  if (state === 'conflict' && record.type === 'status') return 'The status did not change: the job moved on meanwhile. The office can see what you sent.';
  if (state === 'conflict') return 'The office has what you sent and will review it.';
  if (state === 'rejected') return 'The server refused this; it will not be sent again. Fix it by recording it anew if needed, then discard this one.';
  if (record.state === PENDING && record.sends > 0) return `Sent ${record.sends} time(s) without an answer; it is sent again, with the same id, when the server is reachable.`;
  return null;
}

function opRow(record) {
  const state = stateOf(record);
  const answer = answerText(record);
  const tip = advice(record);
  const discard = canDiscard(record)
    ? el('button', { type: 'button', class: 'discard', dataset: { seq: record.seq } }, effectiveState(record) === 'rejected' ? 'Discard' : 'Dismiss')
    : null;
  discard?.addEventListener('click', async () => {
    discard.disabled = true;
    await discardOp(record.seq);
  });
  return el('li', { class: `op op-${effectiveState(record)}`, dataset: { opId: record.op_id, state, type: record.type, jobId: record.job_id } },
    el('div', { class: 'op-head' },
      el('strong', {}, opLabel(record.type)),
      record.job_id ? el('a', { href: `#/jobs/${record.job_id}` }, `job #${record.job_id}`) : null,
      el('span', { class: `badge op-state op-state-${state}` }, STATE_TEXT[state] || state)),
    el('div', { class: 'op-summary' }, opSummary(record)),
    el('div', { class: 'op-meta muted' },
      `recorded ${localTime(record.recorded_at)}`,
      record.answered_at ? ` · answered ${localTime(record.answered_at)}` : '',
      ' · ', el('code', {}, record.op_id)),
    answer ? el('div', { class: 'op-answer' }, answer) : null,
    tip ? el('div', { class: 'op-advice muted' }, tip) : null,
    discard);
}

export function outboxView(container) {
  const summary = el('p', { class: 'outbox-summary', id: 'outbox-summary', 'aria-live': 'polite' });
  const list = el('ul', { class: 'op-list', id: 'op-list' });
  container.replaceChildren(el('h1', { class: 'view-title' }, 'Outbox'), summary, list);

  async function refresh() {
    const ops = (await allOps()).reverse();
    const waiting = ops.filter((r) => r.state === PENDING).length;
    const attention = ops.filter(canDiscard).length;
    summary.textContent = ops.length
      ? `${waiting} waiting to be sent · ${ops.length - waiting} answered${attention ? ` · ${attention} need your attention` : ''}`
      : 'Nothing recorded on this tablet yet.';
    list.replaceChildren(...ops.map(opRow));
  }

  return { refresh, title: 'Outbox' };
}
