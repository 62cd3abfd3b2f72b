/**
 * Device-side asserts, as CUDA's: a kernel that checks its indices records the first failure
 * (a code, the offending value and, for index checks, the dimension and its size) in the device's
 * small assert buffer instead of reading anything back; the next read or synchronize brings the
 * words back with its data and raises the error (client.ts). CUDA_LAUNCH_BLOCKING=1 makes
 * checking kernels wait, so the op itself raises.
 */

import type { IndexCheck } from '../../backend.js';
import { RuntimeError } from '../../errors.js';

/** Assertion codes a kernel writes into the device's assert buffer (see client.ts). */
export const ASSERT_TARGET = 1;
/** An index outside its dimension: indexing, gather, scatter (IndexCheck 'bounds'). */
export const ASSERT_INDEX_BOUNDS = 2;
/** An index outside its dimension: index_select, index_add_, embedding (IndexCheck 'range'). */
export const ASSERT_INDEX_RANGE = 3;
/** An index outside the flattened tensor: take (IndexCheck 'take'). */
export const ASSERT_TAKE = 4;

/** The assertion code of an index check. */
export function indexAssertCode(check: IndexCheck): number {
  return check.kind === 'bounds' ? ASSERT_INDEX_BOUNDS : check.kind === 'range' ? ASSERT_INDEX_RANGE : ASSERT_TAKE;
}

/**
 * WGSL: records the first failed device-side assertion (`code`, `value`, and the dimension and
 * size it was checked against) in the assert buffer `b<binding>` (atomic words); later failures
 * leave it alone.
 */
export function assertFn(binding: number): string {
  return `fn device_assert(code: i32, value: i32, dim: i32, size: i32) {
  loop {
    let r = atomicCompareExchangeWeak(&b${binding}[0], 0, code);
    if (r.exchanged) { atomicStore(&b${binding}[1], value); atomicStore(&b${binding}[2], dim); atomicStore(&b${binding}[3], size); return; }
    if (r.old_value != 0) { return; }
  }
}`;
}

/** What failed: the CPU's message for the same mistake (PyTorch's wording). */
function failedCheck(code: number, value: number, dim: number, size: number): string {
  switch (code) {
    case ASSERT_TARGET:
      return `Target ${value} is out of bounds. (nll_loss / cross_entropy)`;
    case ASSERT_INDEX_BOUNDS:
      return `index ${value} is out of bounds for dimension ${dim} with size ${size}`;
    case ASSERT_INDEX_RANGE:
      return `index out of range in self (index ${value}, dimension ${dim} with size ${size})`;
    case ASSERT_TAKE:
      return `out of range: tried to access index ${value} on a tensor of ${size} elements.`;
    default:
      return `assertion ${code} failed on value ${value}`;
  }
}

/**
 * The error of a failed device-side assertion: PyTorch's CUDA wording, then what failed (the CPU's
 * message for the same mistake), then why it surfaces here.
 */
export function deviceAssertError(code: number, value: number, dim = 0, size = 0): RuntimeError {
  return new RuntimeError(
    `CUDA error: device-side assert triggered: ${failedCheck(code, value, dim, size)}\n` +
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
