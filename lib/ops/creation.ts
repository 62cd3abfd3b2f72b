/** Creation ops: `tensor`, `zeros`, `ones`, `full`, `empty`, `arange`, `linspace`, `eye`, `*_like`, `from_numpy`. */

import * as dt from '../dtype.js';
import type { DType, TypedArray } from '../dtype.js';
import { backendFor, get_default_device, tensorDevice, type Device, type DeviceLike } from '../device.js';
import { RuntimeError, ValueError } from '../errors.js';
import { contiguousStrides, parseSize } from '../shape.js';
import { Tensor } from '../tensor.js';
import { emptyTensor } from './dispatch.js';

/** PyTorch's creation keyword arguments. */
export interface TensorOptions {
  dtype?: DType;
  device?: DeviceLike;
  requires_grad?: boolean;
}

/** Size arguments followed by optional options: `(3, 4)`, `([3, 4])`, `(3, 4, {dtype})`. */
export type SizeAndOptions = (number | readonly number[] | TensorOptions)[];

export function splitSizeArgs(args: SizeAndOptions): [number[], TensorOptions] {
  let opts: TensorOptions = {};
  let rest = args;
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    opts = last as TensorOptions;
    rest = args.slice(0, -1);
  }
  return [parseSize(rest as (number | readonly number[])[]), opts];
}

function deviceOf(opts: TensorOptions): Device {
  return opts.device !== undefined ? tensorDevice(opts.device) : get_default_device();
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requires_grad && !t.dtype.is_floating_point) {
    throw new RuntimeError('Only Tensors of floating point and complex dtype can require gradients');
  }
  if (opts.requires_grad) t.requires_grad_(true);
  return t;
}

/** A new tensor holding `values` (already of dtype's array type). */
export function fromValues(values: TypedArray, shape: number[], dtype: DType, device: Device): Tensor {
  const storage = backendFor(device).fromArray(dtype, values, device.index ?? 0);
  return new Tensor(storage, device, shape, contiguousStrides(shape), 0);
}

export function filled(shape: number[], value: number, dtype: DType, device: Device): Tensor {
  const t = emptyTensor(shape, dtype, device);
  if (value !== 0 || device.type !== 'cpu') t.fill_(value);
  return t;
}

type Nested = number | boolean | Tensor | readonly Nested[] | TypedArray;

function typedDType(a: ArrayBufferView): DType | null {
  if (a instanceof Float32Array) return dt.float32;
  if (a instanceof Float64Array) return dt.float64;
  if (a instanceof Int32Array) return dt.int32;
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return dt.uint8;
  if (a instanceof Int8Array || a instanceof Int16Array || a instanceof Uint16Array) return dt.int32;
  if (a instanceof Uint32Array || a instanceof BigInt64Array || a instanceof BigUint64Array) return dt.int64;
  return null;
}

/**
 * `torch.tensor(data, {dtype, device, requires_grad})` from numbers, booleans, nested arrays,
 * typed arrays or tensors. Always copies.
 * Differs from PyTorch: JavaScript cannot tell `1.0` from `1`, so integer-valued data infers
 * int64; pass `{dtype: torch.float32}` (or any non-integer value) for floats.
 * @example torch.tensor([[1, 2], [3, 4]], {dtype: torch.float32})
 */
