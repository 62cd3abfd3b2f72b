/**
 * Transposed convolutions, interpolate / Upsample, kl_div / KLDivLoss, the extra nn.init
 * initialisers (orthogonal_, trunc_normal_, eye_, dirac_) and nn.utils against PyTorch 1.13:
 * forward values and gradients of sum(out * r) from test/golden/nnmisc.json (made by
 * test/golden/make_nnmisc.py), reprs, seeded initial values and errors.
 */

import { describe, expect, it, vi } from 'vitest';
import torch, { F, nn, type Tensor } from '../../lib/index.js';
import { expectClose, loadGolden } from '../helpers/golden.js';
import { expectPyError, type Nested, type PyError } from './helpers.js';

type Kw = Record<string, unknown>;
interface ConvCase { name: string; x: Nested; w: Nested; b: Nested | null; kw: Kw; out: Nested; r: Nested; gx: Nested; gw: Nested; gb: Nested | null }
interface ModCase { cls: 'ConvTranspose1d' | 'ConvTranspose2d'; args: number[]; kw: Kw; weight: Nested; bias: Nested | null; x: Nested; output_size: number[] | null; out: Nested }
interface InterpCase { name: string; x: Nested; kw: Kw; out: Nested; r: Nested; gx: Nested; grad_fn: string }
interface KlCase { name: string; x: Nested; t: Nested; kw: Kw; out: Nested; r: Nested; gx: Nested; gt: Nested; grad_fn: string }
interface InitCase { shape: number[]; kw: Kw; seed: number; values: Nested; dtype?: string }
interface G {
  conv_transpose2d: ConvCase[]; conv_transpose1d: ConvCase[]; conv_transpose_grad_fns: Record<string, string>;
  conv_transpose_errors: Record<string, PyError>; conv_transpose_modules: ModCase[];
  conv_transpose_reprs: { cls: string; args: unknown[]; kw: Kw; repr: string }[];
  conv_transpose_init: { seed: number; c2_w: Nested; c2_b: Nested; c1_w: Nested; c1_b: Nested };
  interpolate: InterpCase[]; interpolate_f32: { name: string; shape: number[]; kw: Kw; out: Nested }[];
  interpolate_errors: Record<string, PyError>;
  loss_int_errors: Record<string, PyError>;
  upsample_reprs: { cls: string; args: unknown[]; kw: Kw; repr: string; x: Nested; out: Nested }[];
  kl_div: KlCase[]; kl_div_zero_target: { x: Nested; t: Nested; out: Nested; gx: Nested; gt: Nested };
  kl_div_warning: string; kl_div_legacy_warning: string; kl_div_errors: Record<string, PyError>; kl_div_repr: string;
  init: Record<string, InitCase> & { eye_: Nested; dirac_3: Nested; dirac_4_groups: Nested; errors: Record<string, PyError>; trunc_normal_warning: string };
  utils: {
    grads: Nested[]; clip_grad_norm_: { norm_type: number | 'inf'; max_norm: number; total: number; grads: Nested[] }[];
    clip_grad_value_: Nested[]; nonfinite: PyError; vector_type: PyError;
  };
}
const g = loadGolden<G>('nnmisc.json');
const f64 = (v: Nested, requires_grad = false): Tensor => torch.tensor(v, { dtype: torch.float64, requires_grad });
const tol = [1e-9, 1e-10] as const;
type Ctor = new (...args: unknown[]) => nn.Module;
const layers = nn as unknown as Record<string, Ctor>;
const withKw = (args: readonly unknown[], kw: Kw): unknown[] => (Object.keys(kw).length > 0 ? [...args, kw] : [...args]);

/** Runs out, backpropagates sum(out * r), and checks the output and each input's grad. */
function checkCase(out: Tensor, c: { out: Nested; r: Nested }, inputs: [Tensor | null, Nested | null][], what: string): void {
  expectClose(out.tolist(), c.out, ...tol, `${what} out`);
  out.mul(f64(c.r)).sum().backward();
  inputs.forEach(([t, want], i) => {
    if (!t || want === null) return;
    expectClose(t.grad!.tolist(), want, ...tol, `${what} grad ${i}`);
  });
}

/** Silences (and returns) the UserWarnings printed while fn runs. */
function warningsOf(fn: () => unknown): string[] {
  const seen: string[] = [];
  const spy = vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void seen.push(a.join(' ')));
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return seen;
}

