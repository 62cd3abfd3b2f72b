/**
 * Attention in `nn.functional`: `scaled_dot_product_attention` (PyTorch 2's API) and
 * `multi_head_attention_forward`, the computation behind `nn.MultiheadAttention`. Both are
 * composites of matmul / softmax / dropout, so autograd comes from those ops.
 */

import { sizeRepr } from '../../size.js';
import * as dt from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { ones, zeros } from '../../ops/creation.js';
import { cat } from '../../ops/cat.js';
import { where } from '../../ops/pointwise.js';
import { pyArgs } from '../_args.js';
import { dropout, linear } from '../functional.js';
import { pad } from './conv.js';
import { pyTuple } from '../modules/_repr.js';
import { AssertionError, pyAssert } from './_assert.js';

export type SdpaOptions = {
  attn_mask?: Tensor | null;
  dropout_p?: number;
  is_causal?: boolean;
  scale?: number | null;
  enable_gqa?: boolean;
};

/** caffe2's type names, which the native SDPA checks print (`float`, `long int`). */
const metaName = (d: dt.DType): string =>
  ({ float32: 'float', float64: 'double', int32: 'int', int64: 'long int', uint8: 'unsigned char', bool: 'bool' })[d.name] ?? d.name;

/**
 * softmax over the last dim that gives 0, not NaN, on rows whose scores are all -inf (every key
 * masked), and a zero gradient there: PyTorch 2.5+'s `_safe_softmax`.
 */
function safeSoftmax(scores: Tensor): Tensor {
  const dead = scores.isneginf().all(-1, true);
  return where(dead, 0, where(dead, 0, scores).softmax(-1));
}

/**
 * `F.scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
 * is_causal=False, scale=None, enable_gqa=False)`: softmax(Q Kᵀ · scale + bias) V, with query
 * (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev); scale defaults to 1/√E. A bool
 * attn_mask keeps positions where it is true; a float one is added to the scores; is_causal masks
 * keys after each query (top-left aligned). Dropout always applies when dropout_p > 0 (pass
 * `this.training ? p : 0`, as in PyTorch). Rows with every key masked give zeros, as PyTorch 2.5+.
 * Differs from PyTorch: always the math implementation (no fused kernels), so results match
 * PyTorch's up to rounding.
 * @example
 * const q = torch.randn(2, 4, 10, 16); // (batch, heads, L, E)
 * F.scaled_dot_product_attention(q, q, q, {is_causal: true}).shape // [2, 4, 10, 16]
 */
export function scaled_dot_product_attention(
  query: Tensor, key: Tensor, value: Tensor, attn_mask?: Tensor | null | SdpaOptions, dropout_p?: number | SdpaOptions,
  is_causal?: boolean | SdpaOptions, scale?: number | null | SdpaOptions,
): Tensor {
  const o = pyArgs<SdpaOptions>(['attn_mask', 'dropout_p', 'is_causal', 'scale'], [attn_mask, dropout_p, is_causal, scale]);
  const mask = o.attn_mask ?? null;
  if (query.dtype !== key.dtype || query.dtype !== value.dtype) {
    throw new RuntimeError(
      `Expected query, key, and value to have the same dtype, but got query.dtype: ${metaName(query.dtype)} key.dtype: ${metaName(key.dtype)} and value.dtype: ${metaName(value.dtype)} instead.`,
    );
  }
  if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2) {
    throw new RuntimeError(
      `Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: ${query.dim()} key.dim: ${key.dim()} and value.dim: ${value.dim()} instead.`,
    );
  }
  if (mask && mask.dtype !== dt.bool && mask.dtype !== dt.float32 && mask.dtype !== query.dtype) {
    throw new RuntimeError(
      `Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: ${metaName(mask.dtype)} and  query.dtype: ${metaName(query.dtype)} instead.`,
    );
  }
  if (o.is_causal && mask) throw new RuntimeError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
  let k = key;
  let v = value;
  if (o.enable_gqa && query.dim() >= 3) {
    const h = query.size(-3);
    if (h % k.size(-3) !== 0 || h % v.size(-3) !== 0) {
      throw new RuntimeError('Number of heads in key and value must divide the number of heads in query');
    }
    k = k.repeat_interleave(h / k.size(-3), -3);
    v = v.repeat_interleave(h / v.size(-3), -3);
  }
  const L = query.size(-2);
  const S = k.size(-2);
  const factor = o.scale ?? 1 / Math.sqrt(query.size(-1));
  let scores = query.matmul(k.transpose(-2, -1)).mul(factor);
  let masked = false;
  if (o.is_causal) {
    const keep = ones([L, S], { dtype: dt.bool, device: query.device }).tril();
    scores = scores.masked_fill(keep.logical_not(), -Infinity);
  }
  if (mask) {
    masked = true;
    scores = scores.add(mask.dtype === dt.bool ? boolToAdditive(mask, query.dtype) : mask);
  }
  let attn = masked ? safeSoftmax(scores) : scores.softmax(-1);
  const p = o.dropout_p ?? 0;
  if (p > 0) attn = dropout(attn, p, true);
  return attn.matmul(v);
}

