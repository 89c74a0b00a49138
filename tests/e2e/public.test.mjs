// Referring yourself without an account, in a real browser: from the sign-in
// page to the confirmation, with the form's and the API's messages in the error
// summary and the honeypot out of everyone's way; then the link worker sees it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, checkPage, demo } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('someone refers themselves without signing in, and a link worker sees it', async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/`);
  await page.waitForSelector('h1:has-text("Sign in to linkwell")');
  await page.click('#refer-yourself');
  await page.waitForSelector('h1:has-text("Get help with what matters to you")');
  assert.match(page.url(), /#\/refer-yourself$/);
  await checkPage(page, 'self-referral');

  // The honeypot is hidden from screen readers and never reached with Tab.
  const honeypot = await page.evaluate(() => {
    const input = document.getElementById('website');
    return { hidden: input.closest('[aria-hidden="true"]') !== null, tabindex: input.tabIndex };
  });
  assert.deepEqual(honeypot, { hidden: true, tabindex: -1 });
  await page.focus('#consent-1');
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement.id), 'website');

  await page.click('#send-self-referral');
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Enter your first name/);
  assert.match(await summary.innerText(), /Enter a phone number or an email address/);
  await checkPage(page, 'self-referral-errors');

  await page.fill('#given-name', 'Rosa');
  await page.fill('#family-name', 'Parks-Evans');
  await page.fill('#dob-day', '30');
  await page.fill('#dob-month', '2');
  await page.fill('#dob-year', '1990');
  await page.fill('#phone', '07700 900777');
  await page.fill('#postcode', 'S60 2BX');
  await page.check('#reasons-1');
  await page.check('#reasons-9');
  await page.fill('#details', 'I used to paint and would like to meet people.');
  await page.check('#consent-0');
  await page.click('#send-self-referral');
  // The API says what is wrong with the date: in the summary, linked to it.
  // (Wait for the API's summary, not the form's own one still on screen before it.)
  await page.waitForFunction(() => {
    const s = document.querySelector('.nhsuk-error-summary');
    return s && /date/.test(s.innerText) && !/Enter your first name/.test(s.innerText);
  });
  assert.equal(await page.locator('#dob-group.nhsuk-form-group--error').count(), 1);
  await page.locator('.nhsuk-error-summary a').click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dob-day');
  await checkPage(page, 'self-referral-api-error');

  await page.fill('#dob-day', '28');
  await page.click('#send-self-referral');
  await page.waitForSelector('h1:has-text("We have got your request")');
  const reference = (await page.locator('#reference').innerText()).trim();
  assert.match(reference, /^R-/);
  await checkPage(page, 'self-referral-done');

  const lw = await newPage(browser);
  await signIn(lw, demo('linkworker'));
  await lw.waitForSelector('h1:has-text("Hello")');
  await lw.goto(`${BASE}/#/triage`);
  const row = lw.locator('tr', { hasText: 'Rosa Parks-Evans' });
  await row.waitFor();
  assert.match(await row.innerText(), /Self-referral/);
  await row.locator('a').click();
  await lw.waitForSelector('.nhsuk-summary-list >> text=I used to paint and would like to meet people.');
});
