/**
 * `nn.TransformerEncoderLayer` and `nn.TransformerEncoder`, with PyTorch's submodule names so that
 * state_dict keys match PyTorch's.
 */

import * as dt from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import { isKwargs, pyArgs } from '../_args.js';
import { AssertionError } from '../functional/_assert.js';
import { Linear, factory, type FactoryOptions } from './linear.js';
import { Dropout } from './dropout.js';
import { LayerNorm } from './normalization.js';
import { GELU, ReLU } from './activation.js';
import { ModuleList } from './container.js';
import { MultiheadAttention } from './multihead_attention.js';

/** What `activation` may be: PyTorch's names 'relu' / 'gelu', or any function or module of one tensor. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

export type TransformerEncoderLayerOptions = {
  dim_feedforward?: number;
  dropout?: number;
  activation?: TransformerActivation;
  layer_norm_eps?: number;
  batch_first?: boolean;
  norm_first?: boolean;
} & FactoryOptions;

export type TransformerEncoderLayerForwardOptions = {
  src_mask?: Tensor | null;
  src_key_padding_mask?: Tensor | null;
  is_causal?: boolean;
};

type LArg<T> = T | TransformerEncoderLayerOptions;
type FArg<T> = T | TransformerEncoderLayerForwardOptions;

function checkPaddingMask(mask: Tensor | null): void {
  if (mask && mask.dtype !== dt.bool && !mask.is_floating_point()) {
    throw new AssertionError('only bool and floating types of key_padding_mask are supported');
  }
}

/**
 * `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu,
 * layer_norm_eps=1e-5, batch_first=False, norm_first=False, device=None, dtype=None)`:
 * self-attention then a feed-forward block, each with a residual connection and LayerNorm (after
 * the residual, or before the block with norm_first). Submodules self_attn, linear1, dropout,
 * linear2, norm1, norm2, dropout1, dropout2, as in PyTorch.
 * `forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)`; in the masks `true`
 * means "do not attend"; is_causal is only a hint that src_mask is the causal mask (PyTorch 2).
 * Differs from PyTorch: no fast path (the same math in every mode); no `bias` argument (2.1+).
 * @example
 * const layer = new nn.TransformerEncoderLayer(32, 4, {dim_feedforward: 64, batch_first: true});
 * layer(torch.randn(8, 10, 32)).shape // [8, 10, 32]
 */
export class TransformerEncoderLayer extends Module {
  declare self_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm_first: boolean;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare activation_relu_or_gelu: number;
  declare activation: (x: Tensor) => Tensor;

