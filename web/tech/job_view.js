// One job: everything the pull brought about it, the status moves its state allows, notes and
// parts. Each action is recorded in the outbox and shown at once; the forms are built once so a
// refresh (a sync landing while the technician types) never wipes what is being written.
import { el, localTime } from '/shared/api.js';
import { getJob, allOps } from './db.js';
import { recordOp, PENDING } from './outbox.js';
import { allowedMoves } from './local.js';
import {
  statusBadge, dueLines, warrantyLine, contactBlock, fill, localDate, KIND_LABELS, MOVE_LABELS, HOLD_REASONS,
} from './format.js';

function pendingMark(item) {
  return item.pending_op ? el('span', { class: 'badge badge-unsent' }, 'not sent yet') : null;
}

function equipmentBlock(equipment) {
  if (!equipment) return null;
  return el('dl', { class: 'facts' },
    el('dt', {}, 'Unit'), el('dd', {}, `${equipment.model || ''} · serial ${equipment.serial || ''}`),
    el('dt', {}, 'Sold'), el('dd', {}, localDate(equipment.sold_at)),
    equipment.installed_at ? [el('dt', {}, 'Installed'), el('dd', {}, localDate(equipment.installed_at))] : null,
    el('dt', {}, 'Warranty period'), el('dd', {}, `${equipment.warranty_months ?? 12} months`));
}

function listOrEmpty(items, render, empty) {
  if (!items.length) return el('p', { class: 'muted' }, empty);
  return el('ul', { class: 'plain-list' }, items.map(render));
}

