/**
 * softmax and log_softmax along a dim: the forward subtracts the (detached) max so exp cannot
 * overflow and is computed without recording; each op is then one graph node with PyTorch's
 * closed-form backward, as SoftmaxBackward0 / LogSoftmaxBackward0 are. Backends with fused
 * kernels (Backend.softmax, softmaxBackward: WebGPU) run each direction as one kernel; the others
 * compose it from reductions and pointwise ops.
 */

import type { View } from '../backend.js';
import { backendFor } from '../device.js';
import type { DType } from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { normDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { emptyTensor, needsGrad, record, viewOf } from './dispatch.js';
import { cTypeName } from './pointwise.js';
import { no_grad } from '../autograd/grad_mode.js';

/** A tensor's view with dim `d` swapped with the last, as the fused kernels take rows (0-d as [1]). */
function lastDimView(t: Tensor, d: number): View {
  const v = viewOf(t);
  if (v.shape.length === 0) return { ...v, shape: [1], strides: [1] };
  const shape = v.shape.slice();
  const strides = v.strides.slice();
  const k = shape.length - 1;
  [shape[d], shape[k]] = [shape[k]!, shape[d]!];
  [strides[d], strides[k]] = [strides[k]!, strides[d]!];
  return { ...v, shape, strides };
}

function run(x: Tensor, dim: number, dtype: DType | undefined, log: boolean): Tensor {
  const src = dtype ? x.to(dtype) : x;
  const d = normDim(dim, src.dim());
  if (!src.dtype.is_floating_point && src.numel() > 0) {
    // PyTorch 1.13 names the kernel that refused the dtype; the inner-dim kernel is shared
    const last = src.dim() === 0 || d === src.dim() - 1;
    const kernel = last ? `${log ? 'log_' : ''}softmax_lastdim_kernel_impl` : 'softmax_kernel_impl';
    throw new RuntimeError(`"${kernel}" not implemented for '${cTypeName(src.dtype)}'`);
  }
  const be = backendFor(src.device);
  const y = no_grad(() => {
    if (src.numel() === 0) return emptyTensor(src._shape, src.dtype, src.device);
    if (be.softmax) {
      const out = emptyTensor(src._shape, src.dtype, src.device);
      be.softmax(lastDimView(src, d), lastDimView(out, d), log);
      return out;
    }
    const z = src.sub(src.amax(d, true));
    if (log) return z.sub(z.exp().sum(d, true).log());
    const e = z.exp();
    return e.div_(e.sum(d, true));
  });
  // the fused backward kernel has no graph of its own: double backward composes
  const fused = (g: Tensor, out: Tensor): Tensor | null => {
    if (!be.softmaxBackward || needsGrad([g, out]) || g.device !== out.device || g.dtype !== out.dtype) return null;
    const gi = emptyTensor(out._shape, out.dtype, out.device);
    if (gi.numel() > 0) be.softmaxBackward(lastDimView(g, d), lastDimView(out, d), lastDimView(gi, d), log);
    return gi;
  };
  if (log) {
    record('LogSoftmaxBackward0', [src], [y], [y], ([g], [out]) => [fused(g!, out!) ?? g!.sub(out!.exp().mul(g!.sum(d, true)))]);
  } else {
    record('SoftmaxBackward0', [src], [y], [y], ([g], [out]) => [fused(g!, out!) ?? out!.mul(g!.sub(g!.mul(out!).sum(d, true)))]);
  }
  return y;
}

/**
 * `torch.softmax(input, dim, dtype=None)` / `F.softmax`: exp(x) / Σ exp(x) along `dim`,
 * computed stably (the max is subtracted first). With `dtype` the input is cast first.
 * @example torch.softmax(torch.tensor([1., 2., 3.]), 0) // tensor([0.0900, 0.2447, 0.6652])
 */
export function softmax(x: Tensor, dim: number, dtype?: DType): Tensor {
  return run(x, dim, dtype, false);
}

/**
 * `torch.log_softmax(input, dim, dtype=None)`: x - logsumexp(x) along `dim`, stable for large
 * inputs (the max is subtracted first). With `dtype` the input is cast first.
 * @example logits.log_softmax(1) // log-probabilities per row
 */
export function log_softmax(x: Tensor, dim: number, dtype?: DType): Tensor {
  return run(x, dim, dtype, true);
}
