/**
 * `npx torchlab repl`, driven as a child process through its stdin: the prelude, operators on
 * tensors, multi-line entries, top-level await, tracebacks into the entry, history in the home
 * directory, and Tab completion (in terminal mode over a pipe).
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, ensureBuilt, root } from './client.js';

let home: string;

beforeAll(() => {
  ensureBuilt();
  home = mkdtempSync(join(tmpdir(), 'torchlab-repl-'));
}, 120_000);

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/**
 * Runs the REPL with `chunks` written to its stdin one after the other (each once the REPL has
 * printed `waitFor` of that chunk, when given), and resolves with its output when it exits.
 */
function repl(chunks: { text: string; waitFor?: string }[], args: string[] = []): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'repl', ...args], {
      cwd: root,
      env: { ...process.env, HOME: home, TORCHLAB_REPL_HISTORY: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let next = 0;
    const feed = (): void => {
      while (next < chunks.length) {
        const c = chunks[next]!;
        if (c.waitFor !== undefined && !out.includes(c.waitFor)) return;
        child.stdin.write(c.text);
        next++;
      }
      // the end of the input ends the REPL, as Ctrl-D does
      child.stdin.end();
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      feed();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the REPL did not exit; output:\n${out}`));
    }, 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
    feed();
  });
}

describe('repl', () => {
  it('runs entries as notebook cells: prelude, operators, multi-line entries, await, errors', async () => {
    const input = [
      'const a = torch.tensor([1.5, 2.5])',
      'a * 2 + 1',
      "'n = ' + 3",
      'function f(x: number) {',
      '  return x ** 2',
      '}',
      'f(3) - 1',
      '-a',
      'await new Promise((r) => setTimeout(() => r(7), 10))',
      'const w = torch.ones([2, 3]);',
      'const v: number = a',
      'w.view([4])',
      'a < 2',
      '.exit',
      '',
    ].join('\n');
    const { out, code } = await repl([{ text: input }]);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^torchlab \d+\.\d+\.\d+ \(TypeScript [\d.]+, Node\.js v[\d.]+\): torch, .*nn, F, optim.* are loaded; \.exit or Ctrl-D quits$/);
    expect(lines).toContain('tensor([4., 6.])');
    expect(lines).toContain("'n = 3'");
    expect(lines).toContain('8');
    expect(lines).toContain('tensor([-1.5000, -2.5000])');
    expect(lines).toContain('7');
    expect(lines).toContain("cell:1:7 - error TS2322: Type 'Tensor' is not assignable to type 'number'.");
    expect(lines).toContain("RuntimeError: shape '[4]' is invalid for input of size 6");
    // entries count like Jupyter's: the multi-line function is one entry
    expect(lines).toContain('    at Cell In[10], line 1');
    expect(lines).toContain('tensor([ True, False])');
    // `const v` failed to compile, and nothing else printed a value
    expect(lines.filter((l) => l.startsWith('tensor('))).toHaveLength(3);
  });

  it("keeps its history in the user's home, loaded at the next start", async () => {
    const file = join(home, '.torchlab_repl_history');
    rmSync(file, { force: true });
    // TORCHLAB_REPL_HISTORY is empty: the default in the home directory applies
    await repl([{ text: 'const h1 = 41\nh1 + 1\n.exit\n' }]);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('const h1 = 41\nh1 + 1\n.exit\n');
    await repl([{ text: 'torch.ones([1]).sum()\n' }]);
    expect(readFileSync(file, 'utf8').split('\n').slice(-2)).toEqual(['torch.ones([1]).sum()', '']);
    const none = await repl([{ text: '3 + 4\n' }], ['--no-history']);
    expect(none.out).toContain('\n7\n');
    expect(readFileSync(file, 'utf8')).not.toContain('3 + 4');
  });

  it('recalls history with the arrow keys and completes with Tab in terminal mode', async () => {
    writeFileSync(join(home, '.torchlab_repl_history'), 'const recalled = 6 * 7\n');
    const { out } = await repl([
      { text: '\u001b[A\r', waitFor: '> ' },
      { text: 'recalled\r', waitFor: 'recalled = 6 * 7' },
      { text: 'torch.arang\t', waitFor: '\n42' },
      { text: '(3).tolist()\r', waitFor: 'arange' },
      { text: '.exit\r', waitFor: '[ 0, 1, 2 ]' },
    ], ['--terminal']);
    const text = out.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
    expect(text).toContain('\n42');
    expect(text).toContain('torch.arange(3).tolist()');
    expect(text).toContain('[ 0, 1, 2 ]');
  });
});
