/**
 * Jupyter's own clients against the installed kernelspec: the jupyter_kernel_test conformance suite
 * and nbclient executing a notebook (Debian's python3-jupyter-kernel-test and python3-nbclient).
 * Without them the tests are skipped with the reason in their name; under CI they must be there.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGolden } from '../helpers/golden.js';
import { isolatedJupyter, root } from './client.js';

const golden = loadGolden<{ execute_result: { code: string; 'text/plain': string }[]; stdout: { code: string; text: string }[] }>('kernel.json');

/** Debian's Python, which has the Jupyter packages (the python3 earlier on PATH may not); JUPYTER_PYTHON picks another. */
const PYTHON = process.env.JUPYTER_PYTHON || '/usr/bin/python3';

function missingJupyter(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import jupyter_client, jupyter_kernel_test, nbclient, nbformat'], { encoding: 'utf8' });
  if (r.status !== 0) {
    const last = r.stderr.trim().split('\n').pop() ?? 'import failed';
    return `${last} (apt-get install python3-jupyter-kernel-test python3-nbclient)`;
  }
  return null;
}

const missing = missingJupyter();
const inCI = Boolean(process.env.CI);

if (missing !== null) {
  console.warn(`Jupyter conformance tests ${inCI ? 'FAIL' : 'skipped'}: ${missing}`);
}

describe.runIf(missing !== null && inCI)('Jupyter in CI', () => {
  it('is installed (.ci/run installs the Debian packages)', () => {
    throw new Error(`Jupyter is required when CI is set: ${missing}`);
  });
});

describe.skipIf(missing !== null)(`Jupyter clients${missing === null ? '' : ` (skipped: ${missing})`}`, () => {
  let dir = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(() => {
    ({ dir, env } = isolatedJupyter('jupyter'));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the kernelspec in `jupyter kernelspec list`', () => {
    const r = spawnSync(PYTHON, ['-m', 'jupyter_client.kernelspecapp', 'list', '--json'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const specs = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { spec: { display_name: string; language: string } }> }).kernelspecs;
    expect(specs.torchlab?.spec.display_name).toBe('TypeScript (torchlab)');
    expect(specs.torchlab?.spec.language).toBe('typescript');
  });

  it('passes jupyter_kernel_test', () => {
    const r = spawnSync(PYTHON, [join(root, 'test', 'kernel', 'kernel_conformance.py'), '-v'], { env, cwd: dir, encoding: 'utf8', timeout: 240_000 });
    const report = r.stderr;
    expect(r.status, report).toBe(0);
    expect(report).toMatch(/^OK$/m);
    // every sample set is exercised: nothing skipped
    expect(report).not.toMatch(/skipped/);
  }, 300_000);

  it('runs a notebook through nbclient', () => {
    const [shown] = golden.execute_result;
    const [printed] = golden.stdout;
    const nb = {
      cells: [
        [shown!.code],
        [printed!.code],
        ['torch.ones([2]).foo()'],
        ['console.log("after the error")'],
      ].map((lines, i) => ({ cell_type: 'code', id: `cell-${i}`, execution_count: null, metadata: {}, outputs: [], source: lines.join('\n') })),
      metadata: { kernelspec: { display_name: 'TypeScript (torchlab)', language: 'typescript', name: 'torchlab' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const path = join(dir, 'lecture.ipynb');
    writeFileSync(path, JSON.stringify(nb));
    const r = spawnSync(PYTHON, [join(root, 'test', 'kernel', 'run_notebook.py'), path], { env, cwd: dir, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    type Output = { output_type: string; text?: string; data?: Record<string, string>; ename?: string };
    // nbformat stores multi-line strings as lists of lines
    const joined = (_k: string, v: unknown): unknown => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v.join('') : v);
    const cells = (JSON.parse(r.stdout, joined) as { cells: { execution_count: number; outputs: Output[] }[] }).cells;
    expect(cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4]);
    expect(cells[0]!.outputs).toEqual([expect.objectContaining({ output_type: 'execute_result', data: expect.objectContaining({ 'text/plain': shown!['text/plain'] }) })]);
    expect(cells[1]!.outputs).toEqual([expect.objectContaining({ output_type: 'stream', text: printed!.text })]);
    expect(cells[2]!.outputs).toEqual([expect.objectContaining({ output_type: 'error', ename: 'TypeError' })]);
    expect(cells[3]!.outputs).toEqual([expect.objectContaining({ output_type: 'stream', text: 'after the error\n' })]);
  }, 300_000);
});
