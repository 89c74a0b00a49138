// Building pages with the NHS design system's markup. Text is always set with
// textContent, never parsed as HTML, so nothing a user typed can become markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function main() { return document.getElementById('maincontent'); }

// Replaces the page's content, sets the title and moves focus to the heading
// so screen reader users hear that the page changed.
export function render(title, ...content) {
  document.title = `${title} – linkwell`;
  const m = main();
  m.replaceChildren(...content.flat().filter((c) => c !== null && c !== undefined && c !== false));
  const h1 = m.querySelector('h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus(); }
}

export function heading(text, caption) {
  return caption
    ? h('h1', { class: 'nhsuk-heading-l' }, h('span', { class: 'nhsuk-caption-l' }, caption, h('span', { class: 'nhsuk-u-visually-hidden' }, ' - ')), text)
    : h('h1', { class: 'nhsuk-heading-l' }, text);
}

export function para(...text) { return h('p', { class: 'nhsuk-body' }, ...text); }

export function link(href, text) { return h('a', { class: 'nhsuk-link', href }, text); }

export function button(text, attrs = {}) {
  return h('button', { class: 'nhsuk-button', type: 'submit', 'data-module': 'nhsuk-button', ...attrs }, text);
}

export function secondaryButton(text, attrs = {}) {
  return h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', ...attrs }, text);
}

// A text input with its label, hint and (later) error message.
export function field({ id, label, type = 'text', hint, value, autocomplete, width, required }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return h('div', { class: 'nhsuk-form-group', id: `${id}-group` },
    h('label', { class: 'nhsuk-label', for: id }, label),
    hint ? h('div', { class: 'nhsuk-hint', id: hintId }, hint) : null,
    h('input', { class: `nhsuk-input${width ? ` nhsuk-input--width-${width}` : ''}`, id, name: id, type,
      value, autocomplete, 'aria-describedby': hintId, required: required ? true : undefined, spellcheck: type === 'text' ? 'false' : undefined }));
}

export function select({ id, label, options, value, hint }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return h('div', { class: 'nhsuk-form-group', id: `${id}-group` },
    h('label', { class: 'nhsuk-label', for: id }, label),
    hint ? h('div', { class: 'nhsuk-hint', id: hintId }, hint) : null,
    h('select', { class: 'nhsuk-select', id, name: id, 'aria-describedby': hintId },
      options.map(([v, text]) => h('option', { value: v, selected: v === value ? true : undefined }, text))));
}

// The NHS error summary pattern: a list of links to the fields, at the top of
// the form, focused; and the message beside the field itself.
export function showErrors(form, errors) {
  clearErrors(form);
  if (!errors.length) return;
  const summary = h('div', { class: 'nhsuk-error-summary', 'aria-labelledby': 'error-summary-title', role: 'alert', tabindex: '-1' },
    h('h2', { class: 'nhsuk-error-summary__title', id: 'error-summary-title' }, 'There is a problem'),
    h('div', { class: 'nhsuk-error-summary__body' },
      h('ul', { class: 'nhsuk-list nhsuk-error-summary__list' },
        errors.map((e) => h('li', {}, e.field && form.querySelector(`#${CSS.escape(e.field)}`)
          ? h('a', { href: `#${e.field}`, onclick: (ev) => { ev.preventDefault(); form.querySelector(`#${CSS.escape(e.field)}`).focus(); } }, e.text)
          : e.text)))));
  form.prepend(summary);
  for (const e of errors) {
    const input = e.field && form.querySelector(`#${CSS.escape(e.field)}`);
    if (!input) continue;
    const group = input.closest('.nhsuk-form-group');
    group.classList.add('nhsuk-form-group--error');
    const msgId = `${e.field}-error`;
    input.before(h('span', { class: 'nhsuk-error-message', id: msgId }, h('span', { class: 'nhsuk-u-visually-hidden' }, 'Error: '), e.text));
    input.classList.add(input.tagName === 'SELECT' ? 'nhsuk-select--error' : 'nhsuk-input--error');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), msgId].filter(Boolean).join(' '));
  }
  summary.focus();
}

