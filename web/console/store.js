// The console's copy of what the server holds, kept current by the feed, and one bus on which
// the views hear that something changed. Documents are replaced whole (the feed sends current
// documents), never merged field by field.

export const OPEN_STATUSES = new Set(['new', 'assigned', 'accepted', 'en_route', 'on_site', 'on_hold']);

export const state = {
  jobs: new Map(),
  technicians: new Map(),
  sites: new Map(),
  centers: new Map(),
  customers: new Map(),
  selectedJobId: null,
  // A center id, or 'all'.
  centerId: 'all',
  filterText: '',
  unassignedOnly: false,
  me: null,
  // Move-up suggestions drawn on the map, or null: { centerId, moves } as the server gave them.
  moveUps: null,
};

const bus = new EventTarget();

export function on(type, handler) {
  bus.addEventListener(type, (event) => handler(event.detail));
}

export function emit(type, detail) {
  bus.dispatchEvent(new CustomEvent(type, { detail }));
}

// An answer to our own request and a feed page can cross: whichever carries the higher version
// is the newer document.
function newer(current, incoming) {
  return !current || typeof incoming.version !== 'number' || typeof current.version !== 'number'
    || incoming.version >= current.version;
}

export function upsertJobs(jobs) {
  const changed = [];
  for (const job of jobs) {
    if (!newer(state.jobs.get(job.id), job)) continue;
    state.jobs.set(job.id, job);
    changed.push(job.id);
  }
  if (changed.length) emit('jobs', changed);
  return changed;
}

export function upsertTechnicians(technicians) {
  const changed = [];
  for (const technician of technicians) {
    if (!newer(state.technicians.get(technician.id), technician)) continue;
    state.technicians.set(technician.id, technician);
    changed.push(technician.id);
  }
  if (changed.length) emit('technicians', changed);
  return changed;
}

// A whole new picture (first load, a feed reset, a refresh without a feed).
export function replaceAll({ centers, sites, technicians, jobs }) {
  state.centers = new Map(centers.map((c) => [c.id, c]));
  state.sites = new Map(sites.map((s) => [s.id, s]));
  state.technicians = new Map(technicians.map((t) => [t.id, t]));
  state.jobs = new Map(jobs.map((j) => [j.id, j]));
  emit('reset');
}

export function isOpen(job) {
  return OPEN_STATUSES.has(job.status);
}

// How many open jobs a technician holds now (their load against max_open_jobs).
export function openJobCount(technicianId) {
  let count = 0;
  for (const job of state.jobs.values()) if (job.technician_id === technicianId && isOpen(job)) count += 1;
  return count;
}

export function centerOfJob(job) {
  const site = state.sites.get(job.site_id);
  return site ? site.center_id : null;
}

export function inScope(centerId) {
  return state.centerId === 'all' || centerId === state.centerId;
}

export function openJobsInScope() {
  const result = [];
  for (const job of state.jobs.values()) {
    if (isOpen(job) && inScope(centerOfJob(job))) result.push(job);
  }
  return result;
}

function matches(job, text) {
  if (!text) return true;
  const site = state.sites.get(job.site_id);
  const haystack = [`#${job.id}`, job.severity, job.kind, job.status, job.description, job.fault,
    site && site.address, technicianName(job.technician_id), ...(job.required_skills || [])]
    .filter(Boolean).join(' ').toLowerCase();
  return text.split(/\s+/).every((word) => haystack.includes(word));
}

// What the queue lists and the map marks: the open jobs in scope that pass the filter.
export function filteredOpenJobs() {
  const text = state.filterText.trim().toLowerCase();
  return openJobsInScope().filter((job) => (!state.unassignedOnly || job.technician_id === null) && matches(job, text));
}

export function techniciansInScope() {
  return [...state.technicians.values()].filter((t) => inScope(t.home_center_id));
}

export function timeZoneOfJob(job) {
  const center = state.centers.get(centerOfJob(job));
  return center ? center.time_zone : undefined;
}

export function technicianName(id) {
  if (id === null || id === undefined) return '';
  const technician = state.technicians.get(id);
  return technician ? technician.name : `technician ${id}`;
}

export function selectJob(id) {
  if (state.selectedJobId === id) return;
  state.selectedJobId = id;
  emit('select', id);
}

// Draws (or, with null, takes off) the move-up suggestions on the map.
export function showMoveUps(moveUps) {
  state.moveUps = moveUps;
  emit('moveups', moveUps);
}
