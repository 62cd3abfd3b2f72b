/**
 * Issue 7, end to end: Jupyter's classic Notebook server (Debian's `jupyter-notebook`) with the
 * torchlab kernel, driven in headless Chromium by playwright-core as a student would: open
 * notebook 02, Cell → Run All, wait for the kernel to go idle (it trains on MNIST), then check from
 * the page that the tensor tables, the digit grid and the live loss plot are visible and that no
 * cell printed an error. It runs a copy with its outputs cleared, in a temporary folder with its
 * own data/ link, so what it sees is this run's and the committed notebook is never rewritten.
 * Screenshots go to test-artifacts/browser/. Without Chromium, the Notebook or the MNIST files it
 * is skipped with the reason in its name; under CI they must be there.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedJupyter, root } from '../kernel/client.js';
import { PYTHON, artifact, clearArtifacts, expectDigitGrid, expectTensorTables, inCI, missingChromium, missingPython, openBrowser, visibility, type PageGlobals, type Session } from './browser.js';

const NOTEBOOK = '02-multilayer-perceptrons.ipynb';

/** Links ../shared/data into data/ (as `npm start` does); the reason when MNIST is still missing. */
function missingData(): string | null {
  spawnSync(process.execPath, [join(root, 'scripts', 'link-data.mjs')], { cwd: root, encoding: 'utf8' });
  const mnist = join(root, 'data', 'mnist', 'train-images-idx3-ubyte.gz');
  return existsSync(mnist) ? null : 'no MNIST in data/mnist (node scripts/link-data.mjs /path/to/data)';
}

const missing = missingChromium() ?? missingPython('notebook.notebookapp', 'jupyter-notebook') ?? missingData();

if (missing !== null) console.warn(`Notebook browser test ${inCI ? 'FAIL' : 'skipped'}: ${missing}`);

