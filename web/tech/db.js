// The tablet's local state in IndexedDB: the job cache (replaced by pulls), the outbox (only the
// technician's actions and the server's answers: nothing but a discard or an old answer removes
// an op), and small settings such as the pull cursor. The service worker never opens this
// database, so an app update cannot lose an unsent op.
import { openDB } from '/vendor/idb/index.js';

const DB_NAME = 'fieldserve-tech';
const DB_VERSION = 1;

let opening = null;

export function database() {
  if (!opening) {
    opening = openDB(DB_NAME, DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('jobs', { keyPath: 'id' });
          // seq, not op_id, orders the outbox: it is the order the technician acted in, which is
          // the order the server must apply the ops.
          const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
          outbox.createIndex('op_id', 'op_id', { unique: true });
          outbox.createIndex('job_id', 'job_id');
          db.createObjectStore('meta');
        }
      },
      // Another tab holds an older version open: let it go so the newer code can upgrade.
      blocking() {
        opening?.then((db) => db.close());
        opening = null;
      },
    });
  }
  return opening;
}

// Listeners re-render when the local state changes (a recorded op, a pulled page, an answer).
export const changes = new EventTarget();

export function announceChange(what) {
  changes.dispatchEvent(new CustomEvent('change', { detail: what }));
}

export async function getMeta(key) {
  return (await database()).get('meta', key);
}

export async function setMeta(key, value) {
  return (await database()).put('meta', value, key);
}

export async function allJobs() {
  return (await database()).getAll('jobs');
}

export async function getJob(id) {
  return (await database()).get('jobs', Number(id));
}

export async function allOps() {
  return (await database()).getAll('outbox');
}

// A token names a technician. When the tablet is enrolled again with another token, the cached
// jobs and cursor may belong to someone else: drop them (never the outbox, which is still owed).
// The fingerprint only tells tokens apart; the token itself already sits in localStorage.
function fingerprintOf(token) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i += 1) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${token.length}:${hash.toString(16)}`;
}

export async function bindToToken(token) {
  const fingerprint = fingerprintOf(token);
  const db = await database();
  const tx = db.transaction(['jobs', 'meta'], 'readwrite');
  const known = await tx.objectStore('meta').get('token_fingerprint');
  if (known !== fingerprint) {
    if (known) {
      await tx.objectStore('jobs').clear();
      await tx.objectStore('meta').delete('cursor');
    }
    await tx.objectStore('meta').put(fingerprint, 'token_fingerprint');
  }
  await tx.done;
}
