// Placeholder page: sign in through the API and show who you are.
'use strict';
let csrf = null;
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined,
                                credentials: 'same-origin' });
  const text = await r.text();
  return { status: r.status, data: text ? JSON.parse(text) : null };
}

function show(user) {
  $('signin').hidden = !!user;
  $('me').hidden = !user;
  if (user) {
    $('me-text').textContent = `${user.name} (${user.email}), ${user.role.replace(/_/g, ' ')} at ${user.organisation.name}`;
  }
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('message').textContent = '';
  const r = await api('POST', '/api/v1/session', { email: $('email').value, password: $('password').value });
  if (r.status === 201) {
    csrf = r.data.csrf_token;
    show(r.data.user);
  } else {
    $('message').textContent = r.data && r.data.detail ? r.data.detail : 'Sign-in failed.';
  }
});

$('signout').addEventListener('click', async () => {
  await api('DELETE', '/api/v1/session');
  csrf = null;
  show(null);
});
