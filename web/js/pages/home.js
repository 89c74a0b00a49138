import { h, render, heading, para, link, roleNames } from '../ui.js';

// What each role can do here, as links. Later features add their pages.
const tasks = {
  admin: [
    ['#/admin/organisations', 'Organisations', 'Add organisations and deactivate ones that have left.'],
    ['#/admin/users', 'Users', 'Add people, change their role, deactivate accounts.'],
    ['#/admin/audit', 'Audit log', 'Who read or changed what, and when.'],
  ],
};

export function homePage({ me }) {
  const mine = tasks[me.role] || [];
  render('Home', heading(`Hello, ${me.name}`, `${roleNames[me.role] || me.role}, ${me.organisation.name}`),
    mine.length
      ? h('ul', { class: 'nhsuk-list nhsuk-list--border' }, mine.map(([href, title, text]) =>
        h('li', {}, h('h2', { class: 'nhsuk-heading-s nhsuk-u-margin-bottom-1' }, link(href, title)), para(text))))
      : para('There is nothing for your role to do here yet.'));
}
