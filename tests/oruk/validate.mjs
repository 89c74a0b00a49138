// Validates the Open Referral UK responses an API test saved (tests/api/test_directory.c
// writes them, one file per endpoint, named after the schema that applies) against the
// Open Referral UK validator's schemas, with ajv (a real JSON Schema validator).
// Usage: node tests/oruk/validate.mjs RESPONSES_DIR SCHEMAS_DIR
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const [dir, schemas] = process.argv.slice(2);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
let passed = 0, failed = 0;
const files = readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.ndjson')).sort();
if (files.length === 0) {
  console.error(`no responses in ${dir}: run api.test_directory first`);
  process.exit(1);
}
for (const f of files) {
  if (f.endsWith('.ndjson')) {
    // format=ndjson (tests/api/test_oruk_variants.c): "service_list.5003.ndjson" has one
    // item a line, each checked against service_list.json's item schema (a schema of one
    // record, such as service.json, applies as it is).
    const schema = JSON.parse(readFileSync(join(schemas, f.replace(/\.\d+\.ndjson$/, '.json')), 'utf8'));
    delete schema.$schema;
    const validate = ajv.compile(schema.properties?.contents?.items ?? schema);
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    if (lines.pop() !== '') {
      failed++;
      console.error(`${f}: the last line has no newline`);
    }
    lines.forEach((line, i) => {
      if (validate(JSON.parse(line))) {
        passed++;
      } else {
        failed++;
        console.error(`${f} line ${i + 1}: ${ajv.errorsText(validate.errors, { separator: '\n  ' })}`);
      }
    });
    continue;
  }
  // "service_list.3.json" is checked against service_list.json
  const schemaName = f.replace(/\.\d+\.json$/, '.json');
  const schema = JSON.parse(readFileSync(join(schemas, schemaName), 'utf8'));
  delete schema.$schema;
  const body = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const validate = ajv.compile(schema);
  if (validate(body)) {
    passed++;
  } else {
    failed++;
    console.error(`${f}: ${ajv.errorsText(validate.errors, { separator: '\n  ' })}`);
  }
  // A list must carry the paging members the standard defines (organization_list.json is
  // the validator's schema of one organisation: the test saves the items one by one).
  if (schemaName.endsWith('_list.json') && schemaName !== 'organization_list.json') {
    for (const k of ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents']) {
      if (!(k in body)) {
        failed++;
        console.error(`${f}: the paging member ${k} is missing`);
      }
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
