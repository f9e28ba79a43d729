// The manager dashboard: SLA compliance by tier and by week, the breach list with each job's
// dispatch explanation, technician scorecards and spare parts, for a window of days. Every
// figure is the report API's own; the page formats them and computes none.
import { requireToken, loginUrl, ApiError } from '/shared/api.js';
import { Directory } from './names.js';
import { tierChart, weekChart } from './charts.js';
import { complianceSection } from './compliance.js';
import { breachSection } from './breaches.js';
import { scorecardSection } from './scorecards.js';
import { partsSection } from './parts.js';
import { apiRange, describeWindow, lastDays, queryFor, windowError, windowFromQuery } from './window.js';

await requireToken();

const $ = (selector) => document.querySelector(selector);
const form = $('#window-form');
const statusLine = $('#status');
const windowErrorLine = $('#window-error');
const errorOf = (section) => $(`#${section} .error`);

for (const link of [$('#switch-token'), $('#forbidden-login')]) link.href = loginUrl();

function explain(error) {
  if (error instanceof ApiError) return `${error.message} (${error.status}${error.code ? ` ${error.code}` : ''})`;
  return error.message || String(error);
}

function reportError(section) {
  return (error) => { errorOf(section).textContent = `The download failed: ${explain(error)}`; };
}

const directory = new Directory();
const namesReady = directory.load();

const tier = complianceSection({
  groupBy: 'tier', groupLabel: 'Tier', drawChart: tierChart, chartBox: $('#tier-chart'),
  tableBox: $('#tier-table'), actions: $('#by-tier .actions'), onError: reportError('by-tier'),
});
const week = complianceSection({
  groupBy: 'week', groupLabel: 'Week', drawChart: weekChart, chartBox: $('#week-chart'),
  tableBox: $('#week-table'), actions: $('#by-week .actions'), onError: reportError('by-week'),
});
const breaches = breachSection({ body: $('#breaches .body'), error: errorOf('breaches'), names: directory });
const scorecards = scorecardSection({
  body: $('#scorecards .body'), note: $('#scorecards .note'), actions: $('#scorecards .actions'),
  onError: reportError('scorecards'),
});
const parts = partsSection({
  body: $('#parts .body'), actions: $('#parts .actions'), names: directory, onError: reportError('parts'),
});

// The sections that print names wait for the directory; the charts do not.
const loaders = {
  'by-tier': (range, signal) => tier.show(range, signal),
  'by-week': (range, signal) => week.show(range, signal),
  breaches: async (range, signal) => { await namesReady; return breaches.show(range, signal); },
  scorecards: (range, signal) => scorecards.show(range, signal),
  parts: async (range, signal) => { await namesReady; return parts.show(range, signal); },
};

function showForbidden(error) {
  $('#forbidden-message').textContent = 'This dashboard shows the SLA and technician reports, which the server ' +
    `opens to managers and admins only. It answered ${error.status}${error.code ? ` ${error.code}` : ''}: ` +
    `“${error.message}”.`;
  $('#forbidden').dataset.status = String(error.status);
  $('#forbidden').hidden = false;
  // A window picker over reports this token cannot read would only invite more refusals.
  for (const part of [$('#dashboard-content'), form, $('.window-line')]) part.hidden = true;
}

let controller = null;
let firstLoad = true;

async function show(dates) {
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  const range = { dates, api: apiRange(dates) };
  form.elements.from.value = dates.from;
  form.elements.to.value = dates.to;
  $('#window-description').textContent = `${describeWindow(dates)}.`;
  document.body.dataset.state = 'loading';
  statusLine.textContent = 'Loading…';
  const names = Object.keys(loaders);
  for (const name of names) errorOf(name).textContent = '';

  const loading = names.map((name) => loaders[name](range, signal));
  if (firstLoad) {
    // The dashboard's first-paint figure: navigation to both charts on canvas (the compliance
    // sections resolve once their chart has drawn), whatever the other sections are doing.
    Promise.all(loading.slice(0, 2)).then(() => performance.mark('dashboard:charts-drawn'), () => {});
    firstLoad = false;
  }
  const results = await Promise.allSettled(loading);
  if (signal.aborted) return;
  const forbidden = results.find((r) => r.status === 'rejected' && r.reason instanceof ApiError && r.reason.status === 403);
  if (forbidden) {
    showForbidden(forbidden.reason);
  } else {
    results.forEach((result, i) => {
      if (result.status === 'rejected' && result.reason.name !== 'AbortError') {
        errorOf(names[i]).textContent = `Could not load this report: ${explain(result.reason)}`;
      }
    });
  }
  statusLine.textContent = `Loaded ${new Date().toLocaleTimeString(undefined, { timeStyle: 'short' })}.`;
  document.body.dataset.state = forbidden ? 'forbidden' : 'ready';
  // Counts finished loads, so a test (or a curious reader) can tell a reload of the same window.
  document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
}

function choose(dates) {
  const error = windowError(dates);
  windowErrorLine.textContent = error || '';
  if (error) return;
  if (location.search !== queryFor(dates)) history.pushState(null, '', queryFor(dates));
  show(dates);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  choose({ from: form.elements.from.value, to: form.elements.to.value });
});
for (const preset of form.querySelectorAll('[data-days]')) {
  preset.addEventListener('click', () => choose(lastDays(Number(preset.dataset.days))));
}
window.addEventListener('popstate', () => {
  const { window: dates, note } = windowFromQuery(location.search);
  windowErrorLine.textContent = note || '';
  show(dates);
});

const initial = windowFromQuery(location.search);
windowErrorLine.textContent = initial.note || '';
show(initial.window);
