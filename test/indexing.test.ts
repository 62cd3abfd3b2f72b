/**
 * Indexing against PyTorch: `get`/`set` (x[...]), index_put_, gather/scatter, index_select,
 * index_add_, masked_select, nonzero and take, with values, dtypes, grad_fn names, views and
 * gradients from test/golden/indexing.json (made by test/golden/make_indexing.py), every error
 * message, and gradcheck (first and second order) in float64.
 */

import { describe, expect, it } from 'vitest';
import torch, { Tensor, type DType } from '../lib/index.js';
import { expectClose, loadGolden } from './helpers/golden.js';

type Nested = number | boolean | Nested[];
interface Spec { data: Nested; dtype: string; shape: number[] }
interface Case {
  name: string;
  inputs: (Spec & { rg: boolean })[];
  output: Spec;
  grad_fn: string | null;
  is_view: boolean;
  gout?: Nested;
  grads?: (Nested | null)[];
}
interface ErrorCase { name: string; type: string; message: string }
const golden = loadGolden<{ cases: Case[]; errors: ErrorCase[] }>('indexing.json');

const dtypeOf = (name: string): DType => torch[name as 'float32'];
const T = (v: Nested, dtype: string, rg = false): Tensor => torch.tensor(v, { dtype: dtypeOf(dtype), requires_grad: rg });
/** A golden tensor; empty ones are rebuilt from their shape, which nested data cannot carry. */
const fromSpec = (s: Spec, rg = false): Tensor =>
  s.shape.includes(0) ? torch.zeros(s.shape, { dtype: dtypeOf(s.dtype), requires_grad: rg }) : T(s.data, s.dtype, rg);
/** `torch.tensor(v)` of int64, as the Python script's `L(*v)`. */
const L = (...v: Nested[]): Tensor => torch.tensor(v, { dtype: torch.int64 });
const B = (...v: Nested[]): Tensor => torch.tensor(v, { dtype: torch.bool });
const f32 = torch.float32;
const f64 = torch.float64;
const MASK = B([true, false, true, false], [false, false, true, true], [true, true, false, false]);

/** y = a non-leaf copy of x (a plain copy when x needs no grad), changed by fn, as `setter`/`inplace`. */
const onCopy = (fn: (y: Tensor, ...rest: Tensor[]) => unknown) => (x: Tensor, ...rest: Tensor[]): Tensor => {
  const y = x.requires_grad ? x.mul(1) : x.clone();
  fn(y, ...rest);
  return y;
};

