/**
 * The operator rewrite (kernel/rewrite.ts): the text it produces, its source map and line
 * markers, and cells run through the kernel's CellRunner (in process, against the build) with
 * the operator prelude: exact types, unchanged behaviour of plain numbers and strings,
 * TypeScript's own errors for non-tensor types, positions of diagnostics, completion and
 * inspection in the user's text, and tracebacks that point at the user's lines.
 */

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptState } from '../../kernel/interrupt.js';
import { enableOperators } from '../../kernel/kernel.js';
import { makePrelude } from '../../kernel/prelude.js';
import { lineTable, mapCompiledPosition, rewriteOperators } from '../../kernel/rewrite.js';
import { CellRunner, type CellOutcome } from '../../kernel/runner.js';
import { expectClose, loadGolden } from '../helpers/golden.js';
import { ensureBuilt, root } from './client.js';

const code = (src: string, opts?: Parameters<typeof rewriteOperators>[1]): string => rewriteOperators(src, opts).code;

describe('rewrite', () => {
  it('turns arithmetic into nested helper calls, keeping precedence and parentheses', () => {
    expect(code('a + b * x')).toBe('_tl_add(a, _tl_mul(b, x))');
    expect(code('a * b + x')).toBe('_tl_add(_tl_mul(a, b), x)');
    expect(code('(a + b) * x')).toBe('_tl_mul((_tl_add(a, b)), x)');
    expect(code('a - b - c')).toBe('_tl_sub(_tl_sub(a, b), c)');
    expect(code('a ** b ** c')).toBe('_tl_pow(a, _tl_pow(b, c))');
    expect(code('loss = ((a + b * x - y) ** 2).mean()')).toBe('loss = (_tl_pow((_tl_sub(_tl_add(a, _tl_mul(b, x)), y)), 2)).mean()');
    expect(code('x / y % z')).toBe('_tl_mod(_tl_div(x, y), z)');
  });

  it('rewrites unary minus and comparisons, not ==, ===, logic, bits or unary plus', () => {
    expect(code('-x')).toBe('_tl_neg(x)');
    expect(code('- -x')).toBe('_tl_neg( _tl_neg(x))');
    expect(code('a < b; a <= b; a > b; a >= b')).toBe('_tl_lt(a, b); _tl_le(a, b); _tl_gt(a, b); _tl_ge(a, b)');
    for (const src of ['a == b', 'a != b', 'a === b', 'a !== b', 'a && b', 'a || b', 'a ?? b', 'a << 2', 'a & b', '+a', '!a', 'a++', '--a', 'a = b']) {
      expect(code(src)).toBe(src);
    }
  });

  it('leaves literal-only arithmetic and string concatenation as written', () => {
    for (const src of ['1 + 2', '-1', '2 ** -3', '1n + 2n', "'n = ' + n", '`${a}` + b', "s += 'x'", 'a + "b" + c']) {
      expect(code(src)).toBe(src);
    }
    expect(code("(a - b) + ' units'")).toBe("(_tl_sub(a, b)) + ' units'");
  });

  it('leaves types, enums and ambient declarations alone', () => {
    for (const src of ['enum E { A = 1 << 2, B = A + 1 }', 'declare const k: number;', 'type T = { a: 1 }', 'let v: Array<number> = []']) {
      expect(code(src)).toBe(src);
    }
    expect(code('let v: number = a - b')).toBe('let v: number = _tl_sub(a, b)');
  });

  it('makes compound assignments assign the helper result, or call the in-place helper alone', () => {
    expect(code('a -= lr * a.grad')).toBe('a = _tl_isub(a, _tl_mul(lr, a.grad))');
    expect(code('x += 1; x *= 2; x /= 3; x %= 4; x **= 5')).toBe('x = _tl_iadd(x, 1); x = _tl_imul(x, 2); x = _tl_idiv(x, 3); x = _tl_imod(x, 4); x = _tl_ipow(x, 5)');
    expect(code('params[i] -= g')).toBe('params[i] = _tl_isub(params[i], g)');
    expect(code('this.w.data -= g')).toBe('this.w.data = _tl_isub(this.w.data, g)');
    // a target with side effects is evaluated once: only the in-place form is possible
    expect(code('f().w -= g')).toBe('_tl_isub_(f().w, g)');
    expect(code('xs[i++] += 1')).toBe('_tl_iadd_(xs[i++], 1)');
    const rw = rewriteOperators('a -= g');
    expect(code('a -= g', { inplaceOnly: new Set([rw.ops[0]!.key]) })).toBe('_tl_isub_(a, g)');
  });

  it('keeps the operators it is told to keep', () => {
    const rw = rewriteOperators('a + b * c');
    const mul = rw.ops.find((o) => o.helper === '_tl_mul')!;
    expect(code('a + b * c', { keep: new Set([mul.key]) })).toBe('_tl_add(a, b * c)');
  });

  it('keeps line breaks and comments between operands', () => {
    expect(code('a\n  + b // c\n  - d')).toBe('_tl_sub(_tl_add(a\n  , b) // c\n  , d)');
  });

  it('maps every character of the user text to the same character of the rewritten text and back', () => {
    const src = 'const r = foo.bar + baz * (qux - -quux.v) ** 2;\nlet s = r < 1';
    const rw = rewriteOperators(src);
    for (const name of ['foo', 'bar', 'baz', 'qux', 'quux', 'v', 'const', 'let s']) {
      const o = src.indexOf(name);
      const g = rw.map.toGenerated(o);
      expect(rw.code.slice(g, g + name.length)).toBe(name);
      expect(rw.map.toOriginal(g)).toBe(o);
      // the end of a name (a completion cursor) stays right after it
      expect(rw.map.toGenerated(o + name.length)).toBe(g + name.length);
    }
    // inserted text maps to where it was inserted, the replaced operator to the operator
    expect(rw.map.toOriginal(rw.code.indexOf('_tl_add'))).toBe(src.indexOf('foo'));
    expect(rw.map.toOriginal(rw.code.length)).toBe(src.length);
    expect(rw.map.toGenerated(src.indexOf('+'))).toBe(rw.code.indexOf(', _tl_mul'));
  });

  it('marks the first node of each line, and maps compiled positions back through the marks', () => {
    const src = 'const a = 1;\n\nfunction f() {\n  return a +\n    2;\n}';
    const rw = rewriteOperators(src, { markLines: true, operators: false });
    expect(rw.code).toBe('/*@tl:0:0*/const a = 1;\n\n/*@tl:2:0*/function f() {\n  /*@tl:3:2*/return a +\n    /*@tl:4:4*/2;\n}');
    const js = 'x;\n/*@tl:0:0*/const a = 1;\n/*@tl:2:0*/function f() {\n    /*@tl:3:2*/return a +\n        2;\n}';
    const marks = lineTable(js);
    expect(marks.map((m) => [m.jsLine, m.line])).toEqual([[1, 0], [2, 2], [3, 3]]);
    expect(mapCompiledPosition(marks, 0, 0, 6)).toBeNull();
    // `return` starts right after the marker (column 15), as it starts at column 2 of line 3
    expect(mapCompiledPosition(marks, 3, 15, 6)).toEqual({ line: 3, character: 2 });
    expect(mapCompiledPosition(marks, 3, 22, 6)).toEqual({ line: 3, character: 9 });
    // in the indentation before the marker: the line follows from the previous marker
    expect(mapCompiledPosition(marks, 3, 0, 6)).toEqual({ line: 3, character: null });
    expect(mapCompiledPosition(marks, 4, 8, 6)).toEqual({ line: 4, character: null });
  });

  it('marks every statement, and follows a statement the compiler moved to a line of its own', () => {
    const src = 'if (k < 0) throw new RangeError("k");\nf();';
    expect(rewriteOperators(src, { markLines: true, operators: false }).code)
      .toBe('/*@tl:0:0*/if (k < 0) /*@tl:0:11*/throw new RangeError("k");\n/*@tl:1:0*/f();');
    const js = '/*@tl:0:0*/ if (k < 0) /*@tl:0:11*/\n    throw new RangeError("k");\n/*@tl:1:0*/ f();';
    const marks = lineTable(js);
    expect(mapCompiledPosition(marks, 1, 10, 2)).toEqual({ line: 0, character: 17 });
    expect(mapCompiledPosition(marks, 2, 13, 2)).toEqual({ line: 1, character: 1 });
  });
});

