/**
 * Plots of functions and models: `plot.function` (activation functions side by side) and
 * `plot.decision_boundary` (the regions a classifier assigns to each class, with the data).
 */

import { sizeRepr } from '../../size.js';
import { Tensor } from '../../tensor.js';
import { ValueError } from '../../errors.js';
import { float32 } from '../../dtype.js';
import * as cr from '../../ops/creation.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { Plot, type VegaLiteSpec } from './render.js';
import { frame, type ChartOptions } from './charts.js';
import { jsonNumber, nonEmpty, toLabels, toRows, type Matrix, type Series } from './data.js';

/** A function of a tensor (`torch.sigmoid`, `nn.ReLU()`, `x => x.clamp(0)`) or of a number. */
export type PlotFn = ((x: Tensor) => Tensor) | ((x: number) => number);

export interface FunctionOptions extends ChartOptions {
  /** Samples over the range (default 200). */
  n?: number;
  /** Panels a row when plotting several functions side by side (default 3). */
  columns?: number;
  /** Draw every function in one panel instead of side by side. */
  overlay?: boolean;
}

/** A name for a function: its module repr (`ReLU()`), its name, or `f`. */
function fnName(f: PlotFn, i: number): string {
  if (typeof (f as unknown as { named_parameters?: unknown }).named_parameters === 'function') return String(f);
  return f.name !== '' ? f.name : `f${i}`;
}

/** Evaluates f on xs: as one tensor call when f takes tensors, else number by number. */
function evaluate(f: PlotFn, xs: Tensor, name: string): number[] {
  let out: unknown;
  try {
    out = no_grad(() => (f as (x: Tensor) => unknown)(xs));
  } catch {
    out = undefined;
  }
  if (out instanceof Tensor) {
    if (out.numel() !== xs.numel()) {
      throw new ValueError(`${name} returned a tensor of shape ${sizeRepr(out._shape)} for an input of shape ${sizeRepr([xs.numel()])}; plot.function needs an elementwise function`);
    }
    return Array.from(out.detach().numpy(), Number);
  }
  // a function of numbers: Math.tanh, x => Math.max(0, x)
  return Array.from(xs.numpy(), (x) => {
    const y = (f as (x: number) => unknown)(x);
    if (typeof y !== 'number') throw new ValueError(`${name} must return a Tensor (for a tensor) or a number (for a number), got ${typeof y}`);
    return y;
  });
}

/**
 * `plot.function(f, [lo, hi])`: y = f(x) over a range (default [-5, 5]); several functions, as an
 * array or `{name: f}`, are drawn side by side (or overlaid with `{overlay: true}`).
 * @example plot.function({sigmoid: torch.sigmoid, tanh: torch.tanh, ReLU: F.relu}, [-5, 5])
 */
export function fn(f: PlotFn | readonly PlotFn[] | Record<string, PlotFn>, range: readonly [number, number] = [-5, 5], opts: FunctionOptions = {}): Plot {
  const named: [string, PlotFn][] = typeof f === 'function'
    ? [[fnName(f, 0), f]]
    : Array.isArray(f) ? (f as readonly PlotFn[]).map((g, i) => [fnName(g, i), g]) : Object.entries(f as Record<string, PlotFn>);
  if (named.length === 0) throw new ValueError('plot.function got no function to plot');
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new ValueError(`range must be [lo, hi] with finite lo < hi, got [${lo}, ${hi}]`);
  const n = opts.n ?? 200;
  if (!Number.isInteger(n) || n < 2) throw new ValueError(`n must be an integer >= 2, got ${n}`);
  const xs = cr.linspace(lo, hi, n, { dtype: float32 });
  const xv = Array.from(xs.numpy(), Number);
  const values: Record<string, unknown>[] = [];
  for (const [name, g] of named) {
    evaluate(g, xs, name).forEach((y, i) => values.push({ x: xv[i], y: jsonNumber(y), fn: name }));
  }
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: opts.xlabel ?? 'x' },
    y: { field: 'y', type: 'quantitative', title: opts.ylabel ?? 'f(x)' },
  };
  if (named.length === 1 || opts.overlay) {
    const enc = named.length > 1 ? { ...encoding, color: { field: 'fn', type: 'nominal', title: null, sort: null } } : encoding;
    return new Plot({ ...frame({ title: named.length === 1 ? named[0]![0] : undefined, ...opts }), data: { values }, mark: 'line', encoding: enc }, 'function');
  }
  const panel = { width: opts.width ?? 180, height: opts.height ?? 150 };
  return new Plot({
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    data: { values },
    columns: opts.columns ?? 3,
    concat: named.map(([name]) => ({
      ...panel,
      title: name,
      transform: [{ filter: { field: 'fn', equal: name } }],
      mark: 'line',
      encoding,
    })),
  }, 'function');
}

