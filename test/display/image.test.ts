import { describe, expect, it } from 'vitest';
import torch, { display } from '../../lib/index.js';
import { toImage, toImages } from '../../lib/display/image.js';
import { encodePng } from '../../lib/display/png.js';
import { set_publisher, type MimeBundle } from '../../lib/display/publisher.js';
import { ValueError } from '../../lib/errors.js';
import { loadGolden } from '../helpers/golden.js';
import { decodePng } from './pngdecode.js';

interface GridCase {
  name: string;
  input: number[];
  kw: { nrow?: number; padding?: number; pad_value?: number; normalize?: boolean; value_range?: [number, number]; scale_each?: boolean };
  pixels: number[][][];
}
const golden = loadGolden<{ grids: GridCase[] }>('display.json');

describe('PNG encoding', () => {
  it('round-trips gray, RGB and RGBA pixels through every filter', () => {
    for (const channels of [1, 3, 4] as const) {
      const w = 13;
      const h = 9;
      const px = new Uint8Array(w * h * channels);
      // gradients, noise and flat areas make each of the five filters win somewhere
      for (let i = 0; i < px.length; i++) px[i] = i % 7 === 0 ? (i * 7919) % 256 : (i * 3) % 256;
      const png = encodePng(px, w, h, channels);
      const d = decodePng(png);
      expect([d.width, d.height, d.channels]).toEqual([w, h, channels]);
      expect(d.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
      expect(Array.from(d.pixels)).toEqual(Array.from(px));
    }
  });

  it('rejects 0×0 images and wrong byte counts', () => {
    expect(() => encodePng(new Uint8Array(0), 0, 0, 1)).toThrow('PNG images need a positive width and height, got 0x0');
    expect(() => encodePng(new Uint8Array(5), 2, 2, 1)).toThrow('expected 4 bytes for a 2x2x1 image, got 5');
  });
});

describe('images match torchvision make_grid + save_image', () => {
  for (const g of golden.grids) {
    it(g.name, () => {
      const img = toImages(torch.tensor(g.input as never), { ...g.kw, scale: 1 });
      const d = decodePng(img.png);
      const h = g.pixels.length;
      const w = g.pixels[0]!.length;
      expect([d.height, d.width]).toEqual([h, w]);
      const gray = d.channels === 1;
      const got: number[][][] = [];
      for (let y = 0; y < h; y++) {
        const row: number[][] = [];
        for (let x = 0; x < w; x++) {
          const o = (y * w + x) * d.channels;
          row.push(gray ? [d.pixels[o]!, d.pixels[o]!, d.pixels[o]!] : Array.from(d.pixels.subarray(o, o + 3)));
        }
        got.push(row);
      }
      expect(got).toEqual(g.pixels);
    });
  }
});

describe('display.image', () => {
  it('upscales by nearest neighbour, 28×28 digits to 112×112 by default', () => {
    const x = torch.rand(28, 28);
    const img = toImage(x);
    expect([img.width, img.height, img.mode]).toEqual([112, 112, 'L']);
    const d = decodePng(img.png);
    const v = x.numpy();
    for (const [y, xx] of [[0, 0], [5, 17], [27, 27]] as const) {
      const expected = Math.min(255, Math.max(0, Math.trunc(Math.fround(Math.fround(v[y * 28 + xx]! * 255) + 0.5))));
      for (const [dy, dx] of [[0, 0], [3, 3], [1, 2]]) expect(d.pixels[(y * 4 + dy!) * 112 + xx * 4 + dx!]).toBe(expected);
    }
  });

  it('shows uint8 images as they are, on any layout', () => {
    const bytes = torch.tensor([[[0, 10], [200, 255]]], { dtype: torch.uint8 });
    const d = decodePng(toImage(bytes, { scale: 1 }).png);
    expect(Array.from(d.pixels)).toEqual([0, 10, 200, 255]);
    const rgb = torch.tensor([[[255]], [[128]], [[0]]], { dtype: torch.uint8 });
    const e = decodePng(toImage(rgb, { scale: 1 }).png);
    expect([e.channels, ...e.pixels]).toEqual([3, 255, 128, 0]);
  });

  it('publishes an image/png bundle', () => {
    const out: MimeBundle[] = [];
    const prev = set_publisher({ rich: true, publish: (b) => void out.push(b) });
    try {
      display.image(torch.zeros(2, 3), { scale: 2 });
    } finally {
      set_publisher(prev);
    }
    expect(Object.keys(out[0]!).sort()).toEqual(['image/png', 'text/plain']);
    expect(out[0]!['text/plain']).toBe('<torchlab.display.Image mode=L size=6x4>');
    const d = decodePng(Buffer.from(out[0]!['image/png'] as string, 'base64'));
    expect([d.width, d.height, Math.max(...d.pixels)]).toEqual([6, 4, 0]);
  });

  it('gives clear errors for bad input', () => {
    expect(() => toImage(torch.zeros(0, 0))).toThrow(new ValueError('cannot display an empty image: torch.Size([0, 0])'));
    expect(() => toImages(torch.zeros(0, 1, 28, 28))).toThrow(ValueError);
    expect(() => toImage(torch.tensor([[0.5, NaN]]))).toThrow('cannot display an image with NaN values (torch.Size([1, 2]))');
    expect(() => toImage(torch.zeros(5))).toThrow('display.image expects a tensor of shape [H, W], [C, H, W] or [N, C, H, W] with C in (1, 3, 4), got torch.Size([5])');
    expect(() => toImage(torch.zeros(2, 1, 4, 4))).toThrow('display.image shows one image, got a batch of 2 (torch.Size([2, 1, 4, 4])); use display.images');
    expect(() => toImages(torch.zeros(2, 2, 4, 4))).toThrow('images need 1 (gray), 3 (RGB) or 4 (RGBA) channels, got 2 in torch.Size([2, 2, 4, 4])');
    expect(() => toImage(torch.zeros([2, 2], { dtype: torch.int64 }))).toThrow('images must be floating point (0–1), uint8 (0–255) or bool tensors, got torch.int64');
    expect(() => toImages(torch.zeros(3, 1, 2, 2), { labels: [1, 2] })).toThrow('got 2 labels for 3 images');
    expect(() => toImages(torch.zeros(3, 1, 2, 2), { nrow: 0 })).toThrow('nrow must be a positive integer, got 0');
    expect(() => toImage(torch.zeros(2, 2), { scale: 1.5 })).toThrow('scale must be a positive integer, got 1.5');
  });
});

describe('display.images', () => {
  it('lays out [N,H,W] batches and lists of images like make_grid', () => {
    const batch = torch.rand(10, 4, 4);
    const a = toImages(batch, { scale: 1, nrow: 4 });
    // 4 columns and 3 rows of (4 + 2) pixels, plus the outer padding
    expect([a.width, a.height]).toEqual([4 * 6 + 2, 3 * 6 + 2]);
    const b = toImages([batch.get(0), batch.get(1)], { scale: 1 });
    expect([b.width, b.height]).toEqual([2 * 6 + 2, 8]);
    expect(() => toImages([torch.zeros(2, 2), torch.zeros(3, 3)])).toThrow('stack expects each tensor to be equal size, but got [1, 2, 2] and [1, 3, 3]');
  });

  it('adds a captioned HTML grid when labels are given', () => {
    const img = toImages(torch.rand(3, 1, 2, 2), { labels: torch.tensor([7, 1, 4]), nrow: 2, scale: 1 });
    const bundle = img[Symbol.for('Jupyter.display') as never] as unknown as () => MimeBundle;
    const b = bundle.call(img);
    expect(Object.keys(b).sort()).toEqual(['image/png', 'text/html', 'text/plain']);
    const html = b['text/html'] as string;
    expect(html.match(/<figure/g)).toHaveLength(3);
    expect([...html.matchAll(/<figcaption[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['7', '1', '4']);
    expect(html).toContain('grid-template-columns:repeat(2, max-content)');
    const first = /src="data:image\/png;base64,([^"]+)"/.exec(html)![1]!;
    expect(decodePng(Buffer.from(first, 'base64')).width).toBe(2);
  });
});
