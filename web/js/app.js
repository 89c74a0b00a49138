// linkwell's web interface: a client of /api/v1/ that adds no rule of its own.
// Pages are addressed by the part of the URL after '#', e.g. #/admin/users,
// so that every page has a link that can be bookmarked and shared.
import { api, setCsrf, whenSignedOut } from './api.js';
import { h, render, heading, para, link } from './ui.js';
import { signInPage } from './pages/signin.js';
import { homePage } from './pages/home.js';
import { organisationsPage, usersPage, userPage, auditPage } from './pages/admin.js';

const state = { me: null };

// Routes: a pattern, the roles that may open it (none: anyone signed in), the page.
const routes = [
  { path: /^\/$/, page: homePage },
  { path: /^\/admin\/organisations$/, roles: ['admin'], page: organisationsPage },
  { path: /^\/admin\/users$/, roles: ['admin'], page: usersPage },
  { path: /^\/admin\/users\/(\d+)$/, roles: ['admin'], page: userPage },
  { path: /^\/admin\/audit$/, roles: ['admin'], page: auditPage },
];

function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?');
  return { path, params: new URLSearchParams(query), hash: `#${hash}` };
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function nav() {
  const n = document.getElementById('lw-nav');
  if (!state.me) { n.replaceChildren(); return; }
  const items = [link('#/', 'Home')];
  if (state.me.role === 'admin') {
    items.push(link('#/admin/organisations', 'Organisations'), link('#/admin/users', 'Users'), link('#/admin/audit', 'Audit log'));
  }
  items.push(h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out'));
  n.replaceChildren(...items.map((i) => { i.classList.remove('nhsuk-link'); return i; }));
}

async function signOut() {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* already signed out */ }
  setCsrf(null);
  state.me = null;
  nav();
  go('#/sign-in?signed_out=1');
}

export function signedIn(user) {
  state.me = user;
  nav();
}

export function errorPage(err) {
  const status = err && err.status;
  if (status === 403 || status === 404) {
    render('Page not found', heading(status === 403 ? 'You cannot open this page' : 'Page not found'),
      para(status === 403
        ? 'Your account does not give you access to this page. If you think it should, ask your administrator.'
        : 'What you asked for does not exist, or you do not have access to it. Check the address, or go back.'),
      para(link('#/', 'Go to your home page')));
    return;
  }
  render('Sorry, there is a problem', heading('Sorry, there is a problem with the service'),
    para((err && err.problem && err.problem.detail) || 'Try again later.'),
    para(link('#/', 'Go to your home page')));
}

async function route() {
  const r = currentRoute();
  if (r.path === '/sign-in') {
    signInPage(r.params, { signedIn, go });
    return;
  }
  if (!state.me) {
    try {
      signedIn(await api('GET', '/api/v1/users/me'));
    } catch (e) {
      if (e.status !== 401) { errorPage(e); }
      return; // 401: whenSignedOut sends them to sign in
    }
  }
  const match = routes.map((rt) => ({ rt, m: r.path.match(rt.path) })).find((x) => x.m);
  if (!match) { errorPage({ status: 404 }); return; }
  if (match.rt.roles && !match.rt.roles.includes(state.me.role)) { errorPage({ status: 403 }); return; }
  try {
    await match.rt.page({ me: state.me, args: match.m.slice(1), params: r.params, go });
  } catch (e) {
    if (e.status !== 401) errorPage(e);
  }
}

// Signed out (or the session ended): to the sign-in page, then back here.
whenSignedOut(() => {
  state.me = null;
  nav();
  const r = currentRoute();
  if (r.path !== '/sign-in') go(`#/sign-in?expired=1&next=${encodeURIComponent(r.hash)}`);
});

window.addEventListener('hashchange', route);
route();