describe('F.conv_transpose2d / F.conv_transpose1d match PyTorch (values and gradients)', () => {
  for (const [key, fn] of [['conv_transpose2d', F.conv_transpose2d], ['conv_transpose1d', F.conv_transpose1d]] as const) {
    for (const c of g[key]) {
      it(`${key} ${c.name}`, () => {
        const x = f64(c.x, true);
        const w = f64(c.w, true);
        const b = c.b === null ? null : f64(c.b, true);
        checkCase(fn(x, w, b, c.kw), c, [[x, c.gx], [w, c.gw], [b, c.gb]], `${key} ${c.name}`);
      });
    }
  }

  it('positional arguments in PyTorch\'s order (bias, stride, padding, output_padding, groups, dilation)', () => {
    const c = g.conv_transpose2d.find((k) => k.name === 'depthwise')!;
    expectClose(F.conv_transpose2d(f64(c.x), f64(c.w), f64(c.b!), 2, 1, 1, 3).tolist(), c.out, ...tol);
    const d = g.conv_transpose2d.find((k) => k.name === 'dilation_op')!;
    expectClose(F.conv_transpose2d(f64(d.x), f64(d.w), f64(d.b!), 1, 2, 1, 1, 2).tolist(), d.out, ...tol);
  });

  it('records ConvolutionBackward0 as PyTorch does', () => {
    const x = torch.zeros([1, 2, 5, 5], { requires_grad: true });
    expect(F.conv_transpose2d(x, torch.zeros([2, 3, 3, 3])).grad_fn!.name()).toBe(g.conv_transpose_grad_fns.conv_transpose2d);
    expect(F.conv_transpose1d(x.select(2, 0), torch.zeros([2, 3, 3])).grad_fn!.name()).toBe(g.conv_transpose_grad_fns.conv_transpose1d);
  });

  it('is the input gradient of conv2d', () => {
    const x = torch.randn([2, 4, 7, 6], { dtype: torch.float64, requires_grad: true });
    const w = torch.randn([6, 2, 3, 2], { dtype: torch.float64 });
    const kw = { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 };
    const y = F.conv2d(x, w, null, kw);
    const gy = torch.randn(y.shape, { dtype: torch.float64 });
    const [gx] = torch.autograd.grad(y, [x], { grad_outputs: gy });
    // (7 + 2 - 2·1 - 1) mod 2 = 0 spare rows; 6 - 2·1 - 1 = 3 columns, stride 1: none spare
    const t = F.conv_transpose2d(gy, w, null, { ...kw, output_padding: [0, 0] });
    expectClose(t.tolist(), gx!.tolist(), 1e-12, 1e-12);
  });

  it('gradcheck and gradgradcheck (stride, padding, output_padding, dilation, groups)', () => {
    const opt = { dtype: torch.float64, requires_grad: true };
    const x = torch.randn([2, 4, 3, 4], opt);
    const w = torch.randn([4, 3, 3, 2], opt);
    const b = torch.randn([6], opt);
    const f2 = (xx: Tensor, ww: Tensor, bb: Tensor) =>
      F.conv_transpose2d(xx, ww, bb, { stride: [2, 1], padding: [1, 1], output_padding: [1, 0], dilation: [1, 2], groups: 2 });
    expect(torch.autograd.gradcheck(f2, [x, w, b])).toBe(true);
    expect(torch.autograd.gradgradcheck(f2, [x, w, b])).toBe(true);
    const x1 = torch.randn([2, 3, 5], opt);
    const w1 = torch.randn([3, 2, 3], opt);
    const f1 = (xx: Tensor, ww: Tensor) => F.conv_transpose1d(xx, ww, null, { stride: 2, padding: 1, output_padding: 1 });
    expect(torch.autograd.gradgradcheck(f1, [x1, w1])).toBe(true);
  });

  it('PyTorch\'s errors', () => {
    const e = g.conv_transpose_errors;
    const z = (...s: number[]) => torch.zeros(s);
    expectPyError(() => F.conv_transpose2d(z(1, 5, 5, 5), z(4, 3, 3, 3)), e.channels!);
    expectPyError(() => F.conv_transpose2d(z(5, 5), z(4, 3, 3, 3)), e.input_dim!);
    expectPyError(() => F.conv_transpose1d(z(1, 4, 5, 5), z(4, 3, 3)), e.input_dim_1d!);
    expectPyError(() => F.conv_transpose2d(z(1, 4, 5, 5), z(4, 3, 3, 3), z(4)), e.bias_size!);
    expectPyError(() => F.conv_transpose2d(z(1, 4, 5, 5), z(4, 3, 3, 3), null, { stride: 2, output_padding: 2 }), e.output_padding!);
    expectPyError(() => F.conv_transpose1d(z(1, 4, 5), z(4, 3, 3), null, { output_padding: 1 }), e.output_padding_1d!);
    expectPyError(() => F.conv_transpose2d(z(1, 4, 2, 2), z(4, 3, 3, 3), null, { padding: 3 }), e.too_small!);
    expectPyError(() => F.conv_transpose2d(z(1, 5, 4, 4), z(5, 3, 3, 3), null, { groups: 2 }), e.groups_weight!);
    expectPyError(() => new nn.ConvTranspose2d(3, 4, 3, { padding_mode: 'reflect' }), e.module_padding_mode!);
    expectPyError(() => new nn.ConvTranspose2d(3, 4, 3, { groups: 2 }), e.module_groups!);
    expectPyError(() => new nn.ConvTranspose2d(2, 3, 3)(z(1, 2, 4, 4), [9]), e.output_size_len!);
    expectPyError(() => new nn.ConvTranspose2d(2, 3, 3, { stride: 2 })(z(1, 2, 4, 4), [12, 9]), e.output_size_range!);
    expectPyError(() => new nn.ConvTranspose1d(2, 3, 3, { stride: 2 })(z(2, 4), { output_size: [7] }), e.output_size_range_1d!);
  });
});