/** The same computations as the `case(...)` lines of make_indexing.py, by name. */
const ops: Record<string, (...xs: Tensor[]) => Tensor> = {
  get_int: (x) => x!.get(1),
  get_neg_int: (x) => x!.get(-1),
  get_int_int: (x) => x!.get(1, -2),
  get_slice: (x) => x!.get('1:3'),
  get_colon: (x) => x!.get(':'),
  get_step: (x) => x!.get(':', '::2'),
  get_neg_start: (x) => x!.get('-1:'),
  get_neg_stop: (x) => x!.get(':', ':-1'),
  get_start_stop_step: (x) => x!.get('...', '1:10:3'),
  get_clamped: (x) => x!.get('-10:10', '5:'),
  get_none: (x) => x!.get(null, 0, null),
  get_ellipsis_int: (x) => x!.get('...', 1),
  get_ellipsis: (x) => x!.get('...'),
  get_int_slice_none: (x) => x!.get(1, '1:3', null),
  get_ellipsis_none_int: (x) => x!.get('...', null, 0),
  get_0d_int_tensor: (x) => x!.get(torch.tensor(1)),
  get_scalar_of_1d: (x) => x!.get(2),
  get_list: (x) => x!.get([2, 0, 2]),
  get_list_neg: (x) => x!.get([-1, 0]),
  get_tensor_2d: (x) => x!.get(L([0, 1], [2, 0])),
  get_int32_index: (x) => x!.get(torch.tensor([0, 2], { dtype: torch.int32 })),
  get_adv_adjacent: (x) => x!.get(':', [0, 3], [1, 4]),
  get_adv_separated: (x) => x!.get([0, 2], ':', [1, 4]),
  get_adv_broadcast: (x) => x!.get(L([0], [2]), ':', [1, 4]),
  get_int_then_adv: (x) => x!.get(1, ':', [0, 2]),
  get_adv_slice_adv_2d: (x) => x!.get(L([0, 1]), '1:', L([1], [2])),
  get_none_adv_ellipsis_adv: (x) => x!.get(null, [0, 1], '...', [1, 2]),
  get_empty_list: (x) => x!.get([]),
  get_mask_2d: (x) => x!.get(MASK),
  get_mask_1d_dim1: (x) => x!.get(':', B(true, false, true, true)),
  get_bool_list: (x) => x!.get([true, false, true]),
  get_mask_of_matrix: (x) => x!.get(x!.gt(0)),
  get_mask_0d_true: (x) => x!.get(torch.tensor(true)),
  get_mask_0d_false: (x) => x!.get(torch.tensor(false)),
  get_int_mask: (x) => x!.get(1, B(true, false, false, true)),
  get_mask_adv: (x) => x!.get(':', B(true, false, true, false), [0, 4]),
  get_uint8_mask: (x) => x!.get(MASK.to(torch.uint8)),
  get_int_tensor_values: (x) => x!.get([0, 2], '1:3'),
  get_mask_then_int: (x) => x!.get(MASK, 1),

  set_int_scalar: onCopy((y) => y.set(1, 5)),
  set_col_tensor: onCopy((y, v) => y.set(':', 1, v!)),
  set_slice_broadcast_row: onCopy((y, v) => y.set('0:2', v!)),
  set_mask_scalar: onCopy((y) => y.set(y.gt(2), 0)),
  set_mask_tensor: onCopy((y, v) => y.set(MASK, v!)),
  set_list_rows: onCopy((y, v) => y.set([0, 2], v!)),
  set_adv_pairs: onCopy((y, v) => y.set([0, 1, 2], [3, 2, 1], v!)),
  set_leading_ones: onCopy((y, v) => y.set('0:1', v!)),
  set_adv_leading_ones: onCopy((y, v) => y.set([1], v!)),
  set_ellipsis: onCopy((y) => y.set('...', 2.5)),
  set_none_int: onCopy((y, v) => y.set(null, 1, v!)),
  set_step_slice: onCopy((y) => y.set(':', '::2', -1)),
  set_int_dtype_float_scalar: onCopy((y) => y.set([0, 2], 2.7)),
  set_int_dtype_basic: onCopy((y) => y.set(1, 3.9)),
  set_adv_cast_value: onCopy((y, v) => y.set([0], v!)),
  set_3d_adv_separated: onCopy((y, v) => y.set([0, 2], ':', [1, 4], v!)),

  index_put: onCopy((y, v) => y.index_put_([L(0, 2), L(1, 3)], v!)),
  index_put_accumulate_dup: onCopy((y, v) => y.index_put_([L(0, 0, 2), L(1, 1, 3)], v!, true)),
  index_put_row_broadcast: onCopy((y, v) => y.index_put_([L(1, 2)], v!)),
  index_put_mask: onCopy((y, v) => y.index_put_([MASK], v!)),
  index_put_int_accumulate: onCopy((y, v) => y.index_put_([L(0, 0), L(1, 1)], v!, true)),
  index_put_neg: onCopy((y, v) => y.index_put_([L(-1)], v!)),

  gather_dim1: (x) => x!.gather(1, L([0, 0, 2], [1, 0, 0])),
  gather_dim0: (x) => x!.gather(0, L([1, 0, 1], [0, 0, 1])),
  gather_smaller_index: (x) => x!.gather(1, L([2], [1])),
  gather_3d_neg_dim: (x) => x!.gather(-1, L([[4, 0], [1, 1], [0, 0], [2, 3]])),
  gather_larger_index_along_dim: (x) => x!.gather(1, L([0, 1, 2, 2, 1])),
  gather_int: (x) => torch.gather(x!, 0, L(3, 0, 0)),
  gather_empty: (x) => x!.gather(1, torch.zeros([2, 0], { dtype: torch.int64 })),
  scatter_src: (x, s) => x!.scatter(1, L([2, 0], [1, 2]), s!),
  scatter_dim0: (x, s) => x!.scatter(0, L([1, 0, 1]), s!),
  scatter_value: (x) => x!.scatter(1, L([2], [0]), 9.5),
  scatter_int_value_float_self: (x) => x!.scatter(1, L([0], [1]), 5),
  scatter_reduce_add: (x, s) => x!.scatter(1, L([0, 0], [2, 2]), s!, { reduce: 'add' }),
  scatter_reduce_multiply: (x, s) => x!.scatter(1, L([0, 0], [2, 2]), s!, { reduce: 'multiply' }),
  scatter_value_multiply: (x) => x!.scatter(1, L([0, 0], [2, 1]), 3, { reduce: 'multiply' }),
  scatter_value_add: (x) => x!.scatter(1, L([0, 0], [2, 1]), 3, { reduce: 'add' }),
  scatter_inplace: onCopy((y, s) => y.scatter_(0, L([1, 0, 0]), s!)),
  scatter_add: (x, s) => x!.scatter_add(1, L([0, 0, 2], [1, 1, 1]), s!),
  scatter_add_dim0_dup: (x, s) => x!.scatter_add(0, L([0, 0, 0], [0, 1, 0]), s!),
  scatter_add_inplace: onCopy((y, s) => y.scatter_add_(1, L([2, 2]), s!)),
  scatter_add_int: (x, s) => x!.scatter_add(0, L(0, 0, 2), s!),

  index_select_dim0: (x) => x!.index_select(0, L(2, 0, 2)),
  index_select_dim1: (x) => torch.index_select(x!, 1, L(3, 1)),
  index_select_int32: (x) => x!.index_select(-1, torch.tensor([4, 0], { dtype: torch.int32 })),
  index_select_0d_index: (x) => x!.index_select(1, torch.tensor(2)),
  index_select_transposed: (x) => x!.t().index_select(0, L(0, 3)),
  index_add: onCopy((y, s) => y.index_add_(0, L(0, 2, 0), s!)),
  index_add_alpha_dim1: onCopy((y, s) => y.index_add_(1, L(3, 1), s!, { alpha: 2.5 })),
  index_add_int_alpha: onCopy((y, s) => y.index_add_(0, L(1), s!, { alpha: 2 })),

  masked_select: (x) => x!.masked_select(MASK),
  masked_select_broadcast_mask: (x) => torch.masked_select(x!, B(true, false, false, true)),
  masked_select_broadcast_self: (x) => x!.masked_select(MASK),
  masked_select_0d: (x) => x!.masked_select(torch.tensor(true)),
  nonzero_2d: (x) => x!.nonzero(),
  nonzero_nan: (x) => x!.nonzero(),
  nonzero_bool_3d: (x) => x!.nonzero(),
  nonzero_0d: (x) => x!.nonzero(),
  nonzero_0d_zero: (x) => x!.nonzero(),
  nonzero_empty: (x) => x!.nonzero(),
  take: (x) => x!.take(L([0, 11], [-1, 5])),
  take_noncontiguous: (x) => torch.take(x!.t(), L(0, 1, 2, -12)),
  take_dup: (x) => x!.take(L(1, 1, 1)),
};

