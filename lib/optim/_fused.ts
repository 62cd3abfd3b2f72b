/**
 * The optimizers' access to a backend's optional fused update kernels (`Backend.fusedOptim`): they
 * look the capability up on the parameter's storage's backend (no backend is imported here) and
 * keep their op-table kernels when it is missing or declines (returns false).
 */

import type { FusedOptimKernels } from '../backend.js';
import { Tensor } from '../tensor.js';
import { empty_like, zeros_like } from '../ops/creation.js';
import { contiguousStrides } from '../shape.js';

/** The fused kernels of `p`'s backend, if it has them. */
export function fusedKernels(p: Tensor): FusedOptimKernels | undefined {
  return p._storage.backend.fusedOptim;
}

/**
 * `torch.zeros_like(p)` for optimizer state (or `empty_like`, whose contents the first fused step
 * overwrites): where `p`'s backend offers state memory its fused kernels update in place (the CPU:
 * WebAssembly memory, so a step copies at most the parameter and its gradient), the tensor lives there.
 */
export function stateLike(p: Tensor, fill: 'zeros' | 'empty' = 'zeros'): Tensor {
  const storage = p.is_contiguous() ? fusedKernels(p)?.stateStorage?.(p.dtype, p.numel()) : null;
  if (storage) return new Tensor(storage, p.device, p._shape, contiguousStrides(p._shape), 0);
  return fill === 'zeros' ? zeros_like(p) : empty_like(p);
}

/**
 * Lets `p`'s backend move its storage where the fused kernels update it in place (the CPU:
 * WebAssembly memory, so a step copies only the gradient and products read the weights in place).
 * Every view of the storage keeps seeing the same values. Called when the optimizer makes the
 * parameter's state (SGD without momentum has none and calls it every step: a moved storage is
 * recognised at once).
 */
export function adoptParam(p: Tensor): void {
  fusedKernels(p)?.adopt?.(p._storage);
}
