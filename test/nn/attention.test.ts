/**
 * F.scaled_dot_product_attention, nn.MultiheadAttention, nn.TransformerEncoderLayer and
 * nn.TransformerEncoder against PyTorch (test/golden/attention.json, made by
 * test/golden/make_attention.py): outputs and gradients with every kind of mask, batch_first,
 * kdim/vdim, bias_kv / zero_attn, initialisation under a seed, reprs and errors.
 */

import { describe, expect, it } from 'vitest';
import torch, { F, nn } from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';
import { expectClose, loadGolden } from '../helpers/golden.js';
import { expectPyError, type Nested, type PyError } from './helpers.js';

type State = Record<string, Nested>;
interface SdpaCase {
  name: string; q: Nested; k: Nested; v: Nested; mask: Nested | null; mask_kind: 'bool' | 'float' | null;
  kw: { is_causal?: boolean; scale?: number }; y: Nested; g: Nested; grad_q: Nested; grad_k: Nested; grad_v: Nested;
}
interface MhaCase {
  name: string; args: [number, number]; kw: Record<string, number | boolean>; state: State; param_names: string[];
  q: Nested; k: Nested | null; v: Nested | null; self: boolean; kv: boolean;
  key_padding_mask: Nested | null; kpm_kind: 'bool' | 'float'; attn_mask: Nested | null; mask_kind: 'bool' | 'float' | null;
  average_attn_weights: boolean; need_weights: boolean;
  y: Nested; weights: Nested | null; gy: Nested; gw: Nested | null; grad_q: Nested; grad_k: Nested | null; grad_v: Nested | null;
  grads: State;
}
interface LayerCase {
  name: string; kw: Record<string, number | boolean | string>; state: State; x: Nested;
  src_key_padding_mask: Nested | null; src_mask: Nested | null; y: Nested; g: Nested; grad_x: Nested; grads: State;
}
interface G {
  sdpa: SdpaCase[];
  mha: { cases: MhaCase[]; init: { seed: number; default: State; kv: State; rand_after: Nested }; reprs: Record<string, string> };
  mha_errors: Record<string, PyError>;
  transformer: {
    layer_cases: LayerCase[];
    encoder: {
      seed: number; init_state: State; rand_after: Nested; state: State; x: Nested; src_key_padding_mask: Nested;
      y: Nested; g: Nested; grad_x: Nested; grads: State; param_names: string[];
    };
    reprs: Record<string, string>;
    errors: Record<string, PyError>;
  };
}
const g = loadGolden<G>('attention.json');
const f32 = (v: Nested): Tensor => torch.tensor(v as number[], { dtype: torch.float32 });
const bool = (v: Nested): Tensor => torch.tensor(v as number[], { dtype: torch.bool });
const mask = (v: Nested | null, kind: 'bool' | 'float' | null): Tensor | null => (v === null ? null : kind === 'bool' ? bool(v) : f32(v));
const RT = 1e-4;
const AT = 1e-5;

function load(m: nn.Module, state: State): void {
  const sd: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(state)) sd[k] = f32(v);
  m.load_state_dict(sd);
}

function expectState(m: nn.Module, state: State, rtol = 1e-6, atol = 1e-7): void {
  const sd = m.state_dict();
  expect(Object.keys(sd)).toEqual(Object.keys(state));
  for (const [k, v] of Object.entries(state)) expectClose(sd[k]!.tolist(), v, rtol, atol, k);
}

function expectGrads(m: nn.Module, grads: State): void {
  const got = Object.fromEntries([...m.named_parameters()].filter(([, p]) => p.grad).map(([n, p]) => [n, p.grad!.tolist()]));
  expect(Object.keys(got).sort()).toEqual(Object.keys(grads).sort());
  for (const [k, v] of Object.entries(grads)) expectClose(got[k], v, RT, AT, `grad ${k}`);
}

