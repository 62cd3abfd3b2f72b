/**
 * Synchronous calls between the test process and the sandbox process that runs a student's
 * notebook. Each side's objects stay where they were made: the other side sees them as handles
 * wrapped in Proxies (property access, calls, `new`, `in`, `for..of`, spread and `instanceof` all
 * become requests), while primitives, arrays, plain objects and typed arrays are copied. A call
 * blocks its thread (Atomics.wait on a word that the IO thread bumps for each message) and, while
 * it waits, serves the other side's requests: a callback passed to the notebook that calls back
 * into the notebook works to any depth. The sockets live in an IO worker thread (sandbox_io.ts),
 * which keeps reading while the main thread is blocked.
 */

import { inspect } from 'node:util';
import { receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';

/** A property key on the wire: a string, or a well-known (`Symbol.iterator`) or registered (`Symbol.for`) symbol. */
export type WireKey = string | { sym: string; registered: boolean };

/**
 * A value on the wire (structured-clone data). `o` on a reference says who owns the object:
 * `s` the sender (the receiver makes a proxy), `r` the receiver (it looks the object up).
 */
export type Wire =
  | undefined
  | null
  | boolean
  | number
  | string
  | bigint
  | { k: 'arr'; items: Wire[] }
  | { k: 'obj'; entries: [string, Wire][] }
  | { k: 'bytes'; type: string; bytes: ArrayBuffer }
  | { k: 'buf'; bytes: ArrayBuffer }
  | { k: 'sym'; sym: string; registered: boolean }
  | { k: 'ref'; o: 's' | 'r'; id: number; fn: boolean }
  | { k: 'err'; o: 's' | 'r'; id: number; name: string; message: string; frames: string[] };

export type Op = 'get' | 'set' | 'has' | 'delete' | 'keys' | 'desc' | 'proto' | 'apply' | 'construct' | 'inspect';

/** Why a notebook did not load in the sandbox: the cell and its error, or a failure outside the cells. */
export interface LoadFailure {
  cellIndex: number | null;
  ename: string;
  evalue: string;
  traceback: string[];
}

export type PeerMessage =
  | { t: 'call'; id: number; op: Op; target: number; key?: WireKey; args?: Wire[]; self?: Wire; value?: Wire }
  | { t: 'ret'; id: number; ok: boolean; value: Wire }
  | { t: 'rel'; refs: [number, number][] }
  | { t: 'ready'; ok: true; exports: Wire }
  | { t: 'ready'; ok: false; failure: LoadFailure };

/** What the IO thread posts to the main thread (each followed by a bump of the signal word). */
export type FromIo =
  | { t: 'msg'; m: PeerMessage }
  | { t: 'out'; fd: 1 | 2; text: string }
  | { t: 'spawned'; pid: number }
  | { t: 'exit'; code: number | null; signal: string | null; stderr: string; /** the reason, when the IO thread knows it */ error?: string };

/** What the main thread asks of the IO thread. */
export type ToIo = { t: 'send'; m: PeerMessage } | { t: 'reset-output' };

/** The main thread's end of an IO thread: send messages, and block until the next one arrives. */
export class Channel {
  private readonly signal: Int32Array;

  constructor(readonly worker: Worker, private readonly port: MessagePort, signal: SharedArrayBuffer) {
    this.signal = new Int32Array(signal);
  }

  post(m: ToIo): void {
    this.worker.postMessage(m);
  }

  /** The next message from the IO thread, or null once `deadline` (ms since the epoch) has passed. */
  next(deadline: number): FromIo | null {
    for (;;) {
      // read the counter before looking, so that a message posted in between ends the wait at once
      const seen = Atomics.load(this.signal, 0);
      const r = receiveMessageOnPort(this.port);
      if (r !== undefined) return r.message as FromIo;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      Atomics.wait(this.signal, 0, seen, Number.isFinite(left) ? left : undefined);
    }
  }

  /** Hands messages that arrive while the main thread is idle to `handler`. */
  listen(handler: (m: FromIo) => void, keepAlive: boolean): void {
    this.port.on('message', handler);
    if (!keepAlive) this.port.unref();
  }

  close(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

/** A handle to an object of the other side. `forward` replaces it once re-resolved after a restart. */
export interface RemoteRef {
  peer: Peer;
  id: number;
  fn: boolean;
  /** How many times this proxy's id arrived; given back on release so that the owner's count stays right. */
  received: number;
  /** The names that lead to the object from the notebook's declarations, if it was reached that way. */
  path: WireKey[] | null;
  forward: object | null;
}

export interface PeerHooks {
  /** Called before each message to the other side is posted (the sandbox starts a test's output budget there). */
  beforeSend?(): void;
  /** Called when a blocking wait begins and ends (waits nest while callbacks are served). */
  enter?(): void;
  leave?(): void;
  /** When the blocking call in progress must give up (ms since the epoch; Infinity: never). */
  deadline(): number;
  /** Called when the deadline passed: stops the other side, and returns the error the call throws. */
  timedOut(peer: Peer): Error;
  /** Messages other than the peer protocol's: output and the other side's exit. */
  other(m: FromIo, peer: Peer): void;
  /** A handle of a peer that is gone: the same object in the current peer, or an error. */
  stale?(ref: RemoteRef): RemoteRef;
  /** Stack frames to report for an error thrown on this side (default: its stack's `at` lines). */
  frames?(e: Error): string[];
  /** A rewrite of an error's message before it crosses (the sandbox names its memory limit). */
  message?(e: Error): string;
}

const proxyRefs = new WeakMap<object, RemoteRef>();
const errorRefs = new WeakMap<object, RemoteRef>();
const targetRefs = new WeakMap<object, RemoteRef>();

/** The remote handle behind a proxy made by any peer, or undefined for an ordinary object. */
export function remoteRef(value: unknown): RemoteRef | undefined {
  return (typeof value === 'object' || typeof value === 'function') && value !== null ? proxyRefs.get(value) : undefined;
}

const WELL_KNOWN = new Map<symbol, string>();
for (const name of Object.getOwnPropertyNames(Symbol)) {
  const v = (Symbol as unknown as Record<string, unknown>)[name];
  if (typeof v === 'symbol') WELL_KNOWN.set(v, name);
}

function encodeSymbol(s: symbol): { sym: string; registered: boolean } | null {
  const wk = WELL_KNOWN.get(s);
  if (wk !== undefined) return { sym: wk, registered: false };
  const reg = Symbol.keyFor(s);
  return reg === undefined ? null : { sym: reg, registered: true };
}

function decodeSymbol(k: { sym: string; registered: boolean }): symbol {
  if (k.registered) return Symbol.for(k.sym);
  const s = (Symbol as unknown as Record<string, unknown>)[k.sym];
  if (typeof s !== 'symbol') throw new TypeError(`unknown well-known symbol Symbol.${k.sym}`);
  return s;
}

function encodeKey(key: string | symbol): WireKey | null {
  return typeof key === 'string' ? key : encodeSymbol(key);
}

export function decodeKey(key: WireKey | undefined): string | symbol {
  if (key === undefined) throw new TypeError('a property request without a key');
  return typeof key === 'string' ? key : decodeSymbol(key);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const VIEW_TYPES: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
};

const ERROR_CLASSES: Record<string, ErrorConstructor> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** The `at` lines of an error's stack. */
function stackFrames(e: Error): string[] {
  return typeof e.stack === 'string' ? e.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
}

/** Frames of this module and of the IO machinery say nothing about the user's code. */
const OWN_FRAME = /[\\/]kernel[\\/]sandbox(?:_rpc|_main|_io)?\.[jt]s|\bnode:internal\b|\bat new Promise \(<anonymous>\)/;

/**
 * One side of a connection: the objects it has handed out (by id, counted), the proxies it holds for
 * the other side's objects, and the blocking request loop.
 */
export class Peer {
  /** Why this side can no longer talk to the other (its process is gone), or null. */
  dead: string | null = null;
  private nextObject = 1;
  private nextCall = 1;
  private readonly exported = new Map<number, { value: object; count: number }>();
  private readonly ids = new Map<object, number>();
  private readonly proxies = new Map<number, WeakRef<object>>();
  private readonly early = new Map<number, Extract<PeerMessage, { t: 'ret' }>>();
  private readonly registry = new FinalizationRegistry<RemoteRef>((ref) => this.finalized(ref));
  private readonly handler: ProxyHandler<object>;
  /** The first `ready` message (the sandbox's loaded notebook), for the client. */
  ready: Extract<PeerMessage, { t: 'ready' }> | null = null;

  /**
   * Which plain objects go as copies: `always` (the tests' options objects, which the library
   * recognises by their prototype) or only `data` that holds no object of this side (so that the
   * notebook's namespaces and iterator results stay live, and can be found again after a restart).
   * `serves` limits what the other side may do with this side's objects: the tests let the
   * notebook only call the functions they pass it (reading `f.constructor` would hand it the test
   * process's `Function`, and so everything the tests can reach).
   */
  constructor(readonly channel: Channel, readonly hooks: PeerHooks, private readonly copyObjects: 'always' | 'data', private readonly serves: ReadonlySet<Op> | 'all' = 'all') {
    this.handler = makeHandler();
  }

  /** Starts serving requests that arrive while this thread is idle. */
  listen(keepAlive: boolean): void {
    this.channel.listen((m) => this.dispatch(m), keepAlive);
  }

  send(m: PeerMessage): void {
    if (this.dead !== null) return;
    this.hooks.beforeSend?.();
    this.channel.post({ t: 'send', m });
  }

  // ---- values ----

  /** `value` as wire data: copies of plain data, handles for everything else. */
  encode(value: unknown, seen: object[] = []): Wire {
    if (value === null || value === undefined) return value;
    switch (typeof value) {
      case 'boolean':
      case 'number':
      case 'string':
      case 'bigint':
        return value;
      case 'symbol': {
        const s = encodeSymbol(value);
        if (s === null) throw new TypeError(`${String(value)} cannot be passed between the tests and the notebook (only well-known and Symbol.for symbols can)`);
        return { k: 'sym', ...s };
      }
      default:
        break;
    }
    const obj = value as object;
    const remote = proxyRefs.get(obj);
    if (remote !== undefined) {
      const live = liveRef(remote);
      if (live.peer === this) return { k: 'ref', o: 'r', id: live.id, fn: live.fn };
      // a proxy of another connection (a second notebook) is an object of this side for the peer
      return this.exportRef(obj);
    }
    if (obj instanceof Error) return this.encodeError(obj);
    if (seen.includes(obj)) return this.exportRef(obj);
    if (Array.isArray(obj)) {
      seen.push(obj);
      const items: Wire[] = [];
      for (let i = 0; i < obj.length; i++) items.push(this.encode(obj[i], seen));
      seen.pop();
      return { k: 'arr', items };
    }
    if (ArrayBuffer.isView(obj)) {
      // a copy of the view's bytes only: it may look into a larger (or WebAssembly) buffer
      const type = obj instanceof DataView ? 'DataView' : Object.hasOwn(VIEW_TYPES, obj.constructor.name) ? obj.constructor.name : 'Uint8Array';
      return { k: 'bytes', type, bytes: new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength).slice().buffer };
    }
    if (obj instanceof ArrayBuffer) return { k: 'buf', bytes: obj };
    if (typeof obj !== 'function' && isPlainObject(obj) && (this.copyObjects === 'always' || this.isData(obj, []))) {
      seen.push(obj);
      const entries: [string, Wire][] = Object.keys(obj).map((k) => [k, this.encode((obj as Record<string, unknown>)[k], seen)]);
      seen.pop();
      return { k: 'obj', entries };
    }
    return this.exportRef(obj);
  }

  /** Whether `v` is plain data: primitives, arrays, plain objects and typed arrays, or objects of the other side. */
  private isData(v: unknown, seen: object[]): boolean {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return typeof v !== 'symbol';
    const ref = proxyRefs.get(v);
    if (ref !== undefined) return liveRef(ref).peer === this;
    if (typeof v === 'function' || seen.includes(v)) return false;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return true;
    if (!Array.isArray(v) && !isPlainObject(v)) return false;
    seen.push(v);
    const ok = Array.isArray(v) ? v.every((x) => this.isData(x, seen)) : Object.keys(v).every((k) => this.isData((v as Record<string, unknown>)[k], seen));
    seen.pop();
    return ok;
  }

  /** The notebook's declarations: always a copy of the object, whatever its values are. */
  encodeExports(exports: Record<string, unknown>): Wire {
    return { k: 'obj', entries: Object.keys(exports).map((k) => [k, this.encode(exports[k])]) };
  }

  /** A handle to `obj`, never a copy (prototypes, cyclic data). */
  private exportRef(obj: object): Wire {
    return { k: 'ref', o: 's', id: this.export(obj), fn: typeof obj === 'function' };
  }

  private export(obj: object): number {
    let id = this.ids.get(obj);
    if (id === undefined) {
      id = this.nextObject++;
      this.ids.set(obj, id);
      this.exported.set(id, { value: obj, count: 0 });
    }
    this.exported.get(id)!.count++;
    return id;
  }

  private encodeError(e: Error): Wire {
    const remote = errorRefs.get(e);
    if (remote !== undefined && remote.peer === this && this.dead === null) {
      return { k: 'err', o: 'r', id: remote.id, name: e.name, message: e.message, frames: [] };
    }
    let name = 'Error';
    let message = '';
    let frames: string[] = [];
    try {
      name = typeof e.name === 'string' && e.name !== '' ? e.name : 'Error';
      message = this.hooks.message?.(e) ?? String(e.message);
      frames = (this.hooks.frames?.(e) ?? stackFrames(e)).filter((l) => !OWN_FRAME.test(l));
    } catch {
      // an error object whose properties throw: send what was read
    }
    return { k: 'err', o: 's', id: this.export(e), name, message, frames };
  }

  decode(w: Wire): unknown {
    if (w === null || typeof w !== 'object') return w;
    switch (w.k) {
      case 'arr':
        return w.items.map((item) => this.decode(item));
      case 'obj': {
        const out: Record<string, unknown> = {};
        // defineProperty: a key named `__proto__` stays a key
        for (const [k, v] of w.entries) Object.defineProperty(out, k, { value: this.decode(v), enumerable: true, writable: true, configurable: true });
        return out;
      }
      case 'bytes':
        return new (Object.hasOwn(VIEW_TYPES, w.type) ? VIEW_TYPES[w.type]! : Uint8Array)(w.bytes);
      case 'buf':
        return w.bytes;
      case 'sym':
        return decodeSymbol(w);
      case 'ref':
        return w.o === 'r' ? this.local(w.id) : this.proxy(w.id, w.fn);
      case 'err':
        return w.o === 'r' ? this.local(w.id) : this.remoteError(w);
    }
  }

  private local(id: number): object {
    const e = this.exported.get(id);
    if (e === undefined) throw new Error(`internal error: object #${id} was released but is still in use`);
    return e.value;
  }

  /** The proxy for the other side's object `id` (one per id while it lives, so identity holds). */
  private proxy(id: number, fn: boolean): object {
    const existing = this.proxies.get(id)?.deref();
    if (existing !== undefined) {
      proxyRefs.get(existing)!.received++;
      return existing;
    }
    const ref: RemoteRef = { peer: this, id, fn, received: 1, path: null, forward: null };
    // a function target makes the proxy callable and constructible; its own `prototype` is forwarded
    const target = fn ? function remote(): void {} : {};
    targetRefs.set(target, ref);
    // util.inspect (console.log) formats a proxy's target, not through the traps: it asks the owner
    Object.defineProperty(target, inspect.custom, {
      value: (): unknown => {
        try {
          const live = liveRef(ref);
          return live.peer.request(live, 'inspect');
        } catch (e) {
          return `[object of the notebook: ${e instanceof Error ? e.message : String(e)}]`;
        }
      },
      configurable: true,
    });
    const p = new Proxy(target, this.handler);
    proxyRefs.set(p, ref);
    this.proxies.set(id, new WeakRef(p));
    this.registry.register(p, ref);
    return p;
  }

  private remoteError(w: Extract<Wire, { k: 'err' }>): Error {
    const Ctor = Object.hasOwn(ERROR_CLASSES, w.name) ? ERROR_CLASSES[w.name]! : Error;
    const e = new Ctor(w.message);
    if (e.name !== w.name) Object.defineProperty(e, 'name', { value: w.name, writable: true, configurable: true, enumerable: false });
    const here = stackFrames(e).filter((l) => !OWN_FRAME.test(l));
    e.stack = [`${w.name}: ${w.message}`, ...w.frames, ...here].join('\n');
    const ref: RemoteRef = { peer: this, id: w.id, fn: false, received: 1, path: null, forward: null };
    errorRefs.set(e, ref);
    this.registry.register(e, ref);
    return e;
  }

  private finalized(ref: RemoteRef): void {
    if (ref.peer !== this) return;
    const current = this.proxies.get(ref.id);
    if (current !== undefined && current.deref() === undefined) this.proxies.delete(ref.id);
    this.send({ t: 'rel', refs: [[ref.id, ref.received]] });
  }

  private release(refs: [number, number][]): void {
    for (const [id, n] of refs) {
      const e = this.exported.get(id);
      if (e === undefined) continue;
      e.count -= n;
      if (e.count <= 0) {
        this.exported.delete(id);
        this.ids.delete(e.value);
      }
    }
  }

  // ---- requests ----

  /** Sends a request about the other side's object `ref` and blocks until its answer. */
  request(ref: RemoteRef, op: Op, fields: { key?: string | symbol; args?: readonly unknown[]; self?: unknown; value?: unknown } = {}): unknown {
    const m: Extract<PeerMessage, { t: 'call' }> = { t: 'call', id: this.nextCall++, op, target: ref.id };
    if (fields.key !== undefined) {
      const key = encodeKey(fields.key);
      if (key === null) return undefined;
      m.key = key;
    }
    if (fields.args !== undefined) m.args = fields.args.map((a) => this.encode(a));
    if ('self' in fields) m.self = this.encode(fields.self);
    if ('value' in fields) m.value = this.encode(fields.value);
    this.send(m);
    const reply = this.await(m.id);
    const value = this.decode(reply.value);
    if (!reply.ok) throw value;
    return value;
  }

  /** Blocks until the answer to request `id`, serving the other side's requests meanwhile. */
  private await(id: number): Extract<PeerMessage, { t: 'ret' }> {
    return this.waitFor(() => {
      const got = this.early.get(id);
      if (got !== undefined) this.early.delete(id);
      return got;
    });
  }

  /** Blocks until the sandbox says whether the notebook loaded. */
  awaitReady(): Extract<PeerMessage, { t: 'ready' }> {
    return this.waitFor(() => this.ready ?? undefined);
  }

  private waitFor<T>(done: () => T | undefined): T {
    this.hooks.enter?.();
    try {
      for (;;) {
        const got = done();
        if (got !== undefined) return got;
        if (this.dead !== null) throw new Error(this.dead);
        const m = this.channel.next(this.hooks.deadline());
        if (m === null) throw this.hooks.timedOut(this);
        this.dispatch(m);
      }
    } finally {
      this.hooks.leave?.();
    }
  }

  private dispatch(m: FromIo): void {
    if (m.t !== 'msg') {
      this.hooks.other(m, this);
      return;
    }
    const msg = m.m;
    switch (msg.t) {
      case 'call':
        this.serve(msg);
        break;
      case 'ret':
        this.early.set(msg.id, msg);
        break;
      case 'rel':
        this.release(msg.refs);
        break;
      case 'ready':
        this.ready = msg;
        break;
    }
  }

  private serve(m: Extract<PeerMessage, { t: 'call' }>): void {
    let reply: PeerMessage;
    try {
      reply = { t: 'ret', id: m.id, ok: true, value: this.perform(m) };
    } catch (e) {
      let value: Wire;
      try {
        value = this.encode(e);
      } catch {
        value = { k: 'err', o: 's', id: this.export(new Error(String(e))), name: 'Error', message: String(e), frames: [] };
      }
      reply = { t: 'ret', id: m.id, ok: false, value };
    }
    this.send(reply);
  }

  private perform(m: Extract<PeerMessage, { t: 'call' }>): Wire {
    if (this.serves !== 'all' && !this.serves.has(m.op)) {
      throw new TypeError(`the notebook may only call the functions that the tests pass it (it asked for '${m.op}')`);
    }
    const obj = this.local(m.target);
    const args = (): unknown[] => (m.args ?? []).map((a) => this.decode(a));
    switch (m.op) {
      case 'get':
        return this.encode(Reflect.get(obj, decodeKey(m.key)));
      case 'set':
        return Reflect.set(obj, decodeKey(m.key), this.decode(m.value));
      case 'has':
        return Reflect.has(obj, decodeKey(m.key));
      case 'delete':
        return Reflect.deleteProperty(obj, decodeKey(m.key));
      case 'keys': {
        const keys: Wire[] = [];
        for (const k of Reflect.ownKeys(obj)) {
          const w = encodeKey(k);
          if (w !== null) keys.push(typeof w === 'string' ? w : { k: 'sym', ...w });
        }
        return { k: 'arr', items: keys };
      }
      case 'desc': {
        const d = Reflect.getOwnPropertyDescriptor(obj, decodeKey(m.key));
        if (d === undefined) return undefined;
        return { k: 'arr', items: [d.enumerable === true, d.writable === true, 'get' in d || 'set' in d, 'value' in d ? this.encode(d.value) : undefined] };
      }
      case 'proto': {
        const p = Reflect.getPrototypeOf(obj);
        return p === null ? null : this.exportRef(p);
      }
      case 'apply':
        return this.encode(Reflect.apply(obj as (...a: unknown[]) => unknown, this.decode(m.self), args()));
      case 'construct':
        return this.encode(Reflect.construct(obj as new (...a: unknown[]) => object, args()));
      case 'inspect':
        return inspect(obj);
    }
  }
}

/** The handle to use now: itself, what it forwards to, or (after a restart) its re-resolution. */
function liveRef(ref: RemoteRef): RemoteRef {
  let r = ref;
  while (r.forward !== null) r = proxyRefs.get(r.forward)!;
  if (r.peer.dead === null) return r;
  const fresh = r.peer.hooks.stale?.(r);
  if (fresh === undefined) throw new Error(r.peer.dead);
  return fresh;
}

/** Proxy traps that turn each operation on a remote object into a request to its owner. */
function makeHandler(): ProxyHandler<object> {
  const refOf = (target: object): RemoteRef => liveRef(targetRefs.get(target)!);
  return {
    get(target, key) {
      const ref = refOf(target);
      const value = ref.peer.request(ref, 'get', { key });
      // remember how the object was reached from the notebook's names, to find it again after a restart
      const got = remoteRef(value);
      const k = encodeKey(key);
      if (got !== undefined && got.path === null && ref.path !== null && k !== null && got !== ref) got.path = [...ref.path, k];
      return value;
    },
    set(target, key, value) {
      const ref = refOf(target);
      return ref.peer.request(ref, 'set', { key, value }) === true;
    },
    has(target, key) {
      const ref = refOf(target);
      return ref.peer.request(ref, 'has', { key }) === true;
    },
    deleteProperty(target, key) {
      const ref = refOf(target);
      return ref.peer.request(ref, 'delete', { key }) === true;
    },
    defineProperty(target, key, desc) {
      const ref = refOf(target);
      return ref.peer.request(ref, 'set', { key, value: desc.value }) === true;
    },
    ownKeys(target) {
      const ref = refOf(target);
      const keys = ref.peer.request(ref, 'keys') as (string | symbol)[];
      // the target's own non-configurable keys (a function's `prototype`) must be listed
      for (const k of Reflect.ownKeys(target)) {
        if (Reflect.getOwnPropertyDescriptor(target, k)?.configurable === false && !keys.includes(k)) keys.push(k);
      }
      return keys;
    },
    getOwnPropertyDescriptor(target, key) {
      const ref = refOf(target);
      const d = ref.peer.request(ref, 'desc', { key }) as [boolean, boolean, boolean, unknown] | undefined;
      const own = Reflect.getOwnPropertyDescriptor(target, key);
      if (own !== undefined && own.configurable === false) {
        return { ...own, value: d === undefined ? own.value : d[3] };
      }
      if (d === undefined) return undefined;
      const [enumerable, writable, accessor, value] = d;
      return { value: accessor ? ref.peer.request(ref, 'get', { key }) : value, writable: writable || accessor, enumerable, configurable: true };
    },
    getPrototypeOf(target) {
      const ref = refOf(target);
      return ref.peer.request(ref, 'proto') as object | null;
    },
    setPrototypeOf() {
      return false;
    },
    apply(target, self, args) {
      const ref = refOf(target);
      return ref.peer.request(ref, 'apply', { self, args });
    },
    construct(target, args) {
      const ref = refOf(target);
      return ref.peer.request(ref, 'construct', { args }) as object;
    },
  };
}
