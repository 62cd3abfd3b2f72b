/**
 * A notebook loaded with `loadNotebook(path, { sandbox })` runs in a process of its own
 * (kernel/sandbox.ts): its declarations come back as proxies that call into it synchronously, also
 * re-entrantly; a test whose call never returns fails with the time limit and the next test gets a
 * fresh sandbox; running out of memory and flooding the output fail readably; files only root can
 * read stay hidden when the tests run as root.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadNotebook, NotebookError, type NotebookExports } from '../kernel/notebook_loader.js';
import { ensureBuilt } from './kernel/client.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let scratch = '';
let nb: NotebookExports;
let torch: NotebookExports;

function writeNotebook(name: string, cells: string[]): string {
  const path = join(scratch, name);
  const cell = (source: string): object => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
  writeFileSync(path, JSON.stringify({ cells: cells.map(cell), metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return path;
}

beforeAll(async () => {
  ensureBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'torchlab-sandbox-test-'));
  writeFileSync(join(scratch, 'secret.txt'), 'the hidden solution');
  const path = writeNotebook('sandboxed.ipynb', [
    'const k = 3;\nconst config = { lr: 0.5, sizes: [1, 2] };\nfunction double(x: Tensor): Tensor {\n  return x * 2;\n}',
    'function steal(f: () => number): unknown {\n  return (f.constructor as FunctionConstructor)(\'return process.pid\')();\n}\nfunction twice(f: (x: number) => number): number {\n  return f(f(k));\n}\nclass Counter {\n  n = k;\n  inc(): number { return ++this.n; }\n}',
    "function fails(): number {\n  throw new RangeError('bad value ' + k);\n}\nfunction read(path: string): string {\n  return require('fs').readFileSync(path, 'utf8');\n}",
    "function spin(): number {\n  while (true) {}\n}\nfunction flood(kb: number): number {\n  const line = 'x'.repeat(1023);\n  for (let i = 0; i < kb; i++) console.log(line);\n  return kb;\n}",
    'async function later(x: number): Promise<number> {\n  await new Promise((r) => setTimeout(r, 10));\n  return x + 1;\n}',
    'function hog(): number {\n  const chunks: number[][] = [];\n  while (true) chunks.push(new Array(1e5).fill(1.5));\n}',
  ]);
  nb = await loadNotebook(path, { sandbox: { timeLimit: 3, memoryLimit: 512, outputLimit: 4096 } });
  torch = nb.torch;
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('a sandboxed notebook', () => {
  it('hands back its declarations: data by value, objects and functions as live proxies', () => {
    expect(nb.k).toBe(3);
    expect(nb.config).toEqual({ lr: 0.5, sizes: [1, 2] });
    expect(nb.double(torch.tensor([1, -2])).tolist()).toEqual([2, -4]);
    const c = new nb.Counter();
    expect(c.n).toBe(3);
    expect(c.inc()).toBe(4);
    c.n = 10;
    expect(c.inc()).toBe(11);
    expect(c instanceof nb.Counter).toBe(true);
    expect(typeof nb.double).toBe('function');
    // options objects arrive as plain objects, as the library expects them
    const x = torch.zeros(2, 3, { dtype: torch.float64 });
    expect(x.shape).toEqual([2, 3]);
    expect(x.dtype).toBe(torch.float64);
    // typed arrays are copied, only the view's own bytes
    expect(torch.tensor([1.5, 2, 3]).get('1:').numpy()).toEqual(new Float32Array([2, 3]));
    // iteration, spread and keys go through the proxy
    const model = new nb.nn.Linear(3, 2);
    let n = 0;
    for (const p of model.parameters()) n += p.numel();
    expect(n).toBe(8);
    expect(Object.keys(nb.nn)).toContain('Linear');
    expect('Linear' in nb.nn).toBe(true);
    // console.log shows the notebook's own printout
    expect(inspect(torch.tensor([1, 2]))).toBe('tensor([1, 2])');
  });

  it("awaits the notebook's promises", async () => {
    expect(await nb.later(1)).toBe(2);
  });

  it('runs callbacks of the tests that call back into the notebook (re-entrant calls)', () => {
    expect(nb.twice((v: number) => v * 10)).toBe(300);
    const y = torch.ones(2).requires_grad_();
    const out = torch.no_grad(() => nb.double(y));
    expect(out.requires_grad).toBe(false);
    expect(nb.twice((v: number) => nb.double(torch.tensor([v])).item())).toBe(12);
    // and nothing else: a callback's constructor would be the test process's Function
    expect(() => nb.steal(() => 1)).toThrow("the notebook may only call the functions that the tests pass it (it asked for 'get')");
  });

  it("throws the notebook's errors with their class, message and cell line", () => {
    let caught: unknown;
    try {
      nb.fails();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).message).toBe('bad value 3');
    expect((caught as Error).stack).toMatch(/at \S*fails \(Cell 2, line 2\)/);
    // an error of the tests' callback comes back as itself
    const mine = new TypeError('from the test');
    expect(() => nb.twice(() => {
      throw mine;
    })).toThrow(mine);
  });

  it.runIf(isRoot)(`cannot read files that only root can read${isRoot ? '' : ' (skipped: needs root)'}`, () => {
    const secret = join(scratch, 'secret.txt');
    expect(() => nb.read(secret)).toThrow(/EACCES: permission denied/);
    // its own folder holds its copy of the notebook
    expect(nb.read('sandboxed.ipynb')).toContain('function spin');
  });

  it('passes on at most outputLimit bytes of output per test, and says how much it dropped', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(nb.flood(1024)).toBe(1024);
      // the output travels apart from the call's answer
      await vi.waitFor(() => expect(written.join('')).toContain('the rest of it is dropped'), { timeout: 20_000 });
    } finally {
      spy.mockRestore();
    }
    const text = written.join('');
    expect(text.length).toBeLessThan(4096 + 200);
    expect(text).toContain('x'.repeat(1023));
  });

  it('stops a call that never returns at the time limit', () => {
    expect(() => nb.spin()).toThrow(/^time limit of 3 s exceeded$/);
  });

  it('starts a fresh sandbox for the next test, and finds the declarations again', () => {
    expect(nb.double(torch.tensor([5])).tolist()).toEqual([10]);
    expect(new nb.Counter().inc()).toBe(4);
  });

  it('says that the notebook ran out of memory, with the limit', () => {
    expect(() => nb.hog()).toThrow('the notebook ran out of memory (limit 512 MB)');
  });
});

it('rejects with the failing cell when the notebook does not load in its sandbox', async () => {
  const path = writeNotebook('broken.ipynb', ['const a = 1;', "throw new Error('oops ' + a);"]);
  const err = await loadNotebook(path, { sandbox: true }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(NotebookError);
  expect((err as NotebookError).message).toBe('cell 1 failed: Error: oops 1');
}, 120_000);
