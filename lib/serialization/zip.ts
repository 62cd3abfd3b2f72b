/**
 * A minimal zip reader for PyTorch checkpoints: central directory (zip64 included), stored and
 * deflated entries, CRC-checked. Only what `torch.save`'s archives need; no encryption, no
 * multi-disk archives.
 */

import * as zlib from 'node:zlib';
import { RuntimeError } from '../errors.js';

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** A zip archive held in memory, read entry by entry. */
export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();

  constructor(
    private readonly buf: Uint8Array,
    /** named in every error, so a user knows which file is broken */
    private readonly file: string,
  ) {
    this.readCentralDirectory();
  }

  private fail(what: string): never {
    throw new RuntimeError(`PytorchStreamReader failed reading zip archive: ${what} (file "${this.file}"; truncated or corrupt?)`);
  }

  private view(): DataView {
    return new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private readCentralDirectory(): void {
    const dv = this.view();
    const n = this.buf.byteLength;
    // the end record sits in the last 22 + 65535 (comment) bytes
    let eocd = -1;
    for (let i = n - 22; i >= Math.max(0, n - 22 - 0xffff); i--) {
      if (dv.getUint32(i, true) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) this.fail('failed finding central directory');
    let count = dv.getUint16(eocd + 10, true);
    let cdSize = dv.getUint32(eocd + 12, true);
    let cdOffset = dv.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || dv.getUint32(loc, true) !== 0x07064b50) this.fail('failed finding zip64 end of central directory locator');
      const rec = num64(dv, loc + 8);
      if (rec + 56 > n || dv.getUint32(rec, true) !== 0x06064b50) this.fail('failed finding zip64 end of central directory');
      count = num64(dv, rec + 32);
      cdSize = num64(dv, rec + 40);
      cdOffset = num64(dv, rec + 48);
    }
    if (cdOffset + cdSize > n) this.fail('central directory lies past the end of the file');
    let p = cdOffset;
    for (let k = 0; k < count; k++) {
      if (p + 46 > n || dv.getUint32(p, true) !== 0x02014b50) this.fail('corrupt central directory');
      const method = dv.getUint16(p + 10, true);
      const crc = dv.getUint32(p + 16, true);
      let compressedSize = dv.getUint32(p + 20, true);
      let size = dv.getUint32(p + 24, true);
      const nameLen = dv.getUint16(p + 28, true);
      const extraLen = dv.getUint16(p + 30, true);
      const commentLen = dv.getUint16(p + 32, true);
      let localOffset = dv.getUint32(p + 42, true);
      if (p + 46 + nameLen + extraLen > n) this.fail('corrupt central directory');
      const name = Buffer.from(this.buf.subarray(p + 46, p + 46 + nameLen)).toString('utf8');
      // zip64 sizes and offset live in extra field 0x0001, in this order, only for saturated fields
      let e = p + 46 + nameLen;
      const end = e + extraLen;
      while (e + 4 <= end) {
        const id = dv.getUint16(e, true);
        const len = dv.getUint16(e + 2, true);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) { size = num64(dv, q); q += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = num64(dv, q); q += 8; }
          if (localOffset === 0xffffffff) { localOffset = num64(dv, q); q += 8; }
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, crc, compressedSize, size, localOffset });
      p = end + commentLen;
    }
  }

  /** The names of all entries, in directory order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The uncompressed bytes of `name`, checked against the stored CRC-32. */
  read(name: string): Uint8Array {
    const ent = this.entries.get(name);
    if (!ent) this.fail(`file not found: ${name}`);
    const dv = this.view();
    const lo = ent.localOffset;
    if (lo + 30 > this.buf.byteLength || dv.getUint32(lo, true) !== 0x04034b50) this.fail(`corrupt local header of ${name}`);
    const start = lo + 30 + dv.getUint16(lo + 26, true) + dv.getUint16(lo + 28, true);
    if (start + ent.compressedSize > this.buf.byteLength) this.fail(`entry ${name} runs past the end of the file`);
    const raw = this.buf.subarray(start, start + ent.compressedSize);
    let data: Uint8Array;
    if (ent.method === 0) data = raw;
    else if (ent.method === 8) {
      try {
        data = zlib.inflateRawSync(raw);
      } catch {
        this.fail(`entry ${name} does not inflate`);
      }
    } else this.fail(`entry ${name} uses unsupported compression method ${ent.method}`);
    if (data.byteLength !== ent.size) this.fail(`entry ${name} has ${data.byteLength} bytes, expected ${ent.size}`);
    if (zlib.crc32(data) >>> 0 !== ent.crc >>> 0) this.fail(`invalid crc-32 of entry ${name}`);
    return data;
  }
}

function num64(dv: DataView, at: number): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RuntimeError('zip64 field too large');
  return Number(v);
}

/** True when the bytes start like a zip archive (a local file header or an empty archive). */
export function isZip(buf: Uint8Array): boolean {
  return buf.byteLength >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && ((buf[2] === 3 && buf[3] === 4) || (buf[2] === 5 && buf[3] === 6));
}
