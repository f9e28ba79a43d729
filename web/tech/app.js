// The technician app's entry: the job list comes from IndexedDB first, so the screen fills
// without the network; the sync loop then brings the server's changes and sends the outbox.
import { requireToken, el, localTime } from '/shared/api.js';
import { bindToToken, changes, allOps } from './db.js';
import { pruneOldAnswers, PENDING } from './outbox.js';
import { requestSync, startSyncLoop, status as syncStatus, statusChanges } from './sync.js';
import { jobsView } from './jobs_view.js';
import { jobView } from './job_view.js';
import { signoffView } from './signoff.js';
import { outboxView } from './outbox_view.js';

const token = await requireToken();
const main = document.getElementById('view');
const connection = document.getElementById('connection');
const outboxCount = document.getElementById('outbox-count');
const syncButton = document.getElementById('sync-now');
const updateBanner = document.getElementById('update-banner');

let current = null;
let firstListShown = false;

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  let match = hash.match(/^jobs\/(\d+)\/signoff$/);
  if (match) return { name: 'signoff', jobId: Number(match[1]) };
  match = hash.match(/^jobs\/(\d+)$/);
  if (match) return { name: 'job', jobId: Number(match[1]) };
  if (hash === 'outbox') return { name: 'outbox' };
  return { name: 'jobs' };
}

function afterAction() {
  requestSync();
}

async function show() {
  current?.dispose?.();
  const where = route();
  if (where.name === 'job') current = jobView(main, where.jobId, { onAction: afterAction });
  else if (where.name === 'signoff') {
    current = signoffView(main, where.jobId, {
      onAction: afterAction,
      onDone: () => location.replace(`#/jobs/${where.jobId}`),
    });
  } else if (where.name === 'outbox') current = outboxView(main);
  else current = jobsView(main);
  document.title = `${current.title} · fieldserve technician`;
  for (const link of document.querySelectorAll('.tabs a')) {
    link.setAttribute('aria-current', link.dataset.view === where.name ? 'page' : 'false');
  }
  await current.refresh();
  // How long the shell and the cached list take to be on screen, read by the browser test and
  // by anyone looking at the Performance panel on a slow tablet.
  if (where.name === 'jobs' && !firstListShown) {
    firstListShown = true;
    performance.mark('tech:job-list-shown');
    document.body.dataset.jobListShown = 'true';
  }
}

async function updateHeader() {
  const ops = await allOps();
  const waiting = ops.filter((r) => r.state === PENDING).length;
  outboxCount.textContent = waiting ? String(waiting) : '';
  outboxCount.hidden = !waiting;
  let text;
  if (syncStatus.running) text = 'Syncing…';
  else if (!navigator.onLine) text = `Offline · ${waiting ? `${waiting} to send` : 'all sent'}`;
  else if (syncStatus.lastError) text = `Sync failed: ${syncStatus.lastError}${syncStatus.retryAt ? ` · retrying at ${new Date(syncStatus.retryAt).toLocaleTimeString()}` : ''}`;
  else if (syncStatus.lastSuccessAt) text = `Synced ${localTime(syncStatus.lastSuccessAt)}${waiting ? ` · ${waiting} to send` : ''}`;
  else text = 'Not synced yet';
  connection.textContent = text;
  connection.className = `connection ${navigator.onLine && !syncStatus.lastError ? 'is-online' : 'is-offline'}`;
  // State for tests and for styling; the visible text above says the same to people.
  Object.assign(document.body.dataset, {
    pendingOps: String(waiting),
    syncRunning: String(syncStatus.running),
    syncsCompleted: String(syncStatus.completed),
    online: String(navigator.onLine),
  });
}

let refreshQueued = false;
// Many changes land together (a pull page, then the answers): refresh once per frame.
function refreshSoon() {
  if (refreshQueued) return;
  refreshQueued = true;
  requestAnimationFrame(async () => {
    refreshQueued = false;
    await Promise.all([current?.refresh(), updateHeader()]);
  });
}

// Installs the service worker after the first paint, so it never competes with it. A new
// version takes over at once (its cache holds the whole shell); the page offers a reload.
function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  // The first worker taking over a page loaded from the network changes nothing visible; a
  // later one means new files are cached.
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (controlled) updateBanner.hidden = false;
    controlled = true;
  });
  navigator.serviceWorker.register('/tech/sw.js', { scope: '/tech/' }).catch((e) => {
    console.warn('service worker not registered: the app will not open offline', e);
  });
}

async function start() {
  await bindToToken(token);
  await pruneOldAnswers();
  syncButton.addEventListener('click', () => requestSync());
  document.getElementById('update-reload').addEventListener('click', () => location.reload());
  window.addEventListener('hashchange', () => { show(); updateHeader(); });
  window.addEventListener('online', updateHeader);
  window.addEventListener('offline', updateHeader);
  changes.addEventListener('change', refreshSoon);
  statusChanges.addEventListener('change', () => { updateHeader(); if (route().name === 'outbox') refreshSoon(); });
  await show();
  await updateHeader();
  registerServiceWorker();
  startSyncLoop();
  // Due times count down while the tablet sits idle.
  setInterval(refreshSoon, 60_000);
}

start().catch((e) => {
  main.replaceChildren(el('p', { class: 'error', role: 'alert' }, `The app could not start: ${e.message}`));
});
