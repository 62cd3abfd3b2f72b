/**
 * `nn.MultiheadAttention` (PyTorch keeps it in torch/nn/modules/activation.py; it lives in its own
 * file here), thin over `F.multi_head_attention_forward`.
 */

import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops/creation.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyArgs } from '../_args.js';
import { AssertionError, pyAssert } from '../functional/_assert.js';
import { Linear, factory, type FactoryOptions } from './linear.js';
import * as dt from '../../dtype.js';

/**
 * The output projection of MultiheadAttention: a plain Linear, named as PyTorch names it (the
 * name only matters to PyTorch's quantization, but it shows in the module's repr).
 * @example new nn.MultiheadAttention(64, 4).out_proj instanceof nn.NonDynamicallyQuantizableLinear // true
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

export type MultiheadAttentionOptions = {
  dropout?: number;
  bias?: boolean;
  add_bias_kv?: boolean;
  add_zero_attn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  batch_first?: boolean;
} & FactoryOptions;

export type MultiheadAttentionForwardOptions = {
  key_padding_mask?: Tensor | null;
  need_weights?: boolean;
  attn_mask?: Tensor | null;
  average_attn_weights?: boolean;
  is_causal?: boolean;
};

type Arg<T> = T | MultiheadAttentionOptions;
type FArg<T> = T | MultiheadAttentionForwardOptions;

/**
 * `nn.MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
 * add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None, dtype=None)`:
 * attention with num_heads heads of embed_dim / num_heads each. Parameters as PyTorch's:
 * `in_proj_weight` (3·embed_dim, embed_dim), or `q_proj_weight` / `k_proj_weight` /
 * `v_proj_weight` when kdim or vdim differ from embed_dim; `in_proj_bias`; `out_proj` (a Linear);
 * `bias_k` / `bias_v` with add_bias_kv. Initialised as PyTorch does (xavier_uniform_ projections,
 * zero biases, xavier_normal_ bias_k / bias_v).
 * `forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
 * average_attn_weights=True, is_causal=False)` returns `[attn_output, attn_output_weights]`
 * (weights null when need_weights is false). Inputs are (L, N, E), or (N, L, E) with
 * batch_first, or unbatched (L, E). In masks `true` means "do not attend".
 * Differs from PyTorch: no fast path (the same math in every mode); masks follow PyTorch 2
 * (an integer mask raises, as in PyTorch 2; 1.13 accepted uint8 with a deprecation warning).
 * @example
 * const mha = new nn.MultiheadAttention(16, 4, {batch_first: true});
 * const x = torch.randn(2, 10, 16);
 * const [y, w] = mha(x, x, x); // y [2, 10, 16], w [2, 10, 10]
 */
export class MultiheadAttention extends Module {
  declare embed_dim: number;
  declare kdim: number;
  declare vdim: number;
  declare _qkv_same_embed_dim: boolean;
  declare num_heads: number;
  declare dropout: number;
  declare batch_first: boolean;
  declare head_dim: number;
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: NonDynamicallyQuantizableLinear;
  declare bias_k: Parameter | null;
  declare bias_v: Parameter | null;
  declare add_zero_attn: boolean;

