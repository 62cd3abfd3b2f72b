/**
 * Creation, dtype inference, conversions, views and error messages against PyTorch
 * (test/golden/core.json, made by test/golden/make_core.py; each name here is the same case there).
 */

import { describe, expect, it } from 'vitest';
import torch, { Tensor } from '../lib/index.js';
import { expectClose, loadGolden } from './helpers/golden.js';

interface Enc { tensor: unknown; dtype: string; shape: number[]; stride: number[]; offset: number; is_contiguous: boolean }
const golden = loadGolden<{ cases: Record<string, Enc>; errors: Record<string, { type: string; message: string } | null>; edges: Record<string, number>; close: Record<string, unknown> }>('core.json');

const x = (): Tensor => torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);

const cases: Record<string, () => Tensor> = {
  tensor_int: () => torch.tensor([1, 1]),
  tensor_float: () => torch.tensor([1, 2.5]),
  tensor_bool: () => torch.tensor([true, false]),
  tensor_scalar: () => torch.tensor(1),
  tensor_nested: () => torch.tensor([[1, 2], [3, 4]], { dtype: torch.float64 }),
  tensor_empty: () => torch.tensor([]),
  zeros_33: () => torch.zeros([3, 3]),
  ones_int: () => torch.ones(2, 3, { dtype: torch.int32 }),
  full_int: () => torch.full([2, 2], 7),
  full_float: () => torch.full([2], 1.5),
  full_bool: () => torch.full([2], true),
  arange_5: () => torch.arange(5),
  arange_float: () => torch.arange(0, 1, 0.25),
  arange_neg: () => torch.arange(5, 0, -2),
  arange_int_float_step: () => torch.arange(1, 2.5, 0.5),
  linspace: () => torch.linspace(-1, 1, 7),
  linspace_1: () => torch.linspace(3, 5, 1),
  linspace_f64: () => torch.linspace(0, 1, 11, { dtype: torch.float64 }),
  logspace: () => torch.logspace(0, 2, 3),
  logspace_base2: () => torch.logspace(0, 3, 4, 2),
  logspace_int64: () => torch.logspace(0, 2, 3, { dtype: torch.int64 }),
  logspace_f64: () => torch.logspace(-1, 1, 5, 10, { dtype: torch.float64 }),
  eye_3: () => torch.eye(3),
  eye_23: () => torch.eye(2, 3),
  zeros_like_int: () => torch.zeros_like(torch.tensor([1, 2])),
  full_like: () => torch.full_like(torch.tensor([1, 2], { dtype: torch.float32 }), 3),
  to_int: () => torch.tensor([1.7, -1.7, 2.5]).to(torch.int64),
  to_int32: () => torch.tensor([1.7, -1.7, 300.2]).int(),
  to_uint8: () => torch.tensor([1, 255, 3]).to(torch.uint8),
  to_bool: () => torch.tensor([0, 0.5, -1]).bool(),
  bool_to_float: () => torch.tensor([true, false]).float(),
  long_to_double: () => torch.tensor([1, 2]).double(),
  view_23_4: () => x().view(6, 4),
  view_infer: () => x().view(-1, 2),
  reshape_t: () => x().transpose(0, 1).reshape(3, 8),
  flatten: () => x().flatten(),
  flatten_1: () => x().flatten(1),
  flatten_0_1: () => x().flatten(0, 1),
  unflatten: () => x().unflatten(2, [2, 2]),
  squeeze_all: () => torch.zeros(1, 3, 1, 2).squeeze(),
  squeeze_dim: () => torch.zeros(1, 3, 1, 2).squeeze(2),
  squeeze_noop: () => torch.zeros(1, 3, 1, 2).squeeze(1),
  unsqueeze_0: () => x().unsqueeze(0),
  unsqueeze_neg: () => x().unsqueeze(-1),
  permute: () => x().permute(2, 0, 1),
  transpose: () => x().transpose(0, 2),
  t: () => torch.arange(6).reshape(2, 3).t(),
  T: () => x().T,
  mT: () => x().mT,
  expand: () => torch.tensor([[1], [2]]).expand(2, 3),
  expand_new: () => torch.tensor([1, 2]).expand(3, -1),
  narrow: () => x().narrow(2, 1, 2),
  narrow_neg: () => x().narrow(-1, -3, 2),
  select: () => x().select(1, 2),
  select_neg: () => x().select(-1, -1),
  unfold: () => torch.arange(7, { dtype: torch.float32 }).unfold(0, 3, 2),
  unfold_2d: () => torch.arange(12, { dtype: torch.float32 }).reshape(3, 4).unfold(1, 2, 1),
  diagonal: () => torch.arange(9, { dtype: torch.float32 }).reshape(3, 3).diagonal(),
  diagonal_off: () => torch.arange(12, { dtype: torch.float32 }).reshape(3, 4).diagonal(1),
  movedim: () => x().movedim(0, -1),
  contiguous_t: () => x().transpose(0, 1).contiguous(),
  as_strided: () => torch.arange(9, { dtype: torch.float32 }).as_strided([2, 2], [3, 1], 1),
};

