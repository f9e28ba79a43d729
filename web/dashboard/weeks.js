// ISO weeks for the week chart. The API lists only weeks that had jobs; on a category axis a
// missing week would vanish and a line would run straight across it, so the chart gets the
// weeks between as empty categories (a gap in each line). Only the chart: the table keeps the
// API's rows.
const DAY = 86400000;

// Monday 00:00 UTC of an ISO week key ("2026-W47"), or null for a key of another shape.
function mondayOf(key) {
  const match = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!match) return null;
  const year = Number(match[1]);
  const jan4 = Date.UTC(year, 0, 4);
  // 4 January is always in week 1; its weekday (Monday = 0) leads back to week 1's Monday.
  const week1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
  return week1 + (Number(match[2]) - 1) * 7 * DAY;
}

function keyOf(monday) {
  // The Thursday of a week decides its ISO year.
  const year = new Date(monday + 3 * DAY).getUTCFullYear();
  const week = 1 + Math.round((monday - mondayOf(`${year}-W01`)) / (7 * DAY));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

// The groups with an empty group (every figure null) for each week missing between the first
// and the last; the groups unchanged when their keys are not consecutive ISO weeks in order.
export function withEmptyWeeks(groups) {
  if (groups.length < 2) return groups;
  const first = mondayOf(groups[0].key);
  const last = mondayOf(groups[groups.length - 1].key);
  if (first === null || last === null || last < first) return groups;
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const empty = { compliance_pct: null };
  const filled = [];
  for (let monday = first; monday <= last; monday += 7 * DAY) {
    const key = keyOf(monday);
    filled.push(byKey.get(key) || { key, response: empty, arrival: empty, restore: empty });
  }
  return filled.filter((g) => byKey.has(g.key)).length === groups.length ? filled : groups;
}
