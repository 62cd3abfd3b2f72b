/**
 * `torch.save` / `torch.load`. torchlab saves in the safetensors format (readable by Python's
 * `safetensors.torch.load_file`) and loads safetensors files as well as PyTorch's own `.pt`
 * checkpoints (zip archives with a pickled state dict), the latter through a pickle reader that
 * accepts only tensors and plain data.
 */

import * as fs from 'node:fs';
import { tensorDevice, type DeviceLike } from '../device.js';
import { RuntimeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { Parameter } from '../nn/parameter.js';
import { loadCheckpoint } from './checkpoint.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { isZip } from './zip.js';

/** Where torchlab records the shape of a saved object that is not a flat record of tensors. */
const STRUCTURE_KEY = 'torchlab.structure';

/**
 * How a saved object nests, stored as JSON in the file's `__metadata__`: a tensor by its key in
 * the file, a record by its entries (in order), an array by its items, other values inline
 * (non-finite numbers by name, since JSON has none).
 */
type Node = { t: string } | { d: [string, Node][] } | { l: Node[] } | { v: string | number | boolean | null } | { f: 'nan' | 'inf' | '-inf' };

function isRecord(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function typeName(v: unknown): string {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return typeof v;
  // modules are callable, so a Linear is a function whose constructor is Linear
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name === undefined || name === 'Function' ? typeof v : name;
}

/** Flattens `obj` into named tensors (names joined by '.') and the node describing it. */
function flatten(obj: unknown, path: string, out: [string, Tensor][], names: Set<string>, open: Set<unknown>): Node {
  if (obj instanceof Tensor) {
    const name = path === '' ? 'tensor' : path;
    if (names.has(name)) throw new ValueError(`torch.save: two entries are both saved under the name "${name}"; rename one of them`);
    names.add(name);
    out.push([name, obj]);
    return { t: name };
  }
  if (obj === null || typeof obj === 'string' || typeof obj === 'boolean') return { v: obj };
  if (typeof obj === 'number') {
    if (Number.isFinite(obj)) return { v: obj };
    return { f: Number.isNaN(obj) ? 'nan' : obj > 0 ? 'inf' : '-inf' };
  }
  const entries = obj instanceof Map ? [...obj] : Array.isArray(obj) ? null : isRecord(obj) ? Object.entries(obj) : undefined;
  if (entries === undefined || (entries !== null && entries.some(([k]) => typeof k !== 'string'))) {
    throw new TypeError(
      `torch.save: cannot save an object of type ${typeName(obj)}` +
      (typeName(obj).endsWith('Optimizer') || typeof (obj as { state_dict?: unknown }).state_dict === 'function' ? '; save its state_dict() instead' : '') +
      ' (torchlab saves tensors, numbers, strings, booleans, null, and arrays and records of them)',
    );
  }
  if (open.has(obj)) throw new ValueError('torch.save: the object contains itself (a circular reference)');
  open.add(obj);
  const prefix = path === '' ? '' : `${path}.`;
  let node: Node;
  if (entries === null) {
    node = { l: (obj as unknown[]).map((x, i) => flatten(x === undefined ? null : x, `${prefix}${i}`, out, names, open)) };
  } else {
    node = { d: entries.filter(([, x]) => x !== undefined).map(([k, x]) => [k as string, flatten(x, `${prefix}${k as string}`, out, names, open)]) };
  }
  open.delete(obj);
  return node;
}

/** Rebuilds the saved object from its node, or fails naming the file when the node is malformed. */
function unflatten(node: unknown, tensors: Map<string, Tensor>, file: string): unknown {
  const bad = (): never => {
    throw new RuntimeError(`torch.load: the ${STRUCTURE_KEY} metadata of "${file}" is corrupt`);
  };
  if (node === null || typeof node !== 'object') return bad();
  const n = node as Record<string, unknown>;
  if (typeof n.t === 'string') return tensors.get(n.t) ?? bad();
  if ('v' in n) return n.v;
  if (typeof n.f === 'string') return n.f === 'nan' ? NaN : n.f === 'inf' ? Infinity : n.f === '-inf' ? -Infinity : bad();
  if (Array.isArray(n.l)) return n.l.map((x) => unflatten(x, tensors, file));
  if (Array.isArray(n.d)) {
    const out: Record<string, unknown> = {};
    for (const e of n.d) {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') return bad();
      Object.defineProperty(out, e[0], { value: unflatten(e[1], tensors, file), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return bad();
}

/**
 * `torch.save(obj, f)`: writes a tensor, a state dict, or a nested record / array of tensors and
 * plain values to the file `f` in the safetensors format.
 * Differs from PyTorch: the file is safetensors, not a pickle archive, whatever its extension; a
 * flat state dict is a standard safetensors file (`safetensors.torch.load_file(f)` reads it in
 * Python), other objects add their nesting as JSON under `__metadata__["torchlab.structure"]`;
 * modules and optimizers are saved through their `state_dict()`, not whole.
 * @example torch.save(net.state_dict(), 'net.safetensors'); torch.save({epoch: 3, model: net.state_dict()}, 'ckpt.safetensors')
 */
export function save(obj: unknown, f: string): void {
  const tensors: [string, Tensor][] = [];
  const flatRecord = (isRecord(obj) || obj instanceof Map) && [...(obj instanceof Map ? obj.values() : Object.values(obj))].every((v) => v instanceof Tensor);
  const node = flatten(obj, '', tensors, new Set(), new Set());
  const metadata: Record<string, string> = { format: 'pt' };
  if (!flatRecord) metadata[STRUCTURE_KEY] = JSON.stringify(node);
  fs.writeFileSync(f, encodeSafetensors(tensors, metadata));
}

/** The options of `torch.load`. */
export interface LoadOptions {
  /** the device to load tensors onto: 'cpu' (the default) or 'cuda' */
  map_location?: DeviceLike | null;
  /** accepted for PyTorch compatibility; torchlab always loads weights only */
  weights_only?: boolean;
}

// PyTorch's legacy (pre-1.6) files start with the pickled magic number 0x1950a86a20f9469cfc6c
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/**
 * `torch.load(f, {map_location})`: reads a file written by `torch.save` here (safetensors), any
 * safetensors file, or a PyTorch checkpoint saved by Python's `torch.save` (1.6 and later).
 * Differs from PyTorch: tensors load on the CPU unless `map_location` names another device (PyTorch
 * restores the device they were saved from); checkpoints are read as with `weights_only=True`
 * (tensors, state dicts and plain Python values; anything else is refused with an error, never
 * run); float16/bfloat16 load as float32 and int8/int16 as int32, which torchlab lacks; `f` may
 * also be the file's bytes; the type parameter says what the file is expected to hold. A flat
 * safetensors file gives its tensors in file order (safetensors sorts them by dtype, then name).
 * @example net.load_state_dict(torch.load('net.pt')); const x = torch.load<Tensor>('x.safetensors')
 */
export function load<T = Record<string, Tensor>>(f: string | Uint8Array, opts: LoadOptions = {}): T {
  const file = typeof f === 'string' ? f : '<bytes>';
  const bytes = typeof f === 'string' ? fs.readFileSync(f) : f;
  // a plain view: Buffer's slice() shares memory where Uint8Array's copies
  const buf = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let obj: unknown;
  if (isZip(buf)) obj = loadCheckpoint(buf, file);
  else if (buf.byteLength >= LEGACY_MAGIC.length && LEGACY_MAGIC.every((b, i) => buf[i] === b)) {
    throw new RuntimeError(`"${file}" was saved in PyTorch's legacy format (before 1.6); re-save it in Python with torch.save(torch.load(f), f), which writes the zip format torchlab reads`);
  } else if (buf[0] === 0x80 && !(buf.byteLength > 8 && buf[8] === 0x7b)) {
    // (a safetensors header of 128 bytes also starts with 0x80; its JSON then starts with '{')
    throw new RuntimeError(`"${file}" is a bare pickle, not a file written by torch.save; torchlab reads only torch.save checkpoints and safetensors files`);
  } else {
    const { tensors, metadata } = decodeSafetensors(buf, file);
    const structure = metadata?.[STRUCTURE_KEY];
    if (structure === undefined) obj = Object.fromEntries(tensors);
    else {
      let node: unknown;
      try {
        node = JSON.parse(structure);
      } catch {
        throw new RuntimeError(`torch.load: the ${STRUCTURE_KEY} metadata of "${file}" is not valid JSON`);
      }
      obj = unflatten(node, new Map(tensors), file);
    }
  }
  const where = opts.map_location == null ? null : tensorDevice(opts.map_location);
  return (where === null || where.type === 'cpu' ? obj : moveTensors(obj, where, new Map())) as T;
}

/** `obj` with every tensor moved to `device` (parameters stay parameters). */
function moveTensors(obj: unknown, device: ReturnType<typeof tensorDevice>, seen: Map<unknown, unknown>): unknown {
  if (obj === null || typeof obj !== 'object') return obj;
  const done = seen.get(obj);
  if (done !== undefined) return done;
  let out: unknown;
  if (obj instanceof Tensor) {
    const moved = obj.detach().to(device);
    out = obj instanceof Parameter ? new Parameter(moved, obj.requires_grad) : obj.requires_grad ? moved.requires_grad_(true) : moved;
  } else if (Array.isArray(obj)) out = obj.map((x) => moveTensors(x, device, seen));
  else if (obj instanceof Map) out = new Map([...obj].map(([k, v]) => [k, moveTensors(v, device, seen)]));
  else if (isRecord(obj)) {
    const rec: Record<string, unknown> = {};
    for (const k of Object.getOwnPropertyNames(obj)) {
      const d = Object.getOwnPropertyDescriptor(obj, k)!;
      Object.defineProperty(rec, k, { ...d, value: moveTensors(d.value, device, seen) });
    }
    out = rec;
  } else out = obj;
  seen.set(obj, out);
  return out;
}