export function jobView(container, jobId, { onAction }) {
  const live = el('div', { class: 'job-live' });
  const message = el('p', { class: 'flash', role: 'status', 'aria-live': 'polite' });

  async function act(button, type, payload, done) {
    button.disabled = true;
    try {
      await recordOp(type, jobId, payload);
      message.textContent = navigator.onLine ? 'Saved on this tablet; sending…' : 'Saved on this tablet; it will be sent when online.';
      message.dataset.kind = 'saved';
      done?.();
      onAction();
    } catch (e) {
      message.textContent = `Could not save: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  }

  function statusActions(job) {
    const moves = allowedMoves(job);
    if (!moves.length) return el('p', { class: 'muted' }, 'No status change left for the tablet.');
    const buttons = [];
    for (const to of moves) {
      if (to === 'on_hold') {
        for (const [reason, text] of Object.entries(HOLD_REASONS)) {
          const b = el('button', { type: 'button', class: 'move', dataset: { move: 'on_hold', reason } }, `On hold: ${text.toLowerCase()}`);
          b.addEventListener('click', () => act(b, 'status', { to: 'on_hold', reason }));
          buttons.push(b);
        }
      } else {
        const b = el('button', { type: 'button', class: to === moves[0] ? 'move primary' : 'move', dataset: { move: to } }, MOVE_LABELS[to] || to);
        b.addEventListener('click', () => act(b, 'status', { to }));
        buttons.push(b);
      }
    }
    return el('div', { class: 'moves', role: 'group', 'aria-label': 'Change status' }, buttons);
  }

  const noteText = el('textarea', { id: 'note-text', name: 'text', rows: 4, maxlength: 4000, required: true });
  const noteButton = el('button', { type: 'submit', class: 'primary', id: 'add-note' }, 'Add note');
  const noteForm = el('form', { class: 'stack', id: 'note-form' },
    el('label', { for: 'note-text' }, 'Note for the office'), noteText, noteButton);
  noteForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = noteText.value.trim();
    if (!text) return;
    act(noteButton, 'note', { text }, () => { noteText.value = ''; });
  });

  const partNumber = el('input', { id: 'part-number', name: 'part_number', maxlength: 64, required: true, autocapitalize: 'characters', autocomplete: 'off' });
  const partQty = el('input', { id: 'part-qty', name: 'qty', type: 'number', min: 1, max: 100000, value: 1, required: true, inputmode: 'numeric' });
  const partButton = el('button', { type: 'submit', id: 'add-part' }, 'Record part');
  const partForm = el('form', { class: 'row-form', id: 'part-form' },
    el('div', { class: 'stack' }, el('label', { for: 'part-number' }, 'Part number'), partNumber),
    el('div', { class: 'stack narrow' }, el('label', { for: 'part-qty' }, 'Quantity'), partQty),
    partButton);
  partForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const part = partNumber.value.trim();
    const qty = Number(partQty.value);
    if (!part || !Number.isInteger(qty) || qty < 1 || qty > 100000) return;
    act(partButton, 'parts_used', { parts: [{ part_number: part, qty }] }, () => { partNumber.value = ''; partQty.value = '1'; });
  });

  const heading = el('h1', { class: 'view-title' }, `Job #${jobId}`);
  container.replaceChildren(
    el('a', { class: 'back touch-link', href: '#/' }, '← All jobs'),
    heading, message, live,
    el('section', { class: 'panel' }, el('h2', {}, 'Notes'), el('div', { id: 'notes-list' }), noteForm),
    el('section', { class: 'panel' }, el('h2', {}, 'Parts used'), el('div', { id: 'parts-list' }), partForm));
  const notesList = container.querySelector('#notes-list');
  const partsList = container.querySelector('#parts-list');

  async function refresh() {
    const [job, ops] = await Promise.all([getJob(jobId), allOps()]);
    if (!job) {
      heading.textContent = `Job #${jobId}`;
      live.replaceChildren(el('p', { class: 'muted' },
        'This job is not on the tablet (it may have been reassigned or closed). What you recorded for it stays in the outbox.'));
      notesList.replaceChildren();
      partsList.replaceChildren();
      return;
    }
    const unsent = ops.filter((op) => op.job_id === job.id && op.state === PENDING).length;
    if (!unsent && message.dataset.kind === 'saved') {
      message.textContent = 'Sent to the server; its answers are in the outbox.';
      message.dataset.kind = 'sent';
    }
    heading.textContent = `Job #${job.id} · ${KIND_LABELS[job.kind] || job.kind}`;
    fill(live,
      el('section', { class: 'panel' },
        el('div', { class: 'job-card-head' }, statusBadge(job.status),
          job.hold_reason ? el('span', { class: 'muted' }, HOLD_REASONS[job.hold_reason] || job.hold_reason) : null,
          unsent ? el('a', { class: 'badge badge-unsent', href: '#/outbox' }, `${unsent} not sent`) : null),
        job.description ? el('p', { class: 'job-description' }, job.description) : null,
        statusActions(job),
        // A signed-off job may still take another sign-off (it is kept as a further fact), but
        // offering it there would invite a second signature by mistake.
        job.status === 'signed_off' ? null : el('a', { class: 'button-link', href: `#/jobs/${job.id}/signoff`, id: 'open-signoff' },
          job.kind === 'installation' ? 'Installation sign-off' : 'Customer sign-off')),
      el('section', { class: 'panel' }, el('h2', {}, 'Site and customer'),
        el('p', { class: 'address' }, job.site?.address || ''),
        contactBlock(job.customer)),
      el('section', { class: 'panel' }, el('h2', {}, 'Due'), el('ul', { class: 'due-list' }, dueLines(job)), warrantyLine(job)),
      job.equipment ? el('section', { class: 'panel' }, el('h2', {}, 'Equipment'), equipmentBlock(job.equipment)) : null,
      (job.signoffs || []).length ? el('section', { class: 'panel' }, el('h2', {}, 'Sign-offs'),
        listOrEmpty(job.signoffs, (s) => el('li', { class: 'signoff-item' },
          `${s.signer_name} · ${localTime(s.signed_at)}`, s.rating ? ` · rating ${s.rating}/5` : '', ' ', pendingMark(s)), '')) : null);
    notesList.replaceChildren(listOrEmpty(job.notes || [], (n) => el('li', { class: 'note-item' },
      el('div', { class: 'note-meta muted' }, `${localTime(n.at)}${n.author ? ` · ${n.author}` : ''} `, pendingMark(n)),
      el('div', { class: 'note-text' }, n.text)), 'No notes yet.'));
    partsList.replaceChildren(listOrEmpty(job.parts_used || [], (p) => el('li', {},
      `${p.part_number} × ${p.qty}`, p.at ? el('span', { class: 'muted' }, ` · ${localTime(p.at)}`) : '', ' ', pendingMark(p)), 'No parts recorded.'));
  }

  return { refresh, title: `Job #${jobId}` };
}
