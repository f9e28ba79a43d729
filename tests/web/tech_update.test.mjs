// The technician app's promise across an app update: an update never drops the outbox.
// Tablets stay installed for months and get every new version of the app while ops may still be
// waiting to be sent; a service worker whose activation cleaned up too much (IndexedDB rather
// than only the older shell caches) would silently lose a technician's work. So: a note is
// recorded offline, a new version of the app is published while the tablet is away, and when the
// tablet comes back it picks the update up the way a user would (reload, the app's update banner,
// reload). The new version must be the one running, with the old shell cache gone, the note
// still owed in its outbox, and after sync exactly one copy of the note on the server.
//
// The app is served from a copy of web/, so publishing the update never touches the repository.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshInstallation, waitForSyncAfter } from './tech_fixture.mjs';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const copyDir = mkdtempSync(join(tmpdir(), 'fieldserve-tech-update-'));
const webCopy = join(copyDir, 'web');
cpSync(resolve(here, '..', '..', 'web'), webCopy, { recursive: true });
// The harness reads FIELDSERVE_WEB when it is imported, hence the dynamic import after this.
process.env.FIELDSERVE_WEB = webCopy;
const { Server, launch, loggedIn } = await import('./harness.mjs');

const server = new Server();
let browser;

after(async () => {
  await browser?.close();
  await server.cleanup();
  rmSync(copyDir, { recursive: true, force: true });
});

const NOTE = 'Compressor contactor replaced; unit restarted and holding setpoint (update test).';
const MARKER = 'update-test';

// A new version of the app as a deployment would ship it: a changed shell file and, as
// docs/web.md requires for that, CACHE_VERSION raised. Returns the old and new cache names.
function publishUpdate() {
  const swPath = join(webCopy, 'tech', 'sw.js');
  const sw = readFileSync(swPath, 'utf8');
  const prefix = sw.match(/const CACHE_PREFIX = '([^']+)';/)?.[1];
  const version = sw.match(/const CACHE_VERSION = (\d+);/)?.[1];
  assert.ok(prefix && version, 'sw.js still declares CACHE_PREFIX and a numeric CACHE_VERSION');
  const next = `${Number(version) + 1}-test`;
  writeFileSync(swPath, sw.replace(/const CACHE_VERSION = \d+;/, `const CACHE_VERSION = '${next}';`));
  const htmlPath = join(webCopy, 'tech', 'index.html');
  const html = readFileSync(htmlPath, 'utf8');
  assert.match(html, /<html lang="en">/);
  writeFileSync(htmlPath, html.replace('<html lang="en">', `<html lang="en" data-shell="${MARKER}">`));
  return { oldCache: `${prefix}v${version}`, newCache: `${prefix}v${next}` };
}


const outboxRows = (page) => page.locator('.op').evaluateAll((ops) =>
  ops.map((op) => ({ opId: op.dataset.opId, state: op.dataset.state, type: op.dataset.type })));

