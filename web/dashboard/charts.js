// Compliance charts drawn with the vendored uPlot (web/vendor/uplot/SOURCE.md says why uPlot).
// Both charts have categories on x (tiers, ISO weeks), so x holds their indices and the axis
// prints the API's keys. The numbers plotted are the API's compliance_pct values as given; a
// null (nothing decided yet) leaves a gap rather than a zero that would read as a failure.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { formatNumber } from './format.js';
import { withEmptyWeeks } from './weeks.js';

export const TARGETS = ['response', 'arrival', 'restore'];
const COLORS = { response: '#0b62a4', arrival: '#b86e00', restore: '#6a3d9a' };
const HEIGHT = 260;

// uPlot has no grouped bars of its own: this draws bar `slot` of `slots` in each category.
function groupedBars(slot, slots) {
  return (u, seriesIdx, idx0, idx1) => {
    const path = new Path2D();
    const xs = u.data[0];
    const ys = u.data[seriesIdx];
    const categoryWidth = u.bbox.width / Math.max(1, xs.length);
    const barWidth = (categoryWidth * 0.72) / slots;
    const base = u.valToPos(0, 'y', true);
    for (let i = idx0; i <= idx1; i++) {
      if (ys[i] === null || ys[i] === undefined) continue;
      const left = u.valToPos(xs[i], 'x', true) - (barWidth * slots) / 2 + slot * barWidth;
      const top = u.valToPos(ys[i], 'y', true);
      path.rect(Math.round(left + 1), Math.round(top), Math.max(1, Math.round(barWidth - 2)), Math.round(base - top));
    }
    return { stroke: path, fill: path };
  };
}

function categoryAxis(labels) {
  return {
    splits: () => labels.map((_, i) => i),
    values: (u, splits) => splits.map((i) => labels[i] ?? ''),
    grid: { show: false },
  };
}

const percentAxis = {
  values: (u, splits) => splits.map((v) => `${v} %`),
  size: 56,
};

// Lines need no zero baseline; start at the ten below the lowest value so weeks of 85-97 %
// do not flatten into one line, and always show 100.
function percentRange(values) {
  const present = values.filter((v) => v !== null && v !== undefined);
  const low = present.length ? Math.min(...present) : 0;
  return [Math.max(0, Math.floor(low / 10) * 10 - (low % 10 === 0 ? 10 : 0)), 100];
}

function widthOf(container) {
  return Math.max(280, Math.floor(container.getBoundingClientRect().width));
}

// Draws a chart into `container` (replacing any earlier one) and resolves `drawn` once the
// canvas holds the data: the moment the dashboard measures.
function draw(container, options, data) {
  container.replaceChildren();
  let resolveDrawn;
  const drawn = new Promise((resolve) => { resolveDrawn = resolve; });
  const plot = new uPlot({
    width: widthOf(container),
    height: HEIGHT,
    ...options,
    hooks: { draw: [() => resolveDrawn()] },
  }, data, container);
  const resize = new ResizeObserver(() => {
    const width = widthOf(container);
    if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
  });
  resize.observe(container);
  return {
    drawn,
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

function percentLegend(u, v) {
  return v === null || v === undefined ? '—' : `${formatNumber(v, 'pct')} %`;
}

function seriesData(groups) {
  return TARGETS.map((target) => groups.map((g) => g[target].compliance_pct));
}

function xSeries(name, labels) {
  return { label: name, value: (u, i) => (i === null || i === undefined ? '' : labels[i] ?? '') };
}

// Compliance per tier: three bars (response, arrival, restore) per tier, on a 0-100 % axis.
export function tierChart(container, groups) {
  const labels = groups.map((g) => g.key);
  const data = [labels.map((_, i) => i), ...seriesData(groups)];
  return draw(container, {
    scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: [0, 100] } },
    axes: [categoryAxis(labels), percentAxis],
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    series: [
      xSeries('tier', labels),
      ...TARGETS.map((target, slot) => ({
        label: target,
        stroke: COLORS[target],
        fill: COLORS[target],
        width: 0,
        points: { show: false },
        paths: groupedBars(slot, TARGETS.length),
        value: percentLegend,
      })),
    ],
  }, data);
}

// Compliance per ISO week: one line per target, broken where a week had no jobs.
export function weekChart(container, apiGroups) {
  const groups = withEmptyWeeks(apiGroups);
  const labels = groups.map((g) => g.key);
  const data = [labels.map((_, i) => i), ...seriesData(groups)];
  return draw(container, {
    scales: {
      x: { time: false, range: [-0.25, Math.max(0.25, labels.length - 0.75)] },
      y: { range: () => percentRange(data.slice(1).flat()) },
    },
    axes: [categoryAxis(labels), percentAxis],
    cursor: { drag: { x: false, y: false } },
    series: [
      xSeries('week', labels),
      ...TARGETS.map((target) => ({
        label: target,
        stroke: COLORS[target],
        width: 2,
        points: { show: true, size: 7, fill: COLORS[target] },
        spanGaps: false,
        value: percentLegend,
      })),
    ],
  }, data);
}
