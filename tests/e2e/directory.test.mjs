// Directory search in a real browser, as a link worker: words, a postcode and a
// distance, filters, paging, a service's page; an unknown postcode shown in the
// error summary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, signIn, checkPage, demo, openPage } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('a link worker searches the directory with filters and distance', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('linkworker'));
  await page.waitForSelector('h1:has-text("Hello")');
  await page.click('nav >> text=Directory');
  await page.waitForSelector('h1:has-text("Find a service")');
  await page.waitForSelector('#results-title:has-text("services found")');
  const everything = Number((await page.locator('#results-title').innerText()).match(/\d+/)[0]);
  assert.ok(everything > 20, `the demo directory has more than a page (${everything})`);
  await checkPage(page, 'directory');

  // Paging: the next page, then back.
  await page.click('.nhsuk-pagination__link--next');
  await page.waitForSelector('.nhsuk-pagination__link--prev');
  assert.match(page.url(), /page=2/);
  assert.equal(await page.locator('ol.lw-results').getAttribute('start'), '21');

  // Walking groups near S60 1AE, within 5 miles, each with its distance.
  await openPage(page, `#/directory`);
  // Wait for page 1 to replace page 2 (it has no "previous" link), so the form filled
  // below is not re-rendered under the test's hands.
  await page.waitForFunction(() => document.querySelector('#results-title')
    && !document.querySelector('.nhsuk-pagination__link--prev'));
  await page.fill('#search', 'walking');
  await page.fill('#postcode', 'S60 1AE');
  await page.selectOption('#proximity', '8047');
  await page.click('#directory-go');
  await page.waitForSelector('.lw-distance');
  const distances = await page.locator('.lw-distance').allInnerTexts();
  assert.ok(distances.length > 0);
  for (const d of distances) {
    const km = Number(d.match(/^([\d.]+) km/)[1]);
    assert.ok(km <= 8.1, `${d} is within 5 miles`);
  }
  // Nearest first.
  await page.selectOption('#order', 'distance');
  await page.click('#directory-go');
  await page.waitForFunction(() => /order=distance/.test(location.hash));
  await page.waitForSelector('.lw-distance');
  const km = (await page.locator('.lw-distance').allInnerTexts()).map((d) => Number(d.match(/^([\d.]+) km/)[1]));
  assert.deepEqual(km, [...km].sort((a, b) => a - b), 'nearest first');
  const walking = Number((await page.locator('#results-title').innerText()).match(/\d+/)[0]);
  await checkPage(page, 'directory-walking');

  // Filters: free, on a Thursday, in a group; the filters stay open and ticked.
  await page.click('summary:has-text("More filters")');
  await page.check('label:has-text("Free")');
  await page.selectOption('#day', 'TH');
  await page.check('#setting-1');
  await page.click('#directory-go');
  await page.waitForFunction(() => /day=TH/.test(location.hash));
  await page.waitForSelector('#results-title');
  const filtered = Number(((await page.locator('#results-title').innerText()).match(/\d+/) || ['0'])[0]);
  assert.ok(filtered > 0 && filtered < walking, `filters narrow the results (${filtered} of ${walking})`);
  assert.equal(await page.isChecked('label:has-text("Free")'), true);
  assert.match(page.url(), /cost_band=free/);
  assert.match(page.url(), /setting=group/);
  await checkPage(page, 'directory-filters');

  // Not checked for 12 months: the listings that may be out of date.
  // (The previous page stays until the new answer is drawn: wait for the new one, in
  // which there are listings and every one says it may be out of date.)
  await openPage(page, `#/directory?stale=true`);
  await page.waitForFunction(() => {
    const items = [...document.querySelectorAll('.lw-results > li')];
    return document.querySelector('#results-title')
      && !document.querySelector('#cost_band-0:checked, input[value="free"]:checked')
      && items.length > 0 // the demo has listings not checked for a year
      && items.every((li) => /Not checked for over a year/.test(li.innerText));
  });

  // A service's page.
  await openPage(page, `#/directory?search=chair%20exercise`);
  await page.waitForFunction(() => document.querySelector('#search')
    && document.querySelector('#search').value === 'chair exercise'
    && document.querySelector('.lw-results a'));
  await page.click('.lw-results a >> nth=0');
  await page.waitForSelector('h1:has-text("Chair Exercise")');
  const details = await page.locator('.nhsuk-summary-list').innerText();
  assert.match(details, /Tuesday|Monday|Wednesday|Thursday|Friday|Saturday|Sunday/);
  assert.match(details, /Rotherham/);
  await checkPage(page, 'directory-service');
});

