/**
 * The sampling kernels behind ops/random.ts: argument checks with PyTorch's messages, draws
 * from a Generator in the order PyTorch's CPU kernels make them, and the write into the
 * tensor through its backend. No autograd here; ops/random.ts records the graph.
 */

import * as dt from '../dtype.js';
import type { DType, TypedArray } from '../dtype.js';
import type { RandomFill } from '../backend.js';
import { backendFor, type Device } from '../device.js';
import { RuntimeError } from '../errors.js';
import { contiguousStrides, numelOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { no_grad } from '../autograd/grad_mode.js';
import { emptyTensor, viewOf } from './dispatch.js';
import { readValues } from './copy.js';
import { isContiguous } from './movement.js';
import { cTypeName } from './pointwise.js';
import { fmad, fmaf, generatorFor, normalFill16Double, normalFill16Float, type Generator } from './random_engine.js';

// ---- how kernels walk a tensor ----

/**
 * The logical (row-major) index of each element in the order PyTorch's TensorIterator visits
 * them, or null when that is row-major order. Non-contiguous operands are walked with dims
 * sorted by stride (TensorIterator's reorder_dimensions, ties and broadcast dims included).
 */
export function iterationMap(shape: readonly number[], operands: readonly (readonly number[])[]): Int32Array | null {
  const nd = shape.length;
  if (nd <= 1) return null;
  const contiguous = operands.every((st) => isContiguous(shape, st));
  if (contiguous) return null;
  const perm = Array.from({ length: nd }, (_, i) => nd - 1 - i);
  const shouldSwap = (d0: number, d1: number): number => {
    for (const st of operands) {
      const s0 = st[d0]!;
      const s1 = st[d1]!;
      if (s0 === 0 || s1 === 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (shape[d0]! > shape[d1]!) return 1;
    }
    return 0;
  };
  for (let i = 1; i < nd; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const c = shouldSwap(perm[d0]!, perm[d1]!);
      if (c > 0) {
        [perm[d0], perm[d1]] = [perm[d1]!, perm[d0]!];
        d1 = d0;
      } else if (c < 0) break;
    }
  }
  if (perm.every((p, i) => p === nd - 1 - i)) return null;
  const n = numelOf(shape);
  const rowStrides = contiguousStrides(shape);
  const map = new Int32Array(n);
  const idx = new Array<number>(nd).fill(0);
  let lin = 0;
  for (let k = 0; k < n; k++) {
    map[k] = lin;
    for (const ax of perm) {
      if (++idx[ax]! < shape[ax]!) {
        lin += rowStrides[ax]!;
        break;
      }
      lin -= (shape[ax]! - 1) * rowStrides[ax]!;
      idx[ax] = 0;
    }
  }
  return map;
}

/** PyTorch's `is_non_overlapping_and_dense`: a permutation of a contiguous layout. */
export function isDense(shape: readonly number[], strides: readonly number[]): boolean {
  const dims = shape.map((_, i) => i).sort((a, b) => {
    const big = Number(shape[a]! < 2) - Number(shape[b]! < 2);
    return big !== 0 ? big : strides[a]! - strides[b]!;
  });
  let want = 1;
  for (const d of dims) {
    if (shape[d]! < 2) return true;
    if (strides[d] !== want) return false;
    want *= shape[d]!;
  }
  return true;
}

/** `empty_like(x)`: x's very strides when x is dense (PyTorch's preserve_format), else contiguous. */
export function emptyLike(x: Tensor, dtype: DType, device: Device, preserve: boolean): Tensor {
  if (preserve && isDense(x._shape, x._strides)) {
    const storage = backendFor(device).alloc(dtype, x.numel(), device.index ?? 0);
    return new Tensor(storage, device, x._shape.slice(), x._strides.slice(), 0);
  }
  return emptyTensor(x._shape, dtype, device);
}

/** Writes samples given in iteration order (see iterationMap) into `x` through its backend. */
export function store(x: Tensor, samples: ArrayLike<number>, map: Int32Array | null): void {
  const n = samples.length;
  const out: TypedArray = new x.dtype.array(n);
  if (map) for (let k = 0; k < n; k++) out[map[k]!] = samples[k]!;
  else for (let k = 0; k < n; k++) out[k] = samples[k]!;
  if (n > 0) backendFor(x.device).write(viewOf(x), out);
}

/** Values of `dtype` from doubles, as the kernels' static_cast does. */
export function caster(dtype: DType): (v: number) => number {
  if (dtype === dt.float32) return Math.fround;
  if (dtype === dt.float64) return (v) => v;
  return (v) => dt.castScalar(v, dtype);
}

/** C++ ostream formatting of a double (`%g`), as PyTorch's messages print numbers. */
export function cfmt(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, ex] = v.toExponential(5).split('e') as [string, string];
  const e = Number(ex);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (e < -4 || e >= 6) return `${trim(mant)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return trim(v.toFixed(5 - e));
}

/** caffe2 TypeMeta names, which some of PyTorch's random messages print. */
const metaNames: Record<string, string> = {
  float32: 'float', float64: 'double', int32: 'int', int64: 'long int', uint8: 'unsigned char', bool: 'bool',
};

/** PyTorch's dispatch error for a dtype a kernel does not handle. */
export function notImplemented(kernel: string, d: DType): RuntimeError {
  return new RuntimeError(`"${kernel}" not implemented for '${cTypeName(d)}'`);
}

function requireFloat(x: Tensor, kernel: string): void {
  if (!x.dtype.is_floating_point) throw notImplemented(kernel, x.dtype);
}

/**
 * Draws on the device when x's backend has a counter-based generator (WebGPU's Philox): each
 * call takes the generator's next stream, so seeding replays it. Returns false on the CPU.
 */
function deviceFill(x: Tensor, fill: RandomFill, g: Generator | null | undefined): boolean {
  const b = backendFor(x.device);
  if (!b.random) return false;
  const gen = generatorFor(x.device, g);
  if (x.numel() > 0) b.random(fill, viewOf(x), gen._seed, gen._offset++);
  return true;
}

// ---- the samplers (no autograd; callers wrap them) ----

const FLOAT_MAX = 3.4028234663852886e38;

function floatMax(d: DType): number {
  return d === dt.float32 ? FLOAT_MAX : Number.MAX_VALUE;
}

/** `uniform_`: `(24-bit draw) * (to - from) + from` in float32 (an FMA, as compiled), 53 bits in float64. */
export function sampleUniform(x: Tensor, from: number, to: number, g: Generator | null | undefined): void {
  requireFloat(x, 'check_uniform_bounds');
  const max = floatMax(x.dtype);
  const meta = metaNames[x.dtype.name]!;
  if (!(from >= -max && from <= max)) throw new RuntimeError(`from is out of bounds for ${meta}`);
  if (!(to >= -max && to <= max)) throw new RuntimeError(`to is out of bounds for ${meta}`);
  if (!(from <= to)) {
    throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${cfmt(from)} > to=${cfmt(to)}`);
  }
  if (!(to - from <= max)) {
    throw new RuntimeError(
      `uniform_ expects to-from <= std::numeric_limits<${cTypeName(x.dtype)}>::max(), but found to=${cfmt(to)} and from=${cfmt(from)} which result in to-from to exceed the limit`,
    );
  }
  if (deviceFill(x, { dist: 'uniform', from, to }, g)) return;
  const gen = generatorFor(x.device, g);
  const n = x.numel();
  const out = new Float64Array(n);
  if (x.dtype === dt.float32) {
    const lo = Math.fround(from);
    const span = Math.fround(Math.fround(to) - lo);
    for (let k = 0; k < n; k++) out[k] = fmaf(gen._float(), span, lo);
  } else {
    const span = to - from;
    for (let k = 0; k < n; k++) out[k] = fmad(gen._double(), span, from);
  }
  store(x, out, iterationMap(x._shape, [x._strides]));
}

