// The administrator's directory import: upload an Open Referral (HSDS 3.0 or
// ORUK) JSON file and read the API's report of what it did.
import { api } from '../api.js';
import { show } from './directory.js';
import { h, heading, para, link, button, showErrors, problemError, table } from '../ui.js';

const parts = [['services', 'Services'], ['organizations', 'Organisations'], ['locations', 'Locations'], ['taxonomy_terms', 'Taxonomy terms'], ['taxonomies', 'Taxonomies']];

function report(r, fileName) {
  const count = (o, k) => (o && o[k]) || 0;
  const rejected = r.rejected || [];
  const warnings = r.warnings || [];
  return h('section', { id: 'import-report', 'aria-labelledby': 'import-report-title' },
    h('h2', { class: 'nhsuk-heading-m', id: 'import-report-title' }, `Report for ${fileName}`),
    rejected.length
      ? h('div', { class: 'nhsuk-warning-callout' }, h('h3', { class: 'nhsuk-warning-callout__label' }, h('span', { role: 'text' }, h('span', { class: 'nhsuk-u-visually-hidden' }, 'Important: '), `${rejected.length} ${rejected.length === 1 ? 'record was' : 'records were'} rejected`)),
        para('Everything else was imported. Correct the rejected records in the file and import it again: records already imported are left unchanged.'))
      : h('div', { class: 'nhsuk-inset-text lw-saved', role: 'status' }, h('span', { class: 'nhsuk-u-visually-hidden' }, 'Done: '), para('The file was imported with no records rejected.')),
    table('What was imported', ['Records', 'Imported', 'Updated', 'Unchanged', 'Rejected'],
      parts.filter(([k]) => r[k]).map(([k, name]) => [name, String(count(r[k], 'imported')), String(count(r[k], 'updated')), String(count(r[k], 'unchanged')), String(count(r[k], 'rejected'))])),
    rejected.length ? table('Rejected records', ['Where in the file', 'Record id', 'Why'],
      rejected.map((x) => [h('code', {}, x.path || ''), x.id || '', x.reason || ''])) : null,
    warnings.length ? table(`Warnings: imported, with a value left out or changed${r.warnings_total > warnings.length ? ` (first ${warnings.length} of ${r.warnings_total})` : ''}`,
      ['Where in the file', 'Record id', 'What happened'], warnings.map((x) => [h('code', {}, x.path || ''), x.id || '', x.reason || ''])) : null);
}

export function importsPage() {
  const form = h('form', { novalidate: true, id: 'import-form' },
    h('div', { class: 'nhsuk-form-group', id: 'import-file-group' },
      h('label', { class: 'nhsuk-label nhsuk-label--s', for: 'import-file' }, 'Open Referral file'),
      h('div', { class: 'nhsuk-hint', id: 'import-file-hint' }, 'A JSON file in Open Referral UK or HSDS 3.0 form, up to 1 MB. Larger directories are imported on the command line (linkwell import oruk).'),
      h('input', { class: 'nhsuk-file-upload__input lw-file', id: 'import-file', name: 'import-file', type: 'file', accept: '.json,application/json', 'aria-describedby': 'import-file-hint' })),
    button('Import', { id: 'import-go' }));
  const out = h('div', { id: 'import-result', 'aria-live': 'polite' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const file = form.querySelector('#import-file').files[0];
    if (!file) { showErrors(form, [{ field: 'import-file', text: 'Choose a file to import' }]); return; }
    let doc;
    try {
      doc = JSON.parse(await file.text());
    } catch (e) {
      showErrors(form, [{ field: 'import-file', text: `${file.name} is not a JSON file: nothing was imported` }]);
      return;
    }
    const go = form.querySelector('#import-go');
    go.disabled = true;
    go.textContent = 'Importing…';
    try {
      const r = await api('POST', '/api/v1/directory/imports', doc);
      showErrors(form, []);
      out.replaceChildren(report(r, file.name));
      out.querySelector('h2').setAttribute('tabindex', '-1');
      out.querySelector('h2').focus();
    } catch (e) {
      showErrors(form, [{ field: 'import-file', text: `${file.name}: ${problemError(e).text}${e.status === 400 ? ' Nothing was imported.' : ''}` }]);
    } finally {
      go.disabled = false;
      go.textContent = 'Import';
    }
  });
  show('Import a directory', heading('Import a directory'),
    para('Add or update services from another directory, such as the council\'s. Each record is matched by its id: new ones are added, changed ones updated. The import is all in one go, and the report shows what happened to each record.'),
    form, out,
    para(link('#/directory', 'Search the directory')));
}
