// The job list: what is open first, soonest due first, each with what the technician needs at
// the door (address, who to ask for, whether the repair is free) without opening the job.
import { el } from '/shared/api.js';
import { allJobs, allOps } from './db.js';
import { PENDING } from './outbox.js';
import {
  statusBadge, dueLines, nextDue, warrantyLine, contactBlock, KIND_LABELS,
} from './format.js';

const FINISHED = new Set(['resolved', 'signed_off']);

function pendingByJob(ops) {
  const counts = new Map();
  for (const op of ops) {
    if (op.state === PENDING) counts.set(op.job_id, (counts.get(op.job_id) || 0) + 1);
  }
  return counts;
}

function needsSignoff(job) {
  return job.kind === 'installation' && job.status === 'resolved' && !(job.signoffs || []).length;
}

function jobCard(job, unsent) {
  return el('li', { class: 'job-card', dataset: { jobId: job.id, status: job.status } },
    el('div', { class: 'job-card-head' },
      el('a', { class: 'job-link', href: `#/jobs/${job.id}` },
        `#${job.id} · ${KIND_LABELS[job.kind] || job.kind}`),
      statusBadge(job.status),
      unsent ? el('span', { class: 'badge badge-unsent' }, `${unsent} not sent`) : null,
      needsSignoff(job) ? el('span', { class: 'badge badge-attention' }, 'needs sign-off') : null),
    job.description ? el('p', { class: 'job-description' }, job.description) : null,
    el('p', { class: 'address' }, job.site?.address || ''),
    contactBlock(job.customer),
    warrantyLine(job),
    el('ul', { class: 'due-list' }, dueLines(job)));
}

function section(title, jobs, unsent) {
  if (!jobs.length) return null;
  return el('section', { class: 'job-group' },
    el('h2', {}, `${title} (${jobs.length})`),
    el('ul', { class: 'job-list' }, jobs.map((job) => jobCard(job, unsent.get(job.id)))));
}

export function jobsView(container) {
  const heading = el('h1', { class: 'view-title' }, 'My jobs');
  const body = el('div', { class: 'job-groups', 'aria-live': 'polite' });
  container.replaceChildren(heading, body);

  async function refresh() {
    const [jobs, ops] = await Promise.all([allJobs(), allOps()]);
    const unsent = pendingByJob(ops);
    const open = jobs.filter((j) => !FINISHED.has(j.status)).sort((a, b) => nextDue(a) - nextDue(b) || a.id - b.id);
    const finished = jobs.filter((j) => FINISHED.has(j.status))
      .sort((a, b) => Number(needsSignoff(b)) - Number(needsSignoff(a)) || b.id - a.id);
    if (!jobs.length) {
      body.replaceChildren(el('p', { class: 'empty muted' },
        'No jobs on this tablet yet. They appear after the first sync with the server.'));
    } else {
      body.replaceChildren(...[section('Open', open, unsent), section('Resolved', finished, unsent)].filter(Boolean));
    }
    return jobs.length;
  }

  return { refresh, title: 'Jobs' };
}