describe('nn.ConvTranspose1d / nn.ConvTranspose2d', () => {
  for (const c of g.conv_transpose_modules) {
    it(`${c.cls}(${c.args.join(', ')}, ${JSON.stringify(c.kw)}) output_size=${JSON.stringify(c.output_size)}`, () => {
      const m = new layers[c.cls]!(...withKw(c.args, { ...c.kw, dtype: torch.float64 })) as nn.ConvTranspose2d;
      torch.no_grad(() => {
        m.weight.copy_(f64(c.weight));
        if (c.bias) m.bias!.copy_(f64(c.bias));
      });
      expect(m.weight.shape).toEqual(torch.tensor(c.weight).shape);
      const y = c.output_size ? m(f64(c.x), c.output_size) : m(f64(c.x));
      expectClose(y.tolist(), c.out, ...tol);
    });
  }
  for (const c of g.conv_transpose_reprs) {
    it(c.repr, () => expect(String(new layers[c.cls]!(...withKw(c.args, c.kw)))).toBe(c.repr));
  }
  it('draws PyTorch\'s default initial weights for a seed', () => {
    const i = g.conv_transpose_init;
    torch.manual_seed(i.seed);
    const c2 = new nn.ConvTranspose2d(3, 4, 3);
    const c1 = new nn.ConvTranspose1d(4, 6, 2, { groups: 2 });
    expectClose(c2.weight.tolist(), i.c2_w, 1e-6, 1e-7);
    expectClose(c2.bias!.tolist(), i.c2_b, 1e-6, 1e-7);
    expectClose(c1.weight.tolist(), i.c1_w, 1e-6, 1e-7);
    expectClose(c1.bias!.tolist(), i.c1_b, 1e-6, 1e-7);
    expect(c2.transposed).toBe(true);
    expect(new nn.Conv2d(3, 4, 3).transposed).toBe(false);
  });
  it('a decoder upsamples back to the encoder\'s size', () => {
    const enc = new nn.Conv2d(1, 4, 3, { stride: 2, padding: 1 });
    const dec = new nn.ConvTranspose2d(4, 1, 3, { stride: 2, padding: 1 });
    const x = torch.randn([2, 1, 28, 28]);
    expect(dec(enc(x)).shape).toEqual([2, 1, 27, 27]);
    expect(dec(enc(x), x.shape).shape).toEqual([2, 1, 28, 28]);
  });
});

