/**
 * `loadNotebook`: a notebook's code cells run in order with the kernel's cell semantics (the
 * prelude's torch, nn, F, ..., type-checked TypeScript, top-level await, the operator rewrite)
 * and no Jupyter server, so that a test can call what the notebook defines: in this process, or
 * in a sandbox process with limits (`{ sandbox }`, kernel/sandbox.ts). This is how homework is
 * graded: the instructor's vitest file loads the student's notebook, and `gradeSubmission`
 * (`torchlab grade`) runs those tests in a child process, with the notebook sandboxed, and scores them.
 */

import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATE_SLOTS } from './bridge.js';
import type { ErrorContent } from './display.js';
import { InterruptState } from './interrupt.js';
import { enableOperators } from './kernel.js';
import { libraryPath, makePrelude } from './prelude.js';
import { HELPER_PREFIX } from './rewrite.js';
import { CellRunner } from './runner.js';
import { loadInSandbox, type SandboxOptions } from './sandbox.js';

export type { SandboxOptions } from './sandbox.js';

export interface LoadNotebookOptions {
  /** Cells carrying any of these tags (cell metadata `tags`) are not run. Default: `['test', 'slow']`. */
  skipTags?: readonly string[];
  /**
   * The working directory while the cells run (default: the notebook's folder, as Jupyter starts
   * the kernel there, so that `'../data'` means the same); the previous one is restored afterwards.
   */
  cwd?: string;
  /** The torchlab entry module the prelude imports (default: the built library, as in the kernel). */
  lib?: string;
  /**
   * Run the notebook in a sandbox process instead of this one (`true`, or its limits): what the
   * notebook declares comes back as proxies, each test gets a time limit, and a notebook that
   * loops, floods memory or crashes fails the test at hand only (see kernel/sandbox.ts). Its
   * working directory is a folder of its own, so `cwd` does not apply. Default: when
   * `TORCHLAB_SANDBOX` is `1`, as `torchlab grade` sets it.
   */
  sandbox?: boolean | SandboxOptions;
}

/**
 * The notebook's top-level declarations (functions, classes, constants, tensors) by name; `any`,
 * not `unknown`, because their types are only known when the notebook runs and tests call them directly.
 */
export type NotebookExports = Record<string, any>;

/** Why a notebook could not be loaded: the cell (0-based index among all cells) and its error. */
export class NotebookError extends Error {
  constructor(readonly cellIndex: number, readonly ename: string, readonly evalue: string, readonly traceback: readonly string[]) {
    super(`cell ${cellIndex} failed: ${ename}: ${evalue}`);
    this.name = 'NotebookError';
  }
}

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: unknown };
}

/** The code cells of an .ipynb file, with their index among all cells and their tags. */
export function readCodeCells(path: string): { index: number; source: string; tags: string[] }[] {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells?: NotebookCell[] };
  if (!Array.isArray(nb.cells)) throw new Error(`${path} is not a notebook (no cells)`);
  const out: { index: number; source: string; tags: string[] }[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    const raw = cell.metadata?.tags;
    const tags = Array.isArray(raw) ? raw.filter((t): t is string => typeof t === 'string') : [];
    out.push({ index, source, tags });
  });
  return out;
}

/**
 * The library the prelude imports: the kernel's (`TORCHLAB_LIB`, or dist/index.js next to the
 * compiled kernel); when this module runs from its TypeScript source (vitest), the build in dist/.
 */
function defaultLibrary(): string {
  const lib = libraryPath();
  if (existsSync(lib)) return lib;
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');
}

/** Where tslab's converter keeps a cell's last expression value (not a declaration of the notebook). */
const LAST_EXPRESSION = /^tsLastExpr\d*$/;

let loading: Promise<unknown> = Promise.resolve();

