// Move-up suggestions (GET /api/v1/dispatch/move-ups): where idle technicians could wait for the
// next critical call, learned from where critical calls came from. Nothing is moved: the
// dispatcher tells the technician, and the next request starts from where technicians report.
// Scoped to the center on screen, as the rest of the console. "Show on map" draws the moves
// (map.js); they stay until cleared or the center on screen changes, since they were worked out
// for that center's technicians and calls.
import { api, el } from '/shared/api.js';
import { state, technicianName, showMoveUps, on } from './store.js';
import { explain } from './dialogs.js';

const dialog = document.getElementById('moveups-dialog');
const body = document.getElementById('moveups-body');
const closeButton = document.getElementById('moveups-close');
const showButton = document.getElementById('moveups-show');
let running = false;
// The last answer, with the center it was asked for.
let shown = null;

export function initMoveUps() {
  document.getElementById('moveups-button').addEventListener('click', openMoveUps);
  closeButton.addEventListener('click', () => dialog.close());
  showButton.addEventListener('click', () => {
    if (!shown) return;
    showMoveUps(shown);
    dialog.close();
  });
  document.getElementById('moveups-clear').addEventListener('click', () => showMoveUps(null));
  on('scope', () => {
    if (state.moveUps && state.moveUps.centerId !== state.centerId) showMoveUps(null);
  });
}

function place(point) {
  return `${point.lat.toFixed(4)}, ${point.lon.toFixed(4)}`;
}

function moveRow(move) {
  return el('tr', { dataset: { technicianId: move.technician_id } },
    el('td', {}, technicianName(move.technician_id)),
    el('td', { class: 'coords' }, place(move.from)),
    el('td', { class: 'coords' }, '→ ', place(move.to)),
    el('td', { class: 'num' }, move.km.toFixed(1)),
    el('td', { class: 'num' }, move.gain_minutes.toFixed(1)));
}

function render(result, centerId) {
  const moves = result.moves || [];
  shown = moves.length ? { centerId, moves } : null;
  showButton.hidden = !shown;
  body.replaceChildren(
    el('h2', {}, 'Move-up suggestions'),
    el('p', {}, `Learned from ${result.critical_calls} critical calls of the last ${result.history_days} days; `,
      `${result.idle_technicians} technicians idle and on shift. Each move counts the ones above it as done.`),
    moves.length
      ? el('table', { class: 'moves-table moveups-table' },
        el('thead', {}, el('tr', {},
          el('th', {}, 'technician'), el('th', {}, 'from'), el('th', {}, 'to'),
          el('th', { title: 'road km of the move' }, 'km'),
          el('th', { title: 'minutes by which the mean drive to the next critical call of their skills gets shorter' }, 'min saved'))),
        el('tbody', {}, moves.map(moveRow)))
      : el('p', { class: 'muted' }, result.critical_calls < 20
        ? 'Too few critical calls to learn from yet (20 at least).'
        : 'Nobody idle would cover the next critical call better elsewhere.'));
}

export async function openMoveUps() {
  if (running) return;
  running = true;
  shown = null;
  showButton.hidden = true;
  body.replaceChildren(el('h2', {}, 'Move-up suggestions'), el('p', { class: 'muted' }, 'Looking…'));
  if (!dialog.open) dialog.showModal();
  try {
    // The center on screen: its technicians, and the calls from its sites.
    const centerId = state.centerId;
    const scope = centerId === 'all' ? '' : `?center_id=${encodeURIComponent(centerId)}`;
    render(await api(`/api/v1/dispatch/move-ups${scope}`), centerId);
  } catch (e) {
    body.replaceChildren(el('h2', {}, 'Move-up suggestions'), el('p', { class: 'error' }, explain(e)));
  } finally {
    running = false;
  }
  closeButton.focus();
}
