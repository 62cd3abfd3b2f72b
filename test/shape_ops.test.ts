/**
 * Joining, rearranging, sorting, scans and softmax against PyTorch's values, dtypes, gradients,
 * grad_fn names and error messages (test/golden/shape_ops.json, made by
 * test/golden/make_shape_ops.py); gradcheck in float64; split/chunk/unbind return views.
 */

import { describe, expect, it } from 'vitest';
import torch, { Tensor, type DType } from '../lib/index.js';
import { expectClose, loadGolden } from './helpers/golden.js';

type Nested = number | boolean | Nested[];
interface Spec { data: Nested; dtype: string; shape: number[] }
interface Case {
  name: string;
  inputs: (Spec & { rg: boolean })[];
  outputs: Spec[];
  grad_fn?: string;
  gouts?: (Nested | null)[];
  grads?: (Nested | null)[];
  grad_dtypes?: (string | null)[];
}
interface ErrorCase { name: string; type: string; message: string }
const golden = loadGolden<{ cases: Case[]; errors: ErrorCase[] }>('shape_ops.json');

const dtypeOf = (name: string): DType => torch[name as 'float32'];
const T = (v: Nested, dtype: string, rg = false): Tensor => torch.tensor(v, { dtype: dtypeOf(dtype), requires_grad: rg });
const i64 = (v: Nested): Tensor => torch.tensor(v, { dtype: torch.int64 });
type Out = Tensor | readonly Tensor[];
const f32 = torch.float32;
const f64 = torch.float64;

