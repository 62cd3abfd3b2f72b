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
  /** `torch.result_type(a, b)`. */
  result_type: (a: TensorOrScalar, b: TensorOrScalar): dt.DType =>
    dt.result_type(...[a, b].map((x) => (x instanceof Tensor ? { dtype: x.dtype, dim: x.dim() } : x))),
  can_cast: pw.canCast,

  // classes and devices
  Tensor, Size, device, Device, Generator: rnd.Generator,
  set_default_device, get_default_device,
  is_tensor: (x: unknown): x is Tensor => x instanceof Tensor,
  is_floating_point: (x: Tensor): boolean => x.is_floating_point(),
  numel: (x: Tensor): number => x.numel(),
  broadcast_shapes: (...shapes: number[][]): Size => Size.make(broadcastShapes(...shapes)),

  // creation
  tensor: cr.tensor, as_tensor: (data: Parameters<typeof cr.tensor>[0], opts?: cr.TensorOptions) =>
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
  add: (x: TensorOrScalar, y: TensorOrScalar, opts?: { alpha?: number }): Tensor => asTensor(x, y).add(y, opts),
  sub: (x: TensorOrScalar, y: TensorOrScalar, opts?: { alpha?: number }): Tensor => asTensor(x, y).sub(y, opts),
  subtract: (x: TensorOrScalar, y: TensorOrScalar, opts?: { alpha?: number }): Tensor => asTensor(x, y).sub(y, opts),
  div: (x: TensorOrScalar, y: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor => asTensor(x, y).div(y, opts),
  divide: (x: TensorOrScalar, y: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor => asTensor(x, y).div(y, opts),
  floor_divide: (x: TensorOrScalar, y: TensorOrScalar): Tensor => asTensor(x, y).div(y, { rounding_mode: 'floor' }),
  where: (condition: Tensor, input?: TensorOrScalar, other?: TensorOrScalar): Tensor | Tensor[] =>
    input === undefined ? sc.nonzero(condition).unbind(1) : pw.where(condition, input, other!),
  clamp: (x: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor => x.clamp(min, max),
  clip: (x: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor => x.clamp(min, max),
  lerp: (s: Tensor, e: Tensor, w: TensorOrScalar): Tensor => s.lerp(e, w),
  addcmul: (s: Tensor, a: Tensor, b: Tensor, opts?: { value?: number }): Tensor => s.addcmul(a, b, opts),
  addcdiv: (s: Tensor, a: Tensor, b: Tensor, opts?: { value?: number }): Tensor => s.addcdiv(a, b, opts),
  masked_fill: (x: Tensor, mask: Tensor, value: TensorOrScalar): Tensor => x.masked_fill(mask, value),
  equal: (a: Tensor, b: Tensor): boolean => a.equal(b),
  isclose: (a: Tensor, b: Tensor | Scalar, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): Tensor => a.isclose(b, opts),
  allclose: (a: Tensor, b: Tensor | Scalar, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): boolean => a.allclose(b, opts),
  square: (x: Tensor): Tensor => x.square(),

  // reductions
  sum: (x: Tensor, dim?: Dims | null, keepdim?: KeepOpts): Tensor => x.sum(dim, keepdim),
  mean: (x: Tensor, dim?: Dims | null, keepdim?: KeepOpts): Tensor => x.mean(dim, keepdim),
  prod: (x: Tensor, dim?: number | null, keepdim?: KeepOpts): Tensor => x.prod(dim, keepdim),
  max: ((x: Tensor, dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }) => red.max(x, dim, keepdim)) as {
    (x: Tensor): Tensor;
    (x: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
    (x: Tensor, other: Tensor): Tensor;
  },
  min: ((x: Tensor, dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }) => red.min(x, dim, keepdim)) as {
    (x: Tensor): Tensor;
    (x: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
    (x: Tensor, other: Tensor): Tensor;
  },
  argmax: (x: Tensor, dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.argmax(dim, keepdim),
  argmin: (x: Tensor, dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.argmin(dim, keepdim),
  amax: (x: Tensor, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.amax(dim, keepdim),
  amin: (x: Tensor, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.amin(dim, keepdim),
  var: (x: Tensor, dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor => x.var(dim, opts),
  std: (x: Tensor, dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor => x.std(dim, opts),
  var_mean: (x: Tensor, dim?: Dims | null, opts?: { correction?: number; keepdim?: boolean }): [Tensor, Tensor] => [
    x.var(dim, opts), x.mean(dim, opts?.keepdim ?? false)],
  std_mean: (x: Tensor, dim?: Dims | null, opts?: { correction?: number; keepdim?: boolean }): [Tensor, Tensor] => [
    x.std(dim, opts), x.mean(dim, opts?.keepdim ?? false)],
  logsumexp: (x: Tensor, dim: Dims, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.logsumexp(dim, keepdim),
  norm: (x: Tensor, p?: number | 'fro' | null, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.norm(p, dim, keepdim),
  all: (x: Tensor, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.all(dim, keepdim),
  any: (x: Tensor, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor => x.any(dim, keepdim),
  cumsum: (x: Tensor, dim: number, opts?: { dtype?: dt.DType }): Tensor => x.cumsum(dim, opts),
  cumprod: (x: Tensor, dim: number, opts?: { dtype?: dt.DType }): Tensor => x.cumprod(dim, opts),
  sort: (x: Tensor, dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): ValuesIndices => x.sort(dim, descending),
  argsort: (x: Tensor, dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): Tensor => x.argsort(dim, descending),
  topk: (x: Tensor, k: number, dim?: number | { dim?: number; largest?: boolean; sorted?: boolean }, largest?: boolean, sorted?: boolean): ValuesIndices =>
    x.topk(k, dim, largest, sorted),
  softmax: (x: Tensor, dim: number, opts?: { dtype?: dt.DType }): Tensor => x.softmax(dim, opts),
  log_softmax: (x: Tensor, dim: number, opts?: { dtype?: dt.DType }): Tensor => x.log_softmax(dim, opts),

  // indexing
  gather: sc.gather, index_select: sc.index_select, masked_select: sc.masked_select, take: sc.take,
  scatter: (x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, opts?: { reduce?: 'add' | 'multiply' }): Tensor => x.scatter(dim, index, src, opts),
  scatter_add: sc.scatter_add,
  nonzero: (x: Tensor, opts?: { as_tuple?: boolean }): Tensor | Tensor[] => (opts?.as_tuple ? sc.nonzero(x).unbind(1) : sc.nonzero(x)),

  // linear algebra
  matmul: la.matmul, mm: la.mm, bmm: la.bmm, mv: la.mv, dot: la.dot, outer: la.outer, einsum: la.einsum,
  addmm: (self: Tensor, m1: Tensor, m2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor => self.addmm(m1, m2, opts),

  // joining and rearranging
  cat: cat.cat, concat: cat.cat, concatenate: cat.cat, stack: cat.stack,
  hstack: torchExtras.hstack,
  vstack: (ts: readonly Tensor[]): Tensor => cat.cat(ts.map((t) => (t.dim() < 2 ? t.reshape(1, -1) : t)), 0),
  split: cat.split, chunk: cat.chunk, unbind: cat.unbind,
  flip: (x: Tensor, dims: readonly number[]): Tensor => x.flip(dims),
  roll: (x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor => x.roll(shifts, dims),
  tile: (x: Tensor, dims: readonly number[]): Tensor => x.tile(dims),
  repeat_interleave: (x: Tensor, repeats: number | Tensor, dim?: number | null): Tensor => x.repeat_interleave(repeats, dim),
  tril: (x: Tensor, diagonal = 0): Tensor => x.tril(diagonal),
  triu: (x: Tensor, diagonal = 0): Tensor => x.triu(diagonal),

  // views as functions
  reshape: (x: Tensor, shape: readonly number[]): Tensor => x.reshape(shape),
  flatten: (x: Tensor, start_dim = 0, end_dim = -1): Tensor => x.flatten(start_dim, end_dim),
  unflatten: (x: Tensor, dim: number, sizes: readonly number[]): Tensor => x.unflatten(dim, sizes),
  squeeze: (x: Tensor, dim?: Dims): Tensor => x.squeeze(dim),
  unsqueeze: (x: Tensor, dim: number): Tensor => x.unsqueeze(dim),
  permute: (x: Tensor, dims: readonly number[]): Tensor => x.permute(dims),
  transpose: (x: Tensor, d0: number, d1: number): Tensor => x.transpose(d0, d1),
  swapaxes: (x: Tensor, d0: number, d1: number): Tensor => x.transpose(d0, d1),
  movedim: (x: Tensor, s: Dims, d: Dims): Tensor => x.movedim(s, d),
  t: (x: Tensor): Tensor => x.t(),
  narrow: (x: Tensor, dim: number, start: number, length: number): Tensor => x.narrow(dim, start, length),
  select: (x: Tensor, dim: number, index: number): Tensor => x.select(dim, index),
  diagonal: (x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor => x.diagonal(offset, dim1, dim2),
  as_strided: (x: Tensor, size: readonly number[], stride: readonly number[], offset?: number): Tensor => x.as_strided(size, stride, offset),
  clone: (x: Tensor): Tensor => x.clone(),
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