describe('F.scaled_dot_product_attention', () => {
  for (const c of g.sdpa) {
    it(`${c.name}: output and gradients`, () => {
      const q = f32(c.q).requires_grad_(true);
      const k = f32(c.k).requires_grad_(true);
      const v = f32(c.v).requires_grad_(true);
      const y = F.scaled_dot_product_attention(q, k, v, { attn_mask: mask(c.mask, c.mask_kind), ...c.kw });
      expectClose(y.tolist(), c.y, RT, AT, 'y');
      y.mul(f32(c.g)).sum().backward();
      expectClose(q.grad!.tolist(), c.grad_q, RT, AT, 'grad q');
      expectClose(k.grad!.tolist(), c.grad_k, RT, AT, 'grad k');
      expectClose(v.grad!.tolist(), c.grad_v, RT, AT, 'grad v');
    });
  }

  it('positional arguments; dropout applies whenever dropout_p > 0', () => {
    const c = g.sdpa[1]!;
    const [q, k, v] = [f32(c.q), f32(c.k), f32(c.v)];
    expectClose(F.scaled_dot_product_attention(q, k, v, bool(c.mask!)).tolist(), c.y, RT, AT);
    expect(F.scaled_dot_product_attention(q, k, v, null, 1).abs().sum().item()).toBe(0);
    torch.manual_seed(0);
    const dropped = F.scaled_dot_product_attention(q, k, v, null, 0.5);
    expect(dropped.sub(F.scaled_dot_product_attention(q, k, v)).abs().max().item()).toBeGreaterThan(1e-3);
  });

  it('grouped-query attention repeats the key/value heads (enable_gqa)', () => {
    torch.manual_seed(1);
    const q = torch.randn(1, 4, 3, 5);
    const k = torch.randn(1, 2, 3, 5);
    const v = torch.randn(1, 2, 3, 5);
    const y = F.scaled_dot_product_attention(q, k, v, { enable_gqa: true });
    const ref = F.scaled_dot_product_attention(q, k.repeat_interleave(2, 1), v.repeat_interleave(2, 1));
    expectClose(y.tolist(), ref.tolist());
  });

  it("raises PyTorch's errors", () => {
    const q = torch.zeros(2, 3, 4);
    expect(() => F.scaled_dot_product_attention(q, q, q, { attn_mask: torch.zeros(3, 3), is_causal: true })).toThrow(
      '_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True',
    );
    expect(() => F.scaled_dot_product_attention(q, q.double(), q)).toThrow(
      'Expected query, key, and value to have the same dtype, but got query.dtype: float key.dtype: double and value.dtype: float instead.',
    );
    expect(() => F.scaled_dot_product_attention(q, q, q, torch.zeros([3, 3], { dtype: torch.int64 }))).toThrow(
      'Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: long int and  query.dtype: float instead.',
    );
  });
});

function mhaInputs(c: MhaCase): { q: Tensor; k: Tensor; v: Tensor } {
  const q = f32(c.q).requires_grad_(true);
  if (c.self) return { q, k: q, v: q };
  const k = f32(c.k!).requires_grad_(true);
  return { q, k, v: c.kv ? k : f32(c.v!).requires_grad_(true) };
}

