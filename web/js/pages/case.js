// One case, as its link or peer worker sees it: the person, what matters,
// needs, goals and action plan, contacts, preferences, prescriptions,
// measures with a chart of change, and the pathway's milestones.
import { api } from '../api.js';
import {
  h, render, heading, para, link, button, secondaryButton, field, select, table, tag, choices, checkedValues, textarea,
  showFieldErrors, problemField, summaryList, needNames, prescriptionTag, day, when, saved, lineChart, pageProblem,
} from '../ui.js';

const levels = [['signpost', 'Signposting', 'Information about what is available'], ['light', 'Light', 'A few conversations'], ['intensive', 'Intensive', 'Regular support over weeks']];
const modes = [['phone', 'Phone'], ['face_to_face', 'Face to face'], ['video', 'Video call'], ['text', 'Text message'], ['home_visit', 'Home visit']];
const goalStates = [['active', 'Working on it'], ['achieved', 'Achieved'], ['partly_achieved', 'Partly achieved'], ['not_achieved', 'Not achieved'], ['dropped', 'Dropped']];
const days = [['MO', 'Monday'], ['TU', 'Tuesday'], ['WE', 'Wednesday'], ['TH', 'Thursday'], ['FR', 'Friday'], ['SA', 'Saturday'], ['SU', 'Sunday']];
const instruments = {
  swemwbs: { name: 'SWEMWBS wellbeing', items: 7, range: '1 to 5', score: (s) => s.metric, min: 7, max: 35 },
  ons4: { name: 'ONS4 life satisfaction', items: 4, range: '0 to 10', score: (s) => s.life_satisfaction && s.life_satisfaction.score, min: 0, max: 10 },
  mhcsf: { name: 'MHC-SF mental health continuum', items: 14, range: '0 to 5', score: (s) => s.total, min: 0, max: 70 },
  ucla3: { name: 'UCLA loneliness (3 items)', items: 3, range: '1 to 3', score: (s) => s.total, min: 3, max: 9 },
};
const today = () => new Date().toISOString().slice(0, 10);
const h2 = (text, id) => h('h2', { class: 'nhsuk-heading-m', id }, text);
// A form folded away under a link-like summary (the NHS details component).
const fold = (text, form) => h('details', { class: 'nhsuk-details' },
  h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text' }, text)),
  h('div', { class: 'nhsuk-details__text' }, form));

// A form that sends one request, then shows the case again with a message.
function apiForm(id, children, { send, fields = {}, done, go, caseId }) {
  const form = h('form', { novalidate: true, id }, ...children);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let errors = [];
    let req;
    try { req = send(form, errors); } catch (e) { errors = [{ text: e.message }]; }
    const unfold = () => { const d = form.closest('details'); if (d) d.open = true; };
    if (errors.length) { unfold(); showFieldErrors(form, errors); return; }
    try {
      await api(req[0], req[1], req[2]);
      go(`#/cases/${caseId}?saved=${encodeURIComponent(done)}`);
    } catch (e) {
      if (e.status !== 400 && e.status !== 409) throw e;
      unfold();
      showFieldErrors(form, [problemField(e, fields)]);
    }
  });
  return form;
}

async function optional(path) {
  try { return await api('GET', path); } catch (e) { if (e.status === 404 || e.status === 403) return null; throw e; }
}