export function clearErrors(form) {
  form.querySelectorAll('.nhsuk-error-summary, .nhsuk-error-message').forEach((n) => n.remove());
  form.querySelectorAll('.nhsuk-form-group--error').forEach((n) => n.classList.remove('nhsuk-form-group--error'));
  form.querySelectorAll('.nhsuk-input--error, .nhsuk-select--error').forEach((n) => n.classList.remove('nhsuk-input--error', 'nhsuk-select--error'));
}

// An API problem as an error-summary entry: the API names the field it means.
export function problemError(err, fieldMap = {}) {
  const p = err.problem || {};
  const field = p.field ? (fieldMap[p.field] || p.field) : undefined;
  let text = p.detail || err.message;
  // The API starts a bad field's detail with the field's name; the summary links
  // to the field instead, so the message reads as a sentence.
  if (p.field && text.startsWith(`${p.field}: `)) text = text.slice(p.field.length + 2);
  return { field, text: text.charAt(0).toUpperCase() + text.slice(1) };
}

// The NHS responsive table: columns on a wide screen, one stacked card per row
// on a phone (each cell then shows its column's heading).
export function table(caption, headings, rows) {
  return h('table', { class: 'nhsuk-table-responsive', role: 'table' },
    h('caption', { class: 'nhsuk-table__caption' }, caption),
    h('thead', { class: 'nhsuk-table__head', role: 'rowgroup' }, h('tr', { role: 'row' }, headings.map((t) => h('th', { scope: 'col', role: 'columnheader' }, t)))),
    h('tbody', { class: 'nhsuk-table__body' }, rows.map((r) => h('tr', { class: 'nhsuk-table__row', role: 'row' },
      r.map((c, i) => h('td', { class: 'nhsuk-table__cell', role: 'cell' },
        headings[i] ? h('span', { class: 'nhsuk-table-responsive__heading', 'aria-hidden': 'true' }, `${headings[i]} `) : null, c))))));
}

export function tag(text, colour) {
  return h('strong', { class: `nhsuk-tag${colour ? ` nhsuk-tag--${colour}` : ''}` }, text);
}

export function inset(...content) {
  return h('div', { class: 'nhsuk-inset-text' }, h('span', { class: 'nhsuk-u-visually-hidden' }, 'Information: '), ...content);
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
}

export const roleNames = {
  referrer: 'Referrer', link_worker: 'Link worker', peer_worker: 'Peer worker',
  clinician_prescriber: 'Clinician prescriber', provider: 'Provider', commissioner: 'Commissioner', admin: 'Administrator',
};

export const kindNames = {
  gp_practice: 'GP practice', cmht: 'Community mental health team', inpatient_ward: 'Inpatient ward',
  link_worker_service: 'Link worker service', vcse: 'Voluntary or community organisation',
  commissioner: 'Commissioner', community: 'Community group', other: 'Other',
};

// ---- Added for the referrer, public, triage and case pages ----

export const needNames = {
  isolation: 'Loneliness and isolation', mood: 'Low mood and anxiety', physical_activity: 'Physical activity',
  weight_nutrition: 'Weight and nutrition', debt: 'Debt and money', benefits: 'Welfare benefits', housing: 'Housing',
  employment: 'Employment', learning: 'Learning and skills', arts: 'Arts and creativity', volunteering: 'Volunteering',
  carers: 'Caring for someone', parenting: 'Parenting', legal: 'Legal issues', bereavement: 'Bereavement',
};