/** The same computations as the `case(...)` lines of make_shape_ops.py, by name. */
const ops: Record<string, (...xs: Tensor[]) => Out> = {
  cat_dim0: (a, b) => torch.cat([a!, b!], 0),
  cat_dim_neg: (a, b) => torch.cat([a!, b!], -1),
  cat_three_mid: (a, b) => torch.cat([a!, b!, a!], 1),
  cat_noncontig: (a, b) => torch.cat([a!.t(), b!], 0),
  cat_promote_int: (a, b) => torch.cat([a!, b!]),
  cat_promote_f64: (a, b) => torch.cat([a!, b!]),
  cat_legacy_empty: (e, a) => torch.cat([e!, a!], 1),
  cat_int: (a, b) => torch.cat([a!, b!]),
  stack_dim0: (a, b) => torch.stack([a!, b!]),
  stack_dim1: (a, b) => torch.stack([a!, b!, a!], 1),
  stack_dim_neg: (a, b) => torch.stack([a!, b!], -1),
  stack_scalars: (a, b) => torch.stack([a!, b!]),
  stack_promote: (a, b) => torch.stack([a!, b!]),

  split_int: (x) => x!.split(4),
  split_int_dim1: (x) => torch.split(x!, 2, 1),
  split_list: (x) => x!.split([1, 0, 5]),
  split_one_used: (x) => x!.split(2)[1]!,
  chunk_uneven: (x) => x!.chunk(3),
  chunk_fewer: (x) => x!.chunk(4),
  chunk_dim_neg: (x) => x!.chunk(2, -1),
  unbind_dim0: (x) => x!.unbind(),
  unbind_dim1: (x) => torch.unbind(x!, 1),
  unbind_partial: (x) => x!.unbind(1)[2]!,

  flip_dims: (x) => x!.flip(0, 2),
  flip_list: (x) => torch.flip(x!, [-1]),
  flip_t: (x) => x!.t().flip(0),
  flip_none: (x) => torch.flip(x!, []),
  roll_flat: (x) => x!.roll(1),
  roll_flat_neg: (x) => torch.roll(x!, -4),
  roll_dims: (x) => x!.roll([1, -1], [0, 1]),
  roll_big_shift: (x) => x!.roll(5, 1),
  roll_t: (x) => x!.t().roll(1, 0),

  repeat_2d: (x) => x!.repeat(2, 3),
  repeat_lead: (x) => x!.repeat(2, 1, 2),
  repeat_zero: (x) => x!.repeat(0, 2),
  repeat_scalar: (x) => x!.repeat(3),
  tile_short: (x) => x!.tile([2]),
  tile_long: (x) => torch.tile(x!, [2, 1, 1]),
  ri_int_flat: (x) => x!.repeat_interleave(2),
  ri_int_dim: (x) => x!.repeat_interleave(3, 1),
  ri_tensor_dim: (x) => x!.repeat_interleave(i64([1, 0, 2]), 0),
  ri_tensor_scalar: (x) => torch.repeat_interleave(x!, i64(2), -1),
  ri_tensor_flat: (x) => x!.repeat_interleave(i64([2, 1, 0, 1, 3, 1])),

  tril: (x) => x!.tril(),
  tril_pos: (x) => torch.tril(x!, 1),
  tril_neg: (x) => x!.tril(-1),
  triu: (x) => x!.triu(),
  triu_neg: (x) => torch.triu(x!, -1),
  triu_batch: (x) => x!.triu(1),
  tril_int: (x) => x!.tril(),

  sort_last: (x) => x!.sort(),
  sort_dim0_desc: (x) => torch.sort(x!, 0, true),
  sort_kw: (x) => x!.sort({ dim: 1, descending: true }),
  sort_nan: (x) => x!.sort(),
  sort_nan_desc: (x) => x!.sort({ descending: true }),
  sort_ties: (x) => x!.sort({ stable: true }),
  sort_ties_desc: (x) => x!.sort({ descending: true, stable: true }),
  sort_int: (x) => x!.sort(0),
  sort_bool: (x) => x!.sort(),
  sort_scalar: (x) => x!.sort(),
  sort_t: (x) => x!.t().sort(0),
  sort_3d_mid: (x) => x!.sort(1),
  topk_last: (x) => x!.topk(2),
  topk_small_dim0: (x) => torch.topk(x!, 2, { dim: 0, largest: false }),
  topk_nan: (x) => x!.topk(2),
  topk_nan_small: (x) => x!.topk(2, { largest: false }),
  topk_all: (x) => x!.topk(5),
  topk_zero: (x) => x!.topk(0),

  cumsum_dim0: (x) => x!.cumsum(0),
  cumsum_dim_neg: (x) => torch.cumsum(x!, -1),
  cumsum_int: (x) => x!.cumsum(0),
  cumsum_bool: (x) => x!.cumsum(0),
  cumsum_int32_keep: (x) => x!.cumsum(0, { dtype: torch.int32 }),
  cumsum_dtype: (x) => x!.cumsum(1, { dtype: f64 }),
  cumsum_scalar: (x) => x!.cumsum(0),
  cumsum_t: (x) => x!.t().cumsum(1),
  cumprod_dim1: (x) => x!.cumprod(1),
  cumprod_dim0: (x) => torch.cumprod(x!, 0),
  cumprod_zero: (x) => x!.cumprod(0),
  cumprod_zeros: (x) => x!.cumprod(0),
  cumprod_zero_first: (x) => x!.cumprod(0),
  cumprod_zero_last: (x) => x!.cumprod(-1),
  cumprod_zero_dim0: (x) => x!.cumprod(0),
  cumprod_int: (x) => x!.cumprod(0),
  cumprod_dtype: (x) => x!.cumprod(0, { dtype: f64 }),

  softmax_last: (x) => x!.softmax(-1),
  softmax_dim0: (x) => torch.softmax(x!, 0),
  softmax_mid: (x) => x!.softmax(1),
  softmax_big: (x) => x!.softmax(1),
  softmax_dtype: (x) => x!.softmax(1, { dtype: f64 }),
  softmax_int_dtype: (x) => x!.softmax(0, { dtype: f32 }),
  softmax_inf: (x) => x!.softmax(0),
  softmax_scalar: (x) => x!.softmax(0),
  softmax_t: (x) => x!.t().softmax(1),
  log_softmax_last: (x) => x!.log_softmax(-1),
  log_softmax_dim0: (x) => torch.log_softmax(x!, 0),
  log_softmax_big: (x) => x!.log_softmax(1),
  log_softmax_dtype: (x) => x!.log_softmax(0, { dtype: f64 }),
  log_softmax_scalar: (x) => x!.log_softmax(-1),
  log_softmax_t: (x) => x!.t().log_softmax(0),
};