interface Golden {
  x: number[];
  i: number[];
  expressions: { code: string; values: unknown; dtype: string; shape: number[] }[];
  grad_fns: { code: string; grad_fn: string }[];
  regression: { x_train: number[]; noise: number[]; losses: number[]; a: number[]; b: number[]; a_requires_grad: boolean; a_is_leaf: boolean };
}

describe('cells with operators', () => {
  let cells: CellRunner;
  const golden = loadGolden<Golden>('kernel_operators.json');

  beforeAll(async () => {
    ensureBuilt();
    const lib = join(root, 'dist', 'index.js');
    cells = new CellRunner(root, new InterruptState(new SharedArrayBuffer(12)));
    const prelude = await makePrelude(lib);
    expect((await cells.run(prelude.code, { verbatim: true })).status).toBe('ok');
    expect(await enableOperators(cells, lib)).toBeNull();
  }, 120_000);

  afterAll(() => cells?.close());

  const value = async (src: string): Promise<unknown> => {
    const o: CellOutcome = await cells.run(src);
    if (o.status !== 'ok') throw new Error(o.error.traceback.join('\n'));
    return o.value;
  };
  const failure = async (src: string): Promise<{ ename: string; evalue: string; traceback: string[] }> => {
    const o = await cells.run(src);
    if (o.status === 'ok') throw new Error(`expected ${src} to fail`);
    return o.error;
  };
  /** The quick info of the last occurrence of `name` in a cell. */
  const typeOf = (src: string, name: string): string | null => cells.inspect(src, src.lastIndexOf(name));

  it('types number op number as number and tensor op anything as Tensor', () => {
    const pre = 'const n = 3; const t = torch.ones([2]); ';
    expect(typeOf(`${pre}const m = n * 2 + 1; m`, 'm')).toBe('const m: number');
    expect(typeOf(`${pre}const m = -n ** 2 % 5; m`, 'm')).toBe('const m: number');
    expect(typeOf(`${pre}const u = t * 2 + 1; u`, 'u')).toBe('const u: Tensor');
    expect(typeOf(`${pre}const u = 2 - t; u`, 'u')).toBe('const u: Tensor');
    expect(typeOf(`${pre}const u = -t; u`, 'u')).toBe('const u: Tensor');
    expect(typeOf(`${pre}const u = n < t; u`, 'u')).toBe('const u: Tensor');
    expect(typeOf(`${pre}const c = n < 2; c`, 'c')).toBe('const c: boolean');
    expect(typeOf(`${pre}const s = n + 'px'; s`, 's')).toBe('const s: string');
    expect(typeOf(`${pre}const s = t + 'px'; s`, 's')).toBe('const s: string');
    expect(typeOf(`${pre}const k = 5n; const b = k * k - 1n; b`, 'b')).toBe('const b: bigint');
    expect(typeOf(`${pre}const y: any = 1; const z = y + n; z`, 'z')).toBe('const z: any');
    expect(typeOf(`${pre}const y: any = 1; const z = y - n; z`, 'z')).toBe('const z: number');
    expect(typeOf(`${pre}const y: any = 1; const z = y + 'a'; z`, 'z')).toBe('const z: string');
  });

  it('computes plain numbers, strings and bigints exactly as JavaScript', async () => {
    expect(await value('const n7 = 7, n3 = 3; [n7 % -n3, -n7 % n3, n3 ** 10, n7 / 0, n7 - 0.1 * n3, 0.1 + 0.2]'))
      .toEqual([7 % -3, -7 % 3, 3 ** 10, Infinity, 7 - 0.1 * 3, 0.1 + 0.2]);
    expect(await value("const one = 1, two = 2; ['a' + one + two, one + two + 'a', one + '' + two]")).toEqual(['a12', '3a', '12']);
    expect(await value("let str = 'x'; str += 1; str += 'y'; str")).toBe('x1y');
    expect(await value('const big = 2n; big ** 70n - big')).toBe(2n ** 70n - 2n);
    expect(await value('let i9 = 0; let acc = 0; for (let j = 0; j < 10; j++) { acc += j * j; i9 -= 1 } [acc, i9]')).toEqual([285, -10]);
    expect(await value('const nan = NaN; [nan < 1, nan >= 1, -nan]')).toEqual([false, false, NaN]);
    expect(await value("const mixed: any = '3'; [mixed * 2, mixed - 1, mixed + 1, -mixed]")).toEqual([6, 2, '31', -3]);
  });

  it('computes tensor expressions as PyTorch (values and dtypes)', async () => {
    await value(`const x = torch.tensor(${JSON.stringify(golden.x)}); const i = torch.tensor(${JSON.stringify(golden.i)})`);
    for (const e of golden.expressions) {
      const r = (await value(`const r_ = ${e.code}; [r_.tolist(), String(r_.dtype), r_.shape]`)) as [unknown, string, number[]];
      expectClose(r[0], e.values, 1e-6, 1e-6, e.code);
      expect(r[1], e.code).toBe(e.dtype);
      expect([...r[2]], e.code).toEqual(e.shape);
    }
  });

  it('names grad_fn as PyTorch does, reflected operators included (2 - w is RsubBackward1)', async () => {
    await value('const w = torch.tensor([0.5, 2.0], {requires_grad: true})');
    for (const e of golden.grad_fns) expect(await value(`(${e.code}).grad_fn!.name()`), e.code).toBe(e.grad_fn);
  });

  it("runs the lecture's linear regression written with operators", async () => {
    const g = golden.regression;
    const losses = (await value(`
const x_train = torch.tensor(${JSON.stringify(g.x_train)});
const y_train = 1 + 2 * x_train + torch.tensor(${JSON.stringify(g.noise)});
let a = torch.tensor([0.5]).requires_grad_();
let b = torch.tensor([-0.3]).requires_grad_();
const a0 = a;
const lr = 1e-1;
const n_epochs = 20;
const losses: number[] = [];
for (let epoch = 0; epoch < n_epochs; epoch++) {
  const yhat = a + b * x_train;
  const error = y_train - yhat;
  const loss = (error ** 2).mean();
  loss.backward();
  torch.no_grad(() => {
    a -= lr * a.grad;
    b -= lr * b.grad;
  });
  a.grad.zero_();
  b.grad.zero_();
  losses.push(loss.item());
}
losses`)) as number[];
    expectClose(losses, g.losses, 1e-5, 1e-6, 'losses');
    expectClose(await value('a.tolist()'), g.a, 1e-5, 1e-6, 'a');
    expectClose(await value('b.tolist()'), g.b, 1e-5, 1e-6, 'b');
    // `-=` inside no_grad updated the leaf in place: same object, still a leaf requiring grad
    expect(await value('[a === a0, a.requires_grad, a.is_leaf]')).toEqual([true, g.a_requires_grad, g.a_is_leaf]);
  });

  it('updates const tensors in place with compound assignment, as Python rebinding would', async () => {
    expect(await value('const w = torch.zeros([2]); const w0 = w; w += 1; w *= 3; [w.tolist(), w === w0]')).toEqual([[3, 3], true]);
    expect(await value('const ws = [torch.ones([2])]; let k = 0; ws[k] -= 0.5; ws[0].tolist()')).toEqual([0.5, 0.5]);
    const e = await failure('const w2 = torch.ones([2], {requires_grad: true}); w2 -= 1');
    expect(e.ename).toBe('RuntimeError');
    expect(e.evalue).toBe('a leaf Variable that requires grad is being used in an in-place operation.');
  });

  it("reports TypeScript's own errors for types the helpers do not take", async () => {
    const plain = await failure('const bad = {} + 1');
    expect(plain.evalue).toBe("Operator '+' cannot be applied to types '{}' and 'number'.");
    expect(plain.traceback[0]).toBe("cell:1:13 - error TS2365: Operator '+' cannot be applied to types '{}' and 'number'.");
    const bool = await failure('const t1 = torch.ones([1]); const bad2 = true - 1');
    expect(bool.evalue).toBe("The left-hand side of an arithmetic operation must be of type 'any', 'number', 'bigint' or an enum type.");
    const sym = await failure('const sy = Symbol(); const bad3 = -sy');
    expect(sym.evalue).toBe("The '-' operator cannot be applied to type 'symbol'.");
    const cst = await failure('const k2 = 1; k2 += 1');
    expect(cst.evalue).toBe("Cannot assign to 'k2' because it is a constant.");
    // comparable objects still compare as in JavaScript
    expect(await value('const d1 = new Date(0), d2 = new Date(1); [d1 < d2, d1 >= d2]')).toEqual([true, false]);
  });

  it('reports diagnostics at the positions of the user text', async () => {
    const e = await failure('const t3 = torch.ones([2]);\nconst q = t3 * 2 + (1 - t3) * nope;');
    expect(e.ename).toBe('NameError');
    expect(e.traceback[0]).toBe("cell:2:31 - error TS2304: Cannot find name 'nope'.");
    expect(e.traceback[1]).toBe('    const q = t3 * 2 + (1 - t3) * nope;');
    expect(e.traceback[2]).toBe(`    ${' '.repeat(30)}^`);
    const t = await failure('const t4 = torch.ones([2]);\nconst q2: number = t4 * 2;');
    expect(t.traceback[0]).toBe("cell:2:7 - error TS2322: Type 'Tensor' is not assignable to type 'number'.");
  });

  it('completes and inspects at positions of the user text, without the helpers', () => {
    const src = 'const t5 = torch.ones([2]); (t5 * 2 - 1).su';
    const c = cells.complete(src, src.length);
    expect(c.matches).toContain('sum');
    expect(src.slice(c.start, c.end)).toBe('su');
    const g = cells.complete('_tl', 3);
    expect(g.matches.filter((m) => m.startsWith('_tl_'))).toEqual([]);
    const src2 = 'const t6 = torch.ones([2]); const v6 = 2 * t6.sum(); v6';
    expect(cells.inspect(src2, src2.indexOf('sum') + 1)).toMatch(/^\(method\) Tensor\.sum\(/);
  });

  it('points tracebacks at the lines of the cell, also through functions of earlier cells', async () => {
    await value('function inner8(x: number) {\n  if (x > 1)\n    throw new RangeError("too far");\n  return x;\n}');
    const e = await failure('const xs8 = [1, 2];\n\nxs8.map((v) => {\n  return inner8(v) * 2;\n});', );
    const tb = e.traceback;
    expect(tb[0]).toBe('RangeError: too far');
    const i = tb.findIndex((l) => l.includes('at inner8 ('));
    expect(tb[i]).toMatch(/^ {4}at inner8 \(Cell \d+, line 3\)$/);
    expect(tb[i + 1]).toBe('        throw new RangeError("too far");');
    expect(tb.some((l) => /^ {4}at Cell \d+, line 4$/.test(l))).toBe(true);
    expect(tb).toContain('        return inner8(v) * 2;');
    expect(tb.some((l) => /^ {4}at Cell \d+, line 3$/.test(l))).toBe(true);
    expect(tb.some((l) => l.includes('torchlab-cell') || l.includes('_tl_') || l.includes('compiled cell'))).toBe(false);
  });

  it('labels cells as the caller asks, and maps errors after an await', async () => {
    const e = (await cells.run('await new Promise((r) => setTimeout(r, 1));\nconst t9 = torch.ones([2]);\nt9.view([3]);', { label: 'Cell In[42]' }));
    expect(e.status).toBe('error');
    if (e.status !== 'error') return;
    expect(e.error.traceback).toContain('    at Cell In[42], line 3');
    expect(e.error.traceback).toContain('        t9.view([3]);');
  });
});
