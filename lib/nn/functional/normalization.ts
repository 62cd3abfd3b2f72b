/**
 * Normalisation of `nn.functional`: `batch_norm`, `layer_norm`, `group_norm`. Composites of
 * mean / var / rsqrt, so gradients (and double backward) come from those ops; the grad_fn names
 * are theirs, not PyTorch's NativeBatchNormBackward0 / NativeLayerNormBackward0 /
 * NativeGroupNormBackward0.
 */

import { RuntimeError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { pyArgs } from '../_args.js';

type BatchNormOpts = { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number };
type AffineOpts = { weight?: Tensor | null; bias?: Tensor | null; eps?: number };

/** A per-channel vector shaped to broadcast over (N, C, *). */
const perChannel = (v: Tensor, nd: number): Tensor => v.reshape([1, v.numel(), ...new Array<number>(Math.max(nd - 2, 0)).fill(1)]);

/**
 * `F.batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
 * momentum=0.1, eps=1e-5)`: normalises each channel (dim 1) of (N, C, *). In training it uses
 * the batch's statistics and updates the running ones in place (running_var with the unbiased
 * variance, as PyTorch does); otherwise it uses the running statistics.
 * @example F.batch_norm(x, rm, rv, null, null, true) // rm, rv updated with momentum 0.1
 */
export function batch_norm(
  input: Tensor, running_mean: Tensor | null, running_var: Tensor | null,
  weight?: Tensor | null | BatchNormOpts, bias?: Tensor | null | BatchNormOpts, training?: boolean | BatchNormOpts,
  momentum?: number | BatchNormOpts, eps?: number | BatchNormOpts,
): Tensor {
  const o = pyArgs<BatchNormOpts>(['weight', 'bias', 'training', 'momentum', 'eps'], [weight, bias, training, momentum, eps]);
  const train = o.training ?? false;
  const m = o.momentum ?? 0.1;
  const e = o.eps ?? 1e-5;
  if (input.dim() < 2) {
    throw new ValueError(`Expected 2D or more input (got ${input.dim()}D input)`);
  }
  const C = input._shape[1]!;
  const nd = input.dim();
  if (train) {
    const count = input.numel() / C;
    if (count <= 1) {
      throw new ValueError(`Expected more than 1 value per channel when training, got input size torch.Size([${input._shape.join(', ')}])`);
    }
  }
  for (const [name, t] of [['running_mean', running_mean], ['running_var', running_var], ['weight', o.weight ?? null], ['bias', o.bias ?? null]] as const) {
    if (t && t.numel() !== C) throw new RuntimeError(`${name} should contain ${C} elements not ${t.numel()}`);
  }
  const dims = [0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2)];
  let mean: Tensor;
  let varc: Tensor;
  if (train || !running_mean || !running_var) {
    mean = input.mean(dims, { keepdim: true });
    varc = input.var(dims, { unbiased: false, keepdim: true });
    if (train && running_mean && running_var) {
      const n = input.numel() / C;
      no_grad(() => {
        running_mean.mul_(1 - m).add_(mean.reshape(C).mul(m));
        running_var.mul_(1 - m).add_(varc.reshape(C).mul((m * n) / (n - 1)));
      });
    }
  } else {
    mean = perChannel(running_mean, nd);
    varc = perChannel(running_var, nd);
  }
  let y = input.sub(mean).mul(varc.add(e).rsqrt());
  if (o.weight) y = y.mul(perChannel(o.weight, nd));
  if (o.bias) y = y.add(perChannel(o.bias, nd));
  return y;
}

/**
 * `F.layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5)`: normalises over the
 * last len(normalized_shape) dims with the biased variance, then applies the elementwise affine.
 * @example F.layer_norm(torch.randn(4, 10), [10]).mean(-1) // ~0
 */
export function layer_norm(
  input: Tensor, normalized_shape: number | readonly number[], weight?: Tensor | null | AffineOpts,
  bias?: Tensor | null | AffineOpts, eps?: number | AffineOpts,
): Tensor {
  const o = pyArgs<AffineOpts>(['weight', 'bias', 'eps'], [weight, bias, eps]);
  const ns = typeof normalized_shape === 'number' ? [normalized_shape] : normalized_shape.slice();
  const k = ns.length;
  const tail = input._shape.slice(input.dim() - k);
  if (k === 0 || input.dim() < k || tail.some((n, i) => n !== ns[i])) {
    throw new RuntimeError(
      `Given normalized_shape=[${ns.join(', ')}], expected input with shape [*, ${ns.join(', ')}], but got input of size[${input._shape.join(', ')}]`,
    );
  }
  for (const [name, t] of [['weight', o.weight ?? null], ['bias', o.bias ?? null]] as const) {
    if (t && (t.dim() !== k || t._shape.some((n, i) => n !== ns[i]))) {
      throw new RuntimeError(`Expected ${name} to be of same shape as normalized_shape, but got ${name} of shape [${t._shape.join(', ')}] and normalized_shape = [${ns.join(', ')}]`);
    }
  }
  const dims = Array.from({ length: k }, (_, i) => input.dim() - k + i);
  const mean = input.mean(dims, { keepdim: true });
  const v = input.var(dims, { unbiased: false, keepdim: true });
  let y = input.sub(mean).mul(v.add(o.eps ?? 1e-5).rsqrt());
  if (o.weight) y = y.mul(o.weight);
  if (o.bias) y = y.add(o.bias);
  return y;
}

/**
 * `F.group_norm(input, num_groups, weight=None, bias=None, eps=1e-5)`: normalises (N, C, *) over
 * each group of C / num_groups channels (and all spatial positions), then a per-channel affine.
 * @example F.group_norm(torch.randn(2, 6, 4, 4), 3).shape // [2, 6, 4, 4]
 */
export function group_norm(
  input: Tensor, num_groups: number, weight?: Tensor | null | AffineOpts, bias?: Tensor | null | AffineOpts,
  eps?: number | AffineOpts,
): Tensor {
  const o = pyArgs<AffineOpts>(['weight', 'bias', 'eps'], [weight, bias, eps]);
  if (input.dim() < 2) throw new RuntimeError(`Expected at least 2 dimensions for input tensor but received ${input.dim()}`);
  const N = input._shape[0]!;
  const C = input._shape[1]!;
  if (C % num_groups !== 0) {
    throw new RuntimeError(
      `Expected number of channels in input to be divisible by num_groups, but got input of shape [${input._shape.join(', ')}] and num_groups=${num_groups}`,
    );
  }
  const g = input.reshape(N, num_groups, -1);
  const mean = g.mean(-1, { keepdim: true });
  const v = g.var(-1, { unbiased: false, keepdim: true });
  let y = g.sub(mean).mul(v.add(o.eps ?? 1e-5).rsqrt()).reshape(input._shape.slice());
  if (o.weight) y = y.mul(perChannel(o.weight, input.dim()));
  if (o.bias) y = y.add(perChannel(o.bias, input.dim()));
  return y;
}