/** A classifier: a module or function from an `[N, 2]` float tensor to logits/probabilities. */
export type Classifier = (x: Tensor) => Tensor;

export interface BoundaryOptions extends ChartOptions {
  /** Grid points along each axis (default 100). */
  resolution?: number;
  /** Margin around the data, as a fraction of its extent (default 0.1). */
  margin?: number;
  /** For a single output: the class-1 threshold (default 0.5 for outputs in [0, 1], else 0). */
  threshold?: number;
}

/** Class predictions from model outputs: argmax over classes, or a threshold for one output. */
function predictions(out: Tensor, n: number, threshold: number | undefined): number[] {
  if (out.numel() === n) {
    const v = Array.from(out.detach().numpy(), Number);
    const t = threshold ?? (v.every((e) => e >= 0 && e <= 1) ? 0.5 : 0);
    return v.map((e) => (e >= t ? 1 : 0));
  }
  if (out.dim() !== 2 || out._shape[0] !== n) {
    throw new ValueError(`the model must map [N, 2] inputs to [N] or [N, C] outputs, got ${sizeRepr(out._shape)} for N = ${n}`);
  }
  return Array.from(out.detach().argmax(1).numpy(), Number);
}

/**
 * `plot.decision_boundary(model, X, y)`: the class the model predicts over a grid covering X
 * (shaded), with the points of X coloured by their label y.
 * @example plot.decision_boundary(net, X, y, {title: 'MLP, 16 hidden units'})
 */
export function decision_boundary(model: Classifier, X: Matrix, y: Series | readonly string[], opts: BoundaryOptions = {}): Plot {
  const rows = toRows(X, 'X');
  nonEmpty(rows, 'X');
  if (rows[0]!.length !== 2) throw new ValueError(`decision_boundary needs 2 features a point: X must be [N, 2], got [${rows.length}, ${rows[0]!.length}]`);
  const labels = toLabels(y, 'y');
  if (labels.length !== rows.length) throw new ValueError(`X has ${rows.length} points but y has ${labels.length} labels`);
  const res = opts.resolution ?? 100;
  if (!Number.isInteger(res) || res < 2) throw new ValueError(`resolution must be an integer >= 2, got ${res}`);
  const margin = opts.margin ?? 0.1;
  const ext = [0, 1].map((d) => {
    const v = rows.map((r) => r[d]!);
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new ValueError('X contains NaN or infinite values');
    const pad = (hi - lo || 1) * margin;
    return [lo - pad, hi + pad] as const;
  }) as [readonly [number, number], readonly [number, number]];
  const step = ext.map(([lo, hi]) => (hi - lo) / res) as [number, number];
  const grid: number[][] = [];
  for (let i = 0; i < res; i++) {
    for (let j = 0; j < res; j++) grid.push([ext[0][0] + (j + 0.5) * step[0], ext[1][0] + (i + 0.5) * step[1]]);
  }
  const gridT = cr.tensor(grid, { dtype: float32 });
  const pred = predictions(no_grad(() => model(gridT)), grid.length, opts.threshold);
  // classes are drawn by their label values so regions and points share one colour scale
  const cls = (v: number | string): string => String(v);
  // runs of one class along a grid row become one rectangle: far smaller specs and SVGs
  const regions: Record<string, unknown>[] = [];
  for (let i = 0; i < res; i++) {
    let j0 = 0;
    for (let j = 1; j <= res; j++) {
      if (j < res && pred[i * res + j] === pred[i * res + j0]) continue;
      regions.push({
        x: ext[0][0] + j0 * step[0], x2: ext[0][0] + j * step[0],
        y: ext[1][0] + i * step[1], y2: ext[1][0] + (i + 1) * step[1],
        class: cls(pred[i * res + j0]!),
      });
      j0 = j;
    }
  }
  const points = rows.map((r, k) => ({ x: r[0], y: r[1], class: cls(labels[k]!) }));
  const xEnc = { field: 'x', type: 'quantitative', title: opts.xlabel ?? 'x₁', scale: { domain: [...ext[0]], nice: false, zero: false } };
  const yEnc = { field: 'y', type: 'quantitative', title: opts.ylabel ?? 'x₂', scale: { domain: [...ext[1]], nice: false, zero: false } };
  const color = { field: 'class', type: 'nominal', title: 'class' };
  const spec: VegaLiteSpec = {
    ...frame({ width: 350, height: 350, ...opts }),
    layer: [
      { data: { values: regions }, mark: { type: 'rect', opacity: 0.3 }, encoding: { x: xEnc, x2: { field: 'x2' }, y: yEnc, y2: { field: 'y2' }, color } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 40, stroke: 'black', strokeWidth: 0.5 }, encoding: { x: xEnc, y: yEnc, color } },
    ],
  };
  return new Plot(spec, 'decision_boundary');
}