/**
 * grad_fn names that come from another module's op, not from indexing: `x[...] = 2.5` is
 * `x.copy_(2.5)`, whose node PyTorch names FillBackward3 and copy.ts FillBackward0.
 */
const gradFnOf: Record<string, string> = { set_ellipsis: 'FillBackward0' };

describe('indexing matches PyTorch (golden)', () => {
  it('has a TypeScript op for every golden case', () => {
    expect(golden.cases.map((c) => c.name).filter((n) => !(n in ops))).toEqual([]);
  });
  for (const c of golden.cases) {
    it(c.name, () => {
      const xs = c.inputs.map((s) => fromSpec(s, s.rg));
      const out = ops[c.name]!(...xs);
      expect(out.dtype.name).toBe(c.output.dtype);
      expect(out.shape.slice()).toEqual(c.output.shape);
      expectClose(out.tolist(), c.output.data, 1e-6, 1e-6, 'output');
      expect(out.grad_fn?.name() ?? null).toBe(gradFnOf[c.name] ?? c.grad_fn);
      expect(out._base === xs[0], 'is a view of the input').toBe(c.is_view);
      if (c.gout === undefined) return;
      out.backward(fromSpec({ ...c.output, data: c.gout }));
      c.grads!.forEach((g, i) => {
        if (g === null) expect(xs[i]!.grad).toBeNull();
        else expectClose(xs[i]!.grad!.tolist(), g, 1e-6, 1e-6, `grad of input ${i}`);
      });
    });
  }
});

