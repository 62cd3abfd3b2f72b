/** Batched matrix multiply on the CPU: pack both operands contiguously, then an i-k-j loop. */

import type { View } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';

function pack(src: TypedArray, v: View, b: number, rows: number, cols: number, out: Float64Array): void {
  const [sb, sr, sc] = v.strides as [number, number, number];
  let base = v.offset + b * sb;
  let k = 0;
  for (let i = 0; i < rows; i++, base += sr) {
    if (sc === 1) for (let j = 0; j < cols; j++) out[k++] = src[base + j]!;
    else for (let j = 0, p = base; j < cols; j++, p += sc) out[k++] = src[p]!;
  }
}

export function matmulKernel(
  ad: TypedArray, a: View, bd: TypedArray, b: View, od: TypedArray, o: View,
): void {
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const pa = new Float64Array(M * K);
  const pb = new Float64Array(K * N);
  const row = new Float64Array(N);
  const [osb, osr, osc] = o.strides as [number, number, number];
  for (let bi = 0; bi < B; bi++) {
    pack(ad, a, a.shape[0] === 1 ? 0 : bi, M, K, pa);
    pack(bd, b, b.shape[0] === 1 ? 0 : bi, K, N, pb);
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const x = pa[i * K + k]!;
        const off = k * N;
        for (let j = 0; j < N; j++) row[j] = row[j]! + x * pb[off + j]!;
      }
      const base = o.offset + bi * osb + i * osr;
      for (let j = 0; j < N; j++) od[base + j * osc] = row[j]!;
    }
  }
}
