/**
 * Linear algebra against PyTorch (test/golden/linalg.json, made by test/golden/make_linalg.py):
 * every matmul case with its grad_fn and gradients, the named products, einsum, PyTorch's error
 * messages and double backward; gradcheck in float64; and the CPU kernel against a plain triple
 * loop on odd sizes, strided operands and every dtype it serves.
 */

import { describe, expect, it } from 'vitest';
import torch, { Tensor, type DType } from '../lib/index.js';
import type { View } from '../lib/backend.js';
import type { TypedArray } from '../lib/dtype.js';
import { matmulKernel } from '../lib/backends/cpu/matmul.js';
import { expectClose, loadGolden } from './helpers/golden.js';

type Nested = number | Nested[];
interface Spec { data: Nested; shape: number[]; dtype: string; perm?: number[] }
interface Case {
  op: string; eq?: string; kw?: { beta?: number; alpha?: number }; args: Spec[];
  out: Nested; dtype: string; shape: number[];
  grad_fn?: string; grad_fn_only?: (string | null)[]; gout?: Nested; grads?: (Nested | null)[];
}
interface ErrCase { op: string; eq?: string; args: { shape: number[]; dtype: string }[]; type: string; message: string }
interface DoubleCase { op: string; eq: string | null; a: Nested; b: Nested; w: Nested; v: Nested; grad_a: Nested; a_grad: Nested; b_grad: Nested }
const golden = loadGolden<{ matmul: Case[]; products: Case[]; einsum: Case[]; errors: ErrCase[]; double_backward: DoubleCase[] }>('linalg.json');

const dtypeOf = (name: string): DType => torch[name as 'float32'];

function build(s: Spec, requiresGrad: boolean): Tensor {
  const dtype = dtypeOf(s.dtype);
  let t = torch.tensor(s.data, { dtype }).reshape(s.shape);
  if (s.perm) t = t.permute(s.perm);
  return requiresGrad && dtype.is_floating_point ? t.detach().requires_grad_() : t;
}

function call(op: string, xs: Tensor[], eq?: string, kw?: { beta?: number; alpha?: number }): Tensor {
  switch (op) {
    case 'einsum': return torch.einsum(eq!, ...xs);
    case 'addmm': return torch.addmm(xs[0]!, xs[1]!, xs[2]!, kw);
    case 'matmul': return torch.matmul(xs[0]!, xs[1]!);
    case 'mm': return torch.mm(xs[0]!, xs[1]!);
    case 'bmm': return torch.bmm(xs[0]!, xs[1]!);
    case 'mv': return torch.mv(xs[0]!, xs[1]!);
    case 'dot': return torch.dot(xs[0]!, xs[1]!);
    case 'outer': return torch.outer(xs[0]!, xs[1]!);
    default: throw new Error(`no op ${op}`);
  }
}

const tol = (dtype: string): [number, number] => (dtype === 'float64' ? [1e-10, 1e-10] : [1e-5, 1e-5]);
const label = (c: Case): string =>
  `${c.op}${c.eq ? ` '${c.eq}'` : ''} ${c.args.map((a) => `${a.dtype}${JSON.stringify(shapeOfSpec(a))}${a.perm ? `.permute(${a.perm})` : ''}`).join(' x ')}`;

function shapeOfSpec(s: Spec): number[] {
  return s.perm ? s.perm.map((d) => s.shape[d]!) : s.shape;
}

function checkCase(c: Case): void {
  const what = label(c);
  const xs = c.args.map((s) => build(s, true));
  const y = call(c.op, xs, c.eq, c.kw);
  expect(y.dtype.name, `${what} dtype`).toBe(c.dtype);
  expect([...y.shape], `${what} shape`).toEqual(c.shape);
  const [rtol, atol] = tol(c.dtype);
  expectClose(y.tolist(), c.out, rtol, atol, what);
  if (!c.grad_fn) {
    expect(y.requires_grad, `${what} requires_grad`).toBe(false);
    return;
  }
  expect(y.grad_fn?.name(), `${what} grad_fn`).toBe(c.grad_fn);
  c.grad_fn_only!.forEach((name, i) => {
    const only = c.args.map((s, j) => build(s, i === j));
    expect(call(c.op, only, c.eq, c.kw).grad_fn?.name() ?? null, `${what} grad_fn with only operand ${i} requiring grad`).toBe(name);
  });
  if (!c.gout) return;
  y.backward(torch.tensor(c.gout, { dtype: y.dtype }).reshape(c.shape));
  c.grads!.forEach((g, i) => {
    if (g === null) expect(xs[i]!.grad, `${what} grad ${i}`).toBeNull();
    else expectClose(xs[i]!.grad!.tolist(), g, rtol * 10, atol * 10, `${what} grad ${i}`);
  });
}

