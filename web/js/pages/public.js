// Referring yourself, without signing in, in plain English.
import { api } from '../api.js';
import {
  h, render, heading, para, link, button, field, choices, checkedValues, textarea, dateInput,
  showFieldErrors, problemField, inset,
} from '../ui.js';
import { personBody, personFields, needItems } from './referrer.js';

const DONE_KEY = 'linkwell.self-referral';

export async function selfReferralPage({ go }) {
  const services = (await api('GET', '/api/v1/referral-services')).contents;
  // A field people never see or reach: only robots fill it in.
  const honeypot = h('div', { class: 'lw-honeypot', 'aria-hidden': 'true' },
    h('label', { for: 'website' }, 'Leave this empty'),
    h('input', { id: 'website', name: 'website', type: 'text', tabindex: '-1', autocomplete: 'off' }));
  const form = h('form', { novalidate: true, id: 'self-referral-form' },
    h('h2', { class: 'nhsuk-heading-m' }, 'About you'),
    field({ id: 'given-name', label: 'First name', width: 20, autocomplete: 'given-name' }),
    field({ id: 'family-name', label: 'Last name', width: 20, autocomplete: 'family-name' }),
    dateInput({ id: 'dob', legend: 'Date of birth', hint: 'For example, 15 3 1984' }),
    field({ id: 'nhs-number', label: 'NHS number (optional)', hint: 'You can find it on a letter from the NHS or in the NHS App. It is 10 digits long.', width: 10, autocomplete: 'off' }),
    field({ id: 'phone', label: 'Phone number', hint: 'We will use this to call you. Leave it empty if you would rather we email you.', type: 'tel', width: 20, autocomplete: 'tel' }),
    field({ id: 'email', label: 'Email address (optional)', type: 'email', width: 20, autocomplete: 'email' }),
    field({ id: 'postcode', label: 'Postcode', hint: 'So we can find things near you', width: 10, autocomplete: 'postal-code' }),
    h('h2', { class: 'nhsuk-heading-m' }, 'What you would like help with'),
    choices({ name: 'reasons', legend: 'What would you like help with?', hint: 'Choose all that apply', items: needItems, small: true }),
    textarea({ id: 'details', label: 'Tell us a bit more (optional)', hint: 'For example, what you enjoy, or what makes things hard at the moment', rows: 4 }),
    field({ id: 'language', label: 'Which language would you like us to use? (optional)', width: 20, autocomplete: 'off' }),
    field({ id: 'accessibility', label: 'Is there anything that would make it easier for you to take part? (optional)', hint: 'For example, step-free access, large print or an interpreter', width: 30, autocomplete: 'off' }),
    services.length > 1 ? choices({ type: 'radio', name: 'to-org', legend: 'Which social prescribing service is nearest to you?', items: services.map((o) => [String(o.id), o.name]), small: true }) : null,
    choices({ type: 'radio', name: 'consent', legend: 'Can we share your details with the people and groups who will help you?', hint: 'We only share what they need to get in touch with you.', items: [['yes', 'Yes'], ['no', 'No, I would rather talk to someone first']], small: true }),
    honeypot,
    button('Send', { id: 'send-self-referral' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const consent = checkedValues(form, 'consent')[0];
    const body = { person: personBody(form), reasons: checkedValues(form, 'reasons') };
    const opt = (id) => form.querySelector(`#${id}`).value.trim();
    if (opt('details')) body.details = opt('details');
    if (opt('language')) body.language = opt('language');
    if (opt('accessibility')) body.accessibility_needs = opt('accessibility');
    const service = checkedValues(form, 'to-org')[0];
    if (service) body.to_organisation_id = Number(service);
    if (form.querySelector('#website').value) body.website = form.querySelector('#website').value;
    const errors = [];
    if (!body.person.given_name) errors.push({ field: 'given-name', text: 'Enter your first name' });
    if (!body.person.family_name) errors.push({ field: 'family-name', text: 'Enter your last name' });
    if (!body.person.date_of_birth) errors.push({ field: 'dob-day', text: 'Enter your date of birth' });
    if (!body.person.phone && !body.person.email) errors.push({ field: 'phone', text: 'Enter a phone number or an email address so we can get in touch' });
    if (!body.reasons.length) errors.push({ field: 'reasons-0', text: 'Choose at least one thing you would like help with' });
    if (services.length > 1 && !service) errors.push({ field: 'to-org-0', text: 'Choose the service nearest to you' });
    if (!consent) errors.push({ field: 'consent-0', text: 'Tell us if we can share your details' });
    if (errors.length) { showFieldErrors(form, errors); return; }
    body.consent = { share: consent === 'yes' };
    try {
      const r = await api('POST', '/api/v1/self-referrals', body);
      sessionStorage.setItem(DONE_KEY, JSON.stringify({ reference: r.reference, message: r.message }));
      go('#/refer-yourself/done');
    } catch (e) {
      if (e.status === 429) {
        showFieldErrors(form, [{ text: 'Too many requests have come from this connection. Please try again in an hour, or ask your GP practice to refer you.' }]);
      } else if (e.status === 400) {
        const err = problemField(e, { ...personFields, to_organisation_id: 'to-org-0' });
        // Plain English for the date, rather than the API's format.
        if (e.problem.field === 'person.date_of_birth') err.text = 'Date of birth must be a real date in the past, for example 15 3 1984';
        showFieldErrors(form, [err]);
      } else throw e;
    }
  });
  render('Refer yourself', heading('Get help with what matters to you', 'Refer yourself'),
    para('A link worker can help you find local groups and services: for example, if you feel lonely, are worried about money or housing, or want to get more active.'),
    para('Fill in this form and a link worker will get in touch, usually within a week. It takes about 5 minutes.'),
    inset('This is not for emergencies. If you need help now, call 111, or 999 if someone’s life is at risk.'),
    form,
    para('Working for the NHS or a partner? ', link('#/sign-in', 'Sign in'), '.'));
}

export function selfReferralDonePage() {
  let done = null;
  try { done = JSON.parse(sessionStorage.getItem(DONE_KEY)); } catch (e) { done = null; }
  if (!done) {
    render('Refer yourself', heading('Refer yourself'), para(link('#/refer-yourself', 'Fill in the form to refer yourself')));
    return;
  }
  render('Thank you', h('div', { class: 'nhsuk-panel' },
    h('h1', { class: 'nhsuk-panel__title' }, 'We have got your request'),
    h('div', { class: 'nhsuk-panel__body' }, 'Your reference is', h('br'), h('strong', { id: 'reference' }, done.reference))),
  h('h2', { class: 'nhsuk-heading-m' }, 'What happens next'),
  para(done.message || 'A link worker will get in touch with you.'),
  para('If anything changes, or you have not heard from us in 2 weeks, tell your GP practice and give them your reference.'),
  para(link('#/refer-yourself', 'Refer someone else or send another request')));
}
