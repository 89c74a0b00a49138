// A commissioner's dashboard in a real browser: the report figures with their
// SVG charts, suppressed counts shown as "<5", filtered by period and link
// worker service, one report's table, and a CSV downloaded and read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, launch, newPage, signIn, checkPage, demo } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const chartsLoaded = (page) => page.evaluate(() => [...document.querySelectorAll('img.lw-report-chart')]
  .every((i) => i.complete && i.naturalWidth > 0));

test('a commissioner filters the dashboard and downloads a CSV', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('commissioner'));
  await page.waitForSelector('h1:has-text("Hello, Ruth Patel")');
  await checkPage(page, 'commissioner-home');
  await page.click('nav >> text=Reports');
  await page.waitForSelector('h1:has-text("Reports")');
  await page.waitForSelector('#report-take-up');
  assert.equal(await page.locator('section.lw-report').count(), 11);
  // Every chart is the API's SVG, with a text alternative.
  await page.locator('img.lw-report-chart').evaluateAll((imgs) => imgs.forEach((i) => { i.loading = 'eager'; }));
  await page.waitForFunction(() => [...document.querySelectorAll('img.lw-report-chart')].every((i) => i.complete));
  assert.equal(await chartsLoaded(page), true, 'every chart loads');
  assert.match(await page.locator('#report-take-up img').getAttribute('alt'), /^Chart: Take-up of social prescriptions/);
  assert.match(await page.locator('main').innerText(), /counts from 1 to 4 are shown as "<5"/);
  assert.match(await page.locator('#report-take-up .nhsuk-summary-list').innerText(), /Took up\s+<5/);
  await checkPage(page, 'commissioner-dashboard');

  // The period and one link worker service.
  await page.fill('#from', '2026-01-01');
  await page.fill('#to', '2026-12-31');
  await page.selectOption('#organisation_id', { label: 'Riverside PCN Social Prescribing Service' });
  await page.click('#report-apply');
  await page.waitForFunction(() => /from=2026-01-01/.test(location.hash) && /organisation_id=\d+/.test(location.hash));
  await page.waitForSelector('text=Referrals received from 2026-01-01 to 2026-12-31, Riverside PCN Social Prescribing Service.');
  const src = await page.locator('#report-take-up img').getAttribute('src');
  assert.match(src, /from=2026-01-01/);
  assert.match(src, /organisation_id=\d+/);
  assert.match(src, /format=svg/);
  assert.equal(await page.inputValue('#from'), '2026-01-01');

  // A period that ends before it starts, in the error summary.
  await page.fill('#to', '2025-01-01');
  await page.click('#report-apply');
  await page.waitForSelector('.nhsuk-error-summary:has-text("The end of the period must be on or after its start")');
  await page.fill('#to', '2026-12-31');

  // The take-up report's table, then its CSV.
  await page.click('#report-take-up >> text=See the table');
  await page.waitForSelector('h1:has-text("Take-up of social prescriptions")');
  await page.waitForSelector('table th:has-text("Took up")');
  assert.match(await page.locator('table').innerText(), /<5/);
  await checkPage(page, 'commissioner-report');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.lw-csv')]);
  assert.equal(download.suggestedFilename(), 'take-up.csv');
  const csv = readFileSync(await download.path(), 'utf8').split(/\r?\n/).filter(Boolean);
  assert.equal(csv[0], 'organisation_id,organisation,prescriptions,took_up,take_up_rate');
  assert.ok(csv.length > 1, 'rows after the header');
  assert.ok(csv.slice(1).some((row) => row.split(',').includes('<5')), `a suppressed count in ${csv.join(' | ')}`);
  // The download is filtered like the page.
  assert.match(download.url(), /from=2026-01-01/);
  assert.match(download.url(), /format=csv/);
});
