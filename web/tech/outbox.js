// The outbox: every action of the technician becomes an op with an id made once, here, and kept
// for every resend, so the server can answer a resend "duplicate" instead of doing it twice.
// An op leaves the outbox only when the technician discards a rejected (or acknowledges a
// conflicting) one, or when an accepted one's answer is old news (ANSWER_KEPT_MS).
import { database, announceChange } from './db.js';
import { applyOp } from './local.js';
import { uuidv7 } from './uuid.js';

export const PENDING = 'pending';
// The server's answers; all are final (docs/sync-protocol.md, "Retry advice" 2).
export const FINAL_STATES = ['applied', 'duplicate', 'conflict', 'rejected'];
const ANSWER_KEPT_MS = 7 * 24 * 3600 * 1000;

// Records what the technician did and applies it to the local copy of the job in the same
// transaction: the screen never shows an action the outbox does not hold, or the reverse.
export async function recordOp(type, jobId, payload) {
  const now = new Date();
  const op = { op_id: uuidv7(now.getTime()), type, job_id: Number(jobId), at: now.toISOString(), payload };
  // The exact text that goes over the wire, on the first send and every resend; the object kept
  // beside it is read back from that text, so both say the same.
  const body = JSON.stringify(op);
  const record = {
    op_id: op.op_id,
    type,
    job_id: op.job_id,
    op: JSON.parse(body),
    body,
    state: PENDING,
    code: null,
    message: null,
    first: null,
    recorded_at: op.at,
    answered_at: null,
    sends: 0,
  };
  const db = await database();
  const tx = db.transaction(['outbox', 'jobs'], 'readwrite');
  record.seq = await tx.objectStore('outbox').add(record);
  const job = await tx.objectStore('jobs').get(op.job_id);
  if (job) await tx.objectStore('jobs').put(applyOp(job, record));
  await tx.done;
  announceChange({ outbox: true, job: op.job_id });
  return record;
}

// Oldest first: the server applies a push in order, and so must the ops of several pushes be.
export async function unansweredOps() {
  const all = await (await database()).getAll('outbox');
  return all.filter((record) => record.state === PENDING);
}

export async function countUnanswered() {
  return (await unansweredOps()).length;
}

// Counts a send before it leaves, so the outbox can tell "never sent" from "sent, no answer".
export async function noteSent(records) {
  const db = await database();
  const tx = db.transaction('outbox', 'readwrite');
  for (const record of records) {
    const stored = await tx.store.get(record.seq);
    if (stored) {
      stored.sends += 1;
      stored.last_sent_at = new Date().toISOString();
      await tx.store.put(stored);
    }
  }
  await tx.done;
}

// Stores the server's answer for each op of a push. Results come in the order of the ops; the
// op_id is checked as well so that an answer is never pinned on the wrong op.
export async function storeAnswers(records, results) {
  const byId = new Map(results.filter((r) => r && r.op_id).map((r) => [r.op_id, r]));
  const db = await database();
  const tx = db.transaction('outbox', 'readwrite');
  const answeredAt = new Date().toISOString();
  for (let i = 0; i < records.length; i += 1) {
    const result = byId.get(records[i].op_id) ?? (results[i]?.op_id == null ? results[i] : undefined);
    if (!result || !FINAL_STATES.includes(result.status)) continue;
    const stored = await tx.store.get(records[i].seq);
    if (!stored) continue;
    stored.state = result.status;
    stored.code = result.code ?? null;
    stored.message = result.message ?? null;
    stored.first = result.first ?? null;
    stored.answered_at = answeredAt;
    await tx.store.put(stored);
  }
  await tx.done;
  announceChange({ outbox: true });
}

// What an answer amounts to: a duplicate counts as whatever the first send got.
export function effectiveState(record) {
  if (record.state === 'duplicate' && record.first?.status) return record.first.status;
  return record.state;
}

export function canDiscard(record) {
  const state = effectiveState(record);
  return state === 'rejected' || state === 'conflict';
}

// Only the technician drops an op, and only one the server has refused or flagged: an
// unanswered op is still owed to the server.
export async function discardOp(seq) {
  const db = await database();
  const tx = db.transaction('outbox', 'readwrite');
  const stored = await tx.store.get(seq);
  if (stored && canDiscard(stored)) await tx.store.delete(seq);
  await tx.done;
  announceChange({ outbox: true });
}

// Accepted ops stay listed for a week as a receipt, then go.
export async function pruneOldAnswers(now = Date.now()) {
  const db = await database();
  const tx = db.transaction('outbox', 'readwrite');
  let cursor = await tx.store.openCursor();
  while (cursor) {
    const record = cursor.value;
    const state = effectiveState(record);
    if ((state === 'applied') && record.answered_at && now - Date.parse(record.answered_at) > ANSWER_KEPT_MS) {
      await cursor.delete();
    }
    cursor = await cursor.continue();
  }
  await tx.done;
}
