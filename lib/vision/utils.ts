/**
 * `torchvision.utils`: `make_grid` (a batch of images as one image tensor) and `save_image` (as
 * a PNG file).
 */

import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ValueError } from '../errors.js';
import * as dt from '../dtype.js';
import { Tensor } from '../tensor.js';
import { cat, stack } from '../ops/cat.js';
import { no_grad } from '../autograd/grad_mode.js';
import { pyArgs } from '../nn/_args.js';
import { encodePng } from '../display/png.js';

/** Options of `make_grid` (torchvision's keyword arguments). */
export interface MakeGridOptions {
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels between the images and around the grid (default 2). */
  padding?: number;
  /** Shift the values to [0, 1] by `value_range` or by the min and max of the values (default false). */
  normalize?: boolean;
  /** `[min, max]` used by `normalize`; values are clamped to it first. */
  value_range?: readonly [number, number] | null;
  /** Normalise each image by its own min and max (default false). */
  scale_each?: boolean;
  /** Value of the padding pixels (default 0). */
  pad_value?: number;
}

/** Python's `type(x)` as printed: `<class 'int'>`. */
function pyType(x: unknown): string {
  if (x === null || x === undefined) return "<class 'NoneType'>";
  if (typeof x === 'number') return Number.isInteger(x) ? "<class 'int'>" : "<class 'float'>";
  if (typeof x === 'string') return "<class 'str'>";
  if (typeof x === 'boolean') return "<class 'bool'>";
  if (Array.isArray(x)) return "<class 'list'>";
  return `<class '${(x as { constructor?: { name?: string } }).constructor?.name ?? 'object'}'>`;
}

/** make_grid's `norm_ip`: clamp to [low, high], then map that range to [0, 1], in place. */
function normIp(img: Tensor, low: number, high: number): void {
  img.clamp_(low, high);
  img.sub_(low).div_(Math.max(high - low, 1e-5));
}

function normRange(t: Tensor, range: readonly [number, number] | null): void {
  if (range !== null) normIp(t, range[0], range[1]);
  else normIp(t, t.min().item(), t.max().item());
}

/**
 * `torchvision.utils.make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None,
 * scale_each=False, pad_value=0)`: a batch (B, C, H, W), or a list of (C, H, W) images, laid out
 * `nrow` to a row with `padding` pixels between, as one (C, H', W') tensor. One-channel images
 * become three-channel (RGB), and a single image is returned alone (without padding).
 * @example
 * const grid = utils.make_grid(images.get(':16'), {nrow: 4, normalize: true}); // images: [N, 1, 28, 28]
 * grid.shape // [3, 122, 122]
 */
export function make_grid(
  tensor: Tensor | readonly Tensor[],
  nrow?: number | MakeGridOptions,
  padding?: number | MakeGridOptions,
  normalize?: boolean | MakeGridOptions,
  value_range?: readonly [number, number] | null | MakeGridOptions,
  scale_each?: boolean | MakeGridOptions,
  pad_value?: number | MakeGridOptions,
): Tensor {
  const o = pyArgs<MakeGridOptions>(
    ['nrow', 'padding', 'normalize', 'value_range', 'scale_each', 'pad_value'],
    [nrow, padding, normalize, value_range, scale_each, pad_value],
  );
  const rows = o.nrow ?? 8;
  const pad = o.padding ?? 2;
  const range = o.value_range ?? null;
  return no_grad(() => {
    let t: Tensor;
    if (Array.isArray(tensor)) {
      for (const x of tensor as readonly unknown[]) {
        if (!(x instanceof Tensor)) throw new TypeError(`tensor or list of tensors expected, got a list containing ${pyType(x)}`);
      }
      t = stack(tensor as readonly Tensor[], 0);
    } else if (tensor instanceof Tensor) {
      t = tensor;
    } else {
      throw new TypeError(`tensor or list of tensors expected, got ${pyType(tensor)}`);
    }
    if (t.dim() === 2) t = t.unsqueeze(0);
    if (t.dim() === 3) {
      if (t.size(0) === 1) t = cat([t, t, t], 0);
      t = t.unsqueeze(0);
    }
    if (t.dim() === 4 && t.size(1) === 1) t = cat([t, t, t], 1);
    if (o.normalize === true) {
      t = t.clone();
      if (range !== null && (!Array.isArray(range) || range.length !== 2)) {
        throw new TypeError('value_range has to be a tuple (min, max) if specified. min and max are numbers');
      }
      if (o.scale_each === true) for (let k = 0; k < t.size(0); k++) normRange(t.select(0, k), range);
      else normRange(t, range);
    }
    if (t.size(0) === 1) return t.squeeze(0);
    const nmaps = t.size(0);
    const xmaps = Math.min(rows, nmaps);
    const ymaps = Math.ceil(nmaps / xmaps);
    const height = t.size(2) + pad;
    const width = t.size(3) + pad;
    const grid = t.new_full([t.size(1), height * ymaps + pad, width * xmaps + pad], o.pad_value ?? 0);
    for (let k = 0; k < nmaps; k++) {
      const y = Math.floor(k / xmaps);
      const x = k % xmaps;
      grid.narrow(1, y * height + pad, height - pad).narrow(2, x * width + pad, width - pad).copy_(t.select(0, k));
    }
    return grid;
  });
}

/** Options of `save_image`: make_grid's, and the file format. */
export interface SaveImageOptions extends MakeGridOptions {
  /** The file format; by default the file name's extension says it. Only 'PNG' is written. */
  format?: string | null;
}

/**
 * `torchvision.utils.save_image(tensor, fp, format=None, **kwargs)`: `make_grid(tensor, **kwargs)`
 * written as an 8-bit PNG file (values in [0, 1] scaled to 0-255 and rounded, as torchvision).
 * Differs from torchvision: PNG only (no PIL); `fp` is a file path.
 * @example utils.save_image(fake.get(':64'), 'samples.png', {nrow: 8, normalize: true})
 */
export function save_image(tensor: Tensor | readonly Tensor[], fp: string, format?: string | null | SaveImageOptions, opts: SaveImageOptions = {}): void {
  const o = typeof format === 'object' && format !== null ? { ...format } : { ...opts, format: format ?? opts.format ?? null };
  const fmt = (o.format ?? extname(fp).slice(1)).toUpperCase();
  if (fmt === '') throw new ValueError(`unknown file extension: ${extname(fp)}`);
  if (fmt !== 'PNG') throw new ValueError(`save_image: torchlab writes PNG files only, got format ${fmt} for ${fp}`);
  const grid = make_grid(tensor, o);
  const bytes = no_grad(() => grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(dt.uint8).contiguous());
  const [h, w, c] = [bytes.size(0), bytes.size(1), bytes.size(2)];
  if (c !== 3 && c !== 4) throw new TypeError(`Cannot handle this data type: (1, 1, ${c}), |u1`);
  writeFileSync(fp, encodePng(bytes.numpy() as Uint8Array, w, h, c));
}
