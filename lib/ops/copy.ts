/** Copies, casts and device transfers; synchronous reads; in-place assignment. */

import type { PointwiseFn } from '../backend.js';
import * as dt from '../dtype.js';
import type { DType, TypedArray } from '../dtype.js';
import { backendFor, Device, tensorDevice, type DeviceLike } from '../device.js';
import { RuntimeError } from '../errors.js';
import { broadcastShapes, contiguousStrides, sameShape } from '../shape.js';
import { Tensor, type Scalar, type ToOptions } from '../tensor.js';
import { broadcastView, emptyTensor, needsGrad, record, viewOf } from './dispatch.js';
import { canCast, cTypeName, rebase } from './pointwise.js';
import { sumTo } from './reduction.js';
import { is_grad_enabled } from '../autograd/grad_mode.js';

const identity: PointwiseFn = { key: 'identity', f: (_A, x) => x };

/** The values of `t` as a new contiguous typed array (blocks until they are there). */
export function readValues(t: Tensor): TypedArray {
  return backendFor(t.device).read(viewOf(t));
}

/** Nested arrays, as `tolist()`; bool tensors give booleans. */
export function tolist(t: Tensor): unknown {
  const vals = readValues(t);
  const isBool = t.dtype === dt.bool;
  const conv = (v: number): number | boolean => (isBool ? v !== 0 : v);
  if (t._shape.length === 0) return conv(vals[0]!);
  let k = 0;
  const build = (d: number): unknown[] => {
    const n = t._shape[d]!;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = d === t._shape.length - 1 ? conv(vals[k++]!) : build(d + 1);
    return out;
  };
  return build(0);
}

/** A contiguous copy of `x` (cast to `dtype`, on x's device), recorded as `name`. */
function copyAs(x: Tensor, dtype: DType, name: string): Tensor {
  const out = emptyTensor(x._shape, dtype, x.device);
  backendFor(x.device).pointwise(identity, viewOf(out), [viewOf(x)]);
  if (dtype.is_floating_point) record(name, [x], [out], [], ([g]) => [g!.to(x.dtype)]);
  return out;
}

/** `x.clone()`. */
export function clone(x: Tensor): Tensor {
  return copyAs(x, x.dtype, 'CloneBackward0');
}

function transfer(x: Tensor, device: Device, dtype: DType): Tensor {
  const vals = readValues(x.dtype === dtype ? x : copyAs(x, dtype, 'ToCopyBackward0'));
  const storage = backendFor(device).fromArray(dtype, vals, device.index ?? 0);
  const out = new Tensor(storage, device, x._shape.slice(), contiguousStrides(x._shape), 0);
  if (dtype.is_floating_point) record('ToCopyBackward0', [x], [out], [], ([g]) => [g!.to(x.device).to(x.dtype)]);
  return out;
}

function isDeviceLike(v: unknown): v is DeviceLike {
  return typeof v === 'string' || v instanceof Device;
}

/** `x.to(...)`: returns `x` itself when nothing changes, as PyTorch does (unless `copy`). */
export function to(x: Tensor, a: DType | DeviceLike | Tensor | ToOptions, b?: DType | ToOptions): Tensor {
  let dtype = x.dtype;
  let device = x.device;
  let copy = false;
  const apply = (o: ToOptions) => {
    if (o.dtype) dtype = o.dtype;
    if (o.device !== undefined) device = tensorDevice(o.device);
    if (o.copy) copy = true;
  };
  if (a instanceof Tensor) {
    dtype = a.dtype;
    device = a.device;
  } else if (a instanceof dt.DType) dtype = a;
  else if (isDeviceLike(a)) device = tensorDevice(a);
  else apply(a);
  if (b instanceof dt.DType) dtype = b;
  else if (b) apply(b);
  if (dtype === x.dtype && device === x.device) return copy ? clone(x) : x;
  if (device === x.device) return copyAs(x, dtype, 'ToCopyBackward0');
  return transfer(x, device, dtype);
}

export function onesLike(t: Tensor): Tensor {
  const out = emptyTensor(t._shape, t.dtype, t.device);
  backendFor(t.device).pointwise(identity, viewOf(out), [1]);
  return out;
}

/** `dst.copy_(src)`: broadcast, cast, and cross devices; differentiable w.r.t. src. */
export function copy_(dst: Tensor, src: Tensor | Scalar): void {
  if (typeof src !== 'object') {
    const v = dt.castScalar(+src, dst.dtype);
    if (is_grad_enabled() && dst.requires_grad) {
      // through rebase, so leaves are refused and a view's base learns about the write
      const r = emptyTensor(dst._shape, dst.dtype, dst.device);
      backendFor(dst.device).pointwise(identity, viewOf(r), [v]);
      record('FillBackward0', [dst], [r], [], ([g]) => [g!.mul(0)]);
      rebase(dst, r);
      return;
    }
    backendFor(dst.device).pointwise(identity, viewOf(dst), [v]);
    dst._storage.version++;
    return;
  }
  broadcastShapes(dst._shape, src._shape);
  let s = src.device === dst.device ? src : to(src, dst.device);
  if (!sameShape(s._shape, dst._shape)) s = s.expand(dst._shape);
  if (needsGrad([src]) || (is_grad_enabled() && dst.requires_grad)) {
    if (is_grad_enabled() && dst.is_leaf && dst._requiresGrad) {
      throw new RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.');
    }
    const r = s.to(dst.dtype).clone();
    const srcShape = src._shape.slice();
    record('CopyBackwards', [dst, src], [r], [], ([g]) => [g!.mul(0), sumTo(g!, srcShape).to(src.dtype)]);
    rebase(dst, r);
    return;
  }
  backendFor(dst.device).pointwise(identity, viewOf(dst), [broadcastView(s, dst._shape)]);
  dst._storage.version++;
}

/** Completes an in-place method: `r` is self when written directly, else self takes r's place. */
export function inplace<T extends Tensor>(self: T, r: Tensor): T {
  if (r !== self && !canCast(r.dtype, self.dtype)) {
    throw new RuntimeError(`result type ${cTypeName(r.dtype)} can't be cast to the desired output type ${cTypeName(self.dtype)}`);
  }
  rebase(self, r);
  return self;
}
