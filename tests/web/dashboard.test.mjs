// The manager dashboard (/dashboard/) against the real server: for a window chosen in the
// address, every figure the page shows must be the report API's own for that window, read from
// the DOM's data-path/data-value cells; the breach list is the API's first page with its
// dispatch explanations, and it pages with the API's cursor; the scorecards sort; the CSV
// buttons save the API's CSV byte for byte; a technician's token gets a clear 403 message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { Server, launch, loggedIn, screenshot, report } from './harness.mjs';

const TIME_ZONE = 'Europe/Berlin';
const DAY = 86400000;

let server;
let browser;
let names;

before(async () => {
  server = new Server();
  await server.start();
  browser = await launch();
  // Imported history has no dispatch decisions (imported assignments count as a dispatcher's),
  // so two jobs go through the dispatch engine here, reported 26 days ago: before the imported
  // history, at the head of the breach list, and breached the moment they are written. One the
  // engine can place; one needs a skill nobody has.
  const reported_at = new Date(Date.now() - 26 * DAY).toISOString();
  for (const extra of [{}, { required_skills: ['no-such-skill'] }]) {
    await server.api('dispatcher', '/api/v1/jobs', {
      method: 'POST', body: { site_id: 1, kind: 'repair', severity: 'critical', reported_at, ...extra },
    });
  }
  const technicians = await server.api('manager', '/api/v1/technicians?limit=500');
  names = new Map(technicians.items.map((t) => [t.id, t.name]));
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

async function apiText(role, path) {
  const response = await fetch(server.base + path, { headers: { Authorization: `Bearer ${server.tokens[role]}` } });
  return { status: response.status, text: await response.text() };
}

// A date in TIME_ZONE, `days` from today, as YYYY-MM-DD.
function zoneDate(days, now = Date.now()) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(new Date(now));
  const [y, m, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// The instant of midnight starting `date` in TIME_ZONE, as the API writes instants.
function zoneMidnight(date) {
  const [y, m, d] = date.split('-').map(Number);
  const wanted = Date.UTC(y, m - 1, d);
  let instant = wanted;
  // Two corrections by the zone's offset at the guess; the second settles a DST change.
  for (let i = 0; i < 2; i++) {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
    const part = (type) => Number(parts.find((p) => p.type === type).value);
    const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
    instant -= wall - wanted;
  }
  return new Date(instant).toISOString().replace('.000Z', 'Z');
}

async function dashboardContext(role) {
  const context = await loggedIn(browser, server, role, { locale: 'en-US', timezoneId: TIME_ZONE });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

const at = (row, path) => path.split('.').reduce((v, k) => (v == null ? v : v[k]), row);

// What the report API answers for the window, less what moves with the clock alone: as_of, and
// the lateness of breaches still open (it grows until they are done).
async function reports(range, breachLimit) {
  const q = new URLSearchParams(range);
  const [tier, week, breaches, technicians, parts] = await Promise.all([
    server.api('manager', `/api/v1/reports/sla?${q}&group_by=tier`),
    server.api('manager', `/api/v1/reports/sla?${q}&group_by=week`),
    server.api('manager', `/api/v1/reports/sla/breaches?${q}&limit=${breachLimit}`),
    server.api('manager', `/api/v1/reports/technicians?${q}`),
    server.api('manager', `/api/v1/reports/parts?${q}`),
  ]);
  return { tier, week, breaches, technicians, parts };
}

function settled(snapshot) {
  const { as_of: _t, ...tier } = snapshot.tier;
  const { as_of: _w, ...week } = snapshot.week;
  const items = snapshot.breaches.items.map((b) => (b.done_at ? b : { ...b, lateness_minutes: 'open' }));
  return { ...snapshot, tier, week, breaches: { ...snapshot.breaches, items } };
}

// Opens the page and returns the API's answers from before and after it loaded. A target can
// fall due while the page loads (the sample's open jobs are due around now): then the two
// differ and the page is loaded again. Equal answers on both sides mean the page saw them too.
async function openStable(page, url, range, breachLimit) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const before = await reports(range, breachLimit);
    const response = await page.goto(url);
    // The page runs under the server's policy: no inline script, nothing from elsewhere.
    assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.waitForSelector('body[data-state="ready"]');
    const after = await reports(range, breachLimit);
    if (isDeepStrictEqual(settled(before), settled(after))) return { before, after };
  }
  throw new Error('the reports kept changing while the page loaded');
}

const DIGITS = { pct: 2, min: 1, int: 0, num: 2, money: 2, rate: 6 };

// Every [data-path] cell of every row, as the page shows it.
function readRows(page, rowSelector) {
  return page.$$eval(rowSelector, (rows) => rows.map((row) => ({
    key: row.dataset.key,
    cells: [...row.querySelectorAll('[data-path]')].map((cell) => ({
      path: cell.dataset.path, value: cell.dataset.value, text: cell.textContent, kind: cell.className,
    })),
  })));
}

// The cell holds the API's exact value, and its text is that value as displayed.
function assertCell(cell, expected, where) {
  assert.equal(cell.value, JSON.stringify(expected ?? null), `${where}: data-value`);
  const kind = /figure-(\w+)/.exec(cell.kind)?.[1];
  if (!kind || kind === 'duration') return;
  if (expected === null) {
    assert.equal(cell.text, '—', `${where}: text`);
  } else {
    assert.equal(Number(cell.text.replace(/,/g, '')), Number(expected.toFixed(DIGITS[kind])), `${where}: text ${cell.text}`);
  }
}

function assertGroups(rows, groups, label) {
  assert.deepEqual(rows.map((r) => r.key), groups.map((g) => g.key), `${label}: the API's groups, in order`);
  const paths = ['count', 'cancelled'];
  for (const target of ['response', 'arrival', 'restore']) {
    for (const f of ['met', 'breached', 'pending', 'compliance_pct', 'p50_minutes', 'p90_minutes']) paths.push(`${target}.${f}`);
  }
  rows.forEach((row, i) => {
    assert.deepEqual(row.cells.map((c) => c.path).sort(), [...paths].sort(), `${label} ${row.key}: every figure`);
    for (const cell of row.cells) assertCell(cell, at(groups[i], cell.path), `${label} ${row.key} ${cell.path}`);
  });
}

test('the dashboard shows the report API\'s figures for the window', async (t) => {
  const { context, page, problems } = await dashboardContext('manager');
  const dates = { from: zoneDate(-27), to: zoneDate(0) };
  const url = `${server.base}/dashboard/?from=${dates.from}&to=${dates.to}`;
  const limit = 25;
  // The instants the page must send: local midnight of the first day and of the day after the last.
  const range = { from: zoneMidnight(dates.from), to: zoneMidnight(zoneDate(1)) };
  const { before, after: api } = await openStable(page, url, range, limit);
  assert.deepEqual(await page.$eval('#tier-table', (box) => ({ from: box.dataset.from, to: box.dataset.to })), range,
    'the page asked for the window the address names');
  assert.equal(await page.$eval('.breach-list', (l) => Number(l.dataset.limit)), limit);

  const drawn = await page.waitForFunction(() => performance.getEntriesByName('dashboard:charts-drawn')[0]?.startTime);
  const ms = Math.round(await drawn.jsonValue());
  report('dashboard navigation to charts drawn', ms, 'ms');
  assert.ok(ms < 20000, `charts drawn ${ms} ms after navigation`);
  assert.equal(await page.locator('#tier-chart canvas').count(), 1);
  assert.equal(await page.locator('#week-chart canvas').count(), 1);
  await screenshot(page, 'dashboard');

  await t.test('compliance by tier and by week: every figure, value by value', async () => {
    assert.equal(api.tier.groups.length, 4);
    assertGroups(await readRows(page, '#tier-table tbody[data-key]'), api.tier.groups, 'tier');
    assert.ok(api.week.groups.length >= 2);
    assertGroups(await readRows(page, '#week-table tbody[data-key]'), api.week.groups, 'week');
  });

  await t.test('technician scorecards match the technician report', async () => {
    const rows = await readRows(page, 'table.scorecards tbody tr');
    assert.deepEqual(rows.map((r) => Number(r.key)), api.technicians.items.map((i) => i.technician_id));
    rows.forEach((row, i) => {
      assert.ok(row.cells.length >= 12, 'the scorecard shows its figures');
      for (const cell of row.cells) assertCell(cell, at(api.technicians.items[i], cell.path), `technician ${row.key} ${cell.path}`);
    });
  });

  await t.test('spare parts match the parts report', async () => {
    const rows = await readRows(page, 'table.parts tbody tr');
    assert.deepEqual(rows.map((r) => r.key), api.parts.items.map((i) => `${i.part_number}/${i.center_id}`));
    rows.forEach((row, i) => {
      assert.equal(row.cells.length, 7);
      for (const cell of row.cells) assertCell(cell, at(api.parts.items[i], cell.path), `part ${row.key} ${cell.path}`);
    });
  });

  await t.test('scorecards sort by a column, highest first, then reversed', async () => {
    const order = () => page.$$eval('table.scorecards tbody tr', (rows) => rows.map((r) => Number(r.dataset.key)));
    const expected = (direction) => [...api.technicians.items].sort((a, b) => {
      const x = a.sla.compliance_pct;
      const y = b.sla.compliance_pct;
      if (x === null || y === null) return (x === null) - (y === null) || a.technician_id - b.technician_id;
      return direction * (x - y) || a.technician_id - b.technician_id;
    }).map((i) => i.technician_id);
    const header = page.locator('th[data-sort="sla.compliance_pct"]');
    await header.locator('button').click();
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await order(), expected(-1));
    await header.locator('button').click();
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    assert.deepEqual(await order(), expected(1));
  });

  await t.test('the breach list is the API\'s first page, with each dispatch explanation', async () => {
    const items = api.breaches.items;
    assert.equal(items.length, limit);
    const rows = await readRows(page, 'tbody.breach');
    assert.deepEqual(rows.map((r) => r.key), items.map((b) => `${b.job_id}/${b.target}`));
    rows.forEach((row, i) => {
      for (const cell of row.cells) {
        if (cell.path === 'lateness_minutes' && items[i].done_at === null) {
          // Open breaches grow later by the minute: the page's figure lies between the two reads.
          const shown = JSON.parse(cell.value);
          assert.ok(shown >= before.breaches.items[i].lateness_minutes && shown <= items[i].lateness_minutes);
        } else {
          assertCell(cell, items[i][cell.path], `breach ${row.key} ${cell.path}`);
        }
      }
    });
    const explained = await page.$$eval('tbody.breach', (bodies) => bodies.map((b) => {
      const block = b.querySelector('.explanation');
      return { reason: block.dataset.reason, chosen: block.dataset.chosen, text: block.querySelector('p').textContent,
        candidates: block.querySelectorAll('table.candidates tbody tr').length };
    }));
    const decided = items.filter((b) => b.dispatch.candidates);
    assert.ok(decided.length >= 2, 'the jobs dispatched by the engine lead the list');
    items.forEach((b, i) => {
      const shown = explained[i];
      assert.equal(shown.reason, JSON.stringify(b.dispatch.reason), `breach ${b.job_id}: the reason`);
      if (!b.dispatch.candidates) {
        assert.match(shown.text, /No automatic dispatch decision/);
        return;
      }
      assert.equal(shown.candidates, b.dispatch.candidates.length, `breach ${b.job_id}: every candidate`);
      assert.equal(shown.chosen, JSON.stringify(b.dispatch.chosen_technician_id));
      if (b.dispatch.chosen_technician_id === null) assert.match(shown.text, /found nobody/);
      else assert.ok(shown.text.includes(`chose ${names.get(b.dispatch.chosen_technician_id)}`), shown.text);
      const excluded = b.dispatch.candidates.filter((c) => !c.eligible).length;
      if (excluded) assert.match(shown.text, /Excluded: /);
    });
    assert.ok(explained.some((e) => e.reason === '"no_eligible_technician"'));
  });

  await t.test('the breach list pages with the API\'s cursor', async () => {
    const next = api.breaches.next_cursor;
    assert.ok(next, 'more than one page of breaches');
    await page.getByRole('button', { name: 'Next ›' }).click();
    await page.waitForSelector('.breach-list[data-page="2"]');
    const second = await server.api('manager',
      `/api/v1/reports/sla/breaches?${new URLSearchParams({ ...range, limit: String(limit), cursor: next })}`);
    const keys = await page.$$eval('tbody.breach', (b) => b.map((x) => x.dataset.key));
    assert.deepEqual(keys, second.items.map((b) => `${b.job_id}/${b.target}`));
    await page.getByRole('button', { name: '‹ Previous' }).click();
    await page.waitForSelector('.breach-list[data-page="1"]');
    assert.equal(await page.locator('tbody.breach').first().getAttribute('data-key'),
      `${api.breaches.items[0].job_id}/${api.breaches.items[0].target}`);
  });

  await t.test('CSV export saves the API\'s CSV', async () => {
    const q = new URLSearchParams(range);
    for (const [section, path] of [
      ['#by-tier', `/api/v1/reports/sla?${q}&group_by=tier&format=csv`],
      ['#by-week', `/api/v1/reports/sla?${q}&group_by=week&format=csv`],
      ['#parts', `/api/v1/reports/parts?${q}&format=csv`],
      ['#scorecards', `/api/v1/reports/technicians?${q}&format=csv`],
    ]) {
      let saved = null;
      for (let attempt = 1; attempt <= 3 && saved === null; attempt++) {
        const first = await apiText('manager', path);
        const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${section} button.csv`)]);
        const text = readFileSync(await download.path(), 'utf8');
        const last = await apiText('manager', path);
        assert.equal(last.status, 200);
        // As with the page, a target falling due between the reads makes them differ: retry.
        if (first.text === last.text) saved = { text, api: last.text, name: download.suggestedFilename() };
      }
      assert.ok(saved, `${section}: the CSV kept changing`);
      assert.equal(saved.text, saved.api, `${section}: the saved CSV is the API's`);
      assert.match(saved.name, new RegExp(`_${dates.from}_${dates.to}\\.csv$`));
    }
  });

  await t.test('the window picker asks the API for the days chosen', async () => {
    const from = zoneDate(-13);
    const to = zoneDate(-7);
    const chosen = { from: zoneMidnight(from), to: zoneMidnight(zoneDate(-6)) };
    const tierReport = async () => {
      const { as_of: _, ...answer } = await server.api('manager', `/api/v1/reports/sla?${new URLSearchParams(chosen)}&group_by=tier`);
      return answer;
    };
    await page.fill('#window-form input[name="from"]', from);
    await page.fill('#window-form input[name="to"]', to);
    // As on opening: read the API before and after the page loads, and load again if they differ.
    let tier = null;
    for (let attempt = 1; attempt <= 3 && tier === null; attempt++) {
      const first = await tierReport();
      const loads = await page.$eval('body', (b) => Number(b.dataset.loads));
      await page.click('#window-form button[type="submit"]');
      await page.waitForFunction((n) => Number(document.body.dataset.loads) > n, loads);
      const last = await tierReport();
      if (isDeepStrictEqual(first, last)) tier = last;
    }
    assert.ok(tier, 'the report kept changing while the page loaded');
    assert.equal(await page.$eval('body', (b) => b.dataset.state), 'ready');
    assert.equal(new URL(page.url()).search, `?from=${from}&to=${to}`);
    assert.deepEqual(await page.$eval('#tier-table', (box) => ({ from: box.dataset.from, to: box.dataset.to })), chosen);
    assertGroups(await readRows(page, '#tier-table tbody[data-key]'), tier.groups, 'tier, second window');
  });

  assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');
  await context.close();
});

test('a technician\'s token gets the API\'s 403 as a clear message', async () => {
  const { context, page } = await dashboardContext('technician');
  const refused = await apiText('technician', '/api/v1/reports/sla');
  assert.equal(refused.status, 403);
  await page.goto(`${server.base}/dashboard/`);
  await page.waitForSelector('body[data-state="forbidden"]');
  const banner = page.locator('#forbidden');
  assert.ok(await banner.isVisible());
  assert.equal(await banner.getAttribute('data-status'), '403');
  assert.ok((await banner.textContent()).includes(JSON.parse(refused.text).error.message));
  assert.equal(await page.locator('#dashboard-content').isVisible(), false);
  await context.close();
});
