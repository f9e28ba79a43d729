// The technician app's shell is served cache-first by its service worker, so a changed shell file
// reaches installed tablets only if CACHE_VERSION in web/tech/sw.js changes too. This test keeps
// the two together: web/tech/shell-version.json records the version and a digest of every shell
// file; a file changed without a new version fails here, with what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const worker = readFileSync(join(web, 'tech', 'sw.js'), 'utf8');

function shell() {
  const list = worker.match(/const SHELL = \[([\s\S]*?)\];/);
  assert.ok(list, 'sw.js declares const SHELL = [...]');
  return [...list[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

function digest(paths) {
  const hash = createHash('sha256');
  for (const path of paths) {
    const file = path.endsWith('/') ? `${path}index.html` : path;
    hash.update(path).update('\0').update(readFileSync(join(web, file))).update('\0');
  }
  return hash.digest('hex');
}

test('every change to the shell comes with a new CACHE_VERSION', () => {
  const version = worker.match(/const CACHE_VERSION = ([^;]+);/)?.[1]?.trim();
  assert.ok(version, 'sw.js declares CACHE_VERSION');
  const recorded = JSON.parse(readFileSync(join(web, 'tech', 'shell-version.json'), 'utf8'));
  const now = digest(shell());
  if (now !== recorded.sha256) {
    assert.notEqual(version, recorded.cache_version,
      'a shell file changed: raise CACHE_VERSION in web/tech/sw.js, then write the new version ' +
      `and sha256 ${now} into web/tech/shell-version.json`);
    assert.fail(`CACHE_VERSION is new: record it and sha256 ${now} in web/tech/shell-version.json`);
  }
  assert.equal(version, recorded.cache_version,
    'CACHE_VERSION changed: record it in web/tech/shell-version.json');
});
