/** Shared helpers of the nn/optim/data suites: the golden file and PyTorch's error shape. */

import { expect } from 'vitest';
import torch, { type DType } from '../../lib/index.js';
import { loadGolden } from '../helpers/golden.js';

export type Nested = number | boolean | Nested[];
export interface PyError {
  type: string;
  message: string;
}

let cached: unknown = null;
/** test/golden/nn.json (made by test/golden/make_nn.py), typed by each suite for the parts it reads. */
export function nnGolden<T>(): T {
  return (cached ??= loadGolden<unknown>('nn.json')) as T;
}

/** Asserts `fn` throws PyTorch's exception: same Python class name and message. */
export function expectPyError(fn: () => unknown, expected: PyError): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${expected.type}: ${expected.message}`).toBeInstanceOf(Error);
  const e = thrown as Error;
  expect(e.name).toBe(expected.type);
  expect(e.message).toBe(expected.message);
}

export const dtypeOf = (name: string): DType => torch[name as 'float32'];
