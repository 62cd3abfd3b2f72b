/**
 * `display(obj)`: publishes a MIME bundle for any value (IPython's `display`), plus the helpers
 * that build one: `display.table` (tensor HTML), `display.image` / `display.images` (PNG),
 * `display.html`, and the publisher hooks. Plots live in `plot`, progress bars in `tqdm`.
 */

import { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';
import { repr } from './print.js';
import { moduleHtml, moduleSummaryText, tensorHtml, type TableOptions } from './html.js';
import { Image, toImage, toImages, type GridOptions, type ImageOptions } from './image.js';
import { Plot, VEGALITE_MIME, type VegaLiteSpec } from './plot/render.js';
import {
  JUPYTER_DISPLAY, TextPublisher, get_publisher, hasDisplay, set_publisher,
  type DisplayPublisher, type MimeBundle, type PublishOptions,
} from './publisher.js';

export type { DisplayPublisher, MimeBundle, PublishOptions, TableOptions, ImageOptions, GridOptions };
export { Image, JUPYTER_DISPLAY, TextPublisher, get_publisher, set_publisher };

/** The bundle of a module: its PyTorch repr (and parameter totals) and an HTML parameter table. */
export function moduleBundle(m: Module): MimeBundle {
  return { 'text/plain': `${m.toString()}\n${moduleSummaryText(m)}`, 'text/html': moduleHtml(m) };
}

// Modules are written elsewhere (nn/module.ts); their rich view is installed from here so that a
// module as a cell's last expression shows its parameter table in any kernel honouring the convention.
if (!Object.prototype.hasOwnProperty.call(Module.prototype, JUPYTER_DISPLAY)) {
  Object.defineProperty(Module.prototype, JUPYTER_DISPLAY, {
    value: function moduleDisplay(this: Module): MimeBundle { return moduleBundle(this); },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

function isVegaLiteSpec(x: unknown): x is VegaLiteSpec {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const schema = (x as { $schema?: unknown }).$schema;
  return typeof schema === 'string' && schema.includes('vega-lite');
}

/**
 * The bundle `display` would publish for `obj` (a Promise where rendering is asynchronous: plots
 * with their SVG). Outside a notebook (`rich` false) plots skip the SVG.
 * @example display.bundleOf(torch.ones(2))['text/plain'] // 'tensor([1., 1.])'
 */
export function bundleOf(obj: unknown, rich = get_publisher().rich): MimeBundle | Promise<MimeBundle> {
  if (isVegaLiteSpec(obj)) obj = new Plot(obj, 'vegalite');
  if (obj instanceof Plot && !rich) return obj.specBundle();
  if (hasDisplay(obj)) return obj[JUPYTER_DISPLAY]();
  return { 'text/plain': typeof obj === 'string' ? obj : repr(obj) };
}

function publishBundle(bundle: MimeBundle | Promise<MimeBundle>, opts: PublishOptions): void | Promise<void> {
  if (bundle instanceof Promise) return bundle.then((b) => get_publisher().publish(b, opts));
  get_publisher().publish(bundle, opts);
}

/**
 * `display(obj)`: shows `obj` now, with every representation it has (tensors as HTML tables,
 * modules with their parameter table, images as PNG, plots as vega-lite + SVG, vega-lite specs).
 * Returns a Promise that settles once published: synchronous bundles are published before
 * `display` returns, plots after their SVG is rendered (`await display(p)` keeps output in order).
 * Pass `{display_id}` to update that output later with `{display_id, update: true}`.
 * @example display(torch.randn(3, 3)); await display(plot.line(losses));
 */
function displayFn(obj: unknown, opts: PublishOptions = {}): Promise<void> {
  const done = publishBundle(bundleOf(obj), opts);
  return done instanceof Promise ? done : Promise.resolve();
}

/** A value shown as the given representations (e.g. `display.html('<b>hi</b>')` as a last expression). */
class Raw {
  constructor(private readonly bundle: MimeBundle) {}
  toString(): string {
    const t = this.bundle['text/plain'];
    return typeof t === 'string' ? t : '';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
  [JUPYTER_DISPLAY](): MimeBundle {
    return this.bundle;
  }
}

/**
 * `display.table(t, {heatmap})`: publishes a tensor's HTML table (caption: shape, dtype, device,
 * requires_grad; summarised like its repr).
 * @example display.table(model.fc1.weight, {heatmap: true})
 */
function table(t: Tensor, opts: TableOptions = {}): void {
  if (!(t instanceof Tensor)) throw new TypeError(`display.table expects a Tensor, got ${repr(t)}`);
  get_publisher().publish({ 'text/plain': t.toString(), 'text/html': tensorHtml(t, opts) });
}

/**
 * `display.image(t)`: publishes one tensor as a PNG (`[H,W]`, `[C,H,W]`; float 0–1 or uint8).
 * @example display.image(x.get(0), {normalize: true})
 */
function image(t: Tensor, opts: ImageOptions = {}): void {
  get_publisher().publish(toImage(t, opts)[JUPYTER_DISPLAY]());
}

/**
 * `display.images(batch, {nrow, labels})`: publishes a batch as one grid (torchvision's make_grid).
 * @example display.images(x.get([0, 16]), {nrow: 8, labels: y.get([0, 16])})
 */
function images(t: Tensor | readonly Tensor[], opts: GridOptions = {}): void {
  get_publisher().publish(toImages(t, opts)[JUPYTER_DISPLAY]());
}

/** `display.html(s)`: publishes raw HTML (with a text fallback). @example display.html('<b>done</b>') */
function html(s: string, text = '<HTML>'): void {
  get_publisher().publish({ 'text/plain': text, 'text/html': s });
}

/**
 * `display.HTML(s)`: an object that shows as HTML (IPython's `HTML`).
 * @example display.HTML('<i>last expression shows as HTML</i>')
 */
function HTML(s: string): Raw {
  return new Raw({ 'text/plain': '<IPython.core.display.HTML object>', 'text/html': s });
}

/**
 * `display.vegalite(spec)`: publishes a hand-written vega-lite spec (with its SVG rendering).
 * @example await display.vegalite({data: {values: rows}, mark: 'point', encoding: {x: {field: 'a'}, y: {field: 'b'}}})
 */
function vegalite(spec: VegaLiteSpec): Promise<void> {
  return displayFn(new Plot(spec, 'vegalite'));
}

/**
 * `display` with its helpers: `display(obj)`, `display.table`, `display.image`, `display.images`,
 * `display.html`, `display.HTML`, `display.vegalite`, `display.toImage`, `display.toImages`,
 * `display.set_publisher`.
 */
export const display = Object.assign(displayFn, {
  table,
  image,
  images,
  html,
  HTML,
  vegalite,
  toImage,
  toImages,
  tensorHtml,
  Image,
  set_publisher,
  get_publisher,
  bundleOf,
  VEGALITE_MIME,
});
