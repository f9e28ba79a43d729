// SLA state against the clock. A job document's `state` is as of the moment the server answered,
// and the SLA monitor's own transitions (on_track -> at_risk -> breached as time passes) produce
// no feed entry, so the console judges open targets itself from `due` and `at_risk_at`.

export const TARGETS = ['response', 'arrival', 'restore'];

const RANK = { met: 0, on_track: 1, pending: 1, at_risk: 2, breached: 3 };

// While a job is on hold its restore clock is stopped and the server moves the due later when
// the hold ends, so the stored restore due is not a deadline the clock can pass meanwhile.
function paused(job, name) {
  return name === 'restore' && job.status === 'on_hold';
}

export function targetState(job, name, now) {
  const target = job.sla && job.sla[name];
  if (!target) return null;
  if (target.done_at) return target.state;
  if (paused(job, name)) return target.state === 'pending' ? 'on_track' : target.state;
  if (now >= Date.parse(target.due)) return 'breached';
  if (now >= Date.parse(target.at_risk_at)) return 'at_risk';
  return 'on_track';
}

// The target the dispatcher has to beat next: the earliest due among those not done.
export function nextDue(job) {
  let best = null;
  for (const name of TARGETS) {
    const target = job.sla && job.sla[name];
    if (!target || target.done_at || paused(job, name)) continue;
    const due = Date.parse(target.due);
    if (!best || due < best.due) best = { name, due };
  }
  return best;
}

// The worst state among targets still open: what the queue row and the map marker show.
export function highlight(job, now) {
  let worst = 'on_track';
  for (const name of TARGETS) {
    const target = job.sla && job.sla[name];
    if (!target || target.done_at) continue;
    const s = targetState(job, name, now);
    if (RANK[s] > RANK[worst]) worst = s;
  }
  return worst;
}

// Targets already settled as breached: the promise is broken whatever happens next.
export function missedTargets(job) {
  return TARGETS.filter((name) => job.sla && job.sla[name] && job.sla[name].done_at && job.sla[name].state === 'breached');
}

// Queue order: next due first; a job with nothing left to beat goes last.
export function compareByNextDue(a, b) {
  const da = nextDue(a);
  const db = nextDue(b);
  const ta = da ? da.due : Infinity;
  const tb = db ? db.due : Infinity;
  return ta - tb || a.id - b.id;
}
