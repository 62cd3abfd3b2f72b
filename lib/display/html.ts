/**
 * HTML views of tensors and modules: a table for 0–2-d tensors, one table per 2-d slice for higher
 * ranks, summarised with PyTorch's print options (threshold, edgeitems, precision), with an
 * optional heat-map colouring; a module's repr with its parameter table.
 */

import { sizeRepr } from '../size.js';
import type { Tensor } from '../tensor.js';
import { bool, type DType } from '../dtype.js';
import { get_printoptions } from './repr.js';
import { formatExp, formatFixed } from './pyformat.js';
import { escapeHtml } from './publisher.js';

/** Options of `display.table`. */
export interface TableOptions {
  /** Colour each cell by its value (diverging around 0 when values have both signs). */
  heatmap?: boolean;
  /** Overrides `torch.set_printoptions`'s precision for this table. */
  precision?: number;
}

/**
 * One notation for every shown value, chosen as PyTorch's `_Formatter` does (integer mode,
 * scientific mode past a 1000× range, fixed with `precision` digits otherwise), without padding.
 */
function makeFormatter(values: readonly number[], dtype: DType, precision: number, sciOpt: boolean | null): (v: number) => string {
  if (!dtype.is_floating_point) {
    return (v) => (dtype === bool ? (v ? 'True' : 'False') : Number.isSafeInteger(v) ? String(v) : BigInt(v).toString());
  }
  const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true;
  let sci = false;
  if (nz.length > 0) {
    let min = Infinity;
    let max = 0;
    for (const v of nz) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
    }
    intMode = nz.every((v) => v === Math.ceil(v));
    const wide = max / min > 1000 || max > 1e8;
    sci = intMode ? wide : wide || min < 1e-4;
    if (sciOpt !== null) sci = sciOpt;
  }
  return (v) => {
    if (sci) return formatExp(v, precision);
    if (intMode) return formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    return formatFixed(v, precision);
  };
}

/** The indices shown along a dim of size n: all, or edge items with a `null` for the gap. */
function shownIndices(n: number, summarize: boolean, edge: number): (number | null)[] {
  const out: (number | null)[] = [];
  if (!summarize || n <= 2 * edge) {
    for (let i = 0; i < n; i++) out.push(i);
    return out;
  }
  for (let i = 0; i < edge; i++) out.push(i);
  out.push(null);
  for (let i = n - edge; i < n; i++) out.push(i);
  return out;
}

/** A colour for value v in [lo, hi]: white to blue, or blue-white-red around 0 when lo < 0 < hi. */
export function heatColor(v: number, lo: number, hi: number): string {
  if (!Number.isFinite(v)) return '#d9d9d9';
  const mix = (a: readonly number[], b: readonly number[], t: number): string =>
    '#' + a.map((c, i) => Math.round(c + (b[i]! - c) * t).toString(16).padStart(2, '0')).join('');
  const white = [255, 255, 255];
  const blue = [33, 102, 172];
  const red = [178, 24, 43];
  if (lo < 0 && hi > 0) {
    const m = Math.max(-lo, hi);
    return v < 0 ? mix(white, blue, -v / m) : mix(white, red, v / m);
  }
  const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  return mix(white, blue, t);
}

/** Dark cells get white text. */
function textColor(bg: string): string {
  const n = parseInt(bg.slice(1), 16);
  const lum = 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return lum < 140 ? '#fff' : '#000';
}

/** `torch.Size([2, 3]) · torch.float32 · cpu · requires_grad=False` (and grad_fn when there is one). */
export function tensorCaption(t: Tensor): string {
  const parts = [`${sizeRepr(t._shape)}`, String(t.dtype), String(t.device), `requires_grad=${t.requires_grad ? 'True' : 'False'}`];
  if (t.grad_fn !== null) parts.push(`grad_fn=&lt;${escapeHtml(t.grad_fn.name().split('::').pop() ?? '')}&gt;`);
  return parts.join(' · ');
}

const CELL = 'padding:2px 6px;text-align:right;font-family:monospace;border:1px solid #ddd';
const HEAD = 'padding:2px 6px;text-align:right;font-family:monospace;color:#888;font-weight:normal;border:1px solid #ddd';

/**
 * The HTML view of a tensor: a table (0–2-d) or one table per trailing 2-d slice, labelled with
 * its index (`[0, :, :]`), summarised like PyTorch's repr past `threshold` elements.
 * @example display.table(torch.randn(4, 4), {heatmap: true})
 */