const Y = () => torch.zeros(2, 3);
/** The same calls as the `err(...)` lines of make_indexing.py. */
const errorOps: Record<string, () => unknown> = {
  get_int_oob: () => Y().get(5),
  get_neg_oob: () => Y().get(-3),
  get_int_oob_dim1: () => Y().get(':', 3),
  get_int_oob_real_dim: () => Y().get(null, 5),
  get_neg_step: () => Y().get('::-1'),
  get_zero_step: () => Y().get('::0'),
  get_too_many: () => Y().get(0, 0, 0),
  get_too_many_mask: () => Y().get(0, torch.ones([3, 2], { dtype: torch.bool })),
  get_adv_oob: () => Y().get([3]),
  get_adv_neg_oob: () => Y().get([-3]),
  get_adv_oob_dim1: () => Y().get(':', [5]),
  get_adv_oob_second: () => Y().get([0], [3]),
  get_mask_shape: () => torch.zeros(3).get(B(true, false)),
  get_mask_shape_dim1: () => Y().get(':', B(true, false)),
  get_float_index: () => Y().get(torch.tensor([1.5])),
  get_broadcast: () => Y().get([0, 1], [0, 1, 2]),
  get_0d_int: () => torch.tensor(3.5).get(0),
  get_0d_slice: () => torch.tensor(3.5).get(':'),
  get_float_number: () => Y().get(1.5),
  set_shape: () => Y().set(0, torch.ones(2)),
  set_adv_shape: () => Y().set([0, 1], torch.ones(2)),
  set_mask_shape: () => Y().set(B(true, false), torch.ones(2)),
  set_leaf: () => torch.zeros(3, { requires_grad: true }).set(0, 1),
  index_put_too_many: () => Y().index_put_([L(0), L(0), L(0)], torch.tensor(1, { dtype: f32 })),
  index_put_dtype: () => Y().index_put_([L(0)], torch.ones(3, { dtype: f64 })),
  index_put_shape: () => Y().index_put_([L(0)], torch.ones(2)),
  index_put_oob: () => Y().index_put_([L(5)], torch.tensor(1, { dtype: f32 })),
  gather_ndim: () => Y().gather(1, L(0)),
  gather_oob: () => Y().gather(1, L([5])),
  gather_neg: () => Y().gather(1, L([-1])),
  gather_int32: () => Y().gather(1, torch.tensor([[0]], { dtype: torch.int32 })),
  gather_size: () => Y().gather(1, L([0], [0], [0])),
  gather_dim: () => Y().gather(2, L([0])),
  scatter_oob: () => Y().scatter(1, L([5]), 1),
  scatter_int32: () => Y().scatter(1, torch.tensor([[0]], { dtype: torch.int32 }), 1),
  scatter_ndim: () => Y().scatter(1, L(0), 1),
  scatter_dtype: () => Y().scatter(1, L([0]), torch.ones(2, 3, { dtype: f64 })),
  scatter_src_size: () => Y().scatter(1, L([0, 0, 0, 0]), torch.ones(2, 3)),
  scatter_self_size: () => Y().scatter(1, L([0], [0], [0]), torch.ones(3, 3)),
  scatter_value_self_size: () => Y().scatter(1, L([0], [0], [0]), 1),
  // a JavaScript caller can pass any string; the check is PyTorch's
  scatter_reduce_bad: () => Y().scatter(1, L([0]), 1, JSON.parse('{"reduce": "mean"}') as { reduce: 'add' }),
  scatter_add_oob: () => Y().scatter_add(1, L([3]), torch.ones(2, 3)),
  scatter_add_dtype: () => Y().scatter_add(1, L([0]), torch.ones(2, 3, { dtype: f64 })),
  index_select_2d: () => Y().index_select(1, L([0])),
  index_select_float: () => Y().index_select(1, torch.tensor([0.5])),
  index_select_oob: () => Y().index_select(0, L(5)),
  index_select_neg: () => Y().index_select(0, L(-1)),
  index_add_oob: () => Y().index_add_(1, L(5), torch.ones(2, 1)),
  index_add_count: () => Y().index_add_(1, L(0), torch.ones(2, 2)),
  index_add_dtype: () => Y().index_add_(1, L(0), torch.ones(2, 1, { dtype: f64 })),
  index_add_float_index: () => Y().index_add_(1, torch.tensor([0.5]), torch.ones(2, 1)),
  index_add_2d_index: () => Y().index_add_(1, L([0]), torch.ones(2, 1)),
  index_add_slice_shape: () => Y().index_add_(1, L(0), torch.ones(3, 1)),
  masked_select_int_mask: () => Y().masked_select(L(1, 0, 1)),
  masked_select_shape: () => Y().masked_select(B(true, false)),
  take_oob: () => Y().take(L(6)),
  take_neg_oob: () => Y().take(L(-7)),
  take_int32: () => Y().take(torch.tensor([0], { dtype: torch.int32 })),
};

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('indexing errors match PyTorch', () => {
  it('has a TypeScript call for every golden error', () => {
    expect(golden.errors.map((e) => e.name).filter((n) => !(n in errorOps))).toEqual([]);
  });
  for (const e of golden.errors) {
    it(e.name, () => {
      const err = thrown(errorOps[e.name]!);
      expect(err.name).toBe(e.type);
      expect(err.message).toBe(e.message);
    });
  }
  it('rejects strings that are not Python slices', () => {
    const err = thrown(() => Y().get('1-2'));
    expect(err.name).toBe('IndexError');
    expect(err.message).toContain("got str '1-2'");
  });
});

