/**
 * torchlab/vision against torchvision 0.14 (test/golden/vision.json, made by
 * test/golden/make_vision.py): the random transforms draw from torch's global generator as
 * torchvision does, so seeded results are torchvision's; Pad, CenterCrop and make_grid are
 * compared value for value; save_image's PNG holds make_grid's bytes. MNIST's download is tested
 * against a local HTTP server (on its own thread: the download blocks this one) that serves the
 * real files of ../shared/data, whole, truncated or not at all; the real network is never used.
 */

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import torch, { type Tensor } from '../lib/index.js';
import { datasets, transforms as T, utils } from '../lib/vision/index.js';
import { expectClose, loadGolden } from './helpers/golden.js';
import { expectPyError, type Nested, type PyError } from './nn/helpers.js';
import { decodePng } from './display/pngdecode.js';

type Kind = 'chw' | 'hw';
interface CropKw { size: number | number[]; padding?: number | number[]; pad_if_needed?: boolean; fill?: number; padding_mode?: 'constant' | 'edge' | 'reflect' | 'symmetric' }
interface G {
  flips: Nested[];
  flips_after: number[];
  crops: { kind: Kind; kw: CropKw; y: Nested; dtype: string }[];
  crops_after: number[];
  pads: { kind: Kind; padding: number | number[]; mode: 'constant' | 'edge' | 'reflect' | 'symmetric'; y: Nested; dtype: string }[];
  centers: { kind: Kind; size: number | number[]; y: Nested }[];
  reprs: Record<string, string>;
  errors: Record<string, PyError>;
  grid_inputs: { batch: Nested; rgb: Nested };
  grids: Record<string, { y: Nested; dtype: string }>;
  grid_errors: Record<string, PyError>;
  save_image: Nested;
}
const g = loadGolden<G>('vision.json');
const tmp = mkdtempSync(join(tmpdir(), 'torchlab-vision-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const chw = (): Tensor => torch.arange(60, { dtype: torch.float32 }).reshape(2, 5, 6);
const hw = (): Tensor => torch.arange(20, { dtype: torch.uint8 }).mul(7).reshape(4, 5);
const image = (kind: Kind): Tensor => (kind === 'chw' ? chw() : hw());

describe('random transforms draw as torchvision', () => {
  it('RandomHorizontalFlip and RandomVerticalFlip: torch.rand(1) < p, from the global generator', () => {
    torch.manual_seed(0);
    const ts = [new T.RandomHorizontalFlip(), new T.RandomHorizontalFlip(), new T.RandomHorizontalFlip(), new T.RandomHorizontalFlip(),
      new T.RandomVerticalFlip(0.3), new T.RandomVerticalFlip({ p: 0.3 }), new T.RandomVerticalFlip(0.3)];
    expect(ts.map((t) => t(chw()).tolist())).toEqual(g.flips);
    expect(torch.rand(2).tolist()).toEqual(g.flips_after.map(Math.fround));
    // both outcomes occur in the golden sequence, so the test notices a flip that never happens
    expect(new Set(g.flips.slice(0, 4).map((f) => JSON.stringify(f))).size).toBe(2);
  });

  it('RandomCrop: padding, pad_if_needed, fill and every padding_mode; offsets from torch.randint', () => {
    torch.manual_seed(1);
    for (const c of g.crops) {
      const { size, ...opts } = c.kw;
      const y = new T.RandomCrop(size, opts)(image(c.kind));
      expect(y.dtype.name, JSON.stringify(c.kw)).toBe(c.dtype);
      expect(y.tolist(), JSON.stringify(c.kw)).toEqual(c.y);
    }
    expect(torch.rand(2).tolist()).toEqual(g.crops_after.map(Math.fround));
  });

  it('RandomCrop takes padding positionally too, and get_params gives the box', () => {
    torch.manual_seed(4);
    const a = new T.RandomCrop(28, 4)(torch.zeros([1, 28, 28]));
    torch.manual_seed(4);
    const b = new T.RandomCrop(28, { padding: 4 })(torch.zeros([1, 28, 28]));
    expect(a.shape).toEqual([1, 28, 28]);
    expect(a.tolist()).toEqual(b.tolist());
    expect(T.RandomCrop.get_params(chw(), [5, 6])).toEqual([0, 0, 5, 6]);
  });
});

describe('Pad and CenterCrop', () => {
  it('Pad: int, 1-, 2- and 4-element paddings, negative ones crop, in each mode', () => {
    for (const p of g.pads) {
      const y = new T.Pad(p.padding, { fill: p.mode === 'constant' ? 5 : 0, padding_mode: p.mode })(image(p.kind));
      const what = `${p.kind} ${JSON.stringify(p.padding)} ${p.mode}`;
      expect(y.dtype.name, what).toBe(p.dtype);
      expect(y.tolist(), what).toEqual(p.y);
    }
    const hwPad1 = g.pads.find((p) => p.kind === 'hw' && p.padding === 1 && p.mode === 'constant')!;
    expect(new T.Pad(1, 5, 'constant')(hw()).tolist()).toEqual(hwPad1.y);
  });

  it('CenterCrop: Python\'s round-half-even offsets, zero padding for larger sizes', () => {
    for (const c of g.centers) expect(new T.CenterCrop(c.size)(image(c.kind)).tolist(), `${c.kind} ${JSON.stringify(c.size)}`).toEqual(c.y);
  });

  it('print as torchvision', () => {
    const r = g.reprs;
    expect(String(new T.RandomHorizontalFlip())).toBe(r.hflip);
    expect(String(new T.RandomVerticalFlip(0.25))).toBe(r.vflip);
    expect(String(new T.RandomCrop(28, { padding: 4 }))).toBe(r.crop);
    expect(String(new T.RandomCrop([20, 24], { padding: [1, 2] }))).toBe(r.crop_list);
    expect(String(new T.CenterCrop(10))).toBe(r.center);
    expect(String(new T.CenterCrop([10, 12]))).toBe(r.center_list);
    expect(String(new T.Pad(2))).toBe(r.pad);
    expect(String(new T.Pad([1, 2], { fill: 3, padding_mode: 'edge' }))).toBe(r.pad_list);
    expect(String(new T.Compose([new T.RandomCrop(28, { padding: 4 }), new T.RandomHorizontalFlip(), new T.ToTensor()]))).toBe(r.compose);
  });

  it('raise torchvision\'s errors', () => {
    const e = g.errors;
    expectPyError(() => new T.RandomCrop(7)(chw()), e.crop_too_big!);
    expectPyError(() => new T.RandomCrop([1, 2, 3]), e.crop_size!);
    expectPyError(() => new T.CenterCrop([1, 2, 3]), e.center_size!);
    expectPyError(() => new T.Pad([1, 2, 3]), e.pad_len!);
    expectPyError(() => new T.Pad(1, { padding_mode: 'wrap' as never }), e.pad_mode!);
    expectPyError(() => new T.RandomHorizontalFlip()(torch.zeros(3)), e.not_image!);
    expectPyError(() => new T.Pad(6, { padding_mode: 'reflect' })(chw()), e.reflect_too_big!);
  });

  it('an MNIST-style pipeline: augment the (H, W) uint8 image, then ToTensor', () => {
    torch.manual_seed(0);
    const pipeline = new T.Compose([new T.RandomCrop(28, { padding: 2 }), new T.RandomHorizontalFlip(), new T.ToTensor()]);
    const x = pipeline(torch.full([28, 28], 255, { dtype: torch.uint8 }));
    expect(x.shape).toEqual([1, 28, 28]);
    expect(x.dtype).toBe(torch.float32);
    expect(x.max().item()).toBe(1);
  });
});

describe('utils.make_grid and save_image', () => {
  const batch = torch.tensor(g.grid_inputs.batch, { dtype: torch.float32 });
  const rgb = torch.tensor(g.grid_inputs.rgb, { dtype: torch.float32 });

  it('lays out batches, lists and single images as torchvision (1 channel becomes 3)', () => {
    const grids: Record<string, Tensor> = {
      default: utils.make_grid(batch),
      nrow2: utils.make_grid(batch, { nrow: 2, padding: 1, pad_value: 0.5 }),
      list: utils.make_grid([batch.get(0), batch.get(1), batch.get(2)], 2),
      rgb_normalize: utils.make_grid(rgb, { nrow: 3, normalize: true }),
      rgb_range: utils.make_grid(rgb, { padding: 0, normalize: true, value_range: [-0.5, 0.5] }),
      rgb_scale_each: utils.make_grid(rgb, { normalize: true, scale_each: true, padding: 1 }),
      single_hw: utils.make_grid(batch.get(0, 0)),
      single_1hw: utils.make_grid(batch.get(0)),
      single_rgb: utils.make_grid(rgb.get(0)),
      batch_of_one: utils.make_grid(batch.get(':1'), { padding: 3 }),
      uint8: utils.make_grid(batch.mul(255).to(torch.uint8), { nrow: 4, pad_value: 255 }),
    };
    for (const [k, v] of Object.entries(g.grids)) {
      const y = grids[k]!;
      expect(y.dtype.name, k).toBe(v.dtype);
      expectClose(y.tolist(), v.y, 1e-6, 1e-6, k);
    }
    const before = rgb.tolist();
    utils.make_grid(rgb, { normalize: true });
    expect(rgb.tolist()).toEqual(before);
  });

  it('raises torchvision\'s errors', () => {
    expectPyError(() => utils.make_grid([batch.get(0), 3 as never]), g.grid_errors.list_item!);
    expectPyError(() => utils.make_grid('x' as never), g.grid_errors.not_tensor!);
    expectPyError(() => utils.make_grid(rgb, { normalize: true, value_range: [0, 1, 2] as never }), g.grid_errors.value_range!);
  });

  it('save_image writes make_grid\'s image as PNG bytes, rounded as torchvision', () => {
    const file = join(tmp, 'grid.png');
    utils.save_image(rgb, file, { nrow: 2, normalize: true });
    const png = decodePng(new Uint8Array(readFileSync(file)));
    const expected = g.save_image as number[][][];
    expect([png.height, png.width, png.channels]).toEqual([expected.length, expected[0]!.length, 3]);
    expect(Array.from(png.pixels)).toEqual(expected.flat(2));
    expect(() => utils.save_image(rgb, join(tmp, 'grid.jpg'))).toThrow('save_image: torchlab writes PNG files only, got format JPG');
    utils.save_image(batch.get(0), join(tmp, 'noext'), 'png');
    expect(decodePng(new Uint8Array(readFileSync(join(tmp, 'noext')))).width).toBe(3);
  });
});

describe('datasets.MNIST download', () => {
  const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data');
  const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
  const saved = { mnist: datasets.MNIST.mirrors, fashion: datasets.FashionMNIST.mirrors };
  let server: Worker;
  let base = '';
  let closedPort = 0;

  /**
   * The server: /good/<dir>/<file> whole, /trunc/<dir>/<file> its first half, /stall 100 of 1000
   * bytes and then nothing, /stats the request count per path.
   */
  const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const hits = {};
const srv = http.createServer((req, res) => {
  hits[req.url] = (hits[req.url] || 0) + 1;
  if (req.url === '/stats') { res.end(JSON.stringify(hits)); return; }
  if (req.url === '/stall') { res.setHeader('Content-Length', 1000); res.write(Buffer.alloc(100)); return; }
  const m = /^\\/(good|trunc)\\/([a-z-]+)\\/([\\w.-]+)$/.exec(req.url);
  const file = m && path.join(workerData.dir, m[2], m[3]);
  if (!file || !fs.existsSync(file)) { res.statusCode = 404; res.statusMessage = 'Not Found'; res.end(); return; }
  let body = fs.readFileSync(file);
  if (m[1] === 'trunc') body = body.subarray(0, body.length >> 1);
  res.setHeader('Content-Length', body.length);
  res.end(body);
});
srv.listen(0, '127.0.0.1', () => parentPort.postMessage(srv.address().port));
`;

  beforeAll(async () => {
    server = new Worker(SERVER, { eval: true, workerData: { dir: DATA } });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('message', resolve);
      server.once('error', reject);
    });
    base = `http://127.0.0.1:${port}`;
    // a port that was just free: nothing listens there, so connecting is refused
    closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
  });
  afterEach(() => {
    datasets.MNIST.mirrors = saved.mnist;
    datasets.FashionMNIST.mirrors = saved.fashion;
  });
  afterAll(async () => {
    await server.terminate();
  });
  const stats = async (): Promise<Record<string, number>> => (await fetch(`${base}/stats`)).json() as Promise<Record<string, number>>;

  it('downloads from the next mirror when one fails, checks md5, and keeps the files gzipped', async () => {
    const root = join(tmp, 'dl');
    datasets.MNIST.mirrors = [`${base}/missing/`, `${base}/good/mnist/`];
    const test = new datasets.MNIST(root, { train: false, download: true });
    expect(test.length).toBe(10000);
    expect(test.__getitem__(0)[1]).toBe(7);
    const raw = join(root, 'MNIST', 'raw');
    expect(readdirSync(raw).sort()).toEqual([...FILES].sort());
    for (const f of FILES) expect(readFileSync(join(raw, f)).equals(readFileSync(join(DATA, 'mnist', f)))).toBe(true);
    const hits = await stats();
    expect(hits['/missing/train-images-idx3-ubyte.gz']).toBe(1);
    expect(hits['/good/mnist/train-images-idx3-ubyte.gz']).toBe(1);
    // present and valid: nothing is fetched again
    new datasets.MNIST(root, { train: true, download: true });
    expect(await stats()).toEqual({ ...hits, '/stats': 2 });
  });

  it('a corrupt .gz already in place is fetched again when download is true', async () => {
    const raw = join(tmp, 'fix', 'MNIST', 'raw');
    mkdirSync(raw, { recursive: true });
    for (const f of FILES) copyFileSync(join(DATA, 'mnist', f), join(raw, f));
    writeFileSync(join(raw, 't10k-labels-idx1-ubyte.gz'), 'not a gzip file');
    expect(() => new datasets.MNIST(join(tmp, 'fix'), { train: false })).toThrow('t10k-labels-idx1-ubyte.gz: cannot be read as a gzip file');
    datasets.MNIST.mirrors = [`${base}/good/mnist/`];
    expect(new datasets.MNIST(join(tmp, 'fix'), { train: false, download: true }).length).toBe(10000);
    const hits = await stats();
    expect(hits['/good/mnist/t10k-labels-idx1-ubyte.gz']).toBe(2);
    expect(hits['/good/mnist/t10k-images-idx3-ubyte.gz']).toBe(1);
  });

  it('a truncated download fails with an md5 mismatch naming the file, and leaves no file', () => {
    const root = join(tmp, 'trunc');
    datasets.MNIST.mirrors = [`${base}/trunc/mnist/`];
    const raw = join(root, 'MNIST', 'raw');
    expect(() => new datasets.MNIST(root, { download: true })).toThrow(
      new RegExp(`Error downloading train-images-idx3-ubyte\\.gz:\\n  ${base}/trunc/mnist/train-images-idx3-ubyte\\.gz: train-images-idx3-ubyte\\.gz: md5 mismatch \\(got [0-9a-f]{32} for 4956211 bytes, expected f68b3c2dcbeaaa9fbdd348bbdeb94873\\); the file was not kept`),
    );
    expect(readdirSync(raw)).toEqual([]);
  });

  it('without a network: says which files to put where', () => {
    const root = join(tmp, 'offline');
    datasets.FashionMNIST.mirrors = [`http://127.0.0.1:${closedPort}/`];
    let message = '';
    try {
      new datasets.FashionMNIST(root, { download: true });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`Error downloading train-images-idx3-ubyte.gz:\n  http://127.0.0.1:${closedPort}/train-images-idx3-ubyte.gz: connect ECONNREFUSED`);
    expect(message).toContain(`Without a network, download the FashionMNIST files (${FILES.join(', ')}) by hand and put them in ${join(root, 'FashionMNIST', 'raw')}`);
    expect(readdirSync(join(root, 'FashionMNIST', 'raw'))).toEqual([]);
  });

  it('FashionMNIST downloads with its own md5 sums; utils.download_url and check_integrity', () => {
    datasets.FashionMNIST.mirrors = [`${base}/good/fashion-mnist/`];
    const fm = new datasets.FashionMNIST(join(tmp, 'fm'), { train: false, download: true });
    expect(fm.classes[fm.__getitem__(0)[1]]).toBe('Ankle boot');
    const { download_url, check_integrity, calculate_md5 } = datasets.utils;
    const dir = join(tmp, 'one');
    download_url(`${base}/good/mnist/t10k-labels-idx1-ubyte.gz`, dir, null, 'ec29112dd5afa0611ce80d1b7f02629c');
    expect(calculate_md5(join(dir, 't10k-labels-idx1-ubyte.gz'))).toBe('ec29112dd5afa0611ce80d1b7f02629c');
    expect(check_integrity(join(dir, 't10k-labels-idx1-ubyte.gz'), 'ec29112dd5afa0611ce80d1b7f02629c')).toBe(true);
    expect(check_integrity(join(dir, 'absent'))).toBe(false);
    expect(() => download_url(`${base}/good/mnist/nothing.gz`, dir)).toThrow('HTTP Error 404: Not Found');
    expect(existsSync(join(dir, 'nothing.gz'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['t10k-labels-idx1-ubyte.gz']);
  });

  it('a stalled download times out, an interrupt stops it, and neither leaves a file', () => {
    const dir = join(tmp, 'stall');
    expect(() => datasets.utils.download_url(`${base}/stall`, dir, 'x.gz', null, { timeout: 0.3, progress: false })).toThrow('no data for 0.3 s (timed out)');
    expect(readdirSync(dir)).toEqual([]);
    const KERNEL = Symbol.for('torchlab.kernel');
    let checks = 0;
    (globalThis as Record<symbol, unknown>)[KERNEL] = {
      check_interrupt: () => {
        if (++checks === 3) throw new Error('KeyboardInterrupt');
      },
    };
    try {
      expect(() => datasets.utils.download_url(`${base}/stall`, dir, 'x.gz', null, { progress: false })).toThrow('KeyboardInterrupt');
    } finally {
      delete (globalThis as Record<symbol, unknown>)[KERNEL];
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