describe('F.interpolate matches PyTorch', () => {
  for (const c of g.interpolate) {
    it(`${c.name} ${JSON.stringify(c.kw)}`, () => {
      const x = f64(c.x, true);
      const y = F.interpolate(x, c.kw);
      if (!['area2d', 'area1d'].includes(c.name)) expect(y.grad_fn!.name()).toBe(c.grad_fn);
      // PyTorch 1.13's float64 nearest backward picks its pixels in float32 while the forward
      // uses float64, so there its gradient is not the forward's adjoint; torchlab's is
      const quirk = c.name === 'nearest1d_float_index';
      checkCase(y, c, [[x, quirk ? null : c.gx]], c.name);
      if (quirk) expect(torch.autograd.gradcheck((t: Tensor) => F.interpolate(t, c.kw), [f64(c.x, true)])).toBe(true);
    });
  }
  for (const c of g.interpolate_f32) {
    it(`float32 ${c.name} ${JSON.stringify(c.kw)}`, () => {
      const x = torch.arange(c.shape.reduce((a, b) => a * b, 1), { dtype: torch.float32 }).reshape(c.shape);
      const y = F.interpolate(x, c.kw);
      expect(y.dtype).toBe(torch.float32);
      expectClose(y.tolist(), c.out, 1e-6, 1e-5, c.name);
    });
  }
  it('positional arguments: size, scale_factor, mode, align_corners', () => {
    const c = g.interpolate.find((k) => k.name === 'bilinear_align')!;
    expectClose(F.interpolate(f64(c.x), [5, 6], null, 'bilinear', true).tolist(), c.out, ...tol);
  });
  it('gradgradcheck (bilinear, bicubic, nearest)', () => {
    const x = torch.randn([1, 2, 3, 4], { dtype: torch.float64, requires_grad: true });
    for (const kw of [{ size: [5, 3], mode: 'bilinear' }, { scale_factor: 1.5, mode: 'bicubic', align_corners: true }, { size: [7, 5] }] as const) {
      const f = (t: Tensor) => F.interpolate(t, kw);
      expect(torch.autograd.gradcheck(f, [x])).toBe(true);
      expect(torch.autograd.gradgradcheck(f, [x])).toBe(true);
    }
  });
  it('PyTorch\'s errors', () => {
    const e = g.interpolate_errors;
    const z = torch.zeros([1, 1, 4, 4]);
    expectPyError(() => F.interpolate(z, { scale_factor: 2, align_corners: true }), e.align_nearest!);
    expectPyError(() => F.interpolate(z, 3, 2), e.both!);
    expectPyError(() => F.interpolate(z), e.neither!);
    expectPyError(() => F.interpolate(z, [3, 4, 5]), e.size_len!);
    expectPyError(() => F.interpolate(z, { scale_factor: [2] }), e.scale_len!);
    expectPyError(() => F.interpolate(z, { size: 3, recompute_scale_factor: true }), e.recompute_size!);
    expectPyError(() => F.interpolate(torch.zeros([1, 1, 4]), { scale_factor: 2, mode: 'bilinear' }), e.bilinear_3d!);
    expectPyError(() => F.interpolate(z, { scale_factor: 2, mode: 'linear' }), e.linear_4d!);
    expectPyError(() => F.interpolate(torch.zeros([4, 4]), { scale_factor: 2 }), e.dim2!);
    expectPyError(() => F.interpolate(z, { scale_factor: 2, mode: 'foo' as F.InterpolateMode }), e.mode!);
    expectPyError(() => F.interpolate(z, { scale_factor: 2, antialias: true }), e.antialias!);
    expectPyError(() => F.interpolate(torch.zeros([1, 1, 4]), { scale_factor: 0.2 }), e.zero_out_1d!);
    expectPyError(() => F.interpolate(z, { size: [0, 3], mode: 'bilinear' }), e.zero_out_2d!);
    expectPyError(() => F.interpolate(torch.zeros([1, 1, 4]), { scale_factor: -1.3, mode: 'linear' }), e.negative_scale!);
    expectPyError(() => F.interpolate(torch.zeros([1, 1, 2, 2, 2]), { scale_factor: 2, mode: 'bicubic' }), e.bicubic_5d!);
    const i4 = torch.ones([1, 2, 4, 4], { dtype: torch.int64 });
    expectPyError(() => F.interpolate(i4, { scale_factor: 2 }), e.int_nearest!);
    expectPyError(() => F.interpolate(i4, { scale_factor: 2, mode: 'bilinear' }), e.int_bilinear!);
    expectPyError(() => F.interpolate(i4, { scale_factor: 2, mode: 'bicubic' }), e.int_bicubic!);
    expectPyError(() => F.interpolate(i4, { scale_factor: 2, mode: 'area' }), e.int_area!);
    expectPyError(() => F.interpolate(torch.ones([1, 2, 4], { dtype: torch.int64 }), { scale_factor: 2, mode: 'linear' }), e.int_linear!);
    expectPyError(() => F.adaptive_avg_pool2d(i4, 2), e.int_adaptive_avg_pool2d!);
    expectPyError(() => F.adaptive_avg_pool2d(i4, 1), e.int_adaptive_avg_pool2d_1x1!);
  });

  it("refuses integer inputs to the losses' kernels in PyTorch's words", () => {
    const e = g.loss_int_errors;
    const li = torch.ones(3, { dtype: torch.int64 });
    expectPyError(() => F.mse_loss(li, li), e.mse!);
    expectPyError(() => F.smooth_l1_loss(li, li), e.smooth_l1!);
    expectPyError(() => F.huber_loss(li, li), e.huber!);
    expectPyError(() => F.binary_cross_entropy(li, li), e.bce!);
  });
});

