// Bad input never crashes the server or gets a 5xx: every route in the OpenAPI
// document, as every role, with malformed, wrong-typed and oversized bodies and
// nonsense ids and query strings. Each answer must be a 2xx, 3xx or a 4xx
// problem+json, and the server must still be up at the end. New routes are
// covered as soon as they are documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const BASE = process.env.LW_URL;
const doc = JSON.parse(readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '../../src/api/openapi.json'), 'utf8'));
const roles = ['admin', 'gp', 'linkworker', 'peer', 'psychiatrist', 'provider', 'commissioner'];
const token = (who) => execFileSync(process.env.LW_BIN, ['token', '--db', process.env.LW_DB, '--email', `${who}@demo.linkwell.example`],
  { env: { ...process.env, LINKWELL_PASSWORD_COST: 'min' } }).toString().trim();

const bodies = [
  '', '{', '[]', '{"x": 1}', '"\u00ff"',
  JSON.stringify({ case_id: 'abc', person: 5, reasons: 'x', status: [], items: { a: 1 }, date: '2026-99-99', service_id: 1e30, name: null }),
  JSON.stringify({ status: 'accepted', assignee_id: -1, reason: 'x'.repeat(5000) }),
  JSON.stringify({ date: '2026-11-20', attended: 'yes', kind: 'referral', mode: 'direct', person_id: 1, case_id: 1 }),
];
const ids = ['1', '999999', 'abc'];
const queries = ['', '?page=0&per_page=abc&search=%ff&postcode=ZZ99&proximity=x&from=bad&to=2026-13-01&day=XX&status=zzz&assignee=me'];

test('no route answers bad input with a 5xx or a crash', async () => {
  const failures = [];
  let requests = 0;
  for (const who of roles) {
    const auth = { Authorization: `Bearer ${token(who)}` };
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))) {
        for (const id of ids) {
          const p = route.replace(/\{[^}]+\}/g, id);
          for (const q of queries) {
            for (const body of (method === 'get' || method === 'delete') ? [undefined] : bodies) {
              requests++;
              let status;
              let type = '';
              try {
                const r = await fetch(BASE + p + q, { method: method.toUpperCase(), body,
                  headers: { ...auth, 'Content-Type': 'application/json' } });
                status = r.status;
                type = r.headers.get('content-type') || '';
                await r.arrayBuffer();
              } catch (e) {
                status = `no answer (${e.cause ? e.cause.code : e.message})`;
              }
              const bad = typeof status !== 'number' || status >= 500
                || (status >= 400 && !type.startsWith('application/problem+json'));
              if (bad && failures.length < 20) failures.push(`${who}: ${method.toUpperCase()} ${p}${q ? '?…' : ''} ${body ? body.slice(0, 40) : ''} → ${status} ${type}`);
            }
          }
        }
      }
    }
  }
  assert.deepEqual(failures, [], `${failures.length} bad answers out of ${requests} requests`);
  const health = await fetch(`${BASE}/healthz`);
  assert.equal(health.status, 200);
});
