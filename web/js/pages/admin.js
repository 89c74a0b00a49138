// The administrator's pages: organisations, users, the audit log and the decision aid's wording.
import { api } from '../api.js';
import {
  h, render, heading, para, link, button, secondaryButton, field, select, showErrors, clearErrors,
  problemError, table, tag, when, roleNames, kindNames, textarea, saved,
} from '../ui.js';

const roleOptions = Object.entries(roleNames);
const kindOptions = Object.entries(kindNames);

async function allPages(path) {
  const out = [];
  for (let page = 1; page < 1000; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api('GET', `${path}${sep}page=${page}&per_page=100`);
    out.push(...r.contents);
    if (out.length >= r.total || r.contents.length === 0) break;
  }
  return out;
}

function activeTag(active) { return active ? tag('Active', 'green') : tag('Deactivated', 'grey'); }

export async function organisationsPage({ go }) {
  const orgs = await allPages('/api/v1/organisations');
  const form = h('form', { novalidate: true, id: 'new-organisation' },
    h('h2', { class: 'nhsuk-heading-m' }, 'Add an organisation'),
    field({ id: 'org-name', label: 'Name', width: 30 }),
    select({ id: 'org-kind', label: 'Kind', options: [['', 'Choose a kind'], ...kindOptions], value: '' }),
    button('Add organisation', { id: 'add-organisation' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = form.querySelector('#org-name').value.trim();
    const kind = form.querySelector('#org-kind').value;
    const errors = [];
    if (!name) errors.push({ field: 'org-name', text: 'Enter the organisation\'s name' });
    if (!kind) errors.push({ field: 'org-kind', text: 'Choose what kind of organisation it is' });
    if (errors.length) { showErrors(form, errors); return; }
    try {
      await api('POST', '/api/v1/organisations', { name, kind });
      go('#/admin/organisations?added=1');
    } catch (e) {
      showErrors(form, [problemError(e, { name: 'org-name', kind: 'org-kind' })]);
    }
  });
  const toggle = (o) => secondaryButton(o.active ? 'Deactivate' : 'Reactivate', {
    'aria-label': `${o.active ? 'Deactivate' : 'Reactivate'} ${o.name}`,
    onclick: async () => {
      try {
        await api('PATCH', `/api/v1/organisations/${o.id}`, { active: !o.active });
        go('#/admin/organisations');
      } catch (e) { alertProblem(e); }
    },
  });
  render('Organisations', heading('Organisations'),
    table(`${orgs.length} organisations`, ['Name', 'Kind', 'Status', ''],
      orgs.map((o) => [o.name, kindNames[o.kind] || o.kind, activeTag(o.active), toggle(o)])),
    form);
}

function alertProblem(e) {
  const box = h('div', { class: 'nhsuk-error-summary', role: 'alert', tabindex: '-1' },
    h('h2', { class: 'nhsuk-error-summary__title' }, 'There is a problem'),
    h('div', { class: 'nhsuk-error-summary__body' }, para(problemError(e).text)));
  document.querySelectorAll('main > .nhsuk-error-summary').forEach((n) => n.remove());
  document.getElementById('maincontent').prepend(box);
  box.focus();
}

export async function usersPage({ go }) {
  const [users, orgs] = await Promise.all([allPages('/api/v1/users'), allPages('/api/v1/organisations')]);
  const form = h('form', { novalidate: true, id: 'new-user' },
    h('h2', { class: 'nhsuk-heading-m' }, 'Add a user'),
    field({ id: 'user-name', label: 'Full name', width: 30 }),
    field({ id: 'user-email', label: 'Email address', type: 'email', width: 30 }),
    select({ id: 'user-role', label: 'Role', options: [['', 'Choose a role'], ...roleOptions], value: '' }),
    select({ id: 'user-org', label: 'Organisation', options: [['', 'Choose an organisation'], ...orgs.filter((o) => o.active).map((o) => [String(o.id), o.name])], value: '' }),
    field({ id: 'user-password', label: 'First password', type: 'password', hint: 'At least 10 characters. Give it to them in person or by phone; they can ask you to change it.', autocomplete: 'new-password', width: 20 }),
    button('Add user', { id: 'add-user' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (id) => form.querySelector(`#${id}`).value;
    const body = { name: v('user-name').trim(), email: v('user-email').trim(), role: v('user-role'), organisation_id: Number(v('user-org')), password: v('user-password') };
    const errors = [];
    if (!body.name) errors.push({ field: 'user-name', text: 'Enter their full name' });
    if (!body.email) errors.push({ field: 'user-email', text: 'Enter their email address' });
    if (!body.role) errors.push({ field: 'user-role', text: 'Choose their role' });
    if (!body.organisation_id) errors.push({ field: 'user-org', text: 'Choose their organisation' });
    if (errors.length) { showErrors(form, errors); return; }
    try {
      const u = await api('POST', '/api/v1/users', body);
      go(`#/admin/users/${u.id}`);
    } catch (e) {
      showErrors(form, [problemError(e, { name: 'user-name', email: 'user-email', role: 'user-role', organisation_id: 'user-org', password: 'user-password' })]);
    }
  });
  render('Users', heading('Users'),
    table(`${users.length} users`, ['Name', 'Email', 'Role', 'Organisation', 'Status'],
      users.map((u) => [link(`#/admin/users/${u.id}`, u.name), u.email, roleNames[u.role] || u.role, u.organisation.name, activeTag(u.active)])),
    form);
}

export async function userPage({ args, me, go }) {
  const u = await api('GET', `/api/v1/users/${args[0]}`);
  const summary = h('dl', { class: 'nhsuk-summary-list' },
    [['Email', u.email], ['Role', roleNames[u.role] || u.role], ['Organisation', u.organisation.name], ['Status', activeTag(u.active)], ['Added', when(u.created_at)]]
      .map(([k, v]) => h('div', { class: 'nhsuk-summary-list__row' }, h('dt', { class: 'nhsuk-summary-list__key' }, k), h('dd', { class: 'nhsuk-summary-list__value' }, v))));
  const form = h('form', { novalidate: true, id: 'change-user' },
    h('h2', { class: 'nhsuk-heading-m' }, 'Change'),
    select({ id: 'change-role', label: 'Role', options: roleOptions, value: u.role }),
    field({ id: 'change-password', label: 'New password (optional)', type: 'password', autocomplete: 'new-password', hint: 'At least 10 characters. Their other sessions end when you change it.', width: 20 }),
    button('Save changes', { id: 'save-user' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    const role = form.querySelector('#change-role').value;
    const password = form.querySelector('#change-password').value;
    if (role !== u.role) body.role = role;
    if (password) body.password = password;
    if (!Object.keys(body).length) { showErrors(form, [{ field: 'change-role', text: 'Change the role or enter a new password' }]); return; }
    try {
      await api('PATCH', `/api/v1/users/${u.id}`, body);
      go(`#/admin/users/${u.id}?saved=1`);
    } catch (e) {
      showErrors(form, [problemError(e, { role: 'change-role', password: 'change-password' })]);
    }
  });
  const self = u.id === me.id;
  const toggle = self ? null : secondaryButton(u.active ? 'Deactivate this account' : 'Reactivate this account', {
    id: 'toggle-active',
    onclick: async () => {
      try {
        await api('PATCH', `/api/v1/users/${u.id}`, { active: !u.active });
        go(`#/admin/users/${u.id}`);
      } catch (e) { alertProblem(e); }
    },
  });
  render(u.name, heading(u.name, 'User'), summary, form,
    toggle ? h('div', {}, h('h2', { class: 'nhsuk-heading-m' }, u.active ? 'Deactivate' : 'Reactivate'),
      para(u.active ? 'They are signed out at once and their API tokens stop working.' : 'They can sign in again with their password.'), toggle) : null,
    para(link('#/admin/users', 'Back to users')));
}

export async function auditPage({ params, go }) {
  const form = h('form', { novalidate: true, id: 'audit-filter', class: 'lw-inline-form' },
    field({ id: 'user_id', label: 'User id', width: 5, value: params.get('user_id') || '' }),
    field({ id: 'action', label: 'Action', width: 10, value: params.get('action') || '', hint: 'e.g. session.login' }),
    field({ id: 'from', label: 'From', type: 'date', value: params.get('from') || '' }),
    field({ id: 'to', label: 'To', type: 'date', value: params.get('to') || '' }),
    button('Search', { id: 'audit-search' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of ['user_id', 'action', 'from', 'to']) {
      const v = form.querySelector(`#${k}`).value.trim();
      if (v) q.set(k, v);
    }
    go(`#/admin/audit?${q}`);
  });
  const q = new URLSearchParams();
  for (const k of ['user_id', 'action', 'from', 'to', 'page']) if (params.get(k)) q.set(k, params.get(k));
  q.set('per_page', '50');
  let result = null;
  try {
    result = await api('GET', `/api/v1/audit?${q}`);
  } catch (e) {
    if (e.status !== 400) throw e;
    render('Audit log', heading('Audit log'), form);
    showErrors(form, [problemError(e)]);
    return;
  }
  const page = Number(params.get('page') || 1);
  const pages = Math.max(1, Math.ceil(result.total / 50));
  const pageLink = (p, text) => { const pq = new URLSearchParams(q); pq.delete('per_page'); pq.set('page', p); return link(`#/admin/audit?${pq}`, text); };
  clearErrors(form);
  render('Audit log', heading('Audit log'), form,
    table(`${result.total} ${result.total === 1 ? "entry" : "entries"}, newest first (page ${page} of ${pages})`, ['When', 'Who', 'Action', 'Record', 'Outcome', 'From'],
      result.contents.map((e) => [when(e.at), e.user_id ? `${e.user_id} (${roleNames[e.role] || e.role})` : '—', e.action,
        e.resource_type ? `${e.resource_type} ${e.resource_id || ''}` : '', e.outcome, e.remote_addr || ''])),
    h('nav', { class: 'lw-actions', 'aria-label': 'Pages' }, page > 1 ? pageLink(page - 1, 'Previous page') : null, page < pages ? pageLink(page + 1, 'Next page') : null));
}

// The decision aid's wording: each category's name, and the pros and cons a clinician
// and a person read together. Changing them changes what everyone sees at once.
export async function aidWordingPage({ params, go }) {
  const r = await api('GET', '/api/v1/decision-aid/categories');
  const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);
  const section = (c) => {
    const pre = `aid-${c.id}`;
    const form = h('form', { novalidate: true, id: `${pre}-form` },
      field({ id: `${pre}-name`, label: 'Name', value: c.name }),
      textarea({ id: `${pre}-pros`, label: 'Pros', hint: 'One on each line', value: c.pros.join('\n'), rows: Math.max(3, c.pros.length + 1) }),
      textarea({ id: `${pre}-cons`, label: 'Cons', hint: 'One on each line', value: c.cons.join('\n'), rows: Math.max(3, c.cons.length + 1) }),
      button(`Save ${c.name}`, { id: `${pre}-save` }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { name: form.querySelector(`#${pre}-name`).value.trim() };
      const pros = lines(form.querySelector(`#${pre}-pros`).value);
      const cons = lines(form.querySelector(`#${pre}-cons`).value);
      const errors = [];
      if (!body.name) errors.push({ field: `${pre}-name`, text: 'Enter the category\'s name' });
      if (!pros.length) errors.push({ field: `${pre}-pros`, text: 'Enter at least one pro' });
      if (!cons.length) errors.push({ field: `${pre}-cons`, text: 'Enter at least one con' });
      if (errors.length) { showErrors(form, errors); return; }
      body.pros = pros;
      body.cons = cons;
      try {
        await api('PUT', `/api/v1/decision-aid/categories/${encodeURIComponent(c.id)}`, body);
        go(`#/admin/decision-aid?saved=${encodeURIComponent(c.id)}`);
      } catch (e) {
        const err = problemError(e, { name: `${pre}-name` });
        // A pro or con the API refuses ("pros[2]") is marked on its box.
        const list = ((e.problem && e.problem.field) || '').match(/^(pros|cons)/);
        if (list) err.field = `${pre}-${list[1]}`;
        showErrors(form, [err]);
      }
    });
    return h('section', { 'aria-labelledby': `${pre}-heading` },
      h('h2', { class: 'nhsuk-heading-m', id: `${pre}-heading` }, c.name), para(c.summary), form);
  };
  const done = params.get('saved') && r.categories.find((c) => c.id === params.get('saved'));
  render('Decision aid wording', heading('Decision aid wording', 'Administration'),
    done ? saved(`${done.name} is saved: the decision aid shows it from now on.`) : null,
    para('What a clinician or link worker reads with a person when they choose an activity together. Keep it short, plain and fair: every category has its pros and its cons.'),
    r.categories.map(section));
}
