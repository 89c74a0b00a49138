// Link and peer workers: the referrals the service has received, overdue first;
// accept (with the suggested worker) or decline (with a reason).
import { api } from '../api.js';
import {
  h, render, heading, para, link, button, select, table, tag, choices, checkedValues, textarea,
  showFieldErrors, problemField, summaryList, needNames, referralTag, day, when, inset,
} from '../ui.js';

// The reasons the API takes for declining (ReferralStatusChange in openapi.json).
const declineReasons = [
  ['not_eligible', 'Not eligible for the service'], ['declined_by_person', 'The person does not want it'],
  ['unable_to_contact', 'Could not contact the person'], ['duplicate', 'A duplicate of another referral'],
  ['referred_elsewhere', 'Referred to another service'],
];

const personName = (p) => (p ? `${p.given_name || ''} ${p.family_name || ''}`.trim() : '');

export async function triagePage() {
  const r = await api('GET', '/api/v1/referrals?status=received&per_page=100');
  const rows = [...r.contents].sort((a, b) => (b.overdue === true) - (a.overdue === true)
    || (b.urgency === 'urgent') - (a.urgency === 'urgent') || String(a.created_at).localeCompare(String(b.created_at)));
  const overdue = rows.filter((x) => x.overdue).length;
  render('Triage referrals', heading('Triage referrals'),
    para(overdue ? `${overdue} of ${rows.length} waiting referrals are overdue. They are listed first.` : `${rows.length} referrals are waiting for an answer.`),
    rows.length ? table('Referrals waiting for an answer, overdue first', ['Person', 'Received', 'From', 'Needs', ''],
      rows.map((x) => [link(`#/triage/${x.id}`, personName(x.person) || x.reference), day(x.created_at),
        x.source === 'self' ? 'Self-referral' : (x.from_organisation ? x.from_organisation.name : ''),
        (x.reasons || []).map((n) => needNames[n] || n).join(', '),
        h('span', { class: 'lw-actions' }, x.overdue ? tag('Overdue', 'red') : null, x.urgency === 'urgent' ? tag('Urgent', 'orange') : null)]))
      : para('There are no referrals waiting. Well done.'));
}

async function pathways() {
  try { return (await api('GET', '/api/v1/pathways')).pathways || []; } catch (e) { return []; }
}

export async function triageReferralPage({ args, go }) {
  const id = args[0];
  const r = await api('GET', `/api/v1/referrals/${id}`);
  const p = r.person || {};
  const title = personName(p) || r.reference;
  if (r.status !== 'received') {
    render(title, heading(title, `Referral ${r.reference}`), para('This referral has already been answered: ', referralTag(r.status)),
      r.case_id ? para(link(`#/cases/${r.case_id}`, 'Open the case')) : null, para(link('#/triage', 'Back to triage')));
    return;
  }
  const [who, paths] = await Promise.all([api('GET', `/api/v1/referrals/${id}/assignees`), pathways()]);
  const accept = h('form', { novalidate: true, id: 'accept-form' },
    h('h2', { class: 'nhsuk-heading-m' }, 'Accept'),
    choices({ type: 'radio', name: 'assignee', legend: 'Who will hold the case?', hint: 'The suggestion is the worker with the fewest open cases.', legendSize: 's',
      items: who.contents.map((u) => [String(u.id), `${u.name}${u.id === who.suggested_id ? ' (suggested)' : ''}`, `${u.role === 'peer_worker' ? 'Peer worker' : 'Link worker'}, ${u.open_cases} open cases`]),
      checked: who.suggested_id ? String(who.suggested_id) : [] }),
    paths.length ? choices({ type: 'radio', name: 'pathway', legend: 'Which pathway?', legendSize: 's',
      items: [['', 'The usual one for where the referral came from'], ...paths.map((pw) => [pw.name, pw.title || pw.name])], checked: '' }) : null,
    button('Accept referral', { id: 'accept' }));
  accept.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const assignee = checkedValues(accept, 'assignee')[0];
    if (!assignee) { showFieldErrors(accept, [{ field: 'assignee-0', text: 'Choose who will hold the case' }]); return; }
    const body = { status: 'accepted', assignee_id: Number(assignee) };
    const pathway = checkedValues(accept, 'pathway')[0];
    if (pathway) body.pathway = pathway;
    try {
      const out = await api('POST', `/api/v1/referrals/${id}/status`, body);
      go(out.case_id ? `#/cases/${out.case_id}?saved=accepted` : `#/referrals/${id}`);
    } catch (e) {
      if (e.status !== 400 && e.status !== 409) throw e;
      showFieldErrors(accept, [problemField(e, { assignee_id: 'assignee-0', pathway: 'pathway-0' })]);
    }
  });
  const decline = h('form', { novalidate: true, id: 'decline-form' },
    h('h2', { class: 'nhsuk-heading-m' }, 'Decline'),
    select({ id: 'decline-reason', label: 'Reason', options: [['', 'Choose a reason'], ...declineReasons], value: '' }),
    textarea({ id: 'decline-note', label: 'Note for the referrer (optional)', hint: 'They see this with the reason. Do not include case notes.' }),
    button('Decline referral', { id: 'decline', class: 'nhsuk-button nhsuk-button--warning' }));
  decline.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const reason = decline.querySelector('#decline-reason').value;
    if (!reason) { showFieldErrors(decline, [{ field: 'decline-reason', text: 'Choose why you are declining it' }]); return; }
    const body = { status: 'declined', reason };
    const note = decline.querySelector('#decline-note').value.trim();
    if (note) body.note = note;
    try {
      await api('POST', `/api/v1/referrals/${id}/status`, body);
      go('#/triage');
    } catch (e) {
      if (e.status !== 400 && e.status !== 409) throw e;
      showFieldErrors(decline, [problemField(e, { reason: 'decline-reason', note: 'decline-note' })]);
    }
  });
  render(title, heading(title, `Referral ${r.reference}`),
    r.overdue ? inset(`Overdue: waiting ${r.days_waiting || Math.floor((Date.now() - Date.parse(r.created_at)) / 86400000)} days for an answer.`) : null,
    r.possible_duplicate_of ? inset('This may be the same person as another record. Check before you accept.') : null,
    summaryList([
      ['Received', when(r.created_at)],
      ['From', r.source === 'self' ? 'Self-referral' : [r.from_organisation && r.from_organisation.name, r.referrer && r.referrer.name].filter(Boolean).join(', ')],
      ['Urgency', r.urgency === 'urgent' ? tag('Urgent', 'orange') : 'Routine'],
      ['Needs', (r.reasons || []).map((n) => needNames[n] || n).join(', ')],
      ['Details', r.details],
      ['Risks', r.risks],
      ['Date of birth', day(p.date_of_birth)],
      ['NHS number', p.nhs_number],
      ['Phone', p.phone],
      ['Email', p.email],
      ['Postcode', p.postcode],
      ['Language', r.language || p.preferred_language],
      ['Accessibility needs', r.accessibility_needs || p.accessibility_needs],
      ['Consent to share', r.consent ? (r.consent.share ? `Yes${r.consent.given_on ? `, ${day(r.consent.given_on)}` : ''}` : 'No') : null],
    ]),
    accept, decline, para(link('#/triage', 'Back to triage')));
}
