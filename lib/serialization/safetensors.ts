/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header `{"__metadata__": {...}, name: {dtype, shape, data_offsets}}`
 * padded with spaces to a multiple of 8 bytes, then the tensors' bytes. The writer lays files out
 * exactly as the reference implementation does (tensors sorted by dtype alignment, largest first,
 * then by name), so files are byte-identical to Python's `safetensors.torch.save_file`.
 */

import { tensorDevice } from '../device.js';
import { RuntimeError } from '../errors.js';
import { fromValues } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { decodeElements, encodeTensor, isWireType, wireRank, wireSize, type WireType } from './codec.js';

/** The reference reader's limit on the header (it rejects larger headers as HeaderTooLarge). */
const MAX_HEADER_SIZE = 100_000_000;

/** Serialises named tensors (names unique) and optional string metadata into one file's bytes. */
export function encodeSafetensors(tensors: readonly (readonly [string, Tensor])[], metadata?: Record<string, string>): Uint8Array {
  const items = tensors.map(([name, t]) => ({ name, key: Buffer.from(name, 'utf8'), shape: t._shape.slice(), ...encodeTensor(t) }));
  items.sort((a, b) => wireRank[b.wire] - wireRank[a.wire] || Buffer.compare(a.key, b.key));
  const parts: string[] = [];
  if (metadata) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const it of items) {
    const end = offset + it.bytes.byteLength;
    parts.push(`${JSON.stringify(it.name)}:{"dtype":"${it.wire}","shape":[${it.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  let header = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const pad = (8 - (header.byteLength % 8)) % 8;
  if (pad) header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const out = new Uint8Array(8 + header.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  out.set(header, 8);
  let p = 8 + header.byteLength;
  for (const it of items) {
    out.set(it.bytes, p);
    p += it.bytes.byteLength;
  }
  return out;
}

/** A safetensors file's tensors (CPU, in file order) and its `__metadata__`. */
export interface DecodedSafetensors {
  tensors: [string, Tensor][];
  metadata: Record<string, string> | null;
}

/** Parses and validates a safetensors file as the reference reader does; errors name `file`. */
export function decodeSafetensors(buf: Uint8Array, file: string): DecodedSafetensors {
  const fail = (kind: string, why: string): never => {
    throw new RuntimeError(`Error while deserializing header: ${kind}: ${why} (file "${file}" is not a valid safetensors file; truncated or corrupt?)`);
  };
  if (buf.byteLength < 8) fail('HeaderTooSmall', `the file has ${buf.byteLength} bytes, fewer than the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) fail('HeaderTooLarge', `the header claims ${n64} bytes`);
  const n = Number(n64);
  if (8 + n > buf.byteLength) fail('InvalidHeaderLength', `the header claims ${n} bytes but the file has only ${buf.byteLength - 8} after the length`);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    fail('InvalidHeader', 'the header is not UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    fail('InvalidHeaderDeserialization', 'the header is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('InvalidHeaderDeserialization', 'the header is not a JSON object');

  let metadata: Record<string, string> | null = null;
  const infos: { name: string; wire: WireType; shape: number[]; start: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null) continue;
      if (typeof info !== 'object' || Array.isArray(info) || !Object.values(info).every((v) => typeof v === 'string')) {
        fail('InvalidHeaderDeserialization', '__metadata__ must map strings to strings');
      }
      metadata = info as Record<string, string>;
      continue;
    }
    const rec = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    const offs = rec?.data_offsets;
    if (!rec || typeof rec !== 'object' || !Array.isArray(rec.shape) || !rec.shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      !Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      return fail('InvalidHeaderDeserialization', `tensor "${name}" needs dtype, shape and data_offsets`);
    }
    if (!isWireType(rec.dtype)) return fail('InvalidHeaderDeserialization', `tensor "${name}" has unsupported dtype ${JSON.stringify(rec.dtype)}`);
    infos.push({ name, wire: rec.dtype, shape: rec.shape as number[], start: offs[0] as number, end: offs[1] as number });
  }
  infos.sort((a, b) => a.start - b.start || a.end - b.end);
  let at = 0;
  for (const info of infos) {
    if (info.start !== at || info.end < info.start) fail(`InvalidOffset("${info.name}")`, `data_offsets [${info.start}, ${info.end}] do not follow the previous tensor's end ${at}`);
    const numel = info.shape.reduce((a, b) => a * b, 1);
    if (info.end - info.start !== numel * wireSize[info.wire]) {
      fail('TensorInvalidInfo', `tensor "${info.name}" of shape [${info.shape.join(', ')}] and dtype ${info.wire} cannot span ${info.end - info.start} bytes`);
    }
    at = info.end;
  }
  if (8 + n + at !== buf.byteLength) fail('MetadataIncompleteBuffer', `the tensors span ${at} bytes but the file holds ${buf.byteLength - 8 - n} after the header`);

  const base = 8 + n;
  const cpu = tensorDevice('cpu');
  const tensors: [string, Tensor][] = infos.map((info) => {
    const numel = info.shape.reduce((a, b) => a * b, 1);
    const { values, dtype } = decodeElements(info.wire, buf.subarray(base + info.start, base + info.end), numel, () => fail('TensorInvalidInfo', info.name));
    return [info.name, fromValues(values, info.shape.slice(), dtype, cpu)];
  });
  return { tensors, metadata };
}
