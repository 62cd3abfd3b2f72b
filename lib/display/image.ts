/**
 * Tensors as images: one image or a grid of them (torchvision's `make_grid` + `save_image`
 * semantics: nrow, padding, pad_value, normalize, value_range, scale_each), encoded as PNG,
 * upscaled by an integer factor (nearest neighbour) so that 28×28 digits are visible, with optional
 * labels under each image.
 */

import { sizeRepr } from '../size.js';
import { Tensor } from '../tensor.js';
import { bool, uint8 } from '../dtype.js';
import { ValueError } from '../errors.js';
import { encodePng } from './png.js';
import { JUPYTER_DISPLAY, escapeHtml, type MimeBundle } from './publisher.js';

/** Options of `display.image`. */
export interface ImageOptions {
  /** Integer upscaling factor (nearest neighbour); default: enough for the image to be ~96 px. */
  scale?: number;
  /** Shift and scale values to [0, 1] using `value_range`, or the min and max of the values. */
  normalize?: boolean;
  /** `[low, high]` used by `normalize` (values are clamped to it first). */
  value_range?: readonly [number, number];
  /** Normalise each image of a batch by its own min and max. */
  scale_each?: boolean;
}

/** Options of `display.images` (torchvision's `make_grid` keywords, plus labels and scale). */
export interface GridOptions extends ImageOptions {
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels between images and around the grid (default 2). */
  padding?: number;
  /** Value of the padding pixels, on the image scale (default 0). */
  pad_value?: number;
  /** A caption under each image (e.g. `pred 3 / true 5`); one per image. */
  labels?: readonly (string | number)[] | Tensor;
}

/** A batch of images as floats in NCHW order. */
interface Batch {
  data: Float32Array;
  n: number;
  c: number;
  h: number;
  w: number;
}

function shapeStr(t: Tensor): string {
  return `${sizeRepr(t._shape)}`;
}

/**
 * `[H,W]`, `[C,H,W]` (C 1, 3 or 4), `[N,C,H,W]`, and, for batches, `[N,H,W]` (a 3-d tensor whose
 * first dim is not 1, 3 or 4), as floats on the 0–1 scale (uint8 divided by 255).
 */
function toBatch(t: Tensor, what: 'image' | 'images'): Batch {
  if (!(t instanceof Tensor)) throw new ValueError(`display.${what} expects a Tensor, got ${t === null ? 'null' : typeof t}`);
  const s = t._shape;
  let n: number, c: number, h: number, w: number;
  if (s.length === 2) [n, c, h, w] = [1, 1, s[0]!, s[1]!];
  else if (s.length === 3 && [1, 3, 4].includes(s[0]!)) [n, c, h, w] = [1, s[0]!, s[1]!, s[2]!];
  else if (s.length === 3 && what === 'images') [n, c, h, w] = [s[0]!, 1, s[1]!, s[2]!];
  else if (s.length === 4) [n, c, h, w] = [s[0]!, s[1]!, s[2]!, s[3]!];
  else {
    throw new ValueError(`display.${what} expects a tensor of shape [H, W], [C, H, W] or [N, C, H, W] with C in (1, 3, 4), got ${shapeStr(t)}`);
  }
  if (what === 'image' && n !== 1) {
    throw new ValueError(`display.image shows one image, got a batch of ${n} (${shapeStr(t)}); use display.images`);
  }
  if (![1, 3, 4].includes(c)) {
    throw new ValueError(`images need 1 (gray), 3 (RGB) or 4 (RGBA) channels, got ${c} in ${shapeStr(t)}`);
  }
  if (t.numel() === 0) throw new ValueError(`cannot display an empty image: ${shapeStr(t)}`);
  if (!t.dtype.is_floating_point && t.dtype !== uint8 && t.dtype !== bool) {
    throw new ValueError(`images must be floating point (0–1), uint8 (0–255) or bool tensors, got ${t.dtype}`);
  }
  const raw = t.numpy();
  const data = new Float32Array(raw.length);
  const div = t.dtype === uint8 ? 255 : 1;
  for (let i = 0; i < raw.length; i++) {
    const v = Number(raw[i]!);
    if (Number.isNaN(v)) throw new ValueError(`cannot display an image with NaN values (${shapeStr(t)})`);
    data[i] = v / div;
  }
  return { data, n, c, h, w };
}