export function tensorHtml(t: Tensor, opts: TableOptions = {}): string {
  const po = get_printoptions();
  const precision = opts.precision ?? po.precision;
  const shape = t._shape.slice();
  const rank = shape.length;
  const values = t.numel() === 0 ? new Float64Array(0) : t.numpy();
  const strides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  const summarize = t.numel() > po.threshold;
  const shown = shape.map((n) => shownIndices(n, summarize, po.edgeitems));

  // every value on display decides the common notation and the colour range, as in the repr
  const seen: number[] = [];
  const collect = (dim: number, off: number): void => {
    if (dim === rank) {
      seen.push(values[off]!);
      return;
    }
    for (const i of shown[dim]!) if (i !== null) collect(dim + 1, off + i * strides[dim]!);
  };
  if (t.numel() > 0) collect(0, 0);
  const fmt = makeFormatter(seen, t.dtype, precision, po.sci_mode);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of seen) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const cell = (v: number): string => {
    if (!opts.heatmap) return `<td style="${CELL}">${escapeHtml(fmt(v))}</td>`;
    const bg = heatColor(v, lo, hi);
    return `<td style="${CELL};background:${bg};color:${textColor(bg)}">${escapeHtml(fmt(v))}</td>`;
  };
  const gap = (sym: string): string => `<td style="${CELL};color:#888;text-align:center">${sym}</td>`;

  /** A 2-d (or 1-d, 0-d) table of the trailing dims at storage offset `off`. */
  const table = (off: number, caption: string): string => {
    const rows: string[] = [];
    if (rank === 0) {
      rows.push(`<tr>${cell(values[off]!)}</tr>`);
    } else {
      const cols = rank >= 1 ? shown[rank - 1]! : [];
      const colStride = strides[rank - 1]!;
      const head = cols.map((j) => (j === null ? `<th style="${HEAD}">…</th>` : `<th style="${HEAD}">${j}</th>`)).join('');
      rows.push(`<tr><th style="${HEAD}"></th>${head}</tr>`);
      const rowIdx = rank >= 2 ? shown[rank - 2]! : [0];
      const rowStride = rank >= 2 ? strides[rank - 2]! : 0;
      for (const i of rowIdx) {
        if (i === null) {
          rows.push(`<tr><th style="${HEAD}">⋮</th>${cols.map(() => gap('⋮')).join('')}</tr>`);
          continue;
        }
        const label = rank >= 2 ? String(i) : '';
        const tds = cols.map((j) => (j === null ? gap('…') : cell(values[off + i * rowStride + j * colStride]!))).join('');
        rows.push(`<tr><th style="${HEAD}">${label}</th>${tds}</tr>`);
      }
    }
    const cap = caption === '' ? '' : `<caption style="caption-side:top;text-align:left;font-family:monospace;color:#555">${caption}</caption>`;
    return `<table class="torchlab-tensor" style="border-collapse:collapse;margin:2px 0">${cap}${rows.join('')}</table>`;
  };

  const caption = tensorCaption(t);
  if (t.numel() === 0) {
    return `<div class="torchlab-tensor"><div style="font-family:monospace;color:#555">${caption}</div><div style="font-family:monospace">tensor([]) (empty)</div></div>`;
  }
  if (rank <= 2) return `<div class="torchlab-tensor">${table(0, caption)}</div>`;

  // higher ranks: one table per index of the leading dims, in order, with a marker per skipped run
  const parts: string[] = [`<div style="font-family:monospace;color:#555">${caption}</div>`];
  const walk = (dim: number, off: number, index: string[]): void => {
    if (dim === rank - 2) {
      parts.push(table(off, escapeHtml(`[${[...index, ':', ':'].join(', ')}]`)));
      return;
    }
    for (const i of shown[dim]!) {
      if (i === null) parts.push(`<div style="font-family:monospace;color:#888">${escapeHtml(`[${[...index, '...'].join(', ')}]`)} ⋮</div>`);
      else walk(dim + 1, off + i * strides[dim]!, [...index, String(i)]);
    }
  };
  walk(0, 0, []);
  return `<div class="torchlab-tensor">${parts.join('')}</div>`;
}

/** `50,890`: counts with thousands separators, as parameter summaries print them. */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The parts of `nn.Module` the parameter table reads. */
export interface ModuleLike {
  named_parameters(): Iterable<[string, Tensor]>;
  toString(): string;
}

/**
 * A module's HTML view: its PyTorch repr and a table of its parameters (name, shape, count),
 * with the total and the trainable total, as the "number of parameters" slide computes them.
 */
export function moduleHtml(m: ModuleLike): string {
  const rows: string[] = [];
  let total = 0;
  let trainable = 0;
  for (const [name, p] of m.named_parameters()) {
    const n = p.numel();
    total += n;
    if (p.requires_grad) trainable += n;
    rows.push(`<tr><td style="${CELL};text-align:left">${escapeHtml(name)}</td><td style="${CELL}">[${p._shape.join(', ')}]</td><td style="${CELL}">${groupDigits(n)}</td></tr>`);
  }
  const head = `<tr><th style="${HEAD};text-align:left">name</th><th style="${HEAD}">shape</th><th style="${HEAD}">count</th></tr>`;
  const foot = `<tr><th style="${HEAD};text-align:left" colspan="2">total</th><th style="${CELL};font-weight:bold">${groupDigits(total)}</th></tr>`
    + (trainable !== total ? `<tr><th style="${HEAD};text-align:left" colspan="2">trainable</th><th style="${CELL}">${groupDigits(trainable)}</th></tr>` : '');
  return `<div class="torchlab-module"><pre>${escapeHtml(m.toString())}</pre>`
    + `<table style="border-collapse:collapse">${head}${rows.join('')}${foot}</table></div>`;
}

/** The text form of the parameter summary, appended to the repr in `text/plain`. */
export function moduleSummaryText(m: ModuleLike): string {
  let total = 0;
  let trainable = 0;
  for (const [, p] of m.named_parameters()) {
    total += p.numel();
    if (p.requires_grad) trainable += p.numel();
  }
  return `Total params: ${groupDigits(total)}\nTrainable params: ${groupDigits(trainable)}`;
}