describe('nn.Upsample', () => {
  for (const c of g.upsample_reprs) {
    it(c.repr, () => {
      const m = new layers[c.cls]!(...withKw(c.args, c.kw));
      expect(String(m)).toBe(c.repr);
      expectClose((m as nn.Upsample)(f64(c.x)).tolist(), c.out, ...tol);
    });
  }
});

describe('F.kl_div / nn.KLDivLoss match PyTorch', () => {
  for (const c of g.kl_div) {
    it(`${c.name} ${JSON.stringify(c.kw)}`, () => {
      const x = f64(c.x, true);
      const t = f64(c.t, true);
      let y: Tensor | null = null;
      warningsOf(() => (y = F.kl_div(x, t, c.kw)));
      expect(y!.grad_fn!.name()).toBe(c.grad_fn);
      checkCase(y!, c, [[x, c.gx], [t, c.gt]], c.name);
      const viaModule = warningsOf(() => (y = new nn.KLDivLoss(c.kw)(f64(c.x), f64(c.t))));
      expect(viaModule.length).toBeLessThanOrEqual(1);
      expectClose(y!.tolist(), c.out, ...tol);
    });
  }
  it('0 log 0 counts as 0; the target gradient there is NaN, as in PyTorch', () => {
    const c = g.kl_div_zero_target;
    const x = f64(c.x, true);
    const t = f64(c.t, true);
    const y = F.kl_div(x, t, { reduction: 'sum' });
    y.backward();
    expectClose(y.item(), c.out, ...tol);
    expectClose(x.grad!.tolist(), c.gx, ...tol);
    expectClose(t.grad!.tolist(), c.gt, ...tol);
  });
  it('positional arguments: size_average, reduce, reduction, log_target', () => {
    const c = g.kl_div.find((k) => k.name === 'log_target_batchmean')!;
    expectClose(F.kl_div(f64(c.x), f64(c.t), null, null, 'batchmean', true).tolist(), c.out, ...tol);
    expectClose(new nn.KLDivLoss(null, null, 'batchmean', true)(f64(c.x), f64(c.t)).tolist(), c.out, ...tol);
  });
  it('warns as PyTorch: \'mean\' and the legacy flags', () => {
    const x = f64(g.kl_div[0]!.x);
    const t = f64(g.kl_div[0]!.t);
    const seen = [
      ...warningsOf(() => F.kl_div(x, t)),
      ...warningsOf(() => F.kl_div(x, t, { size_average: false })),
    ];
    // once per message per process: an earlier test may have shown them already
    for (const s of seen) expect([`UserWarning: ${g.kl_div_warning}`, `UserWarning: ${g.kl_div_legacy_warning}`]).toContain(s);
    expect(warningsOf(() => F.kl_div(x, t, { reduction: 'batchmean' }))).toEqual([]);
  });
  it('repr and errors', () => {
    expect(String(new nn.KLDivLoss({ reduction: 'batchmean', log_target: true }))).toBe(g.kl_div_repr);
    expect(new nn.KLDivLoss({ reduce: false }).reduction).toBe('none');
    expectPyError(() => F.kl_div(torch.zeros([3]), torch.zeros([3]), { reduction: 'avg' as F.KlDivReduction }), g.kl_div_errors.reduction!);
  });
});

