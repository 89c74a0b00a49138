import { api, setCsrf } from '../api.js';
import { h, render, heading, field, button, showErrors, problemError, inset, para } from '../ui.js';

// Where to go after signing in: only a page of this app, never another site.
function safeNext(next) {
  return next && /^#\/[^/]/.test(next) && !next.startsWith('#/sign-in') ? next : '#/';
}

export function signInPage(params, { signedIn, go }) {
  const form = h('form', { novalidate: true, id: 'sign-in-form' },
    field({ id: 'email', label: 'Email address', type: 'email', autocomplete: 'username', width: 20 }),
    field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', width: 20 }),
    button('Sign in', { id: 'sign-in' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const email = form.querySelector('#email').value.trim();
    const password = form.querySelector('#password').value;
    const errors = [];
    if (!email) errors.push({ field: 'email', text: 'Enter your email address' });
    if (!password) errors.push({ field: 'password', text: 'Enter your password' });
    if (errors.length) { showErrors(form, errors); return; }
    try {
      const s = await api('POST', '/api/v1/session', { email, password });
      setCsrf(s.csrf_token);
      signedIn(s.user);
      go(safeNext(params.get('next')));
    } catch (e) {
      showErrors(form, [problemError(e, { email: 'email', password: 'password' })]);
    }
  });
  render('Sign in', heading('Sign in to linkwell'),
    params.get('expired') ? inset('Your session has ended. Sign in again to carry on where you were.') : null,
    params.get('signed_out') ? inset('You have signed out.') : null,
    form,
    para('If you have forgotten your password, ask your organisation\'s linkwell administrator to set a new one.'),
    h('h2', { class: 'nhsuk-heading-m' }, 'Looking for help for yourself?'),
    para('You do not need an account. ', h('a', { class: 'nhsuk-link', href: '#/refer-yourself', id: 'refer-yourself' }, 'Refer yourself to a link worker'), '.'));
}
