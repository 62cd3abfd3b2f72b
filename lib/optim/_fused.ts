/**
 * The optimizers' access to a backend's optional fused update kernels (`Backend.fusedOptim`): they
 * look the capability up on the parameter's storage's backend (no backend is imported here) and
 * keep their op-table kernels when it is missing or declines (returns false).
 */

import type { FusedOptimKernels } from '../backend.js';
import type { Tensor } from '../tensor.js';

/** The fused kernels of `p`'s backend, if it has them. */
export function fusedKernels(p: Tensor): FusedOptimKernels | undefined {
  return p._storage.backend.fusedOptim;
}
