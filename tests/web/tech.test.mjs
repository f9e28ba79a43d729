// The technician app offline: loaded online, reloaded with the server down and the browser
// offline, worked (status moves, a note, a customer sign-off), then synced when the server is
// back. The server must end up with each action exactly once, and a second sync sends nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshInstallation, waitForSyncAfter } from './tech_fixture.mjs';
import { Server, launch, loggedIn, screenshot, report } from './harness.mjs';

const server = new Server();
let browser;

// A clean stop (SIGTERM): the server closes idle keep-alive connections at once, so the
// browser's open connections do not hold it up.
const stopServer = () => server.stop();

after(async () => {
  await browser?.close();
  await stopServer();
  await server.cleanup();
});

const NOTE = 'Condensing unit mounted; refrigerant lines pressure-tested at 40 bar for 30 min, no drop.';
const SIGNER = 'Wu Rui';

// A signature: two strokes with intermediate mouse moves, as a finger would draw.
async function drawSignature(page, selector) {
  const box = await page.locator(selector).boundingBox();
  const strokes = [
    [[0.1, 0.7], [0.2, 0.3], [0.3, 0.75], [0.4, 0.35], [0.5, 0.7]],
    [[0.55, 0.5], [0.65, 0.4], [0.75, 0.6], [0.9, 0.45]],
  ];
  for (const stroke of strokes) {
    const [[x0, y0], ...rest] = stroke;
    await page.mouse.move(box.x + box.width * x0, box.y + box.height * y0);
    await page.mouse.down();
    for (const [x, y] of rest) await page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 8 });
    await page.mouse.up();
  }
}


