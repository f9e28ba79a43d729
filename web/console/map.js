// The map: open jobs at their sites coloured by SLA state, technicians at their last position,
// service centers. Markers are kept by id and moved or recoloured in place, so a feed update
// does not rebuild the layer. Tooltips are DOM nodes built with el(), never HTML strings.
// The UMD build sets window.L when imported as a module (web/vendor/leaflet/SOURCE.md).
import '/vendor/leaflet/leaflet.js';
import { el } from '/shared/api.js';
import { addBasemap } from './basemap.js';
import { state, on, openJobCount, filteredOpenJobs, techniciansInScope, inScope, technicianName, timeZoneOfJob, selectJob }
  from './store.js';
import { highlight, nextDue } from './sla.js';
import { STATUS_LABEL, STATE_LABEL, clockText, untilText, oncePerFrame } from './format.js';

// Many store events in one frame draw once.
const scheduleRender = oncePerFrame(() => render());

const L = window.L;
const FILL = { on_track: '#1e7f3c', at_risk: '#e08a00', breached: '#c62828' };
const RADIUS = { critical: 10, serious: 8, general: 6.5, minor: 5.5 };

let map;
const jobMarkers = new Map();
const technicianMarkers = new Map();
const centerMarkers = new Map();
let jobLayer;
let technicianLayer;
let centerLayer;
let moveUpLayer;
// The technician whose candidate row is under the pointer.
let hovered = null;

export function createMap(container) {
  // Zoom 1 shows the whole world in a 512 px pane: "All centers" (Chicago to Shanghai) must fit.
  map = L.map(container, { zoomSnap: 0.25, minZoom: 1, worldCopyJump: true, keyboard: true });
  map.attributionControl.setPrefix(false);
  // Somewhere sensible until the data says where to look.
  map.setView([31.23, 121.47], 9);
  centerLayer = L.layerGroup().addTo(map);
  technicianLayer = L.layerGroup().addTo(map);
  jobLayer = L.featureGroup().addTo(map);
  moveUpLayer = L.featureGroup().addTo(map);

  on('reset', scheduleRender);
  on('jobs', scheduleRender);
  on('technicians', scheduleRender);
  on('sites', scheduleRender);
  on('select', () => { scheduleRender(); panToSelected(); });
  on('scope', () => { scheduleRender(); fitToScope(); });
  on('tick', scheduleRender);
  on('filter', scheduleRender);
  on('moveups', renderMoveUps);
  on('hover-technician', (id) => {
    hovered = id;
    scheduleRender();
  });
  // This module is loaded after the queue, possibly after the data: draw what is there already.
  if (state.centers.size) {
    render();
    fitToScope();
  }
  return map;
}

// After the first data is on screen: the outlines are ~750 kB and must not delay the queue.
export function loadBasemap() {
  return addBasemap(map, L);
}

export function render() {
  renderCenters();
  renderTechnicians();
  renderJobs(Date.now());
}

function latLng(location) {
  return [location.lat, location.lon];
}

function renderJobs(now) {
  const seen = new Set();
  for (const job of filteredOpenJobs()) {
    const site = state.sites.get(job.site_id);
    if (!site) continue;
    seen.add(job.id);
    const shade = highlight(job, now);
    const selected = job.id === state.selectedJobId;
    const style = {
      radius: (RADIUS[job.severity] || 6) + (selected ? 3 : 0),
      color: selected ? '#0b62a4' : '#1d232a',
      weight: selected ? 3 : 1,
      fillColor: FILL[shade] || FILL.on_track,
      fillOpacity: 0.9,
    };
    let marker = jobMarkers.get(job.id);
    if (!marker) {
      marker = L.circleMarker(latLng(site.location), { ...style, className: 'job-marker' });
      marker.jobId = job.id;
      marker.bindTooltip(() => jobTooltip(state.jobs.get(marker.jobId)), { direction: 'top', offset: [0, -6] });
      marker.on('click', () => selectJob(marker.jobId));
      marker.addTo(jobLayer);
      jobMarkers.set(job.id, marker);
    } else {
      marker.setLatLng(latLng(site.location));
      marker.setStyle(style);
      marker.setRadius(style.radius);
    }
    if (selected) marker.bringToFront();
  }
  for (const [id, marker] of jobMarkers) {
    if (!seen.has(id)) {
      marker.remove();
      jobMarkers.delete(id);
    }
  }
}

function jobTooltip(job) {
  if (!job) return el('span', {}, 'closed');
  const site = state.sites.get(job.site_id);
  const now = Date.now();
  const due = nextDue(job);
  return el('div', { class: 'map-tip' },
    el('strong', {}, `#${job.id} ${job.severity} ${job.kind}`),
    el('div', {}, site ? site.address : `site ${job.site_id}`),
    job.description ? el('div', { class: 'map-tip-text' }, job.description) : null,
    el('div', {}, `${STATUS_LABEL[job.status] || job.status}${job.technician_id ? ` · ${technicianName(job.technician_id)}` : ' · unassigned'}`),
    due ? el('div', {}, `${due.name} due ${clockText(new Date(due.due).toISOString(), timeZoneOfJob(job), now)} (${untilText(due.due, now)}) · ${STATE_LABEL[highlight(job, now)]}`) : null);
}

