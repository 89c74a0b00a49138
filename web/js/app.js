// linkwell's web interface: a client of /api/v1/ that adds no rule of its own.
// Pages are addressed by the part of the URL after '#', e.g. #/admin/users,
// so that every page has a link that can be bookmarked and shared.
import { api, setCsrf, whenSignedOut } from './api.js';
import { h, render, heading, para, link } from './ui.js';
import { signInPage } from './pages/signin.js';
import { homePage } from './pages/home.js';
import { organisationsPage, usersPage, userPage, auditPage, aidWordingPage } from './pages/admin.js';
import { referralFormPage, referralsPage, referralPage } from './pages/referrer.js';
import { selfReferralPage, selfReferralDonePage } from './pages/public.js';
import { triagePage, triageReferralPage } from './pages/triage.js';
import { caseloadPage } from './pages/caseload.js';
import { casePage } from './pages/case.js';
import { providerPrescriptionsPage, prescriptionPage, registerPage, ourServicesPage, serviceEditPage } from './pages/provider.js';
import { directoryPage, servicePage } from './pages/directory.js';
import { decisionAidPage, matchesPage, directAidPage } from './pages/aid.js';
import { dashboardPage, reportPage } from './pages/dashboard.js';
import { importsPage } from './pages/imports.js';

const state = { me: null };

// Routes: a pattern, the roles that may open it (none: anyone signed in), the page.
const routes = [
  { path: /^\/$/, page: homePage },
  { path: /^\/admin\/organisations$/, roles: ['admin'], page: organisationsPage },
  { path: /^\/admin\/users$/, roles: ['admin'], page: usersPage },
  { path: /^\/admin\/users\/(\d+)$/, roles: ['admin'], page: userPage },
  { path: /^\/admin\/audit$/, roles: ['admin'], page: auditPage },
  { path: /^\/admin\/decision-aid$/, roles: ['admin'], page: aidWordingPage },
  { path: /^\/refer$/, roles: ['referrer', 'clinician_prescriber'], page: referralFormPage },
  { path: /^\/referrals$/, roles: ['referrer', 'clinician_prescriber', 'link_worker', 'peer_worker', 'admin'], page: referralsPage },
  { path: /^\/referrals\/(\d+)$/, roles: ['referrer', 'clinician_prescriber', 'link_worker', 'peer_worker', 'admin'], page: referralPage },
  { path: /^\/triage$/, roles: ['link_worker', 'peer_worker', 'admin'], page: triagePage },
  { path: /^\/triage\/(\d+)$/, roles: ['link_worker', 'peer_worker', 'admin'], page: triageReferralPage },
  { path: /^\/caseload$/, roles: ['link_worker', 'peer_worker', 'admin'], page: caseloadPage },
  { path: /^\/cases\/(\d+)$/, roles: ['link_worker', 'peer_worker', 'admin'], page: casePage },
  { path: /^\/provider\/prescriptions$/, roles: ['provider'], page: providerPrescriptionsPage },
  { path: /^\/prescriptions\/(\d+)$/, roles: ['provider', 'link_worker', 'peer_worker', 'clinician_prescriber', 'admin'], page: prescriptionPage },
  { path: /^\/provider\/register$/, roles: ['provider'], page: registerPage },
  { path: /^\/provider\/services$/, roles: ['provider'], page: ourServicesPage },
  { path: /^\/provider\/services\/([^/]+)$/, roles: ['provider', 'admin'], page: serviceEditPage },
  { path: /^\/directory$/, page: directoryPage },
  { path: /^\/directory\/services\/([^/]+)$/, page: servicePage },
  { path: /^\/cases\/(\d+)\/decision-aid$/, roles: ['link_worker', 'peer_worker'], page: decisionAidPage },
  { path: /^\/cases\/(\d+)\/matches$/, roles: ['link_worker', 'peer_worker', 'admin'], page: matchesPage },
  { path: /^\/decision-aid$/, roles: ['clinician_prescriber'], page: directAidPage },
  { path: /^\/reports$/, roles: ['commissioner', 'admin', 'link_worker', 'peer_worker'], page: dashboardPage },
  { path: /^\/reports\/([a-z-]+)$/, roles: ['commissioner', 'admin', 'link_worker', 'peer_worker'], page: reportPage },
  { path: /^\/admin\/imports$/, roles: ['admin'], page: importsPage },
];

// Pages anyone may open without signing in.
const publicRoutes = [
  { path: /^\/refer-yourself$/, page: selfReferralPage },
  { path: /^\/refer-yourself\/done$/, page: selfReferralDonePage },
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
  if (['referrer', 'clinician_prescriber'].includes(state.me.role)) items.push(link('#/refer', 'Refer'), link('#/referrals', 'Referrals'));
  if (['link_worker', 'peer_worker'].includes(state.me.role)) items.push(link('#/triage', 'Triage'), link('#/caseload', 'Caseload'));
  if (state.me.role === 'admin') items.push(link('#/admin/imports', 'Import'), link('#/reports', 'Reports'));
  if (state.me.role === 'provider') items.push(link('#/provider/prescriptions', 'Prescriptions'), link('#/provider/register', 'Register'), link('#/provider/services', 'Our listings'));
  if (['link_worker', 'peer_worker', 'clinician_prescriber', 'admin'].includes(state.me.role)) items.push(link('#/directory', 'Directory'));
  if (state.me.role === 'clinician_prescriber') items.push(link('#/decision-aid', 'Decision aid'));
  if (state.me.role === 'commissioner') items.push(link('#/reports', 'Reports'));
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
  const open = publicRoutes.find((rt) => rt.path.test(r.path));
  if (open) {
    try { await open.page({ params: r.params, go }); } catch (e) { errorPage(e); }
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
