/**
 * Scans beyond cumsum/cumprod: `cummax`, `cummin` (values and indices), `logcumsumexp` (stable
 * in float64 on the host, with its own backward), and `diff` (composed of narrow and sub).
 */

import * as dt from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { normDim } from '../shape.js';
import { Tensor, type ValuesIndices } from '../tensor.js';
import { record } from './dispatch.js';
import { cat } from './cat.js';
import { scatterAddAlong } from './sort.js';
import { fromRows, rowsOf, valuesIndices } from './host_rows.js';
import { cTypeName } from './pointwise.js';
import { pyArgs } from '../nn/_args.js';

function cumExtreme(x: Tensor, dim: number, isMax: boolean): ValuesIndices {
  const d = normDim(dim, x.dim());
  const { vals, rows, n, lastShape } = rowsOf(x, d);
  const v = new x.dtype.array(vals.length);
  const ix = new Float64Array(vals.length);
  for (let r = 0; r < rows; r++) {
    let best = NaN;
    let at = 0;
    for (let j = 0; j < n; j++) {
      const e = vals[r * n + j]!;
      // NaN takes over and stays; ties move the index to the latest position (>= / <=), as PyTorch
      if (j === 0 || Number.isNaN(e) || (!Number.isNaN(best) && (isMax ? e >= best : e <= best))) {
        best = e;
        at = j;
      }
      v[r * n + j] = best;
      ix[r * n + j] = at;
    }
  }
  const values = fromRows(v, lastShape, x.dtype, x.device, d, x.dim());
  const indices = fromRows(ix, lastShape, dt.int64, x.device, d, x.dim());
  const shape = x._shape.slice();
  record(isMax ? 'CummaxBackward0' : 'CumminBackward0', [x], [values], [indices], ([g], [idx]) => [
    shape.length === 0 ? g! : scatterAddAlong(shape, d, idx!, g!),
  ]);
  return valuesIndices(values, indices);
}

/**
 * `torch.cummax(input, dim)`: running maxima along `dim` and where each was reached (the latest
 * position among ties; NaN propagates), as `(values, indices)`.
 * @example torch.cummax(torch.tensor([1, 3, 2, 5]), 0) // values=[1, 3, 3, 5], indices=[0, 1, 1, 3]
 */
export function cummax(x: Tensor, dim: number | { dim: number }): ValuesIndices {
  return cumExtreme(x, typeof dim === 'number' ? dim : dim.dim, true);
}

/**
 * `torch.cummin(input, dim)`: running minima along `dim` and their indices.
 * @example torch.cummin(torch.tensor([3, 1, 2, 0]), 0) // values=[3, 1, 1, 0], indices=[0, 1, 1, 3]
 */
export function cummin(x: Tensor, dim: number | { dim: number }): ValuesIndices {
  return cumExtreme(x, typeof dim === 'number' ? dim : dim.dim, false);
}

/** y_j = log(exp(y_{j-1}) + exp(x_j)) per row, in float64. */
function logcumsumexpHost(x: Tensor, d: number): Tensor {
  const { vals, rows, n, lastShape } = rowsOf(x, d);
  const out = new x.dtype.array(vals.length);
  for (let r = 0; r < rows; r++) {
    let acc = -Infinity;
    for (let j = 0; j < n; j++) {
      const e = vals[r * n + j]!;
      if (Number.isNaN(e) || Number.isNaN(acc)) acc = NaN;
      else {
        const m = Math.max(acc, e);
        acc = m === -Infinity || m === Infinity ? m : m + Math.log1p(Math.exp(-Math.abs(acc - e)));
      }
      out[r * n + j] = acc;
    }
  }
  return fromRows(out, lastShape, x.dtype, x.device, d, x.dim());
}

/** grad_i = Σ_{j>=i} g_j exp(x_i - y_j), by a reverse recurrence whose exponents are all <= 0. */
function logcumsumexpGrad(g: Tensor, x: Tensor, y: Tensor, d: number): Tensor {
  const G = rowsOf(g, d);
  const X = rowsOf(x, d).vals;
  const Y = rowsOf(y, d).vals;
  const { rows, n, lastShape } = G;
  const out = new x.dtype.array(G.vals.length);
  for (let r = 0; r < rows; r++) {
    let t = 0; // Σ_{j>=i} g_j exp(y_i - y_j)
    for (let i = n - 1; i >= 0; i--) {
      const k = r * n + i;
      t = i === n - 1 || Y[k] === -Infinity ? G.vals[k]! : G.vals[k]! + Math.exp(Y[k]! - Y[k + 1]!) * t;
      out[k] = Y[k] === -Infinity ? 0 : Math.exp(X[k]! - Y[k]!) * t;
    }
  }
  return fromRows(out, lastShape, x.dtype, x.device, d, x.dim());
}

/**
 * `torch.logcumsumexp(input, dim)`: log(cumsum(exp(input))) without overflow or underflow.
 * Floating point only. Evaluated on the host in float64; its backward is not differentiable again.
 * @example torch.logcumsumexp(torch.tensor([-1000, 0, 1], {dtype: torch.float32}), 0) // [-1000, 0, 1.3133]
 */
export function logcumsumexp(x: Tensor, dim: number | { dim: number }): Tensor {
  const d = normDim(typeof dim === 'number' ? dim : dim.dim, x.dim());
  if (!x.dtype.is_floating_point) throw new RuntimeError(`"logcumsumexp_out_cpu" not implemented for '${cTypeName(x.dtype)}'`);
  const y = logcumsumexpHost(x, d);
  record('LogcumsumexpBackward0', [x], [y], [x, y], ([g], [xs, ys]) => [logcumsumexpGrad(g!, xs!.detach(), ys!.detach(), d)]);
  return y;
}

/** PyTorch 1.13 returns the input unchanged for a negative `n` (PyTorch 2 raises). */
export interface DiffOptions { n?: number; dim?: number; prepend?: Tensor | null; append?: Tensor | null }

/**
 * `torch.diff(input, n=1, dim=-1, prepend=None, append=None)`: the n-th forward difference along
 * `dim` (`logical_xor` for bool), after joining `prepend` / `append`.
 * @example torch.diff(torch.tensor([1, 4, 9, 16])) // tensor([3, 5, 7])
 */
export function diff(x: Tensor, ...args: [n?: number | DiffOptions, dim?: number | DiffOptions, prepend?: Tensor | null | DiffOptions, append?: Tensor | null | DiffOptions, opts?: DiffOptions]): Tensor {
  const o = pyArgs<DiffOptions>(['n', 'dim', 'prepend', 'append'], args);
  const n = o.n ?? 1;
  if (x.dim() === 0) throw new RuntimeError('diff expects input to be at least one-dimensional');
  const d = normDim(o.dim ?? -1, x.dim());
  const parts = [o.prepend, x, o.append].filter((t): t is Tensor => t instanceof Tensor);
  for (const t of parts) {
    if (t.dim() !== x.dim()) throw new RuntimeError('diff expects prepend or append to be the same dimension as input');
  }
  let r = parts.length > 1 ? cat(parts, d) : x;
  for (let k = 0; k < n && r._shape[d]! > 0; k++) {
    const len = r._shape[d]! - 1;
    const a = r.narrow(d, 1, len);
    const b = r.narrow(d, 0, len);
    r = r.dtype === dt.bool ? a.logical_xor(b) : a.sub(b);
  }
  return r;
}
