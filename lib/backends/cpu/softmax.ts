/**
 * The CPU backend's fused softmax, log_softmax and nll_loss kernels (the optional
 * `softmax`, `softmaxBackward`, `nllLoss` and `nllLossBackward` of backend.ts), spread into its
 * Backend object. Without them each of these ops is composed from four to sixteen small kernels
 * and as many new tensors, which is most of the cost of a loss on a small batch (issue 9: the
 * MNIST MLP at batch 10 runs log_softmax twice and nll_loss once per step, on [10, 10]).
 *
 * Rows are the last dim of each view (ops/softmax.ts and nn/functional/loss.ts move the class
 * dim there). softmax and log_softmax are computed in float64 from the row's maximum and rounded
 * once; nll_loss rounds -weight·input as the composed path does, and raises PyTorch's
 * `IndexError: Target 12 is out of bounds.` for the first target outside [0, C) at once, as
 * PyTorch's CPU kernel does (nothing is deferred as on a device).
 */

import type { Backend, View } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import { IndexError } from '../../errors.js';
import type { CpuStorage } from './index.js';

const arr = (v: View): TypedArray => (v.storage as CpuStorage).data;

/** The element offset of each row (all dims but the last) of `v`, in row-major order. */
function rowStarts(v: View, dims = v.shape.length - 1): number[] {
  const shape = v.shape;
  const strides = v.strides;
  let rows = 1;
  for (let d = 0; d < dims; d++) rows *= shape[d]!;
  const out = new Array<number>(rows);
  if (rows === 0) return out;
  const idx = new Array<number>(dims).fill(0);
  let off = v.offset;
  for (let r = 0; r < rows; r++) {
    out[r] = off;
    for (let d = dims - 1; d >= 0; d--) {
      off += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      off -= idx[d]! * strides[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

export const softmaxKernels: Pick<Backend, 'softmax' | 'softmaxBackward' | 'nllLoss' | 'nllLossBackward'> = {
  softmax(input, out, log) {
    const x = arr(input);
    const y = arr(out);
    const nd = input.shape.length;
    const C = input.shape[nd - 1]!;
    const sx = input.strides[nd - 1]!;
    const sy = out.strides[nd - 1]!;
    const xs = rowStarts(input);
    const ys = rowStarts(out);
    for (let r = 0; r < xs.length; r++) {
      const a = xs[r]!;
      const b = ys[r]!;
      let m = -Infinity;
      for (let j = 0, p = a; j < C; j++, p += sx) {
        const v = x[p]!;
        // NaN wins, so a row with a NaN is all NaN, as the composed op gives
        if (v > m || v !== v) m = v;
        if (v !== v) break;
      }
      let s = 0;
      for (let j = 0, p = a; j < C; j++, p += sx) s += Math.exp(x[p]! - m);
      if (log) {
        const ls = Math.log(s);
        for (let j = 0, p = a, q = b; j < C; j++, p += sx, q += sy) y[q] = x[p]! - m - ls;
      } else {
        for (let j = 0, p = a, q = b; j < C; j++, p += sx, q += sy) y[q] = Math.exp(x[p]! - m) / s;
      }
    }
  },

  softmaxBackward(grad, output, gradInput, log) {
    const g = arr(grad);
    const y = arr(output);
    const gi = arr(gradInput);
    const nd = grad.shape.length;
    const C = grad.shape[nd - 1]!;
    const sg = grad.strides[nd - 1]!;
    const sy = output.strides[nd - 1]!;
    const si = gradInput.strides[nd - 1]!;
    const gs = rowStarts(grad);
    const ys = rowStarts(output);
    const is = rowStarts(gradInput);
    for (let r = 0; r < gs.length; r++) {
      const a = gs[r]!;
      const b = ys[r]!;
      const c = is[r]!;
      let s = 0;
      if (log) {
        // grad - exp(output) · Σ grad
        for (let j = 0, p = a; j < C; j++, p += sg) s += g[p]!;
        for (let j = 0, p = a, q = b, o = c; j < C; j++, p += sg, q += sy, o += si) gi[o] = g[p]! - Math.exp(y[q]!) * s;
      } else {
        // output · (grad - Σ grad · output)
        for (let j = 0, p = a, q = b; j < C; j++, p += sg, q += sy) s += g[p]! * y[q]!;
        for (let j = 0, p = a, q = b, o = c; j < C; j++, p += sg, q += sy, o += si) gi[o] = y[q]! * (g[p]! - s);
      }
    }
  },

  nllLoss(input, target, weight, ignoreIndex, loss, w) {
    const x = arr(input);
    const t = arr(target);
    const wt = weight ? arr(weight) : null;
    const lo = arr(loss);
    const wo = arr(w);
    const nd = input.shape.length;
    const C = input.shape[nd - 1]!;
    const sx = input.strides[nd - 1]!;
    const sw = weight ? weight.strides[0]! : 0;
    const w0 = weight ? weight.offset : 0;
    const xs = rowStarts(input);
    const ts = rowStarts(target, target.shape.length);
    const ls = rowStarts(loss, loss.shape.length);
    const ws = rowStarts(w, w.shape.length);
    for (let r = 0; r < xs.length; r++) {
      const k = t[ts[r]!]!;
      if (k === ignoreIndex) {
        lo[ls[r]!] = 0;
        wo[ws[r]!] = 0;
        continue;
      }
      if (!(k >= 0 && k < C)) throw new IndexError(`Target ${k} is out of bounds.`);
      const c = wt ? wt[w0 + k * sw]! : 1;
      lo[ls[r]!] = -(x[xs[r]! + k * sx]! * c);
      wo[ws[r]!] = c;
    }
  },

  nllLossBackward(target, w, scale, ignoreIndex, gradInput) {
    const t = arr(target);
    const wv = arr(w);
    const sv = arr(scale);
    const gi = arr(gradInput);
    const nd = gradInput.shape.length;
    const C = gradInput.shape[nd - 1]!;
    const si = gradInput.strides[nd - 1]!;
    const is = rowStarts(gradInput);
    const ts = rowStarts(target, target.shape.length);
    const ws = rowStarts(w, w.shape.length);
    const ss = rowStarts(scale, scale.shape.length);
    for (let r = 0; r < is.length; r++) {
      const base = is[r]!;
      for (let j = 0, o = base; j < C; j++, o += si) gi[o] = 0;
      const k = t[ts[r]!]!;
      if (k === ignoreIndex || !(k >= 0 && k < C)) continue;
      gi[base + k * si] = -(wv[ws[r]!]! * sv[ss[r]!]!);
    }
  },
};
