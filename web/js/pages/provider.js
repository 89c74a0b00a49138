// The provider's pages: prescriptions sent to us (accept, waitlist, decline),
// the attendance register for a session, our listings and their capacity.
// Also the page of one prescription, which every role the API lets read it
// shares: each sees the actions the API would let them take.
import { api } from '../api.js';
import {
  h, heading, para, link, button, secondaryButton, field, select, showErrors, clearErrors,
  problemError, table, tag, when, choices, textarea, summaryList, pageProblem, saved, day, prescriptionTag,
} from '../ui.js';
import { capacityTag, capacityNames, statusNames, pager, show } from './directory.js';

const PER_PAGE = 20;

// The reasons a provider gives for declining. The API takes a reason as words;
// these ids read as words in the referrer's feedback ("no capacity").
export const declineReasons = [
  ['no_capacity', 'No capacity: we have no places'],
  ['not_eligible', 'Not eligible for this service'],
  ['declined_by_person', 'The person decided not to take it up'],
  ['unable_to_contact', 'We could not contact the person'],
  ['not_suitable', 'Not suitable for the person\'s needs'],
  ['other', 'Another reason'],
];

const statusFilter = [
  ['', 'All'], ['sent', 'Waiting for your answer'], ['waitlisted', 'On the waiting list'], ['accepted', 'Accepted'],
  ['started', 'Started'], ['declined', 'Declined'], ['completed', 'Completed'], ['dropped_out', 'Dropped out'],
];

export function personName(p) {
  if (!p) return 'Unknown';
  const name = [p.given_name, p.family_name].filter(Boolean).join(' ');
  return p.reference ? `${name} (${p.reference})` : name;
}

export function today() { return new Date().toISOString().slice(0, 10); }

// ---- Prescriptions sent to us ----

export async function providerPrescriptionsPage({ params, go }) {
  const status = params.get('status') || '';
  const page = Math.max(1, Number(params.get('page') || 1));
  const q = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE) });
  if (status) q.set('status', status);
  const r = await api('GET', `/api/v1/prescriptions?${q}`);
  const form = h('form', { novalidate: true, id: 'rx-filter', class: 'lw-inline-form' },
    select({ id: 'status', label: 'Show', options: statusFilter, value: status }),
    button('Show', { id: 'rx-filter-go', class: 'nhsuk-button nhsuk-button--secondary' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = form.querySelector('#status').value;
    go(`#/provider/prescriptions${v ? `?status=${v}` : ''}`);
  });
  const label = (statusFilter.find(([v]) => v === status) || statusFilter[0])[1].toLowerCase();
  show('Prescriptions sent to us', heading('Prescriptions sent to us'),
    para('People that link workers and clinicians have prescribed to your organisation\'s services. Open one to accept it, put it on the waiting list or decline it.'),
    form,
    r.contents.length
      ? table(`${r.total} ${r.total === 1 ? 'prescription' : 'prescriptions'} (${label})`, ['Person', 'Service', 'Status', 'Since', ''],
        r.contents.map((x) => [personName(x.person), x.service.name, prescriptionTag(x.status), day(x.status_at || x.created_at),
          link(`#/prescriptions/${x.id}`, h('span', {}, 'Open', h('span', { class: 'nhsuk-u-visually-hidden' }, ` the prescription for ${personName(x.person)}`)))]))
      : para('There are no prescriptions here.'),
    pager(r.total, page, PER_PAGE, (p) => `#/provider/prescriptions?${new URLSearchParams({ ...(status ? { status } : {}), page: String(p) })}`));
}

// ---- One prescription ----