describe.runIf(missing !== null && inCI)('the classic Notebook in Chromium, in CI', () => {
  it('has Chromium, jupyter-notebook and MNIST (.ci/run installs them; data comes from ../shared/data)', () => {
    throw new Error(`the browser test must run when CI is set: ${missing}`);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The parts of the classic Notebook's page API (`window.Jupyter`) the test reads. */
interface NotebookPage {
  Jupyter?: {
    notebook?: {
      kernel?: { is_connected(): boolean } | null;
      get_cells(): {
        cell_type: string;
        input_prompt_number?: number | string | null;
        get_text(): string;
        output_area?: { outputs: { output_type: string; name?: string; ename?: string; evalue?: string; text?: string }[] };
      }[];
    };
  };
}

interface CellState {
  source: string;
  prompt: number | string | null;
  outputs: { output_type: string; name?: string; ename?: string; evalue?: string; text?: string }[];
}

describe.skipIf(missing !== null)(`notebook 02 in the classic Notebook, in Chromium${missing === null ? '' : ` (skipped: ${missing})`}`, () => {
  let dir = '';
  let server: ChildProcess | undefined;
  let serverLog = '';
  let session: Session | undefined;
  let page: Session['page'];
  let cells: CellState[] = [];

  beforeAll(async () => {
    clearArtifacts('notebook-02');
    let env: NodeJS.ProcessEnv;
    ({ dir, env } = isolatedJupyter('notebook'));

    // the notebooks read '../data', as in the repository
    const work = join(dir, 'work');
    mkdirSync(join(work, 'notebooks'), { recursive: true });
    symlinkSync(join(root, 'data'), join(work, 'data'), 'dir');
    const nb = JSON.parse(readFileSync(join(root, 'notebooks', NOTEBOOK), 'utf8')) as { cells: { cell_type: string; outputs?: unknown[]; execution_count?: number | null }[] };
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'code') continue;
      cell.outputs = [];
      cell.execution_count = null;
    }
    writeFileSync(join(work, 'notebooks', NOTEBOOK), JSON.stringify(nb));

    const port = await freePort();
    const token = randomBytes(24).toString('hex');
    const args = ['-m', 'notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`, `--notebook-dir=${work}`];
    // containers often run as root, which the Notebook refuses without being told
    if (process.getuid?.() === 0) args.push('--allow-root');
    server = spawn(PYTHON, args, {
      cwd: work,
      // only this kernelspec, and connection files and settings in the temporary directory
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = (chunk: Buffer): void => {
      serverLog += chunk.toString();
    };
    server.stdout?.on('data', log);
    server.stderr?.on('data', log);

    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`jupyter notebook exited with ${server.exitCode}:\n${serverLog}`);
      const up = await fetch(`${base}/api/status?token=${token}`).then((r) => r.ok, () => false);
      if (up) break;
      if (Date.now() > deadline) throw new Error(`jupyter notebook did not answer on ${base} within 60 s:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    session = await openBrowser((url) => url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:'));
    page = session.page;
    const console: string[] = [];
    page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
    /** Runs a step; when it fails, keeps a screenshot and adds the server's and the page's logs. */
    const step = async (what: string, run: () => Promise<unknown>): Promise<void> => {
      try {
        await run();
      } catch (e) {
        await page.screenshot({ path: artifact('notebook-02-failed.png') }).catch(() => undefined);
        const tail = (s: string): string => s.slice(-4000);
        throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}\n--- server log\n${tail(serverLog)}\n--- page console\n${tail(console.join('\n'))}`);
      }
    };
    await step('opening the notebook', () => page.goto(`${base}/notebooks/notebooks/${NOTEBOOK}?token=${token}`, { waitUntil: 'load', timeout: 60_000 }));
    // the kernel starts with the page: wait until it is connected and idle before running anything
    await step('waiting for the kernel to start', () =>
      page.waitForFunction(
        () => (globalThis as unknown as NotebookPage).Jupyter?.notebook?.kernel?.is_connected() === true && (globalThis as unknown as PageGlobals).document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null,
        undefined,
        { timeout: 90_000, polling: 250 },
      ),
    );

    await step('Cell → Run All', async () => {
      await page.click('#celllink');
      await page.click('#run_all_cells > a');
    });

    // done when no cell is queued or running and every cell has run (or one failed, which stops
    // the rest); the MNIST training makes this the long part
    await step('running all cells', () => page.waitForFunction(
      () => {
        const all = (globalThis as unknown as NotebookPage).Jupyter?.notebook?.get_cells() ?? [];
        const code = all.filter((c) => c.cell_type === 'code' && c.get_text().trim() !== '');
        if (code.length === 0) return false;
        const running = code.some((c) => c.input_prompt_number === '*');
        const done = code.every((c) => typeof c.input_prompt_number === 'number');
        const failed = code.some((c) => c.output_area?.outputs.some((o) => o.output_type === 'error') === true);
        return !running && (done || failed) && (globalThis as unknown as PageGlobals).document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
      },
      undefined,
      { timeout: 240_000, polling: 500 },
    ));
    cells = await page.evaluate(() =>
      ((globalThis as unknown as NotebookPage).Jupyter?.notebook?.get_cells() ?? [])
        .filter((c) => c.cell_type === 'code')
        .map((c) => ({
          source: c.get_text(),
          prompt: c.input_prompt_number ?? null,
          outputs: (c.output_area?.outputs ?? []).map((o) => ({ output_type: o.output_type, name: o.name, ename: o.ename, evalue: o.evalue, text: o.text })),
        })),
    );
    await page.screenshot({ path: artifact('notebook-02.png') });
  }, 420_000);

  afterAll(async () => {
    await session?.close();
    if (server && server.exitCode === null) {
      // SIGTERM lets the Notebook shut its kernels down
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('ran every cell, without an error or stderr output', () => {
    const code = cells.filter((c) => c.source.trim() !== '');
    expect(code.length).toBeGreaterThan(10);
    const problems = code.flatMap((c, i) =>
      c.outputs
        .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
        .map((o) => `cell ${i} (${c.source.split('\n')[0]}): ${o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : o.text}`),
    );
    expect(problems).toEqual([]);
    expect(code.map((c) => c.prompt)).toEqual(code.map((_, i) => i + 1));
  });

  it('shows no error output on the page', async () => {
    expect(await page.locator('#notebook .output_error, #notebook .output_stderr').count()).toBe(0);
  });

  it('shows the tensor tables', async () => {
    await expectTensorTables(page, '.output_area ', 'notebook-02-tensor.png');
  });

  it('shows the digit grid as decoded PNGs', async () => {
    await expectDigitGrid(page, '.output_area ', 'notebook-02-digits.png');
  });

  it('shows the live loss plot once, updated in place, with its curve', async () => {
    const trainingCell = page.locator('.cell.code_cell').filter({ has: page.locator('.input', { hasText: 'plot.live(' }) });
    expect(await trainingCell.count()).toBe(1);
    // one plot that the updates replaced, not one output per update; the classic Notebook shows
    // the SVG inline, or as the <img> of the bundle's text/html (which it prefers)
    const plots = trainingCell.locator('.output_area svg.marks, .output_area img[src^="data:image/svg+xml"]');
    expect(await plots.count()).toBe(1);
    const plot = plots.first();
    const src = await plot.getAttribute('src');
    const svg = src ? Buffer.from(src.slice(src.indexOf(',') + 1), 'base64').toString() : ((await plot.evaluate((e) => e.outerHTML)) as string);
    expect(svg).toContain('training loss');
    const v = await visibility(plot);
    expect(v.inViewport, JSON.stringify(v)).toBe(true);
    expect(v.width).toBeGreaterThan(100);
    expect(v.height).toBeGreaterThan(100);
    // the curve is a line mark whose path has a point per logged step
    const curves = [...svg.matchAll(/<path[^>]* d="([^"]*)"/g)].map((m) => m[1]!.split(/[ML]/).length - 1);
    expect(Math.max(0, ...curves)).toBeGreaterThan(10);
    await plot.screenshot({ path: artifact('notebook-02-loss.png') });
    await page.screenshot({ path: artifact('notebook-02-loss-viewport.png') });
  });
});
