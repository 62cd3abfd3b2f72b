/**
 * Matrix products: `matmul` with all of PyTorch's cases, `mm`, `bmm`, `mv`, `dot`, `outer`,
 * `addmm`, and `einsum` (ops/einsum.ts). Every product runs through the backend's one batched
 * kernel on 3-d views [B,M,K] x [B,K,N]: transposed operands are only strides and broadcast batch
 * dims have stride 0, so no operand is copied. PyTorch never promotes dtypes here: mixed operands
 * raise its "expected scalar type" errors, and integer products stay integers.
 */

import type { View } from '../backend.js';
import * as dt from '../dtype.js';
import { backendFor } from '../device.js';
import { RuntimeError, pyTypeName } from '../errors.js';
import { broadcastShapes, contiguousStrides, numelOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { no_grad } from '../autograd/grad_mode.js';
import { emptyTensor, record, sameDevice, viewOf } from './dispatch.js';
import { makeView } from './movement.js';
import { cTypeName } from './pointwise.js';
import { sumTo } from './reduction.js';

export { einsum } from './einsum.js';

function kernelView(t: Tensor, offset: number, shape: [number, number, number], strides: [number, number, number]): View {
  return { storage: t._storage, dtype: t.dtype, shape, strides, offset };
}

/**
 * out[...S, M, N] = x[...S, M, K] @ y[...S, K, N] for equal batch shapes S, into a new contiguous
 * tensor with no graph (of shape `shape` when given: the same elements without unit dims).
 * Batch dims that walk memory evenly in x, y and out are merged, so a broadcast or plain batch is
 * one kernel call; the rest are looped over here.
 */
function product(x: Tensor, y: Tensor, shape?: number[]): Tensor {
  const nd = x.dim();
  const S = x._shape.slice(0, nd - 2);
  const M = x._shape[nd - 2]!;
  const K = x._shape[nd - 1]!;
  const N = y._shape[nd - 1]!;
  const full = [...S, M, N];
  const out = emptyTensor(shape ?? full, x.dtype, x.device, true);
  if (out.numel() === 0) return out;
  const outStrides = contiguousStrides(full);
  const batch: { n: number; sx: number; sy: number; so: number }[] = [];
  for (let d = 0; d < S.length; d++) {
    const n = S[d]!;
    if (n === 1) continue;
    const sx = x._strides[d]!;
    const sy = y._strides[d]!;
    const so = outStrides[d]!;
    const last = batch[batch.length - 1];
    if (last && last.sx === sx * n && last.sy === sy * n && last.so === so * n) {
      last.n *= n;
      last.sx = sx;
      last.sy = sy;
      last.so = so;
    } else batch.push({ n, sx, sy, so });
  }
  const inner = batch.pop() ?? { n: 1, sx: 0, sy: 0, so: 0 };
  const be = backendFor(x.device);
  const [xm, xk] = [x._strides[nd - 2]!, x._strides[nd - 1]!];
  const [yk, yn] = [y._strides[nd - 2]!, y._strides[nd - 1]!];
  const outer = numelOf(batch.map((b) => b.n));
  const idx = new Array<number>(batch.length).fill(0);
  for (let o = 0; o < outer; o++) {
    let ox = x._offset;
    let oy = y._offset;
    let oo = 0;
    for (let d = 0; d < batch.length; d++) {
      ox += idx[d]! * batch[d]!.sx;
      oy += idx[d]! * batch[d]!.sy;
      oo += idx[d]! * batch[d]!.so;
    }
    be.matmul(
      kernelView(x, ox, [inner.n, M, K], [inner.sx, xm, xk]),
      kernelView(y, oy, [inner.n, K, N], [inner.sy, yk, yn]),
      kernelView(out, oo, [inner.n, M, N], [inner.so, N, 1]),
    );
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d]! < batch[d]!.n) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** PyTorch dispatches on the first operand's dtype, then insists the second matches it. */
function checkDtypes(a: Tensor, b: Tensor, kernel: string): void {
  if (a.dtype === dt.bool) throw new RuntimeError(`"${kernel}" not implemented for 'Bool'`);
  if (b.dtype !== a.dtype) {
    throw new RuntimeError(`expected scalar type ${cTypeName(a.dtype)} but found ${cTypeName(b.dtype)}`);
  }
}

/**
 * A differentiable reshape of a fresh result, under the node name PyTorch reports. Like
 * `_unsafe_view` (and an in-place squeeze_) it is not a view for autograd: nothing else can
 * reach `x`, so in-place ops on the result need no view bookkeeping.
 */
function reshapeResult(x: Tensor, shape: number[], strides: number[], name: string, back: (g: Tensor) => Tensor): Tensor {
  const v = makeView(x, shape, strides, x._offset);
  v._base = null;
  record(name, [x], [v], [], ([g]) => [back(g!)]);
  return v;
}

function unsafeView(x: Tensor, shape: number[]): Tensor {
  const from = x._shape.slice();
  return reshapeResult(x, shape, contiguousStrides(shape), 'UnsafeViewBackward0', (g) => g.reshape(from));
}

/** What mm-like backward closures must keep: each operand only if the other needs its gradient. */
function savedFor(a: Tensor, b: Tensor): Tensor[] {
  return [...(b.requires_grad ? [a] : []), ...(a.requires_grad ? [b] : [])];
}

/** PyTorch's argument error for a product's operands that are not tensors (TypeScript's types aside). */
function tensorArgs(op: string, a: unknown, b: unknown): void {
  const names = op === 'matmul' ? ['input', 'other'] : ['input', 'mat2'];
  [a, b].forEach((x, k) => {
    if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument '${names[k]}' (position ${k + 1}) must be Tensor, not ${pyTypeName(x)}`);
  });
}

/**
 * `torch.mm(input, mat2)`: the product of two matrices.
 * @example torch.mm(torch.ones([2, 3]), torch.ones([3, 4])).shape // [2, 4]
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  tensorArgs('mm', a, b);
  sameDevice([a, b]);
  if (a.dim() !== 2) throw new RuntimeError('self must be a matrix');
  if (b.dim() !== 2) throw new RuntimeError('mat2 must be a matrix');
  if (a._shape[1] !== b._shape[0]) {
    throw new RuntimeError(
      `mat1 and mat2 shapes cannot be multiplied (${a._shape[0]}x${a._shape[1]} and ${b._shape[0]}x${b._shape[1]})`,
    );
  }
  checkDtypes(a, b, 'addmm_impl_cpu_');
  const out = product(a, b);
  record('MmBackward0', [a, b], [out], savedFor(a, b), ([g]) => [
    a.requires_grad ? mat1Grad(g!, b, a) : null,
    b.requires_grad ? mat2Grad(a, b, g!) : null,
  ]);
  return out;
}

/**
 * `torch.bmm(input, mat2)`: a batch of matrix products, [B,n,m] x [B,m,p] -> [B,n,p] (no broadcasting).
 * @example torch.bmm(torch.ones([5, 2, 3]), torch.ones([5, 3, 4])).shape // [5, 2, 4]
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  tensorArgs('bmm', a, b);
  sameDevice([a, b]);
  if (a.dim() !== 3) throw new RuntimeError('batch1 must be a 3D tensor');
  if (b.dim() !== 3) throw new RuntimeError('batch2 must be a 3D tensor');
  if (b._shape[0] !== a._shape[0] || b._shape[1] !== a._shape[2]) {
    throw new RuntimeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${a._shape[0]}, ${a._shape[2]}] but got: [${b._shape[0]}, ${b._shape[1]}].`,
    );
  }
  checkDtypes(a, b, 'bmm');
  const out = product(a, b);
  record('BmmBackward0', [a, b], [out], savedFor(a, b), ([g]) => [
    a.requires_grad ? g!.bmm(b.transpose(1, 2)) : null,
    b.requires_grad ? a.transpose(1, 2).bmm(g!) : null,
  ]);
  return out;
}

/**
 * `torch.mv(input, vec)`: matrix times vector, [n,m] x [m] -> [n].
 * @example torch.mv(torch.ones([2, 3]), torch.ones([3])) // tensor([3., 3.])
 */
export function mv(a: Tensor, x: Tensor): Tensor {
  sameDevice([a, x]);
  if (a.dim() !== 2 || x.dim() !== 1) {
    throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${a.dim()}, ${x.dim()}`);
  }
  if (a._shape[1] !== x._shape[0]) {
    throw new RuntimeError(`size mismatch, got ${a._shape[0]}, ${a._shape[0]}x${a._shape[1]},${x._shape[0]}`);
  }
  checkDtypes(a, x, 'addmv_impl_cpu');
  const col = makeView(x, [x._shape[0]!, 1], [x._strides[0]!, 1], x._offset);
  const out = product(a, col, [a._shape[0]!]);
  record('MvBackward0', [a, x], [out], savedFor(a, x), ([g]) => [
    a.requires_grad ? g!.outer(x) : null,
    x.requires_grad ? a.t().mv(g!) : null,
  ]);
  return out;
}

/**
 * `torch.dot(input, other)`: the inner product of two 1-d tensors of one dtype, as a 0-d tensor.
 * @example torch.dot(torch.tensor([2, 3]), torch.tensor([2, 1])) // tensor(7)
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  sameDevice([a, b]);
  if (a.dim() !== 1 || b.dim() !== 1) {
    throw new RuntimeError(`1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors`);
  }
  if (a.dtype !== b.dtype) {
    throw new RuntimeError(
      `dot : expected both vectors to have same dtype, but found ${cTypeName(a.dtype)} and ${cTypeName(b.dtype)}`,
    );
  }
  if (a._shape[0] !== b._shape[0]) {
    throw new RuntimeError(
      `inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements, but got ${a._shape[0]} and ${b._shape[0]} elements respectively`,
    );
  }
  checkDtypes(a, b, 'dot');
  const n = a._shape[0]!;
  const row = makeView(a, [1, n], [0, a._strides[0]!], a._offset);
  const col = makeView(b, [n, 1], [b._strides[0]!, 1], b._offset);
  const out = product(row, col, []);
  record('DotBackward0', [a, b], [out], savedFor(a, b), ([g]) => [
    a.requires_grad ? g!.mul(b) : null,
    b.requires_grad ? g!.mul(a) : null,
  ]);
  return out;
}

/**
 * `torch.outer(input, vec2)`: the outer product of two vectors (dtypes promote, as in PyTorch,
 * because it is a broadcast multiply).
 * @example torch.outer(torch.tensor([1, 2]), torch.tensor([1, 10, 100])).shape // [2, 3]
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 1) throw new RuntimeError(`outer: Expected 1-D argument self, but got ${a.dim()}-D`);
  if (b.dim() !== 1) throw new RuntimeError(`outer: Expected 1-D argument vec2, but got ${b.dim()}-D`);
  return a.reshape(a._shape[0]!, 1).mul(b);
}

/**
 * `torch.addmm(input, mat1, mat2, {beta, alpha})`: beta * input + alpha * (mat1 @ mat2), with
 * `input` broadcast to the product's shape. With beta = 0, `input` is ignored (NaN included);
 * integer tensors truncate beta and alpha, as PyTorch does.
 * @example torch.addmm(torch.zeros([3]), torch.ones([2, 4]), torch.ones([4, 3]), {alpha: 2}) // all 8
 */
export function addmm(self: Tensor, m1: Tensor, m2: Tensor, beta: number, alpha: number): Tensor {
  sameDevice([self, m1, m2]);
  if (m1.dim() !== 2) throw new RuntimeError(`mat1 must be a matrix, got ${m1.dim()}-D tensor`);
  if (m2.dim() !== 2) throw new RuntimeError(`mat2 must be a matrix, got ${m2.dim()}-D tensor`);
  if (self.dtype !== m2.dtype) throw new RuntimeError('self and mat2 must have the same dtype');
  if (m1.dtype !== m2.dtype) throw new RuntimeError('mat1 and mat2 must have the same dtype');
  if (m1._shape[1] !== m2._shape[0]) {
    throw new RuntimeError(
      `mat1 and mat2 shapes cannot be multiplied (${m1._shape[0]}x${m1._shape[1]} and ${m2._shape[0]}x${m2._shape[1]})`,
    );
  }
  const shape = [m1._shape[0]!, m2._shape[1]!];
  const bias = self.detach().expand(shape);
  checkDtypes(m1, m2, 'addmm_impl_cpu_');
  const b = m1.dtype.is_floating_point ? beta : Math.trunc(beta);
  const a = m1.dtype.is_floating_point ? alpha : Math.trunc(alpha);
  const be = backendFor(m1.device);
  // nn.Linear's forward: a backend that can sums the products onto the bias, without a second pass
  let out: Tensor | null = null;
  if (be.addmm && a === 1 && b === 1 && self.dim() === 1 && self._shape[0] === shape[1] && shape[0]! > 0) {
    out = emptyTensor(shape, m1.dtype, m1.device, true);
    if (!be.addmm(viewOf(self), viewOf(m1), viewOf(m2), viewOf(out))) out = null;
  }
  if (out === null) {
    const prod = (out = product(m1, m2));
    no_grad(() => {
      if (a !== 1) prod.mul_(a);
      if (b !== 0) prod.add_(bias, { alpha: b });
    });
  }
  const selfShape = self._shape.slice();
  record('AddmmBackward0', [self, m1, m2], [out], [m1, m2], ([g]) => [
    self.requires_grad ? sumTo(b === 1 ? g! : g!.mul(b), selfShape) : null,
    m1.requires_grad ? scaled(mat1Grad(g!, m2, m1), a) : null,
    m2.requires_grad ? scaled(mat2Grad(m1, m2, g!), a) : null,
  ]);
  return out;
}

/** Whether a matrix is laid out column by column (a transposed contiguous matrix). */
const columnMajor = (m: Tensor): boolean => m._strides[0] === 1 && m._strides[1] === m._shape[0];

/**
 * The gradients of a product's matrices laid out as the matrices are, as PyTorch's
 * mm_mat1_backward / mm_mat2_backward: for a column-major operand (a Linear layer's
 * `weight.t()`) the product is computed transposed, the same sums, so that the gradient comes out
 * in the operand's own layout and a weight's can become its `.grad` without a copy.
 */
function mat1Grad(g: Tensor, m2: Tensor, m1: Tensor): Tensor {
  return columnMajor(m1) ? m2.mm(g.t()).t() : g.mm(m2.t());
}

function mat2Grad(m1: Tensor, m2: Tensor, g: Tensor): Tensor {
  return columnMajor(m2) ? g.t().mm(m1).t() : m1.t().mm(g);
}

function scaled(t: Tensor, s: number): Tensor {
  return s === 1 ? t : t.mul(s);
}

/** 1.13's rule for computing a batched product as one mm over the folded batch of `t1`. */
function shouldFold(t1: Tensor, dim2: number): boolean {
  const d1 = t1.dim();
  if (d1 < 3 || (dim2 !== 1 && dim2 !== 2)) return false;
  // a [B,m,n] tensor viewed through permute(0, 2, 1) folds only with a copy; bmm reads it as is
  return !(d1 === 3 && dim2 === 2 && t1._strides[2] !== 1 && t1._strides[0] === t1._shape[1]! * t1._shape[2]!);
}

/**
 * `torch.matmul(input, other)` with all of PyTorch's cases: vector·vector (dot), matrix·vector
 * (mv), vector·matrix, matrix·matrix (mm), and batched products whose batch dims broadcast.
 * The grad_fn names are PyTorch 1.13's for each case (DotBackward0, MvBackward0,
 * SqueezeBackward3, MmBackward0, UnsafeViewBackward0; CloneBackward0 for matrix·batch).
 * @example torch.matmul(torch.ones([10, 1, 2, 3]), torch.ones([5, 3, 4])).shape // [10, 5, 2, 4]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  tensorArgs('matmul', a, b);
  const d1 = a.dim();
  const d2 = b.dim();
  if (d1 === 0 || d2 === 0) {
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${d1}D and ${d2}D`);
  }
  if (d1 === 1 && d2 === 1) return dot(a, b);
  if (d1 === 2 && d2 === 1) return mv(a, b);
  if (d1 === 1 && d2 === 2) {
    const r = mm(a.unsqueeze(0), b);
    return reshapeResult(r, [r._shape[1]!], [r._strides[1]!], 'SqueezeBackward3', (g) => g.unsqueeze(0));
  }
  if (d1 === 2 && d2 === 2) return mm(a, b);
  if (shouldFold(a, d2) || shouldFold(b, d1)) {
    // the batched operand's batch folds into the rows of one mm; for batch @ matrix on the
    // right, (A B)^T = B^T A^T puts the batched operand on the left
    const transpose = d2 > d1;
    const t1 = transpose ? b.mT : a;
    const t2 = !transpose ? b : d1 === 2 ? a.t() : a;
    const outShape = t1._shape.slice(0, -1);
    const folded = numelOf(outShape);
    if (t2.dim() === 2) outShape.push(t2._shape[1]!);
    const t1f = t1.reshape(folded, t1._shape[t1.dim() - 1]!);
    if (t2.dim() === 2) {
      const output = unsafeView(t1f.mm(t2), outShape);
      return transpose ? output.mT.contiguous() : output;
    }
    return unsafeView(t1f.mv(t2), outShape);
  }
  return batchedMatmul(a, b);
}

