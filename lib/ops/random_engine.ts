/**
 * PyTorch's CPU random engine, bit for bit: `torch.Generator` (mt19937 seeded as
 * `std::mt19937`, with PyTorch's 5056-byte state layout) and the float arithmetic of its
 * sampling kernels (24/53-bit uniforms, Box-Muller with the cached second sample, and the
 * AVX2 `normal_fill` that PyTorch's x86-64 builds use for float32 tensors of 16 or more
 * elements, including the FMA contractions GCC makes there).
 */

import * as dt from '../dtype.js';
import { device as toDevice, type Device, type DeviceLike } from '../device.js';
import { RuntimeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { readValues } from './copy.js';
import { fromValues } from './creation.js';

const N = 624;
const M = 397;
/** PyTorch's `default_rng_seed_val`: the seed of a generator nobody seeded. */
export const DEFAULT_SEED = 67280421310721n;
const STATE_BYTES = 5056; // sizeof(CPUGeneratorImplState)
const LEGACY_STATE_BYTES = 5048; // sizeof(CPUGeneratorImplStateLegacy)
const U64 = 1n << 64n;

/** A seed as PyTorch stores it (uint64): negative seeds wrap, as `manual_seed(-1)` does. */
function toSeed(seed: number | bigint, what: string): bigint {
  let s: bigint;
  if (typeof seed === 'bigint') s = seed;
  else if (typeof seed === 'number') {
    if (!Number.isInteger(seed)) throw new RuntimeError(`${what} expected a long, but got float`);
    s = BigInt(seed);
  } else throw new TypeError(`${what} expected a long, but got ${typeof seed}`);
  if (s < -(1n << 63n) || s >= U64) throw new RuntimeError('Overflow when unpacking long');
  return s < 0n ? s + U64 : s;
}

/** 53 bits from the platform's secure source, so the seed is exact as a JavaScript number. */
export function nondeterministicSeed(): bigint {
  const w = new Uint32Array(2);
  globalThis.crypto.getRandomValues(w);
  return (BigInt(w[0]! & 0x1fffff) << 32n) | BigInt(w[1]!);
}

/**
 * `torch.Generator(device='cpu')`: a random stream, PyTorch's mt19937 engine. Seeding it
 * the same as a PyTorch generator gives the same draws, so the samplers built on it match
 * PyTorch's CPU results (see ops/random.ts for which ones do exactly).
 * Differs from PyTorch: `seed()` draws a 53-bit seed (PyTorch: 64 bits), `initial_seed()`
 * returns a number, exact for seeds below 2^53, and a 'cuda' generator keys the device's
 * Philox4x32-10 sampler with its seed (values differ from PyTorch's CUDA ones), keeping this
 * engine for the samplers that run on the host.
 * @example const g = new torch.Generator().manual_seed(42); torch.rand(3, {generator: g})
 */
export class Generator {
  readonly device: Device;
  /** @internal the mt19937 state words */ _mt = new Uint32Array(N);
  /** @internal */ _left = 1;
  /** @internal */ _next = 0;
  /** @internal */ _seed = DEFAULT_SEED;
  /** @internal the second Box-Muller sample of the double normal sampler */ _nextDouble: number | null = null;
  /** @internal kept for the state layout; no CPU kernel fills it */ _nextFloat: number | null = null;
  /** @internal the next Philox stream of a device-side sampler (backends with Backend.random); reset by seeding */ _offset = 0;

  constructor(device: DeviceLike = 'cpu') {
    this.device = toDevice(device);
    this._init(DEFAULT_SEED);
  }

  /**
   * Seeds the generator (any integer in [-2^63, 2^64)); returns it, as PyTorch does.
   * @example const g = new torch.Generator().manual_seed(42); torch.randn(3, {generator: g})
   */
  manual_seed(seed: number | bigint): this {
    this._init(toSeed(seed, 'manual_seed'));
    return this;
  }

  /** Seeds from a non-deterministic source and returns the seed. @example const s = g.seed() */
  seed(): number {
    const s = nondeterministicSeed();
    this._init(s);
    return Number(s);
  }

  /** The seed the generator was last seeded with. @example new torch.Generator().manual_seed(7).initial_seed() // 7 */
  initial_seed(): number {
    return Number(this._seed);
  }

  /**
   * The full state as a uint8 tensor of 5056 bytes, byte-identical to PyTorch's.
   * @example const state = g.get_state(); ...; g.set_state(state)
   */
  get_state(): Tensor {
    const bytes = new Uint8Array(STATE_BYTES);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, this._seed, true);
    v.setInt32(8, this._left, true);
    v.setInt32(12, 1, true);
    v.setBigUint64(16, BigInt(this._next), true);
    for (let i = 0; i < N; i++) v.setUint32(24 + 8 * i, this._mt[i]!, true);
    if (this._nextDouble !== null) {
      v.setFloat64(5024, this._nextDouble, true);
      v.setInt32(5040, 1, true);
    }
    if (this._nextFloat !== null) {
      v.setFloat32(5048, this._nextFloat, true);
      bytes[5052] = 1;
    }
    return fromValues(bytes, [STATE_BYTES], dt.uint8, toDevice('cpu'));
  }

  /**
   * Restores a state from `get_state()` (or PyTorch's legacy 5048-byte layout); returns the generator.
   * @example g.set_state(saved) // replays the same draws
   */
  set_state(state: Tensor): this {
    if (state === null || typeof state !== 'object' || state.dtype !== dt.uint8 || state.device.type !== 'cpu') {
      throw new TypeError('RNG state must be a torch.ByteTensor');
    }
    const n = state.numel();
    if (n !== STATE_BYTES && n !== LEGACY_STATE_BYTES) {
      throw new RuntimeError(
        `Expected either a CPUGeneratorImplStateLegacy of size ${LEGACY_STATE_BYTES} or a CPUGeneratorImplState of size ${STATE_BYTES} but found the input RNG state size to be ${n}`,
      );
    }
    const bytes = Uint8Array.from(readValues(state));
    const v = new DataView(bytes.buffer);
    const left = v.getInt32(8, true);
    const seeded = v.getInt32(12, true) !== 0;
    const next = Number(v.getBigUint64(16, true) & 0xffffffffn);
    if (!seeded || left <= 0 || left > N || next > N) throw new RuntimeError('Invalid mt19937 state');
    let nextDouble: number | null = null;
    let nextFloat: number | null = null;
    if (v.getInt32(5040, true) !== 0) {
      // the legacy layout kept Box-Muller's inputs; the current one keeps the sample itself
      nextDouble =
        n === LEGACY_STATE_BYTES
          ? v.getFloat64(5032, true) * Math.sin(2 * Math.PI * v.getFloat64(5016, true))
          : v.getFloat64(5024, true);
    }
    if (n === STATE_BYTES && bytes[5052] !== 0) nextFloat = v.getFloat32(5048, true);
    for (let i = 0; i < N; i++) this._mt[i] = v.getUint32(24 + 8 * i, true);
    this._seed = v.getBigUint64(0, true);
    this._left = left;
    this._next = next;
    this._nextDouble = nextDouble;
    this._nextFloat = nextFloat;
    return this;
  }

  /**
   * `String(g)`: PyTorch's repr, `<torch._C.Generator object>`.
   * @example String(new torch.Generator()) // '<torch._C.Generator object>'
   */
  toString(): string {
    return '<torch._C.Generator object>';
  }

  /** @internal std::mt19937's seeding; also drops the cached normal samples, as PyTorch does. */
  _init(seed: bigint): void {
    const s = this._mt;
    s[0] = Number(seed & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const p = s[j - 1]!;
      s[j] = Math.imul(1812433253, (p ^ (p >>> 30)) >>> 0) + j;
    }
    this._seed = seed;
    this._left = 1;
    this._next = 0;
    this._nextDouble = null;
    this._nextFloat = null;
    this._offset = 0;
  }

  /** @internal regenerates the 624 words (the loops mirror at::mt19937::next_state) */
  private _twist(): void {
    const s = this._mt;
    this._left = N;
    this._next = 0;
    let p = 0;
    const tw = (u: number, v: number): number => (((u & 0x80000000) | (v & 0x7fffffff)) >>> 1) ^ (v & 1 ? 0x9908b0df : 0);
    for (; p < N - M; p++) s[p] = s[p + M]! ^ tw(s[p]!, s[p + 1]!);
    for (; p < N - 1; p++) s[p] = s[p + M - N]! ^ tw(s[p]!, s[p + 1]!);
    s[p] = s[p + M - N]! ^ tw(s[p]!, s[0]!);
  }

  /** @internal one 32-bit draw, `generator->random()` */
  _u32(): number {
    if (--this._left === 0) this._twist();
    let y = this._mt[this._next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** @internal one 64-bit draw, `generator->random64()`: the first 32-bit draw is the high word */
  _u64(): bigint {
    const hi = this._u32();
    return (BigInt(hi) << 32n) | BigInt(this._u32());
  }

  /** @internal uniform_real_distribution<float>(0, 1): 24 bits of one draw */
  _float(): number {
    return (this._u32() & 0xffffff) * 5.9604644775390625e-8;
  }

  /** @internal uniform_real_distribution<double>(0, 1): the low 53 bits of a 64-bit draw */
  _double(): number {
    const hi = this._u32() & 0x1fffff;
    return (hi * 4294967296 + this._u32()) * 1.1102230246251565e-16;
  }

  /** @internal normal_distribution<double>'s standard sample (Box-Muller, second sample cached) */
  _normal(): number {
    const cached = this._nextDouble;
    if (cached !== null) {
      this._nextDouble = null;
      return cached;
    }
    const u1 = this._double();
    const u2 = this._double();
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this._nextDouble = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/** Validates a Python-style seed argument for `torch.manual_seed`, which truncates floats as `int(seed)` does. */
export function seedArg(seed: number | bigint): number | bigint {
  if (typeof seed === 'number') {
    if (Number.isNaN(seed)) throw new ValueError('cannot convert float NaN to integer');
    if (!Number.isFinite(seed)) throw new RuntimeError('Overflow when unpacking long');
    return Math.trunc(seed);
  }
  return seed;
}

// ---- default generators ----

/** `torch.default_generator`: the CPU generator every sampler uses unless given one. */
export const default_generator = new Generator();
const deviceGenerators = new Map<string, Generator>();
let globalSeed: number | bigint | null = null;

/** The default generator of a device: the CPU one, or one per accelerator, seeded with the last `manual_seed`. */
export function defaultGeneratorFor(d: Device): Generator {
  if (d.type === 'cpu') return default_generator;
  const key = String(d);
  let g = deviceGenerators.get(key);
  if (!g) {
    g = new Generator(d);
    if (globalSeed !== null) g.manual_seed(globalSeed);
    deviceGenerators.set(key, g);
  }
  return g;
}

/** The generator a sampler on device `d` uses: `g` when given (its device type must match), else the default. */
export function generatorFor(d: Device, g: Generator | null | undefined): Generator {
  if (!g) return defaultGeneratorFor(d);
  if (!(g instanceof Generator)) throw new TypeError(`generator must be a torch.Generator, not ${typeof g}`);
  if (g.device.type !== d.type) {
    throw new RuntimeError(`Expected a '${d.type}' device type for generator but found '${g.device.type}'`);
  }
  return g;
}

/** Seeds every default generator, including accelerators' generators made later. */
export function seedDefaultGenerators(seed: number | bigint): void {
  default_generator.manual_seed(seed);
  globalSeed = seed;
  for (const g of deviceGenerators.values()) g.manual_seed(seed);
}

// ---- float arithmetic as PyTorch's kernels do it ----

const f32 = Math.fround;

/**
 * `fmaf(a, b, c)` for float32 operands, rounded once as the hardware does. The product is
 * exact in a double and the sum's error `e` is recovered exactly; the double sum rounds to
 * the right float unless it falls exactly on a midpoint between two floats, where `e`'s sign
 * decides.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f32(s);
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  if (e === 0) return r;
  const d = s - r; // exact: r is within half a float ulp of s
  if (d === 0) return r;
  const other = r + 2 * d;
  if (f32(other) !== other) return r; // s is no midpoint
  return e > 0 === other > r ? other : r;
}

const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter

/**
 * `fma(a, b, c)` for doubles: Dekker's exact product and an exact sum, then one rounding of
 * the three-term result (correct except when it lies within 2^-100 of a rounding boundary).
 */
export function fmad(a: number, b: number, c: number): number {
  const p = a * b;
  const as = a * SPLIT;
  const bs = b * SPLIT;
  if (!Number.isFinite(p) || !Number.isFinite(c) || !Number.isFinite(as) || !Number.isFinite(bs)) return p + c;
  const ah = as - (as - a);
  const al = a - ah;
  const bh = bs - (bs - b);
  const bl = b - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = p + c;
  const bb = s - p;
  const se = p - (s - bb) + (c - bb);
  return s + (pe + se);
}

// The AVX2 kernel's log and sincos are avx_mathfun.h's (Cephes polynomials in float32); GCC
// contracts each multiply feeding an add into an FMA there, which `fmaf` reproduces.
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f32);
const LOG_Q1 = f32(-2.1219444e-4);
const LOG_Q2 = f32(0.693359375);
const SQRTHF = f32(0.707106781186547524);
const DP1 = f32(-0.78515625);
const DP2 = f32(-2.4187564849853515625e-4);
const DP3 = f32(-3.77489497744594108e-8);
const SIN_P = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(f32);
const COS_P = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(f32);
const FOPI = f32(1.27323954473516);
const TWO_PI_F = f32(2 * Math.PI);
const MIN_NORM = 1.1754943508222875e-38;

const fbuf = new Float32Array(1);
const ibuf = new Int32Array(fbuf.buffer);

/** avx_mathfun's `log256_ps` for one lane. */
function logAvx(v: number): number {
  if (!(v > 0)) return NaN;
  fbuf[0] = Math.max(v, MIN_NORM);
  const bits = ibuf[0]!;
  let e = f32((bits >>> 23) - 0x7f + 1);
  ibuf[0] = (bits & ~0x7f800000) | 0x3f000000;
  let x = fbuf[0]!;
  const small = x < SQRTHF;
  const tmp = small ? x : 0;
  x = f32(x - 1);
  if (small) e = f32(e - 1);
  x = f32(x + tmp);
  const z = f32(x * x);
  let y = LOG_P[0]!;
  for (let i = 1; i < LOG_P.length; i++) y = fmaf(y, x, LOG_P[i]!);
  y = f32(y * x);
  y = fmaf(y, z, f32(e * LOG_Q1));
  y = f32(y - f32(z * 0.5));
  x = f32(x + y);
  return fmaf(e, LOG_Q2, x);
}

/** avx_mathfun's `sincos256_ps` for one lane; writes sin and cos into `out`. */
function sincosAvx(v: number, out: [number, number]): void {
  let x = Math.abs(v);
  let j = Math.trunc(f32(x * FOPI));
  j = (j + 1) & ~1;
  const y = j;
  x = fmaf(y, DP1, x);
  x = fmaf(y, DP2, x);
  x = fmaf(y, DP3, x);
  const sinNeg = (v < 0) !== ((j & 4) !== 0);
  const cosNeg = (~(j - 2) & 4) !== 0;
  const z = f32(x * x);
  let c = COS_P[0]!;
  c = fmaf(c, z, COS_P[1]!);
  c = fmaf(c, z, COS_P[2]!);
  c = f32(c * z);
  c = fmaf(c, z, -f32(z * 0.5));
  c = f32(c + 1);
  let s = SIN_P[0]!;
  s = fmaf(s, z, SIN_P[1]!);
  s = fmaf(s, z, SIN_P[2]!);
  s = f32(s * z);
  s = fmaf(s, x, x);
  // the polynomial for sin in [0, pi/4) is the one for cos past it, and the other way round
  const sinPoly = (j & 2) === 0;
  const sv = sinPoly ? s : c;
  const cv = sinPoly ? c : s;
  out[0] = sinNeg ? -sv : sv;
  out[1] = cosNeg ? -cv : cv;
}

const sc: [number, number] = [0, 0];

/** `normal_fill_16_AVX2`: turns 16 float32 uniforms at `o` into normals in place. */
export function normalFill16Float(d: Float64Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f32(1 - d[o + j]!);
    const radius = f32(Math.sqrt(f32(-2 * logAvx(u1))));
    sincosAvx(f32(TWO_PI_F * d[o + j + 8]!), sc);
    d[o + j] = fmaf(f32(radius * sc[1]), std, mean);
    d[o + j + 8] = fmaf(f32(radius * sc[0]), std, mean);
  }
}

/** `normal_fill_16<double>`: the same transform in doubles with the C library's log/cos/sin. */
export function normalFill16Double(d: Float64Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const radius = Math.sqrt(-2 * Math.log(1 - d[o + j]!));
    const theta = 2 * Math.PI * d[o + j + 8]!;
    d[o + j] = fmad(radius * Math.cos(theta), std, mean);
    d[o + j + 8] = fmad(radius * Math.sin(theta), std, mean);
  }
}