  constructor(
    embed_dim: number, num_heads: number, dropout?: Arg<number>, bias?: Arg<boolean>, add_bias_kv?: Arg<boolean>,
    add_zero_attn?: Arg<boolean>, kdim?: Arg<number | null>, vdim?: Arg<number | null>, batch_first?: Arg<boolean>,
    opts?: MultiheadAttentionOptions,
  ) {
    super();
    const o = pyArgs<MultiheadAttentionOptions>(
      ['dropout', 'bias', 'add_bias_kv', 'add_zero_attn', 'kdim', 'vdim', 'batch_first'],
      [dropout, bias, add_bias_kv, add_zero_attn, kdim, vdim, batch_first, opts],
    );
    const f = factory(o);
    this.embed_dim = embed_dim;
    this.kdim = o.kdim ?? embed_dim;
    this.vdim = o.vdim ?? embed_dim;
    this._qkv_same_embed_dim = this.kdim === embed_dim && this.vdim === embed_dim;
    this.num_heads = num_heads;
    this.dropout = o.dropout ?? 0;
    this.batch_first = o.batch_first ?? false;
    this.head_dim = Math.floor(embed_dim / num_heads);
    pyAssert(this.head_dim * num_heads === embed_dim, 'embed_dim must be divisible by num_heads');
    if (!this._qkv_same_embed_dim) {
      this.q_proj_weight = new Parameter(empty([embed_dim, embed_dim], f));
      this.k_proj_weight = new Parameter(empty([embed_dim, this.kdim], f));
      this.v_proj_weight = new Parameter(empty([embed_dim, this.vdim], f));
      this.register_parameter('in_proj_weight', null);
    } else {
      this.in_proj_weight = new Parameter(empty([3 * embed_dim, embed_dim], f));
      this.register_parameter('q_proj_weight', null);
      this.register_parameter('k_proj_weight', null);
      this.register_parameter('v_proj_weight', null);
    }
    const withBias = o.bias ?? true;
    if (withBias) this.in_proj_bias = new Parameter(empty([3 * embed_dim], f));
    else this.register_parameter('in_proj_bias', null);
    this.out_proj = new NonDynamicallyQuantizableLinear(embed_dim, embed_dim, { bias: withBias, ...f });
    if (o.add_bias_kv) {
      this.bias_k = new Parameter(empty([1, 1, embed_dim], f));
      this.bias_v = new Parameter(empty([1, 1, embed_dim], f));
    } else {
      this.bias_k = null;
      this.bias_v = null;
    }
    this.add_zero_attn = o.add_zero_attn ?? false;
    this._reset_parameters();
  }

  /** PyTorch's initialisation: xavier_uniform_ projections, zero biases, xavier_normal_ bias_k / bias_v. */
  _reset_parameters(): void {
    if (this.in_proj_weight) init.xavier_uniform_(this.in_proj_weight);
    else {
      init.xavier_uniform_(this.q_proj_weight!);
      init.xavier_uniform_(this.k_proj_weight!);
      init.xavier_uniform_(this.v_proj_weight!);
    }
    if (this.in_proj_bias) {
      init.constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias) init.constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k) init.xavier_normal_(this.bias_k);
    if (this.bias_v) init.xavier_normal_(this.bias_v);
  }

  override forward(
    query: Tensor, key: Tensor, value: Tensor, key_padding_mask?: FArg<Tensor | null>, need_weights?: FArg<boolean>,
    attn_mask?: FArg<Tensor | null>, average_attn_weights?: FArg<boolean>, is_causal?: FArg<boolean>,
  ): [Tensor, Tensor | null] {
    const o = pyArgs<MultiheadAttentionForwardOptions>(
      ['key_padding_mask', 'need_weights', 'attn_mask', 'average_attn_weights', 'is_causal'],
      [key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal],
    );
    const kpm = o.key_padding_mask ?? null;
    if (kpm && kpm.dtype !== dt.bool && !kpm.is_floating_point()) {
      throw new AssertionError('only bool and floating types of key_padding_mask are supported');
    }
    const batched = query.dim() === 3;
    let [q, k, v] = [query, key, value];
    if (this.batch_first && batched) {
      // keep q, k, v the same tensor where they were, which selects the packed projection
      if (key === value) {
        if (query === key) q = k = v = query.transpose(1, 0);
        else {
          q = query.transpose(1, 0);
          k = v = key.transpose(1, 0);
        }
      } else [q, k, v] = [query.transpose(1, 0), key.transpose(1, 0), value.transpose(1, 0)];
    }
    const [out, weights] = F.multi_head_attention_forward(
      q, k, v, this.embed_dim, this.num_heads, this.in_proj_weight, this.in_proj_bias, this.bias_k, this.bias_v,
      this.add_zero_attn, this.dropout, this.out_proj.weight, this.out_proj.bias, {
        training: this.training, key_padding_mask: kpm, need_weights: o.need_weights ?? true, attn_mask: o.attn_mask ?? null,
        average_attn_weights: o.average_attn_weights ?? true, is_causal: o.is_causal ?? false,
        ...(this._qkv_same_embed_dim ? {} : {
          use_separate_proj_weight: true, q_proj_weight: this.q_proj_weight, k_proj_weight: this.k_proj_weight,
          v_proj_weight: this.v_proj_weight,
        }),
      },
    );
    return [this.batch_first && batched ? out.transpose(1, 0) : out, weights];
  }
}