export function tensor(data: Nested, opts: TensorOptions = {}): Tensor {
  const shape: number[] = [];
  const flat: number[] = [];
  let sawFloat = false;
  let sawInt = false;
  let sawBool = false;
  let typed: DType | null = null;

  // shape from the first element chain, then a strict walk that checks every length
  let probe: unknown = data;
  while (true) {
    if (Array.isArray(probe)) {
      shape.push(probe.length);
      if (probe.length === 0) break;
      probe = probe[0];
    } else if (ArrayBuffer.isView(probe) && !(probe instanceof DataView)) {
      shape.push((probe as TypedArray).length);
      break;
    } else if (probe instanceof Tensor) {
      shape.push(...probe._shape);
      break;
    } else break;
  }
  const walk = (v: unknown, d: number): void => {
    if (Array.isArray(v)) {
      if (d >= shape.length || v.length !== shape[d]) {
        throw new ValueError(`expected sequence of length ${shape[d] ?? 0} at dim ${d} (got ${v.length})`);
      }
      for (const e of v) walk(e, d + 1);
      return;
    }
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const a = v as unknown as ArrayLike<number | bigint>;
      if (d !== shape.length - 1 || a.length !== shape[d]) {
        throw new ValueError(`expected sequence of length ${shape[d] ?? 0} at dim ${d} (got ${a.length})`);
      }
      const td = typedDType(v);
      if (!td) throw new TypeError(`can't convert ${v.constructor.name} to a tensor`);
      typed = typed ? dt.promote_types(typed, td) : td;
      for (let i = 0; i < a.length; i++) flat.push(Number(a[i]));
      return;
    }
    if (v instanceof Tensor) {
      const inner = v.tolist();
      typed = typed ? dt.promote_types(typed, v.dtype) : v.dtype;
      const sub = shape.slice(d);
      if (sub.length !== v.dim() || sub.some((n, i) => n !== v._shape[i])) {
        throw new ValueError(`expected sequence of length ${shape[d] ?? 0} at dim ${d} (got ${v._shape[0] ?? 0})`);
      }
      const push = (x: unknown): void => {
        if (Array.isArray(x)) x.forEach(push);
        else flat.push(Number(x));
      };
      push(inner);
      return;
    }
    if (d !== shape.length) throw new ValueError(`expected sequence of length ${shape[d]} at dim ${d} (got a scalar)`);
    if (typeof v === 'boolean') {
      sawBool = true;
      flat.push(v ? 1 : 0);
    } else if (typeof v === 'number') {
      if (Number.isInteger(v)) sawInt = true;
      else sawFloat = true;
      flat.push(v);
    } else {
      throw new TypeError(`Could not infer dtype of ${v === null ? 'None' : typeof v}`);
    }
  };
  walk(data, 0);
  let dtype = opts.dtype;
  if (!dtype) {
    if (typed) {
      dtype = typed;
      if (sawFloat) dtype = dt.promote_types(dtype, dt.get_default_dtype());
    } else if (sawFloat) dtype = dt.get_default_dtype();
    else if (sawInt) dtype = dt.int64;
    else if (sawBool) dtype = dt.bool;
    else dtype = dt.get_default_dtype(); // empty data: torch.tensor([]) is float32
  }
  const values = new dtype.array(flat.length);
  for (let i = 0; i < flat.length; i++) values[i] = dt.castScalar(flat[i]!, dtype);
  return finish(fromValues(values, shape, dtype, deviceOf(opts)), opts);
}

/**
 * `torch.from_numpy(array)`: wraps a typed array without copying (CPU); the tensor and the
 * array share memory. Float32Array → float32, Float64Array → float64, Int32Array → int32,
 * Uint8Array → uint8.
 * @example const a = new Float32Array([1, 2]); const t = torch.from_numpy(a); a[0] = 5; t // tensor([5., 2.])
 */
export function from_numpy(array: TypedArray, shape?: readonly number[]): Tensor {
  const dtype = typedDType(array);
  if (!dtype || dtype === dt.int64) throw new TypeError(`can't wrap ${array.constructor.name} without a copy; use torch.tensor`);
  const s = shape ? shape.slice() : [array.length];
  return fromValues(array, s, dtype, tensorDevice('cpu'));
}

/**
 * `torch.zeros(*size, {dtype, device, requires_grad})`: a tensor of zeros (the default float dtype
 * unless given); the size as numbers or one array.
 * @example torch.zeros(2, 3); torch.zeros([2, 3], {dtype: torch.int64})
 */