/** A keep-where-true bool mask as the float bias PyTorch adds: 0 where kept, -inf elsewhere. */
function boolToAdditive(mask: Tensor, dtype: dt.DType): Tensor {
  return zeros(mask._shape, { dtype, device: mask.device }).masked_fill(mask.logical_not(), -Infinity);
}

/**
 * PyTorch 2's `_canonical_mask` for MultiheadAttention masks: a bool mask (true = masked out)
 * becomes a float one with -inf there; a float mask is kept; other dtypes are refused.
 */
function canonicalMask(mask: Tensor | null, name: string, dtype: dt.DType): Tensor | null {
  if (!mask) return null;
  if (mask.dtype === dt.bool) return zeros(mask._shape, { dtype, device: mask.device }).masked_fill(mask, -Infinity);
  if (!mask.is_floating_point()) throw new AssertionError(`only bool and floating types of ${name} are supported`);
  return mask;
}

/** `_mha_shape_check`: whether the inputs are batched, with PyTorch's assertions on ranks. */
function mhaShapeCheck(query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | null, mask: Tensor | null, num_heads: number): boolean {
  if (query.dim() === 3) {
    pyAssert(key.dim() === 3 && value.dim() === 3, () =>
      `For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
    if (kpm) {
      pyAssert(kpm.dim() === 2, () =>
        `For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${kpm.dim()}-D tensor instead`);
    }
    if (mask) {
      pyAssert(mask.dim() === 2 || mask.dim() === 3, () =>
        `For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${mask.dim()}-D tensor instead`);
    }
    return true;
  }
  if (query.dim() === 2) {
    pyAssert(key.dim() === 2 && value.dim() === 2, () =>
      `For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
    if (kpm) {
      pyAssert(kpm.dim() === 1, () =>
        `For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${kpm.dim()}-D tensor instead`);
    }
    if (mask) {
      pyAssert(mask.dim() === 2 || mask.dim() === 3, () =>
        `For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${mask.dim()}-D tensor instead`);
      if (mask.dim() === 3) {
        const expected = [num_heads, query.size(0), key.size(0)];
        pyAssert(mask._shape.join() === expected.join(), () =>
          `Expected \`attn_mask\` shape to be ${pyTuple(expected)} but got ${sizeRepr(mask._shape)}`);
      }
    }
    return false;
  }
  throw new AssertionError(`query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor`);
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export type MhaOptions = {
  training?: boolean;
  key_padding_mask?: Tensor | null;
  need_weights?: boolean;
  attn_mask?: Tensor | null;
  use_separate_proj_weight?: boolean;
  q_proj_weight?: Tensor | null;
  k_proj_weight?: Tensor | null;
  v_proj_weight?: Tensor | null;
  static_k?: Tensor | null;
  static_v?: Tensor | null;
  average_attn_weights?: boolean;
  is_causal?: boolean;
};

/** The q, k, v projections: one matmul for self-attention, PyTorch's split of the packed weight otherwise. */
function inProjection(
  query: Tensor, key: Tensor, value: Tensor, o: MhaOptions, w: Tensor | null, b: Tensor | null, selfAttn: boolean, kvSame: boolean,
): [Tensor, Tensor, Tensor] {
  const E = query.size(-1);
  if (!o.use_separate_proj_weight) {
    pyAssert(w !== null, 'use_separate_proj_weight is False but in_proj_weight is None');
    if (selfAttn) return linear(query, w, b).chunk(3, -1) as [Tensor, Tensor, Tensor];
    if (kvSame) {
      const [wq, wkv] = w.split([E, 2 * E]) as [Tensor, Tensor];
      const [bq, bkv] = b ? (b.split([E, 2 * E]) as [Tensor, Tensor]) : [null, null];
      const [k, v] = linear(key, wkv, bkv).chunk(2, -1) as [Tensor, Tensor];
      return [linear(query, wq, bq), k, v];
    }
    const [wq, wk, wv] = w.chunk(3) as [Tensor, Tensor, Tensor];
    const [bq, bk, bv] = b ? (b.chunk(3) as [Tensor, Tensor, Tensor]) : [null, null, null];
    return [linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)];
  }
  const wq = o.q_proj_weight ?? null;
  const wk = o.k_proj_weight ?? null;
  const wv = o.v_proj_weight ?? null;
  pyAssert(wq !== null, 'use_separate_proj_weight is True but q_proj_weight is None');
  pyAssert(wk !== null, 'use_separate_proj_weight is True but k_proj_weight is None');
  pyAssert(wv !== null, 'use_separate_proj_weight is True but v_proj_weight is None');
  const [bq, bk, bv] = b ? (b.chunk(3) as [Tensor, Tensor, Tensor]) : [null, null, null];
  const Ek = key.size(-1);
  const Ev = value.size(-1);
  const checks: [string, Tensor | null, number[]][] = [
    ['query weights', wq, [E, E]], ['key weights', wk, [E, Ek]], ['value weights', wv, [E, Ev]],
    ['query bias', bq, [E]], ['key bias', bk, [E]], ['value bias', bv, [E]],
  ];
  for (const [what, t, shape] of checks) {
    if (t) pyAssert(sameShape(t._shape, shape), () => `expecting ${what} shape of ${pyTuple(shape)}, but got ${sizeRepr(t._shape)}`);
  }
  return [linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)];
}

