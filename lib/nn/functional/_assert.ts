/**
 * Python's `AssertionError`, which PyTorch's Python layers raise from `assert cond, message`
 * (Embedding's padding_idx check, MultiheadAttention's shape checks).
 */

import { AssertionError } from '../../errors.js';

export { AssertionError };

/** `assert cond, message`: throws AssertionError when `cond` is false. */
export function pyAssert(cond: boolean, message: string | (() => string)): asserts cond {
  if (!cond) throw new AssertionError(typeof message === 'string' ? message : message());
}

