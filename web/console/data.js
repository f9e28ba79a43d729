// Loading the lists the console starts from. Only open jobs are loaded (by status, in parallel):
// the closed history grows without bound and the console never shows it.
import { api, ApiError } from '/shared/api.js';
import { OPEN_STATUSES, state, emit } from './store.js';

const PAGE = 500;

export async function loadAll(path) {
  const items = [];
  let cursor = null;
  const joiner = path.includes('?') ? '&' : '?';
  do {
    const page = await api(`${path}${joiner}limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export async function loadOpenJobs() {
  const lists = await Promise.all([...OPEN_STATUSES].map((status) => loadAll(`/api/v1/jobs?status=${status}`)));
  return lists.flat();
}

// `afterCursor` resolves once the feed's cursor is taken. Jobs and technicians are in the feed,
// so they are read after it; centers and sites are not, so they need not wait.
export async function loadSnapshot(afterCursor) {
  const places = loadAll('/api/v1/centers').then(async (centers) => {
    // One request per center, in parallel: the site list is the largest answer, and the server
    // compresses each answer on one thread.
    const lists = await Promise.all(centers.map((c) => loadAll(`/api/v1/sites?center_id=${c.id}`)));
    return [centers, lists.flat()];
  });
  const moving = afterCursor.then(() => Promise.all([loadAll('/api/v1/technicians'), loadOpenJobs()]));
  const [[centers, sites], [technicians, jobs]] = await Promise.all([places, moving]);
  return { centers, sites, technicians, jobs };
}

// Who holds this token; null on a server that does not answer /me yet (the console then learns
// the role from what the API refuses).
export async function loadMe() {
  try {
    return await api('/api/v1/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

const pendingSites = new Map();

// A job created after the load may name a site created after it too.
export function ensureSite(id) {
  if (state.sites.has(id)) return Promise.resolve(state.sites.get(id));
  if (!pendingSites.has(id)) {
    pendingSites.set(id, api(`/api/v1/sites/${id}`).then((site) => {
      state.sites.set(site.id, site);
      emit('sites', [site.id]);
      return site;
    }).finally(() => pendingSites.delete(id)));
  }
  return pendingSites.get(id);
}

const pendingCustomers = new Map();

// Customers are fetched one by one, for the jobs a dispatcher opens: the list is as long as the
// customer base and the queue needs none of it.
export function ensureCustomer(id) {
  if (state.customers.has(id)) return Promise.resolve(state.customers.get(id));
  if (!pendingCustomers.has(id)) {
    pendingCustomers.set(id, api(`/api/v1/customers/${id}`).then((customer) => {
      state.customers.set(customer.id, customer);
      emit('customer', customer.id);
      return customer;
    }).finally(() => pendingCustomers.delete(id)));
  }
  return pendingCustomers.get(id);
}
