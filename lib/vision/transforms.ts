/**
 * `torchvision.transforms`: ToTensor, Normalize, Compose, Lambda. Transforms are callable
 * objects, as in torchvision (`t(img)`).
 * Differs from torchvision: there is no PIL; an image is a uint8 tensor (H, W) or (H, W, C), as
 * datasets.MNIST returns it without a transform (ToTensor also takes such a numpy-like tensor).
 */

import { ValueError } from '../errors.js';
import * as dt from '../dtype.js';
import { Tensor } from '../tensor.js';
import { tensor as makeTensor } from '../ops/creation.js';
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

  /** torchvision's repr, `Name()` unless a transform has arguments to show. */
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
