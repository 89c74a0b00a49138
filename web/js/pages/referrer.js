// The referrer's pages: the referral form, and the organisation's referrals
// with their status and the feedback the link worker service sent back.
import { api } from '../api.js';
import {
  h, render, heading, para, link, button, field, select, table, inset, choices, checkedValues, textarea,
  dateInput, dateValue, showFieldErrors, problemField, summaryList, needNames, referralTag, day, when,
} from '../ui.js';

// Where the API's field paths are on the form (the error summary links there).
export const personFields = {
  person: 'given-name', 'person.nhs_number': 'nhs-number', 'person.given_name': 'given-name', 'person.family_name': 'family-name',
  'person.date_of_birth': 'dob-day', 'person.postcode': 'postcode', 'person.phone': 'phone', 'person.email': 'email',
  reasons: 'reasons-0', details: 'details', urgency: 'urgency-0', consent: 'consent-0', 'consent.share': 'consent-0',
  'consent.given_on': 'consent-0', risks: 'risks', accessibility_needs: 'accessibility', language: 'language',
  to_organisation_id: 'to-org',
};

export const needItems = Object.entries(needNames);

export function personBody(form) {
  const v = (id) => { const el = form.querySelector(`#${id}`); return el ? el.value.trim() : ''; };
  const person = { given_name: v('given-name'), family_name: v('family-name'), date_of_birth: dateValue(form, 'dob') };
  for (const [k, id] of [['nhs_number', 'nhs-number'], ['postcode', 'postcode'], ['phone', 'phone'], ['email', 'email']]) if (v(id)) person[k] = v(id);
  return person;
}

// The social prescribing services a referral can go to.
async function referralServices() {
  const r = await api('GET', '/api/v1/referral-services');
  return r.contents.map((o) => [o.id, o.name]);
}

function summaryOf(r) {
  const last = (r.feedback || [])[r.feedback.length - 1];
  return last;
}

