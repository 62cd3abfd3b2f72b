/**
 * `torch.cuda`: the WebGPU devices torchlab calls 'cuda'. Hardware adapters count as CUDA
 * devices; a software adapter (Mesa llvmpipe, SwiftShader) only with TORCHLAB_ALLOW_SOFTWARE_GPU=1.
 * Nothing starts until a cuda tensor is made or is_available() asks: the first ask starts the
 * WebGPU worker and looks for an adapter (a fraction of a second), later asks are free.
 */

import { setCurrentCudaIndex } from './device.js';
import { RuntimeError } from './errors.js';
import { connect, deviceInfo, emptyCache, memoryStats, resetPeak, synchronize as sync } from './backends/webgpu/client.js';
import { manual_seed as seedAll } from './ops/random.js';

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

/** `torch.cuda.device_count()`: 1 with an adapter (torchlab drives one WebGPU device), else 0. */
export function device_count(): number {
  return is_available() ? 1 : 0;
}

/** `torch.cuda.is_initialized()`. */
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

/** `torch.cuda.current_device()`: always 0 (one WebGPU device). */
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

/** `torch.cuda.synchronize()`: blocks until every queued op has run (and throws a pending GPU error). */
export function synchronize(device?: number | string | { index: number | null }): void {
  checkIndex(device);
  sync();
}

/**
 * `torch.cuda.memory_allocated()`: bytes held by live cuda tensors (pool bucket sizes, as
 * PyTorch counts its rounded blocks).
 */
export function memory_allocated(device?: number | string | { index: number | null }): number {
  if (!is_available()) return 0;
  checkIndex(device);
  return memoryStats().allocated;
}

/** `torch.cuda.max_memory_allocated()`: the peak of memory_allocated() since start or reset. */
export function max_memory_allocated(device?: number | string | { index: number | null }): number {
  if (!is_available()) return 0;
  checkIndex(device);
  return memoryStats().peak;
}

/** `torch.cuda.reset_peak_memory_stats()`. */
export function reset_peak_memory_stats(device?: number | string | { index: number | null }): void {
  checkIndex(device);
  resetPeak();
}

/** `torch.cuda.memory_reserved()`: bytes of GPU buffers held, live or pooled. */
export function memory_reserved(device?: number | string | { index: number | null }): number {
  if (!is_available()) return 0;
  checkIndex(device);
  return memoryStats().reserved;
}

/** `torch.cuda.empty_cache()`: frees the pooled buffers no tensor uses. */
export function empty_cache(): void {
  emptyCache();
}

/**
 * `torch.cuda.manual_seed(seed)` / `manual_seed_all`: seeds the generator cuda sampling uses.
 * Differs from PyTorch: torchlab samples on the host with the one global generator, so this
 * seeds it as torch.manual_seed does.
 */
export function manual_seed(seed: number): void {
  seedAll(seed);
}
export const manual_seed_all = manual_seed;
