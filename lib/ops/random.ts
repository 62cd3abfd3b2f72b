/**
 * Random sampling: the in-place fills behind `uniform_`, `normal_`, `bernoulli_`, `random_`,
 * `exponential_`, the factories `rand`, `randn`, `randint`, `randperm`, `normal`,
 * `bernoulli`, `multinomial`, `*_like`, and the seeding functions.
 *
 * Samples are drawn on the host from a `Generator` (ops/random_engine.ts) and written into the
 * tensor through the backend, on any device, in the order PyTorch's CPU kernels draw them
 * (memory order for permuted views, as TensorIterator walks them).
 *
 * Which streams are PyTorch's, after the same `manual_seed` (checked against PyTorch 1.13 on
 * x86-64, test/golden/make_random.py):
 * - bit for bit: `rand`/`uniform_` (float32 and float64), `randint`/`random_`, `randperm`,
 *   `bernoulli`/`bernoulli_`, `multinomial`, every float32 normal (`randn`, `normal_`,
 *   `normal`: sizes below 16 and non-contiguous tensors take the scalar Box-Muller path with
 *   its cached second sample, contiguous tensors of 16 or more the AVX2 `normal_fill`),
 *   float32 `exponential_`, and the generator state (`get_state`/`set_state` bytes);
 * - same draws, last bits may differ: float64 normals and float64 `exponential_`, whose
 *   log/sin/cos come from JavaScript's Math instead of the C library (about one value in
 *   twenty differs, by a few ulps; the stream stays in step). PyTorch 2.x computes the scalar
 *   Box-Muller radius with log1p, which moves the same float64 values by similar amounts;
 * - PyTorch itself differs by platform: on CPUs without AVX2 (ARM Macs) its float32 normals of
 *   16+ elements differ from the x86-64 ones reproduced here, and builds with MKL on Intel
 *   CPUs draw `bernoulli_(p)` and `exponential_` differently;
 * - 'cuda' tensors draw from their own generator: rand/randn/uniform_/normal_/bernoulli/
 *   dropout/randint on the device from Philox4x32-10 (see torch.cuda.manual_seed), the other
 *   samplers on the host from its mt19937 stream; reproducible, but not PyTorch's CUDA numbers.
 */

import * as dt from '../dtype.js';
import { get_default_device, tensorDevice, type Device } from '../device.js';
import { RuntimeError } from '../errors.js';
import { broadcastShapes, parseSize } from '../shape.js';
import { Tensor } from '../tensor.js';
import { is_grad_enabled, no_grad } from '../autograd/grad_mode.js';
import { emptyTensor, record } from './dispatch.js';
import { fromValues, zeros, type TensorOptions } from './creation.js';
import {
  Generator, default_generator, defaultGeneratorFor, generatorFor, nondeterministicSeed, seedArg, seedDefaultGenerators,
} from './random_engine.js';
import {
  INT_LIMITS, checkStd, emptyLike, notImplemented, sampleBernoulli, sampleExponential, sampleMultinomial, sampleNormal,
  sampleRandom, sampleUniform,
} from './random_kernels.js';

export { Generator, default_generator, defaultGeneratorFor };

/** The `generator` keyword of PyTorch's samplers. */
export interface GeneratorOptions {
  generator?: Generator | null;
}
/** Creation keywords plus `generator`, as `torch.rand(..., generator=g)` takes them. */
export interface RandomOptions extends TensorOptions, GeneratorOptions {}
/** Size arguments followed by optional options: `(3, 4)`, `([3, 4])`, `(3, 4, {generator})`. */
export type RandomSizeArgs = (number | readonly number[] | RandomOptions)[];

/**
 * `torch.manual_seed(seed)`: seeds the default generators of all devices; returns the CPU one.
 * Floats are truncated as Python's `int(seed)` does; bigint seeds reach the full uint64 range.
 * @example torch.manual_seed(0); torch.rand(3) // tensor([0.4963, 0.7682, 0.0885])
 */
