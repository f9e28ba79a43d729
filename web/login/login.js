// Checks a pasted token against the server, keeps it, and goes back to the page that sent the
// user here (only a path on this origin: `next` never names another site).
import { api, setToken, clearToken, ApiError, homeFor } from '/shared/api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

function nextPath(role) {
  const next = new URLSearchParams(location.search).get('next');
  if (next && next.startsWith('/') && !next.startsWith('//')) return next;
  return homeFor(role);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const value = form.elements.token.value.trim();
  setToken(value);
  try {
    const me = await api('/api/v1/me', { redirectOnUnauthorized: false });
    location.replace(nextPath(me.role));
  } catch (e) {
    clearToken();
    error.textContent = e instanceof ApiError && e.status === 401
      ? 'The server does not know this token (or it was revoked).'
      : `Could not check the token: ${e.message}`;
  }
});
