// The customer's sign-off: who signs, the checklist walked through together, a rating, the
// signature drawn on the tablet, and where it was signed when the tablet can tell. It is an op
// like any other: recorded here, sent when the tablet is online.
import SignaturePad from '/vendor/signature_pad/signature_pad.js';
import { el } from '/shared/api.js';
import { getJob } from './db.js';
import { recordOp } from './outbox.js';
import { uuidv7 } from './uuid.js';
import { KIND_LABELS, fill } from './format.js';

const MAX_SIGNATURE_BYTES = 256 * 1024;   // the server's limit on the decoded PNG
const LOCATION_WAIT_MS = 3000;            // how long a submit waits for a fix still coming

const CHECKLISTS = {
  installation: ['Unit installed and secured', 'Unit powers on and runs', 'Settings explained to the customer', 'Site left clean'],
  other: ['Fault fixed or work done', 'Unit powers on and runs', 'Site left clean'],
};

// Asks once for the position when the screen opens, so that the fix is usually there by the
// time the customer has signed. Resolves to {lat, lon} or null: a sign-off never waits on it.
function watchLocation(report) {
  if (!('geolocation' in navigator)) {
    report('Location: this device cannot tell (the sign-off goes without it).');
    return Promise.resolve(null);
  }
  report('Location: finding…');
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude: lat, longitude: lon, accuracy } = position.coords;
        report(`Location: ${lat.toFixed(5)}, ${lon.toFixed(5)} (±${Math.round(accuracy)} m)`);
        resolve({ lat, lon });
      },
      () => {
        report('Location: not available (the sign-off goes without it).');
        resolve(null);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 5 * 60 * 1000 });
  });
}

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), ms))]);
}

function base64Bytes(base64) {
  return Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
}

// A PNG within the server's limit: a high-density screen can make a large one, so it is drawn
// again at a lower resolution until it fits.
function signaturePng(pad, canvas) {
  let data = pad.toDataURL('image/png').split(',')[1];
  let scale = 0.5;
  while (base64Bytes(data) > MAX_SIGNATURE_BYTES && scale > 0.1) {
    const smaller = document.createElement('canvas');
    smaller.width = Math.max(1, Math.round(canvas.width * scale));
    smaller.height = Math.max(1, Math.round(canvas.height * scale));
    const context = smaller.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, smaller.width, smaller.height);
    context.drawImage(canvas, 0, 0, smaller.width, smaller.height);
    data = smaller.toDataURL('image/png').split(',')[1];
    scale /= 2;
  }
  return base64Bytes(data) <= MAX_SIGNATURE_BYTES ? data : null;
}

