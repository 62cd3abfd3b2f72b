/**
 * `torch.cuda`: the WebGPU devices torchlab calls 'cuda'. Hardware adapters count as CUDA
 * devices; a software adapter (Mesa llvmpipe, SwiftShader) only with TORCHLAB_ALLOW_SOFTWARE_GPU=1.
 * Nothing starts until a cuda tensor is made or is_available() asks: the first ask starts the
 * WebGPU worker and looks for an adapter (a fraction of a second), later asks are free.
 */

import { setCurrentCudaIndex, tensorDevice } from './device.js';
import * as dt from './dtype.js';
import { RuntimeError } from './errors.js';
import type { Tensor } from './tensor.js';
import { connect, deviceInfo, emptyCache, memoryStats, resetPeak, synchronize as sync } from './backends/webgpu/client.js';
import { defaultGeneratorFor, nondeterministicSeed, type Generator } from './ops/random_engine.js';
import { readValues } from './ops/copy.js';
import { tensor } from './ops/creation.js';

function noCuda(): never {
  throw new RuntimeError(
    "Torch not compiled with CUDA enabled: torchlab has no WebGPU device here. Use device 'cpu', " +
      'or run where a WebGPU adapter exists (TORCHLAB_ALLOW_SOFTWARE_GPU=1 opts in to a software one).',
  );
}

/**
 * `torch.cuda.is_available()`: true when a WebGPU adapter is usable as 'cuda'.
 * Differs from PyTorch: a software adapter counts only with TORCHLAB_ALLOW_SOFTWARE_GPU=1.
 * @example const device = torch.cuda.is_available() ? 'cuda' : 'cpu';
 */
export function is_available(): boolean {
  return connect().dev !== null;
}

/**
 * `torch.cuda.device_count()`: 1 with an adapter (torchlab drives one WebGPU device), else 0.
 * @example torch.cuda.device_count() // 1 with a GPU adapter
 */
export function device_count(): number {
  return is_available() ? 1 : 0;
}

/** `torch.cuda.is_initialized()`. @example torch.cuda.is_initialized() */
export function is_initialized(): boolean {
  return is_available();
}

function checkIndex(device: number | string | { index: number | null } | undefined): void {
  if (!is_available()) noCuda();
  let i = 0;
  if (typeof device === 'number') i = device;
  else if (typeof device === 'string') i = Number(/^cuda:(\d+)$/.exec(device)?.[1] ?? 0);
  else if (device && device.index !== null) i = device.index;
  if (i !== 0) throw new RuntimeError('CUDA error: invalid device ordinal');
}

/** `torch.cuda.current_device()`: always 0 (one WebGPU device). @example torch.cuda.current_device() // 0 */
export function current_device(): number {
  if (!is_available()) noCuda();
  return 0;
}

/** `torch.cuda.set_device(device)`: only device 0 exists. @example torch.cuda.set_device(0) */
export function set_device(device: number | string | { index: number | null }): void {
  checkIndex(device);
  setCurrentCudaIndex(0);
}

/**
 * `torch.cuda.get_device_name(device?)`: the WebGPU adapter's description.
 * @example torch.cuda.get_device_name() // 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6 llvmpipe-...'
 */
export function get_device_name(device?: number | string | { index: number | null }): string {
  checkIndex(device);
  return deviceInfo().name;
}

/**
 * `torch.cuda.synchronize()`: blocks until every queued op has run (and throws a pending GPU error).
 * @example torch.cuda.synchronize(); const t = performance.now() - t0
 */
export function synchronize(device?: number | string | { index: number | null }): void {
  checkIndex(device);
  sync();
}

/**
 * `torch.cuda.memory_allocated()`: bytes held by live cuda tensors (pool bucket sizes, as
 * PyTorch counts its rounded blocks).
 * @example torch.cuda.memory_allocated() / 2 ** 20 // MiB
 */
export function memory_allocated(device?: number | string | { index: number | null }): number {
  if (!is_available()) return 0;
  checkIndex(device);
  return memoryStats().allocated;
}

/**
 * `torch.cuda.max_memory_allocated()`: the peak of memory_allocated() since start or reset.
 * @example torch.cuda.max_memory_allocated() / 2 ** 20 // peak MiB
 */
export function max_memory_allocated(device?: number | string | { index: number | null }): number {
  if (!is_available()) return 0;
  checkIndex(device);
  return memoryStats().peak;
}

