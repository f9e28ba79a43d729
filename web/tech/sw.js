// The technician app's service worker: the app shell from a versioned cache, so the app opens
// with the server unreachable. It caches only the shell, never an API answer: the job list and
// the outbox live in IndexedDB, which this worker never opens, so no update can drop an op.
//
// Bump CACHE_VERSION whenever a file of SHELL changes: the browser sees a new sw.js, installs
// it beside the old one, and the old cache is deleted only once the new one is complete.
const CACHE_PREFIX = 'fieldserve-tech-';
const CACHE_VERSION = 2;
const CACHE_NAME = `${CACHE_PREFIX}v${CACHE_VERSION}`;

const SHELL = [
  '/tech/',
  '/tech/app.js',
  '/tech/db.js',
  '/tech/format.js',
  '/tech/job_view.js',
  '/tech/jobs_view.js',
  '/tech/local.js',
  '/tech/outbox.js',
  '/tech/outbox_view.js',
  '/tech/signoff.js',
  '/tech/sync.js',
  '/tech/uuid.js',
  '/tech/tech.css',
  '/tech/manifest.webmanifest',
  '/tech/icon.svg',
  '/tech/icon-192.png',
  '/tech/icon-512.png',
  '/shared/api.js',
  '/shared/base.css',
  '/vendor/idb/index.js',
  '/vendor/signature_pad/signature_pad.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE_NAME);
    // `reload` skips the HTTP cache: the shell stored is what the server has now, all of it
    // from one version. addAll fails the install if any file is missing, leaving the old
    // version in charge rather than a half-filled cache.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    // Only this app's older shells: other apps on the origin may keep caches of their own.
    await Promise.all(names
      .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // The API always goes to the network: answers are not cached here (the list is in IndexedDB).
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;

  if (request.mode === 'navigate' && url.pathname.startsWith('/tech/')) {
    // Every page of the app is the one shell; the view is chosen by the hash.
    event.respondWith((async () => {
      const cached = await caches.match('/tech/', { cacheName: CACHE_NAME });
      return cached || fetch(request);
    })());
    return;
  }
  if (!SHELL.includes(url.pathname)) return;
  event.respondWith((async () => {
    const cached = await caches.match(url.pathname, { cacheName: CACHE_NAME });
    return cached || fetch(request);
  })());
});
