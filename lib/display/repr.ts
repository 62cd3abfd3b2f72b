/**
 * Tensor printing, a port of PyTorch's `torch/_tensor_str.py`: the same formatter choices
 * (integer mode, scientific mode, common width), summarisation, line wrapping and suffixes,
 * so `String(t)` is character for character what `repr(t)` prints in Python.
 */

import type { Tensor } from '../tensor.js';
import { get_default_dtype, int64, bool, type DType } from '../dtype.js';
import { formatExp, formatFixed } from './pyformat.js';

/** The options `torch.set_printoptions` sets. */
export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sci_mode: boolean | null;
}

const PRINT_OPTS: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: null };

/** Keyword arguments of `torch.set_printoptions`. */
export interface SetPrintOptions {
  precision?: number;
  threshold?: number;
  edgeitems?: number;
  linewidth?: number;
  profile?: 'default' | 'short' | 'full';
  sci_mode?: boolean | null;
}

/**
 * `torch.set_printoptions({precision, threshold, edgeitems, linewidth, profile, sci_mode})`.
 * As in PyTorch, a profile is applied first, the other options override it, and `sci_mode` is
 * reset to automatic (null) by any call that does not pass it.
 * @example torch.set_printoptions({precision: 2}); torch.set_printoptions({profile: 'default'})
 */
export function set_printoptions(opts: SetPrintOptions = {}): void {
  switch (opts.profile) {
    case 'default':
      Object.assign(PRINT_OPTS, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
      break;
    case 'short':
      Object.assign(PRINT_OPTS, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
      break;
    case 'full':
      Object.assign(PRINT_OPTS, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
      break;
  }
  if (opts.precision != null) PRINT_OPTS.precision = opts.precision;
  if (opts.threshold != null) PRINT_OPTS.threshold = opts.threshold;
  if (opts.edgeitems != null) PRINT_OPTS.edgeitems = opts.edgeitems;
  if (opts.linewidth != null) PRINT_OPTS.linewidth = opts.linewidth;
  PRINT_OPTS.sci_mode = opts.sci_mode ?? null;
}

/**
 * The current print options, as `torch._tensor_str.get_printoptions()` (PyTorch 2.1+).
 * @example const saved = get_printoptions(); ...; set_printoptions(saved)
 */
export function get_printoptions(): PrintOptions {
  return { ...PRINT_OPTS };
}

/** PyTorch's `_Formatter`: one element width and one notation for every shown value. */
class Formatter {
  readonly floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(values: readonly number[], dtype: DType) {
    this.floating = dtype.is_floating_point;
    const p = PRINT_OPTS.precision;
    if (!this.floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, elementStr(v, dtype).length);
    } else {
      const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
      // with nothing finite and nonzero PyTorch returns before looking at sci_mode
      if (nz.length === 0) return;
      let min = Infinity;
      let max = 0;
      for (const v of nz) {
        const a = Math.abs(v);
        if (a < min) min = a;
        if (a > max) max = a;
      }
      this.intMode = nz.every((v) => v === Math.ceil(v));
      const wide = max / min > 1000 || max > 1e8;
      if (this.intMode) {
        if (wide) {
          this.sciMode = true;
          for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatExp(v, p).length);
        } else {
          for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, 0).length + 1);
        }
      } else if (wide || min < 1e-4) {
        this.sciMode = true;
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatExp(v, p).length);
      } else {
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, p).length);
      }
    }
    if (PRINT_OPTS.sci_mode !== null) this.sciMode = PRINT_OPTS.sci_mode;
  }

  format(v: number, dtype: DType): string {
    let s: string;
    if (!this.floating) s = elementStr(v, dtype);
    else if (this.sciMode) s = formatExp(v, PRINT_OPTS.precision);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, PRINT_OPTS.precision);
    return s.length < this.maxWidth ? ' '.repeat(this.maxWidth - s.length) + s : s;
  }
}

/** Python's `str()` of a non-floating element: `True`/`False`, or the integer's digits. */
function elementStr(v: number, dtype: DType): string {
  if (dtype === bool) return v ? 'True' : 'False';
  return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
}

/** The shown positions along a dim of size n: all, or the edge items around the `...`. */
function shownRange(n: number, summarize: boolean, vector: boolean): { head: number; tailStart: number; cut: boolean } {
  const e = PRINT_OPTS.edgeitems;
  if (!summarize || n <= 2 * e) return { head: n, tailStart: n, cut: false };
  // Python's self[-0:] is the whole vector, while range(n - 0, n) is empty
  return { head: e, tailStart: vector && e === 0 ? 0 : n - e, cut: true };
}

