// The breach list (GET /api/v1/reports/sla/breaches): each breached target, oldest report first
// as the API orders them, with its job's dispatch explanation. Paged with the API's own cursor:
// the page keeps the cursors it has been given so it can step back without offsets.
import { api, el, localTime } from '/shared/api.js';
import { duration, NONE } from './format.js';
import { explanation } from './explanation.js';

export const PAGE_SIZE = 25;
const COLUMNS = ['Job', 'Tier', 'Target', 'Reported', 'Due', 'Done', 'Late by', 'Technician', 'Center'];

function valueCell(breach, path, text, className) {
  return el('td', { class: className, dataset: { path, value: JSON.stringify(breach[path] ?? null) } }, text);
}

function breachBody(breach, names) {
  const facts = el('tr', { class: 'facts' },
    valueCell(breach, 'job_id', `#${breach.job_id}`),
    valueCell(breach, 'tier', breach.tier, `tier tier-${breach.tier}`),
    valueCell(breach, 'target', breach.target),
    valueCell(breach, 'reported_at', localTime(breach.reported_at)),
    valueCell(breach, 'due', localTime(breach.due)),
    valueCell(breach, 'done_at', breach.done_at ? localTime(breach.done_at) : 'still open',
      breach.done_at ? '' : 'open'),
    valueCell(breach, 'lateness_minutes', duration(breach.lateness_minutes), 'figure'),
    valueCell(breach, 'technician_id', breach.technician_id === null ? 'unassigned' : names.technician(breach.technician_id)),
    valueCell(breach, 'center_id', names.center(breach.center_id)));
  const why = el('td', { class: 'why' }, explanation(breach, names));
  why.colSpan = COLUMNS.length;
  return el('tbody', { class: 'breach', dataset: { key: `${breach.job_id}/${breach.target}` } },
    facts, el('tr', { class: 'explained' }, why));
}

function select(name, label, values) {
  return el('label', {}, `${label} `,
    el('select', { name }, el('option', { value: '' }, 'all'), values.map((v) => el('option', { value: v }, v))));
}

// Builds the filters, the list and the pager inside `body`; page turns report failures in `error`.
export function breachSection({ body, error, names }) {
  const filters = el('form', { class: 'filters' },
    select('tier', 'Tier', ['critical', 'serious', 'general', 'minor']),
    select('target', 'Target', ['response', 'arrival', 'restore']));
  const list = el('div', { class: 'breach-list', dataset: { limit: PAGE_SIZE } });
  const previous = el('button', { type: 'button' }, '‹ Previous');
  const next = el('button', { type: 'button' }, 'Next ›');
  const position = el('span', { class: 'muted' });
  body.append(filters, list, el('div', { class: 'pager' }, previous, position, next));

  let range = null;
  // cursors[i] is what page i was asked with (null for the first); the API gives the next one.
  let cursors = [null];
  let page = 0;
  let nextCursor = null;
  let controller = null;

  function query(cursor) {
    const params = new URLSearchParams({ from: range.api.from, to: range.api.to, limit: String(PAGE_SIZE) });
    for (const name of ['tier', 'target']) {
      const value = filters.elements[name].value;
      if (value) params.set(name, value);
    }
    if (cursor) params.set('cursor', cursor);
    return `/api/v1/reports/sla/breaches?${params}`;
  }

  async function showPage(index, signal) {
    const answer = await api(query(cursors[index]), { signal });
    page = index;
    nextCursor = answer.next_cursor;
    if (nextCursor && cursors.length === index + 1) cursors.push(nextCursor);
    list.dataset.page = String(index + 1);
    list.dataset.nextCursor = nextCursor ?? '';
    if (answer.items.length === 0) {
      list.replaceChildren(el('p', { class: 'muted empty' },
        index === 0 ? 'No breach in this window.' : 'No more breaches.'));
    } else {
      list.replaceChildren(el('table', { class: 'breaches' },
        el('thead', {}, el('tr', {}, COLUMNS.map((c) => el('th', { scope: 'col' }, c)))),
        answer.items.map((b) => breachBody(b, names))));
    }
    const first = index * PAGE_SIZE + 1;
    position.textContent = answer.items.length
      ? `Page ${index + 1} · breaches ${first}–${first + answer.items.length - 1}${nextCursor ? '' : ' (last page)'}`
      : NONE;
    previous.disabled = index === 0;
    next.disabled = !nextCursor;
  }

  // Page turns and filter changes cancel the one still loading, so a slow answer cannot
  // replace a newer one.
  async function turn(index) {
    if (controller) controller.abort();
    controller = new AbortController();
    error.textContent = '';
    try {
      await showPage(index, controller.signal);
    } catch (e) {
      if (e.name !== 'AbortError') error.textContent = `Breaches could not be loaded: ${e.message}`;
    }
  }

  previous.addEventListener('click', () => turn(page - 1));
  next.addEventListener('click', () => turn(page + 1));
  filters.addEventListener('change', () => {
    cursors = [null];
    turn(0);
  });
  filters.addEventListener('submit', (event) => event.preventDefault());

  return {
    // The first page for a new window; errors go to the caller, which knows about 403s.
    async show(nextRange, signal) {
      if (controller) controller.abort();
      range = nextRange;
      cursors = [null];
      error.textContent = '';
      await showPage(0, signal);
    },
  };
}
