// What every browser test needs: a real fieldserve server on 127.0.0.1 over a database made from
// sample_data/ (as ./scripts/run makes it), a token per role, and Debian's Chromium driven by
// playwright-core. The test runs the binary named by FIELDSERVE_BIN (ctest passes the one it
// built) and serves the web apps from FIELDSERVE_WEB (the repository's web/).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '..', '..');
export const bin = process.env.FIELDSERVE_BIN || join(repo, 'build/dev/server/fieldserve');
export const webDir = process.env.FIELDSERVE_WEB || join(repo, 'web');
export const screenshots = process.env.FIELDSERVE_SCREENSHOTS || join(repo, 'docs/screenshots');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  throw new Error(`the browser tests need Node >= 20 (this is ${process.version}); ` +
    'do not install Debian\'s nodejs package, use the machine\'s Node');
}
if (!existsSync(chromiumPath)) {
  throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (./scripts/test does)`);
}

function run(...args) {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A database from sample_data/ with a token per role, and a server on it that can be stopped
// and started again on the same file (the offline test needs both).
export class Server {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'fieldserve-web-'));
    this.db = join(this.dir, 'fieldserve.db');
    this.tokens = { admin: run('init', '--db', this.db) };
    run('import', '--db', this.db, join(repo, 'sample_data'));
    this.tokens.dispatcher = run('token', 'create', '--db', this.db, '--role', 'dispatcher', '--name', 'web-dispatcher');
    this.tokens.manager = run('token', 'create', '--db', this.db, '--role', 'manager', '--name', 'web-manager');
    this.tokens.technician = run('token', 'create', '--db', this.db, '--role', 'technician', '--name', 'web-tablet',
      '--technician', '1');
    this.port = 0;
    this.process = null;
  }

  // Serves on the port it had before when restarted, so a page loaded earlier finds it again.
  async start() {
    const portFile = join(this.dir, `port-${Date.now()}`);
    const args = ['serve', '--db', this.db, '--bind', '127.0.0.1', '--port', String(this.port), '--port-file', portFile,
      '--web', webDir, '--rate', '1000', '--burst', '1000'];
    this.log = [];
    this.process = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process.stderr.on('data', (chunk) => this.log.push(String(chunk)));
    const exited = new Promise((_, reject) => this.process.once('exit', (code) =>
      reject(new Error(`fieldserve serve exited (${code}): ${this.log.join('')}`))));
    for (let i = 0; i < 200; i++) {
      if (existsSync(portFile) && readFileSync(portFile, 'utf8').trim()) break;
      await Promise.race([sleep(50), exited]);
    }
    this.port = Number(readFileSync(portFile, 'utf8').trim());
    this.base = `http://127.0.0.1:${this.port}`;
    this.process.removeAllListeners('exit');
    return this;
  }

  async stop() {
    if (!this.process) return;
    const p = this.process;
    this.process = null;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await done;
  }

  async cleanup() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  // The API as curl would call it, with a role's token.
  async api(role, path, { method = 'GET', body } = {}) {
    const response = await fetch(this.base + path, {
      method,
      headers: { Authorization: `Bearer ${this.tokens[role]}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return json;
  }
}

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Without these Chromium keeps trying to reach Google's hosts, which this network refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A browser context whose storage already holds `token`, as if the user had logged in.
export async function loggedIn(browser, server, role, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  await context.addInitScript(([key, value]) => {
    if (!localStorage.getItem(key)) localStorage.setItem(key, value);
  }, ['fieldserve.token', server.tokens[role]]);
  return context;
}

export async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`) });
}

// Figures the tests measure (first paint, live update delay...), printed for docs/benchmarks.md.
export function report(name, value, unit) {
  console.log(`# figure ${name}: ${value} ${unit}`);
}