test('an unknown postcode is shown in the error summary', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('linkworker'));
  await page.waitForSelector('h1:has-text("Hello")');
  await openPage(page, `#/directory`);
  await page.waitForSelector('#results-title');
  await page.selectOption('#proximity', '1609');
  await page.click('#directory-go');
  await page.waitForSelector('.nhsuk-error-summary:has-text("Enter a postcode")');
  await page.fill('#postcode', 'ZZ99 9ZZ');
  await page.click('#directory-go');
  const summary = page.locator('.nhsuk-error-summary');
  await page.waitForFunction(() => /ZZ99/.test(location.hash));
  await summary.waitFor();
  assert.equal(await page.locator('#postcode-group.nhsuk-form-group--error').count(), 1);
  await checkPage(page, 'directory-postcode-error');
});

// The administrator imports Open Referral files (copies of ../shared/testdata/
// in tests/fixtures/oruk/) and reads the report: counts, and each rejection's
// path and reason.
test('an administrator imports a directory file and sees the report', async () => {
  const fixtures = new URL('../fixtures/oruk/', import.meta.url).pathname;
  const page = await newPage(browser);
  await signIn(page, demo('admin'));
  await page.waitForSelector('h1:has-text("Hello")');
  await page.click('nav >> text=Import');
  await page.waitForSelector('h1:has-text("Import a directory")');
  await page.click('#import-go');
  await page.waitForSelector('.nhsuk-error-summary:has-text("Choose a file to import")');
  await checkPage(page, 'import-error');

  await page.setInputFiles('#import-file', `${fixtures}oruk-uk-profile/service_full.json`);
  await page.click('#import-go');
  await page.waitForSelector('#import-report-title:has-text("service_full.json")');
  assert.match(await page.locator('table:has(caption:has-text("What was imported")) tbody tr', { hasText: 'Services' }).innerText(), /Services\s+1\s+0\s+0\s+0/);
  assert.match(await page.locator('#import-report').innerText(), /no records rejected/);
  await checkPage(page, 'import-report');

  // A council's old-style feed with a nameless service: rejected, with where and why.
  await page.setInputFiles('#import-file', `${fixtures}messy/council_v1.json`);
  await page.click('#import-go');
  await page.waitForSelector('#import-report-title:has-text("council_v1.json")');
  const report = await page.locator('#import-report').innerText();
  assert.match(report, /1 record was rejected/);
  assert.match(await page.locator('table:has(caption:has-text("What was imported")) tbody tr', { hasText: 'Services' }).innerText(), /Services\s+2\s+0\s+0\s+1/);
  const rejected = page.locator('table:has(caption:has-text("Rejected records")) tbody tr');
  assert.equal(await rejected.count(), 1);
  assert.match(await rejected.innerText(), /services\[1\]\.name[\s\S]*102[\s\S]*empty/);
  await checkPage(page, 'import-report-rejected');

  // Not JSON at all: nothing imported, said in the error summary.
  await page.setInputFiles('#import-file', `${fixtures}messy/truncated.json`);
  await page.click('#import-go');
  await page.waitForSelector('.nhsuk-error-summary:has-text("truncated.json is not a JSON file")');
});