describe('nn.init: orthogonal_, trunc_normal_, eye_, dirac_', () => {
  for (const name of ['wide', 'tall', 'conv', 'square', 'big_tall', 'f64']) {
    it(`orthogonal_ ${name} gives PyTorch's values after the same seed`, () => {
      const c = g.init[`orthogonal_${name}`]!;
      torch.manual_seed(c.seed);
      const t = torch.empty(c.shape, { dtype: name === 'f64' ? torch.float64 : torch.float32 });
      expect(nn.init.orthogonal_(t, c.kw)).toBe(t);
      expectClose(t.tolist(), c.values, 1e-5, 1e-5);
    });
  }
  it('orthogonal_: QᵀQ = gain² I (tall) and QQᵀ = gain² I (wide)', () => {
    for (const [shape, gain] of [[[40, 9], 1], [[7, 30], 2.5], [[6, 2, 3, 2], 0.5]] as const) {
      const q = nn.init.orthogonal_(torch.empty(shape as unknown as number[], { dtype: torch.float64 }), gain).reshape(shape[0], -1);
      const small = q.shape[0]! >= q.shape[1]! ? q.t().matmul(q) : q.matmul(q.t());
      expectClose(small.tolist(), torch.eye(small.shape[0]!).mul(gain * gain).tolist(), 1e-12, 1e-12);
    }
  });
  it('orthogonal_ is Haar-distributed: entries of a random 3x3 rotation average 0 with variance 1/3', () => {
    torch.manual_seed(123);
    const n = 2000;
    const w = torch.empty([3, 3], { dtype: torch.float64 });
    const vals: number[] = [];
    for (let i = 0; i < n; i++) vals.push(nn.init.orthogonal_(w).get(0, 0).item());
    const mean = vals.reduce((a, b) => a + b, 0) / n;
    const varr = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    // sd of the mean is sqrt(1/3 / 2000) ≈ 0.013; of the variance ≈ 0.006
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(varr - 1 / 3)).toBeLessThan(0.03);
  });
  for (const name of ['default', 'ab', 'f64']) {
    it(`trunc_normal_ ${name} gives PyTorch's values after the same seed`, () => {
      const c = g.init[`trunc_normal_${name}`]!;
      torch.manual_seed(c.seed);
      const t = torch.empty(c.shape, { dtype: c.dtype === 'float64' ? torch.float64 : torch.float32 });
      expect(nn.init.trunc_normal_(t, c.kw)).toBe(t);
      expectClose(t.tolist(), c.values, 1e-6, 1e-6);
    });
  }
  it('trunc_normal_ stays in [a, b] with the truncated distribution\'s mean', () => {
    torch.manual_seed(0);
    const t = nn.init.trunc_normal_(torch.empty([20000], { dtype: torch.float64 }), 0, 1, 0, 3);
    expect(t.min().item()).toBeGreaterThanOrEqual(0);
    expect(t.max().item()).toBeLessThanOrEqual(3);
    // E[X | 0 <= X <= 3] for a standard normal: (φ(0) - φ(3)) / (Φ(3) - Φ(0)) ≈ 0.7926; sd of the mean ≈ 0.004
    expect(Math.abs(t.mean().item() - 0.7926)).toBeLessThan(0.02);
    expect(warningsOf(() => nn.init.trunc_normal_(torch.empty([3]), { mean: 5 })).every((s) => s === `UserWarning: ${g.init.trunc_normal_warning}`)).toBe(true);
  });
  it('eye_ and dirac_', () => {
    expect(nn.init.eye_(torch.empty(3, 5)).tolist()).toEqual(g.init.eye_);
    expect(nn.init.dirac_(torch.empty(3, 2, 3)).tolist()).toEqual(g.init.dirac_3);
    expect(nn.init.dirac_(torch.empty(4, 3, 3, 2), 2).tolist()).toEqual(g.init.dirac_4_groups);
    const conv = new nn.Conv2d(3, 3, 3, { padding: 1, bias: false });
    nn.init.dirac_(conv.weight);
    const x = torch.randn([1, 3, 5, 5]);
    expectClose(conv(x).tolist(), x.tolist(), 1e-6, 1e-6);
  });
  it('errors', () => {
    const e = g.init.errors;
    expectPyError(() => nn.init.orthogonal_(torch.empty(3)), e.orthogonal_dim!);
    expectPyError(() => nn.init.eye_(torch.empty(3, 3, 3)), e.eye_dim!);
    expectPyError(() => nn.init.dirac_(torch.empty(3, 3)), e.dirac_dim!);
    expectPyError(() => nn.init.dirac_(torch.empty(3, 3, 3), 2), e.dirac_groups!);
  });
});