const z = (...shape: number[]): Tensor => torch.zeros(shape);
const s = (v: number): Tensor => torch.tensor(v, { dtype: f32 });

/** The same calls as the `error(...)` lines of make_shape_ops.py, by name. */
const errors: Record<string, () => unknown> = {
  cat_sizes: () => torch.cat([z(2, 2), z(3, 3)], 1),
  cat_sizes_dim0: () => torch.cat([z(2, 2), z(3, 3)], 0),
  cat_ndim: () => torch.cat([z(2, 2), z(3)], 0),
  cat_empty_list: () => torch.cat([], 0),
  cat_zero_dim: () => torch.cat([z(2), s(1)]),
  cat_dim_range: () => torch.cat([z(2, 3), z(2, 3)], 2),
  stack_sizes: () => torch.stack([z(2), z(3)]),
  stack_empty: () => torch.stack([]),
  stack_dim_range: () => torch.stack([z(2)], 2),
  split_negative: () => z(6).split(-1),
  split_zero: () => z(6).split(0),
  split_sum: () => z(6).split([2, 3]),
  split_negative_entry: () => z(6).split([2, -1, 5]),
  split_scalar: () => s(1).split(1),
  chunk_zero: () => z(6).chunk(0),
  chunk_scalar: () => s(1).chunk(2),
  unbind_scalar: () => s(1).unbind(),
  unbind_dim_range: () => z(3, 2).unbind(2),
  flip_repeated: () => z(6).flip(0, 0),
  flip_dim_range: () => z(6).flip(1),
  roll_align: () => z(6).roll([1, 2], [0]),
  roll_align_flat: () => z(6).roll([1, 2]),
  roll_no_shifts: () => z(6).roll([]),
  roll_scalar_dim: () => s(3).roll(1, 0),
  repeat_fewer: () => z(2, 3).repeat(2),
  repeat_negative: () => z(2, 3).repeat(-1, 1),
  ri_negative: () => z(6).repeat_interleave(-1),
  ri_size: () => z(6).repeat_interleave(i64([1, 2])),
  ri_rank: () => z(6).repeat_interleave(i64([[1, 2]])),
  ri_negative_tensor: () => z(6).repeat_interleave(i64([1, 2, 0, 1, 1, -1])),
  ri_float: () => z(6).repeat_interleave(torch.tensor([1, 2, 0, 1, 1, 1], { dtype: f32 })),
  ri_scalar_dim: () => s(3).repeat_interleave(2, 0),
  tril_1d: () => z(6).tril(),
  triu_1d: () => z(6).triu(),
  tril_scalar: () => s(3).tril(),
  sort_dim_range: () => z(3, 2).sort({ dim: 2 }),
  topk_too_big: () => i64([3, 1, 2]).topk(4),
  topk_negative: () => i64([3, 1, 2]).topk(-1),
  topk_scalar: () => s(3).topk(2),
  cumsum_dim_range: () => z(3, 2).cumsum(2),
  cumsum_scalar_dim: () => s(3).cumsum(1),
  cumsum_bool_dtype: () => torch.tensor([true, false]).cumsum(0, { dtype: torch.bool }),
  cumprod_bool_dtype: () => torch.tensor([true, false]).cumprod(0, { dtype: torch.bool }),
  softmax_long: () => i64([3, 1, 2]).softmax(0),
  softmax_long_inner: () => i64([[3, 1, 2]]).softmax(0),
  softmax_long_inner1: () => i64([[3], [1]]).softmax(0),
  log_softmax_long: () => i64([3, 1, 2]).log_softmax(0),
  log_softmax_long_inner: () => i64([[3, 1, 2]]).log_softmax(0),
  softmax_int: () => torch.tensor([3, 1, 2], { dtype: torch.int32 }).softmax(-1),
  softmax_bool: () => torch.tensor([true]).softmax(0),
  softmax_long_scalar: () => i64(3).softmax(0),
  softmax_dim_range: () => z(3).softmax(2),
};

