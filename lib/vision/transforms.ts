/**
 * `torchvision.transforms`: ToTensor, Normalize, Compose, Lambda, and the geometric transforms
 * RandomHorizontalFlip, RandomVerticalFlip, RandomCrop, CenterCrop and Pad. Transforms are
 * callable objects, as in torchvision (`t(img)`).
 * Differs from torchvision: there is no PIL; an image is a uint8 tensor (H, W) or (H, W, C), as
 * datasets.MNIST returns it without a transform (ToTensor also takes such a numpy-like tensor).
 * The geometric transforms take tensors as torchvision's tensor path does, (..., H, W): CHW
 * images after ToTensor, batches, and MNIST's (H, W) images before it (an (H, W, C) image must go
 * through ToTensor first). Random draws come from torch's global generator in torchvision's
 * order, so after the same `torch.manual_seed` the flips and crops are torchvision's.
 */

import { IndexError, ValueError } from '../errors.js';
import * as dt from '../dtype.js';
import { Tensor } from '../tensor.js';
import { tensor as makeTensor } from '../ops/creation.js';
import { rand, randint } from '../ops/random.js';
import { pad as torchPad } from '../nn/functional/conv.js';
import { pyArgs } from '../nn/_args.js';
import { floatRepr } from '../display/pyformat.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

// A transform is called like a function: declaration merging adds the call signature.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Transform<I = Tensor, O = Tensor> {
  (input: I): O;
}

