// The web app's main flows in headless Firefox, driven by puppeteer-core over WebDriver BiDi
// (Playwright cannot drive Debian's Firefox). Run by tests/web/test_firefox.py against a fresh
// server; prints one JSON line and exits 0 when every step passed, 1 otherwise.
//
// Usage: node flows.mjs '{"url": ..., "firefox": ..., "modules": ..., "shots": ..., "photos": [...]}'
//   modules: the node_modules directory holding puppeteer-core (.tools/node_modules)
//   photos:  two JPEGs; the first must be the older one (it is opened in the viewer)

import { createRequire } from 'node:module';
import path from 'node:path';

const args = JSON.parse(process.argv[2]);
const require = createRequire(path.join(args.modules, 'noop.js'));
const puppeteer = require('puppeteer-core');

const TIMEOUT = 20_000;
const report = { ok: false, browser: null, steps: [], pageErrors: [], consoleErrors: [], thumbnails: [] };
let step = 'launch';

const shot = (page, name) => page.screenshot({ path: path.join(args.shots, `firefox-${name}.png`) });

/** Wait until some element matching `selector` contains `text`. */
function waitText(page, selector, text, { timeout = TIMEOUT } = {}) {
  return page.waitForFunction(
    (sel, t) => [...document.querySelectorAll(sel)].some((e) => e.textContent.includes(t)),
    { timeout, polling: 100 }, selector, text,
  );
}

function waitUrl(page, pattern, { timeout = TIMEOUT } = {}) {
  return page.waitForFunction((re) => new RegExp(re).test(location.pathname + location.search),
    { timeout, polling: 100 }, pattern);
}

async function fill(page, selector, value) {
  const input = await page.waitForSelector(selector, { visible: true });
  await input.click({ count: 3 });
  await input.evaluate((el) => { el.value = ''; });
  await input.type(value);
}

/** The JSON of a GET made from the page, so it carries the page's own session cookie. */
function apiGet(page, url) {
  return page.evaluate(async (u) => {
    const resp = await fetch(u);
    return { status: resp.status, body: await resp.json() };
  }, url);
}

