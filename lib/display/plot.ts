/**
 * `plot`: vega-lite charts for notebooks (what matplotlib gives a PyTorch lecture). Every function
 * returns a `Plot` at once; it shows with `application/vnd.vegalite.v5+json` and an SVG rendering
 * (made asynchronously in Node by vega) when it is a cell's last expression, or with
 * `display(p)` / `await p.show()`.
 */

import { line, scatter, hist, bar, heatmap, histogram } from './plot/charts.js';
import { fn, decision_boundary } from './plot/function.js';
import { LivePlot, type LivePlotOptions } from './plot/live.js';
import { Plot, renderSvg, type VegaLiteSpec } from './plot/render.js';

export { Plot, LivePlot, renderSvg };
export type { VegaLiteSpec, LivePlotOptions };
export type { ChartOptions, LineOptions, ScatterOptions, HistOptions, HeatmapOptions, NamedSeries } from './plot/charts.js';
export type { FunctionOptions, BoundaryOptions, PlotFn, Classifier } from './plot/function.js';
export type { Series, Matrix } from './plot/data.js';

/**
 * A hand-written vega-lite spec as a Plot (the v5 `$schema` is added when missing).
 * @example plot.vegalite({data: {values: rows}, mark: 'bar', encoding: {x: {field: 'a'}, y: {field: 'b'}}})
 */
function vegalite(spec: VegaLiteSpec): Plot {
  return new Plot(spec, 'vegalite');
}

/** `plot.live(opts)`: a new LivePlot. @example const live = plot.live({title: 'training'}); live.update({epoch, loss}) */
function live(opts: LivePlotOptions = {}): LivePlot {
  return new LivePlot(opts);
}

/** The plotting namespace: `plot.line`, `plot.scatter`, `plot.hist`, `plot.bar`, `plot.heatmap`, `plot.function`, ... */
export const plot = {
  line,
  scatter,
  hist,
  bar,
  heatmap,
  histogram,
  function: fn,
  decision_boundary,
  vegalite,
  live,
  LivePlot,
  Plot,
  renderSvg,
};
