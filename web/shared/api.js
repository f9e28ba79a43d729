// What the three web apps share: the token (kept in localStorage, sent in the Authorization
// header, never put in a URL), calls to the API with its error shape, and building DOM from
// data without ever parsing it as HTML.

const TOKEN_KEY = 'fieldserve.token';

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  localStorage.setItem(TOKEN_KEY, value);
}

export function clearToken() {
  localStorage.removeItem(TOKEN_KEY);
}

export function loginUrl() {
  return `/login/?next=${encodeURIComponent(location.pathname + location.search)}`;
}

// The token, or off to the login page when there is none. Await it at the top of a module: with
// no token the promise never settles, so the module stops there quietly while the browser
// navigates (a thrown error would show as an uncaught page error).
export function requireToken() {
  const t = token();
  if (t) return Promise.resolve(t);
  location.replace(loginUrl());
  return new Promise(() => {});
}

// The app each role lands on after logging in.
export function homeFor(role) {
  if (role === 'technician') return '/tech/';
  if (role === 'manager') return '/dashboard/';
  return '/console/';
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

// Calls the API; resolves with the parsed JSON (or text for non-JSON answers), rejects with an
// ApiError carrying the server's code and message. A 401 means the token is gone or revoked:
// it is dropped and the user sent to log in again, unless the caller handles it.
export async function api(path, { method = 'GET', body, signal, redirectOnUnauthorized = true } = {}) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    cache: 'no-store',
  });
  const type = response.headers.get('Content-Type') || '';
  const payload = type.includes('application/json') ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401 && redirectOnUnauthorized) {
      clearToken();
      location.replace(loginUrl());
    }
    const err = payload && payload.error ? payload.error : {};
    throw new ApiError(response.status, err.code, err.message, err.details);
  }
  return payload;
}

// el('li', {class: 'job', dataset: {id: 4}}, 'text', child): text always goes in as text.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// "12 min", "3 h 05 min", "-25 min" for a number of minutes.
export function minutes(value) {
  if (value === null || value === undefined) return '';
  const sign = value < 0 ? '-' : '';
  const m = Math.round(Math.abs(value));
  if (m < 60) return `${sign}${m} min`;
  return `${sign}${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function localTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}