describe('matmul against PyTorch', () => {
  it('covers every dim combination, strides, broadcasting, empty and integer operands', () => {
    expect(golden.matmul.length).toBeGreaterThan(50);
    for (const c of golden.matmul) checkCase(c);
  });
});

describe('mm, bmm, mv, dot, outer, addmm against PyTorch', () => {
  for (const op of ['mm', 'bmm', 'mv', 'dot', 'outer', 'addmm']) {
    it(op, () => {
      const cases = golden.products.filter((c) => c.op === op);
      expect(cases.length).toBeGreaterThan(0);
      for (const c of cases) checkCase(c);
    });
  }
  it('methods and torch functions agree', () => {
    const a = torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32 });
    const v = torch.tensor([1, -1], { dtype: torch.float32 });
    expect(a.matmul(a).tolist()).toEqual(torch.matmul(a, a).tolist());
    expect(a.mm(a).tolist()).toEqual([[7, 10], [15, 22]]);
    expect(a.mv(v).tolist()).toEqual([-1, -1]);
    expect(v.dot(v).item()).toBe(2);
    expect(v.outer(v).tolist()).toEqual([[1, -1], [-1, 1]]);
    expect(a.unsqueeze(0).bmm(a.unsqueeze(0)).tolist()).toEqual([[[7, 10], [15, 22]]]);
    expect(v.addmm(a, a, { beta: 2, alpha: 0.5 }).tolist()).toEqual([[5.5, 3], [9.5, 9]]);
  });
  it('results are fresh tensors, not views of their inputs', () => {
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32, requires_grad: true });
    const w = torch.tensor([1, 2], { dtype: torch.float32 });
    for (const y of [torch.matmul(w, x), torch.matmul(x.unsqueeze(0), x), x.mv(w)]) {
      const z = y.mul(1);
      y.mul_(2); // in-place on a product result must be allowed, as in PyTorch
      expect(z.requires_grad).toBe(true);
    }
  });
});

describe('einsum against PyTorch', () => {
  it('covers permutations, traces, diagonals, contractions, outer products, sums and ellipsis', () => {
    for (const c of golden.einsum) checkCase(c);
  });
  it('accepts the operands as one array', () => {
    const a = torch.tensor([[1, 2], [3, 4]], { dtype: torch.float64 });
    expect(torch.einsum('ij,jk->ik', [a, a]).tolist()).toEqual([[7, 10], [15, 22]]);
  });
  it('needs at least one operand', () => {
    expect(() => torch.einsum('ij')).toThrow(
      expect.objectContaining({
        name: 'ValueError',
        message: 'einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list',
      }),
    );
  });
});

