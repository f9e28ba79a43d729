// The report window as a manager thinks of it: whole days in their own time zone, from one date
// through another. The API wants instants and an exclusive end, so "8 Nov through 7 Dec" is sent
// as [8 Nov 00:00, 8 Dec 00:00) local time, in UTC. The dates live in the query string
// (?from=2026-11-08&to=2026-12-07) so a window can be bookmarked and shared; never a token.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86400000;
export const DEFAULT_DAYS = 30;
// The server refuses longer windows; saying so before asking spares a round trip.
export const MAX_DAYS = 732;

function pad(n) {
  return String(n).padStart(2, '0');
}

export function isoDate(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// Local midnight of a YYYY-MM-DD date, or null when it is not a real date (2026-02-30).
export function localMidnight(text) {
  const match = DATE.exec(text || '');
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

function addDays(date, days) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

// The last `days` days, today included.
export function lastDays(days, now = new Date()) {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  return { from: isoDate(addDays(today, 1 - days)), to: isoDate(today) };
}

// Checks a window of dates; returns an error sentence or null.
export function windowError({ from, to }) {
  const start = localMidnight(from);
  const last = localMidnight(to);
  if (!start) return 'The start is not a date.';
  if (!last) return 'The end is not a date.';
  if (last < start) return 'The end is before the start.';
  const days = Math.round((addDays(last, 1) - start) / DAY_MS);
  if (days > MAX_DAYS) return `A report covers at most ${MAX_DAYS} days; this window has ${days}.`;
  return null;
}

// The window named in the page's query string, else the default; `note` says why a window in
// the address was not used.
export function windowFromQuery(search, now = new Date()) {
  const params = new URLSearchParams(search);
  if (!params.has('from') && !params.has('to')) return { window: lastDays(DEFAULT_DAYS, now), note: null };
  const asked = { from: params.get('from'), to: params.get('to') };
  const error = windowError(asked);
  if (!error) return { window: asked, note: null };
  return { window: lastDays(DEFAULT_DAYS, now), note: `The window in the address was not used: ${error}` };
}

function instant(date) {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

// The API's from and to (RFC 3339, UTC, `to` exclusive) for a window of dates.
export function apiRange({ from, to }) {
  return { from: instant(localMidnight(from)), to: instant(addDays(localMidnight(to), 1)) };
}

export function queryFor({ from, to }) {
  return `?${new URLSearchParams({ from, to })}`;
}

export function timeZoneName() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}

export function describeWindow({ from, to }) {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
  const start = localMidnight(from);
  const last = localMidnight(to);
  const days = Math.round((addDays(last, 1) - start) / DAY_MS);
  return `Jobs reported ${format.format(start)} through ${format.format(last)} (${days} days, ${timeZoneName()})`;
}
