/** `nn.Embedding`: a lookup table of learnable vectors, thin over `F.embedding`. */

import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops/creation.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyArgs } from '../_args.js';
import { _noSparse, _paddingIdx, type EmbeddingOptions as FEmbeddingOptions } from '../functional/sparse.js';
import { pyAssert } from '../functional/_assert.js';
import { factory, type FactoryOptions } from './linear.js';
import { pyFloat } from './_repr.js';

export type EmbeddingOptions = FEmbeddingOptions & { _weight?: Tensor | null; _freeze?: boolean } & FactoryOptions;
export type FromPretrainedOptions = FEmbeddingOptions & { freeze?: boolean };

/**
 * `nn.Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
 * scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None)`:
 * maps integer indices to rows of `weight` (num_embeddings, embedding_dim), drawn from N(0, 1)
 * with the padding_idx row zeroed, as PyTorch initialises it.
 * Differs from PyTorch: sparse=True raises NotImplementedError (no sparse gradients).
 * @example
 * const emb = new nn.Embedding(10, 3, {padding_idx: 0});
 * emb(torch.tensor([[1, 2, 0]])).shape // [1, 3, 3]
 */
export class Embedding extends Module {
  declare num_embeddings: number;
  declare embedding_dim: number;
  declare padding_idx: number | null;
  declare max_norm: number | null;
  declare norm_type: number;
  declare scale_grad_by_freq: boolean;
  declare sparse: boolean;
  declare weight: Parameter;

  constructor(
    num_embeddings: number, embedding_dim: number, padding_idx?: number | null | EmbeddingOptions,
    max_norm?: number | null | EmbeddingOptions, norm_type?: number | EmbeddingOptions,
    scale_grad_by_freq?: boolean | EmbeddingOptions, sparse?: boolean | EmbeddingOptions, _weight?: Tensor | null | EmbeddingOptions,
    opts?: EmbeddingOptions,
  ) {
    super();
    const o = pyArgs<EmbeddingOptions>(
      ['padding_idx', 'max_norm', 'norm_type', 'scale_grad_by_freq', 'sparse', '_weight'],
      [padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight, opts],
    );
    _noSparse(o.sparse);
    this.num_embeddings = num_embeddings;
    this.embedding_dim = embedding_dim;
    this.padding_idx = _paddingIdx(o.padding_idx, num_embeddings);
    this.max_norm = o.max_norm ?? null;
    this.norm_type = o.norm_type ?? 2;
    this.scale_grad_by_freq = o.scale_grad_by_freq ?? false;
    if (o._weight) {
      pyAssert(
        o._weight.dim() === 2 && o._weight.size(0) === num_embeddings && o._weight.size(1) === embedding_dim,
        'Shape of weight does not match num_embeddings and embedding_dim',
      );
      this.weight = new Parameter(o._weight, !(o._freeze ?? false));
    } else {
      this.weight = new Parameter(empty([num_embeddings, embedding_dim], factory(o)), !(o._freeze ?? false));
      this.reset_parameters();
    }
    this.sparse = o.sparse ?? false;
  }

  /** Re-draws the weight from N(0, 1) and zeroes the padding_idx row. @example emb.reset_parameters() */
  reset_parameters(): void {
    init.normal_(this.weight);
    this._fill_padding_idx_with_zero();
  }

  /** @internal */
  _fill_padding_idx_with_zero(): void {
    if (this.padding_idx !== null) no_grad(() => this.weight.get(this.padding_idx!).fill_(0));
  }

  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.padding_idx, this.max_norm, this.norm_type, this.scale_grad_by_freq, this.sparse);
  }

  override extra_repr(): string {
    let s = `${this.num_embeddings}, ${this.embedding_dim}`;
    if (this.padding_idx !== null) s += `, padding_idx=${this.padding_idx}`;
    if (this.max_norm !== null) s += `, max_norm=${pyFloat(this.max_norm)}`;
    if (this.norm_type !== 2) s += `, norm_type=${pyFloat(this.norm_type)}`;
    if (this.scale_grad_by_freq) s += ', scale_grad_by_freq=True';
    if (this.sparse) s += ', sparse=True';
    return s;
  }

  /**
   * `Embedding.from_pretrained(embeddings, freeze=True, padding_idx=None, max_norm=None,
   * norm_type=2.0, scale_grad_by_freq=False, sparse=False)`: an Embedding whose weight is
   * `embeddings` itself (shared, not copied), frozen unless `freeze` is false.
   * @example const emb = nn.Embedding.from_pretrained(vectors, {freeze: false})
   */
  static from_pretrained(
    embeddings: Tensor, freeze?: boolean | FromPretrainedOptions, padding_idx?: number | null | FromPretrainedOptions,
    max_norm?: number | null | FromPretrainedOptions, norm_type?: number | FromPretrainedOptions,
    scale_grad_by_freq?: boolean | FromPretrainedOptions, sparse?: boolean | FromPretrainedOptions,
  ): Embedding {
    const o = pyArgs<FromPretrainedOptions>(
      ['freeze', 'padding_idx', 'max_norm', 'norm_type', 'scale_grad_by_freq', 'sparse'],
      [freeze, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse],
    );
    pyAssert(embeddings.dim() === 2, 'Embeddings parameter is expected to be 2-dimensional');
    const [rows, cols] = embeddings._shape as [number, number];
    const { freeze: fr, ...rest } = o;
    const emb = new Embedding(rows, cols, { ...rest, _weight: embeddings });
    emb.weight.requires_grad_(!(fr ?? true));
    return emb;
  }
}