/**
 * Runs the code cells of the notebook at `path` (cells resolve modules from its folder) and
 * resolves with its top-level declarations. Cells tagged `test` or `slow` are skipped unless
 * `skipTags` says otherwise. A cell that throws or fails to type-check rejects with a
 * `NotebookError` naming the cell's index and the message. Loads run one after the other
 * (cells share the process's globals, as tslab's executor does), in a process rather than a
 * worker thread (the working directory changes while they run). The notebook imports the built
 * library (dist/); call it through `nb.torch`, since tensors of another copy of the library do not mix.
 *
 * With `sandbox` (or `TORCHLAB_SANDBOX=1`), the cells run in a process of their own instead, in a
 * folder holding a copy of the notebook, and the declarations come back as proxies: data (numbers,
 * strings, arrays, plain objects of data) is copied, everything else stays in the sandbox and
 * is used through synchronous calls, callbacks included. Each test then has a time limit, after
 * which the sandbox is killed and the next use starts a fresh one; see kernel/sandbox.ts.
 * @example
 * const nb = await loadNotebook('notebooks/homework/hw02-mlp/solution.ipynb');
 * nb.relu(nb.torch.tensor([-1, 2])); // tensor([0, 2])
 * const sandboxed = await loadNotebook('student.ipynb', { sandbox: { memoryLimit: 2048, data: 'data' } });
 */
export function loadNotebook(path: string, options: LoadNotebookOptions = {}): Promise<NotebookExports> {
  const sandbox = options.sandbox ?? process.env.TORCHLAB_SANDBOX === '1';
  if (sandbox !== false) {
    const load = { lib: options.lib ?? defaultLibrary(), ...(options.skipTags === undefined ? {} : { skipTags: options.skipTags }) };
    return loadInSandbox(path, load, sandbox === true ? {} : sandbox, NotebookError);
  }
  const run = loading.then(() => runNotebook(path, options)).then((r) => r.exports);
  loading = run.catch(() => undefined);
  return run;
}

/**
 * @internal Runs the notebook's cells in this process (what `loadNotebook` does without a sandbox,
 * and what the sandbox process does) and also returns how its errors read with cell lines.
 */