describe('basic indexing returns views', () => {
  it('writing through x.get(...) changes the base', () => {
    const x = torch.arange(12).reshape(3, 4);
    const row = x.get(1);
    row.set(0, 100);
    x.get(':', '::2').set(2, -1);
    x.get('...', null, -1).set(0, 0, 7);
    expect(x.tolist()).toEqual([[0, 1, 2, 7], [100, 5, 6, 7], [-1, 9, -1, 11]]);
    expect(row._storage).toBe(x._storage);
    expect(x.get(':', '1:3').storage_offset()).toBe(1);
    expect(x.get(':', '1:3').stride()).toEqual([4, 1]);
  });
  it('advanced indexing copies', () => {
    const x = torch.arange(6).reshape(2, 3);
    const picked = x.get([1, 0]);
    picked.set(0, 0, 50);
    const masked = x.get(x.gt(2));
    masked.set(0, 60);
    expect(x.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(picked._base).toBeNull();
  });
  it('set writes through basic and advanced indices into the same storage', () => {
    const x = torch.zeros(3, 4);
    const storage = x._storage;
    x.set(':', 1, torch.tensor([1, 2, 3], { dtype: f32 }));
    x.set(x.eq(0), 9);
    x.set(L(2, 0), torch.tensor([5, 6, 7, 8], { dtype: f32 }));
    expect(x._storage).toBe(storage);
    expect(x.tolist()).toEqual([[5, 6, 7, 8], [9, 2, 9, 9], [5, 6, 7, 8]]);
  });
  it('a view written through set updates the base it came from', () => {
    const x = torch.zeros(2, 3);
    const v = x.get(1);
    v.set([0, 2], 4);
    expect(x.tolist()).toEqual([[0, 0, 0], [4, 0, 4]]);
  });
});

describe('indexing details', () => {
  it('repeated advanced indices accumulate their gradient', () => {
    const x = torch.tensor([1, 2, 3], { dtype: f32, requires_grad: true });
    x.get([0, 0, 2, 0]).sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 0, 1]);
  });
  it('scatter_add and index_add_ add repeated indices, index_put_ without accumulate keeps one', () => {
    expect(torch.zeros(3).scatter_add(0, L(0, 0, 2), torch.ones(3)).tolist()).toEqual([2, 0, 1]);
    expect(torch.zeros(3).index_add_(0, L(1, 1), torch.ones(2)).tolist()).toEqual([0, 2, 0]);
    expect(torch.zeros(3).index_put_([L(1, 1)], torch.tensor(4, { dtype: f32 })).tolist()).toEqual([0, 4, 0]);
  });
  it('scatter with reduce multiply handles repeated indices and zeros', () => {
    const r = torch.ones(1, 3).scatter(1, L([0, 0, 0, 2]), torch.tensor([[2, 3, 4, 0]], { dtype: f32 }), { reduce: 'multiply' });
    expect(r.tolist()).toEqual([[24, 1, 0]]);
  });
  it('indices of another tensor work on non-contiguous inputs', () => {
    const x = torch.arange(12).reshape(3, 4).t();
    expect(x.get([1, 3], [0, 2]).tolist()).toEqual([1, 11]);
    expect(x.gather(0, L([3, 0, 1])).tolist()).toEqual([[3, 4, 9]]);
    expect(x.index_select(1, L(2)).tolist()).toEqual([[8], [9], [10], [11]]);
    expect(x.masked_select(x.gt(8)).tolist()).toEqual([9, 10, 11]);
  });
  it('torch.nonzero with as_tuple and torch.where(cond) give the index columns', () => {
    const x = torch.tensor([[0, 3], [4, 0]]);
    const cols = (r: Tensor | Tensor[]) => (Array.isArray(r) ? r.map((t) => t.tolist()) : r.tolist());
    expect(cols(torch.nonzero(x))).toEqual([[0, 1], [1, 0]]);
    expect(cols(torch.nonzero(x, { as_tuple: true }))).toEqual([[0, 1], [1, 0]]);
    expect(cols(torch.where(x.ne(0)))).toEqual([[0, 1], [1, 0]]);
  });
  it('set under autograd makes x a non-leaf with the right graph', () => {
    const w = torch.tensor([1, 2, 3], { dtype: f32, requires_grad: true });
    const v = torch.tensor([10], { dtype: f32, requires_grad: true });
    const y = w.mul(2);
    y.set(1, v.get(0));
    y.set(torch.tensor([false, false, true]), v.mul(3));
    expect(y.tolist()).toEqual([2, 10, 30]);
    expect(y.grad_fn!.name()).toBe('IndexPutBackward0');
    y.mul(torch.tensor([1, 2, 3], { dtype: f32 })).sum().backward();
    expect(w.grad!.tolist()).toEqual([2, 0, 0]);
    expect(v.grad!.tolist()).toEqual([2 + 9]);
  });
  it('values of other dtypes are cast by set', () => {
    const x = torch.zeros(2, 2, { dtype: torch.int32 });
    x.set(0, torch.tensor([1.7, -2.2], { dtype: f64 }));
    x.set([1], torch.tensor([3.9, 4.1], { dtype: f64 }));
    expect(x.tolist()).toEqual([[1, -2], [3, 4]]);
    expect(x.dtype).toBe(torch.int32);
  });
});