test('the technician app works offline and sends each op exactly once', { timeout: 180_000 }, async () => {
  await server.start();

  // A fresh installation for technician 1, walked assigned -> accepted -> en_route -> on_site
  // and signed off.
  const { jobId, known: knownInstallation } = await freshInstallation(server, 'Install rooftop condensing unit and commission controls');

  browser = await launch();
  const siteLocation = knownInstallation.site.location;
  const context = await loggedIn(browser, server, 'technician', {
    viewport: { width: 1024, height: 1366 },
    geolocation: { latitude: siteLocation.lat, longitude: siteLocation.lon, accuracy: 15 },
    permissions: ['geolocation'],
  });
  const page = await context.newPage();

  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  // Every push the page attempts, and the answered ones with their results.
  const attemptedOpIds = [];
  const answeredPushes = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/v1/sync/push')) {
      for (const op of request.postDataJSON().ops) attemptedOpIds.push(op.op_id);
    }
  });
  page.on('requestfinished', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/v1/sync/push')) {
      answeredPushes.push(request.response().then(async (response) => ({
        status: response.status(), ops: request.postDataJSON().ops, body: await response.json(),
      })));
    }
  });

  // Online: the list from the server, the service worker installed and in control.
  await page.goto(`${server.base}/tech/`);
  await page.waitForSelector(`.job-card[data-job-id="${jobId}"]`, { timeout: 20_000 });
  const onlineShown = await page.evaluate(() => performance.getEntriesByName('tech:job-list-shown')[0]?.startTime);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await waitForSyncAfter(page, 0);

  // The server down and the browser offline (Playwright's offline mode alone would still let
  // the service worker's own fetches through).
  await stopServer();
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector(`.job-card[data-job-id="${jobId}"]`, { timeout: 10_000 });
  const offline = await page.evaluate(() => ({
    shown: performance.getEntriesByName('tech:job-list-shown')[0]?.startTime,
    fromWorker: navigator.serviceWorker.controller !== null,
    online: navigator.onLine,
    jobs: document.querySelectorAll('.job-card').length,
  }));
  assert.equal(offline.online, false);
  assert.ok(offline.fromWorker, 'the offline reload is served by the service worker');
  assert.ok(offline.jobs >= 4, 'the cached list holds the new job and technician 1\'s resolved installations');
  assert.ok(offline.shown > 0 && offline.shown < 10_000, `offline reload to job list took ${offline.shown} ms`);
  report('tech app: offline reload until the job list is on screen', offline.shown.toFixed(0), 'ms');
  if (onlineShown) report('tech app: first online load until the job list is on screen', onlineShown.toFixed(0), 'ms');

  // The job walked to on_site, one step after the other, while the server is down.
  await page.click(`.job-card[data-job-id="${jobId}"] .job-link`);
  for (const step of ['accepted', 'en_route', 'on_site']) {
    await page.click(`button[data-move="${step}"]`);
    await page.waitForSelector(`.job-live .badge.status-${step}`, { timeout: 10_000 });
  }
  await page.fill('#note-text', NOTE);
  await page.click('#add-note');
  await page.waitForFunction((text) => [...document.querySelectorAll('.note-text')].some((n) => n.textContent === text),
    NOTE, { timeout: 10_000 });

  // The installation sign-off: name, checklist, rating, a drawn signature, the tablet's position.
  await page.click('#open-signoff');
  await page.waitForSelector('#signature', { timeout: 10_000 });
  await page.waitForFunction(() => /Location: \d/.test(document.getElementById('signoff-location').textContent),
    null, { timeout: 10_000 });
  await page.fill('#signer-name', SIGNER);
  await page.fill('#signer-role', 'facility manager');
  for (const box of await page.locator('.checklist input[type=checkbox]').all()) await box.check();
  await page.selectOption('#signoff-rating', '5');
  await drawSignature(page, '#signature');
  await screenshot(page, 'tech');
  await page.click('#signoff-submit');
  await page.waitForSelector('.signoff-item', { timeout: 10_000 });
  assert.equal(page.url().endsWith(`#/jobs/${jobId}`), true);

  // Five ops wait in the outbox, none answered.
  await page.goto(`${server.base}/tech/#/outbox`);
  await page.waitForSelector('.op', { timeout: 10_000 });
  assert.equal(await page.locator('.op[data-state="pending"]').count(), 5);
  assert.equal(await page.getAttribute('body', 'data-pending-ops'), '5');
  const outboxOpIds = await page.locator('.op').evaluateAll((ops) => ops.map((op) => op.dataset.opId));
  for (const id of outboxOpIds) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  // The page tried to push while the server was down (after each action); those attempts are
  // what the resend below must repeat with the same op_ids.
  const attemptedWhileDown = [...attemptedOpIds];
  assert.ok(attemptedWhileDown.length > 0, 'the page tried to push while offline');

  // The server back on the same database, the browser online: the page syncs by itself.
  const completedBefore = Number(await page.getAttribute('body', 'data-syncs-completed'));
  await server.start();
  await context.setOffline(false);
  await waitForSyncAfter(page, completedBefore);
  await page.waitForFunction(() => document.body.dataset.pendingOps === '0', null, { timeout: 30_000 });

  async function serverSide() {
    const facts = await server.api('dispatcher', `/api/v1/jobs/${jobId}/facts`);
    const job = await server.api('dispatcher', `/api/v1/jobs/${jobId}`);
    return { facts, job };
  }
  const first = await serverSide();
  assert.equal(first.job.status, 'on_site', 'a sign-off before resolution leaves the job on site');
  assert.equal(first.facts.notes.length, 1);
  assert.equal(first.facts.notes[0].text, NOTE);
  assert.equal(first.facts.signoffs.length, 1);
  const signoff = first.facts.signoffs[0];
  assert.equal(signoff.signer_name, SIGNER);
  assert.equal(signoff.rating, 5);
  assert.equal(signoff.checklist.length, 4);
  assert.ok(signoff.checklist.every((item) => item.ok));
  assert.ok(signoff.location, 'the sign-off carries the tablet position');
  assert.ok(Math.abs(signoff.location.lat - siteLocation.lat) < 1e-4);
  const image = await fetch(`${server.base}/api/v1${signoff.signature_url.replace(/^\/api\/v1/, '')}`, {
    headers: { Authorization: `Bearer ${server.tokens.dispatcher}` },
  });
  assert.equal(image.status, 200);
  const png = new Uint8Array(await image.arrayBuffer());
  assert.deepEqual([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'the signature is a PNG');

  // A second sync, asked for from the UI, sends nothing again.
  await page.waitForSelector('.op[data-state="applied"]', { timeout: 10_000 });
  const completedAfterFirst = Number(await page.getAttribute('body', 'data-syncs-completed'));
  const attemptsBeforeSecond = attemptedOpIds.length;
  await page.click('#sync-now');
  await waitForSyncAfter(page, completedAfterFirst);
  assert.equal(attemptedOpIds.length, attemptsBeforeSecond, 'the second sync pushed no op');

  const second = await serverSide();
  assert.equal(second.facts.notes.length, 1);
  assert.equal(second.facts.signoffs.length, 1);
  assert.equal(second.job.status, 'on_site');

  const states = await page.locator('.op').evaluateAll((ops) => ops.map((op) => op.dataset.state));
  assert.equal(states.length, 5);
  assert.ok(states.every((s) => s === 'applied'), `outbox states: ${states}`);
  assert.equal(await page.getAttribute('body', 'data-pending-ops'), '0');

  // What went over the wire: each op answered once, `applied`; every attempt (the failed ones
  // while offline included) used the ids recorded in the outbox, so resends kept their op_id.
  const pushes = await Promise.all(answeredPushes);
  const answered = pushes.filter((p) => p.status === 200).flatMap((p) => p.body.results);
  assert.equal(answered.length, 5);
  assert.ok(answered.every((r) => r.status === 'applied'), JSON.stringify(answered));
  assert.deepEqual(new Set(answered.map((r) => r.op_id)), new Set(outboxOpIds));
  assert.ok(attemptedOpIds.every((id) => outboxOpIds.includes(id)), 'no op got a new id when resent');
  assert.ok(attemptedWhileDown.every((id) => answered.some((r) => r.op_id === id)));

  assert.deepEqual(problems, []);
});