export function signoffView(container, jobId, { onAction, onDone }) {
  const heading = el('h1', { class: 'view-title' }, `Sign-off · job #${jobId}`);
  const summary = el('div', { class: 'panel signoff-summary' });
  const locationText = el('p', { class: 'muted', id: 'signoff-location', role: 'status' });
  const error = el('p', { class: 'error', role: 'alert', id: 'signoff-error' });

  const signerName = el('input', { id: 'signer-name', name: 'signer_name', maxlength: 200, required: true, autocomplete: 'name' });
  const signerRole = el('input', { id: 'signer-role', name: 'signer_role', maxlength: 100, autocomplete: 'organization-title' });
  const rating = el('select', { id: 'signoff-rating', name: 'rating' },
    el('option', { value: '' }, 'Not given'),
    [5, 4, 3, 2, 1].map((n) => el('option', { value: n }, `${n} of 5`)));
  const comment = el('textarea', { id: 'signoff-comment', name: 'comment', rows: 3, maxlength: 4000 });
  const checklist = el('fieldset', { class: 'checklist' }, el('legend', {}, 'Checklist'));
  const canvas = el('canvas', { class: 'signature-canvas', id: 'signature', 'aria-label': "Customer's signature: sign with a finger or stylus" });
  const clear = el('button', { type: 'button', id: 'signature-clear' }, 'Clear signature');
  const submit = el('button', { type: 'submit', class: 'primary', id: 'signoff-submit' }, 'Record sign-off');

  const form = el('form', { class: 'stack signoff-form', id: 'signoff-form', novalidate: true },
    el('label', { for: 'signer-name' }, 'Name of the person signing'), signerName,
    el('label', { for: 'signer-role' }, 'Their role (optional)'), signerRole,
    checklist,
    el('label', { for: 'signoff-rating' }, 'Rating of the service'), rating,
    el('label', { for: 'signoff-comment' }, 'Comment (optional)'), comment,
    el('div', { class: 'signature-label', id: 'signature-label' }, "Customer's signature"),
    canvas,
    el('div', { class: 'row' }, clear),
    locationText, error, submit);

  container.replaceChildren(el('a', { class: 'back touch-link', href: `#/jobs/${jobId}` }, '← Back to the job'), heading, summary, form);

  const pad = new SignaturePad(canvas, { backgroundColor: 'rgb(255,255,255)', penColor: '#102a43', minWidth: 1, maxWidth: 3 });
  // The canvas backing store follows its on-screen size and the pixel density, or strokes land
  // off the finger; a resize clears it, so it is sized once the layout is known and on resize.
  function fitCanvas() {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const width = canvas.offsetWidth;
    const height = canvas.offsetHeight;
    if (!width || !height) return;
    if (canvas.width === Math.round(width * ratio) && canvas.height === Math.round(height * ratio)) return;
    const strokes = pad.toData();
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.getContext('2d').scale(ratio, ratio);
    pad.clear();
    if (strokes.length) pad.fromData(strokes);
  }
  const resizeObserver = new ResizeObserver(fitCanvas);
  resizeObserver.observe(canvas);
  fitCanvas();
  clear.addEventListener('click', () => pad.clear());

  const located = watchLocation((text) => { locationText.textContent = text; });
  let checklistKind = null;

  function fillChecklist(kind) {
    const wanted = kind === 'installation' ? 'installation' : 'other';
    if (checklistKind === wanted) return;
    checklistKind = wanted;
    const items = CHECKLISTS[wanted].map((item, i) => {
      const id = `check-${i}`;
      return el('div', { class: 'check' },
        el('input', { type: 'checkbox', id, name: 'checklist', value: item }),
        el('label', { for: id }, item));
    });
    checklist.replaceChildren(el('legend', {}, 'Checklist'), ...items);
  }
  fillChecklist('installation');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const name = signerName.value.trim();
    if (!name) {
      error.textContent = 'Enter the name of the person signing.';
      signerName.focus();
      return;
    }
    if (pad.isEmpty()) {
      error.textContent = 'The customer has not signed yet.';
      return;
    }
    const png = signaturePng(pad, canvas);
    if (!png) {
      error.textContent = 'The signature image is too large; clear it and sign again.';
      return;
    }
    submit.disabled = true;
    try {
      const location = await withTimeout(located, LOCATION_WAIT_MS);
      const now = new Date().toISOString();
      // Optional fields left out when empty (undefined drops them from the JSON) rather than
      // sent as null: an older server might read null as a value of the wrong type.
      const payload = {
        id: uuidv7(),
        signer_name: name,
        signer_role: signerRole.value.trim() || undefined,
        signed_at: now,
        location: location || undefined,
        signature_png: png,
        checklist: [...checklist.querySelectorAll('input[type=checkbox]')].map((box) => ({ item: box.value, ok: box.checked })),
        rating: rating.value ? Number(rating.value) : undefined,
        comment: comment.value.trim() || undefined,
      };
      await recordOp('signoff', jobId, payload);
      onAction();
      onDone();
    } catch (e) {
      error.textContent = `Could not save the sign-off: ${e.message}`;
      submit.disabled = false;
    }
  });

  async function refresh() {
    const job = await getJob(jobId);
    if (!job) {
      summary.replaceChildren(el('p', { class: 'muted' }, 'This job is not on the tablet any more; a sign-off recorded now is still sent.'));
      return;
    }
    fillChecklist(job.kind);
    heading.textContent = `${job.kind === 'installation' ? 'Installation sign-off' : 'Sign-off'} · job #${job.id}`;
    const parts = job.parts_used || [];
    fill(summary,
      el('p', {}, el('strong', {}, `${KIND_LABELS[job.kind] || job.kind}: `), job.description || ''),
      el('p', { class: 'address' }, job.site?.address || ''),
      el('p', {}, `Customer: ${job.customer?.name || ''}`),
      parts.length ? el('p', {}, `Parts used: ${parts.map((p) => `${p.part_number} × ${p.qty}`).join(', ')}`) : null,
      (job.signoffs || []).length ? el('p', { class: 'muted' }, `Already signed by ${job.signoffs.map((s) => s.signer_name).join(', ')}.`) : null);
  }

  function dispose() {
    resizeObserver.disconnect();
    pad.off();
  }

  return { refresh, dispose, title: 'Sign-off' };
}
