/**
 * What every op does around its kernel: allocate outputs on the right backend, check devices,
 * and record the graph node when autograd needs one.
 */

import type { Storage, View } from '../backend.js';
import type { DType } from '../dtype.js';
import { backendFor, type Device } from '../device.js';
import { RuntimeError } from '../errors.js';
import { contiguousStrides, numelOf, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { is_grad_enabled } from '../autograd/grad_mode.js';
import { OpNode, type BackwardFn, type Grads } from '../autograd/node.js';

/** A kernel's view of a tensor (no copy). */
export function viewOf(t: Tensor): View {
  return { storage: t._storage, dtype: t.dtype, shape: t._shape, strides: t._strides, offset: t._offset };
}

/** A view reading `t` broadcast to `shape` (stride 0 on expanded dims). */
export function broadcastView(t: Tensor, shape: readonly number[]): View {
  if (sameShape(t._shape, shape)) return viewOf(t);
  const strides = new Array<number>(shape.length).fill(0);
  const off = shape.length - t._shape.length;
  for (let i = 0; i < t._shape.length; i++) strides[off + i] = t._shape[i] === 1 ? 0 : t._strides[i]!;
  return { storage: t._storage, dtype: t.dtype, shape, strides, offset: t._offset };
}

/**
 * Storages allocated by ops while a backward pass watches (null when none does): the engine may
 * hand such a gradient to a leaf's `.grad` instead of copying it, because nothing made before
 * the pass can refer to it (autograd/engine.ts, `stealable`).
 */
let fresh: WeakSet<Storage> | null = null;

/** @internal Starts recording new storages into `set` (null stops); returns the previous recorder. */
export function watchNewStorages(set: WeakSet<Storage> | null): WeakSet<Storage> | null {
  const prev = fresh;
  fresh = set;
  return prev;
}

/**
 * A new contiguous tensor, uninitialised in principle (the CPU zeroes it unless `overwritten`: the
 * caller's kernel then writes every element, so clearing the memory first would be wasted).
 */
export function emptyTensor(shape: readonly number[], dtype: DType, device: Device, overwritten = false, recurring = false): Tensor {
  const storage = backendFor(device).alloc(dtype, numelOf(shape), device.index ?? 0, overwritten, fresh !== null, recurring);
  if (fresh !== null) fresh.add(storage);
  return new Tensor(storage, device, shape.slice(), contiguousStrides(shape), 0);
}

/** PyTorch's error for operands on different devices. */
export function sameDevice(tensors: readonly Tensor[]): Device {
  const d = tensors[0]!.device;
  for (const t of tensors) {
    if (t.device !== d) {
      throw new RuntimeError(
        `Expected all tensors to be on the same device, but found at least two devices, ${d} and ${t.device}!`,
      );
    }
  }
  return d;
}

/** Whether an op on these inputs must record a node. */
export function needsGrad(inputs: readonly unknown[]): boolean {
  if (!is_grad_enabled()) return false;
  for (const x of inputs) if (x instanceof Tensor && x.requires_grad) return true;
  return false;
}

/**
 * Records a node for `outputs`, with edges to the tensor `inputs` that require grad.
 * `backward` gets one gradient per output and returns one per input (null where none flows).
 */
export function record(
  name: string,
  inputs: readonly unknown[],
  outputs: readonly Tensor[],
  saved: Tensor[],
  backward: BackwardFn,
): OpNode | null {
  if (!needsGrad(inputs)) return null;
  const node = new OpNode(name, saved, backward, saved.map((t) => outputs.indexOf(t)));
  node.edges = inputs.map((x) => {
    if (!(x instanceof Tensor) || !x.requires_grad) return null;
    if (x.grad_fn) return { node: x.grad_fn, inputNr: x._outputNr };
    return { node: x._accumulator(), inputNr: 0 };
  });
  outputs.forEach((o, i) => {
    o.grad_fn = node;
    o._outputNr = i;
  });
  return node;
}

export type { Grads };
