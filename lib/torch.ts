/**
 * The `torch` namespace: dtypes, devices, creation, math, reductions, autograd and random state,
 * under PyTorch's names. Functions that mirror tensor methods take the tensor first, as in PyTorch.
 */

import './backends/cpu/index.js';
import * as dt from './dtype.js';
import { device, Device, get_default_device, set_default_device } from './device.js';
import { Size } from './size.js';
import { Tensor, type Dims, type Scalar, type TensorOrScalar, type ValuesIndices } from './tensor.js';
import * as pw from './ops/pointwise.js';
import * as cr from './ops/creation.js';
import * as red from './ops/reduction.js';
import * as sc from './ops/scatter.js';
import * as la from './ops/linalg.js';
import * as cat from './ops/cat.js';
import * as rnd from './ops/random.js';
import { torchExtras } from './ops/api_extra.js';
import { broadcastShapes } from './shape.js';
import { enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled } from './autograd/grad_mode.js';
import * as autograd from './autograd/index.js';
import { set_printoptions } from './display/repr.js';
import { save, load } from './serialization/index.js';
import { RuntimeError } from './errors.js';
import * as cuda from './cuda.js';
import * as nn from './nn/index.js';
import * as optim from './optim/index.js';
import * as utils from './utils/index.js';

type UnaryFns = { [K in pw.UnaryName]: (input: Tensor) => Tensor } & { [K in pw.UnaryName as `${K}_`]: (input: Tensor) => Tensor };
type BinaryFns = { [K in pw.BinaryName]: (input: Tensor, other: TensorOrScalar) => Tensor };

const unaryFns = Object.fromEntries(
  pw.unaryNames.flatMap((n) => [
    [n, (x: Tensor) => x[n]()],
    [`${n}_`, (x: Tensor) => x[`${n}_`]()],
  ]),
) as UnaryFns;
const binaryFns = Object.fromEntries(pw.binaryNames.map((n) => [n, (x: Tensor, y: TensorOrScalar) => x[n](y)])) as BinaryFns;

/** A scalar operand as a tensor on `like`'s device, for functions whose first argument may be a number. */
function asTensor(x: TensorOrScalar, like?: TensorOrScalar): Tensor {
  if (x instanceof Tensor) return x;
  return cr.tensor(x, like instanceof Tensor ? { device: like.device } : {});
}

type KeepOpts = boolean | { keepdim?: boolean; dtype?: dt.DType };