describe('nn.MultiheadAttention', () => {
  for (const c of g.mha.cases) {
    it(`${c.name}: outputs, weights and gradients`, () => {
      const m = new nn.MultiheadAttention(c.args[0], c.args[1], c.kw);
      expect([...m.named_parameters()].map(([n]) => n)).toEqual(c.param_names);
      load(m, c.state);
      const { q, k, v } = mhaInputs(c);
      const [y, w] = m(q, k, v, {
        key_padding_mask: mask(c.key_padding_mask, c.kpm_kind),
        attn_mask: mask(c.attn_mask, c.mask_kind),
        need_weights: c.need_weights, average_attn_weights: c.average_attn_weights,
      });
      expectClose(y.tolist(), c.y, RT, AT, 'y');
      let loss = y.mul(f32(c.gy)).sum();
      if (c.weights === null) expect(w).toBeNull();
      else {
        expectClose(w!.tolist(), c.weights, RT, AT, 'weights');
        loss = loss.add(w!.mul(f32(c.gw!)).sum());
      }
      loss.backward();
      expectClose(q.grad!.tolist(), c.grad_q, RT, AT, 'grad q');
      if (c.grad_k) expectClose(k.grad!.tolist(), c.grad_k, RT, AT, 'grad k');
      if (c.grad_v) expectClose(v.grad!.tolist(), c.grad_v, RT, AT, 'grad v');
      expectGrads(m, c.grads);
    });
  }

  it('initialises as PyTorch under the same seed, drawing the same random numbers', () => {
    const I = g.mha.init;
    torch.manual_seed(I.seed);
    const a = new nn.MultiheadAttention(8, 2);
    const b = new nn.MultiheadAttention(6, 3, { kdim: 4, vdim: 5, add_bias_kv: true });
    const after = torch.rand(3);
    expectState(a, I.default);
    expectState(b, I.kv);
    expectClose(after.tolist(), I.rand_after);
    expect(b.in_proj_weight).toBeNull();
    expect(a.bias_k).toBeNull();
  });

  it('prints as PyTorch 1.13', () => {
    expect(String(new nn.MultiheadAttention(8, 2))).toBe(g.mha.reprs.default);
    expect(String(new nn.MultiheadAttention(6, 3, { kdim: 4, vdim: 5, bias: false }))).toBe(g.mha.reprs.kv);
  });

  it('dropout acts in training mode only; is_causal needs the mask it hints at', () => {
    torch.manual_seed(2);
    const m = new nn.MultiheadAttention(8, 2, 0.5);
    const x = torch.randn(4, 2, 8);
    const [a] = m(x, x, x);
    const [b] = m(x, x, x);
    expect(a.sub(b).abs().max().item()).toBeGreaterThan(0);
    m.eval();
    const [c] = m(x, x, x);
    const [d] = m(x, x, x, { need_weights: false });
    expectClose(c.tolist(), d.tolist(), RT, AT);
    const causal = torch.triu(torch.full([4, 4], -Infinity), 1);
    const [e] = m(x, x, x, { attn_mask: causal, need_weights: false, is_causal: true });
    const [f] = m(x, x, x, { attn_mask: causal });
    expectClose(e.tolist(), f.tolist(), RT, AT);
    expect(() => m(x, x, x, { is_causal: true })).toThrow(/Need attn_mask if specifying the is_causal hint/);
  });

  it('a query with every key masked: NaN weights, zeros without weights (PyTorch 2.5+)', () => {
    const m = new nn.MultiheadAttention(4, 2).eval();
    const x = torch.randn(3, 2, 4);
    const kpm = bool([[true, true, true], [false, false, true]]);
    const [, w] = m(x, x, x, { key_padding_mask: kpm });
    expect(w!.get(0).isnan().all().item()).toBe(1);
    const [y] = m(x, x, x, { key_padding_mask: kpm, need_weights: false });
    expect(y.isfinite().all().item()).toBe(1);
  });

  it("raises PyTorch's errors", () => {
    const E = g.mha_errors;
    const m = new nn.MultiheadAttention(8, 2);
    const x = torch.zeros(4, 2, 8);
    expectPyError(() => new nn.MultiheadAttention(8, 3), E.divisible!);
    expectPyError(() => m(x, x, x, { attn_mask: torch.zeros(3, 4) }), E.mask_2d_shape!);
    expectPyError(() => m(x, x, x, { attn_mask: torch.zeros(2, 4, 4) }), E.mask_3d_shape!);
    expectPyError(() => m(x, x, x, { attn_mask: torch.zeros(1, 1, 4, 4) }), E.mask_dim!);
    expectPyError(() => m(torch.zeros(1, 4, 2, 8), x, x), E.query_4d!);
    expectPyError(() => m(x, torch.zeros(4, 8), x), E.key_2d!);
    expectPyError(() => m(x, x, x, { key_padding_mask: torch.zeros([2, 4, 1], { dtype: torch.bool }) }), E.kpm_dim!);
    expectPyError(() => m(x, x, x, { key_padding_mask: torch.zeros([2, 3], { dtype: torch.bool }) }), E.kpm_shape!);
    expectPyError(() => m(x, x, x, { key_padding_mask: torch.zeros([2, 4], { dtype: torch.int64 }) }), E.kpm_int!);
    expectPyError(() => m(torch.zeros(4, 2, 6), torch.zeros(4, 2, 6), torch.zeros(4, 2, 6)), E.embed_dim!);
    expectPyError(() => m(x, torch.zeros(4, 2, 8), torch.zeros(5, 2, 8)), E.kv_shape!);
  });
});

describe('nn.TransformerEncoderLayer', () => {
  for (const c of g.transformer.layer_cases) {
    it(`${c.name}: output and gradients`, () => {
      const layer = new nn.TransformerEncoderLayer(8, 2, c.kw);
      load(layer, c.state);
      const x = f32(c.x).requires_grad_(true);
      const y = layer(x, {
        src_mask: c.src_mask === null ? null : f32(c.src_mask),
        src_key_padding_mask: c.src_key_padding_mask === null ? null : bool(c.src_key_padding_mask),
      });
      expectClose(y.tolist(), c.y, RT, AT, 'y');
      y.mul(f32(c.g)).sum().backward();
      expectClose(x.grad!.tolist(), c.grad_x, RT, AT, 'grad x');
      expectGrads(layer, c.grads);
    });
  }

  it('prints as PyTorch 1.13, with a module activation as a child', () => {
    const R = g.transformer.reprs;
    expect(String(new nn.TransformerEncoderLayer(8, 2, 16))).toBe(R.layer);
    expect(String(new nn.TransformerEncoderLayer(4, 2, 8, { activation: new nn.ReLU() }))).toBe(R.layer_relu_module);
  });

  it('dropout in training mode, deterministic in eval mode; any activation function', () => {
    torch.manual_seed(4);
    const layer = new nn.TransformerEncoderLayer(8, 2, 16, 0.3);
    const x = torch.randn(5, 2, 8);
    expect(layer(x).sub(layer(x)).abs().max().item()).toBeGreaterThan(0);
    layer.eval();
    expectClose(layer(x).tolist(), layer(x).tolist());
    const custom = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, activation: (t: Tensor) => t.tanh() });
    expect(custom.activation_relu_or_gelu).toBe(0);
    expect(custom(x).shape).toEqual([5, 2, 8]);
  });

  it("raises PyTorch's errors", () => {
    const E = g.transformer.errors;
    expectPyError(() => new nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' as 'relu' }), E.activation!);
    expectPyError(
      () => new nn.TransformerEncoderLayer(8, 2)(torch.zeros(5, 2, 8), { src_key_padding_mask: torch.zeros([2, 5], { dtype: torch.int64 }) }),
      E.kpm_int!,
    );
  });
});

