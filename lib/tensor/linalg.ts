/**
 * Tensor's matrix products: matmul, mm, bmm, mv, dot, outer and addmm. They delegate to
 * ops/linalg.ts.
 */

import type { Tensor } from '../tensor.js';
import * as la from '../ops/linalg.js';
import { installMethods } from './install.js';

/** The Tensor methods for matrix and vector products, installed by `installLinalg()`. */
// declared on Tensor itself, so hovers and errors name `Tensor.method`
declare module '../tensor.js' {
  interface Tensor {
    /**
     * `x.matmul(other)`: the matrix product with NumPy's rules: dot for 1-d, batched and broadcast for 3-d
     * and more (Python's `x @ other`).
     * @example torch.ones(8, 784).matmul(torch.ones(784, 10)).shape // [8, 10]
     */
    matmul(other: Tensor): Tensor;
    /**
     * `x.mm(mat2)`: the product of two matrices, no broadcasting.
     * @example torch.ones(2, 3).mm(torch.ones(3, 4)).shape // [2, 4]
     */
    mm(mat2: Tensor): Tensor;
    /**
     * `x.bmm(mat2)`: batched matrix products of [b, n, m] and [b, m, p].
     * @example torch.ones(5, 2, 3).bmm(torch.ones(5, 3, 4)).shape // [5, 2, 4]
     */
    bmm(mat2: Tensor): Tensor;
    /** `x.mv(vec)`: the product of a matrix and a vector. @example torch.ones(2, 3).mv(torch.ones(3)) // tensor([3., 3.]) */
    mv(vec: Tensor): Tensor;
    /**
     * `x.dot(other)`: the inner product of two 1-d tensors of the same dtype.
     * @example torch.tensor([1, 2]).dot(torch.tensor([3, 4])) // tensor(11)
     */
    dot(other: Tensor): Tensor;
    /**
     * `x.outer(vec2)`: the outer product of two 1-d tensors.
     * @example torch.tensor([1, 2]).outer(torch.tensor([1, 10])) // tensor([[ 1, 10], [ 2, 20]])
     */
    outer(vec2: Tensor): Tensor;
    /**
     * `x.addmm(mat1, mat2, *, beta=1, alpha=1)`: beta * x + alpha * (mat1 @ mat2), x broadcast (what
     * nn.Linear computes).
     * @example b.addmm(x, w.t()) // x @ wᵀ + b
     */
    addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
  }
}

const methods: Partial<Tensor> & ThisType<Tensor> = {
  matmul(other) { return la.matmul(this, other); },
  mm(mat2) { return la.mm(this, mat2); },
  bmm(mat2) { return la.bmm(this, mat2); },
  mv(vec) { return la.mv(this, vec); },
  dot(other) { return la.dot(this, other); },
  outer(vec2) { return la.outer(this, vec2); },
  addmm(mat1, mat2, opts?) {
    return la.addmm(this, mat1, mat2, opts?.beta ?? 1, opts?.alpha ?? 1);
  },
};

/** Installs the methods on Tensor.prototype (called once, by tensor.ts, right after the class). */
export function installLinalg(): void {
  installMethods(methods);
}