describe("PyTorch's errors", () => {
  for (const c of golden.errors) {
    const args = c.args.map((a) => `${a.dtype}${JSON.stringify(a.shape)}`).join(', ');
    it(`${c.op}${c.eq ? `('${c.eq}', ` : '('}${args})`, () => {
      const xs = c.args.map((a) => torch.ones(a.shape, { dtype: dtypeOf(a.dtype) }));
      let thrown: unknown = null;
      try {
        call(c.op, xs, c.eq);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, 'expected an error').toBeInstanceOf(Error);
      expect((thrown as Error).name).toBe(c.type);
      expect((thrown as Error).message).toBe(c.message);
    });
  }
});

describe('double backward', () => {
  for (const c of golden.double_backward) {
    it(`${c.op}${c.eq ? ` '${c.eq}'` : ''}`, () => {
      const a = torch.tensor(c.a, { dtype: torch.float64, requires_grad: true });
      const b = torch.tensor(c.b, { dtype: torch.float64, requires_grad: true });
      const y = call(c.op, [a, b], c.eq ?? undefined);
      const loss = y.mul(y).mul(torch.tensor(c.w, { dtype: torch.float64 })).sum();
      const [ga] = torch.autograd.grad(loss, a, { create_graph: true });
      expectClose(ga!.tolist(), c.grad_a, 1e-10, 1e-10, 'first grad');
      ga!.mul(torch.tensor(c.v, { dtype: torch.float64 })).sum().backward();
      expectClose(a.grad!.tolist(), c.a_grad, 1e-10, 1e-10, 'a.grad');
      expectClose(b.grad!.tolist(), c.b_grad, 1e-10, 1e-10, 'b.grad');
    });
  }
});

describe('gradcheck (float64)', () => {
  // deterministic inputs without torch.randn: a fixed pseudo-random sequence
  let seed = 12345;
  const rnd = (...shape: number[]): Tensor => {
    const n = shape.reduce((p, d) => p * d, 1);
    const v = Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    });
    return torch.tensor(v, { dtype: torch.float64 }).reshape(shape).requires_grad_();
  };
  const check = (fn: (...xs: Tensor[]) => Tensor, ...xs: Tensor[]) => expect(torch.autograd.gradcheck(fn, xs)).toBe(true);
  it('matmul, every case', () => {
    const mm = (x: Tensor, y: Tensor) => torch.matmul(x, y);
    check(mm, rnd(3), rnd(3));
    check(mm, rnd(2, 3), rnd(3));
    check(mm, rnd(3), rnd(3, 2));
    check(mm, rnd(2, 3), rnd(3, 2));
    check(mm, rnd(2, 2, 3), rnd(3));
    check(mm, rnd(2, 2, 3), rnd(3, 2));
    check(mm, rnd(3), rnd(2, 3, 2));
    check(mm, rnd(2, 3), rnd(2, 3, 2));
    check(mm, rnd(2, 1, 2, 3), rnd(3, 3, 2));
    check((x, y) => torch.matmul(x.transpose(1, 2), y), rnd(2, 3, 2), rnd(3, 2));
  });
  it('mm, bmm, mv, dot, outer, addmm', () => {
    check((x, y) => torch.mm(x, y.t()), rnd(2, 3), rnd(4, 3));
    check((x, y) => torch.bmm(x, y), rnd(2, 2, 3), rnd(2, 3, 2));
    check((x, y) => torch.mv(x, y), rnd(3, 2), rnd(2));
    check((x, y) => torch.dot(x, y), rnd(4), rnd(4));
    check((x, y) => torch.outer(x, y), rnd(3), rnd(2));
    check((s, x, y) => torch.addmm(s, x, y, { beta: 0.5, alpha: -2 }), rnd(2), rnd(3, 2), rnd(2, 2));
  });
  it('einsum', () => {
    check((x) => torch.einsum('ii', x), rnd(3, 3));
    check((x) => torch.einsum('ij->ji', x), rnd(3, 2));
    check((x, y) => torch.einsum('bij,bjk->bik', x, y), rnd(2, 2, 3), rnd(2, 3, 2));
    check((x, y, z) => torch.einsum('ij,jk,kl->il', x, y, z), rnd(2, 3), rnd(3, 2), rnd(2, 2));
    check((x, y) => torch.einsum('...ij,...j->...i', x, y), rnd(2, 2, 3), rnd(3));
    check((x, y) => torch.einsum('iij,j->i', x, y), rnd(2, 2, 3), rnd(3));
  });
});

// ---- the CPU kernel against a plain triple loop ----

const cpuView = (shape: number[], strides: number[], offset: number, dtype: DType): View => ({
  storage: null as never, dtype, shape, strides, offset,
});

function naive(ad: TypedArray, a: View, bd: TypedArray, b: View, B: number, M: number, N: number, K: number): Float64Array {
  const out = new Float64Array(B * M * N);
  for (let bi = 0; bi < B; bi++) {
    const ab = a.offset + (a.shape[0] === 1 ? 0 : bi * a.strides[0]!);
    const bb = b.offset + (b.shape[0] === 1 ? 0 : bi * b.strides[0]!);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += ad[ab + i * a.strides[1]! + k * a.strides[2]!]! * bd[bb + k * b.strides[1]! + j * b.strides[2]!]!;
        out[(bi * M + i) * N + j] = s;
      }
    }
  }
  return out;
}

