// The API: JSON in and out. A 401 asks once for the bearer token and keeps it in a same-site cookie.

let asked = false;

async function answer(r) {
  if (r.status === 401 && !asked) {
    asked = true;
    const token = prompt('This Baton API needs its bearer token');
    if (token) {
      document.cookie = 'baton_token=' + encodeURIComponent(token) + '; SameSite=Strict; path=/';
      location.reload();
    }
  }
  const body = await r.json().catch(() => ({error: `HTTP ${r.status}`}));
  if (body && typeof body === 'object' && !Array.isArray(body)) body.httpStatus = r.status;
  return body;
}

export const get = path => fetch(path).then(answer);

export const post = (path, body) => fetch(path, {
  method: 'POST',
  headers: {'Content-Type': 'application/json'},
  body: JSON.stringify(body || {}),
}).then(answer);

export const enc = encodeURIComponent;
