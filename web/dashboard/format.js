// Display formats for the report figures. The page never recomputes a figure: each cell shows the
// API's value, formatted, and carries that value untouched in data-value (with its JSON path in
// data-path) so anyone can check the screen against the API digit for digit.
import { el, minutes } from '/shared/api.js';

const formats = {
  // Counts.
  int: new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }),
  // Percentages are rounded to 0.01 by the server; show them as the CSV does (95.1, 100, 85.19).
  pct: new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }),
  // Minutes are rounded to 0.1 by the server.
  min: new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }),
  num: new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }),
  rate: new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 }),
  money: new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
};

export const NONE = '—';

export function formatNumber(value, kind = 'num') {
  if (value === null || value === undefined) return NONE;
  const format = formats[kind];
  return format ? format.format(value) : String(value);
}

// Wall-clock durations such as lateness: minutes and hours as the other apps write them, days
// beyond two days, where "479 h 55 min" says less than "19 d 23 h".
export function duration(value) {
  if (value === null || value === undefined) return NONE;
  const total = Math.round(Math.abs(value));
  if (total < 48 * 60) return minutes(value);
  const sign = value < 0 ? '-' : '';
  return `${sign}${Math.floor(total / 1440)} d ${Math.floor((total % 1440) / 60)} h`;
}

// The value at a dotted path of a report row: 'cost.total' of a technician, 'arrival.met' of a
// group.
export function at(row, path) {
  return path.split('.').reduce((value, key) => (value === null || value === undefined ? value : value[key]), row);
}

// A table cell showing one figure of `row`, with its path and exact value for checking.
export function figureCell(row, path, kind, tag = 'td') {
  const value = at(row, path);
  return el(tag, { class: `figure figure-${kind}`, dataset: { path, value: JSON.stringify(value ?? null) } },
    kind === 'duration' ? duration(value) : formatNumber(value, kind));
}