const errors: Record<string, () => unknown> = {
  broadcast: () => torch.ones(2, 3).add(torch.ones(2, 4)),
  view_bad: () => x().view(5, 5),
  view_noncontig: () => x().transpose(0, 1).view(-1),
  view_two_infer: () => x().view(-1, -1),
  dim_range: () => x().sum(3),
  dim_range_neg: () => torch.ones(2, 2).sum(-3),
  squeeze_range: () => x().squeeze(5),
  permute_len: () => x().permute(0, 1),
  permute_dup: () => x().permute(0, 0, 1),
  expand_bad: () => torch.ones(3).expand(2, 4),
  expand_fewer: () => torch.ones(2, 3).expand(3),
  select_oob: () => x().select(0, 5),
  narrow_oob: () => x().narrow(0, 1, 5),
  t_3d: () => x().t(),
  unfold_big: () => torch.arange(3, { dtype: torch.float32 }).unfold(0, 5, 1),
  item_many: () => x().item(),
  requires_grad_int: () => torch.tensor([1, 2]).requires_grad_(),
  arange_sign: () => torch.arange(0, 5, -1),
  mean_int: () => torch.tensor([1, 2]).mean(),
  inplace_cast: () => torch.tensor([1, 2]).add_(1.5),
  inplace_shape: () => torch.ones(3).add_(torch.ones(2, 3)),
  leaf_inplace: () => torch.ones(2, { requires_grad: true }).add_(1),
  backward_twice: () => {
    const a = torch.ones(2, { requires_grad: true });
    const y = a.mul(a).sum();
    y.backward();
    y.backward();
  },
  backward_nonscalar: () => torch.ones(2, { requires_grad: true }).mul(2).backward(),
  backward_nograd: () => torch.ones(2).sum().backward(),
  where_cond: () => torch.where(torch.tensor([1, 0], { dtype: torch.float32 }), torch.ones(2), torch.zeros(2)),
  int_neg_pow: () => torch.tensor([2, 3]).pow(-1),
  div_mode: () => torch.ones(2).div(2, { rounding_mode: 'round' as 'floor' }),
  clamp_none: () => torch.ones(2).clamp(),
  tensor_ragged: () => torch.tensor([[1, 2], [3]]),
  device_bad: () => torch.device('gpu'),
  zeros_neg: () => torch.zeros(2, -1),
};

describe('creation, conversions and views match PyTorch', () => {
  it('every golden case has a translation', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(golden.cases).sort());
  });
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => {
      const g = golden.cases[name]!;
      const t = make();
      expect(t.dtype.name, 'dtype').toBe(g.dtype);
      expect([...t.shape], 'shape').toEqual(g.shape);
      expectClose(t.tolist(), g.tensor, 1e-6, 1e-7, name);
      expect(t.stride(), 'stride').toEqual(g.stride);
      expect(t.storage_offset(), 'storage_offset').toBe(g.offset);
      expect(t.is_contiguous(), 'is_contiguous').toBe(g.is_contiguous);
    });
  }
});