const tol = (dtype: string): [number, number] => (dtype === 'float64' ? [1e-10, 1e-12] : [2e-6, 1e-6]);

function outputsOf(r: Out): Tensor[] {
  return r instanceof Tensor ? [r] : [...r];
}

describe('golden values, dtypes, gradients and grad_fn names', () => {
  it('every golden case and error has a computation here', () => {
    for (const c of golden.cases) expect(ops[c.name], c.name).toBeDefined();
    for (const e of golden.errors) expect(errors[e.name], e.name).toBeDefined();
    expect(Object.keys(ops).length).toBe(golden.cases.length);
    expect(Object.keys(errors).length).toBe(golden.errors.length);
  });
  for (const c of golden.cases) {
    it(c.name, () => {
      const xs = c.inputs.map((i) => {
        const t = T(i.data, i.dtype, i.rg);
        expect([...t.shape]).toEqual(i.shape);
        return t;
      });
      const outs = outputsOf(ops[c.name]!(...xs));
      expect(outs.length, 'number of outputs').toBe(c.outputs.length);
      outs.forEach((o, k) => {
        const e = c.outputs[k]!;
        const [rtol, atol] = tol(e.dtype);
        expect(o.dtype.name, `output ${k} dtype`).toBe(e.dtype);
        expect([...o.shape], `output ${k} shape`).toEqual(e.shape);
        expectClose(o.tolist(), e.data, rtol, atol, `${c.name} output ${k}`);
      });
      if (!c.gouts) {
        for (const o of outs) expect(o.requires_grad, 'no output should require grad').toBe(false);
        return;
      }
      expect(outs[0]!.grad_fn?.name()).toBe(c.grad_fn);
      const roots: Tensor[] = [];
      const seeds: Tensor[] = [];
      c.gouts.forEach((g, k) => {
        const o = outs[k]!;
        if (g === null) {
          expect(o.requires_grad, `output ${k} should not require grad`).toBe(false);
          return;
        }
        roots.push(o);
        seeds.push(T(g, o.dtype.name).reshape(o.shape));
      });
      torch.autograd.backward(roots, seeds);
      c.grads!.forEach((g, k) => {
        const x = xs[k]!;
        if (g === null) {
          expect(x.grad).toBeNull();
          return;
        }
        expect(x.grad, `grad of input ${k}`).not.toBeNull();
        expect(x.grad!.dtype.name).toBe(c.grad_dtypes![k]);
        const [rtol, atol] = tol(x.dtype.name);
        expectClose(x.grad!.tolist(), g, rtol * 10, atol * 10, `${c.name} grad ${k}`);
      });
    });
  }
});

describe("PyTorch's errors", () => {
  for (const e of golden.errors) {
    it(e.name, () => {
      let caught: unknown = null;
      try {
        errors[e.name]!();
      } catch (err) {
        caught = err;
      }
      expect(caught, `${e.name} should throw`).toBeInstanceOf(Error);
      expect((caught as Error).name).toBe(e.type);
      expect((caught as Error).message).toBe(e.message);
    });
  }
});

