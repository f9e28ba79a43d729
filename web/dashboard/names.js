// Names for the ids the reports carry (technician_id, center_id). The reports give ids only, and
// a breach names technicians who may have finished nothing in the window, so the names come from
// the technician and center lists. A name is a convenience: when a list cannot be read, ids
// stand in and the figures are unaffected.
import { api } from '/shared/api.js';

async function everyPage(path, signal) {
  const items = [];
  let cursor = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${separator}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { signal });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export class Directory {
  constructor() {
    this.technicians = new Map();
    this.centers = new Map();
  }

  async load(signal) {
    const [technicians, centers] = await Promise.allSettled([
      everyPage('/api/v1/technicians', signal),
      everyPage('/api/v1/centers', signal),
    ]);
    if (technicians.status === 'fulfilled') {
      for (const t of technicians.value) this.technicians.set(t.id, t.name);
    }
    if (centers.status === 'fulfilled') {
      for (const c of centers.value) this.centers.set(c.id, c.name);
    }
  }

  technician(id) {
    if (id === null || id === undefined) return 'nobody';
    return this.technicians.get(id) || `technician #${id}`;
  }

  center(id) {
    if (id === null || id === undefined) return '';
    return this.centers.get(id) || `center #${id}`;
  }
}