/** The general case: broadcast batch dims as stride-0 views, one kernel pass, no copies. */
function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const d1 = a.dim();
  const d2 = b.dim();
  const n = d1 > 1 ? a._shape[d1 - 2]! : 1;
  const m1 = a._shape[d1 - 1]!;
  const m2 = d2 > 1 ? b._shape[d2 - 2]! : b._shape[0]!;
  const p = d2 > 1 ? b._shape[d2 - 1]! : 1;
  const batch = broadcastShapes(a._shape.slice(0, Math.max(d1 - 2, 0)), b._shape.slice(0, Math.max(d2 - 2, 0)));
  const bp = numelOf(batch);
  if (m1 !== m2) {
    throw new RuntimeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${bp}, ${m1}] but got: [${bp}, ${m2}].`,
    );
  }
  sameDevice([a, b]);
  checkDtypes(a, b, 'bmm');
  const ae = (d1 === 1 ? a.unsqueeze(0) : a).expand([...batch, n, m1]);
  const be = (d2 === 1 ? b.unsqueeze(1) : b).expand([...batch, m2, p]);
  const r = product(ae, be);
  record('BmmBackward0', [ae, be], [r], savedFor(ae, be), ([g]) => [
    ae.requires_grad ? g!.matmul(be.mT) : null,
    be.requires_grad ? ae.mT.matmul(g!) : null,
  ]);
  const outShape = [...batch, ...(d1 > 1 ? [n] : []), ...(d2 > 1 ? [p] : [])];
  return unsafeView(r, outShape);
}