function renderTechnicians() {
  const seen = new Set();
  for (const technician of techniciansInScope()) {
    if (!technician.location) continue;
    seen.add(technician.id);
    const classes = `tech-marker${technician.active ? '' : ' inactive'}${hovered === technician.id ? ' hovered' : ''}`;
    let marker = technicianMarkers.get(technician.id);
    if (!marker) {
      marker = L.marker(latLng(technician.location), {
        icon: L.divIcon({ className: classes, iconSize: [12, 12] }),
        keyboard: false,
        zIndexOffset: 500,
      });
      marker.technicianId = technician.id;
      marker.classes = classes;
      marker.bindTooltip(() => technicianTooltip(state.technicians.get(marker.technicianId)), { direction: 'top', offset: [0, -6] });
      marker.addTo(technicianLayer);
      technicianMarkers.set(technician.id, marker);
    } else {
      marker.setLatLng(latLng(technician.location));
      if (marker.classes !== classes) {
        marker.classes = classes;
        marker.setIcon(L.divIcon({ className: classes, iconSize: [12, 12] }));
      }
    }
  }
  for (const [id, marker] of technicianMarkers) {
    if (!seen.has(id)) {
      marker.remove();
      technicianMarkers.delete(id);
    }
  }
}

function technicianTooltip(technician) {
  if (!technician) return el('span', {}, '');
  return el('div', { class: 'map-tip' },
    el('strong', {}, technician.name),
    el('div', {}, `${technician.active ? 'active' : 'inactive'} · ${openJobCount(technician.id)} open jobs (max ${technician.max_open_jobs})`),
    el('div', {}, `skills: ${(technician.skills || []).join(', ')}`),
    technician.location_at ? el('div', { class: 'muted' }, `position ${new Date(technician.location_at).toLocaleString()}`) : null);
}

function renderCenters() {
  for (const center of state.centers.values()) {
    let marker = centerMarkers.get(center.id);
    if (!marker) {
      marker = L.marker(latLng(center.location), {
        icon: L.divIcon({ className: 'center-marker', iconSize: [18, 18] }),
        keyboard: false,
        zIndexOffset: 1000,
      });
      marker.bindTooltip(() => el('strong', {}, center.name), { direction: 'top', offset: [0, -8] });
      centerMarkers.set(center.id, marker);
    }
    marker.setLatLng(latLng(center.location));
    if (inScope(center.id)) marker.addTo(centerLayer);
    else marker.remove();
  }
}

// Each suggested move as a dashed line from the technician to a ring where they would wait; the
// view widens to take them in. Drawn once per answer: the suggestions do not follow the feed.
function renderMoveUps(moveUps) {
  moveUpLayer.clearLayers();
  const legend = document.getElementById('moveups-legend');
  legend.hidden = !moveUps;
  if (!moveUps) return;
  for (const move of moveUps.moves) {
    const name = technicianName(move.technician_id);
    const tip = () => el('div', { class: 'map-tip' },
      el('strong', {}, `${name}: wait here`),
      el('div', {}, `${move.km.toFixed(1)} km from where they are`),
      el('div', {}, `${move.gain_minutes.toFixed(1)} min less on the mean drive to the next critical call of their skills`));
    L.polyline([latLng(move.from), latLng(move.to)], {
      color: '#0b62a4', weight: 2.5, dashArray: '6 6', className: 'moveup-line', interactive: false,
    }).addTo(moveUpLayer);
    const post = L.marker(latLng(move.to), {
      icon: L.divIcon({ className: 'moveup-post', iconSize: [14, 14] }),
      keyboard: false,
      zIndexOffset: 800,
      title: `${name}: wait here`,
    });
    post.technicianId = move.technician_id;
    post.bindTooltip(tip, { direction: 'top', offset: [0, -6] });
    post.addTo(moveUpLayer);
  }
  const bounds = moveUpLayer.getBounds();
  if (bounds.isValid() && !map.getBounds().contains(bounds)) map.fitBounds(bounds.extend(map.getBounds()), { padding: [24, 24], maxZoom: 13 });
}

// Fits the view to the center(s) shown: their sites, technicians and the centers themselves.
export function fitToScope() {
  const points = [];
  for (const site of state.sites.values()) if (inScope(site.center_id)) points.push(latLng(site.location));
  for (const t of techniciansInScope()) if (t.location) points.push(latLng(t.location));
  for (const c of state.centers.values()) if (inScope(c.id)) points.push(latLng(c.location));
  if (points.length) map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 13 });
}

function panToSelected() {
  const job = state.jobs.get(state.selectedJobId);
  const site = job && state.sites.get(job.site_id);
  if (site && !map.getBounds().pad(-0.1).contains(latLng(site.location))) map.panTo(latLng(site.location));
}

export function invalidateSize() {
  if (map) map.invalidateSize();
}
