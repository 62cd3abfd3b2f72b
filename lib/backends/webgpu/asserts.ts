/**
 * Device-side asserts, as CUDA's: a kernel that checks its indices records the first failure
 * (a code and the offending value) in the device's small assert buffer instead of reading
 * anything back; the next read or synchronize brings the words back with its data and raises the
 * error (client.ts). CUDA_LAUNCH_BLOCKING=1 makes checking kernels wait, so the op itself raises.
 */

import { RuntimeError } from '../../errors.js';

/** Assertion codes a kernel writes into the device's assert buffer (see client.ts). */
export const ASSERT_TARGET = 1;

/**
 * WGSL: records the first failed device-side assertion (`code`, `value`) in the assert buffer
 * `b<binding>` (atomic words: code, value); later failures leave it alone.
 */
export function assertFn(binding: number): string {
  return `fn device_assert(code: i32, value: i32) {
  loop {
    let r = atomicCompareExchangeWeak(&b${binding}[0], 0, code);
    if (r.exchanged) { atomicStore(&b${binding}[1], value); return; }
    if (r.old_value != 0) { return; }
  }
}`;
}

/**
 * The error of a failed device-side assertion: PyTorch's CUDA wording, then what failed (the CPU's
 * message for the same mistake), then why it surfaces here.
 */
export function deviceAssertError(code: number, value: number): RuntimeError {
  const what = code === ASSERT_TARGET ? `Target ${value} is out of bounds. (nll_loss / cross_entropy)` : `assertion ${code} failed on value ${value}`;
  return new RuntimeError(
    `CUDA error: device-side assert triggered: ${what}\n` +
      'cuda kernels run asynchronously: the failed check is reported at the next read (item, tolist, print, cpu) or ' +
      'torch.cuda.synchronize(), so the stack trace shows that call, not the op that failed. ' +
      'Set CUDA_LAUNCH_BLOCKING=1 to make checking kernels wait, so the error is raised by the op itself.',
  );
}

/** Whether kernels with device-side asserts wait for their result (CUDA_LAUNCH_BLOCKING=1, as in PyTorch). */
export function launchBlocking(): boolean {
  const v = process.env.CUDA_LAUNCH_BLOCKING;
  return v !== undefined && v !== '' && v !== '0';
}
