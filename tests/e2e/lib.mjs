// Shared by the browser tests: Debian's Chromium driven by playwright-core
// (never a downloaded browser), axe-core accessibility checks, screenshots.
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const require = createRequire(path.join(process.cwd(), 'x.js'));
const { chromium } = require(require.resolve('playwright-core', { paths: [process.env.NODE_PATH] }));
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js', { paths: [process.env.NODE_PATH] }), 'utf8');

export const BASE = process.env.LW_URL;
export const ARTIFACTS = process.env.LW_ARTIFACTS;
export const DEMO_PASSWORD = 'linkwell-demo';
export const demo = (role) => `${role}@demo.linkwell.example`;

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page whose console errors and failed requests fail the test (except the
// NHS fonts, which the CSP keeps off another site on purpose).
export async function newPage(browser, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/assets\.nhs\.uk|font|Content Security Policy.*font/i.test(m.text())
        && !/Failed to load resource: the server responded with a status of (401|403|404|409|400)/.test(m.text())) {
      page.problems.push(`console: ${m.text()}`);
    }
  });
  return page;
}

// Goes to the app's page at HASH (e.g. '#/directory') and waits until the app has drawn
// it. The previous page stays on screen until the new one's answer arrives, so a test that
// only waited for a selector could read or click the old page. A hidden marker is put in
// <main> first; render() replaces main's children, so its removal means the new page is in.
export async function openPage(page, hash) {
  const target = `${BASE}/${hash}`;
  const marked = await page.evaluate(() => {
    const m = document.getElementById('maincontent');
    if (!m || !m.firstChild) return false;
    const s = document.createElement('span');
    s.id = 'lw-previous-page';
    s.hidden = true;
    m.appendChild(s);
    return true;
  }).catch(() => false);
  if (page.url() === target) await page.reload();
  else await page.goto(target);
  if (marked) await page.waitForSelector('#lw-previous-page', { state: 'detached' });
}

export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto(`${BASE}/#/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#sign-in');
}

// axe-core at WCAG 2.1 AA on the page as it is now; evaluated through the
// DevTools protocol, so the page's Content-Security-Policy stays in force.
export async function assertAccessible(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  const summary = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
  assert.deepEqual(summary, [], `${label}: accessibility violations`);
}

// Screenshots at 320 px and 1280 px wide, and axe at both widths; the page must
// not scroll sideways at 320 px.
export async function checkPage(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const width of [320, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(50);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `${name} scrolls sideways by ${overflow}px at ${width}px wide`);
    await assertAccessible(page, `${name} at ${width}px`);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(page.problems, [], `${name}: errors in the browser`);
}