interface Layout {
  values: ArrayLike<number>;
  shape: readonly number[];
  strides: readonly number[];
  dtype: DType;
  summarize: boolean;
}

/** The values `get_summarized_data` keeps, which decide the formatter. */
function summarizedValues(L: Layout, dim: number, offset: number, out: number[]): void {
  if (dim === L.shape.length) {
    out.push(L.values[offset]!);
    return;
  }
  const n = L.shape[dim]!;
  const { head, tailStart } = shownRange(n, L.summarize, dim === L.shape.length - 1);
  for (let i = 0; i < head; i++) summarizedValues(L, dim + 1, offset + i * L.strides[dim]!, out);
  for (let i = tailStart; i < n; i++) summarizedValues(L, dim + 1, offset + i * L.strides[dim]!, out);
}

function vectorStr(L: Layout, f: Formatter, offset: number, indent: number): string {
  const n = L.shape[L.shape.length - 1]!;
  const stride = L.strides[L.shape.length - 1]!;
  const elementLength = f.maxWidth + 2;
  const perLine = Math.max(1, Math.floor((PRINT_OPTS.linewidth - indent) / elementLength));
  const { head, tailStart, cut } = shownRange(n, L.summarize, true);
  const data: string[] = [];
  for (let i = 0; i < head; i++) data.push(f.format(L.values[offset + i * stride]!, L.dtype));
  if (cut) data.push(' ...');
  for (let i = tailStart; i < n; i++) data.push(f.format(L.values[offset + i * stride]!, L.dtype));
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorStrWithFormatter(L: Layout, f: Formatter, dim: number, offset: number, indent: number): string {
  const rank = L.shape.length - dim;
  if (rank === 0) return f.format(L.values[offset]!, L.dtype);
  if (rank === 1) return vectorStr(L, f, offset, indent);
  const n = L.shape[dim]!;
  const { head, tailStart, cut } = shownRange(n, L.summarize, false);
  const slices: string[] = [];
  const sub = (i: number): string => tensorStrWithFormatter(L, f, dim + 1, offset + i * L.strides[dim]!, indent + 1);
  for (let i = 0; i < head; i++) slices.push(sub(i));
  if (cut) slices.push('...');
  for (let i = tailStart; i < n; i++) slices.push(sub(i));
  return '[' + slices.join(',' + '\n'.repeat(rank - 1) + ' '.repeat(indent + 1)) + ']';
}

/** `_tensor_str`: the bracketed values of a non-empty tensor. */
function tensorStr(t: Tensor, indent: number): string {
  const shape = t._shape.slice();
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  const L: Layout = { values: t.numpy(), shape, strides, dtype: t.dtype, summarize: t.numel() > PRINT_OPTS.threshold };
  const shown: number[] = [];
  summarizedValues(L, 0, 0, shown);
  return tensorStrWithFormatter(L, new Formatter(shown, t.dtype), 0, 0, indent);
}

/** Python's `str(tuple(shape))`: `(0, 3)`, `(0,)`. */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function addSuffixes(tensorString: string, suffixes: readonly string[], indent: number): string {
  const parts = [tensorString];
  let lastLineLen = tensorString.length - tensorString.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > PRINT_OPTS.linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/**
 * `repr(t)` as PyTorch prints it: `tensor([1.5000, 2.0000], grad_fn=<MulBackward0>)`.
 * Device suffixes appear for every non-CPU tensor (`device='cuda:0'`).
 * @example String(torch.tensor([[1, 2], [3, 4]])) // 'tensor([[1, 2],\n        [3, 4]])'
 */
export function tensorRepr(t: Tensor): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device.type !== 'cpu') suffixes.push(`device='${t.device}'`);
  const defaultDType = get_default_dtype();
  let body: string;
  if (t.numel() === 0) {
    if (t.dim() !== 1) suffixes.push(`size=${pyTuple(t._shape)}`);
    // nothing in an empty tensor lets the reader infer int64, so only the default float is implied
    if (t.dtype !== defaultDType) suffixes.push(`dtype=${t.dtype}`);
    body = '[]';
  } else {
    if (t.dtype !== defaultDType && t.dtype !== int64 && t.dtype !== bool) suffixes.push(`dtype=${t.dtype}`);
    body = tensorStr(t, indent);
  }
  if (t.grad_fn !== null) {
    // PyTorch prints the class name, which drops C++ namespaces
    suffixes.push(`grad_fn=<${t.grad_fn.name().split('::').pop()}>`);
  } else if (t.requires_grad) {
    suffixes.push('requires_grad=True');
  }
  return addSuffixes(prefix + body, suffixes, indent);
}
