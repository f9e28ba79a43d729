// Live updates from the staff change feed (GET /api/v1/feed). The cursor is taken before the
// lists are loaded, so every change made while they load comes again in the first poll: an
// upsert by id and version makes the repeat harmless, and nothing is lost in between.
import { api, ApiError } from '/shared/api.js';

const POLL_MS = 1000;
const PAGE = 500;
// A server without the feed (an older build) is polled by reloading the lists, more slowly.
const FALLBACK_MS = 10000;
const MAX_BACKOFF_MS = 15000;

export class Feed {
  // onPage({jobs, technicians}) applies a page; reload() loads everything again (after a reset,
  // or as the fallback) and must call takeCursor() itself before loading; onStatus(kind, text).
  constructor({ onPage, reload, onStatus }) {
    this.onPage = onPage;
    this.reload = reload;
    this.onStatus = onStatus;
    this.cursor = null;
    this.supported = true;
    this.timer = null;
    this.failures = 0;
    this.stopped = false;
    this.lastChange = null;
  }

  async takeCursor() {
    try {
      const start = await api('/api/v1/feed');
      this.cursor = start.cursor;
      this.supported = true;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
      this.supported = false;
      this.cursor = null;
    }
  }

  start() {
    this.stopped = false;
    this.schedule(this.supported ? POLL_MS : FALLBACK_MS);
    this.report();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  schedule(ms) {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => this.tick(), ms);
  }

  async tick() {
    try {
      if (this.supported) await this.drain();
      else await this.reload();
      this.failures = 0;
      this.report();
    } catch (e) {
      this.failures += 1;
      const forbidden = e instanceof ApiError && e.status === 403;
      this.onStatus('error', forbidden ? `live updates refused: ${e.message}` : `live updates interrupted (${e.message}); retrying`);
      if (forbidden) return;
    }
    const base = this.supported ? POLL_MS : FALLBACK_MS;
    this.schedule(this.failures ? Math.min(base * 2 ** this.failures, MAX_BACKOFF_MS) : base);
  }

  // Fetches until the feed has nothing more; a reset (the cursor belongs to another database)
  // throws the whole picture away.
  async drain() {
    for (let pages = 0; pages < 50; pages++) {
      let page;
      try {
        page = await api(`/api/v1/feed?cursor=${encodeURIComponent(this.cursor)}&limit=${PAGE}`);
      } catch (e) {
        // A cursor the server cannot read at all (400) calls for the same cure as a foreign one.
        if (!(e instanceof ApiError && e.status === 400)) throw e;
        page = { reset: true };
      }
      if (page.reset) {
        await this.reload();
        return;
      }
      if (page.jobs.length || page.technicians.length) this.lastChange = new Date();
      this.onPage(page);
      this.cursor = page.cursor;
      if (!page.has_more) return;
    }
  }

  report() {
    if (!this.supported) {
      this.onStatus('fallback', 'no live feed on this server: refreshing every 10 s');
      return;
    }
    const last = this.lastChange ? ` · ${this.lastChange.toLocaleTimeString([], { hourCycle: 'h23' })}` : '';
    this.onStatus('live', `live${last}`);
  }
}
