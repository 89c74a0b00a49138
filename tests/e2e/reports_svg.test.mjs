// Every report's SVG chart rendered by Chromium, as a commissioner (counts 1-4
// drawn as "<5") and as an admin: a title, both axis titles and a legend, every
// text inside the canvas, and no two texts overlapping. Boxes come from the
// browser's own layout (getBBox) carried through each text's transform
// (getCTM), so rotated labels are checked as the rotated rectangles they are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { BASE, ARTIFACTS, launch, demo, DEMO_PASSWORD } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

async function signedIn(role) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const r = await page.request.post(`${BASE}/api/v1/session`, {
    data: { email: demo(role), password: DEMO_PASSWORD },
  });
  assert.equal(r.status(), 201, `sign in as ${role}`);
  return page;
}

// Runs in the page: the chart's facts and the overlapping pairs of texts.
function inspect() {
  const svg = document.querySelector('svg');
  const vb = svg.viewBox.baseVal;
  const texts = [...document.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '');
  const quads = texts.map((t) => {
    const b = t.getBBox();
    const m = t.getCTM();
    const pt = (x, y) => ({ x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f });
    // Shrink by half a pixel: touching is not overlapping.
    const x0 = b.x + 0.5, y0 = b.y + 0.5, x1 = b.x + b.width - 0.5, y1 = b.y + b.height - 0.5;
    return { text: t.textContent, p: [pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1)] };
  });
  // Separating axis test for two convex quadrilaterals.
  const axes = (p) => p.map((a, i) => { const b = p[(i + 1) % 4]; return { x: a.y - b.y, y: b.x - a.x }; });
  const project = (p, ax) => { const v = p.map((q) => q.x * ax.x + q.y * ax.y); return [Math.min(...v), Math.max(...v)]; };
  const overlap = (a, b) => [...axes(a), ...axes(b)].every((ax) => {
    const [a0, a1] = project(a, ax); const [b0, b1] = project(b, ax);
    return a1 > b0 && b1 > a0;
  });
  const pairs = [];
  for (let i = 0; i < quads.length; i++) {
    for (let j = i + 1; j < quads.length; j++) {
      if (overlap(quads[i].p, quads[j].p)) pairs.push(`${quads[i].text} / ${quads[j].text}`);
    }
  }
  const outside = quads.filter((q) => q.p.some((c) => c.x < vb.x - 0.5 || c.y < vb.y - 0.5
    || c.x > vb.x + vb.width + 0.5 || c.y > vb.y + vb.height + 0.5)).map((q) => q.text);
  const bold = texts.filter((t) => t.getAttribute('font-weight') === 'bold');
  const rotated90 = texts.filter((t) => /rotate\(-90/.test(t.getAttribute('transform') || ''));
  const swatches = [...document.querySelectorAll('rect')].filter((r) => r.getAttribute('width') === '12' && r.getAttribute('height') === '12');
  return {
    root: svg.nodeName,
    title: (svg.querySelector('title') || {}).textContent,
    label: svg.getAttribute('aria-label'),
    texts: texts.length,
    bold: bold.map((t) => t.textContent),
    yAxis: rotated90.map((t) => t.textContent),
    swatches: swatches.length,
    pairs,
    outside,
    suppressed: texts.some((t) => t.textContent === '<5'),
  };
}

for (const role of ['commissioner', 'admin']) {
  test(`every report's chart is readable (${role})`, async () => {
    const page = await signedIn(role);
    const list = await (await page.request.get(`${BASE}/api/v1/reports`)).json();
    assert.equal(list.reports.length, 11);
    mkdirSync(ARTIFACTS, { recursive: true });
    let anySuppressed = false;
    for (const report of list.reports) {
      const url = `${BASE}/api/v1/reports/${report.name}?format=svg`;
      const response = await page.goto(url);
      assert.equal(response.status(), 200, url);
      assert.match(response.headers()['content-type'], /^image\/svg\+xml/);
      // Rendered as a document of its own, then inline in a page (as the dashboard shows it).
      const alone = await page.evaluate(inspect);
      assert.deepEqual(alone.pairs, [], `${report.name}: overlapping texts (SVG document)`);
      const svgText = await response.text();
      await page.goto('about:blank');
      await page.setContent(`<!doctype html><html lang="en"><body style="margin:0">${svgText}</body></html>`);
      const facts = await page.evaluate(inspect);
      const where = `${report.name} (${role})`;
      assert.equal(facts.root, 'svg', where);
      assert.equal(facts.title, report.title, `${where}: title`);
      assert.equal(facts.label, report.title, `${where}: aria-label`);
      assert.ok(facts.bold.includes(report.title), `${where}: the title is drawn`);
      // The title and both axis titles are bold; the y axis title is turned.
      assert.ok(facts.bold.length >= 3, `${where}: axis titles: ${facts.bold}`);
      assert.equal(facts.yAxis.length, 1, `${where}: one y axis title`);
      assert.ok(facts.swatches >= 1, `${where}: a legend`);
      assert.deepEqual(facts.pairs, [], `${where}: overlapping texts`);
      assert.deepEqual(facts.outside, [], `${where}: texts outside the canvas`);
      anySuppressed = anySuppressed || facts.suppressed;
      await page.screenshot({ path: path.join(ARTIFACTS, `report-${report.name}-${role}.png`), fullPage: true });
    }
    // The demo's small numbers are hidden from a commissioner, never from an admin.
    assert.equal(anySuppressed, role === 'commissioner');
    await page.context().close();
  });
}