/** make_grid's `norm_ip`: clamp to [low, high], then map to [0, 1]. */
function normRange(d: Float32Array, start: number, end: number, range: readonly [number, number] | undefined): void {
  let low: number, high: number;
  if (range !== undefined) [low, high] = range;
  else {
    low = Infinity;
    high = -Infinity;
    for (let i = start; i < end; i++) {
      low = Math.min(low, d[i]!);
      high = Math.max(high, d[i]!);
    }
  }
  // float32 steps as PyTorch's in-place clamp_/sub_/div_ take them (scalars cast to float32)
  const lo32 = Math.fround(low);
  const span = Math.fround(Math.max(high - low, 1e-5));
  for (let i = start; i < end; i++) d[i] = Math.fround(Math.fround(Math.min(Math.max(d[i]!, low), high) - lo32) / span);
}

function normalize(b: Batch, opts: ImageOptions): void {
  if (opts.value_range !== undefined && opts.value_range.length !== 2) throw new ValueError('value_range has to be a tuple (min, max) if specified. min and max are numbers');
  if (!opts.normalize) return;
  const size = b.c * b.h * b.w;
  if (opts.scale_each) for (let k = 0; k < b.n; k++) normRange(b.data, k * size, (k + 1) * size, opts.value_range);
  else normRange(b.data, 0, b.data.length, opts.value_range);
}

/** A uint8 HWC image. */
interface Pixels {
  bytes: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** save_image's conversion: `x.mul(255).add_(0.5).clamp_(0, 255)` in float32, truncated to uint8. */
function toByte(v: number): number {
  const x = Math.fround(Math.fround(v * 255) + 0.5);
  return x <= 0 ? 0 : x >= 255 ? 255 : Math.trunc(x);
}

/** Lays images out as make_grid does: a single image alone, otherwise `nrow` a row with padding. */
function grid(b: Batch, nrow: number, padding: number, padValue: number): Pixels {
  const channels = b.c as 1 | 3 | 4;
  const size = b.c * b.h * b.w;
  const one = b.n === 1;
  const xmaps = one ? 1 : Math.min(nrow, b.n);
  const ymaps = one ? 1 : Math.ceil(b.n / xmaps);
  const pad = one ? 0 : padding;
  const cellH = b.h + pad;
  const cellW = b.w + pad;
  const height = cellH * ymaps + pad;
  const width = cellW * xmaps + pad;
  const bytes = new Uint8Array(height * width * channels).fill(toByte(padValue));
  for (let k = 0; k < b.n; k++) {
    const y0 = Math.floor(k / xmaps) * cellH + pad;
    const x0 = (k % xmaps) * cellW + pad;
    for (let ch = 0; ch < channels; ch++) {
      for (let y = 0; y < b.h; y++) {
        for (let x = 0; x < b.w; x++) {
          bytes[((y0 + y) * width + x0 + x) * channels + ch] = toByte(b.data[k * size + (ch * b.h + y) * b.w + x]!);
        }
      }
    }
  }
  return { bytes, width, height, channels };
}

/** Nearest-neighbour upscaling by an integer factor. */
function upscale(p: Pixels, f: number): Pixels {
  if (f === 1) return p;
  const width = p.width * f;
  const height = p.height * f;
  const ch = p.channels;
  const bytes = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / f);
    for (let x = 0; x < width; x++) {
      const src = (sy * p.width + Math.floor(x / f)) * ch;
      const dst = (y * width + x) * ch;
      for (let c = 0; c < ch; c++) bytes[dst + c] = p.bytes[src + c]!;
    }
  }
  return { bytes, width, height, channels: ch };
}

function chooseScale(opts: ImageOptions, h: number, w: number, target: number): number {
  if (opts.scale !== undefined) {
    if (!Number.isInteger(opts.scale) || opts.scale < 1) throw new ValueError(`scale must be a positive integer, got ${opts.scale}`);
    return opts.scale;
  }
  return Math.min(8, Math.max(1, Math.ceil(target / Math.max(h, w))));
}

const MODES = { 1: 'L', 3: 'RGB', 4: 'RGBA' } as const;

/**
 * A PNG image made from a tensor; shows as `image/png` (and `text/html` with captions when it has
 * labels). Build one with `new display.Image(t)` to show it later, or call `display.image(t)`.
 * @example const img = new display.Image({bytes, width: 28, height: 28, channels: 1}); display(img)
 */
export class Image {
  /** The encoded PNG file. */
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** PIL's mode name: 'L', 'RGB' or 'RGBA'. */
  readonly mode: string;
  /** Captioned HTML grid, when labels were given. */
  readonly html: string | null;

