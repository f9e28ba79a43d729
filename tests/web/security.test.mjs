// What the web apps must never do: run markup that came from the server's data, or show a page
// to someone without a token. Markup in a job's description must show as text (in the queue, in
// the job's details, whether it came with the first load or through the feed), and /console/
// (and /dashboard/, /tech/ where they exist) must send a browser without a token to /login/,
// which sends it back after a pasted token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launch, loggedIn } from './harness.mjs';

const MARKUP = '<img src=x onerror=alert(1)>';

const server = new Server();
let browser;

before(async () => {
  await server.start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server.cleanup();
});

async function shanghaiSite() {
  const centers = await server.api('dispatcher', '/api/v1/centers');
  const centerId = Math.min(...centers.items.map((c) => c.id));
  return (await server.api('dispatcher', `/api/v1/sites?center_id=${centerId}&limit=5`)).items[2];
}

function createJob(siteId, description) {
  // Not dispatched, so it stays in the queue however the engine would have chosen.
  return server.api('dispatcher', '/api/v1/jobs', {
    method: 'POST',
    body: { site_id: siteId, kind: 'repair', severity: 'serious', description, auto_assign: false },
  });
}

test('a job description with markup shows as text, never as an element', async () => {
  const site = await shanghaiSite();
  const loaded = await createJob(site.id, MARKUP);

  const context = await loggedIn(browser, server, 'dispatcher');
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));
  });
  const page = await context.newPage();
  const dialogs = [];
  const errors = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const response = await page.goto(`${server.base}/console/`);
  const csp = response.headers()['content-security-policy'];
  await page.waitForSelector('body[data-ready]', { timeout: 20000 });

  // One job from the first load, one through the feed after it.
  await page.waitForSelector('#feed-status.feed-live', { timeout: 10000 });
  const live = await createJob(site.id, `${MARKUP} (live)`);
  for (const job of [loaded, live]) {
    const row = await page.waitForSelector(`#queue [data-job-id="${job.id}"]`, { timeout: 15000 });
    assert.ok((await row.textContent()).includes(job.description), 'the queue shows the markup as text');
    await row.click();
    await page.waitForSelector(`#detail h2:has-text("#${job.id}")`);
    const description = page.locator('#detail .description');
    assert.equal(await description.textContent(), job.description);
    assert.ok(await description.isVisible(), 'the text is visible');
    assert.equal(await page.locator(`#queue [data-job-id="${job.id}"] img, #detail img`).count(), 0);
  }

  // No element anywhere was made from the description, and nothing ran.
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img[onerror], [onerror]').length), 0);
  assert.deepEqual(dialogs, [], 'no dialog fired');
  assert.deepEqual(errors, []);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), [], 'the console runs under the CSP');
  if (csp) assert.match(csp, /script-src 'self'/);
  await context.close();
});

async function appExists(path) {
  const response = await fetch(`${server.base}${path}`);
  // Read to the end: an unread body keeps the connection, and the server's shutdown waits for it.
  await response.arrayBuffer();
  return response.ok && (response.headers.get('content-type') || '').includes('text/html');
}

test('without a token the apps redirect to /login/, and a pasted token goes back', async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const apps = ['/console/'];
  for (const path of ['/dashboard/', '/tech/']) {
    if (await appExists(path)) apps.push(path);
    else t.diagnostic(`${path} is not there yet: not checked`);
  }
  for (const path of apps) {
    await page.goto(`${server.base}${path}`);
    await page.waitForURL((url) => url.pathname === '/login/', { timeout: 10000 });
    const next = new URL(page.url()).searchParams.get('next');
    assert.equal(next, path, `${path} names itself as the way back`);
  }

  await page.goto(`${server.base}/console/`);
  await page.waitForURL((url) => url.pathname === '/login/', { timeout: 10000 });
  await page.fill('#token', server.tokens.dispatcher);
  await page.click('#login-form button[type="submit"]');
  await page.waitForURL((url) => url.pathname === '/console/', { timeout: 10000 });
  await page.waitForSelector('body[data-ready]', { timeout: 20000 });
  assert.equal(await page.evaluate(() => localStorage.getItem('fieldserve.token')), server.tokens.dispatcher);
  await context.close();
});
