// A link or peer worker's caseload: overdue actions and milestones first.
import { api } from '../api.js';
import { h, render, heading, para, link, table, tag, day } from '../ui.js';

const levels = { signpost: 'Signposting', light: 'Light', intensive: 'Intensive' };

export async function caseloadPage({ params, me }) {
  const all = params.get('all') === '1' || me.role === 'admin';
  const r = await api('GET', `/api/v1/cases?per_page=100${all ? '' : '&assignee=me'}`);
  // The API sorts overdue first; a case with an overdue milestone (when the
  // API gives one) counts as overdue too.
  const late = (c) => c.overdue || (c.next_milestone && c.next_milestone.overdue) || c.overdue_milestones > 0;
  const rows = [...r.contents].sort((a, b) => late(b) - late(a));
  const name = (c) => `${c.person.given_name || ''} ${c.person.family_name || ''}`.trim() || c.person.reference;
  const overdue = rows.filter(late).length;
  const heads = ['Person', 'Support', 'Next action due', 'Last contact'];
  const milestones = rows.some((c) => c.next_milestone);
  if (milestones) heads.push('Next milestone');
  if (all) heads.push('Worker');
  render(all ? 'Cases' : 'Your caseload', heading(all ? 'Your service’s cases' : 'Your caseload'),
    para(`${r.total} open cases${overdue ? `, ${overdue} with something overdue (listed first)` : ''}.`),
    rows.length ? table(all ? 'Open cases of your service' : 'Your open cases, overdue first', heads, rows.map((c) => {
      const row = [link(`#/cases/${c.id}`, name(c)), levels[c.support_level] || 'Not set',
        h('span', {}, c.next_action_due ? day(c.next_action_due) : 'None', c.next_action_due && c.next_action_due < new Date().toISOString().slice(0, 10) ? [' ', tag('Overdue', 'red')] : null),
        c.last_contact_at ? day(c.last_contact_at) : 'No contact yet'];
      if (milestones) {
        const m = c.next_milestone;
        const mLate = m && (m.overdue || m.due_on < new Date().toISOString().slice(0, 10));
        row.push(m ? h('span', {}, `${m.title}, ${day(m.due_on)}`, mLate ? [' ', tag('Overdue', 'red')] : null) : 'None');
      }
      if (all) row.push(c.assignee ? c.assignee.name : '');
      return row;
    })) : para('You have no open cases.'),
    me.role === 'admin' ? null : para(all ? link('#/caseload', 'Show only your cases') : link('#/caseload?all=1', 'Show all your service’s cases')),
    para(link('#/triage', 'Triage new referrals')));
}
