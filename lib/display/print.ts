/**
 * Python's `print`, `str` and `repr` for the values a notebook meets: tensors print their repr,
 * booleans `True`/`False`, null `None`, arrays as lists, plain objects and Maps as dicts.
 */

import { inspect } from 'node:util';
import { Tensor } from '../tensor.js';
import { floatRepr } from './pyformat.js';

const CUSTOM_INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Characters Python's `str.isprintable()` rejects (the space aside), escaped by `repr`. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Co}\p{Cn}\p{Cs}]/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** Python's `repr(str)`: single quotes unless only double quotes avoid escaping. */
function stringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      out += code < 0x100 ? `\\x${hex(code, 2)}` : code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
    } else out += ch;
  }
  return out + quote;
}

/**
 * JavaScript has one number type: safe integers print as Python ints (`3`), everything else as
 * Python floats (`0.1`, `1e-05`, `nan`).
 */
function numberRepr(x: number): string {
  return Number.isSafeInteger(x) && !Object.is(x, -0) ? String(x) : floatRepr(x);
}

function isPlainObject(x: object): boolean {
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function reprIn(x: unknown, seen: Set<object>): string {
  // callable torchlab objects (nn.Module instances, transforms) carry their Python repr
  if (typeof x === 'function' && typeof (x as unknown as Record<symbol, unknown>)[CUSTOM_INSPECT] === 'function') return inspect(x);
  switch (typeof x) {
    case 'string': return stringRepr(x);
    case 'number': return numberRepr(x);
    case 'bigint': return x.toString();
    case 'boolean': return x ? 'True' : 'False';
    case 'undefined': return 'None';
    case 'symbol': return x.toString();
    case 'function': return `<function ${x.name || '<lambda>'}>`;
  }
  if (x === null) return 'None';
  // through toString, so subclasses (nn.Parameter) print their own repr
  if (x instanceof Tensor) return x.toString();
  const obj = x as object;
  // torchlab's own classes (Size, DType, Device, grad_fn nodes) already print Python's repr
  if (typeof (obj as Record<symbol, unknown>)[CUSTOM_INSPECT] === 'function') return inspect(obj);
  if (obj instanceof Error) return `${obj.name}(${stringRepr(obj.message)})`;
  const isList = Array.isArray(obj) || (ArrayBuffer.isView(obj) && !(obj instanceof DataView));
  if (isList || obj instanceof Map || obj instanceof Set || isPlainObject(obj)) {
    if (seen.has(obj)) return isList ? '[...]' : '{...}';
    seen.add(obj);
    try {
      if (isList) return `[${Array.from(obj as ArrayLike<unknown>, (v) => reprIn(v, seen)).join(', ')}]`;
      if (obj instanceof Set) return obj.size === 0 ? 'set()' : `{${[...obj].map((v) => reprIn(v, seen)).join(', ')}}`;
      const entries = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
      return `{${entries.map(([k, v]) => `${reprIn(k, seen)}: ${reprIn(v, seen)}`).join(', ')}}`;
    } finally {
      seen.delete(obj);
    }
  }
  return inspect(obj);
}

/**
 * Python's `repr(x)`: `repr([1, 0.5, true, 'a', null])` is `"[1, 0.5, True, 'a', None]"`.
 * Differs from Python: integer-valued numbers are ints (`repr(1)` is `'1'`, never `'1.0'`).
 * @example repr(torch.tensor([1, 2])) // 'tensor([1, 2])'
 */
export function repr(x: unknown): string {
  return reprIn(x, new Set());
}

/**
 * Python's `str(x)`: strings as they are, exceptions as their message, objects with their own
 * `toString` (devices, dtypes) through it, everything else as `repr`.
 * @example str(torch.device('cuda:0')) // 'cuda:0'
 */
export function str(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x instanceof Error) return x.message;
  if (typeof x === 'object' && x !== null && !(x instanceof Tensor)) {
    const isContainer = Array.isArray(x) || ArrayBuffer.isView(x) || x instanceof Map || x instanceof Set || isPlainObject(x);
    if (!isContainer && x.toString !== Object.prototype.toString) return String(x);
  }
  return repr(x);
}

/**
 * Python's `print(*args)`: the `str` of each argument joined by spaces, written as one line.
 * Differs from Python: no `sep`/`end`/`file` keywords (a trailing object would be ambiguous
 * with a dict to print); join with `str` yourself for other separators.
 * @example print('loss', 0.25, torch.tensor([1.5, 2])) // loss 0.25 tensor([1.5000, 2.0000])
 */
export function print(...args: unknown[]): void {
  // the '%s' keeps console.log from reading format directives inside the text
  console.log('%s', args.map(str).join(' '));
}