// A group of checkboxes or radios in a fieldset; items are [value, label, hint?].
// The error summary links to the first input (id `${name}-0`).
export function choices({ type = 'checkbox', name, legend, hint, items, checked = [], small, legendSize = 's' }) {
  const kind = type === 'checkbox' ? 'checkboxes' : 'radios';
  const hintId = hint ? `${name}-hint` : undefined;
  const on = Array.isArray(checked) ? checked : [checked];
  return h('div', { class: 'nhsuk-form-group', id: `${name}-group` },
    h('fieldset', { class: 'nhsuk-fieldset', 'aria-describedby': hintId },
      h('legend', { class: `nhsuk-fieldset__legend nhsuk-fieldset__legend--${legendSize}` }, legend),
      hint ? h('div', { class: 'nhsuk-hint', id: hintId }, hint) : null,
      h('div', { class: `nhsuk-${kind}${small ? ` nhsuk-${kind}--small` : ''}` },
        items.map(([value, label, itemHint], i) => h('div', { class: `nhsuk-${kind}__item` },
          h('input', { class: `nhsuk-${kind}__input`, id: `${name}-${i}`, name, type, value,
            checked: on.includes(value) ? true : undefined, 'aria-describedby': itemHint ? `${name}-${i}-hint` : undefined }),
          h('label', { class: `nhsuk-label nhsuk-${kind}__label`, for: `${name}-${i}` }, label),
          itemHint ? h('div', { class: `nhsuk-hint nhsuk-${kind}__hint`, id: `${name}-${i}-hint` }, itemHint) : null)))));
}

export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

export function textarea({ id, label, hint, value, rows = 3 }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return h('div', { class: 'nhsuk-form-group', id: `${id}-group` },
    h('label', { class: 'nhsuk-label', for: id }, label),
    hint ? h('div', { class: 'nhsuk-hint', id: hintId }, hint) : null,
    h('textarea', { class: 'nhsuk-textarea', id, name: id, rows, 'aria-describedby': hintId }, value || ''));
}

// The NHS date input: day, month and year boxes; dateValue() gives YYYY-MM-DD
// (or what was typed, so the API can say what is wrong with it).
export function dateInput({ id, legend, hint }) {
  const hintId = hint ? `${id}-hint` : undefined;
  const part = (p, label, w) => h('div', { class: 'nhsuk-date-input__item' },
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label nhsuk-date-input__label', for: `${id}-${p}` }, label),
      h('input', { class: `nhsuk-input nhsuk-date-input__input nhsuk-input--width-${w}`, id: `${id}-${p}`, name: `${id}-${p}`, type: 'text', inputmode: 'numeric',
        autocomplete: id === 'dob' ? `bday-${p === 'month' ? 'month' : p === 'day' ? 'day' : 'year'}` : undefined })));
  return h('div', { class: 'nhsuk-form-group', id: `${id}-group` },
    h('fieldset', { class: 'nhsuk-fieldset', role: 'group', 'aria-describedby': hintId },
      h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s' }, legend),
      hint ? h('div', { class: 'nhsuk-hint', id: hintId }, hint) : null,
      h('div', { class: 'nhsuk-date-input', id }, part('day', 'Day', 2), part('month', 'Month', 2), part('year', 'Year', 4))));
}

export function dateValue(form, id) {
  const v = (p) => form.querySelector(`#${id}-${p}`).value.trim();
  const [d, m, y] = [v('day'), v('month'), v('year')];
  if (!d && !m && !y) return '';
  return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

// showErrors, then tidies what it did for checkboxes, radios, date parts and
// text areas: the message goes above the whole group, as the design system shows it.
export function showFieldErrors(form, errors) {
  showErrors(form, errors);
  form.querySelectorAll('.nhsuk-error-message').forEach((msg) => {
    const input = msg.nextElementSibling;
    if (!input) return;
    const group = input.closest('.nhsuk-checkboxes, .nhsuk-radios, .nhsuk-date-input');
    if (group) {
      group.before(msg);
      input.classList.remove('nhsuk-input--error');
      if (group.classList.contains('nhsuk-date-input')) group.querySelectorAll('input').forEach((i) => i.classList.add('nhsuk-input--error'));
      // The error marks the whole group, not one day/month/year box.
      form.querySelectorAll('.nhsuk-date-input__item .nhsuk-form-group--error').forEach((g) => g.classList.remove('nhsuk-form-group--error'));
      const outer = group.closest('.nhsuk-form-group');
      if (outer) outer.classList.add('nhsuk-form-group--error');
    } else if (input.tagName === 'TEXTAREA') {
      input.classList.replace('nhsuk-input--error', 'nhsuk-textarea--error');
    }
  });
}

// An API problem's field path (e.g. "person.nhs_number", "reasons[2]") as the
// id of the input that holds it: exact match first, then without the index.
export function problemField(err, fieldMap) {
  const f = (err.problem && err.problem.field) || '';
  const base = f.replace(/\[\d+\]$/, '');
  return problemError(err, { [f]: fieldMap[f] || fieldMap[base] || undefined });
}

export function summaryList(rows) {
  return h('dl', { class: 'nhsuk-summary-list' }, rows.filter(Boolean).map(([k, v]) => h('div', { class: 'nhsuk-summary-list__row' },
    h('dt', { class: 'nhsuk-summary-list__key' }, k), h('dd', { class: 'nhsuk-summary-list__value' }, v === null || v === undefined || v === '' ? 'Not given' : v))));
}

// A problem at the top of the page (not tied to a form field), focused.
export function pageProblem(e) {
  const box = h('div', { class: 'nhsuk-error-summary', role: 'alert', tabindex: '-1', 'aria-labelledby': 'page-problem-title' },
    h('h2', { class: 'nhsuk-error-summary__title', id: 'page-problem-title' }, 'There is a problem'),
    h('div', { class: 'nhsuk-error-summary__body' }, para(problemError(e).text)));
  document.querySelectorAll('main > .nhsuk-error-summary').forEach((n) => n.remove());
  main().prepend(box);
  box.focus();
}

// A green confirmation line under the heading (after a change was saved).
export function saved(text) {
  return h('div', { class: 'nhsuk-inset-text lw-saved', role: 'status' }, h('span', { class: 'nhsuk-u-visually-hidden' }, 'Done: '), para(text));
}

export function day(iso) {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });
}

