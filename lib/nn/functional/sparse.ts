/**
 * `F.embedding`: rows of a weight matrix looked up by integer indices. One graph node,
 * EmbeddingBackward0 as in PyTorch: the forward is an index_select under no_grad and the
 * backward adds the output gradient back into the looked-up rows with index_add_ (tensor ops,
 * so double backward works), skipping padding_idx and dividing by the index counts when
 * scale_grad_by_freq.
 *
 * On 'cuda' nothing is read back: the indices are checked on the device by index_select (a bad
 * one raises `CUDA error: device-side assert triggered: index out of range in self ...` at the
 * next read, as PyTorch's CUDA embedding does), and max_norm renormalises without listing the
 * distinct indices on the host.
 */

import * as dt from '../../dtype.js';
import { NotImplementedError, RuntimeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { tensor } from '../../ops/creation.js';
import { where } from '../../ops/pointwise.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { record } from '../../ops/dispatch.js';
import { readValues } from '../../ops/copy.js';
import { pyArgs } from '../_args.js';
import { pyAssert } from './_assert.js';

export type EmbeddingOptions = {
  padding_idx?: number | null;
  max_norm?: number | null;
  norm_type?: number;
  scale_grad_by_freq?: boolean;
  sparse?: boolean;
};

/** PyTorch's padding_idx rule: within ±num_embeddings, negative counts from the end; null for none. */
export function _paddingIdx(padding_idx: number | null | undefined, num_embeddings: number): number | null {
  if (padding_idx === null || padding_idx === undefined) return null;
  if (padding_idx > 0) pyAssert(padding_idx < num_embeddings, 'Padding_idx must be within num_embeddings');
  else if (padding_idx < 0) {
    pyAssert(padding_idx >= -num_embeddings, 'Padding_idx must be within num_embeddings');
    return num_embeddings + padding_idx;
  }
  return padding_idx;
}

/** The one thing torchlab cannot do here: it has no sparse tensors for a sparse gradient. */
export function _noSparse(sparse: boolean | undefined): void {
  if (sparse) {
    throw new NotImplementedError('sparse=True: torchlab has no sparse tensors, so Embedding gradients are always dense (use sparse=False)');
  }
}

/**
 * `torch.embedding_renorm_`: rescales, in place and without autograd, each row of `weight` that
 * `input` looks up and whose `norm_type`-norm exceeds `max_norm` to norm max_norm (up to the 1e-7
 * PyTorch adds to the norm).
 */
function embeddingRenorm(weight: Tensor, input: Tensor, max_norm: number, norm_type: number): void {
  no_grad(() => {
    let idx: Tensor;
    if (input.device.type === 'cpu') {
      const ids = [...new Set(readValues(input))].map(Number).sort((a, b) => a - b);
      if (ids.length === 0) return;
      idx = tensor(ids, { dtype: dt.int64, device: weight.device });
    } else {
      // without the distinct indices (a read back): repeats of an index rescale the same row the
      // same way, so their writes agree
      idx = input.reshape(-1);
      if (idx.numel() === 0) return;
    }
    const rows = weight.index_select(0, idx);
    const norms = rows.norm(norm_type, 1, true);
    const scale = where(norms.gt(max_norm), norms.add(1e-7).reciprocal().mul(max_norm), 1);
    weight.index_put_([idx], rows.mul(scale));
  });
}

/**
 * `F.embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
 * scale_grad_by_freq=False, sparse=False)`: `weight[input]`, shape input.shape + [embedding_dim].
 * Rows at padding_idx get no gradient; with max_norm the looked-up rows of `weight` are first
 * renormalised in place, as PyTorch does.
 * Differs from PyTorch: sparse=True (a sparse gradient) raises NotImplementedError.
 * @example F.embedding(torch.tensor([[0, 2], [1, 0]]), torch.randn(3, 4)).shape // [2, 2, 4]
 */
export function embedding(
  input: Tensor, weight: Tensor, padding_idx?: number | null | EmbeddingOptions, max_norm?: number | null | EmbeddingOptions,
  norm_type?: number | EmbeddingOptions, scale_grad_by_freq?: boolean | EmbeddingOptions, sparse?: boolean | EmbeddingOptions,
): Tensor {
  const o = pyArgs<EmbeddingOptions>(
    ['padding_idx', 'max_norm', 'norm_type', 'scale_grad_by_freq', 'sparse'],
    [padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse],
  );
  _noSparse(o.sparse);
  const pad = _paddingIdx(o.padding_idx, weight.size(0));
  if (input.dtype !== dt.int64 && input.dtype !== dt.int32) {
    throw new RuntimeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.typeName()} instead (while checking arguments for embedding)`,
    );
  }
  if (weight.dim() !== 2) throw new RuntimeError("'weight' must be 2-D");
  if (o.max_norm !== null && o.max_norm !== undefined) embeddingRenorm(weight, input, o.max_norm, o.norm_type ?? 2);
  const [num, dim] = weight._shape as [number, number];
  const flat = input.reshape(-1);
  const out = no_grad(() => weight.index_select(0, flat).view([...input._shape, dim]));
  const byFreq = o.scale_grad_by_freq ?? false;
  record('EmbeddingBackward0', [weight], [out], [], ([g]) => {
    let rows = g!.reshape(-1, dim);
    if (pad !== null) rows = rows.masked_fill(flat.eq(pad).unsqueeze(1), 0);
    if (byFreq) {
      const counts = rows.new_zeros([num]).index_add_(0, flat, rows.new_ones([flat.numel()]));
      rows = rows.div(counts.index_select(0, flat).unsqueeze(1));
    }
    return [rows.new_zeros([num, dim]).index_add_(0, flat, rows)];
  });
  return out;
}