export async function casePage({ args, params, go, me }) {
  const id = args[0];
  const c = await api('GET', `/api/v1/cases/${id}`);
  const [rx, measures, path] = await Promise.all([
    api('GET', `/api/v1/prescriptions?case_id=${id}&per_page=100`).catch(() => ({ contents: [] })),
    optional(`/api/v1/cases/${id}/measures`),
    optional(`/api/v1/cases/${id}/milestones`),
  ]);
  const p = c.person;
  const name = `${p.given_name || ''} ${p.family_name || ''}`.trim() || p.reference;
  const open = c.status === 'open';
  // Goals, the plan, contacts and milestones are the workers' to change (not admins').
  const worker = open && me.role !== 'admin';
  const ctx = { go, caseId: id };
  const v = (form, sel) => form.querySelector(sel).value.trim();

  // What matters, support level and needs.
  const about = apiForm('about-form', [
    textarea({ id: 'what-matters', label: 'What matters to them', hint: 'In their own words', value: c.what_matters || '' }),
    choices({ type: 'radio', name: 'support-level', legend: 'Support level', items: levels, checked: c.support_level || [], small: true }),
    choices({ name: 'needs', legend: 'Needs', items: Object.entries(needNames), checked: c.needs.map((n) => n.domain), small: true }),
    button('Save', { id: 'save-about' })], {
    ...ctx, done: 'Saved what matters, support level and needs.',
    fields: { what_matters: 'what-matters', support_level: 'support-level-0', needs: 'needs-0' },
    send: (f) => {
      const body = { what_matters: v(f, '#what-matters') };
      const lvl = checkedValues(f, 'support-level')[0];
      if (lvl) body.support_level = lvl;
      const had = Object.fromEntries(c.needs.map((n) => [n.domain, n.importance]));
      body.needs = checkedValues(f, 'needs').map((d) => ({ domain: d, importance: had[d] !== undefined ? had[d] : 5 }));
      return ['PATCH', `/api/v1/cases/${id}`, body];
    },
  });

  // Goals and the action plan.
  const goalName = Object.fromEntries(c.goals.map((g) => [g.id, g.text]));
  const goalRow = (g) => {
    const f = apiForm(`goal-${g.id}-form`, [
      select({ id: `goal-${g.id}-status`, label: 'Status', options: goalStates, value: g.status }),
      button('Update', { class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small', 'aria-label': `Update goal: ${g.text}` })], {
      ...ctx, done: 'Goal updated.', fields: { status: `goal-${g.id}-status` },
      send: (form) => ['PATCH', `/api/v1/cases/${id}/goals/${g.id}`, { status: v(form, `#goal-${g.id}-status`) }],
    });
    f.classList.add('lw-inline-form');
    return [g.text, g.domain ? needNames[g.domain] || g.domain : '', g.target_date ? day(g.target_date) : '', worker ? f : (goalStates.find((s) => s[0] === g.status) || [0, g.status])[1]];
  };
  const addGoal = apiForm('goal-form', [
        field({ id: 'goal-text', label: 'Goal', hint: 'What they want to achieve, in their words', width: 30 }),
    select({ id: 'goal-domain', label: 'Need it is about (optional)', options: [['', 'None'], ...Object.entries(needNames)], value: '' }),
    field({ id: 'goal-date', label: 'Target date (optional)', type: 'date' }),
    button('Add goal', { id: 'add-goal' })], {
    ...ctx, done: 'Goal added.', fields: { text: 'goal-text', domain: 'goal-domain', target_date: 'goal-date' },
    send: (f, errors) => {
      const body = { text: v(f, '#goal-text') };
      if (!body.text) errors.push({ field: 'goal-text', text: 'Enter the goal' });
      if (v(f, '#goal-domain')) body.domain = v(f, '#goal-domain');
      if (v(f, '#goal-date')) body.target_date = v(f, '#goal-date');
      return ['POST', `/api/v1/cases/${id}/goals`, body];
    },
  });
  const actionRow = (a) => {
    const late = !a.done && a.due < today();
    const mark = worker ? secondaryButton(a.done ? 'Not done' : 'Mark done', {
      'aria-label': `${a.done ? 'Mark not done' : 'Mark done'}: ${a.what}`,
      onclick: async () => {
        try { await api('PATCH', `/api/v1/cases/${id}/actions/${a.id}`, { done: !a.done }); go(`#/cases/${id}?saved=${encodeURIComponent('Action plan updated.')}`); } catch (e) { pageProblem(e); }
      },
    }) : '';
    return [a.what, a.who, h('span', {}, day(a.due), late ? [' ', tag('Overdue', 'red')] : null), a.done ? tag('Done', 'green') : tag('To do', 'grey'),
      a.goal_id ? goalName[a.goal_id] || '' : '', mark];
  };
  const addAction = apiForm('action-form', [
        field({ id: 'action-what', label: 'What', width: 30 }),
    field({ id: 'action-who', label: 'Who', hint: 'For example, the person, or link worker', width: 20 }),
    field({ id: 'action-due', label: 'By when', type: 'date' }),
    select({ id: 'action-goal', label: 'Goal it helps with (optional)', options: [['', 'None'], ...c.goals.map((g) => [String(g.id), g.text])], value: '' }),
    button('Add step', { id: 'add-action' })], {
    ...ctx, done: 'Step added to the plan.', fields: { what: 'action-what', who: 'action-who', due: 'action-due', goal_id: 'action-goal' },
    send: (f, errors) => {
      const body = { what: v(f, '#action-what'), who: v(f, '#action-who'), due: v(f, '#action-due') };
      if (!body.what) errors.push({ field: 'action-what', text: 'Enter what will be done' });
      if (!body.who) errors.push({ field: 'action-who', text: 'Enter who will do it' });
      if (!body.due) errors.push({ field: 'action-due', text: 'Enter when it is due' });
      if (v(f, '#action-goal')) body.goal_id = Number(v(f, '#action-goal'));
      return ['POST', `/api/v1/cases/${id}/actions`, body];
    },
  });

  // Contacts.
  const addContact = apiForm('contact-form', [
        field({ id: 'contact-date', label: 'Date', type: 'date', value: today() }),
    select({ id: 'contact-mode', label: 'How', options: modes, value: 'phone' }),
    field({ id: 'contact-minutes', label: 'Minutes', type: 'number', width: 4 }),
    textarea({ id: 'contact-note', label: 'Note (optional)' }),
    button('Record contact', { id: 'add-contact' })], {
    ...ctx, done: 'Contact recorded.', fields: { date: 'contact-date', mode: 'contact-mode', minutes: 'contact-minutes', note: 'contact-note' },
    send: (f, errors) => {
      const body = { date: v(f, '#contact-date'), mode: v(f, '#contact-mode'), minutes: Number(v(f, '#contact-minutes')) };
      if (!body.date) errors.push({ field: 'contact-date', text: 'Enter the date of the contact' });
      if (!v(f, '#contact-minutes')) errors.push({ field: 'contact-minutes', text: 'Enter how many minutes it took' });
      if (v(f, '#contact-note')) body.note = v(f, '#contact-note');
      return ['POST', `/api/v1/cases/${id}/contacts`, body];
    },
  });

  // How to reach them and what they need to take part: the person's own record.
  const contactFields = [['phone', 'details-phone', 'Phone', 'tel'], ['email', 'details-email', 'Email', 'email'],
    ['postcode', 'details-postcode', 'Postcode', 'text'], ['preferred_language', 'details-language', 'Preferred language', 'text']];
  const details = apiForm('details-form', [
    ...contactFields.map(([k, fid, label, type]) => field({ id: fid, label, type, value: p[k] || '', width: k === 'postcode' ? 10 : undefined })),
    textarea({ id: 'details-accessibility', label: 'Accessibility needs', hint: 'For example a hearing loop, step-free access, large print', value: p.accessibility_needs || '' }),
    button('Save their details', { id: 'save-details' })], {
    ...ctx, done: 'Their details are saved.',
    fields: { ...Object.fromEntries(contactFields.map(([k, fid]) => [k, fid])), accessibility_needs: 'details-accessibility' },
    send: (f, errors) => {
      // Only what changed; the API checks each (a postcode it cannot read, an email).
      const body = {};
      for (const [k, fid] of contactFields) if (v(f, `#${fid}`) !== (p[k] || '')) body[k] = v(f, `#${fid}`);
      if (v(f, '#details-accessibility') !== (p.accessibility_needs || '')) body.accessibility_needs = v(f, '#details-accessibility');
      if (!Object.keys(body).length) errors.push({ field: 'details-phone', text: 'Nothing has changed' });
      return ['PATCH', `/api/v1/people/${p.id}`, body];
    },
  });

  // Preferences, for matching and the decision aid.
  const travels = [['walk', 'On foot'], ['bus', 'By bus'], ['car', 'By car']];
  const pref = p.preferences || {};
  const avail = pref.available || [];
  const prefs = apiForm('preferences-form', [
    field({ id: 'pref-interests', label: 'Interests', hint: 'Separate them with commas, for example gardening, singing', width: 30, value: (pref.interests || []).join(', ') }),
    choices({ type: 'radio', name: 'pref-cost', legend: 'Cost', items: [['free', 'Free only'], ['low', 'Low cost'], ['any', 'Any cost']], checked: pref.cost_limit || [], small: true }),
    choices({ type: 'radio', name: 'pref-setting', legend: 'Setting', items: [['group', 'In a group'], ['one_to_one', 'One to one'], ['either', 'Either']], checked: pref.setting || [], small: true }),
    field({ id: 'pref-km', label: 'Furthest they will travel, in km (optional)', type: 'number', width: 4, value: pref.max_km !== undefined ? String(pref.max_km) : '' }),
    choices({ type: 'radio', name: 'pref-travel', legend: 'How they travel', items: travels, checked: pref.travel || [], small: true }),
    choices({ name: 'pref-days', legend: 'Days they are free', items: days, checked: avail.map((a) => a.day), small: true }),
    h('div', { class: 'lw-inline-form' },
      field({ id: 'pref-from', label: 'From', type: 'time', value: avail[0] ? avail[0].from : '09:00' }),
      field({ id: 'pref-to', label: 'To', type: 'time', value: avail[0] ? avail[0].to : '17:00' })),
    button('Save preferences', { id: 'save-preferences' })], {
    ...ctx, done: 'Preferences saved.', fields: { interests: 'pref-interests', cost_limit: 'pref-cost-0', setting: 'pref-setting-0', max_km: 'pref-km', travel: 'pref-travel-0', available: 'pref-days-0' },
    send: (f) => {
      const body = { needs: c.needs.map((n) => n.domain), interests: v(f, '#pref-interests').split(',').map((s) => s.trim()).filter(Boolean) };
      const cost = checkedValues(f, 'pref-cost')[0];
      const setting = checkedValues(f, 'pref-setting')[0];
      if (cost) body.cost_limit = cost;
      if (setting) body.setting = setting;
      if (v(f, '#pref-km')) body.max_km = Number(v(f, '#pref-km'));
      const travel = checkedValues(f, 'pref-travel')[0];
      if (travel) body.travel = travel;
      // Kept as they were: language and accessibility set through the API.
      if (pref.language) body.language = pref.language;
      if (pref.accessibility) body.accessibility = pref.accessibility;
      body.available = checkedValues(f, 'pref-days').map((d) => ({ day: d, from: v(f, '#pref-from'), to: v(f, '#pref-to') }));
      return ['PUT', `/api/v1/cases/${id}/preferences`, body];
    },
  });

  render(name, heading(name, 'Case'),
    params.get('saved') ? saved(params.get('saved') === 'accepted' ? 'Referral accepted: the case is open.' : params.get('saved')) : null,
    summaryList([
      ['Status', open ? tag('Open', 'green') : tag('Closed', 'grey')],
      ['Worker', c.assignee ? c.assignee.name : ''],
      ['Opened', day(c.opened_at)],
      ['Support level', (levels.find((l) => l[0] === c.support_level) || [0, c.support_level])[1]],
      ['Date of birth', day(p.date_of_birth)],
      ['NHS number', p.nhs_number], ['Phone', p.phone], ['Email', p.email], ['Postcode', p.postcode],
      ['Language', p.preferred_language], ['Accessibility needs', p.accessibility_needs],
      ['Referral', c.referral_id ? link(`#/referrals/${c.referral_id}`, 'See the referral') : null],
    ]),
    worker ? fold('Change their contact details, language or accessibility needs', details) : null,
    para(link(`#/cases/${id}/decision-aid`, 'Choose activities together with the decision aid')),
    h2('What matters to them', 'what-matters-heading'),
    open ? about : [para(c.what_matters || 'Not recorded.'), para(c.needs.map((n) => needNames[n.domain] || n.domain).join(', '))],
    h2('Goals'),
    c.goals.length ? table('Goals', ['Goal', 'Need', 'Target date', 'Status'], c.goals.map(goalRow)) : para('No goals yet.'),
    worker ? fold('Add a goal', addGoal) : null,
    h2('Action plan'),
    c.actions.length ? table('Steps of the action plan', ['What', 'Who', 'Due', 'Done', 'Goal', ''], c.actions.map(actionRow)) : para('No steps yet.'),
    worker ? fold('Add a step to the plan', addAction) : null,
    h2('Contacts'),
    c.contacts.length ? table('Contacts, newest first', ['Date', 'How', 'Minutes', 'Note'],
      c.contacts.map((x) => [day(x.at), (modes.find((m) => m[0] === x.mode) || [0, x.mode])[1], String(x.minutes), x.note || ''])) : para('No contacts yet.'),
    worker ? fold('Record a contact', addContact) : null,
    h2('Preferences'),
    summaryList([
      ['Interests', (pref.interests || []).join(', ')],
      ['Cost', { free: 'Free only', low: 'Low cost', any: 'Any cost' }[pref.cost_limit]],
      ['Setting', { group: 'In a group', one_to_one: 'One to one', either: 'Either' }[pref.setting]],
      ['Furthest to travel', pref.max_km !== undefined ? `${pref.max_km} km` : ''],
      ['Travels', (travels.find((t) => t[0] === pref.travel) || [0, ''])[1]],
      ['Free', avail.map((a) => `${(days.find((d) => d[0] === a.day) || [0, a.day])[1]} ${a.from}–${a.to}`).join(', ')],
    ]),
    open ? fold('Change their preferences', prefs) : null,
    h2('Social prescriptions'),
    rx.contents.length ? table('Activities prescribed', ['Activity', 'Kind', 'Status', 'Since'],
      rx.contents.map((x) => [(x.service && (x.service.name || x.service.id)) || '', x.kind === 'signpost' ? 'Signposted' : 'Referred',
        h('span', {}, prescriptionTag(x.status), x.status_reason ? ` ${x.status_reason.replace(/_/g, ' ')}` : ''), day(x.status_at)]))
      : para('No activities prescribed yet.'),
    measuresSection(measures, open, ctx, id),
    pathwaySection(path, worker, ctx, id),
    para(link('#/caseload', 'Back to your caseload')));
}

function measuresSection(m, open, ctx, id) {
  const list = (m && m.measures) || [];
  const by = {};
  for (const x of list) (by[x.instrument] = by[x.instrument] || []).push(x);
  const charts = Object.entries(by).map(([inst, xs]) => {
    const info = instruments[inst] || { name: inst, score: () => 0, min: 0 };
    const pts = xs.map((x) => [day(x.date), Number(info.score(x.scores || {})) || 0]);
    const desc = `${info.name}: ${pts.map(([d, s]) => `${s} on ${d}`).join(', ')}.`;
    return h('div', {}, h('h3', { class: 'nhsuk-heading-s' }, info.name),
      lineChart({ title: `${info.name} over time`, desc, points: pts.map(([d, s], i) => [`${i + 1}`, s]), min: info.min, max: info.max }),
      table(`${info.name} scores`, ['When', 'Timepoint', 'Score'], xs.map((x, i) => [`${i + 1}. ${day(x.date)}`, x.timepoint.replace('_', ' '), String(pts[i][1])])));
  });
  const form = apiForm('measure-form', [
        select({ id: 'measure-instrument', label: 'Questionnaire', options: Object.entries(instruments).map(([k, x]) => [k, `${x.name} (${x.items} answers, each ${x.range})`]), value: 'swemwbs' }),
    select({ id: 'measure-timepoint', label: 'When in the support', options: [['baseline', 'Start'], ['review', 'Review'], ['end', 'End'], ['follow_up', 'Follow-up']], value: 'baseline' }),
    field({ id: 'measure-date', label: 'Date', type: 'date', value: today() }),
    field({ id: 'measure-items', label: 'Answers', hint: 'In the questionnaire’s order, separated by commas, for example 3, 4, 3, 2, 4, 3, 3', width: 20 }),
    button('Record measure', { id: 'add-measure' })], {
    ...ctx, done: 'Measure recorded.', fields: { instrument: 'measure-instrument', timepoint: 'measure-timepoint', date: 'measure-date', items: 'measure-items' },
    send: (f, errors) => {
      const raw = f.querySelector('#measure-items').value.trim();
      if (!raw) errors.push({ field: 'measure-items', text: 'Enter the answers' });
      return ['POST', '/api/v1/measures', { case_id: Number(id), instrument: f.querySelector('#measure-instrument').value,
        timepoint: f.querySelector('#measure-timepoint').value, date: f.querySelector('#measure-date').value,
        items: raw.split(/[\s,]+/).filter(Boolean).map(Number) }];
    },
  });
  // problemField maps items[3] to the answers box too.
  return [h2('Wellbeing measures'), ...(m === null ? [para('You cannot see the measures of this case.')] : (charts.length ? charts : [para('No measures recorded yet.')])), open && m ? fold('Record a measure', form) : null];
}

function pathwaySection(path, open, ctx, id) {
  if (!path || !path.pathway) return [h2('Pathway'), para('No pathway for this case.')];
  const stateTag = (ms) => (ms.status === 'done' ? tag('Done', 'green') : ms.status === 'skipped' ? tag('Skipped', 'grey') : ms.overdue ? tag('Overdue', 'red') : tag('Open', 'blue'));
  const item = (ms) => {
    const f = apiForm(`milestone-${ms.id}-form`, [
      choices({ type: 'radio', name: `ms-${ms.id}-action`, legend: `Change “${ms.title}”`, items: [['complete', 'Done'], ['move', 'Move the date'], ['skip', 'Skip']], small: true }),
      field({ id: `ms-${ms.id}-date`, label: 'New date (when moving)', type: 'date' }),
      field({ id: `ms-${ms.id}-reason`, label: 'Reason (when moving or skipping)', width: 20 }),
      ms.needs_outcome || /discharge/.test(ms.key || '') ? select({ id: `ms-${ms.id}-outcome`, label: 'Outcome of the review', options: [['', 'Choose'], ['discharged', 'Discharged'], ['extended', 'Extended'], ['re_referred', 'Re-referred']], value: '' }) : null,
      button('Save', { class: 'nhsuk-button nhsuk-button--secondary', 'aria-label': `Save ${ms.title}` })], {
      ...ctx, done: 'Pathway updated.', fields: { action: `ms-${ms.id}-action-0`, due_on: `ms-${ms.id}-date`, reason: `ms-${ms.id}-reason`, outcome: `ms-${ms.id}-outcome` },
      send: (form, errors) => {
        const action = checkedValues(form, `ms-${ms.id}-action`)[0];
        if (!action) errors.push({ field: `ms-${ms.id}-action-0`, text: 'Choose what to do with this milestone' });
        const body = { action };
        const val = (s) => { const el = form.querySelector(s); return el ? el.value.trim() : ''; };
        if (action === 'move') body.due_on = val(`#ms-${ms.id}-date`);
        if (action !== 'complete' && val(`#ms-${ms.id}-reason`)) body.reason = val(`#ms-${ms.id}-reason`);
        if (action === 'complete' && val(`#ms-${ms.id}-outcome`)) body.outcome = val(`#ms-${ms.id}-outcome`);
        return ['POST', `/api/v1/cases/${id}/milestones/${ms.id}`, body];
      },
    });
    return h('li', { class: 'lw-milestone' },
      h('h3', { class: 'nhsuk-heading-s nhsuk-u-margin-bottom-1' }, ms.title, ' ', stateTag(ms)),
      ms.max_contacts ? para(`Up to ${ms.max_contacts} contacts`) : null,
      para(ms.status === 'done' ? `Done ${day(ms.done_on)}` : `Due ${day(ms.due_on)}${ms.original_due_on && ms.original_due_on !== ms.due_on ? ` (first due ${day(ms.original_due_on)})` : ''}`),
      (ms.moves || []).length ? h('ul', { class: 'nhsuk-list nhsuk-body-s' }, ms.moves.map((mv) => h('li', {}, `Moved from ${day(mv.from)} to ${day(mv.to)}${mv.reason ? `: ${mv.reason}` : ''}`))) : null,
      open && ms.status === 'open' ? fold(`Update ${ms.title}`, f) : null);
  };
  return [h2('Pathway'), para(`Pathway: ${path.title || path.pathway.replace(/-/g, ' ')}${path.started_at ? `, since ${day(path.started_at)}` : ''}${path.outcome ? `. Outcome: ${path.outcome.replace('_', ' ')}` : ''}.`),
    h('ol', { class: 'nhsuk-list nhsuk-list--border', 'aria-label': 'Milestones' }, (path.milestones || []).map(item))];
}
