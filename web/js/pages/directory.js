// Directory search: words, filters, distance from a postcode, paging; and the
// page of one service. Everything is what GET /api/v1/services answers.
import { api } from '../api.js';
import {
  h, render, heading, para, link, button, field, select, showErrors, problemError, tag, choices, summaryList, day, needNames,
} from '../ui.js';

const PER_PAGE = 20;

export const capacityNames = { capacity: 'Taking new people', waitlist: 'Waiting list', no_capacity: 'Full: no places' };
const capacityColours = { capacity: 'green', waitlist: 'yellow', no_capacity: 'red' };
export function capacityTag(status) {
  return status ? tag(capacityNames[status] || status, capacityColours[status]) : tag('Not known', 'grey');
}
export const costNames = { free: 'Free', low: 'Low cost', paid: 'Paid' };
export const settingNames = { group: 'In a group', one_to_one: 'One to one', either: 'Group or one to one' };
export const statusNames = { active: 'Active', inactive: 'Inactive', 'temporarily closed': 'Temporarily closed', defunct: 'Closed for good' };
export const dayNames = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };

// render(), leaving out the parts a page does not have (null, undefined, false).
export function show(title, ...content) {
  render(title, ...content.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

export function distanceText(m) {
  if (m === null || m === undefined) return '';
  const km = m / 1000;
  const miles = m / 1609.344;
  return `${km < 10 ? km.toFixed(1) : Math.round(km)} km (${miles < 10 ? miles.toFixed(1) : Math.round(miles)} miles) away`;
}

// The NHS pagination pattern: previous and next, saying which page they lead to.
export function pager(total, page, perPage, href) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  const item = (cls, p, title, rel) => h('li', { class: `nhsuk-pagination-item--${cls}` },
    h('a', { class: `nhsuk-pagination__link nhsuk-pagination__link--${cls === 'previous' ? 'prev' : 'next'}`, href: href(p), rel },
      h('span', { class: 'nhsuk-pagination__title' }, title, h('span', { class: 'nhsuk-u-visually-hidden' }, ' page')),
      h('span', { class: 'nhsuk-u-visually-hidden' }, ':'),
      h('span', { class: 'nhsuk-pagination__page' }, `Page ${p} of ${pages}`)));
  return h('nav', { class: 'nhsuk-pagination', role: 'navigation', 'aria-label': 'Pages of results' },
    h('ul', { class: 'nhsuk-list nhsuk-pagination__list' },
      page > 1 ? item('previous', page - 1, 'Previous', 'prev') : null,
      page < pages ? item('next', page + 1, 'Next', 'next') : null));
}

const listParams = ['need_domains', 'cost_band', 'capacity_status'];
const oneParams = ['search', 'postcode', 'proximity', 'order', 'setting', 'day', 'stale'];

function filtersForm(params, go) {
  const list = (k) => (params.get(k) || '').split(',').filter(Boolean);
  const any = listParams.some((k) => params.get(k)) || ['setting', 'day', 'stale'].some((k) => params.get(k));
  const form = h('form', { novalidate: true, id: 'directory-search', role: 'search', 'aria-label': 'Directory' },
    field({ id: 'search', label: 'Words', hint: 'For example: walking, choir, debt advice', value: params.get('search') || '', width: 20 }),
    field({ id: 'postcode', label: 'Postcode', hint: 'To show how far away each service is', value: params.get('postcode') || '', width: 10, autocomplete: 'postal-code' }),
    select({ id: 'proximity', label: 'Distance', value: params.get('proximity') || '',
      options: [['', 'Any distance'], ['1609', 'Within 1 mile'], ['3219', 'Within 2 miles'], ['8047', 'Within 5 miles'], ['16093', 'Within 10 miles'], ['40234', 'Within 25 miles']] }),
    select({ id: 'order', label: 'Sort by', value: params.get('order') || '',
      options: [['', 'Best match'], ['distance', 'Nearest first (needs a postcode)']] }),
    h('details', { class: 'nhsuk-details', open: any ? true : undefined },
      h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text' }, 'More filters')),
      h('div', { class: 'nhsuk-details__text' },
        choices({ name: 'need_domains', legend: 'Needs it helps with', items: Object.entries(needNames), checked: list('need_domains'), small: true }),
        choices({ name: 'cost_band', legend: 'Cost', items: Object.entries(costNames), checked: list('cost_band'), small: true }),
        choices({ name: 'capacity_status', legend: 'Places', items: Object.entries(capacityNames), checked: list('capacity_status'), small: true }),
        choices({ type: 'radio', name: 'setting', legend: 'Group or one to one', items: [['', 'Either'], ['group', 'In a group'], ['one_to_one', 'One to one']], checked: params.get('setting') || '', small: true }),
        select({ id: 'day', label: 'Day it runs', value: params.get('day') || '', options: [['', 'Any day'], ...Object.entries(dayNames)] }),
        select({ id: 'stale', label: 'Last checked', value: params.get('stale') || '',
          options: [['', 'Any time'], ['false', 'In the last 12 months'], ['true', 'Not for over 12 months (may be out of date)']] }))),
    button('Search', { id: 'directory-go' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of ['search', 'postcode', 'proximity', 'order', 'day', 'stale']) {
      const v = form.querySelector(`#${k}`).value.trim();
      if (v) q.set(k, v);
    }
    for (const k of listParams) {
      const v = [...form.querySelectorAll(`input[name="${k}"]:checked`)].map((i) => i.value);
      if (v.length) q.set(k, v.join(','));
    }
    const setting = (form.querySelector('input[name="setting"]:checked') || {}).value;
    if (setting) q.set('setting', setting);
    if ((q.get('proximity') || q.get('order')) && !q.get('postcode')) {
      showErrors(form, [{ field: 'postcode', text: q.get('proximity') ? 'Enter a postcode to search within a distance of it' : 'Enter a postcode to see the nearest first' }]);
      return;
    }
    go(`#/directory?${q}`);
  });
  return form;
}

function resultCard(s) {
  const facts = [
    capacityTag(s.capacity_status),
    s.cost_band ? tag(costNames[s.cost_band] || s.cost_band, 'white') : null,
    s.setting ? tag(settingNames[s.setting] || s.setting, 'white') : null,
    s.stale ? tag('Not checked for over a year', 'orange') : null,
  ].filter(Boolean);
  return h('li', { class: 'lw-result' },
    h('h3', { class: 'nhsuk-heading-s nhsuk-u-margin-bottom-1' }, link(`#/directory/services/${encodeURIComponent(s.id)}`, s.name)),
    h('p', { class: 'nhsuk-body-s nhsuk-u-margin-bottom-1 lw-secondary' }, s.organization ? s.organization.name : '',
      s.distance_m !== null && s.distance_m !== undefined ? h('span', {}, ' · ', h('strong', { class: 'lw-distance' }, distanceText(s.distance_m))) : null),
    s.description ? h('p', { class: 'nhsuk-body-s nhsuk-u-margin-bottom-2' }, s.description.length > 220 ? `${s.description.slice(0, 217)}…` : s.description) : null,
    h('p', { class: 'lw-tags nhsuk-u-margin-bottom-0' }, facts),
    (s.need_domains || []).length ? h('p', { class: 'nhsuk-body-s' }, `Helps with: ${s.need_domains.map((d) => (needNames[d] || d).toLowerCase()).join(', ')}`) : null);
}

export async function directoryPage({ params, go }) {
  const page = Math.max(1, Number(params.get('page') || 1));
  const q = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE) });
  for (const k of [...oneParams, ...listParams]) if (params.get(k)) q.set(k, params.get(k));
  const form = filtersForm(params, go);
  let r = null;
  let problem = null;
  try {
    r = await api('GET', `/api/v1/services?${q}`);
  } catch (e) {
    if (e.status !== 400) throw e;
    problem = e;
  }
  const results = r ? h('div', {},
    h('h2', { class: 'nhsuk-heading-m', id: 'results-title' }, r.total === 0 ? 'No services found' : `${r.total} ${r.total === 1 ? 'service' : 'services'} found`),
    r.total === 0 ? para('Try fewer words or filters, or a longer distance.') : null,
    h('ol', { class: 'nhsuk-list lw-results', 'aria-labelledby': 'results-title', start: (page - 1) * PER_PAGE + 1 }, r.contents.map(resultCard)),
    pager(r.total, page, PER_PAGE, (p) => { const pq = new URLSearchParams(params); pq.set('page', String(p)); return `#/directory?${pq}`; })) : null;
  show('Find a service', heading('Find a service'),
    h('div', { class: 'nhsuk-grid-row' },
      h('div', { class: 'nhsuk-grid-column-one-third' }, form),
      h('div', { class: 'nhsuk-grid-column-two-thirds' }, results)));
  if (problem) {
    showErrors(form, [problemError(problem, { search: 'search', postcode: 'postcode', proximity: 'proximity', order: 'order', day: 'day', stale: 'stale', setting: 'setting-0', need_domains: 'need_domains-0', cost_band: 'cost_band-0', capacity_status: 'capacity_status-0' })]);
  }
}