export function manual_seed(seed: number | bigint): Generator {
  seedDefaultGenerators(seedArg(seed));
  return default_generator;
}

/**
 * `torch.seed()`: seeds every default generator non-deterministically and returns the seed.
 * Differs from PyTorch: the seed has 53 bits (PyTorch: 64), so it is exact as a number.
 * @example const s = torch.seed(); torch.manual_seed(s) // replays what follows
 */
export function seed(): number {
  const s = Number(nondeterministicSeed());
  manual_seed(s);
  return s;
}

/**
 * `torch.initial_seed()`: the default CPU generator's seed (a number: exact below 2^53).
 * @example torch.manual_seed(7); torch.initial_seed() // 7
 */
export function initial_seed(): number {
  return default_generator.initial_seed();
}

/**
 * `torch.get_rng_state()`: the default CPU generator's state, a uint8 tensor of 5056 bytes,
 * byte for byte PyTorch's (states move between the two).
 * @example const s = torch.get_rng_state(); torch.rand(2); torch.set_rng_state(s); torch.rand(2) // the same two
 */
export function get_rng_state(): Tensor {
  return default_generator.get_state();
}

/**
 * `torch.set_rng_state(state)`: restores the default CPU generator, also from a state saved by PyTorch.
 * @example torch.set_rng_state(torch.tensor(bytesFromPyTorch, {dtype: torch.uint8}))
 */
export function set_rng_state(state: Tensor): void {
  default_generator.set_state(state);
}

// ---- in-place fills (tensor methods) ----

/**
 * Runs an in-place sampler as PyTorch's autograd layer does: leaves that require grad are
 * refused outside no_grad; elsewhere the result joins the graph with a zero gradient.
 */
function inplaceRandom(x: Tensor, node: string, others: readonly Tensor[], fill: () => void): Tensor {
  if (is_grad_enabled() && x.is_leaf && x._requiresGrad) {
    throw new RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (x._shape.some((n, i) => n > 1 && x._strides[i] === 0)) {
    throw new RuntimeError(
      'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.',
    );
  }
  fill();
  x._storage.version++;
  record(node, [x, ...others], [x], [], ([g]) => [zerosFor(g!), ...others.map(zerosOf)]);
  return x;
}

const zerosFor = (g: Tensor): Tensor => zeros(g._shape, { dtype: g.dtype, device: g.device });
const zerosOf = (t: Tensor): Tensor => zeros(t._shape, { dtype: t.dtype, device: t.device });

/**
 * `x.uniform_(from=0, to=1)`: fills with samples from [from, to).
 * @example torch.empty(3).uniform_(-1, 1)
 */
export function uniform_(x: Tensor, from = 0, to = 1, g?: Generator | null): Tensor {
  return inplaceRandom(x, 'UniformBackward0', [], () => sampleUniform(x, from, to, g));
}

/**
 * `x.normal_(mean=0, std=1)`: fills with normal samples. On a leaf that requires grad it
 * works inside `no_grad` only, as in PyTorch (nn.init relies on that).
 * @example torch.no_grad(() => w.normal_(0, 0.01))
 */
export function normal_(x: Tensor, mean = 0, std = 1, g?: Generator | null): Tensor {
  return inplaceRandom(x, 'NormalBackward0', [], () => sampleNormal(x, mean, std, g));
}

/**
 * `x.bernoulli_(p=0.5)`: 1 with probability p (a number, or a tensor broadcast to x), else 0.
 * @example torch.empty(4).bernoulli_(0.3)
 */
export function bernoulli_(x: Tensor, p: number | Tensor = 0.5, g?: Generator | null): Tensor {
  if (typeof p === 'number') return inplaceRandom(x, 'BernoulliBackward2', [], () => sampleBernoulli(x, p, g));
  return inplaceRandom(x, 'BernoulliBackward1', [p], () => sampleBernoulli(x, p, g));
}

/**
 * `x.random_(from, to)`: integers in [from, to). As in PyTorch, `x.random_(to)` draws from
 * [0, to), `x.random_(from, null)` from [from, dtype max], and `x.random_()` from
 * [0, 2^mantissa] for floats or the integer dtype's non-negative range.
 * @example torch.empty(5, {dtype: torch.int64}).random_(0, 10)
 */
export function random_(x: Tensor, from?: number, to?: number | null, g?: Generator | null): Tensor {
  if (from === undefined) return inplaceRandom(x, 'RandomBackward2', [], () => sampleRandom(x, undefined, null, g));
  if (to === undefined) return inplaceRandom(x, 'RandomBackward1', [], () => sampleRandom(x, 0, from, g));
  return inplaceRandom(x, 'RandomBackward0', [], () => sampleRandom(x, from, to, g));
}

/**
 * `x.exponential_(lambd=1)`: fills with samples of density `lambd * exp(-lambd * x)`.
 * @example torch.empty(3).exponential_(2)
 */
export function exponential_(x: Tensor, lambd = 1, g?: Generator | null): Tensor {
  return inplaceRandom(x, 'ExponentialBackward0', [], () => sampleExponential(x, lambd, g));
}

// ---- factories ----

function splitRandomArgs(args: RandomSizeArgs): [number[], RandomOptions] {
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    return [parseSize(args.slice(0, -1) as (number | readonly number[])[]), last as RandomOptions];
  }
  return [parseSize(args as (number | readonly number[])[]), {}];
}

