// The shared decision aid in a real browser: a link worker goes through it with
// a person (rates what matters, picks an option, records the decision), the
// provider accepts the prescription and records attendance; the matches with
// what was left out and why; a clinician prescriber prescribes directly, for
// someone new.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, checkPage, demo, openPage } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const GARDENS = 'Riverside Community Gardens'; // the demo provider's organisation

async function caseOf(page, given) {
  const r = await page.request.get(`${BASE}/api/v1/cases?per_page=100`);
  const c = (await r.json()).contents.find((x) => x.person.given_name === given && x.status === 'open');
  assert.ok(c, `an open case for ${given}`);
  return c.id;
}

test('a link worker prescribes through the decision aid; the provider accepts and records attendance', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('linkworker'));
  await page.waitForSelector('h1:has-text("Hello")');
  const id = await caseOf(page, 'Susan');
  await openPage(page, `#/cases/${id}/decision-aid`);
  await page.waitForSelector('h1:has-text("Choosing an activity together")');
  await page.waitForSelector('#aid-ratings label:has-text("Being outdoors")');
  await checkPage(page, 'aid');

  // What matters to Susan: being outdoors (10), meeting people (8), cost (2).
  await page.selectOption('#rate-outdoors', '10');
  await page.selectOption('#rate-meeting_people', '8');
  await page.selectOption('#rate-costs_nothing', '2');
  await page.click('#aid-rank');
  await page.waitForSelector('text=The options are ranked by what Susan said matters to them');
  assert.match(decodeURIComponent(page.url()), /outdoors:10/);
  assert.equal(await page.inputValue('#rate-outdoors'), '10');
  // The options say why they fit, in words, including what she rated.
  const nature = page.locator('section.lw-category', { has: page.locator('h2', { hasText: /nature|green|garden/i }) });
  assert.match(await nature.innerText(), /being outdoors/);

  // Nothing ticked: the error summary says what to do.
  await page.click('#decision-chosen');
  await page.waitForSelector('.nhsuk-error-summary:has-text("Tick at least one option")');

  // She chooses a gardening group the demo provider runs.
  const option = nature.locator('li.lw-option', { hasText: GARDENS }).first();
  const service = (await option.locator('h3').innerText()).trim();
  await option.locator('input[name="chosen"]').check();
  assert.equal(await option.locator('input[type="radio"][value="referral"]').isChecked(), true);
  await page.fill('#decision-note', 'Would like to start next week; prefers mornings.');
  await page.click('#decision-chosen');
  await page.waitForSelector('h1:has-text("Decision recorded")');
  assert.match(await page.locator('main').innerText(), /1 prescription made for Susan/);
  assert.match(await page.locator('main').innerText(), new RegExp(`${service}\\s+Sent to the provider`));
  await checkPage(page, 'aid-recorded');
  await page.click(`main a:has-text("${service}")`);
  await page.waitForSelector('h1:has-text("Susan Patel")');
  assert.match(await page.locator('.nhsuk-summary-list').innerText(), /Sent/);

  // Another time she would rather not choose anything: "not now" is recorded too.
  await openPage(page, `#/cases/${id}/decision-aid`);
  await page.waitForSelector('#decision-not-now');
  await page.click('#decision-not-now');
  await page.waitForSelector('h1:has-text("Decision recorded")');
  assert.match(await page.locator('main').innerText(), /Susan decided not to choose anything now/);

  // Every match, and what was left out and why.
  await openPage(page, `#/cases/${id}/matches`);
  await page.waitForSelector('h1:has-text("Matches")');
  assert.ok(await page.locator('ol.lw-results > li').count() > 0);
  await checkPage(page, 'aid-matches');

  // The provider accepts it and records that Susan came today.
  const provider = await newPage(browser);
  await signIn(provider, demo('provider'));
  await provider.waitForSelector('h1:has-text("Hello")');
  await provider.goto(`${BASE}/#/provider/prescriptions?status=sent`);
  await provider.locator('tr', { hasText: service }).filter({ hasText: 'Susan Patel' }).locator('a', { hasText: 'Open' }).click();
  await provider.waitForSelector('h1:has-text("Susan Patel")');
  assert.match(await provider.locator('.nhsuk-summary-list').innerText(), /prefers mornings/);
  await provider.click('#rx-accept');
  await provider.waitForSelector('text=You accepted it');
  await provider.check('#att-attended-0');
  await provider.click('#att-save');
  await provider.waitForSelector('text=Attendance recorded');
  assert.match(await provider.locator('.nhsuk-summary-list').innerText(), /Started/);
  assert.match(await provider.locator('main').innerText(), /1 of 1 sessions attended/);
  await checkPage(provider, 'aid-provider-attendance');
});

test('a clinician prescriber finds a person, or enters someone new, and prescribes directly', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('psychiatrist'));
  await page.waitForSelector('h1:has-text("Hello")');
  await page.click('nav >> text=Decision aid');
  await page.waitForSelector('h1:has-text("Decision aid")');
  await page.fill('#find-name', 'Kev');
  await page.click('#aid-find-go');
  await page.waitForSelector('#people-found >> text=Kevin Ward');
  assert.match(await page.locator('#people-found a').first().getAttribute('href'), /#\/decision-aid\?person=\d+/);
  await checkPage(page, 'aid-direct-find');

  // Someone he has not prescribed for before: their details, with the error summary first.
  await page.fill('#find-name', 'Ann');
  await page.click('#aid-find-go');
  await page.waitForSelector('text=Nobody you prescribe for is called Ann');
  await page.click('#aid-new-go');
  await page.waitForSelector('.nhsuk-error-summary:has-text("Enter their first name")');
  await page.fill('#given_name', 'Ann');
  await page.fill('#family_name', 'Walsh');
  await page.fill('#date_of_birth-day', '1');
  await page.fill('#date_of_birth-month', '5');
  await page.fill('#date_of_birth-year', '1970');
  await page.fill('#postcode', 'S65 1AB');
  await page.check('label:has-text("Physical activity")');
  await page.click('#aid-new-go');
  await page.waitForSelector('h1:has-text("Choosing an activity together")');
  await page.selectOption('#rate-active', '9');
  await page.click('#aid-rank');
  await page.waitForSelector('text=ranked by what Ann said');
  await checkPage(page, 'aid-direct');

  // She chooses a group the demo provider runs; consent is asked first.
  const option = page.locator('li.lw-option', { hasText: GARDENS }).first();
  const service = (await option.locator('h3').innerText()).trim();
  await option.locator('input[name="chosen"]').check();
  await page.click('#decision-chosen');
  await page.waitForSelector('.nhsuk-error-summary:has-text("Say whether they agree")');
  await page.check('#consent-0');
  await page.click('#decision-chosen');
  await page.waitForSelector('h1:has-text("Decision recorded")');
  assert.match(await page.locator('main').innerText(), /direct prescribing/);
  await checkPage(page, 'aid-direct-recorded');
  await page.click(`main a:has-text("${service}")`);
  await page.waitForSelector('h1:has-text("Ann Walsh")');
  const summary = await page.locator('.nhsuk-summary-list').innerText();
  assert.match(summary, /A clinician, directly/);
  assert.match(summary, /Sent/);
  await checkPage(page, 'aid-direct-prescription');

  // Ann is now someone he prescribes for.
  await openPage(page, `#/decision-aid?name=Ann`);
  await page.waitForSelector('#people-found >> text=Ann Walsh');
});