/** PyTorch's CHECK_NORMAL_STD. */
export function checkStd(std: number): void {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${cfmt(std)}`);
}

/**
 * `normal_`: contiguous tensors of 16+ elements through `normal_fill` (AVX2 float32 or double),
 * everything else one scalar Box-Muller sample at a time, with the generator's cached second sample.
 */
export function sampleNormal(x: Tensor, mean: number, std: number, g: Generator | null | undefined): void {
  checkStd(std);
  requireFloat(x, 'normal_kernel_cpu');
  if (deviceFill(x, { dist: 'normal', mean, std }, g)) return;
  const gen = generatorFor(x.device, g);
  const n = x.numel();
  const out = new Float64Array(n);
  if (n >= 16 && x.is_contiguous()) {
    // uniforms for every element, 16 at a time through Box-Muller, the tail redrawn over the last 16
    const isFloat = x.dtype === dt.float32;
    const draw = isFloat ? () => gen._float() : () => gen._double();
    const fill16 = isFloat ? normalFill16Float : normalFill16Double;
    const m = isFloat ? Math.fround(mean) : mean;
    const s = isFloat ? Math.fround(std) : std;
    for (let k = 0; k < n; k++) out[k] = draw();
    for (let k = 0; k + 16 <= n; k += 16) fill16(out, k, m, s);
    if (n % 16 !== 0) {
      for (let k = n - 16; k < n; k++) out[k] = draw();
      fill16(out, n - 16, m, s);
    }
    store(x, out, null);
    return;
  }
  const cast = caster(x.dtype);
  for (let k = 0; k < n; k++) out[k] = cast(fmad(gen._normal(), std, mean));
  store(x, out, iterationMap(x._shape, [x._strides]));
}

/** `exponential_`: `-1/lambd * log(1 - u)` on a 53-bit uniform, in doubles. */
export function sampleExponential(x: Tensor, lambd: number, g: Generator | null | undefined): void {
  if (!(lambd >= 0)) throw new RuntimeError(`exponential_ expects lambda >= 0.0, but found lambda=${cfmt(lambd)}`);
  requireFloat(x, 'exponential_cpu');
  const gen = generatorFor(x.device, g);
  const cast = caster(x.dtype);
  const n = x.numel();
  const out = new Float64Array(n);
  const scale = -1 / lambd;
  for (let k = 0; k < n; k++) out[k] = cast(scale * Math.log(1 - gen._double()));
  store(x, out, iterationMap(x._shape, [x._strides]));
}

const P_RANGE_MSG =
  'Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)';

/**
 * `bernoulli_`: a scalar p compares a 53-bit uniform; a tensor p (broadcast to x) compares a
 * float32 uniform, or a float64 one when p is float64, element by element.
 */
export function sampleBernoulli(x: Tensor, p: number | Tensor, g: Generator | null | undefined): void {
  const n = x.numel();
  const out = new Uint8Array(n);
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${cfmt(p)}`);
    if (deviceFill(x, { dist: 'bernoulli', p }, g)) return;
    const gen = generatorFor(x.device, g);
    for (let k = 0; k < n; k++) out[k] = gen._double() < p ? 1 : 0;
    store(x, out, iterationMap(x._shape, [x._strides]));
    return;
  }
  if (!p.dtype.is_floating_point) throw notImplemented('bernoulli_tensor_cpu_p_', p.dtype);
  const pe = no_grad(() => p.expand(x._shape));
  if (p.device === x.device && backendFor(x.device).random) {
    // PyTorch's CUDA kernel asserts on the device; here one reduction and a read check the range
    const bad = no_grad(() => p.lt(0).logical_or(p.gt(1)).logical_or(p.isnan()).any().item());
    if (bad) throw new RuntimeError(P_RANGE_MSG);
    if (deviceFill(x, { dist: 'bernoulli', p: viewOf(pe) }, g)) return;
  }
  const gen = generatorFor(x.device, g);
  const probs = readValues(pe);
  const map = iterationMap(x._shape, [x._strides, pe._strides]);
  const draw = p.dtype === dt.float64 ? () => gen._double() : () => gen._float();
  for (let k = 0; k < n; k++) {
    const pv = probs[map ? map[k]! : k]!;
    if (!(pv >= 0 && pv <= 1)) throw new RuntimeError(P_RANGE_MSG);
    out[k] = draw() < pv ? 1 : 0;
  }
  store(x, out, map);
}

