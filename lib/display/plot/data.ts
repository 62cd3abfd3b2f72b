/** Turning plot inputs (tensors, arrays, nested arrays) into plain numbers, with PyTorch-style checks. */

import { sizeRepr } from '../../size.js';
import { Tensor } from '../../tensor.js';
import { ValueError } from '../../errors.js';

/** A 1-d series: a tensor, a number array, or a typed array. */
export type Series = Tensor | readonly number[] | ArrayLike<number>;
/** A 2-d table: a 2-d tensor or rows of numbers. */
export type Matrix = Tensor | readonly (readonly number[])[];

function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** Whether `x` can be read as a series (used to tell `line(y, opts)` from `line(x, y)`). */
export function isSeries(x: unknown): x is Series {
  return isTensor(x) || Array.isArray(x) || ArrayBuffer.isView(x);
}

/** JSON has no NaN or infinities: they become null, which vega-lite leaves out (a gap in a line). */
export function jsonNumber(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** A 1-d input as numbers; `what` names it in errors. */
export function toNumbers(x: Series, what: string): number[] {
  if (isTensor(x)) {
    if (x.dim() > 1 && x._shape.filter((d) => d !== 1).length > 1) {
      throw new ValueError(`${what} must be 1-dimensional, got a tensor of shape ${sizeRepr(x._shape)}`);
    }
    return Array.from(x.numpy(), Number);
  }
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const v: unknown = x[i];
    if (typeof v === 'boolean') out.push(v ? 1 : 0);
    else if (typeof v === 'number') out.push(v);
    else throw new ValueError(`${what} must be a list of numbers, got ${Array.isArray(v) ? 'a nested list' : typeof v} at index ${i}`);
  }
  return out;
}

/** A 2-d input as rows of numbers (a 1-d input is one row when `vectorAsRow`). */
export function toRows(x: Matrix, what: string): number[][] {
  if (isTensor(x)) {
    if (x.dim() !== 2) throw new ValueError(`${what} must be 2-dimensional, got a tensor of shape ${sizeRepr(x._shape)}`);
    const [r, c] = x._shape as [number, number];
    const v = x.numpy();
    return Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => Number(v[i * c + j]!)));
  }
  const rows = x.map((row, i) => {
    if (!Array.isArray(row)) throw new ValueError(`${what} must be 2-dimensional (a list of rows); row ${i} is not a list`);
    return toNumbers(row, what);
  });
  const c = rows[0]?.length ?? 0;
  rows.forEach((row, i) => {
    if (row.length !== c) throw new ValueError(`${what} must be rectangular: row 0 has ${c} values, row ${i} has ${row.length}`);
  });
  return rows;
}

/** Shape of a series as matplotlib prints it: `(3,)`. */
export function pyShape(n: number): string {
  return `(${n},)`;
}

/** Fails on empty input, as an empty plot is almost always a bug. */
export function nonEmpty(values: readonly unknown[], what: string): void {
  if (values.length === 0) throw new ValueError(`${what} is empty: nothing to plot`);
}

/** Labels as strings (tensors of class indices, string arrays, number arrays). */
export function toLabels(x: Series | readonly string[], what: string): (string | number)[] {
  if (isTensor(x)) return toNumbers(x, what);
  return Array.from(x as ArrayLike<string | number>);
}
