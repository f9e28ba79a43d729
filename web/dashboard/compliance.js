// Compliance per group (tier or ISO week) from GET /api/v1/reports/sla: a chart of compliance and
// a table of every figure the API gives per group, one row per target. docs/sla.md defines them.
import { api, el, localTime } from '/shared/api.js';
import { figureCell } from './format.js';
import { TARGETS } from './charts.js';
import { csvButton, csvName } from './csv.js';

const FIGURES = [
  ['met', 'Met', 'int'],
  ['breached', 'Breached', 'int'],
  ['pending', 'Pending', 'int', 'open and not yet due (at risk included)'],
  ['compliance_pct', 'Compliance %', 'pct', 'met ÷ (met + breached); — when nothing was decided'],
  ['p50_minutes', 'p50 min', 'min', 'median minutes to done, on the job\'s calendar'],
  ['p90_minutes', 'p90 min', 'min', '90th percentile (nearest rank) of minutes to done'],
];

function header(groupLabel) {
  return el('thead', {}, el('tr', {},
    el('th', { scope: 'col' }, groupLabel),
    el('th', { scope: 'col', class: 'figure', title: 'jobs reported in the window' }, 'Jobs'),
    el('th', { scope: 'col', class: 'figure' }, 'Cancelled'),
    el('th', { scope: 'col' }, 'Target'),
    FIGURES.map(([, label, , title]) => el('th', { scope: 'col', class: 'figure', title }, label))));
}

function groupBody(group) {
  const body = el('tbody', { dataset: { key: group.key } });
  TARGETS.forEach((target, index) => {
    const row = el('tr', { dataset: { target } });
    if (index === 0) {
      const groupCells = [el('th', { scope: 'rowgroup', class: 'group-key' }, group.key),
        figureCell(group, 'count', 'int'), figureCell(group, 'cancelled', 'int')];
      for (const cell of groupCells) cell.rowSpan = TARGETS.length;
      row.append(...groupCells);
    }
    row.append(el('td', { class: 'target' }, target));
    for (const [figure, , kind] of FIGURES) row.append(figureCell(group, `${target}.${figure}`, kind));
    body.append(row);
  });
  return body;
}

export function complianceTable(report, groupLabel) {
  return el('table', { class: 'figures compliance' },
    el('caption', { class: 'muted' }, `Figures as of ${localTime(report.as_of)}`),
    header(groupLabel),
    report.groups.map(groupBody));
}

// One section: a CSV button in `actions`, the chart in `chartBox`, the table in `tableBox`.
// `show(range, signal)` loads the window and resolves with the chart's `drawn` promise.
export function complianceSection({ groupBy, groupLabel, drawChart, chartBox, tableBox, actions, onError }) {
  let range = null;
  let chart = null;
  const reportPath = (extra = '') =>
    `/api/v1/reports/sla?${new URLSearchParams({ from: range.api.from, to: range.api.to, group_by: groupBy })}${extra}`;
  actions.append(csvButton({
    label: 'CSV',
    title: `Download these figures as the API's CSV (group_by=${groupBy})`,
    path: () => reportPath('&format=csv'),
    filename: () => csvName(`sla-by-${groupBy}`, range.dates),
    onError,
  }));

  return {
    async show(nextRange, signal) {
      range = nextRange;
      const report = await api(reportPath(), { signal });
      tableBox.dataset.from = report.from;
      tableBox.dataset.to = report.to;
      tableBox.dataset.asOf = report.as_of;
      if (report.groups.length === 0) {
        tableBox.replaceChildren(el('p', { class: 'muted empty' }, 'No jobs were reported in this window.'));
      } else {
        tableBox.replaceChildren(complianceTable(report, groupLabel));
      }
      if (chart) chart.destroy();
      chart = drawChart(chartBox, report.groups);
      return chart.drawn;
    },
  };
}
