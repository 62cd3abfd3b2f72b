/**
 * `torch.cuda`: the WebGPU devices torchlab calls 'cuda'. Until a WebGPU backend registers
 * itself (see device.ts), this answers as a CPU-only PyTorch build does.
 */

import { hasBackend } from './device.js';
import { RuntimeError } from './errors.js';

function noCuda(): never {
  throw new RuntimeError(
    "Torch not compiled with CUDA enabled: torchlab has no WebGPU device here. Use device 'cpu', " +
      'or run where a WebGPU adapter exists (TORCHLAB_ALLOW_SOFTWARE_GPU=1 opts in to a software one).',
  );
}

/** `torch.cuda.is_available()`: true only when a WebGPU backend is registered and has an adapter. */
export function is_available(): boolean {
  return hasBackend('cuda');
}

/** `torch.cuda.device_count()`. */
export function device_count(): number {
  return is_available() ? 1 : 0;
}

/** `torch.cuda.current_device()`. */
export function current_device(): number {
  if (!is_available()) noCuda();
  return 0;
}

/** `torch.cuda.is_initialized()`. */
export function is_initialized(): boolean {
  return is_available();
}