describe('nn.utils', () => {
  const params = (): Tensor[] => {
    const ps = g.utils.grads.map((gr) => torch.zeros(f64(gr).shape, { dtype: torch.float64, requires_grad: true }));
    ps.forEach((p, i) => (p.grad = f64(g.utils.grads[i]!)));
    return [...ps, torch.zeros([2], { dtype: torch.float64, requires_grad: true })];
  };
  for (const c of g.utils.clip_grad_norm_) {
    it(`clip_grad_norm_ norm_type=${c.norm_type} max_norm=${c.max_norm}`, () => {
      const ps = params();
      const total = nn.utils.clip_grad_norm_(ps, c.max_norm, c.norm_type);
      expect(total.dtype).toBe(torch.float64);
      expect(total.requires_grad).toBe(false);
      expectClose(total.item(), c.total, 1e-12, 1e-12);
      c.grads.forEach((want, i) => expectClose(ps[i]!.grad!.tolist(), want, 1e-12, 1e-12));
      expect(ps[3]!.grad).toBeNull();
    });
  }
  it('clip_grad_norm_ takes one tensor, options, and a module\'s parameters; no grads gives 0', () => {
    const ps = params();
    const a = nn.utils.clip_grad_norm_(ps[0]!, 0.1, { norm_type: Infinity });
    expect(ps[0]!.grad!.abs().max().item()).toBeCloseTo(0.1, 5);
    expect(a.item()).toBeGreaterThan(0.1);
    const lin = new nn.Linear(3, 2);
    const z = nn.utils.clip_grad_norm_(lin.parameters(), 1);
    expect(z.item()).toBe(0);
    expect(z.dtype).toBe(torch.float32);
    lin(torch.ones([4, 3])).sum().backward();
    const n = nn.utils.clip_grad_norm_(lin.parameters(), 0.5);
    const after = torch.cat([...lin.parameters()].map((p) => p.grad!.view(-1))).norm().item();
    expect(after).toBeCloseTo(Math.min(0.5, n.item()), 5);
  });
  it('clip_grad_value_', () => {
    const ps = params();
    expect(nn.utils.clip_grad_value_(ps, 0.7)).toBeUndefined();
    g.utils.clip_grad_value_.forEach((want, i) => expectClose(ps[i]!.grad!.tolist(), want, 0, 0));
  });
  it('errors', () => {
    const p = torch.zeros([2], { requires_grad: true });
    p.grad = torch.tensor([Infinity, 1]);
    expectPyError(() => nn.utils.clip_grad_norm_([p], 1, { error_if_nonfinite: true }), g.utils.nonfinite);
    expectPyError(() => nn.utils.vector_to_parameters([1] as unknown as Tensor, [p]), g.utils.vector_type);
  });
  it('parameters_to_vector / vector_to_parameters round-trip', () => {
    torch.manual_seed(0);
    const a = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const b = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const v = nn.utils.parameters_to_vector(a.parameters());
    expect(v.shape).toEqual([3 * 4 + 4 + 4 * 2 + 2]);
    expect(v.grad_fn!.name()).toBe('CatBackward0');
    nn.utils.vector_to_parameters(v, b.parameters());
    const x = torch.randn([5, 3]);
    expectClose(b(x).tolist(), a(x).tolist(), 0, 0);
    expect([...b.parameters()].every((p) => p.requires_grad && p.grad_fn === null)).toBe(true);
    expect(() => nn.utils.vector_to_parameters(v.narrow(0, 0, 10), b.parameters())).toThrow(/is invalid for input of size/);
  });
});
