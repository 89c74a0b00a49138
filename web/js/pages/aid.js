// The shared decision aid: the kinds of activity that fit the person's needs,
// each with its pros and cons and its best-matched options; the questions the
// person rates 0 to 10, which re-rank the options; and the decision (chosen
// options become prescriptions, or "not now"). For a case (link and peer
// workers) or directly for a person (clinician prescribers). Also the full
// list of matches for a case, with the services left out and why.
import { api } from '../api.js';
import {
  h, heading, para, link, button, field, showErrors, problemError, tag, choices, textarea, needNames,
  inset, dateInput, dateValue, table, when,
} from '../ui.js';
import { show, pager, distanceText, capacityTag } from './directory.js';
import { personName } from './provider.js';

const PER_PAGE = 20;
const NEW_PERSON_KEY = 'linkwell.aid.person';


export function parseRatings(text) {
  const out = {};
  for (const pair of (text || '').split(',')) {
    const [k, v] = pair.split(':');
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

function ratingsText(ratings) {
  return Object.entries(ratings).map(([k, v]) => `${k}:${v}`).join(',');
}

function travelText(r) {
  const parts = [];
  if (r.distance_m !== null && r.distance_m !== undefined) parts.push(distanceText(r.distance_m));
  if (r.travel_min !== null && r.travel_min !== undefined) parts.push(`about ${r.travel_min} minutes to get there`);
  return parts.join(', ');
}

// Why a service fits, part by part, in words; the parts that count most first.
function reasons(r) {
  const parts = [...(r.parts || [])].sort((a, b) => b.weight - a.weight);
  return h('p', { class: 'nhsuk-body-s nhsuk-u-margin-bottom-2 lw-reasons' }, h('strong', {}, 'Why: '), parts.map((p) => p.reason).join('; '), '.');
}

function matchHeading(r, level = 'h3') {
  return h(level, { class: 'nhsuk-heading-s nhsuk-u-margin-bottom-1' },
    link(`#/directory/services/${encodeURIComponent(r.service.id)}`, r.service.name));
}

function matchFacts(r) {
  return h('p', { class: 'nhsuk-body-s nhsuk-u-margin-bottom-2 lw-secondary' },
    r.service.organization ? r.service.organization.name : '',
    ' · ', h('strong', {}, `Match ${r.score} out of 100`),
    travelText(r) ? ` · ${travelText(r)}` : '',
    r.full ? h('span', {}, ' ', capacityTag('no_capacity')) : null);
}

// ---- The options the person can choose, inside the decision form ----

function optionItem(r, managed) {
  const id = `choose-${r.service.id}`;
  const how = `how-${r.service.id}`;
  return h('li', { class: 'lw-option' },
    matchHeading(r), matchFacts(r), reasons(r),
    h('div', { class: 'nhsuk-form-group nhsuk-u-margin-bottom-2' }, h('div', { class: 'nhsuk-checkboxes nhsuk-checkboxes--small' },
      h('div', { class: 'nhsuk-checkboxes__item' },
        h('input', { class: 'nhsuk-checkboxes__input', type: 'checkbox', name: 'chosen', id, value: r.service.id }),
        h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: id }, 'Choose ', h('span', { class: 'nhsuk-u-visually-hidden' }, r.service.name))))),
    h('div', { class: 'lw-option__how' },
      managed
        ? choices({ type: 'radio', name: how, legend: h('span', {}, 'How', h('span', { class: 'nhsuk-u-visually-hidden' }, ` for ${r.service.name}`)), small: true,
          items: [['referral', `Send a referral to ${r.service.organization.name}`], ['signpost', 'Signpost: they contact the service themselves']], checked: 'referral' })
        : h('p', { class: 'nhsuk-body-s lw-secondary' }, 'Signposted: they contact the service themselves (nobody answers for it in linkwell).'),
      r.full ? field({ id: `override-${r.service.id}`, label: 'It has no places: why send it anyway? (only if you choose it)', width: 30 }) : null));
}

async function managedSet(results) {
  const ids = [...new Set(results.map((r) => r.service.id))];
  const details = await Promise.all(ids.map((id) => api('GET', `/api/v1/services/${encodeURIComponent(id)}`).catch(() => null)));
  return new Set(details.filter((d) => d && d.linkwell && d.linkwell.managed_by).map((d) => d.id));
}