export async function prescriptionPage({ args, me, params, go }) {
  let x;
  try {
    x = await api('GET', `/api/v1/prescriptions/${args[0]}`);
  } catch (e) {
    if (e.status !== 404) throw e;
    show('Prescription not found', heading('We cannot show this prescription'),
      para('It does not exist, or it was sent to another organisation, so you do not have access to it.'),
      me.role === 'provider'
        ? para('The prescriptions sent to your organisation are in ', link('#/provider/prescriptions', 'prescriptions sent to us'), '.')
        : para(link('#/', 'Go to your home page')));
    return;
  }
  const here = `#/prescriptions/${x.id}`;
  const sections = [];
  const isProvider = me.role === 'provider';
  const isSender = ['link_worker', 'peer_worker', 'clinician_prescriber'].includes(me.role);

  const change = async (body, form) => {
    try {
      await api('POST', `/api/v1/prescriptions/${x.id}/status`, body);
      go(`${here}?done=${body.status}`);
    } catch (e) {
      if (form) showErrors(form, [problemError(e, { reason: 'decline-reason-0', override_reason: 'override-reason' })]);
      else pageProblem(e);
    }
  };

  if (isProvider && (x.status === 'sent' || x.status === 'waitlisted')) {
    const answer = h('div', { class: 'lw-actions' },
      button('Accept', { type: 'button', id: 'rx-accept', onclick: () => change({ status: 'accepted' }) }),
      x.status === 'sent' ? secondaryButton('Put on the waiting list', { id: 'rx-waitlist', onclick: () => change({ status: 'waitlisted' }) }) : null);
    const decline = h('form', { novalidate: true, id: 'rx-decline' },
      h('h3', { class: 'nhsuk-heading-s' }, 'Decline'),
      choices({ type: 'radio', name: 'decline-reason', legend: 'Why are you declining it?', hint: 'The person\'s link worker or clinician and their GP are told.', items: declineReasons }),
      textarea({ id: 'decline-detail', label: 'If you chose another reason, what is it?' }),
      button('Decline', { id: 'rx-decline-go', class: 'nhsuk-button nhsuk-button--warning' }));
    decline.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const reason = (decline.querySelector('input[name="decline-reason"]:checked') || {}).value;
      const detail = decline.querySelector('#decline-detail').value.trim();
      if (!reason) { showErrors(decline, [{ field: 'decline-reason-0', text: 'Choose why you are declining it' }]); return; }
      if (reason === 'other' && !detail) { showErrors(decline, [{ field: 'decline-detail', text: 'Say why you are declining it' }]); return; }
      change({ status: 'declined', reason: reason === 'other' ? detail : reason }, decline);
    });
    sections.push(h('section', { 'aria-labelledby': 'answer-title' },
      h('h2', { class: 'nhsuk-heading-m', id: 'answer-title' }, 'Your answer'),
      para(x.status === 'sent' ? 'Accept it if you have a place, put it on the waiting list if you will have one later, or decline it.' : 'The person is on your waiting list. Accept them when you have a place, or decline.'),
      answer, decline));
  }

  if (isSender && x.status === 'proposed' && x.kind === 'referral') {
    const send = h('form', { novalidate: true, id: 'rx-send' },
      h('h2', { class: 'nhsuk-heading-m' }, 'Send it to the provider'),
      para(`${x.service.name} is told about it and answers here.`),
      x.service.capacity_status && x.service.capacity_status !== 'capacity'
        ? field({ id: 'override-reason', label: 'Why send it although the service says it has no places?', width: 30 })
        : null,
      button('Send to the provider', { id: 'rx-send-go' }));
    send.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const o = send.querySelector('#override-reason');
      change(o && o.value.trim() ? { status: 'sent', override_reason: o.value.trim() } : { status: 'sent' }, send);
    });
    sections.push(send);
  }

  if (x.status === 'accepted' || x.status === 'started' || (x.kind === 'signpost' && x.status === 'proposed')) {
    sections.push(attendanceForm(x, here, params, go));
  }
  if (x.status === 'started' || (x.status === 'accepted' && !isProvider)) {
    sections.push(h('section', { 'aria-labelledby': 'finish-title' },
      h('h2', { class: 'nhsuk-heading-m', id: 'finish-title' }, 'Finish'),
      h('div', { class: 'lw-actions' },
        x.status === 'started' ? secondaryButton('Completed', { id: 'rx-complete', onclick: () => change({ status: 'completed' }) }) : null,
        secondaryButton('Dropped out', { id: 'rx-dropout', onclick: () => change({ status: 'dropped_out' }) }))));
  }

  const done = params.get('done');
  const doneText = {
    accepted: 'You accepted it. The person\'s link worker or clinician has been told.',
    waitlisted: 'You put it on the waiting list.', declined: 'You declined it. The sender has been told why.',
    sent: 'Sent to the provider.', completed: 'Marked as completed.', dropped_out: 'Marked as dropped out.', attendance: 'Attendance recorded.',
  }[done];
  const att = x.attendance || [];
  show(`Prescription for ${personName(x.person)}`, heading(personName(x.person), 'Social prescription'),
    doneText ? saved(doneText) : null,
    summaryList([
      ['Service', x.service.name],
      ['Status', h('span', {}, prescriptionTag(x.status), x.status_reason ? ` ${x.status_reason.replace(/_/g, ' ')}` : '')],
      ['Kind', x.kind === 'signpost' ? 'Signpost (the person goes themselves)' : 'Referral (sent to the provider)'],
      ['Made by', x.mode === 'direct' ? 'A clinician, directly' : 'A link worker'],
      ['Sent', when(x.created_at)],
      x.person.date_of_birth ? ['Date of birth', day(x.person.date_of_birth)] : null,
      x.person.phone !== undefined ? ['Phone', x.person.phone] : null,
      x.person.preferred_language ? ['Preferred language', x.person.preferred_language] : null,
      x.person.accessibility_needs ? ['Accessibility needs', x.person.accessibility_needs] : null,
      ['Note for the provider', x.note],
      x.consent_share === false ? ['Consent', 'The person has not agreed to share their details with you'] : null,
    ]),
    ...sections,
    h('h2', { class: 'nhsuk-heading-m' }, 'Attendance'),
    att.length
      ? table(`${att.filter((a) => a.attended).length} of ${att.length} sessions attended`, ['Date', 'Attended', 'Note'],
        att.map((a) => [day(a.date), a.attended ? tag('Attended', 'green') : tag('Did not attend', 'orange'), a.note || '']))
      : para('No sessions recorded yet.'),
    (x.feedback || []).length ? h('div', {}, h('h2', { class: 'nhsuk-heading-m' }, 'Feedback sent'),
      h('ul', { class: 'nhsuk-list nhsuk-list--bullet' }, x.feedback.map((f) => h('li', {}, `${day(f.date)}: ${f.text}`)))) : null,
    para(isProvider ? link('#/provider/prescriptions', 'Back to prescriptions sent to us')
      : x.case_id ? link(`#/cases/${x.case_id}`, `Back to ${personName(x.person)}'s case`) : link('#/', 'Go to your home page')));
}

