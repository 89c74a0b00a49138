// Link and peer workers in a real browser: triage (overdue first, accept with
// the suggested worker, decline with a reason), the case page (goal, action,
// contact, preferences, measures with their chart, the pathway), the caseload,
// and a case of another service shown kindly as not found.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, checkPage, demo, openPage } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('a link worker triages, accepts with the suggested worker and works on the case', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('linkworker'));
  await page.waitForSelector('h1:has-text("Hello")');
  await page.click('main >> text=Triage referrals');
  await page.waitForSelector('h1:has-text("Triage referrals")');
  // Overdue referrals come first.
  const first = page.locator('tbody tr').first();
  assert.match(await first.innerText(), /Overdue/);
  await checkPage(page, 'triage');
  const name = (await first.locator('a').innerText()).trim();
  await first.locator('a').click();
  await page.waitForSelector('#accept-form');
  assert.equal(await page.locator('input[name="assignee"]:checked').count(), 1);
  await checkPage(page, 'triage-referral');
  await page.click('#accept');
  await page.waitForSelector(`h1:has-text("${name}")`);
  await page.waitForSelector('text=Referral accepted');

  // What matters and the support level.
  await page.fill('#what-matters', 'Getting on top of the bills so he can sleep again');
  await page.check('#support-level-1');
  await page.click('#save-about');
  await page.waitForSelector('text=Saved what matters');
  assert.equal(await page.inputValue('#what-matters'), 'Getting on top of the bills so he can sleep again');

  // A goal, a step of the plan, a contact.
  await page.click('summary:has-text("Add a goal")');
  await page.click('#add-goal');
  await page.waitForSelector('#goal-form .nhsuk-error-summary:has-text("Enter the goal")');
  await page.fill('#goal-text', 'Have a plan for the debts by Christmas');
  await page.selectOption('#goal-domain', 'debt');
  await page.click('#add-goal');
  await page.waitForSelector('td:has-text("Have a plan for the debts by Christmas")');
  await page.click('summary:has-text("Add a step to the plan")');
  await page.fill('#action-what', 'Book an appointment with Citizens Advice');
  await page.fill('#action-who', 'David');
  await page.fill('#action-due', '2026-12-01');
  await page.selectOption('#action-goal', { label: 'Have a plan for the debts by Christmas' });
  await page.click('#add-action');
  await page.waitForSelector('td:has-text("Book an appointment with Citizens Advice")');
  await page.click('button[aria-label="Mark done: Book an appointment with Citizens Advice"]');
  await page.waitForSelector('text=Action plan updated');
  assert.match(await page.locator('tr', { hasText: 'Book an appointment' }).innerText(), /Done/);
  await page.click('summary:has-text("Record a contact")');
  await page.fill('#contact-minutes', '40');
  await page.selectOption('#contact-mode', 'face_to_face');
  await page.fill('#contact-note', 'First conversation at the surgery.');
  await page.click('#add-contact');
  await page.waitForSelector('td:has-text("First conversation at the surgery.")');

  // Their details: a postcode the API cannot read is named, then language and access.
  await page.click('summary:has-text("Change their contact details")');
  await page.fill('#details-postcode', 'NOPE 123');
  await page.click('#save-details');
  await page.waitForSelector('#details-form .nhsuk-error-summary a[href="#details-postcode"]');
  assert.equal(await page.locator('#details-postcode-group.nhsuk-form-group--error').count(), 1);
  const oldPostcode = await page.locator('.nhsuk-summary-list__row', { hasText: 'Postcode' }).first().innerText();
  await page.fill('#details-postcode', oldPostcode.replace(/^Postcode\s*/, '').trim());
  await page.fill('#details-language', 'Polish');
  await page.fill('#details-accessibility', 'Step-free access, large print');
  await page.click('#save-details');
  await page.waitForSelector('text=Their details are saved');
  const personList = await page.locator('.nhsuk-summary-list', { hasText: 'NHS number' }).innerText();
  assert.match(personList, /Language\s+Polish/);
  assert.match(personList, /Accessibility needs\s+Step-free access, large print/);

  // Preferences for matching.
  await page.click('summary:has-text("Change their preferences")');
  await page.fill('#pref-interests', 'cooking, football');
  await page.check('#pref-cost-0');
  await page.check('#pref-days-1');
  await page.check('#pref-travel-2');
  await page.click('#save-preferences');
  await page.waitForSelector('text=Preferences saved');
  const prefList = await page.locator('.nhsuk-summary-list', { hasText: 'Interests' }).innerText();
  assert.match(prefList, /cooking, football/);
  assert.match(prefList, /By car/);

  // Two measures: a wrong one first (the API names the item), then the chart.
  await page.click('summary:has-text("Record a measure")');
  await page.fill('#measure-items', '2, 2, 9');
  await page.click('#add-measure');
  await page.waitForSelector('#measure-form .nhsuk-error-summary');
  await page.fill('#measure-items', '2, 2, 3, 2, 2, 3, 2');
  await page.click('#add-measure');
  await page.waitForSelector('text=Measure recorded');
  await page.click('summary:has-text("Record a measure")');
  await page.selectOption('#measure-timepoint', 'review');
  await page.fill('#measure-items', '4, 4, 4, 3, 4, 4, 4');
  await page.click('#add-measure');
  await page.locator('svg[role="img"] circle').nth(1).waitFor({ state: 'attached' });
  assert.match(await page.locator('svg[role="img"] title').textContent(), /SWEMWBS/);
  assert.equal(await page.locator('svg[role="img"] circle').count(), 2);
  assert.match(await page.locator('svg[role="img"] desc').textContent(), /SWEMWBS wellbeing: [\d.]+ on .*, [\d.]+ on /);

  // The pathway: its milestones, or a plain "no pathway".
  const pathway = await page.locator('h2:has-text("Pathway") + p').innerText();
  assert.match(pathway, /No pathway for this case|Pathway: /);
  if (/Pathway: /.test(pathway)) {
    // An accepted referral starts a pathway: complete its first milestone.
    const first = page.locator('li.lw-milestone').first();
    const title = (await first.locator('h3').innerText()).replace(/\s*(Open|Overdue)\s*$/, '').trim();
    await first.locator('summary').click();
    await first.locator('input[value="complete"]').check();
    await first.locator('button').click();
    await page.waitForSelector('text=Pathway updated');
    assert.match(await page.locator('li.lw-milestone', { hasText: title }).first().innerText(), /Done/);
  }
  assert.equal(await page.locator('a[href$="/decision-aid"]').count(), 1);
  await checkPage(page, 'case-worked');
});