export async function runNotebook(path: string, options: LoadNotebookOptions): Promise<{ exports: NotebookExports; errorContent: (e: unknown) => ErrorContent }> {
  const file = resolve(path);
  const skip = new Set(options.skipTags ?? ['test', 'slow']);
  const cells = readCodeCells(file);
  const interrupts = new InterruptState(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const runner = new CellRunner(dirname(file), interrupts);
  const previousCwd = process.cwd();
  process.chdir(options.cwd ?? dirname(file));
  // tslab's executor hands its cells their `exports` (the declarations) through this global
  const locals = (globalThis as { __tslab__?: { exports: Record<string, unknown> } }).__tslab__?.exports;
  try {
    if (locals === undefined) throw new Error('tslab did not set up its executor');
    const lib = options.lib ?? defaultLibrary();
    const prelude = await makePrelude(lib);
    const first = await runner.run(prelude.code, { verbatim: true });
    if (first.status === 'error') throw new Error(`torchlab could not be loaded from ${lib}: ${first.error.evalue}`);
    const failed = await enableOperators(runner, lib);
    if (failed !== null) throw new Error(failed);
    for (const cell of cells) {
      if (cell.tags.some((t) => skip.has(t)) || cell.source.trim() === '') continue;
      const outcome = await runner.run(cell.source, { label: `Cell ${cell.index}` });
      if (outcome.status === 'error') {
        const { ename, evalue, traceback } = outcome.error;
        throw new NotebookError(cell.index, ename, evalue, traceback);
      }
    }
    // a snapshot of the notebook's names as its last cell left them, without the kernel's helpers
    const out: NotebookExports = {};
    for (const name of Object.keys(locals)) {
      if (!name.startsWith(HELPER_PREFIX) && !name.startsWith('__') && !LAST_EXPRESSION.test(name)) out[name] = locals[name];
    }
    // the runner's line tables outlive its compiler, which close() ends
    return { exports: out, errorContent: (e) => runner.errorContent(e) };
  } finally {
    process.chdir(previousCwd);
    runner.close();
  }
}

/** A test's points, from `[N pts]` (or `[1 pt]`) in its name; null when it declares none. */
export function pointsOf(testName: string): number | null {
  const m = /\[(\d+(?:\.\d+)?) pts?\]/.exec(testName);
  return m === null ? null : Number(m[1]);
}

/** One graded test, as an entry of Gradescope's `results.json`. */
export interface GradedTest {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
}

/** Gradescope's `results.json`: the total score and the tests (https://gradescope-autograders.readthedocs.io). */
export interface GradeResults {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  tests: GradedTest[];
}

export interface GradeOptions {
  /** The assignment's folder: vitest runs there (its `vitest.config.ts`, else vitest's default test files). */
  tests: string;
  /** Seconds one test may take (vitest's `testTimeout` and `hookTimeout`; loading the notebook is a hook). Default 120. */
  timeoutPerTest?: number;
  /** Seconds the whole run may take before the test process is killed (a loop that never yields). Default 900. */
  timeout?: number;
  /** Megabytes of memory for the submission's sandbox (`TORCHLAB_MEMORY_LIMIT`). Default 4096. */
  memoryLimit?: number;
}

/** How much of a failing test's message goes into its `output`. */
const MAX_TEST_OUTPUT = 4000;

interface VitestReport {
  testResults?: { assertionResults?: { title: string; fullName?: string; status: string; failureMessages?: string[] }[]; message?: string }[];
}

/**
 * Runs the vitest tests of `options.tests` against the notebook `submission` (given to them as
 * `TORCHLAB_SUBMISSION`) in a child process, and scores each test with the points its name
 * declares (`[N pts]`), all or nothing. The tests load the notebook into a sandbox process
 * (`TORCHLAB_SANDBOX=1` makes `loadNotebook` sandbox it; see kernel/sandbox.ts), so a test whose
 * call loops, runs out of memory or floods the output fails alone. As root, vitest runs a copy of
 * the tests in a folder only root can read, and the sandbox runs as `nobody`: the submission cannot
 * read the tests or what lies next to them (the original folder should not be readable by others
 * either). A run that is killed for time, or that crashes before reporting, scores zero with the
 * reason in `output`: this never throws for the submission's faults.
 * @example
 * const r = await gradeSubmission('student.ipynb', { tests: 'notebooks/homework/hw02-mlp' });
 * r.score; // 0 for the blank notebook
 */
export async function gradeSubmission(submission: string, options: GradeOptions): Promise<GradeResults> {
  const started = Date.now();
  const dir = resolve(options.tests);
  const perTest = Math.round((options.timeoutPerTest ?? 120) * 1000);
  const total = Math.round((options.timeout ?? 900) * 1000);
  const scratch = mkdtempSync(join(tmpdir(), 'torchlab-grade-'));
  const out = join(scratch, 'report.json');
  // the sandboxes' folders, removed at the end even when the tests were killed: others may pass
  // through (a sandbox running as nobody reaches its own folder) but not list it
  const sandboxes = mkdtempSync(join(tmpdir(), 'torchlab-grade-sandboxes-'));
  chmodSync(sandboxes, 0o711);
  try {
    // mkdtemp makes the folder 0700: as root, a copy of the tests there is out of the sandbox's reach
    const root = typeof process.getuid === 'function' && process.getuid() === 0 ? hiddenCopy(dir, scratch) : dir;
    const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
    const env: NodeJS.ProcessEnv = { ...process.env, TORCHLAB_SUBMISSION: resolve(submission), TORCHLAB_SANDBOX: '1', TORCHLAB_SANDBOX_DIR: sandboxes };
    if (options.memoryLimit !== undefined) env.TORCHLAB_MEMORY_LIMIT = String(options.memoryLimit);
    const run = await runTests(process.execPath, [vitest, 'run', '--root', root, '--reporter=json', `--outputFile=${out}`, `--testTimeout=${perTest}`, `--hookTimeout=${perTest}`], {
      cwd: root,
      env,
    }, total);
    const seconds = (Date.now() - started) / 1000;
    if (!existsSync(out)) {
      const why = run.timedOut
        ? `the tests did not finish within ${total / 1000} s and were stopped`
        : `the tests stopped without a report (exit ${String(run.code ?? run.signal)}): ${tail(run.stderr)}`;
      return { score: 0, max_score: 0, execution_time: seconds, output: why, tests: [] };
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as VitestReport;
    const tests: GradedTest[] = [];
    const problems: string[] = [];
    for (const file of report.testResults ?? []) {
      if (file.message !== undefined && file.message !== '') problems.push(file.message);
      for (const t of file.assertionResults ?? []) {
        const points = pointsOf(t.title) ?? 0;
        const passed = t.status === 'passed';
        // a test that never ran (its file's beforeAll failed: the notebook did not load) gets its file's message
        const failure = (t.failureMessages ?? []).join('\n') || (file.message ?? '') || `the test was ${t.status}`;
        tests.push({ name: t.title, score: passed ? points : 0, max_score: points, status: passed ? 'passed' : 'failed', output: passed ? '' : tail(failure) });
      }
    }
    const score = tests.reduce((s, t) => s + t.score, 0);
    const max = tests.reduce((s, t) => s + t.max_score, 0);
    return { score, max_score: max, execution_time: seconds, output: problems.map(tail).join('\n'), tests };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(sandboxes, { recursive: true, force: true });
  }
}

/**
 * A copy of the assignment folder `dir` inside `scratch`, where its relative imports still work:
 * the folders from the project root (the nearest folder above with a package.json) down to `dir`
 * are recreated, everything beside them is linked, and `dir` itself is copied (its node_modules linked).
 */
function hiddenCopy(dir: string, scratch: string): string {
  let root: string | null = null;
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) {
      root = d;
      break;
    }
    if (dirname(d) === d) break;
  }
  let src = root ?? dirname(dir);
  let dst = join(scratch, 'tree');
  mkdirSync(dst);
  for (const part of relative(src, dir).split(sep)) {
    for (const entry of readdirSync(src)) if (entry !== part) symlinkSync(join(src, entry), join(dst, entry));
    src = join(src, part);
    dst = join(dst, part);
    mkdirSync(dst);
  }
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') symlinkSync(join(dir, entry), join(dst, entry));
    else cpSync(join(dir, entry), join(dst, entry), { recursive: true });
  }
  return dst;
}