  constructor(
    d_model: number, nhead: number, dim_feedforward?: LArg<number>, dropout?: LArg<number>, activation?: LArg<TransformerActivation>,
    layer_norm_eps?: LArg<number>, batch_first?: LArg<boolean>, norm_first?: LArg<boolean>, opts?: TransformerEncoderLayerOptions,
  ) {
    super();
    const o = pyArgs<TransformerEncoderLayerOptions>(
      ['dim_feedforward', 'dropout', 'activation', 'layer_norm_eps', 'batch_first', 'norm_first'],
      [dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, opts],
    );
    const f = factory(o);
    const p = o.dropout ?? 0.1;
    const ff = o.dim_feedforward ?? 2048;
    const eps = o.layer_norm_eps ?? 1e-5;
    this.self_attn = new MultiheadAttention(d_model, nhead, { dropout: p, batch_first: o.batch_first ?? false, ...f });
    this.linear1 = new Linear(d_model, ff, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, d_model, f);
    this.norm_first = o.norm_first ?? false;
    this.norm1 = new LayerNorm(d_model, { eps, ...f });
    this.norm2 = new LayerNorm(d_model, { eps, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    const given: TransformerActivation = o.activation ?? F.relu;
    let act: (x: Tensor) => Tensor;
    if (given === 'relu') act = F.relu;
    else if (given === 'gelu') act = F.gelu;
    else if (typeof given === 'string') throw new RuntimeError(`activation should be relu/gelu, not ${String(given)}`);
    else act = given;
    // PyTorch records this for its fused fast path; kept so that code reading it works
    this.activation_relu_or_gelu = act === F.relu || act instanceof ReLU ? 1 : act === F.gelu || act instanceof GELU ? 2 : 0;
    this.activation = act;
  }

  override forward(
    src: Tensor, src_mask?: FArg<Tensor | null>, src_key_padding_mask?: FArg<Tensor | null>, is_causal?: FArg<boolean>,
  ): Tensor {
    const o = pyArgs<TransformerEncoderLayerForwardOptions>(
      ['src_mask', 'src_key_padding_mask', 'is_causal'], [src_mask, src_key_padding_mask, is_causal],
    );
    const kpm = o.src_key_padding_mask ?? null;
    checkPaddingMask(kpm);
    const mask = o.src_mask ?? null;
    const causal = o.is_causal ?? false;
    let x = src;
    if (this.norm_first) {
      x = x.add(this._sa_block(this.norm1(x), mask, kpm, causal));
      x = x.add(this._ff_block(this.norm2(x)));
    } else {
      x = this.norm1(x.add(this._sa_block(x, mask, kpm, causal)));
      x = this.norm2(x.add(this._ff_block(x)));
    }
    return x;
  }

  /** The self-attention block (attention weights are not computed). */
  _sa_block(x: Tensor, attn_mask: Tensor | null, key_padding_mask: Tensor | null, is_causal = false): Tensor {
    const [y] = this.self_attn(x, x, x, { attn_mask, key_padding_mask, need_weights: false, is_causal });
    return this.dropout1(y);
  }

  /** The feed-forward block. */
  _ff_block(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }
}

export type TransformerEncoderOptions = { norm?: Module | null; enable_nested_tensor?: boolean; mask_check?: boolean };
export type TransformerEncoderForwardOptions = { mask?: Tensor | null; src_key_padding_mask?: Tensor | null; is_causal?: boolean | null };
type EArg<T> = T | TransformerEncoderOptions;
type EFArg<T> = T | TransformerEncoderForwardOptions;

/**
 * `nn.TransformerEncoder(encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
 * mask_check=True)`: num_layers deep copies of encoder_layer (in `layers`, a ModuleList, all
 * starting from the same weights as in PyTorch), applied in turn, then `norm` if given.
 * `forward(src, mask=None, src_key_padding_mask=None, is_causal=None)`.
 * Differs from PyTorch: no nested-tensor fast path (enable_nested_tensor and mask_check are kept
 * but change nothing), so padded positions keep their computed values in every mode (PyTorch's
 * fast path, taken in eval mode without grad, zeroes them). The copies are made by torchlab's own
 * deep copy of the layer's parameters, buffers, submodules and attributes.
 * @example
 * const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(32, 4, {batch_first: true}), 6);
 * enc(torch.randn(8, 10, 32)).shape // [8, 10, 32]
 */
export class TransformerEncoder extends Module {
  declare layers: ModuleList<Module>;
  declare num_layers: number;
  declare norm: Module | null;
  declare enable_nested_tensor: boolean;
  declare mask_check: boolean;

  constructor(
    encoder_layer: Module, num_layers: number, norm?: EArg<Module | null>, enable_nested_tensor?: EArg<boolean>,
    mask_check?: EArg<boolean>, opts?: TransformerEncoderOptions,
  ) {
    super();
    const o = pyArgs<TransformerEncoderOptions>(['norm', 'enable_nested_tensor', 'mask_check'], [norm, enable_nested_tensor, mask_check, opts]);
    this.layers = _get_clones(encoder_layer, num_layers);
    this.num_layers = num_layers;
    this.norm = o.norm ?? null;
    this.enable_nested_tensor = o.enable_nested_tensor ?? true;
    this.mask_check = o.mask_check ?? true;
  }

  override forward(
    src: Tensor, mask?: EFArg<Tensor | null>, src_key_padding_mask?: EFArg<Tensor | null>, is_causal?: EFArg<boolean | null>,
  ): Tensor {
    const o = pyArgs<TransformerEncoderForwardOptions>(['mask', 'src_key_padding_mask', 'is_causal'], [mask, src_key_padding_mask, is_causal]);
    const kpm = o.src_key_padding_mask ?? null;
    checkPaddingMask(kpm);
    let out = src;
    for (const layer of this.layers) {
      out = layer(out, { src_mask: o.mask ?? null, src_key_padding_mask: kpm, is_causal: o.is_causal ?? false }) as Tensor;
    }
    return this.norm ? (this.norm(out) as Tensor) : out;
  }
}

/** PyTorch's `_get_clones`: a ModuleList of `n` independent deep copies of `module`. */
export function _get_clones<M extends Module>(module: M, n: number): ModuleList<M> {
  return new ModuleList(Array.from({ length: n }, () => deepcopy(module, new Map())));
}

/**
 * Python's `copy.deepcopy` for modules and what they hold. A module is rebuilt without running
 * its constructor (so no random initialisation is drawn, as in PyTorch): an instance of the same
 * class gets copies of the parameters (same requires_grad, gradients copied), buffers (with
 * their persistence), submodules, hooks and plain attributes. Tensors, arrays and plain objects
 * are copied; functions, dtypes, devices and other objects are shared; `memo` keeps shared
 * references shared (tied weights stay tied).
 */
function deepcopy<T>(value: T, memo: Map<unknown, unknown>): T {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  if (memo.has(value)) return memo.get(value) as T;
  let copy: unknown;
  if (value instanceof Module) return copyModule(value, memo) as T;
  if (value instanceof Parameter) {
    const p = new Parameter(value.detach().clone(), value.requires_grad);
    memo.set(value, p);
    if (value.grad) p.grad = deepcopy(value.grad, memo);
    return p as T;
  }
  if (value instanceof Tensor) copy = value.detach().clone().requires_grad_(value.requires_grad && value.grad_fn === null);
  else if (Array.isArray(value)) {
    const arr: unknown[] = [];
    memo.set(value, arr);
    for (const v of value) arr.push(deepcopy(v, memo));
    return arr as T;
  } else if (isKwargs(value)) {
    const obj: Record<string, unknown> = {};
    memo.set(value, obj);
    for (const [k, v] of Object.entries(value)) obj[k] = deepcopy(v, memo);
    return obj as T;
  } else copy = value;
  memo.set(value, copy);
  return copy as T;
}

function copyModule(m: Module, memo: Map<unknown, unknown>): Module {
  // Module's own constructor only: the subclass's would draw a fresh initialisation
  const copy = Reflect.construct(Module, [], m.constructor) as Module;
  memo.set(m, copy);
  for (const [name, p] of m._parameters) copy.register_parameter(name, p ? deepcopy(p, memo) : null);
  for (const [name, b] of m._buffers) copy.register_buffer(name, b ? deepcopy(b, memo) : null, !m._non_persistent_buffers_set.has(name));
  for (const [name, c] of m._modules) copy.add_module(name, c ? deepcopy(c, memo) : null);
  for (const [id, h] of m._forward_pre_hooks) copy._forward_pre_hooks.set(id, h);
  for (const [id, h] of m._forward_hooks) copy._forward_hooks.set(id, h);
  const registered = (k: string) => m._parameters.has(k) || m._buffers.has(k) || m._modules.has(k);
  const target = copy as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(m)) if (!registered(k) && k !== 'training') target[k] = deepcopy(v, memo);
  copy.training = m.training;
  return copy;
}