export async function referralFormPage({ go }) {
  const services = await referralServices();
  const form = h('form', { novalidate: true, id: 'referral-form' },
    h('h2', { class: 'nhsuk-heading-m' }, 'The person'),
    field({ id: 'nhs-number', label: 'NHS number', hint: '10 digits, for example 999 000 0018', width: 10, autocomplete: 'off' }),
    field({ id: 'given-name', label: 'First name', width: 20, autocomplete: 'off' }),
    field({ id: 'family-name', label: 'Last name', width: 20, autocomplete: 'off' }),
    dateInput({ id: 'dob', legend: 'Date of birth', hint: 'For example, 12 3 1948' }),
    field({ id: 'phone', label: 'Phone number (optional)', type: 'tel', width: 20, autocomplete: 'off' }),
    field({ id: 'email', label: 'Email address (optional)', type: 'email', width: 20, autocomplete: 'off' }),
    field({ id: 'postcode', label: 'Postcode (optional)', width: 10, autocomplete: 'off' }),
    h('h2', { class: 'nhsuk-heading-m' }, 'The referral'),
    services.length === 1
      ? h('div', {}, h('input', { type: 'hidden', id: 'to-org', value: String(services[0][0]) }), inset(`This referral goes to ${services[0][1]}.`))
      : select({ id: 'to-org', label: 'Refer to', hint: services.length ? undefined : 'There is no social prescribing service to refer to yet. Ask your administrator.', options: [['', 'Choose a service'], ...services.map(([id, n]) => [String(id), n])], value: '' }),
    choices({ name: 'reasons', legend: 'What does the person need help with?', hint: 'Select all that apply', items: needItems, small: true }),
    textarea({ id: 'details', label: 'What is going on for them (optional)', hint: 'In their words if you can. The link worker reads this before the first conversation.', rows: 4 }),
    choices({ type: 'radio', name: 'urgency', legend: 'How urgent is it?', items: [['routine', 'Routine'], ['urgent', 'Urgent', 'The link worker service will contact them first']], checked: 'routine', small: true }),
    textarea({ id: 'risks', label: 'Risks the link worker should know about (optional)', hint: 'For example, a risk to lone workers on home visits' }),
    field({ id: 'language', label: 'Language they prefer (optional)', width: 20, autocomplete: 'off' }),
    field({ id: 'accessibility', label: 'Accessibility needs (optional)', hint: 'For example, needs step-free access or an interpreter', width: 30, autocomplete: 'off' }),
    choices({ type: 'radio', name: 'consent', legend: 'Does the person agree to share their details with the link worker service and the services it refers them to?', items: [['yes', 'Yes, they agreed today'], ['no', 'No']], small: true }),
    button('Send referral', { id: 'send-referral' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const consent = checkedValues(form, 'consent')[0];
    const body = {
      person: personBody(form), reasons: checkedValues(form, 'reasons'), urgency: checkedValues(form, 'urgency')[0] || 'routine',
      to_organisation_id: Number(form.querySelector('#to-org').value) || 0,
    };
    const opt = (id) => form.querySelector(`#${id}`).value.trim();
    if (opt('details')) body.details = opt('details');
    if (opt('risks')) body.risks = opt('risks');
    if (opt('language')) body.language = opt('language');
    if (opt('accessibility')) body.accessibility_needs = opt('accessibility');
    const errors = [];
    if (!body.person.given_name) errors.push({ field: 'given-name', text: 'Enter their first name' });
    if (!body.person.family_name) errors.push({ field: 'family-name', text: 'Enter their last name' });
    if (!body.person.date_of_birth) errors.push({ field: 'dob-day', text: 'Enter their date of birth' });
    if (!body.to_organisation_id) errors.push({ field: 'to-org', text: 'Choose the service to refer to' });
    if (!body.reasons.length) errors.push({ field: 'reasons-0', text: 'Select at least one thing they need help with' });
    if (!consent) errors.push({ field: 'consent-0', text: 'Say whether they agree to share their details' });
    if (errors.length) { showFieldErrors(form, errors); return; }
    body.consent = { share: consent === 'yes' };
    try {
      const r = await api('POST', '/api/v1/referrals', body);
      go(`#/referrals/${r.id}?sent=1`);
    } catch (e) {
      if (e.status !== 400) throw e;
      showFieldErrors(form, [problemField(e, personFields)]);
    }
  });
  render('Make a referral', heading('Make a referral', 'Social prescribing'),
    para('Refer someone who would benefit from help with what matters to them: loneliness, money, housing, getting active and more.'),
    form);
}

export async function referralsPage({ params }) {
  const page = Math.max(1, Number(params.get('page')) || 1);
  const r = await api('GET', `/api/v1/referrals?page=${page}&per_page=20`);
  // The list gives status only; each referral's feedback is on the referral.
  const full = await Promise.all(r.contents.map((x) => api('GET', `/api/v1/referrals/${x.id}`).catch(() => x)));
  const pages = Math.max(1, Math.ceil(r.total / 20));
  const name = (x) => (x.person ? `${x.person.given_name || ''} ${x.person.family_name || ''}`.trim() : '') || x.reference;
  render('Referrals', heading('Referrals', 'Your organisation'),
    full.length ? table(`${r.total} referrals, newest first (page ${page} of ${pages})`, ['Person', 'Sent', 'Status', 'Latest feedback'],
      full.map((x) => {
        const fb = summaryOf(x);
        return [link(`#/referrals/${x.id}`, name(x)), day(x.created_at), referralTag(x.status),
          fb ? h('span', {}, fb.text, h('br'), h('span', { class: 'nhsuk-body-s' }, `SNOMED CT ${fb.snomed}`)) : 'None yet'];
      })) : para('Your organisation has not sent any referrals yet.'),
    h('nav', { class: 'lw-actions', 'aria-label': 'Pages' }, page > 1 ? link(`#/referrals?page=${page - 1}`, 'Previous page') : null,
      page < pages ? link(`#/referrals?page=${page + 1}`, 'Next page') : null),
    para(link('#/refer', 'Make a referral')));
}

export async function referralPage({ args, params, me }) {
  const r = await api('GET', `/api/v1/referrals/${args[0]}`);
  const p = r.person || {};
  const worker = ['link_worker', 'peer_worker', 'admin'].includes(me.role);
  render(`Referral ${r.reference}`, heading(`${p.given_name || ''} ${p.family_name || ''}`.trim() || r.reference, `Referral ${r.reference}`),
    params.get('sent') ? inset(`Referral sent. Its reference is ${r.reference}. You will see here when the link worker service answers.`) : null,
    summaryList([
      ['Status', referralTag(r.status)],
      ['Sent', when(r.created_at)],
      ['To', r.to_organisation ? r.to_organisation.name : ''],
      r.reasons ? ['Needs', r.reasons.map((n) => needNames[n] || n).join(', ')] : null,
      ['Urgency', r.urgency === 'urgent' ? 'Urgent' : 'Routine'],
      r.status_reason ? ['Reason', r.status_reason.replace(/_/g, ' ')] : null,
      ['SNOMED CT', r.snomed],
      r.activities_started !== undefined ? ['Activities started', String(r.activities_started)] : null,
    ]),
    h('h2', { class: 'nhsuk-heading-m' }, 'Feedback'),
    r.feedback && r.feedback.length
      ? table('Messages from the link worker service', ['Date', 'What happened', 'Message', 'SNOMED CT'],
        r.feedback.map((f) => [day(f.date), f.event.replace(/_/g, ' '), f.text, f.snomed]))
      : para('No feedback yet.'),
    worker && r.status === 'received' ? para(link(`#/triage/${r.id}`, 'Triage this referral')) : null,
    worker && r.case_id ? para(link(`#/cases/${r.case_id}`, 'Open the case')) : null,
    para(link('#/referrals', 'Back to referrals')));
}