function deviceOf(opts: TensorOptions): Device {
  return opts.device !== undefined ? tensorDevice(opts.device) : get_default_device();
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requires_grad) {
    if (!t.dtype.is_floating_point) throw new RuntimeError('Only Tensors of floating point and complex dtype can require gradients');
    t.requires_grad_(true);
  }
  return t;
}

/**
 * `torch.rand(*size)`: uniform samples from [0, 1).
 * @example torch.rand(2, 3); torch.rand([2, 3], {dtype: torch.float64, generator: g})
 */
export function rand(...args: RandomSizeArgs): Tensor {
  const [shape, opts] = splitRandomArgs(args);
  const t = emptyTensor(shape, opts.dtype ?? dt.get_default_dtype(), deviceOf(opts));
  sampleUniform(t, 0, 1, opts.generator);
  return finish(t, opts);
}

/**
 * `torch.randn(*size)`: standard normal samples.
 * @example torch.randn([2, 3], {dtype: torch.float64})
 */
export function randn(...args: RandomSizeArgs): Tensor {
  const [shape, opts] = splitRandomArgs(args);
  const t = emptyTensor(shape, opts.dtype ?? dt.get_default_dtype(), deviceOf(opts));
  sampleNormal(t, 0, 1, opts.generator);
  return finish(t, opts);
}

/**
 * `torch.randint(low=0, high, size)`: integers in [low, high), int64 unless `dtype` says else.
 * @example torch.randint(10, [3]); torch.randint(-5, 5, [2, 2], {dtype: torch.int32})
 */