describe('nn.TransformerEncoder', () => {
  const Enc = g.transformer.encoder;

  it('deep-copies the layer: same weights as PyTorch, no random numbers drawn', () => {
    torch.manual_seed(Enc.seed);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, dropout: 0 });
    const enc = new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(8));
    const after = torch.rand(3);
    expectState(enc, Enc.init_state);
    expectClose(after.tolist(), Enc.rand_after);
    expect([...enc.named_parameters()].map(([n]) => n)).toEqual(Enc.param_names);
    const [l0, l1] = [...enc.layers] as nn.TransformerEncoderLayer[];
    expect(l0).not.toBe(layer);
    expect(l0).toBeInstanceOf(nn.TransformerEncoderLayer);
    expect(l0!.linear1.weight).not.toBe(l1!.linear1.weight);
    expect(l0!.linear1.weight).not.toBe(layer.linear1.weight);
    torch.no_grad(() => l0!.linear1.weight.fill_(0));
    expect(l1!.linear1.weight.abs().sum().item()).toBeGreaterThan(0);
    expect(layer.linear1.weight.abs().sum().item()).toBeGreaterThan(0);
    expect(l0!.activation).toBe(layer.activation);
    expect(l0!.linear1.weight.requires_grad).toBe(true);
  });

  it('runs the layers in turn, then the norm: output and gradients', () => {
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, dropout: 0 }), 2, {
      norm: new nn.LayerNorm(8),
    });
    load(enc, Enc.state);
    const x = f32(Enc.x).requires_grad_(true);
    const y = enc(x, { src_key_padding_mask: bool(Enc.src_key_padding_mask) });
    expectClose(y.tolist(), Enc.y, RT, AT, 'y');
    y.mul(f32(Enc.g)).sum().backward();
    expectClose(x.grad!.tolist(), Enc.grad_x, RT, AT, 'grad x');
    expectGrads(enc, Enc.grads);
  });

  it('prints as PyTorch 1.13', () => {
    const R = g.transformer.reprs;
    expect(String(new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, 8, 0.2), 2))).toBe(R.encoder);
    expect(String(new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 1, 8), 1, new nn.LayerNorm(4)))).toBe(R.encoder_norm);
  });

  it('copies buffers, hooks, attributes and tied parameters of a custom layer', () => {
    class Tied extends nn.Module {
      a = new nn.Linear(3, 3);
      b = new nn.Linear(3, 3);
      scale = 2;
      sizes = [1, 2];
      declare steps: Tensor;
      declare cache: Tensor;
      constructor() {
        super();
        this.b.weight = this.a.weight;
        this.register_buffer('steps', torch.zeros(1));
        this.register_buffer('cache', torch.ones(2), false);
      }
      override forward(x: Tensor): Tensor {
        return this.b(this.a(x)).mul(this.scale);
      }
    }
    const t = new Tied();
    let calls = 0;
    t.register_forward_hook(() => void calls++);
    const enc = new nn.TransformerEncoder(t, 2);
    const c = enc.layers.get(0) as Tied;
    expect(c).toBeInstanceOf(Tied);
    expect(c.b.weight).toBe(c.a.weight);
    expect(c.a.weight).not.toBe(t.a.weight);
    expect(c.scale).toBe(2);
    expect(c.sizes).toEqual([1, 2]);
    expect(c.sizes).not.toBe(t.sizes);
    expect(Object.keys(c.state_dict())).toEqual(['steps', 'a.weight', 'a.bias', 'b.weight', 'b.bias']);
    expect(c.cache).not.toBe(t.cache);
    const x = torch.randn(4, 3);
    expectClose(c(x).tolist(), t(x).tolist());
    expect(calls).toBe(2);
  });
});
