/**
 * Host values to and from the 4-byte elements a WebGPU buffer holds: float32 as f32; int32, int64,
 * uint8 and bool as i32 (WGSL has no 8- or 64-bit storage). int64 values must fit in int32:
 * uploads outside that range raise an error instead of wrapping. float64 is refused.
 */

import type { DType, TypedArray } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Host values of `dtype` as the 4-byte elements the device stores. */
export function toDevice(dtype: DType, values: ArrayLike<number>): Float32Array | Int32Array {
  const n = values.length;
  if (dtype.name === 'float32') return Float32Array.from(values as ArrayLike<number>);
  const out = new Int32Array(n);
  switch (dtype.name) {
    case 'int64':
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (!(v >= INT32_MIN && v <= INT32_MAX)) {
          throw new RuntimeError(
            `value ${v} cannot be stored in an int64 tensor on a WebGPU ('cuda') device: WebGPU has no 64-bit integers, ` +
              `so torchlab stores int64 as int32 there (range ${INT32_MIN} to ${INT32_MAX}). Keep the tensor on the CPU, or use float32.`,
          );
        }
        out[i] = v;
      }
      return out;
    case 'uint8': {
      const u = values instanceof Uint8Array ? values : Uint8Array.from(values);
      out.set(u);
      return out;
    }
    case 'bool':
      for (let i = 0; i < n; i++) out[i] = values[i] !== 0 ? 1 : 0;
      return out;
    default:
      out.set(values instanceof Int32Array ? values : Int32Array.from(values));
      return out;
  }
}

export function fromDevice(dtype: DType, bytes: ArrayBuffer, n: number): TypedArray {
  if (dtype.name === 'float32') return new Float32Array(bytes, 0, n);
  const ints = new Int32Array(bytes, 0, n);
  switch (dtype.name) {
    case 'int32':
      return ints;
    case 'int64':
      return Float64Array.from(ints);
    default:
      return Uint8Array.from(ints);
  }
}

export function checkDtype(dtype: DType): void {
  if (dtype.name === 'float64') {
    throw new TypeError(
      "Cannot convert a cuda Tensor to float64 dtype as WebGPU (torchlab's cuda device) doesn't support float64. Please use float32 instead.",
    );
  }
}
