/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by playwright-core (which
 * ships no browser of its own), the checks that a rendered output is really visible, and where the
 * screenshots go (test-artifacts/browser/, git-ignored).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { root } from '../kernel/client.js';

/** Debian's Chromium; CHROMIUM picks another build. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Debian's Python, which has the Jupyter packages (the python3 earlier on PATH may not); JUPYTER_PYTHON picks another. */
export const PYTHON = process.env.JUPYTER_PYTHON || '/usr/bin/python3';

export const artifactsDir = join(root, 'test-artifacts', 'browser');

export const inCI = Boolean(process.env.CI);

/** Why Chromium cannot run here, or null. */
export function missingChromium(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install chromium)`;
  return null;
}

/** Why `import <modules>` fails under Debian's Python, with the package to install, or null. */
export function missingPython(modules: string, apt: string): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8' });
  if (r.status !== 0) {
    const last = r.stderr.trim().split('\n').pop() ?? 'import failed';
    return `${last} (apt-get install ${apt})`;
  }
  return null;
}

export interface Session {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * Starts Chromium with a fresh profile and a page that may only reach `allowed` origins: this
 * machine's network is closed, and Chromium's background traffic and CDN scripts (nbconvert's
 * require.js and MathJax) would otherwise wait on refused connections.
 */
export async function openBrowser(allowed: (url: string) => boolean): Promise<Session> {
  // launch() gives Chromium a fresh, empty --user-data-dir of its own and removes it on close
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.route('**/*', (route) => (allowed(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
  return {
    browser,
    page,
    async close() {
      await browser.close();
    },
  };
}

export interface Visibility {
  width: number;
  height: number;
  /** The element's box overlaps the viewport once it has been scrolled into view. */
  inViewport: boolean;
  /** For `<img>`: the image decoded (a broken data URI has naturalWidth 0). */
  decoded: boolean;
}

/**
 * The browser globals that the functions run in the page use. The project compiles without the DOM
 * library (it is Node code), so page functions reach them through `globalThis` with these types.
 */
export interface PageGlobals {
  innerWidth: number;
  innerHeight: number;
  scrollTo(x: number, y: number): void;
  getComputedStyle(el: unknown): { visibility: string; display: string; opacity: string };
  document: { querySelector(selector: string): unknown };
}

/**
 * Scrolls `target` into view and measures it. A zero-size or off-screen element fails the test,
 * so do hidden images and images the browser could not decode.
 */
export async function visibility(target: Locator): Promise<Visibility> {
  await target.scrollIntoViewIfNeeded({ timeout: 10_000 });
  return target.evaluate((el) => {
    const page = globalThis as unknown as PageGlobals;
    const r = el.getBoundingClientRect();
    const inViewport = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < page.innerHeight && r.left < page.innerWidth;
    const style = page.getComputedStyle(el);
    const shown = style.visibility !== 'hidden' && style.display !== 'none' && Number(style.opacity) > 0;
    const img = el as unknown as { tagName: string; complete: boolean; naturalWidth: number; naturalHeight: number };
    const decoded = img.tagName.toUpperCase() === 'IMG' ? img.complete && img.naturalWidth > 0 && img.naturalHeight > 0 : true;
    return { width: r.width, height: r.height, inViewport: inViewport && shown, decoded };
  });
}

/** The path of a new screenshot under test-artifacts/browser/. */
export function artifact(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}

/** Removes the screenshots a previous run left under `prefix`, so none is mistaken for this run's. */
export function clearArtifacts(prefix: string): void {
  if (!existsSync(artifactsDir)) return;
  for (const f of readdirSync(artifactsDir)) if (f.startsWith(prefix)) rmSync(join(artifactsDir, f), { force: true });
}

/** torchlab's tensor tables under `scope` are shown: at least 3, the first visible with its cells. */
export async function expectTensorTables(page: Page, scope: string, shot: string): Promise<void> {
  const tables = page.locator(`${scope}table.torchlab-tensor`);
  expect(await tables.count()).toBeGreaterThanOrEqual(3);
  const first = tables.first();
  const v = await visibility(first);
  expect(v.inViewport, JSON.stringify(v)).toBe(true);
  expect(v.width).toBeGreaterThan(50);
  // the cells hold the numbers, not an escaped copy of the markup
  expect(await first.locator('td').count()).toBeGreaterThanOrEqual(9);
  await first.locator('xpath=..').screenshot({ path: artifact(shot) });
}

/** The MNIST digit grid under `scope` is shown: at least 16 decoded PNGs, upscaled to be seen. */
export async function expectDigitGrid(page: Page, scope: string, shot: string): Promise<void> {
  const grid = page.locator(`${scope}.torchlab-images`).first();
  const v = await visibility(grid);
  expect(v.inViewport, JSON.stringify(v)).toBe(true);
  const images = grid.locator('img[src^="data:image/png;base64,"]');
  const n = await images.count();
  expect(n).toBeGreaterThanOrEqual(16);
  for (let i = 0; i < n; i++) {
    const img = await visibility(images.nth(i));
    expect(img.decoded, `image ${i}`).toBe(true);
    // 28x28 digits are upscaled so they can be seen
    expect(img.width, `image ${i}`).toBeGreaterThanOrEqual(56);
  }
  await grid.screenshot({ path: artifact(shot) });
}
