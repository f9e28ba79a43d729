// What an op does to the tablet's copy of a job, the moment the technician acts. The server's
// document replaces the copy at the next pull; ops it has not answered yet are replayed on top,
// so a pull never undoes what the technician just did.

// The forward path a technician walks; skips are allowed, going back is not (docs/decisions.md).
export const FORWARD = ['assigned', 'accepted', 'en_route', 'on_site', 'resolved'];
const HOLDABLE = new Set(['accepted', 'en_route', 'on_site']);

// The status moves the job's current state allows from the tablet.
export function allowedMoves(job) {
  const status = job.status;
  if (status === 'on_hold') return ['resumed'];
  // After a resume recorded offline the pre-hold status may be unknown (a job pulled while on
  // hold does not say where it was): offer only moves valid from any working state.
  if (status === 'resumed') return ['on_hold', 'resolved'];
  const at = FORWARD.indexOf(status);
  if (at < 0) return [];
  const moves = FORWARD.slice(at + 1);
  if (HOLDABLE.has(status)) moves.push('on_hold');
  return moves;
}

function copy(job) {
  return {
    ...job,
    notes: [...(job.notes || [])],
    parts_used: [...(job.parts_used || [])],
    signoffs: [...(job.signoffs || [])],
  };
}

function applyStatus(job, payload) {
  const to = payload.to;
  if (to === 'on_hold') {
    job.local_resume_to = job.status;
    job.status = 'on_hold';
    job.hold_reason = payload.reason || null;
  } else if (to === 'resumed') {
    job.status = job.local_resume_to || 'resumed';
    job.hold_reason = null;
    delete job.local_resume_to;
  } else {
    job.status = to;
    job.hold_reason = null;
  }
  // The server applies a sign-off recorded before resolution when the job is resolved.
  if (job.status === 'resolved' && job.signoffs.length > 0) job.status = 'signed_off';
}

// Returns a new job document with the op applied; `op` is the outbox record.
export function applyOp(job, op) {
  const next = copy(job);
  const { payload } = op.op;
  const pending = { pending_op: op.op_id };
  switch (op.type) {
    case 'status':
      applyStatus(next, payload);
      break;
    case 'note':
      next.notes.push({ id: null, author: 'this tablet', text: payload.text, at: op.op.at, ...pending });
      break;
    case 'parts_used':
      for (const part of payload.parts) next.parts_used.push({ ...part, at: op.op.at, ...pending });
      break;
    case 'signoff':
      next.signoffs.push({
        id: payload.id, signer_name: payload.signer_name, signed_at: payload.signed_at,
        rating: payload.rating ?? null, ...pending,
      });
      if (next.status === 'resolved') next.status = 'signed_off';
      break;
    default:
      break;
  }
  return next;
}

// The server's document with the still-unanswered ops for it replayed in the order they were made.
export function withPendingOps(job, pendingOps) {
  let result = job;
  for (const op of pendingOps) {
    if (op.job_id === job.id) result = applyOp(result, op);
  }
  return result;
}
