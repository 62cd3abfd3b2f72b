/**
 * The elementwise op table and the reductions against PyTorch's values and gradients
 * (test/golden/ops.json, made by test/golden/make_ops.py). Walks the table itself, so an op
 * added without golden values fails here.
 */

import { describe, expect, it } from 'vitest';
import torch, { Tensor, type DType } from '../lib/index.js';
import { binaryNames, unaryNames } from '../lib/ops/pointwise.js';
import { expectClose, loadGolden } from './helpers/golden.js';

type Nested = number | boolean | Nested[];
interface UnaryCase { dtype: string; x: Nested; y: Nested; ydtype: string; grad?: Nested; grad_fn?: string }
interface UnaryEntry { cases: UnaryCase[]; special: { x: Nested; y: Nested }; int: { x: Nested; y?: Nested; ydtype?: string; error?: string } }
interface BinaryCase { dtype: string; a: Nested; b: Nested; y: Nested; ydtype: string; grad_a?: Nested; grad_b?: Nested; grad_fn?: string }
interface ScalarCase { tdtype: string; t: Nested; s: number | boolean; y?: Nested; ydtype?: string; error?: string }
interface MixedCase { d1: string; d2: string; a: Nested; b: Nested; y?: Nested; ydtype?: string; error?: string }
interface BinaryEntry { cases: BinaryCase[]; scalar: ScalarCase[]; mixed: MixedCase[] }
interface ReduceCase {
  op: string; args: (number | number[] | string)[]; kw: { keepdim?: boolean; correction?: number }; dtype: string;
  x: Nested; y?: Nested; ydtype?: string; indices?: Nested; grad?: Nested; grad_fn?: string; error?: string;
}
const golden = loadGolden<{ unary: Record<string, UnaryEntry>; binary: Record<string, BinaryEntry>; reduce: ReduceCase[] }>('ops.json');

const dtypeOf = (name: string): DType => torch[name as 'float32'];
const tol = (dtype: string): [number, number] => (dtype === 'float64' ? [1e-10, 1e-12] : [2e-6, 1e-6]);
const T = (v: Nested, dtype: string, rg = false): Tensor => torch.tensor(v, { dtype: dtypeOf(dtype), requires_grad: rg });

function callBinary(name: string, a: Tensor, b: Tensor | number | boolean): Tensor {
  switch (name) {
    case 'add': return torch.add(a, b);
    case 'sub': return torch.sub(a, b);
    case 'div': return torch.div(a, b);
    default: return torch[name as 'mul'](a, b);
  }
}

describe('unary op table', () => {
  it('every table op has golden values', () => {
    for (const name of unaryNames) expect(golden.unary[name], name).toBeDefined();
  });
  for (const name of unaryNames) {
    const entry = golden.unary[name];
    if (!entry) continue;
    it(`${name}: values, dtype, gradient and grad_fn match PyTorch`, () => {
      for (const c of entry.cases) {
        const [rtol, atol] = tol(c.dtype);
        const x = T(c.x, c.dtype, true);
        const y = torch[name](x);
        expect(y.dtype.name, `${name} dtype`).toBe(c.ydtype);
        expectClose(y.tolist(), c.y, rtol, atol, `${name} ${c.dtype}`);
        if (c.grad) {
          expect(y.grad_fn?.name()).toBe(c.grad_fn);
          y.sum().backward();
          expectClose(x.grad!.tolist(), c.grad, rtol * 10, atol * 10, `${name} grad ${c.dtype}`);
        } else {
          expect(y.requires_grad, `${name} output should not require grad`).toBe(false);
        }
      }
    });
    it(`${name}: nan, inf, -inf, ±0 and integer inputs`, () => {
      const xs = T(entry.special.x, 'float32');
      expectClose(torch[name](xs).tolist(), entry.special.y, 1e-6, 1e-7, `${name} special`);
      const xi = torch.tensor(entry.int.x as number[]);
      if (entry.int.error) {
        expect(() => torch[name](xi)).toThrow(entry.int.error);
      } else {
        const yi = torch[name](xi);
        expect(yi.dtype.name, `${name} int dtype`).toBe(entry.int.ydtype);
        expectClose(yi.tolist(), entry.int.y, 1e-6, 1e-7, `${name} int`);
      }
    });
  }
});