  constructor(pixels: { bytes: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 }, html: string | null = null) {
    this.png = encodePng(pixels.bytes, pixels.width, pixels.height, pixels.channels);
    this.width = pixels.width;
    this.height = pixels.height;
    this.mode = MODES[pixels.channels];
    this.html = html;
  }

  /** The PNG as base64, as `image/png` bundles carry it. @example const b64 = display.toImage(x.get(0)).base64() */
  base64(): string {
    return Buffer.from(this.png).toString('base64');
  }

  /**
   * `String(img)`: `<torchlab.display.Image mode=L size=28x28>`, the text form outside a notebook.
   * @example String(new display.Image({bytes: new Uint8Array(4), width: 2, height: 2, channels: 1})) // '<torchlab.display.Image mode=L size=2x2>'
   */
  toString(): string {
    return `<torchlab.display.Image mode=${this.mode} size=${this.width}x${this.height}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    const bundle: MimeBundle = { 'text/plain': this.toString(), 'image/png': this.base64() };
    if (this.html !== null) bundle['text/html'] = this.html;
    return bundle;
  }
}

/**
 * One tensor as an image: `[H,W]`, `[1|3|4,H,W]` (or `[1,C,H,W]`), float in 0–1 or uint8.
 * Differs from torchvision: no PIL; `scale` upscales by nearest neighbour.
 * @example const img = toImage(x.get(0), {normalize: true}); // x: [N,1,28,28]
 */
export function toImage(t: Tensor, opts: ImageOptions = {}): Image {
  const b = toBatch(t, 'image');
  normalize(b, opts);
  const f = chooseScale(opts, b.h, b.w, 96);
  return new Image(upscale(grid(b, 1, 0, 0), f));
}

/**
 * A batch as one image grid, as torchvision's `make_grid` lays it out (a batch of one is the
 * image alone), optionally with a caption under each image (then also shown as an HTML grid).
 * @example toImages(batch, {nrow: 8, labels: preds.tolist()}) // batch: [N,1,28,28]
 */
export function toImages(t: Tensor | readonly Tensor[], opts: GridOptions = {}): Image {
  let b: Batch;
  if (Array.isArray(t)) {
    if (t.length === 0) throw new ValueError('display.images got an empty list of images');
    const parts = (t as readonly Tensor[]).map((x) => toBatch(x, 'image'));
    const first = parts[0]!;
    for (const p of parts) {
      if (p.c !== first.c || p.h !== first.h || p.w !== first.w) {
        throw new ValueError(`stack expects each tensor to be equal size, but got [${first.c}, ${first.h}, ${first.w}] and [${p.c}, ${p.h}, ${p.w}]`);
      }
    }
    const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
    parts.forEach((p, i) => data.set(p.data, i * p.data.length));
    b = { data, n: parts.length, c: first.c, h: first.h, w: first.w };
  } else {
    b = toBatch(t as Tensor, 'images');
  }
  normalize(b, opts);
  const nrow = opts.nrow ?? 8;
  const padding = opts.padding ?? 2;
  if (!Number.isInteger(nrow) || nrow < 1) throw new ValueError(`nrow must be a positive integer, got ${nrow}`);
  if (!Number.isInteger(padding) || padding < 0) throw new ValueError(`padding must be a non-negative integer, got ${padding}`);
  const f = chooseScale(opts, b.h, b.w, 64);
  const whole = upscale(grid(b, nrow, padding, opts.pad_value ?? 0), f);
  if (opts.labels === undefined) return new Image(whole);

  const labels = opts.labels instanceof Tensor ? (opts.labels.reshape(-1).tolist() as unknown[]) : [...opts.labels];
  if (labels.length !== b.n) throw new ValueError(`got ${labels.length} labels for ${b.n} images`);
  const size = b.c * b.h * b.w;
  const cells: string[] = [];
  for (let k = 0; k < b.n; k++) {
    const one = new Image(upscale(grid({ ...b, n: 1, data: b.data.subarray(k * size, (k + 1) * size) }, 1, 0, 0), f));
    cells.push(`<figure style="margin:2px;text-align:center"><img src="data:image/png;base64,${one.base64()}" width="${one.width}" height="${one.height}" style="image-rendering:pixelated"/>`
      + `<figcaption style="font-family:monospace;font-size:12px">${escapeHtml(String(labels[k]))}</figcaption></figure>`);
  }
  const cols = Math.min(nrow, b.n);
  const html = `<div class="torchlab-images" style="display:grid;grid-template-columns:repeat(${cols}, max-content);gap:4px">${cells.join('')}</div>`;
  return new Image(whole, html);
}
