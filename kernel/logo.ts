/**
 * The kernelspec logos (32x32 and 64x64 PNG, and SVG), drawn here so that the package carries no
 * binary files: a torch-orange flame on a TypeScript-blue rounded square.
 */

import { deflateSync } from 'node:zlib';

const BLUE: readonly [number, number, number] = [0x31, 0x78, 0xc6];
const ORANGE: readonly [number, number, number] = [0xee, 0x4c, 0x2c];

/** The logo as SVG text. */
export function logoSvg(): string {
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">',
    '<rect x="2" y="2" width="60" height="60" rx="12" fill="#3178c6"/>',
    '<path d="M32 10 C22 24 18 30 18 38 a14 14 0 0 0 28 0 C46 30 42 24 32 10 Z" fill="#ee4c2c"/>',
    '<circle cx="44" cy="16" r="3.5" fill="#ee4c2c"/>',
    '<circle cx="32" cy="39" r="6" fill="#3178c6"/>',
    '</svg>',
  ].join('');
}

/** Coverage of pixel (x, y) in a 64-unit design, for a region given by `inside`. */
function coverage(x: number, y: number, scale: number, inside: (u: number, v: number) => boolean): number {
  const n = 4;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (inside(((x + (i + 0.5) / n) * 64) / scale, ((y + (j + 0.5) / n) * 64) / scale)) hits++;
    }
  }
  return hits / (n * n);
}

function roundedSquare(u: number, v: number): boolean {
  const r = 12;
  const cx = Math.min(Math.max(u, 2 + r), 62 - r);
  const cy = Math.min(Math.max(v, 2 + r), 62 - r);
  return u >= 2 && u <= 62 && v >= 2 && v <= 62 && (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
}

/** The flame of the SVG: a teardrop (circle below, narrowing to a tip at the top) and a spark. */
function flame(u: number, v: number): boolean {
  if ((u - 44) ** 2 + (v - 16) ** 2 <= 3.5 ** 2) return true;
  if ((u - 32) ** 2 + (v - 39) ** 2 <= 6 ** 2) return false;
  if ((u - 32) ** 2 + (v - 38) ** 2 <= 14 ** 2) return true;
  if (v < 10 || v > 38) return false;
  const half = 14 * ((v - 10) / 28) ** 0.7;
  return Math.abs(u - 32) <= half;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The logo as an RGBA PNG of `size` x `size` pixels. */
export function logoPng(size: number): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const bg = coverage(x, y, size, roundedSquare);
      const fg = coverage(x, y, size, flame);
      const color = BLUE.map((b, i) => Math.round(b * (1 - fg) + ORANGE[i]! * fg));
      raw.set([...color, Math.round(255 * Math.max(bg, fg))], row + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
