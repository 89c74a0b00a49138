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
  m.replaceChildren(...content.flat());
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