test('a link worker declines a referral with a reason', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('linkworker'));
  await page.waitForSelector('h1:has-text("Hello")');
  await openPage(page, `#/triage`);
  await page.waitForSelector('h1:has-text("Triage referrals")');
  const row = page.locator('tbody tr').last();
  const name = (await row.locator('a').innerText()).trim();
  await row.locator('a').click();
  await page.waitForSelector('#decline-form');
  await page.click('#decline');
  await page.waitForSelector('#decline-form .nhsuk-error-summary:has-text("Choose why you are declining it")');
  await page.selectOption('#decline-reason', 'referred_elsewhere');
  await page.fill('#decline-note', 'Referred to the debt advice service directly.');
  await page.click('#decline');
  await page.waitForSelector('h1:has-text("Triage referrals")');
  assert.equal(await page.locator('tbody a', { hasText: name }).count(), 0);
});

test('a peer worker sees their caseload, overdue first; another service\'s case is not found', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('peer'));
  await page.waitForSelector('h1:has-text("Hello")');
  await page.click('nav >> text=Caseload');
  await page.waitForSelector('h1:has-text("Your caseload")');
  const rows = page.locator('tbody tr');
  assert.ok(await rows.count() >= 1, 'the peer worker has cases');
  const texts = await rows.allInnerTexts();
  const firstOnTime = texts.findIndex((t) => !/Overdue/.test(t));
  assert.ok(firstOnTime === -1 || texts.slice(firstOnTime).every((t) => !/Overdue/.test(t)), 'overdue cases first');
  await checkPage(page, 'peer-caseload');
  await rows.first().locator('a').click();
  await page.waitForSelector('h2:has-text("Action plan")');
  assert.doesNotMatch(await page.locator('main').innerText(), /\b(null|undefined)\b/);
  await openPage(page, `#/caseload?all=1`);
  await page.waitForSelector('h1:has-text("cases")');
  await page.waitForSelector('th:has-text("Worker")');
  await openPage(page, `#/cases/999999`);
  await page.waitForSelector('h1:has-text("Page not found")');
});