/** How much of the test process's stderr is kept (the rest of a flood of output is dropped). */
const MAX_STDERR = 64 * 1024;

/**
 * Runs the test process in a process group of its own and, after `timeoutMs`, kills the whole
 * group: vitest's workers are processes too, and a worker stuck in a loop outlives its parent.
 */
function runTests(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, timeoutMs: number): Promise<{ code: number | null; signal: string | null; timedOut: boolean; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR);
    });
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.on('error', (e) => {
      stderr += String(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // workers left behind by a vitest that exited on its own
      killGroup();
      resolvePromise({ code, signal, timedOut, stderr });
    });
  });
}

function tail(text: string): string {
  return text.length <= MAX_TEST_OUTPUT ? text : `...${text.slice(-MAX_TEST_OUTPUT)}`;
}

/** The results as a terminal table: one line per test, then the total. */
export function formatResults(r: GradeResults): string {
  const width = Math.max(4, ...r.tests.map((t) => t.name.length));
  const lines = r.tests.map((t) => `${t.status === 'passed' ? 'PASS' : 'FAIL'}  ${t.name.padEnd(width)}  ${String(t.score).padStart(3)} / ${t.max_score}`);
  lines.push(`${'total'.padEnd(width + 6)}  ${String(r.score).padStart(3)} / ${r.max_score}`);
  if (r.output !== '') lines.push('', r.output);
  return lines.join('\n');
}