function categorySection(c, managed) {
  const options = c.options || [];
  return h('section', { class: 'lw-category', 'aria-labelledby': `cat-${c.id}` },
    h('h2', { class: 'nhsuk-heading-m', id: `cat-${c.id}` }, c.name),
    c.summary ? para(c.summary) : null,
    h('details', { class: 'nhsuk-details' },
      h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text' }, 'Good things, and things to think about')),
      h('div', { class: 'nhsuk-details__text' },
        h('h3', { class: 'nhsuk-heading-xs' }, 'Good things'),
        h('ul', { class: 'nhsuk-list nhsuk-list--bullet' }, (c.pros || []).map((p) => h('li', {}, p))),
        h('h3', { class: 'nhsuk-heading-xs' }, 'Things to think about'),
        h('ul', { class: 'nhsuk-list nhsuk-list--bullet' }, (c.cons || []).map((p) => h('li', {}, p))))),
    options.length
      ? h('div', {}, h('h3', { class: 'nhsuk-heading-s' }, `Options near them${c.eligible !== undefined ? ` (best ${options.length} of ${c.eligible})` : ''}`),
        h('ul', { class: 'nhsuk-list lw-options' }, options.map((r) => optionItem(r, managed.has(r.service.id)))))
      : para('There is nothing of this kind that suits them locally at the moment.'));
}

// ---- The rating questions ----

