// A provider's tasks in a real browser: answer the prescriptions sent to them
// (accept from the waiting list, decline with a reason, with the error summary
// when the reason is missing), take the attendance register for a session, keep
// a listing's capacity up to date; and another organisation's prescription,
// which the API does not show them, explained kindly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, checkPage, demo, DEMO_PASSWORD, openPage } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

// Calls the API as a demo user (for setting up what the test needs).
async function apiAs(role) {
  const context = await browser.newContext();
  const r = await context.request.post(`${BASE}/api/v1/session`, { data: { email: demo(role), password: DEMO_PASSWORD } });
  assert.equal(r.status(), 201, await r.text());
  const csrf = (await r.json()).csrf_token;
  const call = async (method, path, data) => {
    const res = await context.request.fetch(`${BASE}${path}`, { method, data, headers: { 'X-CSRF-Token': csrf } });
    const text = await res.text();
    return { status: res.status(), body: text ? JSON.parse(text) : null };
  };
  call.close = () => context.close();
  return call;
}

test('a provider answers prescriptions, takes the register and updates capacity', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('provider'));
  await page.waitForSelector('h1:has-text("Hello, Maggie Brown")');
  await checkPage(page, 'provider-home');

  await page.click('nav >> text=Prescriptions');
  await page.waitForSelector('h1:has-text("Prescriptions sent to us")');
  await page.waitForSelector('td:has-text("Susan Patel")');
  await checkPage(page, 'provider-prescriptions');
  await page.selectOption('#status', 'waitlisted');
  await page.click('#rx-filter-go');
  await page.waitForSelector('caption:has-text("on the waiting list")');
  assert.equal(await page.locator('td:has-text("Susan Patel")').count(), 0);

  // John Evans is on the waiting list for Eastwood Growing Together: a place came up.
  await page.locator('tr', { hasText: 'John Evans' }).locator('a', { hasText: 'Open' }).click();
  await page.waitForSelector('h1:has-text("John Evans")');
  await checkPage(page, 'provider-prescription');
  await page.click('#rx-accept');
  await page.waitForSelector('text=You accepted it');
  await page.waitForSelector('.nhsuk-summary-list >> text=Accepted');

  // Susan Patel's is waiting for an answer: declined, first without a reason.
  await openPage(page, `#/provider/prescriptions?status=sent`);
  await page.locator('tr', { hasText: 'Susan Patel' }).locator('a', { hasText: 'Open' }).click();
  await page.waitForSelector('h1:has-text("Susan Patel")');
  await page.click('#rx-decline-go');
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Choose why you are declining it/);
  await checkPage(page, 'provider-decline-error');
  await page.check('#decline-reason-0'); // no capacity
  await page.click('#rx-decline-go');
  await page.waitForSelector('text=You declined it');
  assert.match(await page.locator('.nhsuk-summary-list').innerText(), /Declined\s+no capacity/);

  // The register for Eastwood Growing Together today: John (just accepted) came.
  await page.click('nav >> text=Register');
  await page.waitForSelector('h1:has-text("Attendance register")');
  await checkPage(page, 'provider-register-pick');
  await page.click('#register-show');
  await page.waitForSelector('.nhsuk-error-summary:has-text("Choose the service")');
  await page.selectOption('#register-service', { label: 'Eastwood Growing Together' });
  await page.click('#register-show');
  await page.waitForSelector('td:has-text("John Evans")');
  await checkPage(page, 'provider-register');
  await page.click('#register-save');
  await page.waitForSelector('.nhsuk-error-summary:has-text("Mark at least one person")');
  const john = page.locator('tr', { hasText: 'John Evans' });
  await john.locator('label:has-text("Attended")').first().click();
  await page.click('#register-save');
  await page.waitForSelector('text=Attendance saved for 1 person');
  assert.match(await page.locator('tr', { hasText: 'John Evans' }).innerText(), /Attended/);
  assert.match(await page.locator('tr', { hasText: 'John Evans' }).innerText(), /Started/);

  // Capacity: Clifton Chair Exercise is full now.
  await page.click('nav >> text=Our listings');
  await page.waitForSelector('h1:has-text("Our listings")');
  await checkPage(page, 'provider-listings');
  await page.click('a:has-text("Clifton Chair Exercise")');
  await page.waitForSelector('h1:has-text("Clifton Chair Exercise")');
  await page.fill('#capacity', '-1');
  await page.click('#service-save');
  await page.waitForSelector('.nhsuk-error-summary');
  assert.equal(await page.locator('#capacity-group.nhsuk-form-group--error').count(), 1);
  await checkPage(page, 'provider-listing-error');
  await page.fill('#capacity', '8');
  await page.check('label:has-text("Full: no places")');
  await page.check('#checked-0');
  await page.click('#service-save');
  await page.waitForSelector('text=Your changes are saved');
  assert.match(await page.locator('.nhsuk-summary-list').innerText(), /Full: no places/);
  await checkPage(page, 'provider-listing');
  await page.click('text=Back to our listings');
  assert.match(await page.locator('tr', { hasText: 'Clifton Chair Exercise' }).innerText(), /Full: no places/);
});

test('another organisation\'s prescription is not shown, kindly', async () => {
  // A link worker signposts someone to a walking group no one in linkwell keeps.
  const lw = await apiAs('linkworker');
  const cases = await lw('GET', '/api/v1/cases?per_page=1');
  const walks = await lw('GET', '/api/v1/services?search=walking&per_page=20');
  const other = walks.body.contents.find((s) => !s.managed_by);
  const rx = await lw('POST', '/api/v1/prescriptions', { case_id: cases.body.contents[0].id, service_id: other.id, kind: 'signpost' });
  assert.equal(rx.status, 201, JSON.stringify(rx.body));
  await lw.close();

  const page = await newPage(browser);
  await signIn(page, demo('provider'));
  await page.waitForSelector('h1:has-text("Hello")');
  await openPage(page, `#/prescriptions/${rx.body.id}`);
  await page.waitForSelector('h1:has-text("We cannot show this prescription")');
  assert.match(await page.locator('main').innerText(), /sent to another organisation/);
  await checkPage(page, 'provider-other-prescription');
  await page.click('main >> text=prescriptions sent to us');
  await page.waitForSelector('h1:has-text("Prescriptions sent to us")');
});