test('an app update keeps the outbox, and its op reaches the server once', { timeout: 180_000 }, async () => {
  await server.start();

  const { jobId } = await freshInstallation(server, 'Replace the compressor contactor');

  browser = await launch();
  const context = await loggedIn(browser, server, 'technician', { viewport: { width: 1024, height: 1366 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const pushedOpIds = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/v1/sync/push')) {
      for (const op of request.postDataJSON().ops) pushedOpIds.push(op.op_id);
    }
  });

  // Version 1 online: the list synced, the worker in control (its cache is complete by then:
  // it claims pages only after its install filled the cache).
  await page.goto(`${server.base}/tech/`);
  await page.waitForSelector(`.job-card[data-job-id="${jobId}"]`, { timeout: 20_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await waitForSyncAfter(page, 0);

  // Away from the network, the note goes to the outbox and nowhere else.
  await server.stop();
  await context.setOffline(true);
  await page.click(`.job-card[data-job-id="${jobId}"] .job-link`);
  await page.fill('#note-text', NOTE);
  await page.click('#add-note');
  await page.waitForFunction((text) => [...document.querySelectorAll('.note-text')].some((n) => n.textContent === text),
    NOTE, { timeout: 10_000 });
  await page.click('#outbox-tab');
  await page.waitForFunction(() => document.body.dataset.pendingOps === '1'
    && document.querySelectorAll('.op[data-state="pending"]').length === 1, null, { timeout: 10_000 });
  const [recorded] = await outboxRows(page);
  assert.equal(recorded.type, 'note');
  const oldVersion = await page.evaluate(async () => ({
    marker: document.documentElement.dataset.shell ?? null, caches: await caches.keys(),
  }));

  // The update is published while the tablet is away; the server comes back on the same
  // database, serving the new files.
  const { oldCache, newCache } = publishUpdate();
  assert.deepEqual(oldVersion, { marker: null, caches: [oldCache] });
  await server.start();

  // Pushes are refused until the new version runs: without that, the sync that coming online
  // starts could send the note before the update lands, and the test would not show that an
  // op still owed survives the update.
  let holdPushes = true;
  await context.route('**/api/v1/sync/push', (route) => (holdPushes ? route.abort('connectionrefused') : route.fallback()));
  await context.setOffline(false);

  // The user reloads; the old worker answers with the old shell and the browser finds the new
  // sw.js. It installs, takes over at once, and the page offers a reload (update-banner).
  await page.reload();
  await page.waitForSelector('#update-banner', { state: 'visible', timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.shell ?? null), null,
    'the page showing the banner still runs the old shell');
  await page.click('#update-reload');
  await page.waitForSelector(`html[data-shell="${MARKER}"]`, { state: 'attached', timeout: 30_000 });
  await page.waitForSelector('#view h1', { timeout: 10_000 });
  const newVersion = await page.evaluate(async () => ({
    caches: await caches.keys(), controlled: navigator.serviceWorker.controller !== null,
  }));
  assert.deepEqual(newVersion, { caches: [newCache], controlled: true }, 'only the new shell cache is left');

  // The new version still owes the note: same op, same id, not sent yet.
  await page.waitForFunction(() => document.body.dataset.pendingOps !== undefined
    && document.getElementById('outbox-summary')?.textContent, null, { timeout: 10_000 });
  const afterUpdate = await outboxRows(page);
  assert.deepEqual(afterUpdate.map((r) => r.opId), [recorded.opId], 'the op recorded before the update is in the outbox');
  assert.ok(['pending', 'sending'].includes(afterUpdate[0].state), `state after the update: ${afterUpdate[0].state}`);
  assert.equal(await page.getAttribute('body', 'data-pending-ops'), '1');

  // The API reachable again: the new version sends the op it inherited.
  holdPushes = false;
  const completedBefore = Number(await page.getAttribute('body', 'data-syncs-completed'));
  await page.click('#sync-now');
  await waitForSyncAfter(page, completedBefore);
  await page.waitForSelector(`.op[data-op-id="${recorded.opId}"][data-state="applied"]`, { timeout: 30_000 });
  assert.equal(await page.getAttribute('body', 'data-pending-ops'), '0');

  const notesOnServer = async () => (await server.api('dispatcher', `/api/v1/jobs/${jobId}/facts`))
    .notes.filter((n) => n.text === NOTE).length;
  assert.equal(await notesOnServer(), 1, 'the server holds the note exactly once');

  // A second sync sends nothing: the op is answered, and stays answered.
  const completedAfterFirst = Number(await page.getAttribute('body', 'data-syncs-completed'));
  const pushesBefore = pushedOpIds.length;
  await page.click('#sync-now');
  await waitForSyncAfter(page, completedAfterFirst);
  assert.equal(pushedOpIds.length, pushesBefore, 'the second sync pushed no op');
  assert.equal(await notesOnServer(), 1);
  assert.ok(pushedOpIds.every((id) => id === recorded.opId), 'every push carried the one recorded op, same id');

  assert.deepEqual(problems, []);
});
