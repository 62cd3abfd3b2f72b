/**
 * The matplotlib-like chart functions: line, scatter, hist, bar, heatmap. Each returns a `Plot`
 * (a vega-lite spec with the data inlined) that shows when it is a cell's last expression or is
 * passed to `display`.
 */

import { sizeRepr } from '../../size.js';
import { Tensor } from '../../tensor.js';
import { ValueError } from '../../errors.js';
import { Plot, type VegaLiteSpec } from './render.js';
import { isSeries, jsonNumber, nonEmpty, pyShape, toLabels, toNumbers, toRows, type Matrix, type Series } from './data.js';

/** Options every chart takes. */
export interface ChartOptions {
  title?: string;
  xlabel?: string;
  ylabel?: string;
  /** Plot area size in pixels (defaults 400 × 250). */
  width?: number;
  height?: number;
}

export interface LineOptions extends ChartOptions {
  /** Series names, for a 2-d `y` (one series a column) or several series. */
  labels?: readonly string[];
  /** Logarithmic y axis (loss curves). */
  logy?: boolean;
  /** Draw a point at each value too. */
  points?: boolean;
}

/** Several named series: `{train: losses, val: valLosses}`. */
export type NamedSeries = Record<string, Series>;

export function frame(opts: ChartOptions): VegaLiteSpec {
  const out: VegaLiteSpec = { width: opts.width ?? 400, height: opts.height ?? 250 };
  if (opts.title !== undefined) out.title = opts.title;
  return out;
}

/** y as series: a 1-d series, a 2-d table (one series a column, as matplotlib), or named series. */
function ySeries(y: Series | Matrix | NamedSeries, labels: readonly string[] | undefined): [string, number[]][] {
  if (y instanceof Tensor && y.dim() > 2) {
    throw new ValueError(`y must be 1- or 2-dimensional, got a tensor of shape ${sizeRepr(y._shape)}`);
  }
  if (isSeries(y) && !(Array.isArray(y) && Array.isArray(y[0])) && !(y instanceof Tensor && y.dim() === 2)) {
    return [[labels?.[0] ?? 'y', toNumbers(y, 'y')]];
  }
  if (isSeries(y)) {
    const rows = toRows(y as Matrix, 'y');
    const cols = rows[0]?.length ?? 0;
    if (labels !== undefined && labels.length !== cols) throw new ValueError(`got ${labels.length} labels for ${cols} series`);
    return Array.from({ length: cols }, (_, j) => [labels?.[j] ?? `y${j}`, rows.map((r) => r[j]!)]);
  }
  return Object.entries(y).map(([name, s]) => [name, toNumbers(s, name)]);
}

/**
 * `plot.line(y)`, `plot.line(x, y)`, `plot.line({train, val})`: lines over x (default 0, 1, ...).
 * Like matplotlib, a 2-d y draws one line a column. NaN and infinities leave gaps.
 * @example plot.line(losses, {title: 'training loss', xlabel: 'step', logy: true})
 */
export function line(y: Series | Matrix | NamedSeries, opts?: LineOptions): Plot;
export function line(x: Series, y: Series | Matrix | NamedSeries, opts?: LineOptions): Plot;
export function line(a: Series | Matrix | NamedSeries, b?: Series | Matrix | NamedSeries | LineOptions, c?: LineOptions): Plot {
  const hasX = b !== undefined && (isSeries(b) || !isOptions(b));
  const opts: LineOptions = (hasX ? c : (b as LineOptions | undefined)) ?? {};
  const series = ySeries((hasX ? b : a) as Series | Matrix | NamedSeries, opts.labels);
  const xs = hasX ? toNumbers(a as Series, 'x') : null;
  const values: Record<string, unknown>[] = [];
  for (const [name, ys] of series) {
    nonEmpty(ys, `y ('${name}')`);
    if (xs !== null && xs.length !== ys.length) {
      throw new ValueError(`x and y must have same first dimension, but have shapes ${pyShape(xs.length)} and ${pyShape(ys.length)}`);
    }
    ys.forEach((v, i) => values.push({ x: xs === null ? i : xs[i], y: jsonNumber(v), series: name }));
  }
  const encoding: Record<string, unknown> = {
    x: { field: 'x', type: 'quantitative', title: opts.xlabel ?? 'x' },
    y: { field: 'y', type: 'quantitative', title: opts.ylabel ?? 'y', ...(opts.logy ? { scale: { type: 'log' } } : {}) },
  };
  if (series.length > 1) encoding.color = { field: 'series', type: 'nominal', title: null, sort: null };
  return new Plot({
    ...frame(opts),
    data: { values },
    mark: { type: 'line', ...(opts.points ? { point: true } : {}) },
    encoding,
  }, 'line');
}

