// Spare parts per center (GET /api/v1/reports/parts): what repairs used in the window, the rate
// per installed unit and month, and the server's forecast for next month, to order stock by.
import { api, el } from '/shared/api.js';
import { figureCell } from './format.js';
import { csvButton, csvName } from './csv.js';

const FIGURES = [
  ['used', 'Used', 'int', 'on repair jobs of the center\'s sites in the window'],
  ['installed_units', 'Installed units', 'int', 'equipment sold before the end of the window'],
  ['months', 'Months', 'num', 'window length ÷ 30 days'],
  ['failures_per_unit_month', 'Failures per unit-month', 'rate', 'used ÷ (installed units × months)'],
  ['forecast_next_month', 'Forecast next month', 'int', 'rate × installed units, rounded up'],
];

export function partsSection({ body, actions, names, onError }) {
  let range = null;
  const path = (extra = '') => `/api/v1/reports/parts?${new URLSearchParams(range.api)}${extra}`;
  actions.append(csvButton({
    label: 'CSV',
    title: 'Download the parts report as the API\'s CSV',
    path: () => path('&format=csv'),
    filename: () => csvName('parts', range.dates),
    onError,
  }));

  return {
    async show(nextRange, signal) {
      range = nextRange;
      const report = await api(path(), { signal });
      if (report.items.length === 0) {
        body.replaceChildren(el('p', { class: 'muted empty' }, 'No parts were used in this window.'));
        return;
      }
      body.replaceChildren(el('table', { class: 'figures parts' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col' }, 'Part'),
          el('th', { scope: 'col' }, 'Center'),
          FIGURES.map(([, label, , title]) => el('th', { scope: 'col', class: 'figure', title }, label)))),
        el('tbody', {}, report.items.map((item) => el('tr', { dataset: { key: `${item.part_number}/${item.center_id}` } },
          el('th', { scope: 'row', dataset: { path: 'part_number', value: JSON.stringify(item.part_number) } }, item.part_number),
          el('td', { dataset: { path: 'center_id', value: JSON.stringify(item.center_id) } }, names.center(item.center_id)),
          FIGURES.map(([key, , kind]) => figureCell(item, key, kind)))))));
    },
  };
}
