/** Reading golden JSON written by the PyTorch scripts, and comparing nested values. */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

export function loadGolden<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(here, '..', 'golden', name), 'utf8'), (_k, v) => {
    if (v === 'nan') return NaN;
    if (v === 'inf') return Infinity;
    if (v === '-inf') return -Infinity;
    return v;
  }) as T;
}

function flat(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const e of v) flat(e, out);
  else out.push(v);
  return out;
}

function shapeOf(v: unknown): number[] {
  const s: number[] = [];
  let p = v;
  while (Array.isArray(p)) {
    s.push(p.length);
    p = p[0];
  }
  return s;
}

/** Asserts nested numbers/booleans agree: same shape, NaN where NaN, within rtol/atol. */
export function expectClose(actual: unknown, expected: unknown, rtol = 1e-5, atol = 1e-6, what = ''): void {
  expect(shapeOf(actual), `${what} shape`).toEqual(shapeOf(expected));
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, `${what} length`).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = e[i];
    if (typeof y === 'boolean' || typeof x === 'boolean') {
      expect(x, `${what}[${i}]`).toBe(y);
      continue;
    }
    const xn = x as number;
    const yn = y as number;
    if (Number.isNaN(yn)) {
      expect(Number.isNaN(xn), `${what}[${i}] expected NaN, got ${xn}`).toBe(true);
    } else if (!Number.isFinite(yn)) {
      expect(xn, `${what}[${i}]`).toBe(yn);
    } else {
      const ok = Math.abs(xn - yn) <= atol + rtol * Math.abs(yn);
      expect(ok, `${what}[${i}]: got ${xn}, expected ${yn}`).toBe(true);
    }
  }
}
