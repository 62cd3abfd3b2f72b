/**
 * LivePlot: a training-curve display updated in place. Each `update({epoch, loss, acc})` adds a
 * point to every series it names and republishes the chart under one `display_id` (at most every
 * `mininterval` seconds), so a training loop leaves one output, not hundreds. `close()` publishes
 * the final state with its SVG rendering (SVG needs an asynchronous render, which a synchronous
 * training loop would never let run; the live updates carry the vega-lite spec).
 */

import { sizeRepr } from '../../size.js';
import { Tensor } from '../../tensor.js';
import { ValueError } from '../../errors.js';
import { JUPYTER_DISPLAY, get_publisher, newDisplayId, type MimeBundle } from '../publisher.js';
import { Plot, type VegaLiteSpec } from './render.js';
import { frame, type ChartOptions } from './charts.js';
import { jsonNumber } from './data.js';

export interface LivePlotOptions extends ChartOptions {
  /** The key of the x value (default: 'epoch' or 'step' when updates carry one, else the update count). */
  x?: string;
  /** Minimum seconds between two published updates (default 0.5). */
  mininterval?: number;
  /** Logarithmic y axis. */
  logy?: boolean;
  /** One panel per series, each with its own y scale (loss and accuracy differ in scale). */
  separate?: boolean;
}

/** A value an update may carry: a number or a one-element tensor (`loss`). */
export type LiveValue = number | Tensor;

/**
 * A live training plot. Differs from matplotlib/livelossplot: updates replace the output in place
 * through `display_id`; outside a notebook each published update prints one text line.
 * @example
 * const live = new plot.LivePlot({title: 'training', separate: true});
 * for (let epoch = 0; epoch < 10; epoch++) { ...; live.update({epoch, loss, acc}); }
 * await live.close();
 */
export class LivePlot {
  /** Every update, as plain numbers. */
  readonly history: Record<string, number>[] = [];
  readonly display_id: string = newDisplayId('liveplot');
  private readonly opts: LivePlotOptions;
  private published = false;
  private lastPublish = -Infinity;

  constructor(opts: LivePlotOptions = {}) {
    this.opts = opts;
  }

  /** The x key in use. */
  private xKey(): string | null {
    if (this.opts.x !== undefined) return this.opts.x;
    const first = this.history[0];
    if (first === undefined) return null;
    return 'epoch' in first ? 'epoch' : 'step' in first ? 'step' : null;
  }

  /**
   * Adds one point to each series named in `values` and republishes (throttled by `mininterval`).
   * @example live.update({epoch, train_loss: loss, val_acc: acc})
   */
  update(values: Record<string, LiveValue>): void {
    const row: Record<string, number> = {};
    for (const [k, v] of Object.entries(values)) {
      if (v instanceof Tensor) {
        if (v.numel() !== 1) throw new ValueError(`LivePlot.update: '${k}' must be a number or a one-element tensor, got ${sizeRepr(v._shape)}`);
        row[k] = v.item();
      } else if (typeof v === 'number') {
        row[k] = v;
      } else {
        throw new ValueError(`LivePlot.update: '${k}' must be a number or a one-element tensor, got ${typeof v}`);
      }
    }
    if (Object.keys(row).length === 0) throw new ValueError('LivePlot.update needs at least one value');
    this.history.push(row);
    const now = performance.now();
    if (now - this.lastPublish >= (this.opts.mininterval ?? 0.5) * 1000) {
      this.lastPublish = now;
      this.publish(this.toPlot().specBundle());
    }
  }

  private publish(bundle: MimeBundle): void {
    const pub = get_publisher();
    if (!pub.rich) {
      pub.publish({ 'text/plain': this.toString() });
      this.published = true;
      return;
    }
    pub.publish(bundle, this.published ? { display_id: this.display_id, update: true } : { display_id: this.display_id });
    this.published = true;
  }

  /** The chart of everything so far. @example display(live.toPlot()) */
  toPlot(): Plot {
    const x = this.xKey();
    const values: Record<string, unknown>[] = [];
    const series: string[] = [];
    this.history.forEach((row, i) => {
      for (const [k, v] of Object.entries(row)) {
        if (k === x) continue;
        if (!series.includes(k)) series.push(k);
        values.push({ x: x === null ? i : row[x], value: jsonNumber(v), series: k });
      }
    });
    const encoding: Record<string, unknown> = {
      x: { field: 'x', type: 'quantitative', title: this.opts.xlabel ?? x ?? 'update' },
      y: { field: 'value', type: 'quantitative', title: this.opts.ylabel ?? null, scale: { zero: false, ...(this.opts.logy ? { type: 'log' } : {}) } },
      color: { field: 'series', type: 'nominal', title: null, sort: series },
    };
    const mark = { type: 'line', point: this.history.length <= 50 };
    let spec: VegaLiteSpec;
    if (this.opts.separate && series.length > 1) {
      spec = {
        ...(this.opts.title !== undefined ? { title: this.opts.title } : {}),
        data: { values },
        facet: { field: 'series', type: 'nominal', title: null, sort: series },
        columns: series.length <= 3 ? series.length : 2,
        spec: { width: this.opts.width ?? 260, height: this.opts.height ?? 180, mark, encoding },
        resolve: { scale: { y: 'independent' } },
      };
    } else {
      spec = { ...frame(this.opts), data: { values }, mark, encoding };
    }
    return new Plot(spec, 'live');
  }

  /** Publishes the final state, with its SVG rendering, in place of the live output. @example await live.close() */
  async close(): Promise<void> {
    const plot = this.toPlot();
    this.publish(get_publisher().rich ? await plot.bundle() : plot.specBundle());
  }

  /** The last values, as one line: `epoch=3 loss=0.1234 acc=0.95`. @example String(live) // 'epoch=3 loss=0.1234' */
  toString(): string {
    const last = this.history[this.history.length - 1];
    if (last === undefined) return '<torchlab.plot.LivePlot (no data)>';
    return Object.entries(last).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' ');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    return this.toPlot().bundle();
  }
}