const d64 = (v: Nested): Tensor => torch.tensor(v, { dtype: f64, requires_grad: true });
const A = () => d64([[0.5, -1.25, 2], [3.5, 0.75, -2.5]]);
const gradcheck = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => torch.autograd.gradcheck(fn, inputs);

/** Second order: gradcheck of x -> d<f(x), go>/dx (create_graph), as PyTorch's gradgradcheck. */
function gradgradcheck(fn: (x: Tensor) => Tensor, x: Tensor): boolean {
  const go = torch.enable_grad(() => fn(x)).detach().mul(0).add(d64(0.5)).detach().requires_grad_();
  return torch.autograd.gradcheck(
    (a, g) =>
      torch.enable_grad(() => {
        const [dx] = torch.autograd.grad(fn(a!), a!, { grad_outputs: g!, create_graph: true });
        return dx!;
      }),
    [x, go],
  );
}

describe('gradcheck in float64', () => {
  it('get (basic, advanced, mask)', () => {
    expect(gradcheck((x) => x!.get(1, '::2'), [A()])).toBe(true);
    expect(gradcheck((x) => x!.get([1, 0, 1], [2, 2, 0]), [A()])).toBe(true);
    expect(gradcheck((x) => x!.get(B([true, false, true], [false, true, true])), [A()])).toBe(true);
    expect(gradcheck((x) => x!.get(':', [2, 0]).get(null, '...', 1), [A()])).toBe(true);
  });
  it('set (basic and advanced), for self and value', () => {
    const v = d64([7, 8]);
    expect(gradcheck((x, val) => onCopy((y, w) => y.set(1, '1:', w!))(x!, val!), [A(), v])).toBe(true);
    expect(gradcheck((x, val) => onCopy((y, w) => y.set([0, 1], [2, 0], w!))(x!, val!), [A(), d64([7, 8])])).toBe(true);
    expect(gradcheck((x, val) => onCopy((y, w) => y.set(':', 0, w!.get(0)))(x!, val!), [A(), d64([7, 8])])).toBe(true);
  });
  it('index_put_ (with and without accumulate)', () => {
    expect(gradcheck((x, v) => onCopy((y, w) => y.index_put_([L(1, 1, 0)], w!, true))(x!, v!), [A(), d64([[1, 2, 3], [4, 5, 6], [7, 8, 9]])])).toBe(true);
    expect(gradcheck((x, v) => onCopy((y, w) => y.index_put_([L(1), L(2)], w!))(x!, v!), [A(), d64([4])])).toBe(true);
  });
  it('gather, scatter, scatter_add (src and value)', () => {
    const idx = L([0, 2, 2], [1, 0, 0]);
    expect(gradcheck((x) => x!.gather(1, idx), [A()])).toBe(true);
    expect(gradcheck((x, s) => x!.scatter(1, L([0, 2], [1, 0]), s!), [A(), d64([[1, 2], [3, 4]])])).toBe(true);
    expect(gradcheck((x) => x!.scatter(0, L([1, 0, 1]), 2.5), [A()])).toBe(true);
    expect(gradcheck((x, s) => x!.scatter_add(1, idx, s!), [A(), d64([[1, 2, 3], [4, 5, 6]])])).toBe(true);
  });
  it('scatter with a src larger than index (zero-padded gradient)', () => {
    expect(gradcheck((x, s) => x!.scatter(1, L([2], [0]), s!), [A(), d64([[1, 2, 3], [4, 5, 6]])])).toBe(true);
  });
  it('scatter with reduce (torchlab differentiates it; PyTorch does not)', () => {
    const idx = L([0, 0, 2], [1, 1, 1]);
    expect(gradcheck((x, s) => x!.scatter(1, idx, s!, { reduce: 'add' }), [A(), d64([[1, 2, 3], [4, 5, 6]])])).toBe(true);
    expect(gradcheck((x, s) => x!.scatter(1, idx, s!, { reduce: 'multiply' }), [A(), d64([[1.5, 2, 3], [4, 0, 0.5]])])).toBe(true);
    expect(gradcheck((x, s) => x!.scatter(1, idx, s!, { reduce: 'multiply' }), [A(), d64([[0, 0, 3], [4, 0, 0.5]])])).toBe(true);
    expect(gradcheck((x) => x!.scatter(1, idx, 1.5, { reduce: 'multiply' }), [A()])).toBe(true);
  });
  it('index_select, index_add_, masked_select, take', () => {
    expect(gradcheck((x) => x!.index_select(1, L(2, 0, 2)), [A()])).toBe(true);
    expect(gradcheck((x, s) => onCopy((y, w) => y.index_add_(0, L(1, 1), w!, { alpha: -1.5 }))(x!, s!), [A(), d64([[1, 2, 3], [4, 5, 6]])])).toBe(true);
    expect(gradcheck((x) => x!.masked_select(B(true, false, true)), [A()])).toBe(true);
    expect(gradcheck((x) => x!.take(L([5, -6], [0, 0])), [A()])).toBe(true);
  });
  it('second order through gather, get, scatter, index_select, masked_select, take', () => {
    const sq = (t: Tensor) => t.mul(t);
    expect(gradgradcheck((x) => sq(x.gather(1, L([0, 2, 2], [1, 0, 0]))), A())).toBe(true);
    expect(gradgradcheck((x) => sq(x.get([1, 0, 1], ':', null)), A())).toBe(true);
    expect(gradgradcheck((x) => sq(x.get(0, '1:')), A())).toBe(true);
    expect(gradgradcheck((x) => sq(x.scatter(1, L([0, 2], [1, 0]), x.get(':', '0:2'))), A())).toBe(true);
    expect(gradgradcheck((x) => sq(x.scatter_add(0, L([1, 1, 0]), x.get('0:1'))), A())).toBe(true);
    expect(gradgradcheck((x) => sq(x.index_select(1, L(2, 2))), A())).toBe(true);
    expect(gradgradcheck((x) => sq(x.masked_select(x.gt(0))), A())).toBe(true);
    expect(gradgradcheck((x) => sq(x.take(L(0, 5, 5))), A())).toBe(true);
    expect(gradgradcheck((x) => sq(onCopy((y, w) => y.set([1, 0], '1:', w!))(x, x.get(':', '0:2'))), A())).toBe(true);
  });
});
