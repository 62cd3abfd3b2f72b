/** The CPU backend's storage: a typed array. */

import type { Backend, Storage } from '../../backend.js';
import type { DType, TypedArray } from '../../dtype.js';

export class CpuStorage implements Storage {
  version = 0;
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    /** The values; replaced (same values, new place) by `fusedOptim.adopt`, emptied by `donate`. */
    public data: TypedArray,
    /** Allocated here, not a caller's array that the storage shares (fromArray): free to move. */
    readonly owned = false,
  ) {}
  get size(): number {
    return this.data.length;
  }
}
