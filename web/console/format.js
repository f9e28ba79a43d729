// Words and numbers as a dispatcher reads them. Every server value still goes into the page as
// text (through el()); these only choose which text.
import { minutes } from '/shared/api.js';

export const SEVERITY_SHORT = { critical: 'CRIT', serious: 'SER', general: 'GEN', minor: 'MIN' };

export const STATUS_LABEL = {
  new: 'new', assigned: 'assigned', accepted: 'accepted', en_route: 'en route', on_site: 'on site',
  on_hold: 'on hold', resolved: 'resolved', signed_off: 'signed off', closed: 'closed', cancelled: 'cancelled',
};

export const STATE_LABEL = {
  on_track: 'on track', pending: 'pending', at_risk: 'at risk', breached: 'breached', met: 'met',
};

// The engine's reasons for leaving a technician out, and the rules a manual choice breaks: the
// same vocabulary (docs/decisions.md), so one table serves both.
const RULE_LABEL = {
  off_shift: 'off shift',
  missing_skills: 'missing skills',
  inactive: 'inactive',
  capacity: 'at capacity',
  at_capacity: 'at capacity',
  full: 'at capacity',
  radius: 'outside the search radius',
  outside_radius: 'outside the search radius',
  eta_misses_due: 'ETA misses the arrival due',
};

export function ruleLabel(code) {
  return RULE_LABEL[code] || String(code).replaceAll('_', ' ');
}

const WARRANTY_BASIS = {
  within_7_days: 'within 7 days of sale',
  within_15_days: 'within 15 days of sale',
  in_warranty: 'in warranty',
  out_of_warranty: 'out of warranty',
  repair_over_30_days: 'earlier repair took over 30 days',
  repeat_failure: 'repeat failure',
};

export function warrantyText(warranty) {
  if (!warranty) return 'not applicable';
  const basis = WARRANTY_BASIS[warranty.basis] || String(warranty.basis).replaceAll('_', ' ');
  const remedies = (warranty.remedies || []).map((r) => String(r).replaceAll('_', ' ')).join(', ');
  return `${warranty.in_warranty ? 'yes' : 'no'} (${basis})${remedies ? ` · remedies: ${remedies}` : ''}`;
}

// "in 12 min" before the moment, "12 min late" after it.
export function untilText(ms, now) {
  const delta = (ms - now) / 60000;
  if (Math.abs(delta) < 0.5) return 'now';
  return delta > 0 ? `in ${minutes(delta)}` : `${minutes(-delta)} late`;
}

const formatters = new Map();

function formatter(timeZone, withDay) {
  const key = `${timeZone || ''}|${withDay}`;
  if (!formatters.has(key)) {
    const options = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    if (withDay) Object.assign(options, { weekday: 'short', day: 'numeric', month: 'short' });
    try {
      formatters.set(key, new Intl.DateTimeFormat(undefined, { ...options, timeZone: timeZone || undefined }));
    } catch {
      // An IANA zone this browser does not know: the browser's own zone is better than nothing.
      formatters.set(key, new Intl.DateTimeFormat(undefined, options));
    }
  }
  return formatters.get(key);
}

// Wall-clock time in the job's center's zone (where the promise was made), with the day when
// it is more than half a day away (a bare "09:30" then would be ambiguous).
export function clockText(iso, timeZone, now = Date.now()) {
  if (!iso) return '';
  const t = Date.parse(iso);
  const sameDay = Math.abs(t - now) < 12 * 3600 * 1000;
  return formatter(timeZone, !sameDay).format(t);
}

export function kmText(km) {
  if (km === null || km === undefined || Number.isNaN(km)) return '';
  return km < 10 ? `${km.toFixed(1)} km` : `${Math.round(km)} km`;
}

// Straight-line distance, for ordering technicians when the engine has not looked at a job yet.
export function haversineKm(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

// A function that runs `fn` at the next animation frame, once however often it is called before.
export function oncePerFrame(fn) {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      fn();
    });
  };
}
