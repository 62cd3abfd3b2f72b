/**
 * `torchvision.datasets.MNIST` and `FashionMNIST`: the IDX gzip files read from
 * `root/<Name>/raw/`, decompressed with zlib and wrapped without copying (one uint8 tensor for
 * all images), so loading the 60,000 training images takes a fraction of a second. With
 * `download: true` missing files are fetched from torchvision's mirrors and checked against
 * torchvision's md5 sums first.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RuntimeError } from '../../errors.js';
import { DownloadError, check_md5, download_url } from './utils.js';
import * as dt from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { from_numpy } from '../../ops/creation.js';
import { Dataset } from '../../utils/data/dataset.js';

export interface MNISTOptions<T, U> {
  /** The 60,000 training images (default) or the 10,000 test images. */
  train?: boolean;
  /** Applied to each image, a uint8 tensor (28, 28); e.g. `new transforms.ToTensor()`. */
  transform?: ((img: Tensor) => T) | null;
  /** Applied to each label (a number). */
  target_transform?: ((target: number) => U) | null;
  /**
   * Fetch the files that are missing into `root/<Name>/raw/` (from `MNIST.mirrors`, md5-checked);
   * files already there are kept.
   */
  download?: boolean;
}

const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;

/** Finds `name` (extracted, as torchvision leaves it, or gzipped) in the first folder that has it. */
function locate(folders: readonly string[], name: string): string | null {
  for (const dir of folders) {
    for (const file of [name, `${name}.gz`]) {
      const p = join(dir, file);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

/** The bytes of an IDX file, checked: magic number, dimensions and length. */
function readIdx(path: string, magic: number): { data: Uint8Array; dims: number[] } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
    if (path.endsWith('.gz')) buf = gunzipSync(buf);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new RuntimeError(`${path}: cannot be read as ${path.endsWith('.gz') ? 'a gzip file' : 'an IDX file'} (${why}); the file is corrupt or truncated, replace it`);
  }
  const ndim = magic === IMAGES_MAGIC ? 3 : 1;
  const header = 4 + 4 * ndim;
  const found = buf.length >= 4 ? buf.readUInt32BE(0) : null;
  if (found !== null && found !== magic) {
    throw new RuntimeError(`${path}: not an IDX ${magic === IMAGES_MAGIC ? 'image' : 'label'} file (magic number ${found}, expected ${magic})`);
  }
  if (buf.length < header) throw new RuntimeError(`${path}: truncated IDX file (${buf.length} bytes, shorter than its ${header}-byte header)`);
  const dims = Array.from({ length: ndim }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== header + size) {
    throw new RuntimeError(`${path}: truncated or corrupt IDX file (${buf.length - header} data bytes, expected ${size} for shape [${dims.join(', ')}])`);
  }
  return { data: new Uint8Array(buf.buffer, buf.byteOffset + header, size), dims };
}

/**
 * `datasets.MNIST(root, train=True, transform=None, target_transform=None, download=False)`:
 * handwritten digits, 28x28 grayscale, labels 0-9. Sample i is `[transform(image), label]`.
 * Files are looked for in `root/MNIST/raw/` (torchvision's layout; extracted or `.gz`), then in
 * `root/mnist/` (a plain folder of the four `.gz` files).
 * `download: true` fetches the four files from `MNIST.mirrors` (tried in order; assign the static
 * to use others) unless they are already there, verifying each one's md5 before keeping it.
 * Differs from torchvision: without a transform an image is a uint8 tensor (28, 28), not a PIL
 * image; downloaded files stay gzipped (torchlab reads .gz directly).
 * @example
 * const train = new datasets.MNIST('data', {train: true, transform: new transforms.ToTensor()});
 * const [img, label] = train.__getitem__(0); // img: [1, 28, 28] float32, label: 5
 */
export class MNIST<T = Tensor, U = number> extends Dataset<[T, U]> {
  /** The image and label file names of the training and test sets. */
  static readonly files = {
    train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
    test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
  } as const;
  /** Where `download` looks for the files, in order: each mirror's URL + a file name (torchvision's). */
  static mirrors: string[] = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'];
  /** The files to download and their md5 sums (torchvision's). */
  static resources: readonly (readonly [string, string])[] = [
    ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
    ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
    ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
    ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
  ];
  /** The folder name of the plain layout (`root/<folder>/*.gz`). */
  static readonly folder: string = 'mnist';
  static readonly classes: readonly string[] = [
    '0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine',
  ];

  readonly root: string;
  readonly train: boolean;
  readonly transform: ((img: Tensor) => T) | null;
  readonly target_transform: ((target: number) => U) | null;
  /** All images, uint8 (N, 28, 28), sharing memory with the decompressed file. */
  readonly data: Tensor;
  /** All labels, int64 (N). */
  readonly targets: Tensor;
  private readonly labels: Uint8Array;

  constructor(root: string, opts: MNISTOptions<T, U> | boolean = {}) {
    super();
    const o = typeof opts === 'boolean' ? { train: opts } : opts;
    this.root = root;
    this.train = o.train ?? true;
    this.transform = o.transform ?? null;
    this.target_transform = o.target_transform ?? null;
    const ctor = this.constructor as typeof MNIST;
    if (o.download) this.download();
    const [imgName, lblName] = this.train ? ctor.files.train : ctor.files.test;
    const folders = [this.raw_folder, join(root, ctor.folder)];
    const imgPath = locate(folders, imgName);
    const lblPath = locate(folders, lblName);
    if (!imgPath || !lblPath) {
      const missing = [imgPath ? null : imgName, lblPath ? null : lblName].filter((n) => n !== null).map((n) => `${n}.gz`);
      const all = [...ctor.files.train, ...ctor.files.test].map((n) => `${n}.gz`).join(', ');
      throw new RuntimeError(
        `Dataset not found: ${missing.join(' and ')} missing. Put the ${this._name()} files (${all}) in ${this.raw_folder}.`,
      );
    }
    const images = readIdx(imgPath, IMAGES_MAGIC);
    const labels = readIdx(lblPath, LABELS_MAGIC);
    if (images.dims[0] !== labels.dims[0]) {
      throw new RuntimeError(`${imgPath} holds ${images.dims[0]} images but ${lblPath} holds ${labels.dims[0]} labels`);
    }
    this.data = from_numpy(images.data, images.dims);
    this.labels = labels.data;
    this.targets = from_numpy(labels.data).to(dt.int64);
  }

  /**
   * `download()`: fetches each file of `resources` that is not already in place into
   * `raw_folder`, trying the mirrors in order; a gzipped file already there is kept when its md5
   * is right and fetched again when not. Without a network the error lists the files and the
   * folder to put them in.
   * @example new datasets.MNIST('data', {train: true, download: true}) // calls download()
   */
  download(): void {
    const ctor = this.constructor as typeof MNIST;
    const raw = this.raw_folder;
    const folders = [raw, join(this.root, ctor.folder)];
    for (const [filename, md5] of ctor.resources) {
      const gz = join(raw, filename);
      const found = locate(folders, filename.replace(/\.gz$/, ''));
      // extracted, or in the plain layout: torchlab reads it as it is
      if (found !== null && found !== gz) continue;
      if (found === gz) {
        if (check_md5(gz, md5)) continue;
        console.log(`${gz} is corrupt (md5 mismatch); downloading it again`);
      }
      const tried: string[] = [];
      for (const mirror of ctor.mirrors) {
        const url = `${mirror}${filename}`;
        try {
          download_url(url, raw, filename, md5);
          break;
        } catch (e) {
          if (!(e instanceof DownloadError)) throw e;
          tried.push(`  ${url}: ${e.message}`);
          console.log(`Failed to download (trying next):\n${e.message}\n`);
        }
      }
      if (tried.length === ctor.mirrors.length) {
        const all = ctor.resources.map(([f]) => f).join(', ');
        throw new RuntimeError(
          `Error downloading ${filename}:\n${tried.join('\n')}\n` +
            `Without a network, download the ${this._name()} files (${all}) by hand and put them in ${raw}`,
        );
      }
    }
  }

  private _name(): string {
    return this.constructor.name;
  }

  /**
   * `root/<ClassName>/raw`, where torchvision keeps the files.
   * @example new datasets.MNIST('data').raw_folder // 'data/MNIST/raw'
   */
  get raw_folder(): string {
    return join(this.root, this._name(), 'raw');
  }

  /** `ds.classes`: the class names, index = label. @example new datasets.MNIST('data').classes[3] // '3 - three' */
  get classes(): readonly string[] {
    return (this.constructor as typeof MNIST).classes;
  }

  /** `ds.class_to_idx`: class name to label. @example new datasets.FashionMNIST('data').class_to_idx['Sneaker'] // 7 */
  get class_to_idx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  __getitem__(index: number): [T, U] {
    const n = this.labels.length;
    const i = index < 0 ? index + n : index;
    const img = this.data.select(0, i);
    const target = this.labels[i]!;
    return [
      this.transform ? this.transform(img) : (img as unknown as T),
      this.target_transform ? this.target_transform(target) : (target as unknown as U),
    ];
  }

  __len__(): number {
    return this.labels.length;
  }

  /** torchvision's dataset repr. @example console.log(String(train)) // Dataset MNIST\n    Number of datapoints: 60000 ... */
  override toString(): string {
    const body = [`Number of datapoints: ${this.__len__()}`, `Root location: ${this.root}`, `Split: ${this.train ? 'Train' : 'Test'}`];
    if (this.transform || this.target_transform) {
      const fmt = (t: unknown, head: string) => {
        const lines = String(t).split('\n');
        return [`${head}${lines[0]}`, ...lines.slice(1).map((l) => ' '.repeat(head.length) + l)];
      };
      body.push('StandardTransform');
      if (this.transform) body.push(...fmt(this.transform, 'Transform: '));
      if (this.target_transform) body.push(...fmt(this.target_transform, 'Target transform: '));
    }
    return [`Dataset ${this._name()}`, ...body.map((l) => `    ${l}`)].join('\n');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * `datasets.FashionMNIST(root, ...)`: Zalando's clothing images, the same format and API as
 * MNIST; files in `root/FashionMNIST/raw/` or `root/fashion-mnist/`.
 * @example const test = new datasets.FashionMNIST('data', {train: false, transform: new transforms.ToTensor()})
 */
export class FashionMNIST<T = Tensor, U = number> extends MNIST<T, U> {
  static override mirrors: string[] = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'];
  static override resources: readonly (readonly [string, string])[] = [
    ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'],
    ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'],
    ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'],
    ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'],
  ];
  static override readonly folder: string = 'fashion-mnist';
  static override readonly classes: readonly string[] = [
    'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
  ];
}