function isOptions(x: unknown): boolean {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const keys = Object.keys(x);
  const optionKeys = ['title', 'xlabel', 'ylabel', 'width', 'height', 'labels', 'logy', 'points'];
  return keys.length === 0 || keys.every((k) => optionKeys.includes(k));
}

export interface ScatterOptions extends ChartOptions {
  /** A label or value per point (class indices colour by class, floats by a colour scale). */
  c?: Series | readonly string[];
  /** Point area in pixels (default 30). */
  s?: number;
}

/**
 * `plot.scatter(x, y)` or `plot.scatter(X)` for an `[N, 2]` tensor; `c` colours the points
 * (integer labels as classes).
 * @example plot.scatter(X, {c: y, title: 'two moons'})
 */
export function scatter(x: Series | Matrix, y?: Series | ScatterOptions, opts?: ScatterOptions): Plot {
  let xs: number[];
  let ys: number[];
  let o: ScatterOptions;
  if (y !== undefined && isSeries(y)) {
    xs = toNumbers(x as Series, 'x');
    ys = toNumbers(y, 'y');
    o = opts ?? {};
  } else {
    const rows = toRows(x as Matrix, 'X');
    if (rows.length > 0 && rows[0]!.length !== 2) throw new ValueError(`X must have 2 columns (x, y), got ${rows[0]!.length}`);
    xs = rows.map((r) => r[0]!);
    ys = rows.map((r) => r[1]!);
    o = (y as ScatterOptions | undefined) ?? {};
  }
  nonEmpty(xs, 'x');
  if (xs.length !== ys.length) throw new ValueError(`x and y must be the same size, but have shapes ${pyShape(xs.length)} and ${pyShape(ys.length)}`);
  const cs = o.c === undefined ? null : toLabels(o.c, 'c');
  if (cs !== null && cs.length !== xs.length) {
    throw new ValueError(`'c' argument has ${cs.length} elements, which is inconsistent with 'x' and 'y' with size ${xs.length}.`);
  }
  const classes = cs !== null && cs.every((v) => typeof v === 'string' || Number.isInteger(v));
  const values = xs.map((xv, i) => ({ x: jsonNumber(xv), y: jsonNumber(ys[i]!), ...(cs !== null ? { c: cs[i] } : {}) }));
  const encoding: Record<string, unknown> = {
    x: { field: 'x', type: 'quantitative', title: o.xlabel ?? 'x', scale: { zero: false } },
    y: { field: 'y', type: 'quantitative', title: o.ylabel ?? 'y', scale: { zero: false } },
  };
  if (cs !== null) encoding.color = { field: 'c', type: classes ? 'nominal' : 'quantitative', title: 'c' };
  return new Plot({ ...frame(o), data: { values }, mark: { type: 'point', filled: true, size: o.s ?? 30 }, encoding }, 'scatter');
}

export interface HistOptions extends ChartOptions {
  /** Number of equal-width bins (default 10, as matplotlib and torch.histc... which uses 100). */
  bins?: number;
  /** `[min, max]` of the bins; values outside are ignored (default: the data's min and max). */
  range?: readonly [number, number];
  /** Plot probability densities instead of counts. */
  density?: boolean;
}

/**
 * Bin counts as `torch.histc(input, bins, min, max)` computes them: equal-width bins over
 * [min, max] (the data's range when both are equal), the max in the last bin, values outside ignored.
 * @example histogram(torch.randn(1000), 10) // {edges: [11 numbers], counts: [10 numbers]}
 */
export function histogram(x: Series, bins = 10, range?: readonly [number, number]): { edges: number[]; counts: number[] } {
  if (!Number.isInteger(bins) || bins <= 0) throw new ValueError(`bins must be > 0`);
  const v = toNumbers(x, 'x');
  nonEmpty(v, 'x');
  let [lo, hi] = range ?? [0, 0];
  if (lo === hi) {
    lo = Infinity;
    hi = -Infinity;
    for (const e of v) {
      lo = Math.min(lo, e);
      hi = Math.max(hi, e);
    }
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new ValueError(`range of [${lo}, ${hi}] is not finite`);
  if (lo > hi) throw new ValueError('max must be larger than min');
  const counts = new Array<number>(bins).fill(0);
  for (const e of v) {
    if (!(e >= lo && e <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor(((e - lo) * bins) / (hi - lo)))]! += 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  return { edges, counts };
}

/**
 * `plot.hist(x, {bins})`: a histogram (torch.histc's binning).
 * @example plot.hist(model.fc1.weight.flatten(), {bins: 50, title: 'weights'})
 */
export function hist(x: Series, opts: HistOptions = {}): Plot {
  const { edges, counts } = histogram(x, opts.bins ?? 10, opts.range);
  const total = counts.reduce((a, b) => a + b, 0);
  const values = counts.map((n, i) => {
    const width = edges[i + 1]! - edges[i]!;
    return { bin_start: edges[i], bin_end: edges[i + 1], count: opts.density ? (total === 0 ? 0 : n / (total * width)) : n };
  });
  return new Plot({
    ...frame(opts),
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'bin_start', type: 'quantitative', bin: { binned: true }, title: opts.xlabel ?? 'value' },
      x2: { field: 'bin_end' },
      y: { field: 'count', type: 'quantitative', title: opts.ylabel ?? (opts.density ? 'density' : 'count') },
    },
  }, 'hist');
}

