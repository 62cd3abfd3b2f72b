/**
 * The CPU backend's window kernels for convolutions and pooling (NnKernels in backend.ts:
 * im2col, col2im, maxPool2d, maxPool2dBackward): each is one pass over typed arrays, where the
 * composed versions copy a padded input, walk an as_strided view element by element and scatter
 * with index checks. float32 convolutions run whole in WebAssembly instead (wasm/conv.ts); these
 * serve the other dtypes, transposed convolutions, avg_pool2d and double backward.
 *
 * Loops run over output rows; for one kernel offset the valid output columns of a row form one
 * range (computed once), so the inner loops carry no bounds tests. Sums are accumulated in the
 * output's own typed array in the composed path's order, so float32 results match it bit for bit.
 */

import type { NnKernels, View, Window2d } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import type { CpuStorage } from './index.js';
import { wasmConv2d, wasmConv2dBackward, wasmMaxPool2d, wasmMaxPool2dBackward } from './wasm/conv.js';

const arr = (v: View): TypedArray => (v.storage as CpuStorage).data;

/** The output columns ox in [lo, hi) whose input column ox·s - p + j·d lies in [0, n). */
function validRange(o: number, s: number, p: number, off: number, n: number): [number, number] {
  // first ox with ox·s >= p - off, last with ox·s <= n - 1 + p - off
  const lo = Math.max(0, Math.ceil((p - off) / s));
  const hi = Math.min(o, Math.floor((n - 1 + p - off) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

function im2col(input: View, cols: View, w: Window2d): void {
  const src = arr(input);
  const dst = arr(cols);
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const [sN, sC, sHx, sWx] = input.strides as [number, number, number, number];
  const { kH, kW, sH, sW, pH, pW, dH, dW, oH, oW } = w;
  let d = cols.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = input.offset + n * sN + c * sC;
      for (let i = 0; i < kH; i++) {
        for (let j = 0; j < kW; j++) {
          const [lo, hi] = validRange(oW, sW, pW, j * dW, W);
          // input column of output column ox: x0 + ox·step (in elements)
          const x0 = (j * dW - pW) * sWx;
          const step = sW * sWx;
          for (let oy = 0; oy < oH; oy++, d += oW) {
            const h = oy * sH - pH + i * dH;
            // short rows: plain loops beat fill(), whose call costs more than a few stores
            if (h < 0 || h >= H || lo >= hi) {
              for (let ox = 0; ox < oW; ox++) dst[d + ox] = 0;
              continue;
            }
            for (let ox = 0; ox < lo; ox++) dst[d + ox] = 0;
            const row = plane + h * sHx + x0;
            if (step === 1) {
              for (let ox = lo; ox < hi; ox++) dst[d + ox] = src[row + ox]!;
            } else {
              for (let ox = lo, q = row + lo * step; ox < hi; ox++, q += step) dst[d + ox] = src[q]!;
            }
            for (let ox = hi; ox < oW; ox++) dst[d + ox] = 0;
          }
        }
      }
    }
  }
}

function col2im(cols: View, out: View, w: Window2d): void {
  const src = arr(cols);
  const dst = arr(out);
  const [N, C, H, W] = out.shape as [number, number, number, number];
  const [cN, cK, cL] = cols.strides as [number, number, number];
  const { kH, kW, sH, sW, pH, pW, dH, dW, oH, oW } = w;
  dst.fill(0, out.offset, out.offset + N * C * H * W);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = out.offset + (n * C + c) * H * W;
      for (let i = 0; i < kH; i++) {
        for (let j = 0; j < kW; j++) {
          const [lo, hi] = validRange(oW, sW, pW, j * dW, W);
          if (lo >= hi) continue;
          const rowK = cols.offset + n * cN + ((c * kH + i) * kW + j) * cK;
          const x0 = j * dW - pW;
          for (let oy = 0; oy < oH; oy++) {
            const h = oy * sH - pH + i * dH;
            if (h < 0 || h >= H) continue;
            const row = plane + h * W + x0;
            let q = rowK + (oy * oW + lo) * cL;
            if (sW === 1) {
              for (let ox = lo; ox < hi; ox++, q += cL) dst[row + ox] += src[q]!;
            } else {
              for (let ox = lo, p = row + lo * sW; ox < hi; ox++, q += cL, p += sW) dst[p] += src[q]!;
            }
          }
        }
      }
    }
  }
}

function maxPool2d(input: View, values: View, indices: View | null, w: Window2d): void {
  if (wasmMaxPool2d(input, values, indices, w)) return;
  const src = arr(input);
  const val = arr(values);
  const idx = indices ? arr(indices) : null;
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const [sN, sC, sHx, sWx] = input.strides as [number, number, number, number];
  const { kH, kW, sH, sW, pH, pW, dH, dW, oH, oW } = w;
  let o = values.offset;
  let oi = indices ? indices.offset : 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = input.offset + n * sN + c * sC;
      for (let oy = 0; oy < oH; oy++) {
        // the window's rows inside the input, as PyTorch's kernel clips them
        let h0 = oy * sH - pH;
        const h1 = Math.min(h0 + (kH - 1) * dH + 1, H);
        while (h0 < 0) h0 += dH;
        for (let ox = 0; ox < oW; ox++, o++, oi++) {
          let w0 = ox * sW - pW;
          const w1 = Math.min(w0 + (kW - 1) * dW + 1, W);
          while (w0 < 0) w0 += dW;
          let best = -Infinity;
          let at = h0 * W + w0;
          for (let h = h0; h < h1; h += dH) {
            const row = plane + h * sHx;
            for (let x = w0; x < w1; x += dW) {
              const v = src[row + x * sWx]!;
              // the first maximum wins; a NaN wins, the last one seen (PyTorch's CPU kernel)
              if (v > best || v !== v) {
                best = v;
                at = h * W + x;
              }
            }
          }
          val[o] = best;
          if (idx) idx[oi] = at;
        }
      }
    }
  }
}

function maxPool2dBackward(grad: View, indices: View, out: View, w?: Window2d): void {
  if (w && wasmMaxPool2dBackward(grad, indices, out, w)) return;
  const g = arr(grad);
  const ix = arr(indices);
  const dst = arr(out);
  const [N, C, H, W] = out.shape as [number, number, number, number];
  const [, , oH, oW] = grad.shape as [number, number, number, number];
  const [gN, gC, gH, gW] = grad.strides as [number, number, number, number];
  const [iN, iC, iH, iW] = indices.strides as [number, number, number, number];
  const HW = H * W;
  dst.fill(0, out.offset, out.offset + N * C * HW);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = out.offset + (n * C + c) * HW;
      const gp = grad.offset + n * gN + c * gC;
      const ip = indices.offset + n * iN + c * iC;
      for (let oy = 0; oy < oH; oy++) {
        for (let ox = 0, q = gp + oy * gH, r = ip + oy * iH; ox < oW; ox++, q += gW, r += iW) {
          // int64 indices are float64s: `| 0` makes the element access an integer one
          const at = (plane + ix[r]!) | 0;
          dst[at] = dst[at]! + g[q]!;
        }
      }
    }
  }
}

/** The convolution and pooling part of the CPU backend's nn kernels (see nn.ts). */
export const windowKernels: Omit<NnKernels, 'batchNormStats' | 'batchNorm' | 'batchNormBackward'> = {
  im2col, col2im, maxPool2d, maxPool2dBackward, conv2d: wasmConv2d, conv2dBackward: wasmConv2dBackward,
};
