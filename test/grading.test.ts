/**
 * Homework graded by tests: `loadNotebook` (kernel/notebook_loader.ts) runs a notebook's code
 * cells in process with the kernel's semantics and hands back its declarations; the example
 * assignment notebooks/homework/hw02-mlp scores full marks with its solution and zero with the
 * blank student notebook under its own tests (points in the test names, `[N pts]`); `torchlab
 * grade` runs an assignment's tests in a child process, with the notebook in a sandbox process
 * (a test stuck in a loop fails alone; as root the tests are out of the notebook's reach), and
 * writes Gradescope's results.json. The sandbox itself is tested in test/sandbox.test.ts.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../kernel/cli.js';
import { gradeSubmission, loadNotebook, NotebookError, pointsOf, readCodeCells, type GradeResults, type NotebookExports } from '../kernel/notebook_loader.js';
import { ensureBuilt, root } from './kernel/client.js';

const hw = join(root, 'notebooks', 'homework', 'hw02-mlp');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let scratch = '';
/** A folder that the sandbox (`nobody` when the tests run as root) may write to. */
let shared = '';

beforeAll(() => {
  ensureBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'torchlab-grading-'));
  shared = mkdtempSync(join(tmpdir(), 'torchlab-grading-shared-'));
  chmodSync(shared, 0o777);
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  if (shared) rmSync(shared, { recursive: true, force: true });
});

