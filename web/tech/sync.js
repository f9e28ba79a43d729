// Push, then pull (docs/sync-protocol.md): the outbox goes first, oldest op first, and the pull
// that follows brings back the server's view of the jobs with the technician's own changes in it.
// Runs on start, after each action, on the browser's `online` event and on a timer; a failed
// attempt is retried with backoff. Unanswered ops are resent as the exact text stored when they
// were recorded, so a push whose answer was lost comes back `duplicate`, never applied twice.
import { api, ApiError, token, clearToken, loginUrl } from '/shared/api.js';
import { database, getMeta, setMeta, announceChange } from './db.js';
import { unansweredOps, noteSent, storeAnswers, PENDING } from './outbox.js';
import { withPendingOps } from './local.js';

const PUSH_MAX_OPS = 500;
// The server takes 8 MiB; the margin covers the envelope and a miscount of multi-byte text.
const PUSH_MAX_BYTES = 7 * 1024 * 1024;
const PULL_LIMIT = 200;
const PULL_MAX_PAGES = 1000;
const REQUEST_TIMEOUT_MS = 30_000;
const PERIODIC_MS = 60_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 5 * 60_000;

export const status = {
  running: false,
  completed: 0,            // successful push+pull rounds since the page loaded
  lastSuccessAt: null,
  lastError: null,
  retryAt: null,
  sending: new Set(),      // op_ids of the push in flight
};
export const statusChanges = new EventTarget();

function announce() {
  statusChanges.dispatchEvent(new Event('change'));
}

class RetryLater extends Error {
  constructor(message, retryAfterMs) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

function retryAfterMs(response) {
  const seconds = Number(response.headers.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

async function fetchWithTimeout(path, options) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    return await fetch(path, { ...options, signal: controller.signal, cache: 'no-store' });
  } catch (e) {
    throw new RetryLater(navigator.onLine ? 'the server cannot be reached' : 'offline', null);
  } finally {
    clearTimeout(timer);
  }
}

// The body is assembled from the stored op texts rather than re-serialized objects: a resend is
// byte for byte the op first sent (sync-protocol "Retry advice" 1).
async function pushBatch(records) {
  const body = `{"client_time":${JSON.stringify(new Date().toISOString())},"ops":[${records.map((r) => r.body).join(',')}]}`;
  const response = await fetchWithTimeout('/api/v1/sync/push', {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: `Bearer ${token()}` },
    body,
  });
  const type = response.headers.get('Content-Type') || '';
  const payload = type.includes('application/json') ? await response.json().catch(() => null) : null;
  if (response.ok) return payload?.results || [];
  const error = payload?.error || {};
  if (response.status === 401) {
    clearToken();
    location.replace(loginUrl());
  }
  if (response.status === 429 || response.status === 503 || response.status >= 500) {
    throw new RetryLater(error.message || `the server answered ${response.status}`, retryAfterMs(response));
  }
  throw new ApiError(response.status, error.code, error.message, error.details);
}