function ratingsForm(aid, who, onRate) {
  const scale = [['', 'Not answered'], ['0', '0: does not matter'], ...Array.from({ length: 9 }, (_, n) => [String(n + 1), String(n + 1)]), ['10', '10: matters a lot']];
  const cap = (t) => t.charAt(0).toUpperCase() + t.slice(1);
  const form = h('form', { novalidate: true, id: 'aid-ratings' },
    h('h2', { class: 'nhsuk-heading-m' }, `What matters to ${who}`),
    para(`Ask ${who} how much each of these matters to them, from 0 (not at all) to 10 (a lot). Leave out any they would rather not answer. The options below are then ranked again.`),
    h('div', { class: 'lw-ratings' }, aid.questions.map((q) => {
      const value = aid.ratings && aid.ratings[q.id] !== undefined ? String(aid.ratings[q.id]) : '';
      return h('div', { class: 'nhsuk-form-group', id: `rate-${q.id}-group` },
        h('label', { class: 'nhsuk-label', for: `rate-${q.id}` }, cap(q.text)),
        h('select', { class: 'nhsuk-select', id: `rate-${q.id}`, name: `rate-${q.id}` },
          scale.map(([v, t]) => h('option', { value: v, selected: v === value ? true : undefined }, t))));
    })),
    button('Rank the options again', { id: 'aid-rank', class: 'nhsuk-button nhsuk-button--secondary' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ratings = {};
    for (const q of aid.questions) {
      const v = form.querySelector(`#rate-${q.id}`).value;
      if (v !== '') ratings[q.id] = Number(v);
    }
    onRate(ratings);
  });
  return form;
}

// ---- The decision ----

function decisionForm(aid, managed, { direct, who, onRecord }) {
  const options = aid.categories.flatMap((c) => c.options || []);
  const form = h('form', { novalidate: true, id: 'aid-decision' },
    h('h2', { class: 'nhsuk-heading-l nhsuk-u-margin-top-5' }, 'The options'),
    para(`Talk each kind of activity through with ${who}: open "Good things, and things to think about" under each. Tick what they choose; they can choose more than one.`),
    aid.categories.map((c) => categorySection(c, managed)),
    h('h2', { class: 'nhsuk-heading-m' }, 'Record the decision'),
    direct ? choices({ type: 'radio', name: 'consent', legend: `Does ${who} agree to the provider seeing their contact details?`,
      hint: 'Without it the provider sees only their first name and reference.', items: [['yes', 'Yes'], ['no', 'No']] }) : null,
    textarea({ id: 'decision-note', label: 'Note (optional)', hint: 'What they decided and why, in their words. For the provider too.' }),
    h('div', { class: 'lw-actions' },
      button('Prescribe what they chose', { id: 'decision-chosen', value: 'chosen' }),
      button('Not now', { id: 'decision-not-now', value: 'not_now', class: 'nhsuk-button nhsuk-button--secondary' })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const outcome = ev.submitter && ev.submitter.value === 'not_now' ? 'not_now' : 'chosen';
    const picked = [...form.querySelectorAll('input[name="chosen"]:checked')].map((i) => i.value);
    const errors = [];
    if (outcome === 'chosen' && !picked.length) {
      const first = form.querySelector('input[name="chosen"]');
      errors.push({ field: first ? first.id : 'decision-note', text: 'Tick at least one option they chose, or record "Not now"' });
    }
    const consent = direct && form.querySelector('input[name="consent"]:checked');
    if (direct && outcome === 'chosen' && !consent) errors.push({ field: 'consent-0', text: 'Say whether they agree to the provider seeing their details' });
    if (errors.length) { showErrors(form, errors); return; }
    const note = form.querySelector('#decision-note').value.trim();
    const body = {
      ratings: aid.ratings || {}, considered: [...new Set(options.map((r) => r.service.id))], outcome,
    };
    if (note) body.note = note;
    if (outcome === 'chosen') {
      body.chosen = picked.map((id) => {
        const c = { service_id: id, kind: (form.querySelector(`input[name="how-${CSS.escape(id)}"]:checked`) || {}).value || 'signpost' };
        const o = form.querySelector(`#override-${CSS.escape(id)}`);
        if (o && o.value.trim()) c.override_reason = o.value.trim();
        if (note) c.note = note;
        return c;
      });
      if (direct) body.consent = { share: consent.value === 'yes' };
    }
    const names = Object.fromEntries(options.map((r) => [r.service.id, r.service.name]));
    try {
      await onRecord(body, names);
    } catch (e) {
      const p = e.problem || {};
      const m = /^chosen\[(\d+)\]/.exec(p.field || '');
      const field = m ? `choose-${picked[Number(m[1])]}` : { note: 'decision-note', consent: 'consent-0' }[p.field];
      const err = problemError(e);
      showErrors(form, [{ field, text: m ? `${names[picked[Number(m[1])]] || 'An option'}: ${err.text}` : err.text }]);
    }
  });
  return form;
}

function recordedPage(d, names, who, back) {
  const rx = d.prescriptions || [];
  show('Decision recorded', h('div', { class: 'nhsuk-panel', id: 'decision-recorded' },
    h('h1', { class: 'nhsuk-panel__title' }, 'Decision recorded'),
    h('div', { class: 'nhsuk-panel__body' }, d.outcome === 'not_now' ? `${who} decided not to choose anything now.` : `${rx.length} ${rx.length === 1 ? 'prescription' : 'prescriptions'} made for ${who}.`)),
  rx.length ? h('ul', { class: 'nhsuk-list nhsuk-list--border' }, rx.map((x) => h('li', {},
    link(`#/prescriptions/${x.id}`, names[x.service_id] || x.service_id), ' ',
    tag(x.status === 'sent' ? 'Sent to the provider' : x.status.replace(/_/g, ' '), x.status === 'sent' ? 'blue' : 'grey')))) : null,
  para(`Facilitated by ${d.facilitator ? d.facilitator.name : 'you'} (${d.mode === 'direct' ? 'direct prescribing' : d.mode === 'peer' ? 'peer worker' : 'link worker'}).`),
  back);
}

// ---- For a case (link and peer workers) ----

export async function decisionAidPage({ args, params, go }) {
  const id = args[0];
  const ratings = params.get('ratings') || '';
  const [c, aid, past] = await Promise.all([
    api('GET', `/api/v1/cases/${id}`),
    api('GET', `/api/v1/cases/${id}/decision-aid${ratings ? `?ratings=${encodeURIComponent(ratings)}` : ''}`),
    api('GET', `/api/v1/cases/${id}/decisions`),
  ]);
  const who = personName(c.person);
  const first = c.person.given_name || who;
  const managed = await managedSet(aid.categories.flatMap((x) => x.options || []));
  const rate = ratingsForm(aid, first, (r) => go(`#/cases/${id}/decision-aid${Object.keys(r).length ? `?ratings=${encodeURIComponent(ratingsText(r))}` : ''}`));
  const decide = decisionForm(aid, managed, {
    direct: false, who: first,
    onRecord: async (body, names) => {
      const d = await api('POST', '/api/v1/decisions', { case_id: Number(id), ...body });
      recordedPage(d, names, first, para(link(`#/cases/${id}`, `Back to ${who}'s case`)));
    },
  });
  show(`Decision aid for ${who}`, heading('Choosing an activity together', who),
    para(`Go through this with ${first}: what matters to them, the kinds of activity that could help and what each is like, then the options near them.`),
    Object.keys(aid.ratings || {}).length ? inset(para(`The options are ranked by what ${first} said matters to them.`)) : null,
    rate, decide,
    (past.decisions || []).length ? h('div', {}, h('h2', { class: 'nhsuk-heading-m' }, 'Decisions recorded before'),
      table(`${past.decisions.length} ${past.decisions.length === 1 ? 'decision' : 'decisions'}`, ['When', 'Outcome', 'With'],
        past.decisions.map((d) => [when(d.created_at), d.outcome === 'not_now' ? 'Not now' : `Chose ${d.prescriptions.length}`, d.facilitator ? d.facilitator.name : '']))) : null,
    para(link(`#/cases/${id}/matches`, 'See every match, and what was left out and why')),
    para(link(`#/cases/${id}`, `Back to ${who}'s case`)));
}

export async function matchesPage({ args, params }) {
  const id = args[0];
  const page = Math.max(1, Number(params.get('page') || 1));
  const [c, m] = await Promise.all([
    api('GET', `/api/v1/cases/${id}`),
    api('GET', `/api/v1/cases/${id}/matches?page=${page}&per_page=${PER_PAGE}&excluded=true`),
  ]);
  const who = personName(c.person);
  const excluded = m.excluded || [];
  show(`Matches for ${who}`, heading('Matches', who),
    para(`${m.eligible} ${m.eligible === 1 ? 'service suits' : 'services suit'} ${c.person.given_name || 'them'}, best first; services with no places come last. ${m.excluded_total} ${m.excluded_total === 1 ? 'was' : 'were'} left out.`),
    h('ol', { class: 'nhsuk-list lw-results', start: (page - 1) * PER_PAGE + 1, 'aria-label': 'Matches, best first' },
      m.results.map((r) => h('li', {}, matchHeading(r), matchFacts(r), reasons(r)))),
    pager(m.eligible, page, PER_PAGE, (p) => `#/cases/${id}/matches?page=${p}`),
    h('h2', { class: 'nhsuk-heading-m', id: 'excluded-title' }, 'Left out, and why'),
    excluded.length
      ? h('ul', { class: 'nhsuk-list nhsuk-list--border', 'aria-labelledby': 'excluded-title' }, excluded.map((x) => h('li', { class: 'lw-excluded' },
        link(`#/directory/services/${encodeURIComponent(x.service.id)}`, x.service.name), ` (${x.service.organization.name}): `,
        (x.reasons && x.reasons.length ? x.reasons : [x.reason]).join('; '))))
      : para('Nothing was left out on this page.'),
    para(link(`#/cases/${id}/decision-aid`, 'Use the decision aid')),
    para(link(`#/cases/${id}`, `Back to ${who}'s case`)));
}

// ---- Directly, for a clinician prescriber ----

function newPersonForm(go) {
  const form = h('form', { novalidate: true, id: 'aid-new-person' },
    h('h2', { class: 'nhsuk-heading-m' }, 'Someone not in linkwell yet'),
    field({ id: 'given_name', label: 'First name', width: 20, autocomplete: 'off' }),
    field({ id: 'family_name', label: 'Last name', width: 20, autocomplete: 'off' }),
    dateInput({ id: 'date_of_birth', legend: 'Date of birth', hint: 'For example, 27 3 1960' }),
    field({ id: 'postcode', label: 'Postcode', width: 10, hint: 'To find what is near them', autocomplete: 'off' }),
    field({ id: 'nhs_number', label: 'NHS number (optional)', width: 10, autocomplete: 'off' }),
    choices({ name: 'needs', legend: 'What they need help with', hint: 'The decision aid shows the kinds of activity for these.', items: Object.entries(needNames), small: true }),
    button('Continue', { id: 'aid-new-go' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = (k) => form.querySelector(`#${k}`).value.trim();
    const person = { given_name: v('given_name'), family_name: v('family_name'), date_of_birth: dateValue(form, 'date_of_birth') };
    if (v('postcode')) person.postcode = v('postcode');
    if (v('nhs_number')) person.nhs_number = v('nhs_number');
    const needs = [...form.querySelectorAll('input[name="needs"]:checked')].map((i) => i.value);
    const errors = [];
    if (!person.given_name) errors.push({ field: 'given_name', text: 'Enter their first name' });
    if (!person.family_name) errors.push({ field: 'family_name', text: 'Enter their last name' });
    if (!person.date_of_birth) errors.push({ field: 'date_of_birth-day', text: 'Enter their date of birth' });
    if (errors.length) { showErrors(form, errors); return; }
    sessionStorage.setItem(NEW_PERSON_KEY, JSON.stringify({ person, needs }));
    go('#/decision-aid?new=1');
  });
  return form;
}

async function findPersonPage(params, go) {
  const name = params.get('name') || '';
  const search = h('form', { novalidate: true, id: 'aid-find', class: 'lw-inline-form', role: 'search', 'aria-label': 'People' },
    field({ id: 'find-name', label: 'Name', hint: 'The start of their first or last name', value: name, width: 20, autocomplete: 'off' }),
    button('Find', { id: 'aid-find-go', class: 'nhsuk-button nhsuk-button--secondary' }));
  search.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`#/decision-aid?name=${encodeURIComponent(search.querySelector('#find-name').value.trim())}`);
  });
  let results = null;
  if (name) {
    try {
      const r = await api('GET', `/api/v1/people?name=${encodeURIComponent(name)}&per_page=20`);
      results = r.contents.length
        ? h('ul', { class: 'nhsuk-list nhsuk-list--border', id: 'people-found' }, r.contents.map((p) => h('li', {},
          link(`#/decision-aid?person=${p.id}`, personName(p)), p.date_of_birth ? `, born ${p.date_of_birth}` : '')))
        : para(`Nobody you prescribe for is called ${name}. Enter their details below.`);
    } catch (e) {
      if (e.status !== 400) throw e;
      show('Decision aid', heading('Decision aid'), search);
      showErrors(search, [problemError(e, { name: 'find-name' })]);
      return;
    }
  }
  show('Decision aid', heading('Decision aid'),
    para('Choose an activity together with the person, then prescribe it directly. Find someone you already prescribe for, or enter the details of someone new.'),
    search, results, newPersonForm(go));
}