/** (T, bsz, E) -> (bsz * num_heads, T, head_dim), the per-head batch layout. */
const heads = (x: Tensor, bh: number, hd: number): Tensor => x.contiguous().view(x.size(0), bh, hd).transpose(0, 1);

/**
 * `F.multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
 * in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
 * out_proj_bias, training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
 * use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None, v_proj_weight=None,
 * static_k=None, static_v=None, average_attn_weights=True, is_causal=False)`: the computation of
 * `nn.MultiheadAttention` on sequence-first (L, N, E) or unbatched (L, E) inputs; returns
 * `[attn_output, attn_output_weights | null]`.
 * Masks follow PyTorch 2: bool masks are true where attention is NOT allowed (the opposite of
 * scaled_dot_product_attention's), float masks are added; both may be given and are combined.
 * With need_weights=false the attention runs through scaled_dot_product_attention, so a query
 * whose keys are all masked gives zeros (PyTorch 2.5+) instead of NaN.
 * @example const [out, w] = F.multi_head_attention_forward(x, x, x, 8, 2, mha.in_proj_weight, mha.in_proj_bias,
 *   null, null, false, 0, mha.out_proj.weight, mha.out_proj.bias, {training: false})
 */
export function multi_head_attention_forward(
  query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: number, num_heads: number,
  in_proj_weight: Tensor | null, in_proj_bias: Tensor | null, bias_k: Tensor | null, bias_v: Tensor | null,
  add_zero_attn: boolean, dropout_p: number, out_proj_weight: Tensor, out_proj_bias: Tensor | null,
  training?: boolean | MhaOptions, opts?: MhaOptions,
): [Tensor, Tensor | null] {
  const o = pyArgs<MhaOptions>(['training'], [training, opts]);
  const needWeights = o.need_weights ?? true;
  let kpm = o.key_padding_mask ?? null;
  let mask = o.attn_mask ?? null;
  let isCausal = o.is_causal ?? false;
  const isBatched = mhaShapeCheck(query, key, value, kpm, mask, num_heads);
  const selfAttn = query === key && key === value;
  const kvSame = key === value;
  const dtype = query.dtype;
  kpm = canonicalMask(kpm, 'key_padding_mask', dtype);
  if (isCausal && !mask) {
    throw new RuntimeError(
      'Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.',
    );
  }
  if (isCausal && !kpm && !needWeights) {
    // the hint lets scaled_dot_product_attention build the causal mask itself
    mask = null;
  } else {
    mask = canonicalMask(mask, 'attn_mask', dtype);
    if (kpm) isCausal = false;
  }
  let q0 = query;
  let k0 = key;
  let v0 = value;
  if (!isBatched) {
    q0 = query.unsqueeze(1);
    k0 = key.unsqueeze(1);
    v0 = value.unsqueeze(1);
    if (kpm) kpm = kpm.unsqueeze(0);
  }
  const [tgtLen, bsz, embedDim] = q0._shape as [number, number, number];
  const srcLen0 = k0.size(0);
  pyAssert(embedDim === embed_dim_to_check, () => `was expecting embedding dimension of ${embed_dim_to_check}, but got ${embedDim}`);
  const headDim = Math.floor(embedDim / num_heads);
  pyAssert(headDim * num_heads === embedDim, () => `embed_dim ${embedDim} not divisible by num_heads ${num_heads}`);
  if (o.use_separate_proj_weight) {
    pyAssert(sameShape(k0._shape.slice(0, 2), v0._shape.slice(0, 2)), () =>
      `key's sequence and batch dims ${sizeRepr(k0._shape.slice(0, 2))} do not match value's ${sizeRepr(v0._shape.slice(0, 2))}`);
  } else {
    pyAssert(sameShape(k0._shape, v0._shape), () => `key shape ${sizeRepr(k0._shape)} does not match value shape ${sizeRepr(v0._shape)}`);
  }
  let [q, k, v] = inProjection(q0, k0, v0, o, in_proj_weight, in_proj_bias, selfAttn, kvSame);
  if (mask) {
    if (mask.dim() === 2) {
      const want = [tgtLen, srcLen0];
      if (!sameShape(mask._shape, want)) {
        throw new RuntimeError(`The shape of the 2D attn_mask is ${sizeRepr(mask._shape)}, but should be ${pyTuple(want)}.`);
      }
      mask = mask.unsqueeze(0);
    } else if (mask.dim() === 3) {
      const want = [bsz * num_heads, tgtLen, srcLen0];
      if (!sameShape(mask._shape, want)) {
        throw new RuntimeError(`The shape of the 3D attn_mask is ${sizeRepr(mask._shape)}, but should be ${pyTuple(want)}.`);
      }
    } else {
      throw new RuntimeError(`attn_mask's dimension ${mask.dim()} is not supported`);
    }
  }
  if (bias_k && bias_v) {
    pyAssert(!o.static_k, 'bias cannot be added to static key.');
    pyAssert(!o.static_v, 'bias cannot be added to static value.');
    k = cat([k, bias_k.repeat(1, bsz, 1)]);
    v = cat([v, bias_v.repeat(1, bsz, 1)]);
    if (mask) mask = pad(mask, [0, 1]);
    if (kpm) kpm = pad(kpm, [0, 1]);
  } else {
    pyAssert(!bias_k, '');
    pyAssert(!bias_v, '');
  }
  const bh = bsz * num_heads;
  q = heads(q, bh, headDim);
  k = staticOr(o.static_k ?? null, 'static_k', k, bh, headDim);
  v = staticOr(o.static_v ?? null, 'static_v', v, bh, headDim);
  if (add_zero_attn) {
    k = cat([k, zeros([bh, 1, headDim], { dtype: k.dtype, device: k.device })], 1);
    v = cat([v, zeros([bh, 1, headDim], { dtype: v.dtype, device: v.device })], 1);
    if (mask) mask = pad(mask, [0, 1]);
    if (kpm) kpm = pad(kpm, [0, 1]);
  }
  const srcLen = k.size(1);
  if (kpm) {
    const km = kpm;
    pyAssert(sameShape(km._shape, [bsz, srcLen]), () =>
      `expecting key_padding_mask shape of ${pyTuple([bsz, srcLen])}, but got ${sizeRepr(km._shape)}`);
    const merged = km.view(bsz, 1, 1, srcLen).expand(-1, num_heads, -1, -1).reshape(bh, 1, srcLen);
    mask = mask ? mask.add(merged) : merged;
  }
  const p = (o.training ?? true) ? dropout_p : 0;
  let out: Tensor;
  let weights: Tensor | null = null;
  if (needWeights) {
    const qs = q.mul(Math.sqrt(1 / headDim));
    let scores = qs.bmm(k.transpose(-2, -1));
    if (mask) scores = mask.add(scores);
    weights = scores.softmax(-1);
    if (p > 0) weights = dropout(weights, p);
    out = weights.bmm(v);
  } else {
    out = scaled_dot_product_attention(q, k, v, mask, p, isCausal);
  }
  out = out.transpose(0, 1).contiguous().view(tgtLen * bsz, embedDim);
  out = linear(out, out_proj_weight, out_proj_bias).view(tgtLen, bsz, -1);
  if (weights) {
    weights = weights.view(bsz, num_heads, tgtLen, srcLen);
    if (o.average_attn_weights ?? true) weights = weights.mean(1);
    if (!isBatched) weights = weights.squeeze(0);
  }
  if (!isBatched) out = out.squeeze(1);
  return [out, weights];
}

/** `static_k` / `static_v` (already in the per-head layout) when given, else the projected `x` reshaped. */
function staticOr(st: Tensor | null, name: string, x: Tensor, bh: number, hd: number): Tensor {
  if (!st) return heads(x, bh, hd);
  pyAssert(st.size(0) === bh, () => `expecting ${name}.size(0) of ${bh}, but got ${st.size(0)}`);
  pyAssert(st.size(2) === hd, () => `expecting ${name}.size(2) of ${hd}, but got ${st.size(2)}`);
  return st;
}
