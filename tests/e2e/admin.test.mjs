// An administrator's tasks in a real browser: sign in, add an organisation and a
// user (with a validation error shown in the error summary), deactivate the user,
// search the audit log; plus sign-in errors, keyboard-only sign-in, a page the
// role may not open, and a session that ends while someone is working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, checkPage, demo, DEMO_PASSWORD, openPage } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('sign-in page: errors in the error summary, then a wrong password', async () => {
  const page = await newPage(browser);
  await openPage(page, `#/sign-in`);
  await page.waitForSelector('h1:has-text("Sign in to linkwell")');
  await checkPage(page, 'sign-in');
  await page.click('#sign-in');
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Enter your email address/);
  assert.match(await summary.innerText(), /Enter your password/);
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('nhsuk-error-summary')), true);
  await checkPage(page, 'sign-in-errors');
  // The link in the summary moves focus to the field.
  await summary.locator('a', { hasText: 'Enter your email address' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
  await page.fill('#email', demo('admin'));
  await page.fill('#password', 'not the password');
  await page.click('#sign-in');
  await page.waitForSelector('.nhsuk-error-summary:has-text("The email or password is wrong")');
});

test('keyboard only: sign in without a mouse', async () => {
  const page = await newPage(browser);
  await openPage(page, `#/sign-in`);
  await page.waitForSelector('#email');
  await page.keyboard.press('Tab'); // skip link
  // Tab until the email field has focus, then type and submit with Enter.
  for (let i = 0; i < 10 && await page.evaluate(() => document.activeElement.id) !== 'email'; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
  await page.keyboard.type(demo('admin'));
  await page.keyboard.press('Tab');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Hello, Alex Admin")');
});

test('an administrator adds an organisation and a user, then deactivates the user', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('admin'));
  await page.waitForSelector('h1:has-text("Hello, Alex Admin")');
  await checkPage(page, 'admin-home');

  await page.click('text=Organisations');
  await page.waitForSelector('h1:has-text("Organisations")');
  await page.fill('#org-name', 'Hillside Walking Group');
  await page.selectOption('#org-kind', 'vcse');
  await page.click('#add-organisation');
  await page.waitForSelector('td:has-text("Hillside Walking Group")');
  await checkPage(page, 'admin-organisations');

  await page.click('nav >> text=Users');
  await page.waitForSelector('h1:has-text("Users")');
  await page.fill('#user-name', 'Pat Walker');
  await page.fill('#user-email', 'pat@hillside.example');
  await page.selectOption('#user-role', 'provider');
  await page.selectOption('#user-org', { label: 'Hillside Walking Group' });
  await page.fill('#user-password', 'short');
  await page.click('#add-user');
  // The API's message, shown the NHS way and linked to the field.
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Must be at least 10 characters long/);
  assert.equal(await page.locator('#user-password-group.nhsuk-form-group--error').count(), 1);
  await checkPage(page, 'admin-users-error');

  await page.fill('#user-password', 'a long enough password');
  await page.click('#add-user');
  await page.waitForSelector('h1:has-text("Pat Walker")');
  await checkPage(page, 'admin-user');
  await page.click('#toggle-active');
  await page.waitForSelector('.nhsuk-summary-list >> text=Deactivated');

  // Pat cannot sign in now.
  const pat = await newPage(browser);
  await signIn(pat, 'pat@hillside.example', 'a long enough password');
  await pat.waitForSelector('.nhsuk-error-summary:has-text("This account has been deactivated")');

  await page.click('nav >> text=Audit log');
  await page.waitForSelector('h1:has-text("Audit log")');
  await page.fill('#action', 'user.update');
  await page.click('#audit-search');
  await page.waitForSelector('td:has-text("user.update")');
  await checkPage(page, 'admin-audit');
});

test('an administrator changes the decision aid\'s wording', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('admin'));
  await page.click('main >> text=Decision aid wording');
  await page.waitForSelector('h1:has-text("Decision aid wording")');
  const form = page.locator('form[id^="aid-"]').first();
  const id = (await form.getAttribute('id')).replace(/^aid-|-form$/g, '');
  // Every category keeps a pro and a con: an empty list is refused before sending.
  await form.locator('textarea[id$="-cons"]').fill('');
  await form.locator('button').click();
  await page.waitForSelector(`.nhsuk-error-summary a[href="#aid-${id}-cons"]`);
  await checkPage(page, 'admin-aid-wording-error');
  await form.locator('textarea[id$="-cons"]').fill('It takes an afternoon a week\nThe first visit can feel daunting');
  await form.locator('textarea[id$="-pros"]').fill('You meet people nearby\n\nIt costs nothing');
  await form.locator('button').click();
  await page.waitForSelector('.lw-saved:has-text("is saved")');
  // What everyone now reads (the blank line dropped).
  const cat = await page.evaluate(async (cid) => {
    const r = await fetch('/api/v1/decision-aid/categories', { credentials: 'same-origin' });
    return (await r.json()).categories.find((c) => c.id === cid);
  }, id);
  assert.deepEqual(cat.pros, ['You meet people nearby', 'It costs nothing']);
  assert.deepEqual(cat.cons, ['It takes an afternoon a week', 'The first visit can feel daunting']);
  assert.equal(await page.inputValue(`#aid-${id}-pros`), 'You meet people nearby\nIt costs nothing');
  await checkPage(page, 'admin-aid-wording');
});

test('a page the role may not open says so kindly', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('gp'));
  await page.waitForSelector('h1:has-text("Hello")');
  await openPage(page, `#/admin/users`);
  await page.waitForSelector('h1:has-text("You cannot open this page")');
  await checkPage(page, 'forbidden');
  await openPage(page, `#/no/such/page`);
  await page.waitForSelector('h1:has-text("Page not found")');
});

test('when the session ends, sign in again and come back to the same page', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('admin'));
  await page.waitForSelector('h1:has-text("Hello")');
  await openPage(page, `#/admin/users`);
  await page.waitForSelector('h1:has-text("Users")');
  // The session ends behind the page's back (as after 30 idle minutes).
  await page.context().clearCookies();
  await openPage(page, `#/admin/organisations`);
  await page.waitForSelector('text=Your session has ended');
  assert.match(page.url(), /next=/);
  await page.fill('#email', demo('admin'));
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#sign-in');
  await page.waitForSelector('h1:has-text("Organisations")');
  await checkPage(page, 'admin-organisations-after-sign-in');
});
