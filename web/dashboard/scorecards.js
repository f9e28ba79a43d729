// Technician scorecards (GET /api/v1/reports/technicians): one row per technician over the jobs
// they resolved in the window, sortable by any column. Sorting reorders the API's rows; it
// never changes a figure.
import { api, el } from '/shared/api.js';
import { at, figureCell, formatNumber } from './format.js';
import { csvButton, csvName } from './csv.js';

const COLUMNS = [
  { path: 'name', label: 'Technician', kind: 'text' },
  { path: 'jobs_done', label: 'Jobs done', kind: 'int', title: 'jobs they resolved in the window' },
  { path: 'sla.met', label: 'SLA met', kind: 'int', title: 'targets met, of the three targets of those jobs' },
  { path: 'sla.breached', label: 'SLA breached', kind: 'int' },
  { path: 'sla.compliance_pct', label: 'SLA %', kind: 'pct' },
  { path: 'first_time_fix_pct', label: 'First-time fix %', kind: 'pct', title: 'resolved with a single on-site visit' },
  { path: 'visits', label: 'Visits', kind: 'int' },
  { path: 'travel_km', label: 'Travel km', kind: 'num', title: 'road km of the on-site visits' },
  { path: 'mean_satisfaction', label: 'Satisfaction', kind: 'num', title: 'mean customer sign-off rating, 1 to 5' },
  { path: 'ratings', label: 'Ratings', kind: 'int', title: 'sign-off ratings behind the mean' },
  { path: 'complaints', label: 'Complaints', kind: 'int', title: 'naming the technician, received in the window' },
  { path: 'cost.labour_hours', label: 'Labour h', kind: 'num' },
  { path: 'cost.parts', label: 'Parts cost', kind: 'money' },
  { path: 'cost.unpriced_parts', label: 'Unpriced parts', kind: 'int', title: 'parts used that have no price: not in the costs' },
  { path: 'cost.total', label: 'Total cost', kind: 'money', title: 'labour + travel + parts' },
  { path: 'cost.per_job', label: 'Cost per job', kind: 'money' },
];

// Empty figures sort last whichever the direction: a technician without ratings is not the
// best or the worst rated.
function compareBy(path, direction) {
  return (a, b) => {
    const x = at(a, path);
    const y = at(b, path);
    const xMissing = x === null || x === undefined;
    const yMissing = y === null || y === undefined;
    if (xMissing || yMissing) return xMissing - yMissing || a.technician_id - b.technician_id;
    const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return direction * order || a.technician_id - b.technician_id;
  };
}

function nameCell(item) {
  return el('th', { scope: 'row', dataset: { path: 'name', value: JSON.stringify(item.name ?? null) } },
    item.name ?? `technician #${item.technician_id}`);
}

export function scorecardSection({ body, note, actions, onError }) {
  let range = null;
  const path = (extra = '') => `/api/v1/reports/technicians?${new URLSearchParams(range.api)}${extra}`;
  actions.append(csvButton({
    label: 'CSV',
    title: 'Download the scorecards as the API\'s CSV',
    path: () => path('&format=csv'),
    filename: () => csvName('technicians', range.dates),
    onError,
  }));
  let items = [];
  let rows = new Map();
  let sort = { path: null, direction: 1 };
  const headers = new Map();
  const tbody = el('tbody');
  const table = el('table', { class: 'figures scorecards' },
    el('thead', {}, el('tr', {}, COLUMNS.map((column) => {
      const button = el('button', { type: 'button', class: 'sort', title: column.title }, column.label);
      button.addEventListener('click', () => sortBy(column.path));
      const th = el('th', { scope: 'col', class: column.kind === 'text' ? '' : 'figure',
        'aria-sort': 'none', dataset: { sort: column.path } }, button);
      headers.set(column.path, th);
      return th;
    }))),
    tbody);

  // Figures first sort highest first (the question is usually "who has the most ..."); names
  // sort A to Z. A second click reverses.
  function sortBy(path) {
    const column = COLUMNS.find((c) => c.path === path);
    const first = column.kind === 'text' ? 1 : -1;
    sort = { path, direction: sort.path === path ? -sort.direction : first };
    render();
  }

  function render() {
    const ordered = sort.path ? [...items].sort(compareBy(sort.path, sort.direction)) : items;
    tbody.replaceChildren(...ordered.map((item) => rows.get(item.technician_id)));
    for (const [path, th] of headers) {
      th.setAttribute('aria-sort', path !== sort.path ? 'none' : sort.direction > 0 ? 'ascending' : 'descending');
    }
  }

  return {
    async show(nextRange, signal) {
      range = nextRange;
      const report = await api(path(), { signal });
      items = report.items;
      rows = new Map(items.map((item) => [item.technician_id, el('tr', { dataset: { key: item.technician_id } },
        nameCell(item),
        COLUMNS.slice(1).map((c) => figureCell(item, c.path, c.kind)))]));
      note.textContent = `Over the jobs each technician resolved in the window. Costs at ` +
        `${formatNumber(report.rates.labour_per_hour, 'money')} per labour hour and ` +
        `${formatNumber(report.rates.travel_per_km, 'money')} per km, the server's rates.`;
      body.replaceChildren(items.length ? table : el('p', { class: 'muted empty' }, 'Nobody resolved a job in this window.'));
      render();
    },
  };
}
