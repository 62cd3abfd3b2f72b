/**
 * `torch.nn.functional` (imported as `F`): activations, losses, linear, dropout and one_hot.
 * Activations, losses, convolution and padding, pooling, and normalisation live in
 * functional/activation.ts, loss.ts, conv.ts, pooling.ts and normalization.ts.
 */

import * as dt from '../dtype.js';
import { RuntimeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { arange, empty_like, zeros } from '../ops/creation.js';
import { no_grad } from '../autograd/grad_mode.js';
import { pyArgs } from './_args.js';

export {
  relu, relu_, leaky_relu, leaky_relu_, elu, elu_, gelu, silu, sigmoid, tanh, softplus, hardtanh, hardtanh_, relu6,
  softmax, log_softmax,
} from './functional/activation.js';
export {
  nll_loss, cross_entropy, mse_loss, l1_loss, smooth_l1_loss, huber_loss, binary_cross_entropy,
  binary_cross_entropy_with_logits,
  type Reduction, type NllOptions, type CrossEntropyOptions, type ReductionOptions, type BceOptions,
} from './functional/loss.js';
export { pad, conv1d, conv2d, type PadMode, type ConvPadding, type IntOrTuple } from './functional/conv.js';
export { max_pool2d, avg_pool2d, adaptive_avg_pool2d } from './functional/pooling.js';
export { conv_transpose1d, conv_transpose2d } from './functional/conv.js';
export { kl_div, type KlDivReduction, type KlDivOptions } from './functional/loss.js';
export {
  interpolate, upsample, upsample_nearest, upsample_bilinear, type InterpolateMode, type InterpolateOptions,
} from './functional/upsampling.js';
export { batch_norm, layer_norm, group_norm } from './functional/normalization.js';
export { embedding, type EmbeddingOptions } from './functional/sparse.js';
export { scaled_dot_product_attention, multi_head_attention_forward, type SdpaOptions, type MhaOptions } from './functional/attention.js';

/**
 * `F.linear(input, weight, bias=None)`: input @ weightᵀ + bias, with weight (out, in). A 2-d
 * input with a bias is one addmm (AddmmBackward0), as in PyTorch; so is a contiguous 3-d one,
 * viewed as 2-d.
 * @example F.linear(x, w, b) // x: [N, 784], w: [64, 784], b: [64] -> [N, 64]
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const wt = weight.t();
  if (bias) {
    if (input.dim() === 2) return bias.addmm(input, wt);
    if (input.dim() === 3 && input.is_contiguous()) {
      const [a, b, c] = input._shape as [number, number, number];
      return bias.addmm(input.view(a * b, c), wt).view(a, b, -1);
    }
    return input.matmul(wt).add(bias);
  }
  return input.matmul(wt);
}

type DropoutOpts = { p?: number; training?: boolean; inplace?: boolean };

/**
 * `F.dropout(input, p=0.5, training=True, inplace=False)`: zeroes each element with probability
 * `p` and scales the rest by 1 / (1 - p); returns `input` itself when not training or p = 0.
 * @example F.dropout(x, 0.2, this.training); F.dropout(x, {p: 0.2, training: this.training})
 */
export function dropout(
  input: Tensor,
  p?: number | DropoutOpts,
  training?: boolean | DropoutOpts,
  inplace?: boolean | DropoutOpts,
): Tensor {
  const o = pyArgs<DropoutOpts>(['p', 'training', 'inplace'], [p, training, inplace]);
  const prob = o.p ?? 0.5;
  if (!(prob >= 0 && prob <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${prob}`);
  const train = o.training ?? true;
  if (!train || prob === 0 || input.numel() === 0) return input;
  const noise = no_grad(() => {
    if (prob === 1) return zeros([], { dtype: input.dtype, device: input.device });
    return empty_like(input).bernoulli_(1 - prob).div_(1 - prob);
  });
  return o.inplace ? input.mul_(noise) : input.mul(noise);
}

/**
 * `F.one_hot(tensor, num_classes=-1)`: int64 (*, num_classes) with a 1 at each index; with -1
 * the number of classes is max + 1.
 * @example F.one_hot(torch.tensor([0, 2]), 3) // tensor([[1, 0, 0], [0, 0, 1]])
 */
export function one_hot(tensor: Tensor, num_classes: number | { num_classes?: number } = -1): Tensor {
  let C = pyArgs<{ num_classes?: number }>(['num_classes'], [num_classes]).num_classes ?? -1;
  if (tensor.dtype !== dt.int64) throw new RuntimeError('one_hot is only applicable to index tensor.');
  if (tensor.numel() === 0) {
    if (C <= 0) throw new RuntimeError('Can not infer total number of classes from empty tensor.');
  } else {
    if (tensor.min().item() < 0) throw new RuntimeError('Class values must be non-negative.');
    const max = tensor.max().item();
    if (C === -1) C = max + 1;
    else if (max >= C) throw new RuntimeError('Class values must be smaller than num_classes.');
  }
  return no_grad(() => tensor.unsqueeze(-1).eq(arange(C, { device: tensor.device })).to(dt.int64));
}