export async function directAidPage({ params, go }) {
  const personId = params.get('person');
  const isNew = params.get('new') === '1';
  if (!personId && !isNew) { await findPersonPage(params, go); return; }
  const ratings = parseRatings(params.get('ratings'));
  const who = {};
  const body = { ratings };
  if (personId) {
    const p = await api('GET', `/api/v1/people/${personId}`);
    body.person_id = Number(personId);
    who.full = personName(p);
    who.first = p.given_name || who.full;
  } else {
    const stored = JSON.parse(sessionStorage.getItem(NEW_PERSON_KEY) || 'null');
    if (!stored) { go('#/decision-aid'); return; }
    body.person = stored.person;
    if (stored.needs.length) body.preferences = { needs: stored.needs };
    who.full = `${stored.person.given_name} ${stored.person.family_name}`;
    who.first = stored.person.given_name;
  }
  let aid;
  try {
    aid = await api('POST', '/api/v1/decision-aid', body);
  } catch (e) {
    if (e.status !== 400 || !isNew) throw e;
    // The new person's details were not right: back to the form, with the API's words.
    await findPersonPage(new URLSearchParams(), go);
    const form = document.getElementById('aid-new-person');
    for (const [k, v] of Object.entries(body.person)) { const i = form.querySelector(`#${k}`); if (i) i.value = v; }
    const [y, mo, d] = (body.person.date_of_birth || '').split('-');
    form.querySelector('#date_of_birth-day').value = d || '';
    form.querySelector('#date_of_birth-month').value = mo || '';
    form.querySelector('#date_of_birth-year').value = y || '';
    const f = ((e.problem || {}).field || '').replace(/^person\./, '');
    showErrors(form, [problemError(e, { [(e.problem || {}).field]: f === 'date_of_birth' ? 'date_of_birth-day' : f })]);
    return;
  }
  const here = personId ? `#/decision-aid?person=${personId}` : '#/decision-aid?new=1';
  const managed = await managedSet(aid.categories.flatMap((x) => x.options || []));
  const rate = ratingsForm(aid, who.first, (r) => go(`${here}${Object.keys(r).length ? `&ratings=${encodeURIComponent(ratingsText(r))}` : ''}`));
  const decide = decisionForm(aid, managed, {
    direct: true, who: who.first,
    onRecord: async (b, names) => {
      const d = await api('POST', '/api/v1/decisions', { ...(personId ? { person_id: Number(personId) } : { person: body.person }), ...b });
      if (isNew) sessionStorage.removeItem(NEW_PERSON_KEY);
      recordedPage(d, names, who.first, para(link('#/decision-aid', 'Use the decision aid with someone else')));
    },
  });
  show(`Decision aid for ${who.full}`, heading('Choosing an activity together', who.full),
    para(`Go through this with ${who.first}: what matters to them, the kinds of activity that could help and what each is like, then the options near them. What they choose is prescribed directly by you.`),
    Object.keys(aid.ratings || {}).length ? inset(para(`The options are ranked by what ${who.first} said matters to them.`)) : null,
    rate, decide,
    para(link('#/decision-aid', 'Choose someone else')));
}