function writeNotebook(name: string, cells: { source: string; tags?: string[]; markdown?: boolean }[]): string {
  const path = join(scratch, name);
  const nb = {
    cells: cells.map((c) => c.markdown === true
      ? { cell_type: 'markdown', metadata: {}, source: c.source }
      : { cell_type: 'code', metadata: c.tags === undefined ? {} : { tags: c.tags }, source: c.source.split(/(?<=\n)/), outputs: [], execution_count: null }),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

/** `|a - b|`'s largest element, through the notebook's own library. */
function maxDiff(a: NotebookExports, b: NotebookExports): number {
  return a.sub(b).abs().max().item();
}

describe('loadNotebook', () => {
  it('returns the declarations of a notebook, with the prelude, the operator rewrite and top-level await', async () => {
    const path = writeNotebook('decls.ipynb', [
      { source: '# a title', markdown: true },
      { source: 'const k = 3;\nlet t = torch.tensor([1, 2]) * 2 + 1;\n' },
      { source: 'function double(x: Tensor): Tensor {\n  return x * 2;\n}\nclass Counter { n = k; }\n' },
      { source: 'const later = await Promise.resolve(41) + 1;\nt = t - 1;\nt' },
    ]);
    const nb = await loadNotebook(path);
    expect(nb.k).toBe(3);
    expect(nb.later).toBe(42);
    expect(nb.t.tolist()).toEqual([2, 4]);
    expect(nb.double(nb.torch.tensor([1, -2])).tolist()).toEqual([2, -4]);
    expect(new nb.Counter().n).toBe(3);
    for (const name of ['torch', 'nn', 'F', 'Tensor']) expect(nb[name], name).toBeDefined();
    // the kernel's operator helpers and tslab's last-expression slot are not the notebook's names
    expect(Object.keys(nb).filter((n) => n.startsWith('_tl_') || n.startsWith('tsLastExpr'))).toEqual([]);
  });

  it('skips cells tagged test or slow by default, and those of skipTags when given', async () => {
    const path = writeNotebook('tags.ipynb', [
      { source: 'let ran: string[] = [];' },
      { source: "ran.push('slow');", tags: ['slow'] },
      { source: "ran.push('test');", tags: ['test', 'other'] },
      { source: "ran.push('plain');", tags: ['other'] },
    ]);
    expect((await loadNotebook(path)).ran).toEqual(['plain']);
    expect((await loadNotebook(path, { skipTags: [] })).ran).toEqual(['slow', 'test', 'plain']);
    expect((await loadNotebook(path, { skipTags: ['other'] })).ran).toEqual(['slow']);
  });

  it('rejects with the index of the cell that throws and its message', async () => {
    const path = writeNotebook('throws.ipynb', [
      { source: 'intro', markdown: true },
      { source: 'const a = 1;' },
      { source: "throw new RangeError('bad input');" },
      { source: 'const never = 2;' },
    ]);
    const err = await loadNotebook(path).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NotebookError);
    expect((err as NotebookError).cellIndex).toBe(2);
    expect((err as NotebookError).message).toBe('cell 2 failed: RangeError: bad input');
  });

  it('rejects a cell that does not type-check, naming the cell', async () => {
    const path = writeNotebook('typeerror.ipynb', [{ source: 'const s: string = 1;' }]);
    await expect(loadNotebook(path)).rejects.toThrow(/^cell 0 failed: TypeError: Type 'number' is not assignable to type 'string'/);
  });

  it("runs the cells in the notebook's folder and restores the working directory", async () => {
    const before = process.cwd();
    const path = writeNotebook('cwd.ipynb', [{ source: "const here = process.cwd();\nconst text = require('fs').readFileSync('data.txt', 'utf8');" }]);
    writeFileSync(join(scratch, 'data.txt'), 'hello');
    const nb = await loadNotebook(path);
    expect(nb.text).toBe('hello');
    expect(process.cwd()).toBe(before);
  });

  it('reads code cells with their index among all cells and their tags', () => {
    const cells = readCodeCells(join(hw, 'solution.ipynb'));
    expect(cells.length).toBeGreaterThan(4);
    expect(cells.find((c) => c.tags.includes('slow'))?.source).toContain('test_accuracy');
  });
});

describe('hw02-mlp', () => {
  it('the solution defines working relu, softmax, cross_entropy, linear layer and MLP (training skipped)', async () => {
    const nb = await loadNotebook(join(hw, 'solution.ipynb'));
    const { torch } = nb;
    expect(nb.test_accuracy).toBeUndefined();
    expect(nb.relu(torch.tensor([-1, 2])).tolist()).toEqual([0, 2]);
    torch.manual_seed(0);
    const logits = torch.randn(4, 10);
    const target = torch.tensor([1, 0, 9, 3]);
    expect(maxDiff(nb.softmax(logits, 1), logits.softmax(1))).toBeLessThan(1e-6);
    expect(maxDiff(nb.cross_entropy(logits, target), torch.nn.functional.cross_entropy(logits, target))).toBeLessThan(1e-5);
    const x = torch.randn(3, 4);
    const W = torch.randn(2, 4);
    const g = torch.randn(3, 2);
    const [gx, gW, gb] = nb.linear_backward(x, W, g);
    expect(maxDiff(gx, g.matmul(W))).toBeLessThan(1e-6);
    expect(gW.shape).toEqual([2, 4]);
    expect(gb.shape).toEqual([2]);
    expect(new nb.MLP(784, 16, 10)(torch.randn(2, 784)).shape).toEqual([2, 10]);
  });

  it("the student notebook loads and every stub throws 'not implemented'", async () => {
    const nb = await loadNotebook(join(hw, 'student.ipynb'));
    const x = nb.torch.randn(2, 3);
    const calls: [string, () => unknown][] = [
      ['relu', () => nb.relu(x)],
      ['softmax', () => nb.softmax(x, 1)],
      ['cross_entropy', () => nb.cross_entropy(x, nb.torch.tensor([0, 1]))],
      ['linear_forward', () => nb.linear_forward(x, x, x)],
      ['linear_backward', () => nb.linear_backward(x, x, x)],
      ['MLP.forward', () => new nb.MLP(3, 4, 2)(x)],
      ['train', () => nb.train(new nb.MLP(3, 4, 2), [], 1)],
      ['evaluate', () => nb.evaluate(new nb.MLP(3, 4, 2), [])],
    ];
    for (const [name, call] of calls) expect(call, name).toThrow(`not implemented: ${name}`);
  });

  // under CI the MNIST files must be there (as for test/notebooks.test.ts), so the check cannot be skipped
  // data/ is git-ignored: fill it from ../shared/data, as the notebook tests do
  spawnSync(process.execPath, [join(root, 'scripts', 'link-data.mjs')], { cwd: root, encoding: 'utf8' });
  const hasMnist = existsSync(join(root, 'data', 'mnist', 'train-images-idx3-ubyte.gz')) || Boolean(process.env.CI);

  it.runIf(hasMnist)(`the instructor tests${hasMnist ? '' : ' (skipped: no MNIST in data/mnist)'} give the solution full marks and the blank notebook zero`, async () => {
    const solution = await gradeSubmission(join(hw, 'solution.ipynb'), { tests: hw });
    expect(solution.tests.length).toBe(7);
    expect(solution.tests.every((t) => t.max_score > 0)).toBe(true);
    expect(solution.max_score).toBe(20);
    expect(solution.score, JSON.stringify(solution.tests)).toBe(20);
    const blank = await gradeSubmission(join(hw, 'student.ipynb'), { tests: hw });
    expect(blank.max_score).toBe(20);
    expect(blank.score).toBe(0);
    expect(blank.tests.find((t) => t.name === 'relu [2 pts]')?.output).toMatch(/^Error: not implemented: relu/);
  }, 300_000);
});

describe('torchlab grade', () => {
  /** An assignment folder with one test file (importing the loader from this checkout). */
  function assignment(name: string, body: string): string {
    const dir = join(scratch, name);
    mkdirSync(dir, { recursive: true });
    const loader = JSON.stringify(join(root, 'kernel', 'notebook_loader.js'));
    writeFileSync(join(dir, 'a.test.ts'), `import { beforeAll, expect, test } from 'vitest';
import { loadNotebook, type NotebookExports } from ${loader};
let nb: NotebookExports;
beforeAll(async () => { nb = await loadNotebook(process.env.TORCHLAB_SUBMISSION!); });
${body}
`);
    return dir;
  }

  it('reads points from test names', () => {
    expect(pointsOf('relu [2 pts]')).toBe(2);
    expect(pointsOf('bonus [1 pt] extra')).toBe(1);
    expect(pointsOf('half [0.5 pts]')).toBe(0.5);
    expect(pointsOf('no points')).toBeNull();
  });

  it('prints a table and writes Gradescope results.json, with partial credit', async () => {
    const dir = assignment('partial', `test('k is 3 [2 pts]', () => { expect(nb.k).toBe(3); });
test('f doubles [3 pts]', () => { expect(nb.f(2)).toBe(4); });
test('ungraded', () => { expect(1).toBe(1); });`);
    const sub = writeNotebook('partial.ipynb', [{ source: 'const k = 3;\nconst f = (x: number) => x + 1;' }]);
    const json = join(scratch, 'results.json');
    const logged: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
    let code: number;
    try {
      code = await main(['grade', sub, '--tests', dir, '--json', json, '--timeout-per-test', '60']);
    } finally {
      log.mockRestore();
    }
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(json, 'utf8')) as GradeResults;
    expect(results.score).toBe(2);
    expect(results.max_score).toBe(5);
    expect(results.tests.map((t) => [t.name, t.score, t.max_score, t.status])).toEqual([
      ['k is 3 [2 pts]', 2, 2, 'passed'],
      ['f doubles [3 pts]', 0, 3, 'failed'],
      ['ungraded', 0, 0, 'passed'],
    ]);
    expect(results.tests[1]!.output).toContain('expected 3 to be 4');
    const table = logged.join('\n');
    expect(table).toMatch(/PASS {2}k is 3 \[2 pts\] +2 \/ 2/);
    expect(table).toMatch(/FAIL {2}f doubles \[3 pts\] +0 \/ 3/);
    expect(table).toMatch(/total +2 \/ 5/);
  }, 120_000);

  it('scores zero with a readable reason when the notebook throws or never finishes, and leaves no process behind', async () => {
    const dir = assignment('zero', `test('k [4 pts]', () => { expect(nb.k).toBe(3); });`);
    const throws = await gradeSubmission(writeNotebook('throws2.ipynb', [{ source: 'const k = 3;' }, { source: "throw new Error('oops');" }]), { tests: dir });
    expect(throws.score).toBe(0);
    expect(throws.tests[0]!.output).toContain('cell 1 failed: Error: oops');
    // the sandbox runs as nobody under root: it writes its pid where anyone may write
    const pidFile = join(shared, 'loop.pid');
    const looping = writeNotebook('loops.ipynb', [{ source: `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nconst k = 3;\nwhile (k === 3) {}` }]);
    // long enough for vitest and the sandbox to start on a busy machine, so that the pid is written
    const loops = await gradeSubmission(looping, { tests: dir, timeout: 20 });
    expect(loops.score).toBe(0);
    expect(loops.output).toBe('the tests did not finish within 20 s and were stopped');
    // the worker process that held the loop is gone too, not only vitest's main process
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    // gone, or a zombie that nobody reaps (a container's init may not)
    const stat = join('/proc', String(pid), 'stat');
    const state = existsSync(stat) ? readFileSync(stat, 'utf8').replace(/^.*\) /s, '')[0] : 'gone';
    expect(['gone', 'Z', 'X']).toContain(state);
  }, 120_000);

  it('runs the submission in a sandbox: a test stuck in a loop fails alone, the tests stay hidden, a flood of output does no harm', async () => {
    const dir = assignment('sandboxed', `import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
test('spins [1 pt]', () => { nb.spin(); }, 3000);
test('doubles [2 pts]', () => { expect(nb.double(21)).toBe(42); });
test('floods [1 pt]', () => { expect(nb.flood(4096)).toBe(4096); });
test('env [1 pt]', () => { expect(nb.env()).toEqual([]); });
test('hidden [1 pt]', () => {
  const me = fileURLToPath(import.meta.url);
  const sandboxed = ${JSON.stringify(isRoot)};
  for (const file of [me, join(dirname(me), 'solution.ipynb')]) {
    if (sandboxed) expect(() => nb.read(file)).toThrow(/EACCES/);
    else expect(nb.read(file).length).toBeGreaterThan(0);
  }
});`);
    writeFileSync(join(dir, 'solution.ipynb'), '{"the": "solution"}');
    const sub = writeNotebook('sandboxed.ipynb', [{ source: `function spin(): number {
  while (true) {}
}
const double = (x: number) => 2 * x;
function flood(kb: number): number {
  for (let i = 0; i < kb; i++) console.log('y'.repeat(1023));
  return kb;
}
const env = () => Object.keys(process.env).filter((k) => k.startsWith('TORCHLAB'));
const read = (path: string): string => require('fs').readFileSync(path, 'utf8');` }]);
    const r = await gradeSubmission(sub, { tests: dir, memoryLimit: 1024 });
    expect(r.tests.map((t) => [t.name, t.score, t.status])).toEqual([
      ['spins [1 pt]', 0, 'failed'],
      ['doubles [2 pts]', 2, 'passed'],
      ['floods [1 pt]', 1, 'passed'],
      ['env [1 pt]', 1, 'passed'],
      ['hidden [1 pt]', 1, 'passed'],
    ]);
    expect(r.tests[0]!.output).toMatch(/^Error: time limit of 3 s exceeded/);
  }, 120_000);

  it('rejects bad arguments with a usage error', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await main(['grade', 'x.ipynb'])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toContain('torchlab: grade needs --tests DIR');
    } finally {
      err.mockRestore();
    }
  });
});
