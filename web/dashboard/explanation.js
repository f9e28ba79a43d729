// A breach's dispatch explanation in words: who the engine chose and why, who else could have
// gone, who could not and for what reason (docs/decisions.md, "Dispatch engine"). The
// candidates are the decision as the server stored it; the page reads their fields and
// computes nothing but counts of them.
import { el, localTime } from '/shared/api.js';
import { formatNumber, NONE } from './format.js';

const EXCLUSIONS = {
  inactive: 'inactive',
  off_shift: 'off shift',
  missing_skills: 'missing skills',
  at_capacity: 'at capacity',
  outside_radius: 'outside the radius',
};

function reasonSentence(reason) {
  if (!reason) return null;
  if (reason === 'no_technician_meets_target') return 'Nobody could meet the arrival target, so the earliest arrival won.';
  if (reason === 'no_eligible_technician') {
    return 'Nobody was eligible within the radius, even widened; the job stayed unassigned.';
  }
  const preempted = /^preempted_job_(\d+)$/.exec(reason);
  if (preempted) {
    return `The technician arrives earliest once job #${preempted[1]}, less severe and not yet ` +
      'reached, went back to dispatch (a critical job takes the earliest arrival; a serious one ' +
      'only when it would miss its target otherwise).';
  }
  // Moves the engine made after the first decision; the candidates are as they stood then.
  const moves = {
    take_over: 'A technician who freed up arrived earlier and took the job over from the one it was queued with.',
    replan: 'The re-plan moved the job: its plan had fewer breaches, fewer minutes late or fewer km.',
    rescue: 'The sweep for jobs at risk moved the job to an idle technician who reaches it in time.',
    optimizer: 'The batch optimizer moved the job when a dispatcher applied its plan.',
  };
  if (moves[reason]) return moves[reason];
  return `Reason: ${reason}.`;
}

function exclusion(candidate) {
  return EXCLUSIONS[candidate.excluded_because] || candidate.excluded_because || 'excluded';
}

function km(value) {
  return value === null || value === undefined ? NONE : `${formatNumber(value)} km`;
}

// Chosen first, then the others still in the running by ETA, then the excluded by distance.
function ordered(candidates, chosenId) {
  const rank = (c) => (c.technician_id === chosenId ? 0 : c.eligible ? 1 : 2);
  return [...candidates].sort((a, b) => rank(a) - rank(b)
    || String(a.eta ?? '').localeCompare(String(b.eta ?? ''))
    || (a.distance_km ?? Infinity) - (b.distance_km ?? Infinity));
}

function chosenSentence(chosen, chosenId, names) {
  if (chosenId === null || chosenId === undefined) return 'The engine found nobody to send.';
  const parts = [`The engine chose ${names.technician(chosenId)}`];
  if (chosen) {
    const facts = [];
    if (chosen.eta) facts.push(`arriving ${localTime(chosen.eta)}`);
    if (chosen.travel_km !== undefined) facts.push(`${km(chosen.travel_km)} by road`);
    if (chosen.queue_ahead !== undefined) facts.push(`${chosen.queue_ahead} job${chosen.queue_ahead === 1 ? '' : 's'} ahead`);
    if (chosen.slack_minutes !== undefined) {
      facts.push(`slack ${formatNumber(chosen.slack_minutes, 'min')} min against a margin of ` +
        `${formatNumber(chosen.margin_minutes ?? 0, 'min')} min`);
    }
    if (facts.length) parts.push(` (${facts.join(', ')})`);
  }
  return `${parts.join('')}.`;
}

function alternativesSentence(others, radius, someoneChosen) {
  const within = radius === undefined ? '' : ` within ${formatNumber(radius)} km`;
  const eligible = others.filter((c) => c.eligible);
  const excluded = others.filter((c) => !c.eligible);
  const sentences = [];
  const other = someoneChosen ? ' other' : '';
  if (eligible.length === 0) {
    if (someoneChosen) sentences.push(`No other technician was eligible${within}.`);
  } else {
    sentences.push(`${eligible.length}${other} technician${eligible.length === 1 ? ' was' : 's were'} eligible${within}.`);
  }
  if (excluded.length) {
    const counts = new Map();
    for (const c of excluded) counts.set(exclusion(c), (counts.get(exclusion(c)) || 0) + 1);
    sentences.push(`Excluded: ${[...counts].map(([why, n]) => `${n} ${why}`).join(', ')}.`);
  }
  return sentences.join(' ');
}

function candidateTable(candidates, chosenId, names) {
  const head = ['Technician', 'Standing', 'Distance', 'Road', 'ETA', 'Ahead', 'Slack min', 'Margin min',
    'Meets arrival', 'Would delay'];
  return el('table', { class: 'candidates' },
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ordered(candidates, chosenId).map((c) => {
      const chosen = c.technician_id === chosenId;
      const standing = chosen ? 'chosen' : c.eligible ? 'eligible' : exclusion(c);
      return el('tr', { class: chosen ? 'chosen' : c.eligible ? 'eligible' : 'excluded',
        dataset: { technicianId: c.technician_id } },
      el('td', {}, names.technician(c.technician_id)),
      el('td', {}, standing),
      el('td', { class: 'figure' }, km(c.distance_km)),
      el('td', { class: 'figure' }, km(c.travel_km)),
      el('td', {}, c.eta ? localTime(c.eta) : NONE),
      el('td', { class: 'figure' }, formatNumber(c.queue_ahead, 'int')),
      el('td', { class: 'figure' }, formatNumber(c.slack_minutes, 'min')),
      el('td', { class: 'figure' }, formatNumber(c.margin_minutes, 'min')),
      el('td', {}, c.meets_arrival_target === undefined ? NONE : c.meets_arrival_target ? 'yes' : 'no'),
      el('td', {}, c.would_delay_job_id ? `job #${c.would_delay_job_id}` : ''));
    })));
}

// The explanation block for one breach row.
export function explanation(breach, names) {
  const dispatch = breach.dispatch || {};
  const candidates = Array.isArray(dispatch.candidates) ? dispatch.candidates : null;
  const block = el('div', { class: 'explanation', dataset: { reason: JSON.stringify(dispatch.reason ?? null) } });
  if (!dispatch.decided_at && !candidates) {
    block.classList.add('undecided');
    block.append(el('p', {}, reasonSentence(dispatch.reason)
      || 'No automatic dispatch decision on record: the job was assigned by hand or imported with its history.'));
    return block;
  }
  const chosenId = dispatch.chosen_technician_id ?? null;
  block.dataset.chosen = JSON.stringify(chosenId);
  const chosen = candidates?.find((c) => c.technician_id === chosenId);
  const others = (candidates || []).filter((c) => c.technician_id !== chosenId);
  const sentences = [
    dispatch.decided_at ? `Decided ${localTime(dispatch.decided_at)}.` : null,
    chosenSentence(chosen, chosenId, names),
    reasonSentence(dispatch.reason),
    candidates ? alternativesSentence(others, dispatch.radius_km, chosenId !== null) : null,
  ];
  if (chosenId !== null && breach.technician_id !== null && breach.technician_id !== chosenId) {
    sentences.push(`The job is now with ${names.technician(breach.technician_id)}: it was reassigned after this decision.`);
  }
  block.append(el('p', {}, sentences.filter(Boolean).join(' ')));
  if (candidates && candidates.length) {
    block.append(el('details', {},
      el('summary', {}, `All ${candidates.length} candidates`),
      candidateTable(candidates, chosenId, names)));
  }
  return block;
}