function attendanceForm(x, here, params, go) {
  const form = h('form', { novalidate: true, id: 'rx-attendance' },
    h('h2', { class: 'nhsuk-heading-m' }, 'Record a session'),
    field({ id: 'att-date', label: 'Date of the session', type: 'date', value: params.get('date') || today() }),
    choices({ type: 'radio', name: 'att-attended', legend: 'Did they come?', items: [['yes', 'Attended'], ['no', 'Did not attend']], small: true }),
    field({ id: 'att-note', label: 'Note (optional)', width: 30 }),
    button('Record', { id: 'att-save' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const date = form.querySelector('#att-date').value;
    const came = (form.querySelector('input[name="att-attended"]:checked') || {}).value;
    const errors = [];
    if (!date) errors.push({ field: 'att-date', text: 'Enter the date of the session' });
    if (!came) errors.push({ field: 'att-attended-0', text: 'Say whether they came' });
    if (errors.length) { showErrors(form, errors); return; }
    const body = { date, attended: came === 'yes' };
    const note = form.querySelector('#att-note').value.trim();
    if (note) body.note = note;
    try {
      await api('POST', `/api/v1/prescriptions/${x.id}/attendance`, body);
      go(`${here}?done=attendance`);
    } catch (e) {
      showErrors(form, [problemError(e, { date: 'att-date', attended: 'att-attended-0', note: 'att-note' })]);
    }
  });
  return form;
}

// ---- The attendance register for a session ----

async function ourServices() {
  const out = [];
  for (let page = 1; page < 50; page++) {
    const r = await api('GET', `/api/v1/services?managed_by=me&status=active,inactive,temporarily%20closed&per_page=100&page=${page}`);
    out.push(...r.contents);
    if (out.length >= r.total || !r.contents.length) break;
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function prescriptionsFor(serviceId, statuses) {
  const out = [];
  for (const status of statuses) {
    for (let page = 1; page < 50; page++) {
      const r = await api('GET', `/api/v1/prescriptions?${new URLSearchParams({ service_id: serviceId, status, per_page: '100', page: String(page) })}`);
      out.push(...r.contents);
      if (r.contents.length < 100) break;
    }
  }
  return out;
}

export async function registerPage({ params, go }) {
  const services = await ourServices();
  const serviceId = params.get('service') || '';
  const date = params.get('date') || today();
  const pick = h('form', { novalidate: true, id: 'register-pick', class: 'lw-inline-form' },
    select({ id: 'register-service', label: 'Service', options: [['', 'Choose a service'], ...services.map((s) => [s.id, s.name])], value: serviceId }),
    field({ id: 'register-date', label: 'Date of the session', type: 'date', value: date }),
    button('Show the register', { id: 'register-show', class: 'nhsuk-button nhsuk-button--secondary' }));
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const s = pick.querySelector('#register-service').value;
    const d = pick.querySelector('#register-date').value;
    if (!s) { showErrors(pick, [{ field: 'register-service', text: 'Choose the service whose register you are taking' }]); return; }
    go(`#/provider/register?${new URLSearchParams({ service: s, date: d || today() })}`);
  });
  const intro = para('Choose a service and the date of the session, then mark who came. Each person\'s first attendance tells their link worker and GP that they have started.');
  if (!serviceId) {
    show('Attendance register', heading('Attendance register'), intro, pick);
    return;
  }
  const service = services.find((s) => s.id === serviceId);
  const people = (await prescriptionsFor(serviceId, ['accepted', 'started'])).sort((a, b) => personName(a.person).localeCompare(personName(b.person)));
  // The register of each person: their full record has the dates already taken.
  const full = await Promise.all(people.map((x) => api('GET', `/api/v1/prescriptions/${x.id}`)));
  const form = h('form', { novalidate: true, id: 'register' });
  const rows = full.map((x, i) => {
    const already = (x.attendance || []).find((a) => a.date === date);
    const name = `att-${x.id}`;
    const cell = already
      ? (already.attended ? tag('Attended', 'green') : tag('Did not attend', 'orange'))
      : h('div', { class: 'nhsuk-form-group lw-register__choice' }, h('fieldset', { class: 'nhsuk-fieldset' },
        h('legend', { class: 'nhsuk-u-visually-hidden' }, `${personName(x.person)} on ${day(date)}`),
        h('div', { class: 'nhsuk-radios nhsuk-radios--small nhsuk-radios--inline' },
          [['yes', 'Attended'], ['no', 'Did not attend']].map(([v, t], j) => h('div', { class: 'nhsuk-radios__item' },
            h('input', { class: 'nhsuk-radios__input', type: 'radio', name, id: `${name}-${j}`, value: v }),
            h('label', { class: 'nhsuk-label nhsuk-radios__label', for: `${name}-${j}` }, t))))));
    return [link(`#/prescriptions/${x.id}`, personName(x.person)), prescriptionTag(x.status),
      (x.attendance || []).length ? `${(x.attendance || []).filter((a) => a.attended).length} of ${(x.attendance || []).length}` : 'None yet', h('div', { id: `row-${i}` }, cell)];
  });
  const open = full.filter((x) => !(x.attendance || []).find((a) => a.date === date));
  form.append(
    table(`${full.length} ${full.length === 1 ? 'person' : 'people'} on ${day(date)}`, ['Person', 'Status', 'Sessions attended', 'This session'], rows),
    open.length ? button('Save the register', { id: 'register-save' }) : para('Everyone\'s attendance for this date is recorded.'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const marked = open.map((x) => [x, (form.querySelector(`input[name="att-${x.id}"]:checked`) || {}).value]).filter(([, v]) => v);
    if (!marked.length) { showErrors(form, [{ field: `att-${open[0].id}-0`, text: 'Mark at least one person as attended or did not attend' }]); return; }
    const errors = [];
    for (const [x, v] of marked) {
      try {
        await api('POST', `/api/v1/prescriptions/${x.id}/attendance`, { date, attended: v === 'yes' });
      } catch (e) {
        errors.push({ field: `att-${x.id}-0`, text: `${personName(x.person)}: ${problemError(e).text}` });
      }
    }
    if (errors.length) { showErrors(form, errors); return; }
    go(`#/provider/register?${new URLSearchParams({ service: serviceId, date, saved: String(marked.length) })}`);
  });
  const n = Number(params.get('saved') || 0);
  show('Attendance register', heading('Attendance register', service ? service.name : undefined),
    n ? saved(`Attendance saved for ${n} ${n === 1 ? 'person' : 'people'}.`) : null,
    pick,
    full.length ? form : para('Nobody has an accepted prescription to this service yet.'));
}

// ---- Our listings and their capacity ----

export async function ourServicesPage() {
  const services = await ourServices();
  show('Our listings', heading('Our listings'),
    para('The directory entries your organisation keeps. Keep capacity up to date so link workers do not send people to a full group; check each listing at least once a year.'),
    services.length
      ? table(`${services.length} ${services.length === 1 ? 'listing' : 'listings'}`, ['Service', 'Places', 'Capacity', 'Status', 'Last checked'],
        services.map((s) => [link(`#/provider/services/${encodeURIComponent(s.id)}`, s.name), s.capacity ?? 'Not given', capacityTag(s.capacity_status),
          statusNames[s.status] || s.status, h('span', {}, day(s.last_checked) || 'Never', s.stale ? h('span', {}, ' ', tag('Needs checking', 'orange')) : null)]))
      : para('Your organisation keeps no listings yet.'));
}

export async function serviceEditPage({ args, params, go }) {
  const id = decodeURIComponent(args[0]);
  const s = await api('GET', `/api/v1/services/${encodeURIComponent(id)}`);
  const lw = s.linkwell || {};
  const form = h('form', { novalidate: true, id: 'service-edit' },
    field({ id: 'capacity', label: 'Places', type: 'number', width: 4, value: lw.capacity ?? '', hint: 'How many people can take part at a time. Leave empty if you do not know.' }),
    choices({ type: 'radio', name: 'capacity-status', legend: 'Can you take new people?', items: Object.entries(capacityNames), checked: lw.capacity_status }),
    select({ id: 'service-status', label: 'Status', options: Object.entries(statusNames), value: s.status }),
    choices({ name: 'checked', legend: 'Checked', items: [['yes', 'I have checked this listing today and it is right']] }),
    button('Save changes', { id: 'service-save' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const cap = form.querySelector('#capacity').value.trim();
    const body = {};
    if (cap === '') { if (lw.capacity !== null && lw.capacity !== undefined) body.capacity = null; } else body.capacity = Number(cap);
    const cs = (form.querySelector('input[name="capacity-status"]:checked') || {}).value;
    if (cs && cs !== lw.capacity_status) body.capacity_status = cs;
    const st = form.querySelector('#service-status').value;
    if (st !== s.status) body.status = st;
    if (form.querySelector('#checked-0').checked) body.checked = true;
    if (!Object.keys(body).length) { showErrors(form, [{ field: 'capacity', text: 'Change something, or tick that you have checked the listing' }]); return; }
    try {
      await api('PATCH', `/api/v1/services/${encodeURIComponent(id)}`, body);
      go(`#/provider/services/${encodeURIComponent(id)}?saved=1`);
    } catch (e) {
      showErrors(form, [problemError(e, { capacity: 'capacity', capacity_status: 'capacity-status-0', status: 'service-status', checked: 'checked-0' })]);
    }
  });
  show(s.name, heading(s.name, 'Our listing'),
    params.get('saved') ? saved('Your changes are saved. The directory shows them at once.') : null,
    summaryList([
      ['Places', lw.capacity ?? 'Not given'], ['Capacity', capacityTag(lw.capacity_status)], ['Status', statusNames[s.status] || s.status],
      ['Last checked', h('span', {}, day(lw.last_checked) || 'Never', lw.stale ? h('span', {}, ' ', tag('Needs checking', 'orange')) : null)],
    ]),
    h('h2', { class: 'nhsuk-heading-m' }, 'Change capacity or status'), form,
    para(link(`#/directory/services/${encodeURIComponent(id)}`, 'See it as link workers do')),
    para(link('#/provider/services', 'Back to our listings')));
}