/** The integer dtypes' ranges, for random_'s bounds and randperm's size check. */
export const INT_LIMITS: Record<string, [bigint, bigint]> = {
  bool: [0n, 1n],
  uint8: [0n, 255n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
const DIGITS: Record<string, number> = { float32: 24, float64: 53 };

/** An integer as the float dtype holds it, back as an int64 (`static_cast<int64_t>(static_cast<T>(v))`). */
function throughFloat(v: bigint, d: DType): bigint {
  const f = d === dt.float32 ? Math.fround(Number(v)) : Number(v);
  return BigInt(f);
}

/** PyTorch's update_from/update_to: bounds moved inside what the float dtype can represent. */
function updateBound(v: bigint, d: DType, up: boolean): bigint {
  const digits = BigInt(DIGITS[d.name]!);
  const near = up ? v + 1n : v - 1n;
  const cast = throughFloat(near, d);
  if (up ? cast < v : cast >= v) {
    let a = near < 0n ? -near : near;
    let bits = 0n;
    while ((a >>= 1n) > 0n) bits++;
    const step = 1n << (bits - digits + 1n);
    return up ? cast + step : cast - step;
  }
  return v;
}

function checkInRange(from: bigint, toInc: bigint, d: DType): void {
  const meta = metaNames[d.name]!;
  let lo: number | bigint;
  let hi: number | bigint;
  if (d.is_floating_point) [lo, hi] = [-floatMax(d), floatMax(d)];
  else [lo, hi] = INT_LIMITS[d.name]!;
  const inRange = (v: bigint): boolean => (typeof lo === 'bigint' ? v >= lo && v <= (hi as bigint) : Number(v) >= lo && Number(v) <= (hi as number));
  if (!inRange(from)) throw new RuntimeError(`from is out of bounds for ${meta}`);
  if (!inRange(toInc)) throw new RuntimeError(`to - 1 is out of bounds for ${meta}`);
}

function toInt(v: number, name: string): bigint {
  if (!Number.isInteger(v)) throw new TypeError(`random_(): argument '${name}' must be int, not float`);
  return BigInt(v);
}

/**
 * `random_` in its three forms: `[from, to)`, `[from, dtype max]` (to null), and the
 * no-argument form (`from` undefined) over `[0, 2^digits]` or the integer dtype's range.
 */
export function sampleRandom(x: Tensor, from: number | undefined, to: number | null, g: Generator | null | undefined): void {
  const d = x.dtype;
  const n = x.numel();
  const out = new Float64Array(n);
  if (from === undefined) {
    const gen = generatorFor(x.device, g);
    for (let k = 0; k < n; k++) out[k] = randomDefault(gen, d);
    store(x, out, iterationMap(x._shape, [x._strides]));
    return;
  }
  let lo = toInt(from, 'from');
  let range: bigint;
  if (to !== null) {
    let hi = toInt(to, 'to');
    if (!(lo < hi)) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
    if (d.is_floating_point) {
      lo = updateBound(lo, d, true);
      hi = updateBound(hi, d, false);
      if (!(lo < hi)) {
        throw new RuntimeError(`random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=${lo} >= to=${hi}`);
      }
    }
    checkInRange(lo, hi - 1n, d);
    range = hi - lo;
  } else if (lo !== -(2n ** 63n)) {
    let toInc: bigint;
    if (d.is_floating_point) {
      toInc = 1n << BigInt(DIGITS[d.name]!);
      lo = updateBound(lo, d, true);
      if (!(lo < toInc)) {
        throw new RuntimeError(
          `random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from=${lo} > to_inc=${toInc}`,
        );
      }
    } else toInc = INT_LIMITS[d.name]![1];
    checkInRange(lo, toInc, d);
    range = toInc - lo + 1n;
  } else {
    if (d !== dt.int64 && !d.is_floating_point) {
      throw new RuntimeError('random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16');
    }
    const gen = generatorFor(x.device, g);
    const cast = caster(d);
    for (let k = 0; k < n; k++) out[k] = cast(Number(BigInt.asIntN(64, gen._u64())));
    store(x, out, iterationMap(x._shape, [x._strides]));
    return;
  }
  // the device draws a 32-bit word modulo the range; int64 lives in int32 there
  if (range <= 1n << 32n && lo >= -(1n << 31n) && lo + range - 1n < 1n << 31n && deviceFill(x, { dist: 'randint', low: Number(lo), range: Number(range) }, g)) return;
  const gen = generatorFor(x.device, g);
  // every draw lands inside the dtype's range (checked above), so only float32 needs rounding
  const cast = d === dt.float32 ? Math.fround : (v: number) => v;
  const wide = range >= 1n << 32n && (d === dt.int64 || d.is_floating_point);
  if (wide) {
    for (let k = 0; k < n; k++) out[k] = cast(Number(BigInt.asIntN(64, (gen._u64() % range) + lo)));
  } else {
    // narrow ranges (at most 2^32) take one 32-bit draw; the modulo is exact in doubles
    const r = Number(range);
    const base = Number(lo);
    for (let k = 0; k < n; k++) out[k] = cast((gen._u32() % r) + base);
  }
  store(x, out, iterationMap(x._shape, [x._strides]));
}

/** `random_()` without bounds: uniform_int_distribution<T> of PyTorch. */
function randomDefault(gen: Generator, d: DType): number {
  switch (d.name) {
    case 'bool':
      return gen._u32() & 1;
    case 'uint8':
      return gen._u32() & 255;
    case 'int32':
      return gen._u32() & 0x7fffffff;
    case 'int64': {
      const hi = gen._u32() & 0x7fffffff;
      return hi * 4294967296 + gen._u32();
    }
    case 'float32':
      return gen._u32() % 16777217;
    case 'float64':
      return Number(gen._u64() % 9007199254740993n);
  }
}

/**
 * `multinomial`'s checks and draws, as PyTorch 1.13's CPU kernels: without replacement the
 * exponential race `argmax`/`topk` of p / q with q ~ Exp(1), with replacement inverse-CDF
 * sampling on each row's float cumulative sums. (PyTorch 2.x also races for a single sample
 * with replacement, so that one case draws differently there.)
 */
export function sampleMultinomial(input: Tensor, num_samples: number, withReplacement: boolean, g: Generator | null | undefined): Tensor {
  const nd = input.dim();
  if (nd < 1 || nd > 2) throw new RuntimeError('prob_dist must be 1 or 2 dim');
  if (!input.dtype.is_floating_point) {
    throw new RuntimeError(`multinomial only supports floating-point dtypes for input, got: ${cTypeName(input.dtype)}`);
  }
  if (!(num_samples > 0)) throw new RuntimeError('cannot sample n_sample <= 0 samples');
  const cats = input._shape[nd - 1]!;
  if (!withReplacement && num_samples > cats) {
    throw new RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
  }
  if (cats > 2 ** 24) throw new RuntimeError('number of categories cannot exceed 2^24');
  const rows = nd === 2 ? input._shape[0]! : 1;
  const shape = nd === 2 ? [rows, num_samples] : [num_samples];
  const out = new Float64Array(rows * num_samples);
  const result = emptyTensor(shape, dt.int64, input.device);
  if (out.length === 0) return result;
  const probs = readValues(input);
  const gen = generatorFor(input.device, g);
  const cast = caster(input.dtype);
  if (!withReplacement) {
    for (const v of probs) {
      if (!(v >= 0 && v < Infinity)) throw new RuntimeError('probability tensor contains either `inf`, `nan` or element < 0');
    }
    for (let r = 0; r < rows; r++) {
      if (probs.subarray(r * cats, (r + 1) * cats).every((v) => v === 0)) {
        throw new RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)');
      }
    }
    // q ~ Exp(1) drawn into a tensor laid out like input, then the race p / q
    const q = new Float64Array(probs.length);
    const map = isDense(input._shape, input._strides) ? iterationMap(input._shape, [input._strides]) : null;
    for (let k = 0; k < q.length; k++) q[map ? map[k]! : k] = cast(-Math.log(1 - gen._double()));
    for (let k = 0; k < q.length; k++) q[k] = cast(probs[k]! / q[k]!);
    const order = Array.from({ length: cats }, (_, i) => i);
    for (let r = 0; r < rows; r++) {
      const row = q.subarray(r * cats, (r + 1) * cats);
      order.sort((a, b) => (row[a]! > row[b]! ? -1 : row[a]! < row[b]! ? 1 : a - b));
      for (let s = 0; s < num_samples; s++) out[r * num_samples + s] = order[s]!;
    }
  } else {
    const cum = new Float64Array(cats);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < cats; j++) {
        const v = probs[r * cats + j]!;
        if (!(v >= 0)) throw new RuntimeError('invalid multinomial distribution (encountering probability entry < 0)');
        if (!Number.isFinite(v)) {
          throw new RuntimeError('invalid multinomial distribution (encountering probability entry = infinity or NaN)');
        }
        sum = cast(sum + v);
        cum[j] = sum;
      }
      if (!(sum > 0)) throw new RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)');
      for (let j = 0; j < cats; j++) cum[j] = cast(cum[j]! / sum);
      cum[cats - 1] = 1;
      for (let s = 0; s < num_samples; s++) {
        const u = gen._double();
        let left = 0;
        let right = cats;
        while (right - left > 0) {
          const mid = left + ((right - left) >> 1);
          if (cum[mid]! < u) left = mid + 1;
          else right = mid;
        }
        out[r * num_samples + s] = left;
      }
    }
  }
  store(result, out, null);
  return result;
}
