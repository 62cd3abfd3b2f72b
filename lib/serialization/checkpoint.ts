/**
 * Reading PyTorch's checkpoints (`torch.save` since 1.6: a zip archive holding `<name>/data.pkl`,
 * the pickled object, and `<name>/data/<key>`, one raw little-endian storage per key).
 */

import { tensorDevice } from '../device.js';
import { RuntimeError } from '../errors.js';
import { fromValues } from '../ops/creation.js';
import { Tensor } from '../tensor.js';
import { Parameter } from '../nn/parameter.js';
import { ZipArchive } from './zip.js';
import { PyDict, PyGlobal, unpickle, type GlobalFn } from './pickle.js';
import { decodeElements, type WireType } from './codec.js';

/** PyTorch's legacy storage classes and how their bytes are read (torchlab lacks the 16- and 8-bit types, so they widen). */
const storageTypes: Record<string, WireType> = {
  FloatStorage: 'F32', DoubleStorage: 'F64', HalfStorage: 'F16', BFloat16Storage: 'BF16',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

/** A storage of the archive as a flat CPU tensor that the tensors rebuilt from it view. */
class StorageRef {
  constructor(readonly flat: Tensor) {}
}

/** Loads the object pickled in the checkpoint archive `buf` (read from `file`), tensors on the CPU. */
export function loadCheckpoint(buf: Uint8Array, file: string): unknown {
  const zip = new ZipArchive(buf, file);
  const pkl = zip.names().find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkl === undefined) {
    throw new RuntimeError(`PytorchStreamReader failed locating file data.pkl: file not found (file "${file}" is a zip archive but not a PyTorch checkpoint)`);
  }
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const order = zip.entries.has(`${prefix}byteorder`) ? Buffer.from(zip.read(`${prefix}byteorder`)).toString('latin1').trim() : 'little';
  if (order !== 'little') throw new RuntimeError(`"${file}" was saved on a ${order}-endian machine; torchlab reads little-endian checkpoints only`);

  const storages = new Map<string, StorageRef>();
  const bad = (msg: string): never => {
    throw new RuntimeError(`Weights only load failed: ${msg} (file "${file}")`);
  };

  const persistentLoad = (pid: unknown): StorageRef => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) return bad('unsupported persistent id (only tensor storages are read)');
    const [, type, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
    if (!(type instanceof PyGlobal) || typeof key !== 'string' || typeof numel !== 'number') return bad('malformed storage id');
    const cls = type.qualname.replace(/^torch\./, '');
    const wire = storageTypes[cls];
    if (wire === undefined) return bad(`unsupported storage type ${type.qualname}`);
    const cached = storages.get(key);
    if (cached) return cached;
    const name = `${prefix}data/${key}`;
    if (!zip.entries.has(name)) return bad(`storage ${name} is missing from the archive`);
    const bytes = zip.read(name);
    const { values, dtype } = decodeElements(wire, bytes, numel, () => bad(`storage ${name} holds ${bytes.byteLength} bytes, too few for ${numel} elements of ${cls}`));
    const ref = new StorageRef(fromValues(values, [numel], dtype, tensorDevice('cpu')));
    storages.set(key, ref);
    return ref;
  };

  const rebuildTensor = (args: unknown[]): Tensor => {
    const [storage, offset, size, stride, requiresGrad] = args;
    if (!(storage instanceof StorageRef) || typeof offset !== 'number' || !isInts(size) || !isInts(stride) || size.length !== stride.length) {
      return bad('malformed tensor record');
    }
    const n = storage.flat.numel();
    let last = offset;
    for (let i = 0; i < size.length; i++) {
      if (size[i]! < 0 || stride[i]! < 0) return bad('negative size or stride in a tensor record');
      if (size[i] === 0) last = -1;
      if (last >= 0) last += (size[i]! - 1) * stride[i]!;
    }
    if (offset < 0 || (last >= 0 && last >= n)) return bad(`tensor of size [${size.join(', ')}] lies outside its storage of ${n} elements`);
    const t = new Tensor(storage.flat._storage, storage.flat.device, size.slice(), stride.slice(), offset);
    if (requiresGrad === true && t.is_floating_point()) t.requires_grad_(true);
    return t;
  };

  const rebuildParameter = (args: unknown[]): Parameter => {
    const [data, requiresGrad] = args;
    if (!(data instanceof Tensor)) return bad('malformed parameter record');
    return new Parameter(data, requiresGrad !== false);
  };

  const orderedDict: GlobalFn = (args) => {
    const d = new PyDict();
    const items = args[0];
    if (Array.isArray(items)) for (const kv of items) if (Array.isArray(kv) && kv.length === 2) d.map.set(kv[0], kv[1]);
    return d;
  };
  const pySet: GlobalFn = (args) => new Set(Array.isArray(args[0]) ? args[0] : []);
  // protocol 2 pickles bytes as _codecs.encode(text, 'latin1')
  const encode: GlobalFn = (args) => {
    if (typeof args[0] !== 'string' || (args[1] !== 'latin1' && args[1] !== 'latin-1')) return bad('unsupported _codecs.encode call');
    return new Uint8Array(Buffer.from(args[0], 'latin1'));
  };

  const globals: Record<string, GlobalFn | null> = {
    'collections.OrderedDict': orderedDict,
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_tensor': rebuildTensor,
    'torch._utils._rebuild_parameter': rebuildParameter,
    'torch._utils._rebuild_parameter_with_state': rebuildParameter,
    '__builtin__.set': pySet, 'builtins.set': pySet,
    '_codecs.encode': encode,
  };
  for (const cls of Object.keys(storageTypes)) globals[`torch.${cls}`] = null;

  const data = zip.read(pkl);
  return toJs(unpickle(data, { file, globals, persistentLoad }), new Map());
}

function isInts(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isInteger(x));
}

/**
 * Python values as JavaScript ones: dicts with string or integer keys become plain objects (an
 * OrderedDict's `_metadata` kept as a non-enumerable property, as `state_dict()._metadata`),
 * other dicts Maps, tuples and lists arrays, sets Sets.
 */
function toJs(v: unknown, seen: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Tensor || v instanceof Uint8Array) return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (v instanceof PyGlobal) return v.qualname;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(toJs(x, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set<unknown>();
    seen.set(v, out);
    for (const x of v) out.add(toJs(x, seen));
    return out;
  }
  if (v instanceof PyDict) {
    const plain = [...v.map.keys()].every((k) => typeof k === 'string' || typeof k === 'number');
    if (!plain) {
      const out = new Map<unknown, unknown>();
      seen.set(v, out);
      for (const [k, x] of v.map) out.set(toJs(k, seen), toJs(x, seen));
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [k, x] of v.map) Object.defineProperty(out, String(k), { value: toJs(x, seen), enumerable: true, writable: true, configurable: true });
    if (v.state instanceof PyDict && v.state.map.has('_metadata')) {
      Object.defineProperty(out, '_metadata', { value: toJs(v.state.map.get('_metadata'), seen), enumerable: false, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}
