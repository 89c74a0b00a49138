// A GP's tasks in a real browser: make a referral (with the API's validation
// error shown in the error summary), a link worker accepts it with the suggested
// worker, and the GP sees the status and the feedback on their referrals list;
// and the referral form completed with the keyboard only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, checkPage, demo, openPage } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const focused = (page) => page.evaluate(() => document.activeElement.id);
async function tabTo(page, id, limit = 60) {
  for (let i = 0; i < limit && await focused(page) !== id; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(page), id, `Tab reaches #${id}`);
}

test('a GP refers, a link worker accepts, the GP sees the status and feedback', async () => {
  const gp = await newPage(browser);
  await signIn(gp, demo('gp'));
  await gp.waitForSelector('h1:has-text("Hello")');
  await checkPage(gp, 'referrer-home');
  await gp.click('text=Make a referral');
  await gp.waitForSelector('h1:has-text("Make a referral")');
  await checkPage(gp, 'referral-form');

  // Nothing filled in: the form's own messages, each linked to its field.
  await gp.click('#send-referral');
  const summary = gp.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Enter their first name/);
  assert.match(await summary.innerText(), /Select at least one thing they need help with/);

  await gp.fill('#nhs-number', '123 456 7890');
  await gp.fill('#given-name', 'Eleanor');
  await gp.fill('#family-name', 'Rigby');
  await gp.fill('#dob-day', '3');
  await gp.fill('#dob-month', '8');
  await gp.fill('#dob-year', '1941');
  await gp.fill('#phone', '07700 900555');
  await gp.fill('#postcode', 's60 1ae');
  await gp.check('#reasons-0'); // loneliness and isolation
  await gp.check('#reasons-14'); // bereavement
  await gp.fill('#details', 'Lives alone since her husband died; keeps the church hall going.');
  await gp.check('#urgency-1');
  await gp.check('#consent-0');
  await gp.click('#send-referral');
  // The API refuses the NHS number: its message, linked to the field.
  await gp.waitForSelector('.nhsuk-error-summary:has-text("check digit is wrong")');
  assert.equal(await gp.locator('#nhs-number-group.nhsuk-form-group--error').count(), 1);
  assert.equal(await gp.evaluate(() => document.activeElement.classList.contains('nhsuk-error-summary')), true);
  await gp.locator('.nhsuk-error-summary a').click();
  assert.equal(await focused(gp), 'nhs-number');
  await checkPage(gp, 'referral-form-api-error');

  await gp.fill('#nhs-number', '999 000 1103');
  await gp.click('#send-referral');
  await gp.waitForSelector('h1:has-text("Eleanor Rigby")');
  await gp.waitForSelector('text=Referral sent');
  await gp.waitForSelector('.nhsuk-summary-list >> text=Received');
  await checkPage(gp, 'referral-sent');
  const reference = (await gp.locator('.nhsuk-caption-l').innerText()).replace(/.*Referral /, '').replace(/\s*-\s*$/, '').trim();

  // The link worker triages it: the suggested worker is already chosen.
  const lw = await newPage(browser);
  await signIn(lw, demo('linkworker'));
  await lw.waitForSelector('h1:has-text("Hello")');
  await lw.click('nav >> text=Triage');
  await lw.waitForSelector('h1:has-text("Triage referrals")');
  await lw.click('a:has-text("Eleanor Rigby")');
  await lw.waitForSelector('#accept-form');
  const suggested = lw.locator('#accept-form input[name="assignee"]:checked');
  assert.equal(await suggested.count(), 1);
  assert.match(await lw.locator(`label[for="${await suggested.getAttribute('id')}"]`).innerText(), /\(suggested\)/);
  await lw.click('#accept');
  await lw.waitForSelector('h1:has-text("Eleanor Rigby")');
  await lw.waitForSelector('text=Referral accepted');

  // Back to the GP: the list shows the new status and the feedback message.
  await gp.click('nav >> text=Referrals');
  await gp.waitForSelector('h1:has-text("Referrals")');
  const row = gp.locator('tr', { hasText: 'Eleanor Rigby' });
  await row.waitFor();
  assert.match(await row.innerText(), /Accepted/);
  assert.match(await row.innerText(), /SNOMED CT 871731000000106/);
  assert.ok((await row.innerText()).length > 60, 'the feedback text is shown');
  await checkPage(gp, 'referrals-list');
  await row.locator('a').click();
  await gp.waitForSelector('h2:has-text("Feedback")');
  await gp.waitForSelector('td:has-text("accepted")');
  assert.match(await gp.locator('main').innerText(), new RegExp(reference));
  // The referrer never sees the case.
  assert.equal(await gp.locator('a:has-text("Open the case")').count(), 0);
  await checkPage(gp, 'referral-feedback');
  // Nor can they open it by its address: the page says so kindly.
  const caseId = await lw.evaluate(() => location.hash.match(/cases\/(\d+)/)[1]);
  await gp.goto(`${BASE}/#/cases/${caseId}`);
  await gp.waitForSelector('h1:has-text("You cannot open this page")');
});

test('keyboard only: a GP completes the referral form', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('gp'));
  await page.waitForSelector('h1:has-text("Hello")');
  await openPage(page, `#/refer`);
  await page.waitForSelector('#referral-form');
  const type = async (id, text) => { await tabTo(page, id); await page.keyboard.type(text); };
  await type('nhs-number', '9990001111');
  await type('given-name', 'Keyboard');
  await type('family-name', 'Only');
  await type('dob-day', '9');
  await type('dob-month', '10');
  await type('dob-year', '1977');
  await tabTo(page, 'reasons-1');
  await page.keyboard.press('Space');
  await tabTo(page, 'consent-0');
  await page.keyboard.press('Space');
  await tabTo(page, 'send-referral');
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Keyboard Only")');
  await page.waitForSelector('text=Referral sent');
  assert.deepEqual(page.problems, []);
});
