/**
 * Shared by the WebGPU suites: opts in to a software adapter (llvmpipe), and says whether the
 * 'cuda' device is usable. Without an adapter the suites skip with the reason, except under CI,
 * where a missing adapter is a failure.
 */

import { expect, it } from 'vitest';
import torch, { type Tensor } from '../../lib/index.js';

process.env.TORCHLAB_ALLOW_SOFTWARE_GPU ??= '1';

export const hasGpu = torch.cuda.is_available();
export const skipReason = hasGpu ? '' : ' (skipped: no WebGPU adapter; see DESIGN.md "WebGPU without a GPU")';

/** In CI, a missing adapter fails the suite instead of skipping it. */
export function requireAdapterInCI(): void {
  it.runIf(!hasGpu && !!process.env.CI)('finds a WebGPU adapter (CI installs Mesa llvmpipe)', () => {
    expect.fail('torch.cuda.is_available() is false in CI: no WebGPU adapter was found');
  });
}

/** Asserts a cuda result equals the cpu one: dtype, shape, and values (NaN and inf where they are). */
export function expectSame(gpu: Tensor, cpu: Tensor, rtol = 1e-5, atol = 1e-5, what = ''): void {
  expect(gpu.device.type, `${what} device`).toBe('cuda');
  expect(gpu.dtype, `${what} dtype`).toBe(cpu.dtype);
  expect([...gpu.shape], `${what} shape`).toEqual([...cpu.shape]);
  const a = gpu.cpu().reshape(-1).tolist() as (number | boolean)[];
  const e = cpu.reshape(-1).tolist() as (number | boolean)[];
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (typeof y === 'number' && typeof x === 'number') {
      if (Number.isNaN(y) || !Number.isFinite(y)) {
        expect(x, `${what} [${i}]`).toBe(y);
        continue;
      }
      if (Math.abs(x - y) > atol + rtol * Math.abs(y)) expect(x, `${what} [${i}] (expected ${y})`).toBe(y);
    } else {
      expect(x, `${what} [${i}]`).toBe(y);
    }
  }
}