async function waitForJobs(page) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { body } = await apiGet(page, '/api/jobs');
    const busy = Object.values(body).reduce(
      (n, q) => n + q.jobCounts.waiting + q.jobCounts.active + q.jobCounts.delayed, 0);
    if (busy === 0) return;
    if (Date.now() > deadline) throw new Error(`jobs still running: ${JSON.stringify(body)}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

async function run(browser) {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.setViewport({ width: 1280, height: 800 });
  page.on('pageerror', (err) => report.pageErrors.push(String(err && err.message ? err.message : err)));
  page.on('console', (msg) => { if (msg.type() === 'error') report.consoleErrors.push(msg.text()); });
  const passed = (name) => report.steps.push(name);

  step = 'sign up';
  await page.goto(`${args.url}/`);
  await waitUrl(page, '^/auth/register$');
  await waitText(page, 'h1', 'Welcome to filmroll');
  await fill(page, 'input[name=name]', 'Admin');
  await fill(page, 'input[name=email]', 'admin@example.com');
  await fill(page, 'input[name=password]', 'admin-pw');
  await fill(page, 'input[name=confirm]', 'admin-pw');
  await shot(page, '01-sign-up');
  await page.click('button[type=submit]');
  await waitUrl(page, '^/auth/login\\?email=');
  passed(step);

  step = 'log in';
  const email = await page.$eval('input[name=email]', (el) => el.value);
  if (email !== 'admin@example.com') throw new Error(`the login form has email ${JSON.stringify(email)}`);
  await fill(page, 'input[name=password]', 'wrong-password');
  await page.click('button[type=submit]');
  await waitText(page, '[role=alert]', 'Incorrect email or password');
  await fill(page, 'input[name=password]', 'admin-pw');
  await page.click('button[type=submit]');
  await waitUrl(page, '^/photos$');
  await waitText(page, 'h1', 'Photos');
  await waitText(page, '.tl-status', 'No photos yet');
  passed(step);

  step = 'upload through the file picker';
  const [chooser] = await Promise.all([page.waitForFileChooser(), page.click('.upload-button')]);
  if (!chooser.isMultiple()) throw new Error('the file picker does not take several files');
  await chooser.accept(args.photos);
  await waitText(page, '#upload-panel', '2 of 2 done', { timeout: 60_000 });
  const uploaded = await page.$$eval('#upload-panel .upload-state', (els) => els.map((e) => e.textContent));
  if (uploaded.filter((t) => t === 'Uploaded').length !== 2) throw new Error(`upload states: ${uploaded}`);
  await shot(page, '02-uploaded');
  passed(step);

  step = 'timeline with real thumbnails';
  await waitForJobs(page);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('.tile-link').length === 2, { polling: 100 });
  await waitText(page, 'h2.tl-month', 'May 2013');
  // Decoded images, not just requested ones: the browser knows their pixel size. A tile whose
  // thumbnail was not made yet retries on its own, so allow for one retry.
  await page.waitForFunction(
    () => [...document.querySelectorAll('.tile-link img')].every((img) => img.complete && img.naturalWidth > 0),
    { timeout: 30_000, polling: 100 },
  );
  report.thumbnails = await page.$$eval('.tile-link img', (imgs) => imgs.map((img) => ({
    naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, loaded: img.classList.contains('loaded'),
  })));
  const placeholder = await page.$eval('.tile-link', (a) => getComputedStyle(a).backgroundImage);
  if (!placeholder.includes('data:image/png')) throw new Error(`no thumbhash placeholder: ${placeholder}`);
  await shot(page, '03-timeline');
  passed(step);

  step = 'viewer with the EXIF panel';
  await page.click('.tile-link[aria-label*="May 10, 2013"]');
  await page.waitForSelector('[role=dialog][aria-label^="Viewer:"]');
  const details = '[role=dialog] aside[aria-label=Details]';
  for (const text of ['Nokia Lumia 820', 'ƒ/2.2', 'Germany', '2013']) await waitText(page, details, text);
  await page.waitForFunction(() => {
    const img = document.querySelector('img.viewer-media');
    return img && img.classList.contains('loaded') && img.naturalWidth > 0;
  }, { polling: 100 });
  await waitUrl(page, '^/photos/[0-9a-f-]{36}$');
  report.assetId = await page.evaluate(() => location.pathname.split('/').pop());
  await shot(page, '04-viewer');
  passed(step);

  step = 'favourite';
  await page.click('[role=dialog] button[aria-label="Add to favourites"]');
  await page.waitForSelector('[role=dialog] button[aria-label="Remove from favourites"][aria-pressed=true]');
  const fav = await apiGet(page, `/api/assets/${report.assetId}`);
  if (fav.body.isFavorite !== true) throw new Error(`isFavorite after the heart: ${fav.body.isFavorite}`);
  passed(step);

  step = 'keyboard navigation';
  // The starfish is the oldest photo: left goes to the newer one, right comes back.
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((id) => !location.pathname.endsWith(id), { polling: 100 }, report.assetId);
  await waitText(page, details, 'Canon');
  await page.keyboard.press('ArrowRight');
  await waitUrl(page, `^/photos/${report.assetId}$`);
  await waitText(page, details, 'Nokia Lumia 820');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.viewer'), { polling: 100 });
  await waitUrl(page, '^/photos$');
  passed(step);

  step = 'search';
  await fill(page, 'form[role=search] input[name=q]', 'r_canon');
  await page.keyboard.press('Enter');
  await waitUrl(page, '^/search\\?q=r_canon$');
  await waitText(page, '#main [role=status]', '1 found');
  await page.waitForSelector('#main a[aria-label="r_canon.jpg"]');
  await shot(page, '05-search');
  passed(step);

  step = 'devices';
  await page.click('nav[aria-label=Main] a[href="/devices"]');
  await waitUrl(page, '^/devices$');
  await waitText(page, 'h1', 'Devices & sync');
  await waitText(page, 'table', 'This browser');
  await shot(page, '06-devices');
  passed(step);

  if (report.pageErrors.length) throw new Error(`JavaScript errors on the page: ${report.pageErrors.join('; ')}`);
}

let browser;
try {
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: args.firefox,
    headless: true,
    protocol: 'webDriverBiDi',
    timeout: 60_000,
  });
  report.browser = await browser.version();
  await run(browser);
  report.ok = true;
} catch (err) {
  report.step = step;
  report.error = String(err && err.stack ? err.stack : err);
  try {
    const pages = browser ? await browser.pages() : [];
    if (pages.length) await shot(pages[pages.length - 1], 'failure');
  } catch { /* the browser may be gone */ }
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(report.ok ? 0 : 1);