function batches(records, maxOps) {
  const encoder = new TextEncoder();
  const out = [];
  let current = [];
  let bytes = 0;
  for (const record of records) {
    const size = encoder.encode(record.body).length + 1;
    if (current.length && (current.length >= maxOps || bytes + size > PUSH_MAX_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

async function pushOutbox() {
  let maxOps = PUSH_MAX_OPS;
  for (let round = 0; round < 100; round += 1) {
    const pending = await unansweredOps();
    if (!pending.length) return;
    const [batch] = batches(pending, maxOps);
    for (const record of batch) status.sending.add(record.op_id);
    announce();
    try {
      await noteSent(batch);
      const results = await pushBatch(batch);
      await storeAnswers(batch, results);
    } catch (e) {
      // Too large after all (a multi-byte miscount): split until one op per push.
      if (e instanceof ApiError && e.status === 413 && batch.length > 1) {
        maxOps = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      throw e;
    } finally {
      for (const record of batch) status.sending.delete(record.op_id);
      announce();
    }
  }
}

// One page in one transaction: a reset empties the job cache (never the outbox), each job is
// replaced whole with the still-unanswered ops replayed on it, removals go, the cursor is kept.
async function applyPage(page, replaceCache) {
  const db = await database();
  const tx = db.transaction(['jobs', 'meta', 'outbox'], 'readwrite');
  const pending = (await tx.objectStore('outbox').getAll()).filter((r) => r.state === PENDING);
  const jobs = tx.objectStore('jobs');
  if (page.reset || replaceCache) await jobs.clear();
  for (const job of page.jobs?.upserted || []) await jobs.put(withPendingOps(job, pending));
  for (const gone of page.jobs?.removed || []) await jobs.delete(gone.id);
  await tx.objectStore('meta').put(page.cursor, 'cursor');
  await tx.objectStore('meta').put(page.server_time, 'server_time');
  await tx.done;
}

async function pullAll() {
  let cursor = await getMeta('cursor');
  // Without a cursor the answer is a snapshot, which is the whole list: it replaces the cache.
  let replaceCache = !cursor;
  for (let pageCount = 0; pageCount < PULL_MAX_PAGES; pageCount += 1) {
    const query = new URLSearchParams({ limit: String(PULL_LIMIT) });
    if (cursor) query.set('cursor', cursor);
    let page;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      page = await api(`/api/v1/sync/pull?${query}`, { signal: controller.signal });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_cursor' && cursor) {
        // Start over once with a snapshot, as the reference client does (docs/decisions.md).
        cursor = null;
        replaceCache = true;
        pageCount -= 1;
        continue;
      }
      if (e instanceof TypeError || e.name === 'AbortError') {
        throw new RetryLater(navigator.onLine ? 'the server cannot be reached' : 'offline', null);
      }
      if (e instanceof ApiError && (e.status === 429 || e.status >= 500)) throw new RetryLater(e.message, null);
      throw e;
    } finally {
      clearTimeout(timer);
    }
    await applyPage(page, replaceCache);
    announceChange({ jobs: true });
    replaceCache = false;
    cursor = page.cursor;
    if (!page.has_more) return;
  }
}

// Several tabs of the app share one outbox: a Web Lock keeps them from pushing it at once.
function exclusively(work) {
  if (navigator.locks?.request) return navigator.locks.request('fieldserve-tech-sync', work);
  return work();
}

let running = null;
let again = false;
let failures = 0;
let retryTimer = null;

function scheduleRetry(hintMs) {
  clearTimeout(retryTimer);
  const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(failures, 20));
  // Jitter spreads the retries of many tablets that lost the server together.
  const delay = Math.max(hintMs ?? 0, backoff * (0.5 + Math.random() * 0.5));
  failures += 1;
  status.retryAt = Date.now() + delay;
  retryTimer = setTimeout(() => requestSync(), delay);
}

// A push the server refuses whole (not a lost connection) must not also keep the job list
// stale: the pull still runs, and the push's error is reported after it.
async function syncOnce() {
  let pushError = null;
  try {
    await pushOutbox();
  } catch (e) {
    if (e instanceof RetryLater) throw e;
    pushError = e;
  }
  await pullAll();
  if (pushError) throw pushError;
}

// Starts a sync, or asks the running one to go round again (an op recorded meanwhile).
export function requestSync() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    status.running = true;
    announce();
    try {
      do {
        again = false;
        try {
          await exclusively(syncOnce);
          failures = 0;
          clearTimeout(retryTimer);
          status.retryAt = null;
          status.lastError = null;
          status.lastSuccessAt = new Date().toISOString();
          status.completed += 1;
          await setMeta('last_sync_at', status.lastSuccessAt);
        } catch (e) {
          status.lastError = e.message || String(e);
          scheduleRetry(e instanceof RetryLater ? e.retryAfterMs : null);
          again = false;
        }
      } while (again);
    } finally {
      status.running = false;
      running = null;
      announce();
    }
  })();
  return running;
}

export function startSyncLoop() {
  window.addEventListener('online', () => {
    failures = 0;
    requestSync();
  });
  window.addEventListener('offline', announce);
  // The timer never cuts a backoff short: a 429 or 503 asked for a pause (Retry-After).
  setInterval(() => {
    if (navigator.onLine && !running && !(status.retryAt > Date.now())) requestSync();
  }, PERIODIC_MS);
  getMeta('last_sync_at').then((at) => {
    if (at && !status.lastSuccessAt) {
      status.lastSuccessAt = at;
      announce();
    }
  });
  requestSync();
}