function when(schedule) {
  const days = (schedule.byday || '').split(',').filter(Boolean).map((d) => dayNames[d] || d);
  const t = (x) => (x || '').slice(0, 5);
  const hours = schedule.opens_at ? `${t(schedule.opens_at)} to ${t(schedule.closes_at)}` : '';
  return [days.join(', '), hours, schedule.description].filter(Boolean).join(', ');
}

function address(sal) {
  const l = sal.location || {};
  const a = (l.addresses || [])[0] || {};
  return [l.name, a.address_1, a.city, a.postal_code].filter(Boolean).join(', ');
}

export async function servicePage({ args }) {
  const id = decodeURIComponent(args[0]);
  const s = await api('GET', `/api/v1/services/${encodeURIComponent(id)}`);
  const lw = s.linkwell || {};
  const ages = s.minimum_age || s.maximum_age
    ? `${s.minimum_age ? `From ${s.minimum_age}` : 'Any age'}${s.maximum_age ? ` to ${s.maximum_age}` : ' and over'}` : 'Any age';
  const costs = (s.cost_options || []).map((c) => (c.amount ? `£${Number(c.amount).toFixed(2)} ${c.amount_description || ''}`.trim() : `Free ${c.amount_description || ''}`.trim()));
  show(s.name, heading(s.name, s.organization ? s.organization.name : 'Service'),
    s.description ? para(s.description) : null,
    lw.stale ? h('div', { class: 'nhsuk-warning-callout' }, h('h2', { class: 'nhsuk-warning-callout__label' }, h('span', { role: 'text' }, h('span', { class: 'nhsuk-u-visually-hidden' }, 'Important: '), 'May be out of date')),
      para('Nobody has checked this listing for over 12 months. Contact the service before sending someone.')) : null,
    summaryList([
      ['Places', h('span', {}, capacityTag(lw.capacity_status), lw.capacity !== null && lw.capacity !== undefined ? ` ${lw.capacity} places` : '')],
      ['Status', statusNames[s.status] || s.status],
      ['When', (s.schedules || []).length ? h('ul', { class: 'nhsuk-list' }, s.schedules.map((x) => h('li', {}, when(x)))) : 'Not given'],
      ['Where', (s.service_at_locations || []).length ? h('ul', { class: 'nhsuk-list' }, s.service_at_locations.map((x) => h('li', {}, address(x)))) : 'Not given'],
      ['Cost', costs.length ? costs.join('; ') : (s.fees_description || (lw.cost_band ? costNames[lw.cost_band] : 'Not given'))],
      ['Ages', ages],
      ['Group or one to one', lw.setting ? settingNames[lw.setting] : 'Not given'],
      ['Helps with', (lw.need_domains || []).length ? lw.need_domains.map((d) => needNames[d] || d).join(', ') : 'Not given'],
      ['Mental health', lw.mental_health_ready ? 'Staff or volunteers are prepared for people with mental health needs' : 'Not said'],
      ['Website', /^https?:\/\//i.test(s.url || '') ? h('a', { class: 'nhsuk-link', href: s.url, rel: 'noopener noreferrer' }, s.url) : (s.url || 'Not given')],
      ['Email', s.email || 'Not given'],
      ['Last checked', day(lw.last_checked) || 'Never'],
    ]),
    para(link('#/directory', 'Back to the directory')));
}