/**
 * `torch.cuda.reset_peak_memory_stats()`.
 * @example torch.cuda.reset_peak_memory_stats(); train(); torch.cuda.max_memory_allocated()
 */
export function reset_peak_memory_stats(device?: number | string | { index: number | null }): void {
  checkIndex(device);
  resetPeak();
}

/**
 * `torch.cuda.memory_reserved()`: bytes of GPU buffers held, live or pooled.
 * @example torch.cuda.memory_reserved() >= torch.cuda.memory_allocated() // true
 */
export function memory_reserved(device?: number | string | { index: number | null }): number {
  if (!is_available()) return 0;
  checkIndex(device);
  return memoryStats().reserved;
}

/** `torch.cuda.empty_cache()`: frees the pooled buffers no tensor uses. @example torch.cuda.empty_cache() */
export function empty_cache(): void {
  emptyCache();
}

function cudaGenerator(): Generator {
  return defaultGeneratorFor(tensorDevice('cuda'));
}

/**
 * `torch.cuda.manual_seed(seed)` / `manual_seed_all`: seeds the cuda generator only (the CPU
 * stream is untouched, as in PyTorch; `torch.manual_seed` seeds both).
 *
 * rand, randn, uniform_, normal_, bernoulli(_), dropout and randint on 'cuda' draw on the
 * device from Philox4x32-10, a counter-based generator keyed by the seed: element i of a call
 * uses counter (i, 0, offset), and every call takes the next offset. The same seed replays the
 * same numbers, on any WebGPU adapter. Differs from PyTorch: PyTorch's CUDA generator is Philox
 * as well but maps counters to values differently (its CUDA numbers also differ from its CPU
 * numbers), so the values are not PyTorch's. Other samplers (randperm, multinomial,
 * exponential_, wide-range random_) draw on the host from the cuda generator's mt19937 stream.
 * @example torch.cuda.manual_seed(0); torch.randn(3, {device: 'cuda'})
 */
export function manual_seed(seed: number | bigint): void {
  if (typeof seed === 'number') seed = Math.trunc(seed);
  cudaGenerator().manual_seed(seed);
}
export const manual_seed_all = manual_seed;

/**
 * `torch.cuda.seed()` / `seed_all`: seeds the cuda generator non-deterministically.
 * Differs from PyTorch: the seed has 53 bits (PyTorch: 64), as torch.seed's.
 * @example torch.cuda.seed(); const s = torch.cuda.initial_seed()
 */
export function seed(): void {
  cudaGenerator().manual_seed(nondeterministicSeed());
}
export const seed_all = seed;

/** `torch.cuda.initial_seed()`: the cuda generator's seed. @example torch.cuda.initial_seed() */
export function initial_seed(): number {
  return cudaGenerator().initial_seed();
}

/**
 * `torch.cuda.get_rng_state()`: the cuda generator's Philox state, a uint8 CPU tensor of 16
 * bytes (seed and offset, little-endian uint64s, PyTorch's layout).
 * Differs from PyTorch: the host-side mt19937 stream of the cuda generator is not included.
 * @example const s = torch.cuda.get_rng_state(); torch.cuda.set_rng_state(s)
 */
export function get_rng_state(): Tensor {
  const g = cudaGenerator();
  const bytes = new Uint8Array(16);
  const v = new DataView(bytes.buffer);
  v.setBigUint64(0, g._seed, true);
  v.setBigUint64(8, BigInt(g._offset), true);
  return tensor(Array.from(bytes), { dtype: dt.uint8 });
}

/**
 * `torch.cuda.set_rng_state(state)`: restores a state from get_rng_state() (or PyTorch's
 * 16-byte CUDA state: the draws then follow torchlab's counter mapping, not PyTorch's).
 * @example torch.cuda.set_rng_state(saved); torch.rand(3, {device: 'cuda'}) // replays
 */
export function set_rng_state(state: Tensor): void {
  if (state === null || typeof state !== 'object' || state.dtype !== dt.uint8 || state.device.type !== 'cpu') {
    throw new TypeError('RNG state must be a torch.ByteTensor');
  }
  if (state.numel() !== 16) throw new RuntimeError(`Expected a Philox state of 16 bytes (seed, offset), got ${state.numel()}`);
  const v = new DataView(Uint8Array.from(readValues(state)).buffer);
  const g = cudaGenerator();
  g.manual_seed(v.getBigUint64(0, true));
  g._offset = Number(v.getBigUint64(8, true));
}
