/**
 * Normalisation of `nn.functional`: `batch_norm`, `layer_norm`, `group_norm`. batch_norm is one
 * NativeBatchNormBackward0 node with PyTorch's closed-form backward, run by the backend's
 * kernels where it has them (NnKernels: the CPU). layer_norm and group_norm are composites of
 * mean / var / rsqrt, so gradients (and double backward) come from those ops; their grad_fn
 * names are theirs, not PyTorch's NativeLayerNormBackward0 / NativeGroupNormBackward0.
 */

import { sizeRepr } from '../../size.js';
import { RuntimeError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { emptyTensor, record, viewOf } from '../../ops/dispatch.js';
import { is_grad_enabled, no_grad } from '../../autograd/grad_mode.js';
import { pyArgs } from '../_args.js';
import { nnKernelsFor } from './_kernels.js';

type BatchNormOpts = { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number };
type AffineOpts = { weight?: Tensor | null; bias?: Tensor | null; eps?: number };

/** A per-channel vector shaped to broadcast over (N, C, *). */
const perChannel = (v: Tensor, nd: number): Tensor => v.reshape([1, v.numel(), ...new Array<number>(Math.max(nd - 2, 0)).fill(1)]);

/**
 * `F.batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
 * momentum=0.1, eps=1e-5)`: normalises each channel (dim 1) of (N, C, *). In training it uses
 * the batch's statistics and updates the running ones in place (running_var with the unbiased
 * variance, as PyTorch does); otherwise it uses the running statistics. Records one
 * NativeBatchNormBackward0 node, as PyTorch does; its backward is PyTorch's closed form (a fused
 * kernel on the CPU), composed of tensor ops when its own graph is recorded, so double backward
 * works.
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
  const N = input._shape[0]!;
  const C = input._shape[1]!;
  const S = input.numel() / Math.max(N * C, 1);
  if (train) {
    const count = input.numel() / C;
    if (count <= 1) {
      throw new ValueError(`Expected more than 1 value per channel when training, got input size ${sizeRepr(input._shape)}`);
    }
  }
  const w = o.weight ?? null;
  const b = o.bias ?? null;
  for (const [name, t] of [['running_mean', running_mean], ['running_var', running_var], ['weight', w], ['bias', b]] as const) {
    if (t && t.numel() !== C) throw new RuntimeError(`${name} should contain ${C} elements not ${t.numel()}`);
  }
  if (input.numel() === 0) return input.clone();
  const batchStats = train || !running_mean || !running_var;
  // the kernels take (N, C, S) views of one dtype
  const k = nnKernelsFor(input);
  const fused = !!k?.batchNorm && input.dtype.is_floating_point && [w, b].every((t) => !t || (t.dtype === input.dtype && t.device === input.device));
  const x3 = input.reshape(N, C, S);
  const chan = (t: Tensor): Tensor => t.reshape(1, C, 1);
  const [mean, invstd] = no_grad(() => {
    let mu: Tensor;
    let v: Tensor;
    if (batchStats) {
      if (fused && k?.batchNormStats) {
        mu = emptyTensor([C], input.dtype, input.device);
        v = emptyTensor([C], input.dtype, input.device);
        k.batchNormStats(viewOf(x3), viewOf(mu), viewOf(v));
      } else {
        mu = x3.mean([0, 2]);
        v = x3.var([0, 2], { unbiased: false });
      }
      if (train && running_mean && running_var) {
        const n = N * S;
        running_mean.mul_(1 - m).add_(mu.reshape(running_mean._shape.slice()).mul(m));
        running_var.mul_(1 - m).add_(v.reshape(running_var._shape.slice()).mul((m * n) / (n - 1)));
      }
    } else {
      mu = running_mean!.reshape(C);
      v = running_var!.reshape(C);
    }
    return [mu, v.add(e).rsqrt()];
  });
  const out = no_grad(() => {
    if (fused && k?.batchNorm && mean.dtype === input.dtype) {
      const y = emptyTensor([N, C, S], input.dtype, input.device);
      k.batchNorm(viewOf(x3), viewOf(mean), viewOf(invstd), w && viewOf(w.reshape(C)), b && viewOf(b.reshape(C)), viewOf(y));
      return y.view(input._shape.slice());
    }
    let y = x3.sub(chan(mean)).mul(chan(invstd));
    if (w) y = y.mul(chan(w));
    if (b) y = y.add(chan(b));
    return y.reshape(input._shape.slice());
  });
  record('NativeBatchNormBackward0', [input, w, b], [out], [input, ...(w ? [w] : [])], ([g]) => {
    const needX = input.requires_grad;
    const needW = !!w && w.requires_grad;
    const needB = !!b && b.requires_grad;
    const g3 = g!.reshape(N, C, S);
    if (fused && k?.batchNormBackward && !is_grad_enabled() && g!.dtype === input.dtype && g!.device === input.device) {
      const gx = needX ? emptyTensor([N, C, S], input.dtype, input.device) : null;
      const gw = needW ? emptyTensor([C], input.dtype, input.device) : null;
      const gb = needB ? emptyTensor([C], input.dtype, input.device) : null;
      const view = (t: Tensor | null) => t && viewOf(t);
      k.batchNormBackward(viewOf(g3), viewOf(x3), viewOf(mean), viewOf(invstd), w && viewOf(w.reshape(C)), view(gx), view(gw), view(gb), batchStats);
      return [gx && gx.view(input._shape.slice()), gw && gw.view(w!._shape.slice()), gb && gb.view(b!._shape.slice())];
    }
    // with create_graph the batch statistics are recomputed from x through the graph, so the
    // second derivative sees how they move with x
    const graph = is_grad_enabled() && batchStats;
    const mu = graph ? x3.mean([0, 2], { keepdim: true }) : chan(mean);
    const is = graph ? x3.var([0, 2], { unbiased: false, keepdim: true }).add(e).rsqrt() : chan(invstd);
    const xhat = x3.sub(mu).mul(is);
    const sg = g3.sum([0, 2], { keepdim: true });
    const sgx = g3.mul(xhat).sum([0, 2], { keepdim: true });
    let gx: Tensor | null = null;
    if (needX) {
      const M = N * S;
      gx = batchStats ? g3.sub(sg.div(M)).sub(xhat.mul(sgx.div(M))).mul(is) : g3.mul(is);
      if (w) gx = gx.mul(chan(w));
      gx = gx.reshape(input._shape.slice());
    }
    return [gx, needW ? sgx.reshape(w!._shape.slice()) : null, needB ? sg.reshape(b!._shape.slice()) : null];
  });
  return out;
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
