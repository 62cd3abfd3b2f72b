/**
 * Operators on tensors in notebook cells, over the wire: the kernel runs the lecture's linear
 * regression written with operators, reports errors at the user's lines (`Cell In[n], line k`),
 * and answers completion and inspection at the user's cursor positions.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../kernel/protocol.js';
import { expectClose, loadGolden } from '../helpers/golden.js';
import { KernelClient, ofType, type Exchange } from './client.js';

type Content = Record<string, unknown>;
const content = (m: Message | undefined): Content => (m?.content ?? {}) as Content;
const plain = (x: Exchange): string => String((content(ofType(x.iopub, 'execute_result')[0]).data as Content | undefined)?.['text/plain']);

interface Regression { x_train: number[]; noise: number[]; losses: number[]; a: number[]; b: number[] }

let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start();
}, 120_000);

afterAll(async () => {
  await k?.close();
});

describe('operators in cells', () => {
  it("runs the lecture's linear regression cell by cell, as in PyTorch", async () => {
    const g = loadGolden<{ regression: Regression }>('kernel_operators.json').regression;
    const cells = [
      `const x_train_tensor = torch.tensor(${JSON.stringify(g.x_train)});
const y_train_tensor = 1 + 2 * x_train_tensor + torch.tensor(${JSON.stringify(g.noise)});`,
      `let a = torch.tensor([0.5]);
let b = torch.tensor([-0.3]);
a.requires_grad_();
b.requires_grad_();`,
      `const lr = 1e-1;
const n_epochs = 20;
const losses: number[] = [];
for (let epoch = 0; epoch < n_epochs; epoch++) {
  const yhat = a + b * x_train_tensor;
  const error = y_train_tensor - yhat;
  const loss = (error ** 2).mean();
  loss.backward();
  torch.no_grad(() => {
    a -= lr * a.grad;
    b -= lr * b.grad;
  });
  a.grad.zero_();
  b.grad.zero_();
  losses.push(loss.item());
}`,
      'console.log(JSON.stringify([losses, a.tolist(), b.tolist()]))',
    ];
    let last: Exchange | undefined;
    for (const cell of cells) {
      last = await k.execute(cell);
      expect(content(last.reply).status, String(content(last.reply).evalue)).toBe('ok');
    }
    const printed = ofType(last!.iopub, 'stream').map((m) => String(content(m).text)).join('');
    const [losses, a, b] = JSON.parse(printed) as [number[], number[], number[]];
    expectClose(losses, g.losses, 1e-5, 1e-6, 'losses');
    expectClose(a, g.a, 1e-5, 1e-6, 'a');
    expectClose(b, g.b, 1e-5, 1e-6, 'b');
    const shown = await k.execute('a');
    expect(plain(shown)).toMatch(/^tensor\(\[[-\d.]+\], requires_grad=True\)$/);
  });

  it('keeps number arithmetic and string concatenation as they were', async () => {
    expect(plain(await k.execute('const base = 7; base % -3 + 2 ** 3'))).toBe(String(7 % -3 + 2 ** 3));
    expect(plain(await k.execute("'total: ' + base * 2 + ' items'"))).toBe("'total: 14 items'");
  });

  it('reports errors with a traceback into the cell (Cell In[n], line k) and its source line', async () => {
    const x = await k.execute('const w = torch.ones([2, 3]);\n\nconst bad = (w * 2).view([4]);');
    const c = content(x.reply);
    expect(c.status).toBe('error');
    expect(c.ename).toBe('RuntimeError');
    const n = c.execution_count as number;
    const tb = c.traceback as string[];
    expect(tb[0]).toBe("RuntimeError: shape '[4]' is invalid for input of size 6");
    expect(tb).toContain(`    at Cell In[${n}], line 3`);
    expect(tb).toContain('        const bad = (w * 2).view([4]);');
    expect(tb.some((l) => l.includes('compiled cell') || l.includes('torchlab-cell') || l.includes('_tl_'))).toBe(false);
    expect(content(ofType(x.iopub, 'error')[0]).traceback).toEqual(tb);
  });

  it('points a function of an earlier cell at that cell', async () => {
    const def = await k.execute('function scale(t: Tensor, k: number) {\n  if (k < 0) throw new RangeError("k must be >= 0");\n  return t * k;\n}');
    const n = content(def.reply).execution_count as number;
    const x = await k.execute('scale(torch.ones([1]), 2);\nscale(torch.ones([1]), -1)');
    const tb = content(x.reply).traceback as string[];
    expect(tb).toContain(`    at scale (Cell In[${n}], line 2)`);
    expect(tb).toContain(`    at Cell In[${n + 1}], line 2`);
  });

  it('reports type errors at the columns of the user text', async () => {
    const x = await k.execute('const v = torch.ones([2]);\nconst s: string = v * 2 - 1;');
    const c = content(x.reply);
    expect(c.ename).toBe('TypeError');
    expect(c.evalue).toBe("Type 'Tensor' is not assignable to type 'string'.");
    expect((c.traceback as string[])[0]).toBe("cell:2:7 - error TS2322: Type 'Tensor' is not assignable to type 'string'.");
  });

  it('completes and inspects at the cursor of the user text', async () => {
    const code = 'const u = torch.ones([2]);\n(u * 2 - 1).me';
    const x = await k.request('shell', 'complete_request', { code, cursor_pos: code.length });
    const c = content(x.reply);
    expect(c.matches).toContain('mean');
    expect([c.cursor_start, c.cursor_end]).toEqual([code.length - 2, code.length]);
    const code2 = 'const u2 = torch.ones([2]);\nconst m2 = -u2 * 3 + u2.sum()';
    const i = await k.request('shell', 'inspect_request', { code: code2, cursor_pos: code2.lastIndexOf('sum') + 1, detail_level: 0 });
    expect(content(i.reply).found).toBe(true);
    expect(String((content(i.reply).data as Content)['text/plain'])).toMatch(/Tensor\.sum/);
    const i2 = await k.request('shell', 'inspect_request', { code: code2, cursor_pos: code2.indexOf('m2') + 1, detail_level: 0 });
    expect(String((content(i2.reply).data as Content)['text/plain'])).toMatch(/const m2: Tensor/);
  });
});
