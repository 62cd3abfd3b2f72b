/**
 * A safe unpickler: reads the pickle opcodes that `torch.save` emits for state dicts, tensors and
 * plain Python values (protocols 2 to 5), and resolves globals only from an allow-list given by
 * the caller. Nothing from the file is ever executed; any other global or opcode (the ones that
 * build arbitrary objects) stops the load with an error naming the file.
 */

import { RuntimeError } from '../errors.js';

/** A Python dict (or OrderedDict) while unpickling: any hashable key, insertion order kept. */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  /** attributes set by BUILD (an OrderedDict's `_metadata`) */
  state: unknown = undefined;
}

/** What an allowed global does when called by REDUCE. */
export type GlobalFn = (args: unknown[]) => unknown;

/** A resolved global: its dotted name, and its behaviour when called. */
export class PyGlobal {
  constructor(readonly qualname: string, readonly call: GlobalFn | null) {}
}

export interface UnpickleOptions {
  /** file name for error messages */
  file: string;
  /** allowed globals by `module.name`; a null function may be referenced but not called */
  globals: Record<string, GlobalFn | null>;
  /** resolves BINPERSID ids (PyTorch's storages) */
  persistentLoad?: (pid: unknown) => unknown;
}

/** Unpickles `data` under `opts`' allow-list; see the module comment for what is accepted. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions): unknown {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;

  const fail: (msg: string) => never = (msg) => {
    throw new RuntimeError(`Weights only load failed: ${msg} (file "${opts.file}", pickle byte ${pos}). ` +
      'torchlab reads tensors, state dicts and plain Python values from checkpoints and never runs code stored in them.');
  };
  const need = (n: number): void => {
    if (n < 0 || pos + n > data.byteLength) fail('pickle data was truncated');
  };
  const u8 = (): number => {
    need(1);
    return data[pos++]!;
  };
  const bytes = (n: number): Uint8Array => {
    need(n);
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const u32 = (): number => {
    need(4);
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(data.byteLength)) fail('pickle data was truncated');
    return Number(v);
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('pickle data was truncated');
    const s = Buffer.from(data.subarray(pos, end)).toString('latin1');
    pos = end + 1;
    return s;
  };
  const utf8 = (n: number): string => Buffer.from(bytes(n)).toString('utf8');
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail('unpickling stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('unpickling stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail('could not find MARK');
    return stack.splice(m!);
  };
  const resolve = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!Object.prototype.hasOwnProperty.call(opts.globals, q)) fail(`Unsupported global: GLOBAL ${q} was not an allowed global`);
    return new PyGlobal(q, opts.globals[q]!);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof PyDict)) fail('SETITEMS on an object that is not a dict');
    const d = target as PyDict;
    for (let i = 0; i + 1 < items.length; i += 2) d.map.set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]): void => {
    if (Array.isArray(target)) target.push(...items);
    else if (target instanceof Set) for (const x of items) target.add(x);
    else fail('APPENDS on an object that is not a list');
  };
  const longFrom = (b: Uint8Array): number => {
    if (b.byteLength === 0) return 0;
    let v = 0n;
    for (let i = b.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.byteLength - 1]! & 0x80) v -= 1n << BigInt(8 * b.byteLength);
    return Number(v);
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: bytes(8); break; // FRAME: framing is only a read-ahead hint
      case 0x2e: { // STOP
        if (stack.length !== 1 || marks.length > 0) fail('unbalanced pickle stack at STOP');
        return stack[0];
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
      case 0x64: { const d = new PyDict(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x90: { const items = popMark(); append(top(), items); break; } // ADDITEMS
      case 0x91: stack.push(new Set(popMark())); break; // FROZENSET
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: { need(4); stack.push(dv.getInt32(pos, true)); pos += 4; break; } // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: { need(2); stack.push(dv.getUint16(pos, true)); pos += 2; break; } // BININT2
      case 0x8a: stack.push(longFrom(bytes(u8()))); break; // LONG1
      case 0x8b: { need(4); const n = dv.getInt32(pos, true); pos += 4; stack.push(longFrom(bytes(n))); break; } // LONG4
      case 0x47: { need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT
      case 0x58: stack.push(utf8(u32())); break; // BINUNICODE
      case 0x8c: stack.push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8(u64())); break; // BINUNICODE8
      case 0x54: stack.push(Buffer.from(bytes(u32())).toString('latin1')); break; // BINSTRING (Python 2 str)
      case 0x55: stack.push(Buffer.from(bytes(u8())).toString('latin1')); break; // SHORT_BINSTRING
      case 0x42: stack.push(bytes(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(bytes(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: stack.push(bytes(u64()).slice()); break; // BINBYTES8
      case 0x63: { const module = line(); const name = line(); stack.push(resolve(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolve(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal)) fail('REDUCE on an object that is not an allowed global');
        const g = fn as PyGlobal;
        if (!g.call) fail(`Unsupported call: ${g.qualname} may not be called`);
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        stack.push(g.call!(args as unknown[]));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        if (!(obj instanceof PyDict)) fail('BUILD on an object other than an OrderedDict');
        (obj as PyDict).state = state;
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail('persistent id outside a checkpoint archive');
        stack.push(opts.persistentLoad!(pid));
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo key ${k} was never stored`);
        stack.push(memo.get(k));
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default: {
        pos = at;
        const names: Record<number, string> = {
          0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
          0x50: 'PERSID', 0x49: 'INT', 0x4c: 'LONG', 0x46: 'FLOAT', 0x53: 'STRING', 0x56: 'UNICODE', 0x70: 'PUT', 0x67: 'GET',
          0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
        };
        fail(`Unsupported operand ${names[op] ?? '0x' + op.toString(16).padStart(2, '0')}`);
      }
    }
  }
}
