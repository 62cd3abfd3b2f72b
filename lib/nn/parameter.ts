/**
 * `nn.Parameter`: a tensor that modules register as a learnable weight. It shares storage with
 * the tensor it wraps and requires grad unless told otherwise; ops on it return plain tensors.
 */

import { Tensor } from '../tensor.js';
import { zeros } from '../ops/creation.js';
import { tensorRepr } from '../display/repr.js';

/**
 * `nn.Parameter(data, requires_grad=True)`: a leaf tensor registered by modules as a weight.
 * Differs from PyTorch: a class, so it is made with `new`; `requires_grad` may be given
 * positionally or as `{requires_grad}`.
 * @example const w = new nn.Parameter(torch.randn(3, 2)); w.requires_grad // true
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor | null, requires_grad: boolean | { requires_grad?: boolean } = true) {
    const src = data ?? zeros([0]);
    // a Parameter aliases the tensor it wraps, as PyTorch's `Parameter(t)` does (no copy)
    super(src._storage, src.device, src._shape.slice(), src._strides.slice(), src._offset);
    const rg = typeof requires_grad === 'boolean' ? requires_grad : (requires_grad.requires_grad ?? true);
    if (rg) this.requires_grad_(true);
  }

  override toString(): string {
    return `Parameter containing:\n${tensorRepr(this)}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Makes `p` hold `t`'s data in place (PyTorch's `p.data = t`), so modules, optimizers and
 * anything else holding the Parameter keep seeing it after `module.to(...)`.
 * @internal
 */
export function setData(p: Tensor, t: Tensor): void {
  if (p === t) return;
  // dtype and device are readonly to users; this is the one place a tensor changes them,
  // which is exactly what PyTorch's `.data` assignment does
  Object.assign(p, {
    _storage: t._storage,
    _shape: t._shape.slice(),
    _strides: t._strides.slice(),
    _offset: t._offset,
    _base: null,
    _sizeCache: null,
    dtype: t.dtype,
    device: t.device,
  });
}