export function zeros(...args: SizeAndOptions): Tensor {
  const [shape, opts] = splitSizeArgs(args);
  return finish(filled(shape, 0, opts.dtype ?? dt.get_default_dtype(), deviceOf(opts)), opts);
}
/** `torch.ones(*size, {dtype, device, requires_grad})`: a tensor of ones. @example torch.ones(2) // tensor([1., 1.]) */
export function ones(...args: SizeAndOptions): Tensor {
  const [shape, opts] = splitSizeArgs(args);
  return finish(filled(shape, 1, opts.dtype ?? dt.get_default_dtype(), deviceOf(opts)), opts);
}
/**
 * `torch.empty(*size, {dtype, device, requires_grad})`: a new tensor. Differs from PyTorch: filled
 * with zeros, not left uninitialised.
 * @example torch.empty(3, 4).uniform_()
 */
export function empty(...args: SizeAndOptions): Tensor {
  return zeros(...args);
}

/**
 * `torch.full(size, fill_value)`: the dtype follows the fill value (bool, int64 or float).
 * @example torch.full([2], 7) // tensor([7, 7]); torch.full([2], 0.5) // tensor([0.5000, 0.5000])
 */
export function full(size: readonly number[], fill_value: number | boolean, opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype ?? dt.inferScalarDType(fill_value);
  return finish(filled(parseSize([size]), +fill_value, dtype, deviceOf(opts)), opts);
}

function likeOpts(x: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: opts.dtype ?? x.dtype, device: opts.device ?? x.device, requires_grad: opts.requires_grad ?? false };
}
/**
 * `torch.zeros_like(input, {dtype, device, requires_grad})`: zeros with input's shape, dtype and
 * device unless given.
 * @example torch.zeros_like(torch.ones(2)) // tensor([0., 0.])
 */
export function zeros_like(x: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(x._shape, likeOpts(x, opts));
}
/**
 * `torch.ones_like(input, {dtype, device, requires_grad})`: ones with input's shape, dtype and device
 * unless given.
 * @example torch.ones_like(torch.zeros(2)) // tensor([1., 1.])
 */
export function ones_like(x: Tensor, opts: TensorOptions = {}): Tensor {
  return ones(x._shape, likeOpts(x, opts));
}
/**
 * `torch.empty_like(input, {dtype, device, requires_grad})`: a new tensor with input's shape, dtype
 * and device. Differs from PyTorch: filled with zeros.
 * @example torch.empty_like(x).normal_()
 */
export function empty_like(x: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(x._shape, likeOpts(x, opts));
}
/**
 * `torch.full_like(input, fill_value, {dtype, device, requires_grad})`: `fill_value` everywhere, with
 * input's shape, dtype and device unless given.
 * @example torch.full_like(torch.zeros(2), 7) // tensor([7., 7.])
 */
export function full_like(x: Tensor, fill_value: number | boolean, opts: TensorOptions = {}): Tensor {
  return full(x._shape, fill_value, likeOpts(x, opts));
}

/**
 * `torch.arange(end)`, `arange(start, end, step)`: int64 when all arguments are integers,
 * else the default float dtype.
 * @example torch.arange(5) // tensor([0, 1, 2, 3, 4]); torch.arange(0, 1, 0.25) // tensor([0.0000, 0.2500, 0.5000, 0.7500])
 */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  let opts: TensorOptions = {};
  const last = args[args.length - 1];
  if (typeof last === 'object') {
    opts = last;
    args = args.slice(0, -1);
  }
  const nums = args as number[];
  if (nums.length === 0 || nums.length > 3) throw new TypeError('arange() received an invalid combination of arguments');
  const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  if (step === 0) throw new RuntimeError('step must be nonzero');
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RuntimeError(`unsupported range: ${start} -> ${end}`);
  if ((end - start) / step < 0 && end !== start) {
    throw new RuntimeError('upper bound and larger bound inconsistent with step sign');
  }
  const dtype = opts.dtype ?? (nums.every(Number.isInteger) ? dt.int64 : dt.get_default_dtype());
  const n = Math.max(0, Math.ceil((end - start) / step));
  const values = new dtype.array(n);
  for (let i = 0; i < n; i++) values[i] = dt.castScalar(start + i * step, dtype);
  return finish(fromValues(values, [n], dtype, deviceOf(opts)), opts);
}

