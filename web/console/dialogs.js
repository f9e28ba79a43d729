// Asking and telling: a modal <dialog> instead of window.confirm (keyboard-friendly, styled, and
// it keeps native dialogs for what should never happen), short-lived toasts, and a banner for
// what stays true (the role, a refusal).
import { el } from '/shared/api.js';

const confirmDialog = document.getElementById('confirm-dialog');
const confirmTitle = document.getElementById('confirm-title');
const confirmBody = document.getElementById('confirm-body');
const confirmOk = document.getElementById('confirm-ok');
const toasts = document.getElementById('toasts');
const banner = document.getElementById('banner');

// Resolves true when the user chose `ok`; `body` is a list of nodes or strings (text only).
export function ask({ title, body, ok }) {
  confirmTitle.textContent = title;
  confirmBody.replaceChildren(...body.map((part) => (part instanceof Node ? part : el('p', {}, part))));
  confirmOk.textContent = ok;
  confirmDialog.returnValue = '';
  return new Promise((resolve) => {
    confirmDialog.addEventListener('close', () => resolve(confirmDialog.returnValue === 'ok'), { once: true });
    confirmDialog.showModal();
    confirmOk.focus();
  });
}

export function anyDialogOpen() {
  return [...document.querySelectorAll('dialog')].some((d) => d.open);
}

// kind: 'ok' | 'warn' | 'error'. Errors stay until clicked; the rest fade.
export function toast(message, kind = 'ok', details = []) {
  const node = el('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    el('span', {}, message),
    details.length ? el('ul', {}, details.map((d) => el('li', {}, d))) : null);
  node.addEventListener('click', () => node.remove());
  toasts.append(node);
  if (kind !== 'error') setTimeout(() => node.remove(), 8000);
  while (toasts.children.length > 5) toasts.firstChild.remove();
  return node;
}

export function showBanner(text, kind = 'info') {
  banner.textContent = text;
  banner.className = `banner banner-${kind}`;
  banner.hidden = !text;
}

// The error shape of the API ({"error": {"code", "message", "details"}}) as a dispatcher reads it.
export function explain(error) {
  if (error && error.status === 403) return `Refused by the server: ${error.message}`;
  if (error && error.status === 429) return 'The server asks to slow down (rate limit); try again in a moment.';
  if (error && error.status) return `${error.message} (HTTP ${error.status}${error.code ? `, ${error.code}` : ''})`;
  return `Could not reach the server: ${error && error.message}`;
}
