// The commissioner's dashboard: every report's key figures and its chart (the
// API's SVG, as an image with a text alternative), a CSV download of each, and
// one report's full table; filtered by period and link worker service. What a
// commissioner sees is suppressed by the API (counts of 1 to 4 are "<5").
import { api } from '../api.js';
import { h, heading, para, link, button, field, select, showErrors, problemError, table, inset, summaryList } from '../ui.js';
import { show } from './directory.js';

const FILTERS = ['from', 'to', 'organisation_id'];

function words(id) {
  const s = String(id).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function cell(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number' && !Number.isInteger(v)) return v.toFixed(v < 1 && v > -1 ? 2 : 1);
  return String(v);
}

function filterQuery(params) {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (params.get(k)) q.set(k, params.get(k));
  return q;
}

function reportUrl(name, params, format) {
  const q = filterQuery(params);
  if (format) q.set('format', format);
  return `/api/v1/reports/${encodeURIComponent(name)}${q.toString() ? `?${q}` : ''}`;
}

// The link worker services the figures can be narrowed to: those the API's
// time-to-first-contact report lists (it is by service), so a commissioner
// needs no list of organisations they may not read.
async function services() {
  try {
    const r = await api('GET', '/api/v1/reports/time-to-first-contact');
    const at = r.columns.indexOf('organisation_id');
    const nm = r.columns.indexOf('organisation');
    return r.rows.filter((row) => row[at]).map((row) => [String(row[at]), row[nm]]);
  } catch (e) {
    return [];
  }
}

function filterForm(params, orgs, go, base) {
  const form = h('form', { novalidate: true, id: 'report-filter', class: 'lw-inline-form', 'aria-label': 'Filter the figures' },
    field({ id: 'from', label: 'Referred from', type: 'date', value: params.get('from') || '' }),
    field({ id: 'to', label: 'Referred to', type: 'date', value: params.get('to') || '' }),
    select({ id: 'organisation_id', label: 'Link worker service', value: params.get('organisation_id') || '', options: [['', 'All services'], ...orgs] }),
    button('Show figures', { id: 'report-apply', class: 'nhsuk-button nhsuk-button--secondary' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of FILTERS) {
      const v = form.querySelector(`#${k}`).value.trim();
      if (v) q.set(k, v);
    }
    if (q.get('from') && q.get('to') && q.get('from') > q.get('to')) {
      showErrors(form, [{ field: 'to', text: 'The end of the period must be on or after its start' }]);
      return;
    }
    go(`${base}${q.toString() ? `?${q}` : ''}`);
  });
  return form;
}

function periodText(params, orgs) {
  const from = params.get('from');
  const to = params.get('to');
  const org = orgs.find(([id]) => id === params.get('organisation_id'));
  const period = from && to ? `from ${from} to ${to}` : from ? `from ${from}` : to ? `up to ${to}` : 'all time';
  return `Referrals received ${period}, ${org ? org[1] : 'all link worker services'}.`;
}

function chart(r, params) {
  return h('img', {
    class: 'lw-report-chart', src: reportUrl(r.name, params, 'svg'), width: 640, loading: 'lazy',
    alt: `Chart: ${r.title}. ${r.description} The same figures are in the table and the CSV file.`,
  });
}

function csvLink(r, params) {
  return h('a', { class: 'nhsuk-link lw-csv', href: reportUrl(r.name, params, 'csv'), download: `${r.name}.csv` },
    'Download CSV', h('span', { class: 'nhsuk-u-visually-hidden' }, ` of ${r.title}`));
}

function figures(r) {
  const entries = Object.entries(r.figures || {});
  return entries.length ? summaryList(entries.map(([k, v]) => [words(k), cell(v)])) : null;
}

function suppressionNote(suppressed) {
  return suppressed
    ? inset(para('To protect people\'s privacy, counts from 1 to 4 are shown as "<5", and a figure that would let someone work one out is shown as "[c]".'))
    : null;
}

export async function dashboardPage({ params, go }) {
  const q = filterQuery(params).toString();
  const [list, orgs] = await Promise.all([api('GET', '/api/v1/reports'), services()]);
  const form = filterForm(params, orgs, go, '#/reports');
  let reports;
  try {
    reports = await Promise.all(list.reports.map((r) => api('GET', reportUrl(r.name, params))));
  } catch (e) {
    if (e.status !== 400 && e.status !== 404) throw e;
    show('Reports', heading('Reports'), form);
    showErrors(form, [problemError(e, { from: 'from', to: 'to', organisation_id: 'organisation_id' })]);
    return;
  }
  show('Reports', heading('Reports'),
    para(periodText(params, orgs)),
    form,
    suppressionNote(reports.some((r) => r.suppressed)),
    h('nav', { 'aria-label': 'Reports on this page', class: 'nhsuk-contents-list' },
      h('ol', { class: 'nhsuk-contents-list__list' }, reports.map((r) => h('li', { class: 'nhsuk-contents-list__item' },
        h('a', { class: 'nhsuk-contents-list__link', href: `#/reports/${r.name}${q ? `?${q}` : ''}` }, r.title))))),
    reports.map((r) => h('section', { class: 'lw-report', id: `report-${r.name}`, 'aria-labelledby': `report-${r.name}-title` },
      h('h2', { class: 'nhsuk-heading-m', id: `report-${r.name}-title` }, r.title),
      para(r.description),
      chart(r, params),
      figures(r),
      h('p', { class: 'nhsuk-body lw-actions' },
        link(`#/reports/${r.name}${q ? `?${q}` : ''}`, h('span', {}, 'See the table', h('span', { class: 'nhsuk-u-visually-hidden' }, ` of ${r.title}`))),
        csvLink(r, params)))));
}

export async function reportPage({ args, params, go }) {
  const name = args[0];
  const [r, orgs] = await Promise.all([api('GET', reportUrl(name, params)), services()]);
  const form = filterForm(params, orgs, go, `#/reports/${name}`);
  const q = filterQuery(params).toString();
  show(r.title, heading(r.title, 'Report'),
    para(r.description), para(periodText(params, orgs)),
    form,
    suppressionNote(r.suppressed),
    chart(r, params),
    figures(r),
    r.rows.length ? table(r.title, r.columns.map(words), r.rows.map((row) => row.map(cell))) : para('There is nothing to show for this period.'),
    para(csvLink(r, params)),
    para(link(`#/reports${q ? `?${q}` : ''}`, 'Back to all reports')));
}