/**
 * Base of the transforms: the constructor returns a function object with the subclass's
 * prototype, so `new transforms.ToTensor()(img)` calls `__call__`.
 * @example class AddNoise extends transforms.Transform { __call__(x: Tensor) { return x.add(torch.randn_like(x).mul(0.1)); } }
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class Transform<I = Tensor, O = Tensor> {
  constructor() {
    const f = (input: I): O => self.__call__(input);
    Reflect.deleteProperty(f, 'name');
    Reflect.deleteProperty(f, 'length');
    Object.setPrototypeOf(f, new.target.prototype);
    const self = f as unknown as Transform<I, O>;
    return self;
  }

  /** Applies the transform. */
  abstract __call__(input: I): O;

  /**
   * torchvision's repr, `Name()` unless a transform has arguments to show.
   * @example String(new transforms.ToTensor()) // 'ToTensor()'
   */
  toString(): string {
    return `${this.constructor.name}()`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/**
 * `transforms.ToTensor()`: a uint8 image (H, W) or (H, W, C) to a float32 tensor (C, H, W) in
 * [0, 1]; other dtypes are only rearranged, as torchvision does for non-byte arrays.
 * @example new transforms.ToTensor()(mnist.data.select(0, 0)).shape // [1, 28, 28]
 */
export class ToTensor extends Transform<Tensor, Tensor> {
  __call__(pic: Tensor): Tensor {
    if (!(pic instanceof Tensor)) throw new TypeError(`pic should be PIL Image or ndarray. Got ${typeof pic}`);
    if (pic.dim() !== 2 && pic.dim() !== 3) throw new ValueError(`pic should be 2/3 dimensional. Got ${pic.dim()} dimensions.`);
    const chw = pic.dim() === 2 ? pic.unsqueeze(0) : pic.permute(2, 0, 1);
    if (pic.dtype === dt.uint8) return chw.div(255);
    return chw.contiguous();
  }
}

type Stats = number | readonly number[];

function pyList(v: Stats): string {
  const f = (x: number) => (Number.isSafeInteger(x) ? String(x) : floatRepr(x));
  return typeof v === 'number' ? f(v) : `[${v.map(f).join(', ')}]`;
}

/**
 * `transforms.Normalize(mean, std, inplace=False)`: (x - mean[c]) / std[c] per channel of a float
 * (..., C, H, W) tensor.
 * @example new transforms.Normalize([0.1307], [0.3081])
 */
export class Normalize extends Transform<Tensor, Tensor> {
  declare mean: Stats;
  declare std: Stats;
  declare inplace: boolean;
  declare private cache: Map<string, [Tensor, Tensor]>;

  constructor(mean: Stats, std: Stats, inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.mean = typeof mean === 'number' ? mean : [...mean];
    this.std = typeof std === 'number' ? std : [...std];
    this.inplace = typeof inplace === 'boolean' ? inplace : (inplace.inplace ?? false);
    this.cache = new Map();
  }

  private stats(x: Tensor): [Tensor, Tensor] {
    const key = `${x.dtype.name}/${x.device}`;
    let s = this.cache.get(key);
    if (!s) {
      const opts = { dtype: x.dtype, device: x.device };
      const asT = (v: Stats) => {
        const t = makeTensor(typeof v === 'number' ? v : [...v], opts);
        return t.dim() === 1 ? t.view(-1, 1, 1) : t;
      };
      const std = asT(this.std);
      if (std.eq(0).any().item()) {
        throw new ValueError(`std evaluated to zero after conversion to ${x.dtype}, leading to division by zero.`);
      }
      s = [asT(this.mean), std];
      this.cache.set(key, s);
    }
    return s;
  }

  __call__(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TypeError(`Input tensor should be a torch tensor. Got ${typeof x}.`);
    if (!x.is_floating_point()) throw new TypeError(`Input tensor should be a float tensor. Got ${x.dtype}.`);
    if (x.dim() < 3) {
      throw new ValueError(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = ${x.shape}`);
    }
    const [mean, std] = this.stats(x);
    return this.inplace ? x.sub_(mean).div_(std) : x.sub(mean).div_(std);
  }

  override toString(): string {
    return `Normalize(mean=${pyList(this.mean)}, std=${pyList(this.std)})`;
  }
}

/**
 * `transforms.Compose(transforms)`: applies the transforms in order.
 * @example new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.5], [0.5])])
 */
export class Compose<I = Tensor, O = Tensor> extends Transform<I, O> {
  declare transforms: ((x: never) => unknown)[];

  constructor(transforms: readonly ((x: never) => unknown)[]) {
    super();
    this.transforms = [...transforms];
  }

  __call__(input: I): O {
    let x: unknown = input;
    for (const t of this.transforms) x = (t as (x: unknown) => unknown)(x);
    return x as O;
  }

  override toString(): string {
    let s = `${this.constructor.name}(`;
    for (const t of this.transforms) s += `\n    ${t instanceof Transform ? t.toString() : 'Lambda()'}`;
    return `${s}\n)`;
  }
}

/**
 * `transforms.Lambda(lambd)`: a function as a transform.
 * @example new transforms.Lambda((x: Tensor) => x.view(-1))
 */
export class Lambda<I = Tensor, O = Tensor> extends Transform<I, O> {
  declare lambd: (input: I) => O;

  constructor(lambd: (input: I) => O) {
    super();
    if (typeof lambd !== 'function') throw new TypeError(`Argument lambd should be callable, got '${typeof lambd}'`);
    this.lambd = lambd;
  }

  __call__(input: I): O {
    return this.lambd(input);
  }
}

// ---- geometric transforms (torchvision's tensor functional: hflip, vflip, pad, crop, center_crop) ----

/** Python's repr of a number: `0.5`, `1`, `1e-05`. */
function numRepr(x: number): string {
  return Number.isSafeInteger(x) ? String(x) : floatRepr(x);
}

/** Python's repr of an int, a list of ints, or None. */
function argRepr(v: number | readonly number[] | null): string {
  if (v === null) return 'None';
  return typeof v === 'number' ? numRepr(v) : `[${v.map(numRepr).join(', ')}]`;
}

/** torchvision's `get_dimensions` of a tensor image (..., H, W): [channels, height, width]. */
function imageDims(img: Tensor): [number, number, number] {
  if (!(img instanceof Tensor)) throw new TypeError(`img should be a Tensor (torchlab's images are tensors). Got ${typeof img}`);
  if (img.dim() < 2) throw new TypeError('Tensor is not a torch image.');
  const s = img.shape;
  return [img.dim() === 2 ? 1 : s[s.length - 3]!, s[s.length - 2]!, s[s.length - 1]!];
}

/** `_setup_size`: an int, a 1-list or an (h, w) pair as [h, w]. */
function setupSize(size: number | readonly number[], msg: string): [number, number] {
  if (typeof size === 'number') return [Math.trunc(size), Math.trunc(size)];
  if (size.length === 1) return [size[0]!, size[0]!];
  if (size.length !== 2) throw new ValueError(msg);
  return [size[0]!, size[1]!];
}

export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';
const PADDING_MODES: readonly string[] = ['constant', 'edge', 'reflect', 'symmetric'];

function checkPadArgs(padding: number | readonly number[], fill: unknown, mode: string): void {
  if (typeof padding !== 'number' && !Array.isArray(padding)) throw new TypeError('Got inappropriate padding arg');
  if (typeof fill !== 'number') throw new TypeError('Got inappropriate fill arg');
  if (typeof padding !== 'number' && ![1, 2, 4].includes(padding.length)) {
    throw new ValueError(`Padding must be an int or a 1, 2, or 4 element tuple, not a ${padding.length} element tuple`);
  }
  if (!PADDING_MODES.includes(mode)) throw new ValueError('Padding mode should be either constant, edge, reflect or symmetric');
}

/** torchvision's padding forms as [left, right, top, bottom]. */
function parsePadding(p: number | readonly number[]): [number, number, number, number] {
  if (typeof p === 'number') return [p, p, p, p];
  if (p.length === 1) return [p[0]!, p[0]!, p[0]!, p[0]!];
  if (p.length === 2) return [p[0]!, p[0]!, p[1]!, p[1]!];
  return [p[0]!, p[2]!, p[1]!, p[3]!];
}

/** The source index of each output position along a dim padded symmetrically (edge repeated). */
function symmetricIndices(n: number, before: number, after: number): number[] {
  const idx: number[] = [];
  for (let i = before - 1; i >= 0; i--) idx.push(i);
  for (let i = 0; i < n; i++) idx.push(i);
  for (let i = 0; i < after; i++) idx.push(n - 1 - i);
  const bad = idx.find((i) => i < 0 || i >= n);
  if (bad !== undefined) throw new IndexError(`index ${bad} is out of bounds for dimension with size ${n}`);
  return idx;
}

/** Crops the negative amounts of [left, right, top, bottom] off the last two dims. */
function cropNegative(x: Tensor, [l, r, t, b]: readonly number[]): Tensor {
  const hd = x.dim() - 2;
  const wd = x.dim() - 1;
  if (t! < 0 || b! < 0) x = x.narrow(hd, -Math.min(t!, 0), x.shape[hd]! + Math.min(t!, 0) + Math.min(b!, 0));
  if (l! < 0 || r! < 0) x = x.narrow(wd, -Math.min(l!, 0), x.shape[wd]! + Math.min(l!, 0) + Math.min(r!, 0));
  return x;
}

/** torchvision's `_pad_symmetric`: negative amounts crop first, then edges are mirrored. */
function padSymmetric(img: Tensor, [l, r, t, b]: [number, number, number, number]): Tensor {
  const hd = img.dim() - 2;
  const wd = img.dim() - 1;
  let x = cropNegative(img, [l, r, t, b]);
  const index = (n: number, before: number, after: number) =>
    makeTensor(symmetricIndices(n, Math.max(before, 0), Math.max(after, 0)), { dtype: dt.int64, device: x.device });
  x = x.index_select(hd, index(x.shape[hd]!, t, b));
  return x.index_select(wd, index(x.shape[wd]!, l, r));
}

/** torchvision's tensor `F.pad(img, padding, fill, padding_mode)`. */
function padImage(img: Tensor, padding: number | readonly number[], fill: number, mode: PaddingMode): Tensor {
  imageDims(img);
  checkPadArgs(padding, fill, mode);
  const p = parsePadding(padding);
  if (mode === 'symmetric') return padSymmetric(img, p);
  let x = img.dim() < 4 ? img.unsqueeze(0) : img;
  let out: Tensor;
  if (mode === 'constant') out = torchPad(x, p, 'constant', fill);
  else {
    // negative amounts crop (as torch's reflect/replicate padding does); cropping first and
    // padding the rest gives the same pixels, since a crop never moves the opposite edge
    x = cropNegative(x, p);
    out = torchPad(x, p.map((v) => Math.max(v, 0)), mode === 'edge' ? 'replicate' : 'reflect');
  }
  return img.dim() < 4 ? out.squeeze(0) : out;
}

/** torchvision's tensor `F.crop(img, top, left, height, width)`: zero padding where the box leaves the image. */
function cropImage(img: Tensor, top: number, left: number, height: number, width: number): Tensor {
  const [, h, w] = imageDims(img);
  const right = left + width;
  const bottom = top + height;
  const hd = img.dim() - 2;
  const slice = (x: Tensor, d: number, start: number, stop: number, n: number): Tensor => {
    const a = Math.min(Math.max(start, 0), n);
    const b = Math.min(Math.max(stop, a), n);
    return x.narrow(d, a, b - a);
  };
  if (left < 0 || top < 0 || right > w || bottom > h) {
    const ltrb = [Math.max(-left + Math.min(0, right), 0), Math.max(-top + Math.min(0, bottom), 0), Math.max(right - Math.max(w, left), 0), Math.max(bottom - Math.max(h, top), 0)];
    const inner = slice(slice(img, hd, Math.max(top, 0), bottom, h), hd + 1, Math.max(left, 0), right, w);
    return padImage(inner, ltrb, 0, 'constant');
  }
  return img.narrow(hd, top, height).narrow(hd + 1, left, width);
}

/** Python's round(): halves to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** torchvision's `F.center_crop(img, output_size)`: zero padding first when the image is smaller. */
function centerCropImage(img: Tensor, [ch, cw]: [number, number]): Tensor {
  let [, h, w] = imageDims(img);
  if (cw > w || ch > h) {
    const ltrb = [cw > w ? (cw - w) >> 1 : 0, ch > h ? (ch - h) >> 1 : 0, cw > w ? (cw - w + 1) >> 1 : 0, ch > h ? (ch - h + 1) >> 1 : 0];
    img = padImage(img, ltrb, 0, 'constant');
    [, h, w] = imageDims(img);
    if (cw === w && ch === h) return img;
  }
  return cropImage(img, roundHalfEven((h - ch) / 2), roundHalfEven((w - cw) / 2), ch, cw);
}

/** torchvision's coin: `torch.rand(1) < p`, drawn from the global generator. */
function coin(p: number): boolean {
  return rand([1]).lt(p).item() === 1;
}

/**
 * `transforms.RandomHorizontalFlip(p=0.5)`: mirrors the image left-right with probability p
 * (one `torch.rand(1)` draw a call, as torchvision).
 * @example new transforms.RandomHorizontalFlip()(img) // img: (C, H, W) or (H, W)
 */
export class RandomHorizontalFlip extends Transform<Tensor, Tensor> {
  declare p: number;
  constructor(p: number | { p?: number } = 0.5) {
    super();
    this.p = pyArgs<{ p: number }>(['p'], [p]).p ?? 0.5;
  }
  __call__(img: Tensor): Tensor {
    imageDims(img);
    return coin(this.p) ? img.flip(-1) : img;
  }
  override toString(): string {
    return `${this.constructor.name}(p=${numRepr(this.p)})`;
  }
}

/**
 * `transforms.RandomVerticalFlip(p=0.5)`: mirrors the image top-bottom with probability p.
 * @example new transforms.RandomVerticalFlip(0.3)(img)
 */
export class RandomVerticalFlip extends Transform<Tensor, Tensor> {
  declare p: number;
  constructor(p: number | { p?: number } = 0.5) {
    super();
    this.p = pyArgs<{ p: number }>(['p'], [p]).p ?? 0.5;
  }
  __call__(img: Tensor): Tensor {
    imageDims(img);
    return coin(this.p) ? img.flip(-2) : img;
  }
  override toString(): string {
    return `${this.constructor.name}(p=${numRepr(this.p)})`;
  }
}

/** Options of `Pad` (torchvision's keyword arguments). */
export interface PadOptions {
  /** Value of the new pixels in 'constant' mode (default 0). */
  fill?: number;
  /** 'constant' (default), 'edge' (repeat the border pixel), 'reflect' (mirror without repeating the border) or 'symmetric' (mirror repeating it). */
  padding_mode?: PaddingMode;
}

/**
 * `transforms.Pad(padding, fill=0, padding_mode='constant')`: pads every side by `padding`, or
 * [left/right, top/bottom], or [left, top, right, bottom].
 * Differs from torchvision: `fill` is a number (torchvision's tensor path takes no per-channel
 * tuple either); 'symmetric' also pads (H, W) images, as torchvision does on PIL images.
 * @example new transforms.Pad(4, {padding_mode: 'reflect'})(img).shape // [1, 36, 36] for [1, 28, 28]
 */
export class Pad extends Transform<Tensor, Tensor> {
  declare padding: number | readonly number[];
  declare fill: number;
  declare padding_mode: PaddingMode;
  constructor(padding: number | readonly number[], fill?: number | PadOptions, padding_mode?: PaddingMode | PadOptions) {
    super();
    const o = pyArgs<PadOptions>(['fill', 'padding_mode'], [fill, padding_mode]);
    this.padding = typeof padding === 'number' ? padding : [...padding];
    this.fill = o.fill ?? 0;
    this.padding_mode = o.padding_mode ?? 'constant';
    checkPadArgs(this.padding, this.fill, this.padding_mode);
  }
  __call__(img: Tensor): Tensor {
    return padImage(img, this.padding, this.fill, this.padding_mode);
  }
  override toString(): string {
    return `${this.constructor.name}(padding=${argRepr(this.padding)}, fill=${numRepr(this.fill)}, padding_mode=${this.padding_mode})`;
  }
}

/** Options of `RandomCrop` (torchvision's keyword arguments). */
export interface RandomCropOptions extends PadOptions {
  /** Padding applied before cropping, as `Pad` takes it (default none). */
  padding?: number | readonly number[] | null;
  /** Pad the image when it is smaller than the crop (default false). */
  pad_if_needed?: boolean;
}

/**
 * `transforms.RandomCrop(size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant')`:
 * a crop of `size` (an int for a square, or [h, w]) at a random place, after optional padding;
 * the offsets are two `torch.randint` draws, as torchvision takes them.
 * @example new transforms.RandomCrop(28, {padding: 4})(img) // or RandomCrop(28, 4), as in the CIFAR/MNIST tutorials
 */
export class RandomCrop extends Transform<Tensor, Tensor> {
  declare size: [number, number];
  declare padding: number | readonly number[] | null;
  declare pad_if_needed: boolean;
  declare fill: number;
  declare padding_mode: PaddingMode;

  constructor(
    size: number | readonly number[],
    padding?: number | readonly number[] | null | RandomCropOptions,
    pad_if_needed?: boolean | RandomCropOptions,
    fill?: number | RandomCropOptions,
    padding_mode?: PaddingMode | RandomCropOptions,
  ) {
    super();
    const opts = pyArgs<RandomCropOptions>(['padding', 'pad_if_needed', 'fill', 'padding_mode'], [padding, pad_if_needed, fill, padding_mode]);
    this.size = setupSize(size, 'Please provide only two dimensions (h, w) for size.');
    this.padding = opts.padding === undefined || opts.padding === null ? null : typeof opts.padding === 'number' ? opts.padding : [...opts.padding];
    this.pad_if_needed = opts.pad_if_needed ?? false;
    this.fill = opts.fill ?? 0;
    this.padding_mode = opts.padding_mode ?? 'constant';
  }

  /**
   * `RandomCrop.get_params(img, output_size)`: a random crop box [top, left, height, width].
   * @example const [top, left, h, w] = transforms.RandomCrop.get_params(img, [24, 24])
   */
  static get_params(img: Tensor, output_size: readonly [number, number] | readonly number[]): [number, number, number, number] {
    const [, h, w] = imageDims(img);
    const th = output_size[0]!;
    const tw = output_size[1]!;
    if (h < th || w < tw) throw new ValueError(`Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    if (w === tw && h === th) return [0, 0, h, w];
    const i = randint(0, h - th + 1, [1]).item();
    const j = randint(0, w - tw + 1, [1]).item();
    return [i, j, th, tw];
  }

  __call__(img: Tensor): Tensor {
    if (this.padding !== null) img = padImage(img, this.padding, this.fill, this.padding_mode);
    const [, height, width] = imageDims(img);
    // as torchvision: the width and height shortfalls are padded on both sides
    if (this.pad_if_needed && width < this.size[1]) img = padImage(img, [this.size[1] - width, 0], this.fill, this.padding_mode);
    if (this.pad_if_needed && height < this.size[0]) img = padImage(img, [0, this.size[0] - height], this.fill, this.padding_mode);
    const [i, j, h, w] = RandomCrop.get_params(img, this.size);
    return cropImage(img, i, j, h, w);
  }

  override toString(): string {
    return `${this.constructor.name}(size=(${this.size.join(', ')}), padding=${argRepr(this.padding)})`;
  }
}

/**
 * `transforms.CenterCrop(size)`: the central crop of `size` (an int for a square, or [h, w]); an
 * image smaller than that is padded with zeros first.
 * @example new transforms.CenterCrop(24)(img).shape // [1, 24, 24] for [1, 28, 28]
 */
export class CenterCrop extends Transform<Tensor, Tensor> {
  declare size: [number, number];
  declare private sizeRepr: string;
  constructor(size: number | readonly number[]) {
    super();
    this.size = setupSize(size, 'Please provide only two dimensions (h, w) for size.');
    // torchvision keeps a given [h, w] list as it is, and makes a tuple of an int
    this.sizeRepr = typeof size !== 'number' && size.length === 2 ? `[${this.size.join(', ')}]` : `(${this.size.join(', ')})`;
  }
  __call__(img: Tensor): Tensor {
    return centerCropImage(img, this.size);
  }
  override toString(): string {
    return `${this.constructor.name}(size=${this.sizeRepr})`;
  }
}