export function randint(high: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function randint(low: number, high: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function randint(
  a: number,
  b: number | readonly number[],
  c?: readonly number[] | RandomOptions,
  d?: RandomOptions,
): Tensor {
  const [low, high, size, opts] = Array.isArray(b)
    ? [0, a, b as readonly number[], (c ?? {}) as RandomOptions]
    : [a, b as number, c as readonly number[], d ?? {}];
  if (!Array.isArray(size)) throw new TypeError('randint(): argument \'size\' must be tuple of ints');
  const t = emptyTensor(parseSize([size]), opts.dtype ?? dt.int64, deviceOf(opts));
  sampleRandom(t, low, high, opts.generator);
  return finish(t, opts);
}

/**
 * `torch.randperm(n)`: a random permutation of 0..n-1 (int64 by default), by PyTorch's
 * Fisher-Yates (`random() % (n - i)`).
 * @example torch.randperm(5)
 */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n)) throw new TypeError('randperm(): argument \'n\' must be int, not float');
  if (n < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${n}: [${n}]`);
  const dtype = opts.dtype ?? dt.int64;
  if (dtype === dt.bool) throw notImplemented('randperm', dtype);
  if (dtype === dt.float32 && n > 2 ** 24 + 1) throw new RuntimeError('n cannot be greater than 2^24+1 for Float type.');
  if (dtype === dt.float64 && n > 2 ** 53 + 1) throw new RuntimeError('n cannot be greater than 2^53+1 for Double type.');
  const limits = INT_LIMITS[dtype.name];
  if (limits && n > 1 && BigInt(n - 1) > limits[1]) {
    throw new RuntimeError(`value cannot be converted to type ${dtype === dt.uint8 ? 'uint8_t' : 'int32_t'} without overflow`);
  }
  const device = deviceOf(opts);
  const gen = generatorFor(device, opts.generator);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = i + (gen._u32() % (n - i));
    const t = r[i]!;
    r[i] = r[z]!;
    r[z] = t;
  }
  // int64 lives in a Float64Array: the permutation is the storage (other dtypes: one converting copy)
  let values: dt.TypedArray = r;
  if (dtype.array !== Float64Array) {
    values = new dtype.array(n);
    values.set(r);
  }
  return finish(fromValues(values, [n], dtype, device), opts);
}

function likeTensor(x: Tensor, opts: TensorOptions): Tensor {
  const device = opts.device !== undefined ? tensorDevice(opts.device) : x.device;
  return emptyLike(x, opts.dtype ?? x.dtype, device, true);
}

/**
 * `torch.rand_like(x)`: uniform samples with x's shape, dtype, device (and strides, when dense).
 * @example torch.rand_like(torch.zeros(2, 3))
 */
export function rand_like(x: Tensor, opts: TensorOptions = {}): Tensor {
  const t = likeTensor(x, opts);
  sampleUniform(t, 0, 1, null);
  return finish(t, opts);
}

/**
 * `torch.randn_like(x)`: normal samples with x's shape, dtype, device (and strides, when dense).
 * @example torch.randn_like(x, {dtype: torch.float64})
 */
export function randn_like(x: Tensor, opts: TensorOptions = {}): Tensor {
  const t = likeTensor(x, opts);
  sampleNormal(t, 0, 1, null);
  return finish(t, opts);
}

/**
 * `torch.randint_like(x, low=0, high)`: integers in [low, high) with x's shape and dtype.
 * @example torch.randint_like(x, 10); torch.randint_like(x, -3, 3)
 */
export function randint_like(x: Tensor, high: number, opts?: TensorOptions): Tensor;
export function randint_like(x: Tensor, low: number, high: number, opts?: TensorOptions): Tensor;
export function randint_like(x: Tensor, a: number, b?: number | TensorOptions, c?: TensorOptions): Tensor {
  const [low, high, opts] = typeof b === 'number' ? [a, b, c ?? {}] : [0, a, b ?? {}];
  const t = likeTensor(x, opts);
  sampleRandom(t, low, high, null);
  return finish(t, opts);
}

/**
 * `torch.bernoulli(input)`: 1 with probability `input[i]`, else 0, in input's dtype;
 * `torch.bernoulli(input, p)` uses the one probability p for every element.
 * @example torch.bernoulli(torch.full([3], 0.5))
 */
export function bernoulli(input: Tensor, p?: number | GeneratorOptions, opts: GeneratorOptions = {}): Tensor {
  if (typeof p === 'number') {
    const t = emptyLike(input, input.dtype, input.device, true);
    sampleBernoulli(t, p, opts.generator);
    return t; // PyTorch records no node here: the result never requires grad
  }
  const o = p ?? opts;
  const t = emptyTensor(input._shape, input.dtype, input.device);
  sampleBernoulli(t, input, o.generator);
  record('BernoulliBackward0', [input], [t], [], () => [zerosOf(input)]);
  return t;
}

/** `torch.multinomial`'s keyword arguments. */
export interface MultinomialOptions extends GeneratorOptions {
  replacement?: boolean;
}

/**
 * `torch.multinomial(input, num_samples, replacement=false)`: category indices (int64) drawn
 * with the probabilities in each row of `input` (1-d or 2-d, need not sum to one).
 * Without replacement, PyTorch's exponential-race algorithm (`argmax`/`topk` of p / q with
 * q ~ Exp(1)); ties among zero-probability categories are ordered by index.
 * @example torch.multinomial(torch.tensor([0.1, 0.9]), 4, true)
 */
export function multinomial(
  input: Tensor,
  num_samples: number,
  replacement: boolean | MultinomialOptions = false,
  opts: GeneratorOptions = {},
): Tensor {
  let withReplacement: boolean;
  let g: Generator | null | undefined;
  if (typeof replacement === 'object') {
    withReplacement = replacement.replacement ?? false;
    g = replacement.generator;
  } else {
    withReplacement = replacement;
    g = opts.generator;
  }
  return sampleMultinomial(input, num_samples, withReplacement, g);
}

function checkStdTensor(std: Tensor): void {
  if (std.numel() > 0 && !(std.min().item() >= 0)) throw new RuntimeError('normal expects all elements of std >= 0.0');
}

/**
 * `torch.normal` in PyTorch's four forms: `normal(mean: Tensor, std = 1)`,
 * `normal(mean: number, std: Tensor)`, `normal(mean: Tensor, std: Tensor)` (shapes broadcast),
 * and `normal(mean: number, std: number, size, {dtype, device, requires_grad, generator})`.
 * Gradients through mean and std are zero, as in PyTorch.
 * @example torch.normal(torch.zeros(3), 2); torch.normal(0, 1, [2, 2])
 */
export function normal(mean: Tensor, std?: Tensor | number, opts?: GeneratorOptions): Tensor;
export function normal(mean: number, std: Tensor, opts?: GeneratorOptions): Tensor;
export function normal(mean: number, std: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function normal(
  mean: Tensor | number,
  std: Tensor | number = 1,
  c?: readonly number[] | GeneratorOptions,
  d?: RandomOptions,
): Tensor {
  if (typeof mean === 'number' && typeof std === 'number') {
    if (!Array.isArray(c)) {
      throw new TypeError(
        'normal() received an invalid combination of arguments - got (float, float), but expected one of:\n' +
          ' * (Tensor mean, Tensor std, *, torch.Generator generator, Tensor out)\n' +
          ' * (Tensor mean, float std, *, torch.Generator generator, Tensor out)\n' +
          ' * (float mean, Tensor std, *, torch.Generator generator, Tensor out)\n' +
          ' * (float mean, float std, tuple of ints size, *, torch.Generator generator, Tensor out, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad)\n',
      );
    }
    const opts = d ?? {};
    const t = emptyTensor(parseSize([c as readonly number[]]), opts.dtype ?? dt.get_default_dtype(), deviceOf(opts));
    sampleNormal(t, mean, std, opts.generator);
    return finish(t, opts);
  }
  const g = (c as GeneratorOptions | undefined)?.generator;
  if (mean instanceof Tensor && typeof std === 'number') {
    checkStd(std);
    const t = emptyTensor(mean._shape, mean.dtype, mean.device);
    sampleNormal(t, 0, std, g);
    no_grad(() => t.add_(mean));
    record('NormalBackward1', [mean], [t], [], () => [zerosOf(mean)]);
    return t;
  }
  if (typeof mean === 'number' && std instanceof Tensor) {
    checkStdTensor(std);
    const t = emptyTensor(std._shape, std.dtype, std.device);
    sampleNormal(t, 0, 1, g);
    no_grad(() => t.mul_(std).add_(mean));
    record('NormalBackward2', [std], [t], [], () => [zerosOf(std)]);
    return t;
  }
  const m = mean as Tensor;
  const s = std as Tensor;
  checkStdTensor(s);
  const t = emptyTensor(broadcastShapes(m._shape, s._shape), m.dtype, m.device);
  sampleNormal(t, 0, 1, g);
  no_grad(() => t.mul_(s).add_(m));
  record('NormalBackward3', [m, s], [t], [], () => [zerosOf(m), zerosOf(s)]);
  return t;
}