describe('gradcheck in float64', () => {
  // distinct, irregular values (no ties, so sort and topk are differentiable there)
  const x = (...shape: number[]): Tensor =>
    torch.arange(shape.reduce((p, q) => p * q, 1), { dtype: f64 }).add(1).mul(2.3).sin().mul(2).reshape(shape).requires_grad_();
  const { gradcheck } = torch.autograd;
  // second derivatives: gradcheck of the first derivative taken with create_graph (the backward
  // closures themselves are differentiated); enable_grad because gradcheck evaluates under no_grad
  const gradOf = (fn: (p: Tensor) => Tensor) => (p: Tensor): Tensor =>
    torch.enable_grad(() => {
      const y = fn(p);
      const w = torch.arange(y.numel(), { dtype: f64 }).add(1).mul(0.37).cos().reshape(y.shape);
      return torch.autograd.grad(y, p, { grad_outputs: w, create_graph: true })[0]!;
    });
  const checkSecondOrder = (fn: (p: Tensor) => Tensor, inputs: Tensor[]): boolean => gradcheck(gradOf(fn), inputs);
  it('cat and stack', () => {
    const a = x(2, 3);
    const b = x(2, 2);
    expect(gradcheck((p, q) => torch.cat([p!, q!, p!], 1), [a, b])).toBe(true);
    expect(gradcheck((p, q) => torch.stack([p!, q!.t()], 1), [a, x(3, 2)])).toBe(true);
    expect(checkSecondOrder((p) => torch.cat([p, b.detach(), p.t().reshape(2, 3)], 1).pow(2), [a])).toBe(true);
    expect(checkSecondOrder((p) => torch.stack([p, p.mul(2)], 2).pow(3), [a])).toBe(true);
  });
  it('split, chunk and unbind', () => {
    const a = x(5, 3);
    expect(gradcheck((p) => p!.split(2).map((t, i) => t.mul(i + 1)), [a])).toBe(true);
    expect(gradcheck((p) => p!.split([1, 2], 1)[1]!.mul(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.chunk(2, 1).map((t) => t.exp()), [a])).toBe(true);
    expect(gradcheck((p) => p!.unbind(1)[0]!.mul(p!.unbind(1)[2]!), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.unbind(0)[1]!.pow(3), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.split([2, 3])[1]!.pow(3), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.chunk(3, 1)[2]!.pow(3), [a])).toBe(true);
  });
  it('flip, roll, repeat, tile, repeat_interleave', () => {
    const a = x(2, 3, 2);
    expect(gradcheck((p) => p!.flip(0, 2).mul(torch.arange(12, { dtype: f64 }).reshape(2, 3, 2)), [a])).toBe(true);
    expect(gradcheck((p) => p!.roll([1, -2], [1, 2]).pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.roll(5).pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.repeat(2, 1, 1, 3).pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.tile([2]).pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.repeat_interleave(3).pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.repeat_interleave(i64([2, 0, 3]), 1).pow(2), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.flip(1).roll(1, 0).repeat(2, 1, 1).repeat_interleave(2, 2).pow(2), [a])).toBe(true);
  });
  it('tril and triu', () => {
    const a = x(2, 3, 4);
    expect(gradcheck((p) => p!.tril(1).pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.triu(-1).pow(2), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.tril().pow(2), [a])).toBe(true);
  });
  it('sort and topk', () => {
    const a = x(3, 4);
    expect(gradcheck((p) => p!.sort(0).values.mul(torch.arange(12, { dtype: f64 }).reshape(3, 4)), [a])).toBe(true);
    expect(gradcheck((p) => p!.sort({ dim: 1, descending: true }).values.pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.topk(2).values.pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.topk(2, { dim: 0, largest: false }).values.exp(), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.sort(1).values.pow(2), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.topk(3).values.pow(3), [a])).toBe(true);
  });
  it('cumsum and cumprod, also through zeros', () => {
    const a = x(3, 4);
    expect(gradcheck((p) => p!.cumsum(1), [a])).toBe(true);
    expect(gradcheck((p) => p!.cumsum(0).pow(2), [a])).toBe(true);
    expect(gradcheck((p) => p!.cumprod(1), [a])).toBe(true);
    expect(gradcheck((p) => p!.cumprod(0), [a])).toBe(true);
    const zeros = torch.tensor([[1.5, 0, 2, -1], [0, 0, 3, 0.5], [2, 1, -0.5, 0]], { dtype: f64, requires_grad: true });
    expect(gradcheck((p) => p!.cumprod(1), [zeros])).toBe(true);
    expect(gradcheck((p) => p!.cumprod(0), [zeros])).toBe(true);
    expect(checkSecondOrder((p) => p.cumprod(1), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.cumprod(1), [zeros])).toBe(true);
    expect(checkSecondOrder((p) => p.cumsum(0).pow(2), [a])).toBe(true);
  });
  it('softmax and log_softmax', () => {
    const a = x(3, 4);
    expect(gradcheck((p) => p!.softmax(1), [a])).toBe(true);
    expect(gradcheck((p) => p!.softmax(0), [a])).toBe(true);
    expect(gradcheck((p) => p!.log_softmax(1), [a])).toBe(true);
    expect(gradcheck((p) => p!.log_softmax(0), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.softmax(1), [a])).toBe(true);
    expect(checkSecondOrder((p) => p.log_softmax(0), [a])).toBe(true);
  });
});

describe('views and single nodes', () => {
  it('split, chunk and unbind return views of the input', () => {
    const a = torch.arange(12, { dtype: f32 }).reshape(4, 3);
    const parts = [...a.split(3), ...a.split([1, 2], 1), ...a.chunk(2), ...a.unbind(1)];
    for (const p of parts) expect(p._storage).toBe(a._storage);
    const [, second] = a.split(2);
    expect(second!.storage_offset()).toBe(6);
    second!.fill_(-1);
    expect(a.select(0, 3).tolist()).toEqual([-1, -1, -1]);
    const col = a.unbind(1)[2]!;
    expect(col.stride()).toEqual([3]);
    col.zero_();
    expect(a.tolist()).toEqual([[0, 1, 0], [3, 4, 0], [-1, -1, 0], [-1, -1, 0]]);
  });
  it('one node for all pieces; unused pieces get zero gradient', () => {
    const a = torch.ones([4, 2], { requires_grad: true });
    const [p, q] = a.chunk(2);
    expect(p!.grad_fn).toBe(q!.grad_fn);
    q!.mul(3).sum().backward();
    expect(a.grad!.tolist()).toEqual([[0, 0], [0, 0], [3, 3], [3, 3]]);
  });
  it('outputs are fresh tensors, not views', () => {
    const a = torch.arange(6, { dtype: f32 }).reshape(2, 3);
    for (const o of [a.flip(0), a.roll(1), a.repeat(1, 1), a.tril(), torch.cat([a]), a.sort().values, a.topk(3).values, a.cumsum(0), a.softmax(1)]) {
      expect(o._storage).not.toBe(a._storage);
      expect(o.is_contiguous()).toBe(true);
    }
  });
  it('in-place tril_ and triu_', () => {
    const a = torch.ones(3, 3);
    a.tril_(-1);
    expect(a.tolist()).toEqual([[0, 0, 0], [1, 0, 0], [1, 1, 0]]);
    const b = torch.ones(2, 3);
    b.triu_(1);
    expect(b.tolist()).toEqual([[0, 1, 1], [0, 0, 1]]);
  });
  it('argsort and the named tuple', () => {
    const a = torch.tensor([[3, 1, 2]], { dtype: f32 });
    expect(a.argsort(1).tolist()).toEqual([[1, 2, 0]]);
    expect(torch.argsort(a, { dim: 1, descending: true }).tolist()).toEqual([[0, 2, 1]]);
    const r = a.topk(2);
    const [v, i] = r;
    expect(v).toBe(r.values);
    expect(i).toBe(r.indices);
    expect(i!.dtype).toBe(torch.int64);
  });
  it('softmax is stable for large inputs and sums to one', () => {
    const a = torch.tensor([[1e4, 1e4 + 1, -1e4]], { dtype: f32 });
    const y = a.softmax(1);
    expect(y.isfinite().all().item()).toBe(1);
    expectClose(y.sum(1).tolist(), [1], 1e-6, 1e-6);
    expect(a.log_softmax(1).isfinite().all().item()).toBe(1);
  });
  it('empty inputs', () => {
    expect([...torch.cat([torch.zeros(0), torch.zeros(0)]).shape]).toEqual([0]);
    expect([...torch.zeros(0, 2).softmax(0).shape]).toEqual([0, 2]);
    expect([...torch.zeros(0, 2).chunk(3)].length).toBe(3);
    expect(torch.zeros(0, 2).split(0).length).toBe(1);
    expect([...torch.zeros(3, 0).sort(1).values.shape]).toEqual([3, 0]);
    expect([...torch.zeros(3, 0).cumsum(1).shape]).toEqual([3, 0]);
    expect([...torch.zeros(0, 3).flip(0, 1).shape]).toEqual([0, 3]);
  });
});