describe('views share storage', () => {
  it('writing through a view changes the base', () => {
    const base = torch.zeros(3, 4);
    base.t().select(0, 1).fill_(5);
    base.view(12).narrow(0, 0, 1).fill_(7);
    expect(base.tolist()).toEqual([[7, 5, 0, 0], [0, 5, 0, 0], [0, 5, 0, 0]]);
  });
  it('reshape copies only when it must', () => {
    const a = torch.zeros(2, 3);
    const v = a.reshape(3, 2);
    v.fill_(1);
    expect(a.sum().item()).toBe(6);
    const c = a.t().reshape(6);
    c.fill_(2);
    expect(a.sum().item()).toBe(6);
  });
  it('view gradients flow back to the base', () => {
    const a = torch.arange(6, { dtype: torch.float64 }).reshape(2, 3).requires_grad_();
    a.t().narrow(0, 1, 2).select(1, 0).mul(torch.tensor([2, 3], { dtype: torch.float64 })).sum().backward();
    expect(a.grad!.tolist()).toEqual([[0, 2, 3], [0, 0, 0]]);
    expect(torch.autograd.gradcheck((t) => t.unfold(1, 2, 1).mul(t.unfold(1, 2, 1)).sum(), [a]));
    expect(torch.autograd.gradcheck((t) => t.T.expand(4, 3, 2).diagonal(0, 1, 2).exp(), [a]));
  });
});

describe('errors carry PyTorch messages', () => {
  it('every golden error has a translation', () => {
    expect(Object.keys(errors).sort()).toEqual(Object.keys(golden.errors).sort());
  });
  for (const [name, run] of Object.entries(errors)) {
    it(name, () => {
      const g = golden.errors[name]!;
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err, `${name} should throw`).toBeInstanceOf(Error);
      const e = err as Error;
      if (name === 'device_bad') {
        // PyTorch lists its many device types; torchlab lists the two it has
        expect(e.message).toMatch(/^Expected one of cpu, cuda.* device type at start of device string: gpu$/);
        return;
      }
      expect(e.message).toBe(g.message);
      expect(e.name === g.type || (g.type === 'ValueError' && e.name === 'TypeError'), `${e.name} vs ${g.type}`).toBe(true);
    });
  }
});

describe('graph edges', () => {
  it('each node has an edge per differentiable operand, as in PyTorch', () => {
    const x = torch.ones(2, { requires_grad: true });
    const nodes: Record<string, Tensor> = {
      mul: x.mul(2), div: x.div(2), add: x.add(2), sub: x.sub(2), pow: x.pow(2), remainder: x.remainder(2),
      fmod: x.fmod(2), where: x.where(x.gt(0), 0), masked_fill: x.masked_fill(x.gt(0), 0),
      clamp: x.clamp(0, 1), lerp: x.lerp(x, 0.5),
    };
    expect(Object.keys(nodes).sort()).toEqual(Object.keys(golden.edges).sort());
    for (const [name, y] of Object.entries(nodes)) expect(y.grad_fn!.next_functions.length, name).toBe(golden.edges[name]);
  });
});

describe('isclose, allclose, equal', () => {
  it('match PyTorch, with NaN and infinities', () => {
    const a = torch.tensor([1.0, 1.00001, NaN, Infinity, -Infinity, 0.0, 1e-9]);
    const b = torch.tensor([1.0, 1.0, NaN, Infinity, Infinity, 1e-9, 0.0]);
    const g = golden.close;
    expect(a.isclose(b).tolist()).toEqual(g.isclose);
    expect(torch.isclose(a, b, { equal_nan: true }).tolist()).toEqual(g.isclose_nan);
    expect(a.isclose(b, { rtol: 0, atol: 1e-6 }).tolist()).toEqual(g.isclose_tol);
    expect(torch.allclose(a.get(':2'), b.get(':2'))).toBe(g.allclose);
    expect(a.get(':2').allclose(b.get(':2'), { rtol: 1e-7, atol: 0 })).toBe(g.allclose_strict);
    expect(torch.equal(a.get(':2'), a.get(':2'))).toBe(g.equal);
    expect(torch.ones(2).equal(torch.ones(2, 1))).toBe(g.equal_shape);
    expect(a.equal(a)).toBe(g.equal_nan);
  });
});
