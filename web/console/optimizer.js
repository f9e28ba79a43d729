// The batch optimizer (POST /api/v1/dispatch/optimize): a dry run first, showing the moves and
// the figures before and after, then, if the dispatcher wants it, the real run. The real run
// plans again from the state at that moment, so its moves may differ from the dry run's.
import { api, el } from '/shared/api.js';
import { state, upsertJobs, technicianName } from './store.js';
import { explain, toast } from './dialogs.js';
import { SEVERITY_SHORT } from './format.js';

const dialog = document.getElementById('optimize-dialog');
const body = document.getElementById('optimize-body');
const applyButton = document.getElementById('optimize-apply');
const closeButton = document.getElementById('optimize-close');
let running = false;

export function initOptimizer() {
  document.getElementById('optimize-button').addEventListener('click', openOptimizer);
  closeButton.addEventListener('click', () => dialog.close());
  applyButton.addEventListener('click', apply);
}

function figure(value, digits = 1) {
  return typeof value === 'number' ? value.toFixed(digits).replace(/\.0+$/, '') : '';
}

function change(before, after) {
  if (typeof before !== 'number' || typeof after !== 'number') return '';
  const d = after - before;
  if (Math.abs(d) < 1e-9) return '±0';
  return `${d > 0 ? '+' : '−'}${figure(Math.abs(d))}`;
}

function comparison(result) {
  const rows = [
    ['weighted breaches', 'weighted_breaches', 'breaches weighted by tier'],
    ['travel (km)', 'km', 'total travel'],
    ['unassigned jobs', 'unassigned', ''],
  ];
  return el('table', { class: 'optimize-table' },
    el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'before'), el('th', {}, 'after'), el('th', {}, 'change'))),
    el('tbody', {}, rows.map(([label, key, hint]) => {
      const before = result.before[key];
      const after = result.after[key];
      return el('tr', { class: after < before ? 'better' : after > before ? 'worse' : '' },
        el('th', { scope: 'row', title: hint }, label),
        el('td', {}, figure(before)), el('td', {}, figure(after)), el('td', {}, change(before, after)));
    })));
}

function moveRow(move) {
  const job = state.jobs.get(move.job_id);
  const site = job && state.sites.get(job.site_id);
  return el('tr', { dataset: { jobId: move.job_id } },
    el('td', {}, job ? `${SEVERITY_SHORT[job.severity] || ''} #${move.job_id}` : `#${move.job_id}`),
    el('td', { class: 'addr' }, site ? site.address : ''),
    el('td', {}, move.from_technician_id ? technicianName(move.from_technician_id) : 'unassigned'),
    el('td', {}, '→ ', technicianName(move.to_technician_id)));
}

function renderResult(result) {
  const moves = result.moves || [];
  body.replaceChildren(
    el('h2', {}, result.dry_run ? 'Batch optimizer: dry run' : 'Batch optimizer: applied'),
    el('p', {}, `${result.jobs_considered} open jobs and ${result.technicians_considered} technicians considered. `,
      result.dry_run ? 'Nothing has moved yet.' : `${moves.length} jobs moved.`),
    comparison(result),
    moves.length
      ? el('table', { class: 'moves-table' },
        el('thead', {}, el('tr', {}, el('th', {}, 'job'), el('th', {}, 'site'), el('th', {}, 'from'), el('th', {}, 'to'))),
        el('tbody', {}, moves.map(moveRow)))
      : el('p', { class: 'muted' }, 'No move would improve the plan.'),
    result.dry_run && moves.length
      ? el('p', { class: 'muted' }, 'Applying plans again from the state at that moment; jobs assigned by hand stay where they are.')
      : null);
  applyButton.hidden = !(result.dry_run && moves.length);
}

export async function openOptimizer() {
  if (running) return;
  running = true;
  applyButton.hidden = true;
  body.replaceChildren(el('h2', {}, 'Batch optimizer: dry run'), el('p', { class: 'muted' }, 'Planning…'));
  if (!dialog.open) dialog.showModal();
  try {
    renderResult(await api('/api/v1/dispatch/optimize', { method: 'POST', body: { dry_run: true } }));
  } catch (e) {
    body.replaceChildren(el('h2', {}, 'Batch optimizer'), el('p', { class: 'error' }, explain(e)));
  } finally {
    running = false;
  }
  closeButton.focus();
}

async function apply() {
  if (running) return;
  running = true;
  applyButton.disabled = true;
  try {
    const result = await api('/api/v1/dispatch/optimize', { method: 'POST', body: { dry_run: false } });
    renderResult(result);
    toast(`Optimizer applied: ${(result.moves || []).length} jobs moved.`, 'ok');
    // The feed brings the moved jobs too; fetching them now shows them at once.
    const moved = await Promise.all((result.moves || []).map((m) => api(`/api/v1/jobs/${m.job_id}`).catch(() => null)));
    upsertJobs(moved.filter(Boolean));
  } catch (e) {
    body.append(el('p', { class: 'error' }, explain(e)));
  } finally {
    running = false;
    applyButton.disabled = false;
  }
}
