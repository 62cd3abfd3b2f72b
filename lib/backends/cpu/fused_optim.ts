/**
 * The CPU backend's fused optimizer kernels (see lib/optim/_fused.ts): float32 parameters whose
 * gradient and state are dense runs of memory go to the WebAssembly SIMD updates of
 * wasm/optim.wat; anything else is declined and the optimizer runs its op-table kernels.
 */

import type { FusedOptimKernels, Storage, View } from '../../backend.js';
import { numelOf } from '../../shape.js';
import { wasmAdam, wasmAdoptArray, wasmSgd, wasmStateArray, type F32Run } from './wasm/optim.js';

/** The view as one dense float32 run of n elements (row-major, any shape), or null. */
function run(v: View, n: number, data: (v: View) => unknown): F32Run | null {
  if (v.dtype.name !== 'float32' || numelOf(v.shape) !== n) return null;
  const d = data(v);
  if (!(d instanceof Float32Array)) return null;
  let expect = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    const len = v.shape[i]!;
    if (len !== 1 && v.strides[i] !== expect) return null;
    expect *= len;
  }
  return { data: d, offset: v.offset, storage: v.storage };
}

/**
 * The kernels over storages whose typed array `data` returns (null for another backend's); state
 * storages wrap arrays of the kernels' memory with `wrap`; `replace` gives a storage of the
 * backend's own the array `move` returns for its values (or leaves it when null or not its own).
 */
export function fusedOptimKernels(
  data: (v: View) => unknown,
  wrap: (arr: Float32Array) => Storage,
  replace: (s: Storage, move: (values: Float32Array) => Float32Array | null) => void,
): FusedOptimKernels {
  return {
    adopt(storage) {
      replace(storage, wasmAdoptArray);
    },
    stateStorage(dtype, numel) {
      if (dtype.name !== 'float32' || numel === 0) return null;
      const arr = wasmStateArray(numel);
      return arr && wrap(arr);
    },
    adam(p, grad, m, v, vmax, s) {
      const n = numelOf(p.shape);
      if (n === 0) return false;
      const rp = run(p, n, data);
      const rg = run(grad, n, data);
      const rm = run(m, n, data);
      const rv = run(v, n, data);
      const rx = vmax === null ? null : run(vmax, n, data);
      if (!rp || !rg || !rm || !rv || (vmax !== null && !rx)) return false;
      return wasmAdam(n, rp, rg, rm, rv, rx, s);
    },
    sgd(p, grad, buf, first, s) {
      const n = numelOf(p.shape);
      if (n === 0) return false;
      const rp = run(p, n, data);
      const rg = run(grad, n, data);
      const rb = buf === null ? null : run(buf, n, data);
      if (!rp || !rg || (buf !== null && !rb)) return false;
      return wasmSgd(n, rp, rg, rb, first, s);
    },
  };
}
