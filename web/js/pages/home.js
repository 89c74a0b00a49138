import { h, render, heading, para, link, roleNames } from '../ui.js';

// What each role can do here, as links. Later features add their pages.
const tasks = {
  admin: [
    ['#/admin/organisations', 'Organisations', 'Add organisations and deactivate ones that have left.'],
    ['#/admin/users', 'Users', 'Add people, change their role, deactivate accounts.'],
    ['#/admin/audit', 'Audit log', 'Who read or changed what, and when.'],
    ['#/admin/decision-aid', 'Decision aid wording', 'The categories, pros and cons people read when they choose an activity.'],
  ],
  referrer: [
    ['#/refer', 'Make a referral', 'Refer someone to a social prescribing link worker.'],
    ['#/referrals', 'Your organisation\'s referrals', 'What happened to the people you referred, and the feedback from the link worker service.'],
  ],
  link_worker: [
    ['#/triage', 'Triage referrals', 'Accept or decline the referrals your service has received, longest waiting first.'],
    ['#/caseload', 'Your caseload', 'The people you support, overdue actions first.'],
  ],
  peer_worker: [
    ['#/triage', 'Triage referrals', 'Accept or decline the referrals your service has received, longest waiting first.'],
    ['#/caseload', 'Your caseload', 'The people you support, overdue actions first.'],
  ],
};

// The provider's, directory, decision aid, reports and import tasks.
const directoryTask = ['#/directory', 'Find a service', 'Search the directory by need, cost, day and distance.'];
const moreTasks = {
  provider: [
    ['#/provider/prescriptions', 'Prescriptions sent to us', 'Accept people, put them on the waiting list or decline, with a reason.'],
    ['#/provider/register', 'Attendance register', 'Mark who came to a session.'],
    ['#/provider/services', 'Our listings', 'Keep your capacity and status up to date.'],
  ],
  link_worker: [directoryTask],
  peer_worker: [directoryTask],
  clinician_prescriber: [
    ['#/decision-aid', 'Decision aid', 'Choose an activity together with a person, and prescribe it directly.'],
    directoryTask,
  ],
  commissioner: [['#/reports', 'Reports', 'Referrals, take-up, outcomes and demand against capacity, with charts and CSV downloads.']],
  admin: [
    ['#/admin/imports', 'Import a directory', 'Add or update services from an Open Referral file, and see what was rejected.'],
    ['#/reports', 'Reports', 'The figures commissioners see, without suppression.'],
    directoryTask,
  ],
};
for (const [role, list] of Object.entries(moreTasks)) tasks[role] = [...(tasks[role] || []), ...list];

export function homePage({ me }) {
  const mine = tasks[me.role] || [];
  render('Home', heading(`Hello, ${me.name}`, `${roleNames[me.role] || me.role}, ${me.organisation.name}`),
    mine.length
      ? h('ul', { class: 'nhsuk-list nhsuk-list--border' }, mine.map(([href, title, text]) =>
        h('li', {}, h('h2', { class: 'nhsuk-heading-s nhsuk-u-margin-bottom-1' }, link(href, title)), para(text))))
      : para('There is nothing for your role to do here yet.'));
}