describe('binary op table', () => {
  it('every table op has golden values', () => {
    for (const name of binaryNames) expect(golden.binary[name], name).toBeDefined();
  });
  for (const [name, entry] of Object.entries(golden.binary)) {
    it(`${name}: broadcast values, gradients and grad_fn match PyTorch`, () => {
      for (const c of entry.cases) {
        const [rtol, atol] = tol(c.dtype);
        const a = T(c.a, c.dtype, true);
        const b = T(c.b, c.dtype, true);
        const y = callBinary(name, a, b);
        expect(y.dtype.name).toBe(c.ydtype);
        expectClose(y.tolist(), c.y, rtol, atol, `${name} ${c.dtype}`);
        if (c.grad_a) {
          expect(y.grad_fn?.name()).toBe(c.grad_fn);
          y.sum().backward();
          expectClose(a.grad!.tolist(), c.grad_a, rtol * 10, atol * 10, `${name} grad a`);
          expectClose(b.grad!.tolist(), c.grad_b, rtol * 10, atol * 10, `${name} grad b`);
        }
      }
    });
    it(`${name}: scalar operands follow PyTorch's type promotion`, () => {
      for (const c of entry.scalar) {
        const t = T(c.t, c.tdtype);
        const what = `${name}(${c.tdtype} tensor, ${String(c.s)})`;
        if (c.error) {
          expect(() => callBinary(name, t, c.s), what).toThrow(c.error);
          continue;
        }
        const y = callBinary(name, t, c.s);
        expect(y.dtype.name, what).toBe(c.ydtype);
        expectClose(y.tolist(), c.y, 1e-6, 1e-6, what);
      }
    });
    it(`${name}: mixed tensor dtypes promote as in PyTorch`, () => {
      for (const c of entry.mixed) {
        const a = T(c.a, c.d1);
        const b = T(c.b, c.d2);
        const what = `${name}(${c.d1}, ${c.d2})`;
        if (c.error) {
          expect(() => callBinary(name, a, b), what).toThrow(c.error);
          continue;
        }
        const y = callBinary(name, a, b);
        expect(y.dtype.name, what).toBe(c.ydtype);
        expectClose(y.tolist(), c.y, 1e-6, 1e-6, what);
      }
    });
  }
});

describe('reductions', () => {
  for (const c of golden.reduce) {
    const label = `${c.op}(${JSON.stringify(c.args)}, ${JSON.stringify(c.kw)}) ${c.dtype}`;
    it(label, () => {
      const floating = c.dtype.startsWith('float');
      const x = T(c.x, c.dtype, floating);
      const args = c.args.map((a) => (a === 'inf' ? Infinity : a));
      const run = (): Tensor | readonly [Tensor, Tensor] => {
        const keep = c.kw.keepdim ?? false;
        const dim = args.length ? (args[0] as number | number[]) : undefined;
        switch (c.op) {
          case 'var':
          case 'std':
            return x[c.op](dim ?? null, { correction: c.kw.correction ?? 1, keepdim: keep });
          case 'norm':
            return x.norm((args[0] as number | undefined) ?? 2, (args[1] as number | undefined) ?? null, keep);
          case 'max':
          case 'min':
            return dim === undefined ? x[c.op]() : x[c.op](dim as number, keep);
          case 'argmax':
          case 'argmin':
          case 'prod':
            return x[c.op](dim as number | undefined, keep);
          default:
            return x[c.op as 'sum'](dim, keep);
        }
      };
      if (c.error) {
        expect(run).toThrow(c.error);
        return;
      }
      const r = run();
      const values = r instanceof Tensor ? r : r[0];
      expect(values.dtype.name).toBe(c.ydtype);
      const [rtol, atol] = tol(c.dtype);
      expectClose(values.tolist(), c.y, rtol * 5, atol * 5, label);
      if (c.indices && !(r instanceof Tensor)) expect(r[1].tolist()).toEqual(c.indices);
      if (c.grad) {
        expect(values.grad_fn?.name(), 'grad_fn').toBe(c.grad_fn);
        values.sum().backward();
        expectClose(x.grad!.tolist(), c.grad, rtol * 10, atol * 10, `${label} grad`);
      }
    });
  }
});

describe('arguments that are not tensors get PyTorch\'s TypeError, not a crash or a result', () => {
  const bad = (v: unknown) => v as Tensor;
  it('pointwise ops, products and joins', () => {
    const x = torch.ones(2);
    expect(() => x.add(bad(undefined))).toThrow("add(): argument 'other' (position 2) must be Tensor, not NoneType");
    expect(() => x.mul(bad('a'))).toThrow("mul(): argument 'other' (position 2) must be Tensor, not str");
    expect(() => x.sub(bad({}))).toThrow("sub(): argument 'other' (position 2) must be Tensor, not dict");
    expect(() => x.addcmul(x, bad(null))).toThrow("addcmul(): argument 'tensor2' (position 3) must be Tensor, not NoneType");
    expect(() => x.matmul(bad(undefined))).toThrow("matmul(): argument 'other' (position 2) must be Tensor, not NoneType");
    expect(() => torch.mm(x.view(1, 2), bad([1, 2]))).toThrow("mm(): argument 'mat2' (position 2) must be Tensor, not list");
    expect(() => torch.cat([x, bad(undefined)])).toThrow('expected Tensor as element 1 in argument 0, but got NoneType');
    expect(() => torch.stack([bad(3), x])).toThrow('expected Tensor as element 0 in argument 0, but got int');
    expect(() => torch.where(x.gt(0), bad(undefined), 1)).toThrow("where(): argument 'input' (position 2) must be Tensor, not NoneType");
    expect(() => torch.where(x.gt(0), 1, bad(undefined))).toThrow("where(): argument 'other' (position 3) must be Tensor, not NoneType");
  });

  it("heaviside has no derivative, in PyTorch's words", () => {
    const a = torch.tensor([1.5, -1], { requires_grad: true });
    const y = torch.heaviside(a, torch.tensor([0.5]));
    expect(y.tolist()).toEqual([1, 0]);
    expect(() => y.sum().backward()).toThrow('derivative for aten::heaviside is not implemented');
  });
});