const torchBase = {
  // dtypes
  float32: dt.float32, float: dt.float32, float64: dt.float64, double: dt.float64,
  int32: dt.int32, int: dt.int32, int64: dt.int64, long: dt.int64, uint8: dt.uint8, bool: dt.bool,
  dtype: dt.DType,
  get_default_dtype: dt.get_default_dtype,
  set_default_dtype: dt.set_default_dtype,
  promote_types: dt.promote_types,
  /** `torch.result_type(a, b)`. @example torch.result_type(torch.tensor([1, 2]), 1.5) // torch.float32 */
  result_type: (a: TensorOrScalar, b: TensorOrScalar): dt.DType =>
    dt.result_type(...[a, b].map((x) => (x instanceof Tensor ? { dtype: x.dtype, dim: x.dim() } : x))),
  can_cast: pw.canCast,

  // classes and devices
  Tensor, Size, device, Device, Generator: rnd.Generator,
  set_default_device, get_default_device,
  /** `torch.is_tensor(obj)`: whether `obj` is a Tensor (a type guard). @example torch.is_tensor(torch.zeros(1)) // true */
  is_tensor: (x: unknown): x is Tensor => x instanceof Tensor,
  /**
   * `torch.is_floating_point(input)`: true for float32 and float64 tensors.
   * @example torch.is_floating_point(torch.zeros(1)) // true
   */
  is_floating_point: (x: Tensor): boolean => x.is_floating_point(),
  /** `torch.numel(input)`: the number of elements. @example torch.numel(torch.zeros(2, 3)) // 6 */
  numel: (x: Tensor): number => x.numel(),
  /**
   * `torch.broadcast_shapes(*shapes)`: the shape the given shapes broadcast to (raises where they
   * cannot).
   * @example torch.broadcast_shapes([2, 1], [1, 3]) // torch.Size([2, 3])
   */
  broadcast_shapes: (...shapes: number[][]): Size => Size.make(broadcastShapes(...shapes)),

  // creation
  tensor: cr.tensor,
  /**
   * `torch.as_tensor(data, {dtype, device})`: a tensor passed in comes back as it is (or converted by
   * `to`); other data is copied as by `torch.tensor`. Differs from PyTorch: typed arrays are copied, not
   * shared.
   * @example torch.as_tensor([1, 2]); torch.as_tensor(x, {dtype: torch.float32})
   */
  as_tensor: (data: Parameters<typeof cr.tensor>[0], opts?: cr.TensorOptions) =>
    data instanceof Tensor ? data.to(opts ?? {}) : cr.tensor(data, opts),
  from_numpy: cr.from_numpy, frombuffer: cr.frombuffer,
  zeros: cr.zeros, ones: cr.ones, empty: cr.empty, full: cr.full,
  zeros_like: cr.zeros_like, ones_like: cr.ones_like, empty_like: cr.empty_like, full_like: cr.full_like,
  arange: cr.arange, linspace: cr.linspace, logspace: cr.logspace, eye: cr.eye, scalar_tensor: cr.scalar_tensor,

  // random
  manual_seed: rnd.manual_seed, seed: rnd.seed, initial_seed: rnd.initial_seed,
  get_rng_state: rnd.get_rng_state, set_rng_state: rnd.set_rng_state, default_generator: rnd.default_generator,
  rand: rnd.rand, randn: rnd.randn, randint: rnd.randint, randperm: rnd.randperm,
  rand_like: rnd.rand_like, randn_like: rnd.randn_like, randint_like: rnd.randint_like,
  bernoulli: rnd.bernoulli, multinomial: rnd.multinomial, normal: rnd.normal,

  // pointwise with extra arguments
  /**
   * `torch.add(input, other, *, alpha=1)`: input + alpha * other, broadcast; input may be a number.
   * @example torch.add(torch.tensor([1, 2]), 1) // tensor([2, 3])
   */
  add: (x: TensorOrScalar, y: TensorOrScalar, opts?: { alpha?: number }): Tensor => asTensor(x, y).add(y, opts),
  /**
   * `torch.sub(input, other, *, alpha=1)`: input - alpha * other, broadcast; input may be a number.
   * @example torch.sub(1, torch.tensor([1, 2])) // tensor([ 0, -1])
   */
  sub: (x: TensorOrScalar, y: TensorOrScalar, opts?: { alpha?: number }): Tensor => asTensor(x, y).sub(y, opts),
  /**
   * `torch.subtract(input, other, *, alpha=1)`: an alias of `sub`.
   * @example torch.subtract(torch.tensor([3, 4]), 1) // tensor([2, 3])
   */
  subtract: (x: TensorOrScalar, y: TensorOrScalar, opts?: { alpha?: number }): Tensor => asTensor(x, y).sub(y, opts),
  /**
   * `torch.div(input, other, *, rounding_mode=None)`: true division (floating result), or rounded
   * 'trunc' / 'floor' keeping the promoted dtype.
   * @example torch.div(torch.tensor([-3, 3]), 2, {rounding_mode: 'trunc'}) // tensor([-1,  1])
   */
  div: (x: TensorOrScalar, y: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor => asTensor(x, y).div(y, opts),
  /**
   * `torch.divide(input, other, *, rounding_mode=None)`: an alias of `div`.
   * @example torch.divide(torch.tensor([1, 2]), 2) // tensor([0.5000, 1.0000])
   */
  divide: (x: TensorOrScalar, y: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor => asTensor(x, y).div(y, opts),
  /**
   * `torch.floor_divide(input, other)`: division rounded down (Python's `//`).
   * @example torch.floor_divide(torch.tensor([-3, 3]), 2) // tensor([-2,  1])
   */
  floor_divide: (x: TensorOrScalar, y: TensorOrScalar): Tensor => asTensor(x, y).div(y, { rounding_mode: 'floor' }),
  /**
   * `torch.where(condition, input, other)`: input where the bool condition is true, else other
   * (broadcast; numbers allowed); `torch.where(condition)` is `nonzero(condition, as_tuple=True)`.
   * @example torch.where(x.gt(0), x, 0) // relu
   */
  where: (condition: Tensor, input?: TensorOrScalar, other?: TensorOrScalar): Tensor | Tensor[] => {
    if (input !== undefined) return pw.where(condition, input, other!);
    // where(condition) alone is nonzero's tuple; a missing input beside an other is an error, as None is in PyTorch
    if (other !== undefined) throw new TypeError("where(): argument 'input' (position 2) must be Tensor, not NoneType");
    return sc.nonzero(condition).unbind(1);
  },
  /**
   * `torch.clamp(input, min=None, max=None)`: each element limited to [min, max].
   * @example torch.clamp(torch.tensor([-2, 0, 2]), -1, 1) // tensor([-1,  0,  1])
   */
  clamp: (x: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor => x.clamp(min, max),
  /**
   * `torch.clip(input, min=None, max=None)`: an alias of `clamp`.
   * @example torch.clip(torch.tensor([-2, 2]), -1, 1) // tensor([-1,  1])
   */
  clip: (x: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor => x.clamp(min, max),
  /**
   * `torch.lerp(input, end, weight)`: input + weight * (end - input).
   * @example torch.lerp(torch.zeros(2), torch.ones(2), 0.25) // tensor([0.2500, 0.2500])
   */
  lerp: (s: Tensor, e: Tensor, w: TensorOrScalar): Tensor => s.lerp(e, w),
  /**
   * `torch.addcmul(input, tensor1, tensor2, *, value=1)`: input + value * tensor1 * tensor2.
   * @example torch.addcmul(v, g, g, {value: 1 - beta2})
   */
  addcmul: (s: Tensor, a: Tensor, b: Tensor, opts?: { value?: number }): Tensor => s.addcmul(a, b, opts),
  /**
   * `torch.addcdiv(input, tensor1, tensor2, *, value=1)`: input + value * tensor1 / tensor2.
   * @example torch.addcdiv(p, m, v.sqrt().add(eps), {value: -lr})
   */
  addcdiv: (s: Tensor, a: Tensor, b: Tensor, opts?: { value?: number }): Tensor => s.addcdiv(a, b, opts),
  /**
   * `torch.masked_fill(input, mask, value)`: `value` where the bool mask is true.
   * @example torch.masked_fill(torch.tensor([1, 2]), torch.tensor([true, false]), 0) // tensor([0, 2])
   */
  masked_fill: (x: Tensor, mask: Tensor, value: TensorOrScalar): Tensor => x.masked_fill(mask, value),
  /**
   * `torch.equal(input, other)`: true when both have the same shape and values (NaN never equal).
   * @example torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2])) // true
   */
  equal: (a: Tensor, b: Tensor): boolean => a.equal(b),
  /**
   * `torch.isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)`: |input - other| <= atol +
   * rtol * |other| elementwise.
   * @example torch.isclose(torch.tensor([1, 2]), torch.tensor([1, 3])) // tensor([ True, False])
   */
  isclose: (a: Tensor, b: Tensor | Scalar, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): Tensor => a.isclose(b, opts),
  /**
   * `torch.allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)`: `isclose` everywhere, as a
   * boolean.
   * @example torch.allclose(torch.tensor([1, 2]), torch.tensor([1, 2])) // true
   */
  allclose: (a: Tensor, b: Tensor | Scalar, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): boolean => a.allclose(b, opts),
  /**
   * `torch.square(input)`: input * input, keeping integer dtypes.
   * @example torch.square(torch.tensor([-2, 3])) // tensor([4, 9])
   */
  square: (x: Tensor): Tensor => x.square(),

  // reductions
  /**
   * `torch.sum(input, dim=None, keepdim=False, *, dtype=None)`: the sum of all elements, or over `dim`.
   * @example torch.sum(torch.tensor([[1, 2], [3, 4]]), 1) // tensor([3, 7])
   */
  sum: (x: Tensor, dim?: Dims | null, keepdim?: KeepOpts): Tensor => x.sum(dim, keepdim),
  /**
   * `torch.mean(input, dim=None, keepdim=False, *, dtype=None)`: the mean (floating point input only).
   * @example torch.mean(torch.tensor([1, 2], {dtype: torch.float32})) // tensor(1.5000)
   */
  mean: (x: Tensor, dim?: Dims | null, keepdim?: KeepOpts): Tensor => x.mean(dim, keepdim),
  /**
   * `torch.prod(input, dim=None, keepdim=False, *, dtype=None)`: the product of all elements, or along
   * one `dim`.
   * @example torch.prod(torch.tensor([1, 2, 3, 4])) // tensor(24)
   */
  prod: (x: Tensor, dim?: number | null, keepdim?: KeepOpts): Tensor => x.prod(dim, keepdim),
  /**
   * `torch.max(input)`: the maximum; `torch.max(input, dim, keepdim=False)`: `(values, indices)`;
   * `torch.max(input, other)`: the elementwise maximum.
   * @example const [values, indices] = torch.max(logits, 1); torch.max(torch.tensor([1, 3])) // tensor(3)
   */
  max: ((x: Tensor, dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }) => red.max(x, dim, keepdim)) as {
    (x: Tensor): Tensor;
    (x: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
    (x: Tensor, other: Tensor): Tensor;
  },
  /**
   * `torch.min(input)`: the minimum; `torch.min(input, dim, keepdim=False)`: `(values, indices)`;
   * `torch.min(input, other)`: the elementwise minimum.
   * @example torch.min(torch.tensor([1, 3])) // tensor(1)
   */
  min: ((x: Tensor, dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }) => red.min(x, dim, keepdim)) as {
    (x: Tensor): Tensor;
    (x: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
    (x: Tensor, other: Tensor): Tensor;
  },
  /**
   * `torch.argmax(input, dim=None, keepdim=False)`: the int64 index of the maximum.
   * @example torch.argmax(torch.tensor([1, 3, 2])) // tensor(1)
   */
  argmax: (x: Tensor, dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.argmax(dim, keepdim),
  /**
   * `torch.argmin(input, dim=None, keepdim=False)`: the int64 index of the minimum.
   * @example torch.argmin(torch.tensor([3, 1, 2])) // tensor(1)
   */
  argmin: (x: Tensor, dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.argmin(dim, keepdim),
  /**
   * `torch.amax(input, dim=(), keepdim=False)`: the maximum over `dim` (all dims when omitted), without
   * indices.
   * @example torch.amax(torch.tensor([[1, 5], [3, 2]]), 0) // tensor([3, 5])
   */
  amax: (x: Tensor, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.amax(dim, keepdim),
  /**
   * `torch.amin(input, dim=(), keepdim=False)`: the minimum over `dim` (all dims when omitted), without
   * indices.
   * @example torch.amin(torch.tensor([[1, 5], [3, 2]]), 1) // tensor([1, 2])
   */
  amin: (x: Tensor, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.amin(dim, keepdim),
  /**
   * `torch.var(input, dim=None, *, correction=1, keepdim=False)`: the variance (Bessel-corrected by
   * default).
   * @example torch.var(torch.tensor([1, 2, 3, 4], {dtype: torch.float32})) // tensor(1.6667)
   */
  var: (x: Tensor, dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor => x.var(dim, opts),
  /**
   * `torch.std(input, dim=None, *, correction=1, keepdim=False)`: the standard deviation.
   * @example torch.std(torch.tensor([1, 2, 3, 4], {dtype: torch.float32})) // tensor(1.2910)
   */
  std: (x: Tensor, dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor => x.std(dim, opts),
  /**
   * `torch.var_mean(input, dim=None, *, correction=1, keepdim=False)`: `[var, mean]`.
   * @example const [v, m] = torch.var_mean(x, 0)
   */
  var_mean: (x: Tensor, dim?: Dims | null, opts?: { correction?: number; keepdim?: boolean }): [Tensor, Tensor] => [
    x.var(dim, opts), x.mean(dim, opts?.keepdim ?? false)],
  /**
   * `torch.std_mean(input, dim=None, *, correction=1, keepdim=False)`: `[std, mean]`.
   * @example const [s, m] = torch.std_mean(x, 0)
   */
  std_mean: (x: Tensor, dim?: Dims | null, opts?: { correction?: number; keepdim?: boolean }): [Tensor, Tensor] => [
    x.std(dim, opts), x.mean(dim, opts?.keepdim ?? false)],
  /**
   * `torch.logsumexp(input, dim, keepdim=False)`: log(sum(exp(input))) over `dim`, without overflow.
   * @example torch.logsumexp(torch.tensor([0, 0], {dtype: torch.float32}), 0) // tensor(0.6931)
   */
  logsumexp: (x: Tensor, dim: Dims, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.logsumexp(dim, keepdim),
  /**
   * `torch.norm(input, p='fro', dim=None, keepdim=False)`: the p-norm of all elements or over `dim` (2 /
   * 'fro' by default; Infinity and -Infinity too).
   * @example torch.norm(torch.tensor([3, 4], {dtype: torch.float32})) // tensor(5.)
   */
  norm: (x: Tensor, p?: number | 'fro' | null, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.norm(p, dim, keepdim),
  /**
   * `torch.all(input, dim=None, keepdim=False)`: whether every element is nonzero, as a bool tensor.
   * @example torch.all(torch.tensor([1, 0])) // tensor(False)
   */
  all: (x: Tensor, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.all(dim, keepdim),
  /**
   * `torch.any(input, dim=None, keepdim=False)`: whether some element is nonzero, as a bool tensor.
   * @example torch.any(torch.tensor([1, 0])) // tensor(True)
   */
  any: (x: Tensor, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.any(dim, keepdim),
  /**
   * `torch.cumsum(input, dim, *, dtype=None)`: running sums along `dim`.
   * @example torch.cumsum(torch.tensor([1, 2, 3]), 0) // tensor([1, 3, 6])
   */
  cumsum: (x: Tensor, dim: number, opts?: { dtype?: dt.DType }): Tensor => x.cumsum(dim, opts),
  /**
   * `torch.cumprod(input, dim, *, dtype=None)`: running products along `dim`.
   * @example torch.cumprod(torch.tensor([1, 2, 3]), 0) // tensor([1, 2, 6])
   */
  cumprod: (x: Tensor, dim: number, opts?: { dtype?: dt.DType }): Tensor => x.cumprod(dim, opts),
  /**
   * `torch.sort(input, dim=-1, descending=False, *, stable=False)`: `(values, indices)` sorted along
   * `dim`.
   * @example const [values, indices] = torch.sort(torch.tensor([3, 1, 2]))
   */
  sort: (x: Tensor, dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): ValuesIndices => x.sort(dim, descending),
  /**
   * `torch.argsort(input, dim=-1, descending=False, *, stable=False)`: the indices that sort input along
   * `dim`.
   * @example torch.argsort(torch.tensor([3, 1, 2])) // tensor([1, 2, 0])
   */
  argsort: (x: Tensor, dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): Tensor => x.argsort(dim, descending),
  /**
   * `torch.topk(input, k, dim=-1, largest=True, sorted=True)`: `(values, indices)` of the k largest (or
   * smallest).
   * @example torch.topk(torch.tensor([1, 5, 3]), 2).values // tensor([5, 3])
   */
  topk: (x: Tensor, k: number, dim?: number | { dim?: number; largest?: boolean; sorted?: boolean }, largest?: boolean, sorted?: boolean): ValuesIndices =>
    x.topk(k, dim, largest, sorted),
  /**
   * `torch.softmax(input, dim, *, dtype=None)`: exp(input) / sum(exp(input)) along `dim`.
   * @example torch.softmax(torch.tensor([0, 0], {dtype: torch.float32}), 0) // tensor([0.5000, 0.5000])
   */
  softmax: (x: Tensor, dim: number, opts?: { dtype?: dt.DType }): Tensor => x.softmax(dim, opts),
  /**
   * `torch.log_softmax(input, dim, *, dtype=None)`: log(softmax(input)) along `dim`, computed stably.
   * @example torch.log_softmax(logits, 1)
   */
  log_softmax: (x: Tensor, dim: number, opts?: { dtype?: dt.DType }): Tensor => x.log_softmax(dim, opts),

  // indexing
  gather: sc.gather, index_select: sc.index_select, masked_select: sc.masked_select, take: sc.take,
  /**
   * `torch.scatter(input, dim, index, src, *, reduce=None)`: a copy of input with `src` written at
   * `index` along `dim`.
   * @example torch.scatter(torch.zeros(3), 0, torch.tensor([1]), 5) // tensor([0., 5., 0.])
   */
  scatter: (x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, opts?: { reduce?: 'add' | 'multiply' }): Tensor => x.scatter(dim, index, src, opts),
  scatter_add: sc.scatter_add,
  /**
   * `torch.nonzero(input, *, as_tuple=False)`: the indices of the nonzero elements, one row each;
   * `as_tuple` gives one index tensor per dim.
   * @example torch.nonzero(torch.tensor([0, 3, 0, 4])) // tensor([[1], [3]])
   */
  nonzero: (x: Tensor, opts?: { as_tuple?: boolean }): Tensor | Tensor[] => (opts?.as_tuple ? sc.nonzero(x).unbind(1) : sc.nonzero(x)),

  // linear algebra
  matmul: la.matmul, mm: la.mm, bmm: la.bmm, mv: la.mv, dot: la.dot, outer: la.outer, einsum: la.einsum,
  /**
   * `torch.addmm(input, mat1, mat2, *, beta=1, alpha=1)`: beta * input + alpha * (mat1 @ mat2).
   * @example torch.addmm(b, x, w.t()) // x @ wᵀ + b
   */
  addmm: (self: Tensor, m1: Tensor, m2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor => self.addmm(m1, m2, opts),

  // joining and rearranging
  cat: cat.cat, concat: cat.cat, concatenate: cat.cat, stack: cat.stack,
  hstack: torchExtras.hstack,
  /**
   * `torch.vstack(tensors)`: joins along dim 0, 1-d tensors becoming rows.
   * @example torch.vstack([torch.tensor([1, 2]), torch.tensor([3, 4])]) // tensor([[1, 2], [3, 4]])
   */
  vstack: (ts: readonly Tensor[]): Tensor => cat.cat(ts.map((t) => (t.dim() < 2 ? t.reshape(1, -1) : t)), 0),
  split: cat.split, chunk: cat.chunk, unbind: cat.unbind,
  /**
   * `torch.flip(input, dims)`: the elements reversed along `dims` (a copy).
   * @example torch.flip(torch.tensor([1, 2, 3]), [0]) // tensor([3, 2, 1])
   */
  flip: (x: Tensor, dims: readonly number[]): Tensor => x.flip(dims),
  /**
   * `torch.roll(input, shifts, dims=None)`: the elements shifted circularly along `dims` (flattened when
   * None).
   * @example torch.roll(torch.tensor([1, 2, 3]), 1) // tensor([3, 1, 2])
   */
  roll: (x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor => x.roll(shifts, dims),
  /**
   * `torch.tile(input, dims)`: input repeated `dims` times along each dim.
   * @example torch.tile(torch.tensor([1, 2]), [2]) // tensor([1, 2, 1, 2])
   */
  tile: (x: Tensor, dims: readonly number[]): Tensor => x.tile(dims),
  /**
   * `torch.repeat_interleave(input, repeats, dim=None)`: each element repeated `repeats` times.
   * @example torch.repeat_interleave(torch.tensor([1, 2]), 2) // tensor([1, 1, 2, 2])
   */
  repeat_interleave: (x: Tensor, repeats: number | Tensor, dim?: number | null): Tensor => x.repeat_interleave(repeats, dim),
  /**
   * `torch.tril(input, diagonal=0)`: the lower triangle of the last two dims, the rest zeroed.
   * @example torch.tril(torch.ones(2, 2)) // tensor([[1., 0.], [1., 1.]])
   */
  tril: (x: Tensor, diagonal = 0): Tensor => x.tril(diagonal),
  /**
   * `torch.triu(input, diagonal=0)`: the upper triangle of the last two dims, the rest zeroed.
   * @example torch.triu(torch.ones(2, 2)) // tensor([[1., 1.], [0., 1.]])
   */
  triu: (x: Tensor, diagonal = 0): Tensor => x.triu(diagonal),

  // views as functions
  /**
   * `torch.reshape(input, shape)`: a view when possible, else a copy; one dim may be -1.
   * @example torch.reshape(torch.arange(6), [2, -1]).shape // [2, 3]
   */
  reshape: (x: Tensor, shape: readonly number[]): Tensor => x.reshape(shape),
  /**
   * `torch.flatten(input, start_dim=0, end_dim=-1)`: dims start_dim..end_dim merged into one.
   * @example torch.flatten(torch.zeros(8, 1, 28, 28), 1).shape // [8, 784]
   */
  flatten: (x: Tensor, start_dim = 0, end_dim = -1): Tensor => x.flatten(start_dim, end_dim),
  /**
   * `torch.unflatten(input, dim, sizes)`: dim split into `sizes`.
   * @example torch.unflatten(torch.zeros(8, 784), 1, [28, 28]).shape // [8, 28, 28]
   */
  unflatten: (x: Tensor, dim: number, sizes: readonly number[]): Tensor => x.unflatten(dim, sizes),
  /**
   * `torch.squeeze(input, dim=None)`: the size-1 dims dropped (all, or those of `dim`).
   * @example torch.squeeze(torch.zeros(2, 1, 3)).shape // [2, 3]
   */
  squeeze: (x: Tensor, dim?: Dims): Tensor => x.squeeze(dim),
  /**
   * `torch.unsqueeze(input, dim)`: a size-1 dim inserted at `dim`.
   * @example torch.unsqueeze(torch.zeros(3), 0).shape // [1, 3]
   */
  unsqueeze: (x: Tensor, dim: number): Tensor => x.unsqueeze(dim),
  /**
   * `torch.permute(input, dims)`: the dims reordered (a view).
   * @example torch.permute(torch.zeros(2, 3, 4), [2, 0, 1]).shape // [4, 2, 3]
   */
  permute: (x: Tensor, dims: readonly number[]): Tensor => x.permute(dims),
  /**
   * `torch.transpose(input, dim0, dim1)`: the two dims swapped (a view).
   * @example torch.transpose(torch.zeros(2, 3), 0, 1).shape // [3, 2]
   */
  transpose: (x: Tensor, d0: number, d1: number): Tensor => x.transpose(d0, d1),
  /**
   * `torch.swapaxes(input, axis0, axis1)`: an alias of `transpose`.
   * @example torch.swapaxes(torch.zeros(2, 3), 0, 1).shape // [3, 2]
   */
  swapaxes: (x: Tensor, d0: number, d1: number): Tensor => x.transpose(d0, d1),
  /**
   * `torch.movedim(input, source, destination)`: dims moved to new positions.
   * @example torch.movedim(torch.zeros(2, 3, 4), 0, -1).shape // [3, 4, 2]
   */
  movedim: (x: Tensor, s: Dims, d: Dims): Tensor => x.movedim(s, d),
  /** `torch.t(input)`: the transpose of a tensor of at most 2 dims. @example torch.t(torch.zeros(2, 3)).shape // [3, 2] */
  t: (x: Tensor): Tensor => x.t(),
  /**
   * `torch.narrow(input, dim, start, length)`: `length` elements of `dim` from `start` (a view).
   * @example torch.narrow(torch.arange(5), 0, 1, 3) // tensor([1, 2, 3])
   */
  narrow: (x: Tensor, dim: number, start: number, length: number): Tensor => x.narrow(dim, start, length),
  /**
   * `torch.select(input, dim, index)`: the slice at `index` along `dim`, which is removed (a view).
   * @example torch.select(torch.tensor([[1, 2], [3, 4]]), 1, 0) // tensor([1, 3])
   */
  select: (x: Tensor, dim: number, index: number): Tensor => x.select(dim, index),
  /**
   * `torch.diagonal(input, offset=0, dim1=0, dim2=1)`: the diagonal of the (dim1, dim2) planes as the
   * last dim (a view).
   * @example torch.diagonal(torch.eye(2)) // tensor([1., 1.])
   */
  diagonal: (x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor => x.diagonal(offset, dim1, dim2),
  /**
   * `torch.as_strided(input, size, stride, storage_offset=None)`: a view with the given shape and
   * strides over input's storage.
   * @example torch.as_strided(torch.arange(4), [3, 2], [1, 1]) // tensor([[0, 1], [1, 2], [2, 3]])
   */
  as_strided: (x: Tensor, size: readonly number[], stride: readonly number[], offset?: number): Tensor => x.as_strided(size, stride, offset),
  /** `torch.clone(input)`: a copy with its own storage (differentiable). @example const y = torch.clone(x) */
  clone: (x: Tensor): Tensor => x.clone(),
  /** `torch.detach(input)`: a tensor sharing storage, cut from the graph. @example torch.detach(x).requires_grad // false */
  detach: (x: Tensor): Tensor => x.detach(),

  // autograd
  no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode, autograd,

  set_printoptions,
  save, load,
  cuda,
  RuntimeError,

  // training
  nn, optim, utils,
};

/** The torch namespace. */
export const torch = { ...unaryFns, ...binaryFns, ...torchExtras, ...torchBase };
export type Torch = typeof torch;