const referralColours = { received: 'blue', accepted: 'green', in_progress: 'purple', closed: 'grey', declined: 'red' };
export function referralTag(status) {
  return tag({ received: 'Received', accepted: 'Accepted', in_progress: 'In progress', closed: 'Closed', declined: 'Declined' }[status] || status, referralColours[status]);
}

const rxColours = { proposed: 'grey', sent: 'blue', accepted: 'green', waitlisted: 'yellow', declined: 'red', started: 'purple', completed: 'green', dropped_out: 'orange' };
export function prescriptionTag(status) {
  return tag((status || '').replace('_', ' ').replace(/^./, (c) => c.toUpperCase()), rxColours[status]);
}

// A small line chart as inline SVG: a title and a description for screen
// readers (the same figures are in a table beside it). points: [[label, value]].
export function lineChart({ title, desc, points, min = 0, max }) {
  const NS = 'http://www.w3.org/2000/svg';
  const s = (tagName, attrs, ...kids) => {
    const el = document.createElementNS(NS, tagName);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    kids.forEach((k) => el.append(typeof k === 'string' ? document.createTextNode(k) : k));
    return el;
  };
  const W = 300; const H = 150; const L = 36; const B = 24; const T = 10;
  const top = max !== undefined ? max : Math.max(...points.map((p) => p[1]), 1);
  const x = (i) => L + (points.length < 2 ? (W - L - 10) / 2 : (i * (W - L - 10)) / (points.length - 1));
  const y = (v) => T + (H - T - B) * (1 - (v - min) / ((top - min) || 1));
  const id = `chart-${Math.random().toString(36).slice(2, 8)}`;
  return s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, class: 'lw-chart', width: '100%' },
    s('title', { id: `${id}-t` }, title), s('desc', { id: `${id}-d` }, desc),
    s('line', { x1: L, y1: H - B, x2: W - 5, y2: H - B, stroke: '#4c6272' }),
    s('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#4c6272' }),
    s('text', { x: L - 4, y: y(top) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#212b32' }, String(top)),
    s('text', { x: L - 4, y: y(min) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#212b32' }, String(min)),
    s('polyline', { points: points.map((p, i) => `${x(i)},${y(p[1])}`).join(' '), fill: 'none', stroke: '#005eb8', 'stroke-width': 3 }),
    ...points.map((p, i) => s('circle', { cx: x(i), cy: y(p[1]), r: 4, fill: '#005eb8' })),
    ...points.map((p, i) => s('text', { x: x(i), y: H - 6, 'text-anchor': 'middle', 'font-size': 11, fill: '#212b32' }, p[0])));
}
