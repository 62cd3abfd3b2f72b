/**
 * Element encodings shared by the safetensors and checkpoint readers and the safetensors writer:
 * little-endian bytes to torchlab's typed arrays and back. int64 is written as real int64 (from
 * the float64 storage torchlab keeps it in); types torchlab lacks widen on reading (float16 and
 * bfloat16 to float32, int8/int16/uint16 to int32, uint32/uint64 to int64).
 */

import * as dt from '../dtype.js';
import type { DType, TypedArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';

/** safetensors' dtype codes (also used for the storages of PyTorch checkpoints). */
export type WireType = 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

export const wireSize: Record<WireType, number> = {
  BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** safetensors orders tensors by this rank (its Rust enum's order), largest first. */
export const wireRank: Record<WireType, number> = {
  BOOL: 0, U8: 1, I8: 2, I16: 5, U16: 6, F16: 7, BF16: 8, I32: 9, U32: 10, F32: 11, F64: 12, I64: 13, U64: 14,
};

const wireOf: Record<dt.DTypeName, WireType> = { float32: 'F32', float64: 'F64', int32: 'I32', int64: 'I64', uint8: 'U8', bool: 'BOOL' };

const dtypeOf: Record<WireType, DType> = {
  BOOL: dt.bool, U8: dt.uint8, I8: dt.int32, I16: dt.int32, U16: dt.int32, I32: dt.int32, U32: dt.int64, I64: dt.int64, U64: dt.int64,
  F16: dt.float32, BF16: dt.float32, F32: dt.float32, F64: dt.float64,
};

export function isWireType(s: unknown): s is WireType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(wireSize, s);
}

/** A tensor's elements in C order as the little-endian bytes safetensors stores. */
export function encodeTensor(t: Tensor): { wire: WireType; bytes: Uint8Array } {
  const wire = wireOf[t.dtype.name];
  const values = t.numpy();
  if (wire === 'I64') {
    const out = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
    return { wire, bytes: new Uint8Array(out.buffer) };
  }
  return { wire, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * `numel` elements of type `wire` from `bytes` (which may hold more, as a storage does) as a
 * typed array of the torchlab dtype they load as; `short` is called when the bytes are too few.
 */
export function decodeElements(wire: WireType, bytes: Uint8Array, numel: number, short: () => never): { values: TypedArray; dtype: DType } {
  const size = wireSize[wire];
  if (bytes.byteLength < numel * size) short();
  // a copy, so the tensor owns aligned memory independent of the file buffer
  const own = new Uint8Array(numel * size);
  own.set(bytes.subarray(0, numel * size));
  const buf = own.buffer;
  const dtype = dtypeOf[wire];
  const dv = new DataView(buf);
  switch (wire) {
    case 'F32': return { values: new Float32Array(buf), dtype };
    case 'F64': return { values: new Float64Array(buf), dtype };
    case 'I32': return { values: new Int32Array(buf), dtype };
    case 'U8': return { values: new Uint8Array(buf), dtype };
    case 'BOOL': {
      const v = new Uint8Array(buf);
      for (let i = 0; i < numel; i++) v[i] = v[i] ? 1 : 0;
      return { values: v, dtype };
    }
    case 'I64': case 'U64': {
      const src = wire === 'I64' ? new BigInt64Array(buf) : new BigUint64Array(buf);
      const v = new Float64Array(numel);
      for (let i = 0; i < numel; i++) v[i] = Number(src[i]!);
      return { values: v, dtype };
    }
    case 'U32': {
      const v = new Float64Array(numel);
      for (let i = 0; i < numel; i++) v[i] = dv.getUint32(4 * i, true);
      return { values: v, dtype };
    }
    case 'I8': case 'I16': case 'U16': {
      const src = wire === 'I8' ? new Int8Array(buf) : wire === 'I16' ? new Int16Array(buf) : new Uint16Array(buf);
      return { values: Int32Array.from(src), dtype };
    }
    case 'F16': case 'BF16': {
      const v = new Float32Array(numel);
      const u16 = new Uint16Array(buf);
      const f32 = new Float32Array(1);
      const u32 = new Uint32Array(f32.buffer);
      for (let i = 0; i < numel; i++) {
        if (wire === 'F16') v[i] = half(u16[i]!);
        else {
          u32[0] = u16[i]! << 16;
          v[i] = f32[0]!;
        }
      }
      return { values: v, dtype };
    }
  }
}