/**
 * `torch.linspace(start, end, steps)`, computed from both ends as PyTorch does.
 * @example torch.linspace(0, 1, 5) // tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
 */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RuntimeError('number of steps must be non-negative');
  const dtype = opts.dtype ?? dt.get_default_dtype();
  const values = new dtype.array(steps);
  evenlySpaced(start, end, steps, (i, x) => {
    values[i] = dt.castScalar(x, dtype);
  });
  return finish(fromValues(values, [steps], dtype, deviceOf(opts)), opts);
}

/** Calls `put(i, x)` for `steps` points evenly spaced from `start` to `end`, the first half counted from the start, the rest from the end, as PyTorch's linspace does. */
function evenlySpaced(start: number, end: number, steps: number, put: (i: number, x: number) => void): void {
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) put(i, i < half || steps === 1 ? start + step * i : end - step * (steps - 1 - i));
}

/**
 * `torch.logspace(start, end, steps, base=10.0)`: `steps` values base ** e for exponents e evenly
 * spaced from `start` to `end`, computed in float64 and rounded once to the dtype.
 * @example torch.logspace(0, 2, 3) // tensor([  1.,  10., 100.]); torch.logspace(0, 3, 4, 2) // tensor([1., 2., 4., 8.])
 */
export function logspace(start: number, end: number, steps: number, base: number | TensorOptions = 10, opts: TensorOptions = {}): Tensor {
  if (typeof base === 'object') {
    opts = base;
    base = 10;
  }
  if (!Number.isInteger(steps) || steps < 0) throw new RuntimeError('number of steps must be non-negative');
  const dtype = opts.dtype ?? dt.get_default_dtype();
  const values = new dtype.array(steps);
  const b = base;
  evenlySpaced(start, end, steps, (i, e) => {
    values[i] = dt.castScalar(b ** e, dtype);
  });
  return finish(fromValues(values, [steps], dtype, deviceOf(opts)), opts);
}

/** `torch.eye(n, m?)`. @example torch.eye(2) // tensor([[1., 0.], [0., 1.]]); torch.eye(2, 3) */
export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (typeof m === 'object') {
    opts = m;
    m = undefined;
  }
  const cols = m ?? n;
  if (n < 0) throw new RuntimeError(`n must be greater or equal to 0, got ${n}`);
  if (cols < 0) throw new RuntimeError(`m must be greater or equal to 0, got ${cols}`);
  const dtype = opts.dtype ?? dt.get_default_dtype();
  const values = new dtype.array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) values[i * cols + i] = 1;
  return finish(fromValues(values, [n, cols], dtype, deviceOf(opts)), opts);
}

/** `torch.scalar_tensor(v)`: a 0-d tensor. @example torch.scalar_tensor(3) // tensor(3.) */
export function scalar_tensor(v: number | boolean, opts: TensorOptions = {}): Tensor {
  return full([], v, { dtype: dt.get_default_dtype(), ...opts });
}

/**
 * `torch.frombuffer(buffer, {dtype})`: shares memory with the buffer, as in PyTorch.
 * @example torch.frombuffer(new Float32Array([1, 2]).buffer, {dtype: torch.float32}) // tensor([1., 2.])
 */
export function frombuffer(buffer: ArrayBufferLike, opts: { dtype: DType; count?: number; offset?: number }): Tensor {
  const { dtype } = opts;
  if (dtype === dt.int64) throw new ValueError('frombuffer: int64 cannot share memory in torchlab (stored as float64)');
  const offset = opts.offset ?? 0;
  const count = opts.count ?? -1;
  const n = count < 0 ? (buffer.byteLength - offset) / dtype.itemsize : count;
  if (!Number.isInteger(n)) {
    throw new ValueError(`buffer length (${buffer.byteLength - offset} bytes) after offset (${offset} bytes) must be a multiple of element size (${dtype.itemsize})`);
  }
  return fromValues(new dtype.array(buffer, offset, n), [n], dtype, tensorDevice('cpu'));
}