describe('CPU matmul kernel', () => {
  const dtypes: DType[] = [torch.float32, torch.float64, torch.int32, torch.int64];
  const sizes = [1, 3, 17, 65, 129];
  let seed = 7;
  const fill = (arr: TypedArray, int: boolean) => {
    for (let i = 0; i < arr.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      arr[i] = int ? (seed % 19) - 9 : seed / 2147483648 - 0.5;
    }
  };

  /**
   * Runs the kernel on [B,M,K] x [B,K,N] with each operand stored row-major or transposed, offset
   * into a bigger buffer; `gap` spreads both operands' elements 2 apart (no unit stride at all).
   */
  function run(dtype: DType, B: number, M: number, N: number, K: number, aT: boolean, bT: boolean, broadcastB: boolean, gap = 1): void {
    const int = !dtype.is_floating_point;
    const pad = 5;
    const ad = new dtype.array(gap * B * M * K + pad);
    const bB = broadcastB ? 1 : B;
    const bd = new dtype.array(gap * bB * K * N + pad);
    fill(ad, int);
    fill(bd, int);
    const a = cpuView([B, M, K], (aT ? [M * K, 1, M] : [M * K, K, 1]).map((s) => s * gap), pad, dtype);
    const b = cpuView([bB, K, N], (bT ? [K * N, 1, K] : [K * N, N, 1]).map((s) => s * gap), pad, dtype);
    // the output is written through strides too: transposed, inside a bigger buffer
    const od = new dtype.array(B * M * N + pad);
    const o = cpuView([B, M, N], [M * N, 1, M], pad, dtype);
    matmulKernel(ad, a, bd, b, od, o);
    const want = naive(ad, a, bd, b, B, M, N, K);
    const rounded = new dtype.array(want.length);
    rounded.set(want);
    for (let bi = 0; bi < B; bi++) {
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          const got = od[pad + bi * M * N + j * M + i]!;
          const exp = rounded[(bi * M + i) * N + j]!;
          const ok = int ? got === exp : Math.abs(got - exp) <= 1e-5 * (1 + Math.abs(exp));
          if (!ok) expect(got, `${dtype} B${B} ${M}x${K} @ ${K}x${N} aT=${aT} bT=${bT} at [${bi},${i},${j}]`).toBe(exp);
        }
      }
    }
    for (let p = 0; p < pad; p++) expect(od[p], 'nothing written before the output view').toBe(0);
  }

  for (const dtype of dtypes) {
    it(`${dtype.name}: odd sizes, transposed operands and output`, () => {
      for (const M of sizes) {
        for (const N of sizes) {
          for (const K of [1, 3, 17, 65, 129]) {
            if (M * N * K > 129 * 129 * 17 && (M !== N || N !== K)) continue;
            run(dtype, 1, M, N, K, (M + K) % 2 === 0, (N + K) % 2 === 1, false);
          }
        }
      }
    });
  }
  it('crosses the K blocking (K > 256) and N blocking (N > 128) with every layout', () => {
    for (const aT of [false, true]) for (const bT of [false, true]) run(torch.float64, 1, 37, 133, 301, aT, bT, false);
  });
  it('operands without any unit stride, matrix and vector shapes', () => {
    for (const [M, N, K] of [[7, 9, 11], [1, 9, 11], [7, 1, 11], [1, 1, 11], [5, 1, 300]]) {
      for (const aT of [false, true]) for (const bT of [false, true]) run(torch.float64, 2, M!, N!, K!, aT, bT, false, 2);
    }
  });
  it('batches, with the second operand broadcast (batch stride 0)', () => {
    run(torch.float32, 3, 5, 7, 9, false, true, true);
    run(torch.int32, 4, 17, 3, 65, true, false, false);
    run(torch.float64, 2, 1, 9, 5, false, false, false);
    run(torch.float64, 2, 9, 1, 5, true, true, false);
  });
  it('propagates NaN and infinity through zeros', () => {
    const a = torch.tensor([[Infinity, 0, 1], [NaN, 0, 0], [1, 2, 3]], { dtype: torch.float32 });
    const z = torch.zeros([3, 5], { dtype: torch.float32 });
    const r = torch.matmul(a, z).tolist() as number[][];
    expect(r[0]!.every(Number.isNaN)).toBe(true);
    expect(r[1]!.every(Number.isNaN)).toBe(true);
    expect(r[2]).toEqual([0, 0, 0, 0, 0]);
    expect((torch.mv(a, torch.zeros([3], { dtype: torch.float32 })).tolist() as number[]).map(Number.isNaN)).toEqual([true, true, false]);
  });
  it('wraps int32 and uint8 products like fixed-width integers', () => {
    const a = torch.tensor([[65536, 1]], { dtype: torch.int32 });
    const b = torch.tensor([[65536], [5]], { dtype: torch.int32 });
    expect(torch.mm(a, b).tolist()).toEqual([[5]]);
    const u = torch.tensor([[16, 1]], { dtype: torch.uint8 });
    expect(torch.mm(u, torch.tensor([[16], [3]], { dtype: torch.uint8 })).tolist()).toEqual([[3]]);
  });
});