/**
 * `plot.bar(height)` or `plot.bar(x, height)` with category names in x (kept in order).
 * @example plot.bar(['cat', 'dog'], [0.7, 0.3], {ylabel: 'probability'})
 */
export function bar(a: Series | readonly string[], b?: Series | ChartOptions, c?: ChartOptions): Plot {
  const hasX = b !== undefined && isSeries(b);
  const heights = toNumbers((hasX ? b : a) as Series, 'height');
  const xs = hasX ? toLabels(a, 'x') : heights.map((_, i) => i);
  const opts = (hasX ? c : (b as ChartOptions | undefined)) ?? {};
  nonEmpty(heights, 'height');
  if (xs.length !== heights.length) throw new ValueError(`shape mismatch: objects cannot be broadcast to a single shape: ${pyShape(xs.length)} and ${pyShape(heights.length)}`);
  const values = heights.map((h, i) => ({ x: String(xs[i]), y: jsonNumber(h) }));
  return new Plot({
    ...frame(opts),
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'x', type: 'nominal', sort: null, title: opts.xlabel ?? null, axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'quantitative', title: opts.ylabel ?? null },
    },
  }, 'bar');
}

export interface HeatmapOptions extends ChartOptions {
  /** Column names (default 0, 1, ...). */
  xlabels?: readonly (string | number)[];
  /** Row names (default 0, 1, ...). */
  ylabels?: readonly (string | number)[];
  /** Write each value in its cell (default: when there are at most 400 cells). */
  annotate?: boolean;
  /** A vega colour scheme (default 'blues'). */
  scheme?: string;
}

/**
 * `plot.heatmap(matrix)`: a 2-d tensor as coloured cells, row 0 at the top (a confusion matrix
 * with `{xlabel: 'predicted', ylabel: 'true'}`).
 * @example plot.heatmap(confusion, {xlabel: 'predicted', ylabel: 'true', xlabels: classes, ylabels: classes})
 */
export function heatmap(m: Matrix, opts: HeatmapOptions = {}): Plot {
  const rows = toRows(m, 'heatmap data');
  if (rows.length === 0 || rows[0]!.length === 0) throw new ValueError('heatmap data is empty: nothing to plot');
  const nr = rows.length;
  const nc = rows[0]!.length;
  const xl = opts.xlabels ?? Array.from({ length: nc }, (_, j) => j);
  const yl = opts.ylabels ?? Array.from({ length: nr }, (_, i) => i);
  if (xl.length !== nc) throw new ValueError(`got ${xl.length} xlabels for ${nc} columns`);
  if (yl.length !== nr) throw new ValueError(`got ${yl.length} ylabels for ${nr} rows`);
  const values: Record<string, unknown>[] = [];
  rows.forEach((r, i) => r.forEach((v, j) => values.push({ col: String(xl[j]), row: String(yl[i]), value: jsonNumber(v) })));
  const cell = 24;
  const base: VegaLiteSpec = { ...frame({ width: Math.min(600, nc * cell), height: Math.min(600, nr * cell), ...opts }) };
  const encoding = {
    x: { field: 'col', type: 'ordinal', sort: xl.map(String), title: opts.xlabel ?? null, axis: { labelAngle: 0 } },
    y: { field: 'row', type: 'ordinal', sort: yl.map(String), title: opts.ylabel ?? null },
  };
  const layers: VegaLiteSpec[] = [
    { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: null, scale: { scheme: opts.scheme ?? 'blues' } } } },
  ];
  if (opts.annotate ?? nr * nc <= 400) {
    const finite = rows.flat().filter(Number.isFinite);
    const mid = (Math.min(...finite) + Math.max(...finite)) / 2;
    const integral = finite.every(Number.isInteger);
    layers.push({
      mark: { type: 'text', fontSize: 11 },
      encoding: {
        text: { field: 'value', type: 'quantitative', ...(integral ? {} : { format: '.2f' }) },
        color: { condition: { test: `datum.value > ${mid}`, value: 'white' }, value: 'black' },
      },
    });
  }
  return new Plot({ ...base, data: { values }, encoding, layer: layers }, 'heatmap');
}
