/**
 * @internal How nn.functional finds the backend's optional nn kernels (NnKernels in backend.ts:
 * im2col, col2im, max pooling, fused conv2d and batch norm) for a tensor's device.
 */

import { nnKernelsOf, type NnKernels } from '../../backend.js';
import { backendFor } from '../../device.js';
import type { Tensor } from '../../tensor.js';

/**
 * @internal Whether convolutions, pooling and batch norm use the backend's kernels where it has
 * them; tests turn it off to compare with the composed path every backend has.
 */
export const nnKernelConfig = { enabled: true };

/** The backend's nn kernels for `t`, or null where the composed path must run. */
export function nnKernelsFor(t: Tensor): NnKernels | null {
  return nnKernelConfig.enabled ? nnKernelsOf(backendFor(t.device)) : null;
}
