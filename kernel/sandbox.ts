/**
 * Loading a notebook into a sandbox process: the test side of `loadNotebook(path, { sandbox })`.
 *
 * The notebook runs in a separate Node.js process (sandbox_main.ts) whose working directory is a
 * fresh folder (in `TORCHLAB_SANDBOX_DIR`, which the grader sets and removes, else the temp folder)
 * holding only a copy of the notebook (and `data`, a link to the assignment's data folder when one
 * is given), with a scrubbed environment, a memory limit, and, when the tests run
 * as root, as the unprivileged user `nobody`: files that only root can read (the grader's copy
 * of the tests, in a 0700 folder) are out of its reach. Without root it runs as the same user and
 * can read whatever the tests can, so hiding files needs root, as in Gradescope's container.
 *
 * What the notebook declares comes back as proxies (sandbox_rpc.ts): calls block until the
 * sandbox answers, within the time left to the running vitest test. When that runs out the
 * sandbox is killed (which stops any loop), the call throws `time limit of N s exceeded`, and the
 * next use of the notebook's names starts a fresh sandbox that runs the notebook again, so the
 * other tests still run.
 */

import { chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { IoData, SpawnSpec } from './sandbox_io.js';
import { V8_HEAP_FLAGS, withMallocTunables } from './malloc.js';
import type { SandboxConfig } from './sandbox_main.js';
import { Channel, decodeKey, Peer, remoteRef, type FromIo, type LoadFailure, type Op, type RemoteRef } from './sandbox_rpc.js';

/** Limits of a sandboxed notebook. The grader passes its own through the environment (`TORCHLAB_*`). */
export interface SandboxOptions {
  /**
   * Seconds that one test may spend, counted from its start: the smaller of this and the test's
   * vitest timeout. Outside a test (loading in `beforeAll`) it bounds each call.
   * Default: `TORCHLAB_TIME_LIMIT`, else 120 (the test's own timeout still applies).
   */
  timeLimit?: number;
  /** Megabytes of memory: the JavaScript heap and all the process's data (tensors). Default: `TORCHLAB_MEMORY_LIMIT`, else 4096. */
  memoryLimit?: number;
  /** Bytes of the notebook's output (stdout and stderr) passed on per test. Default: `TORCHLAB_OUTPUT_LIMIT`, else 65536. */
  outputLimit?: number;
  /** A folder that the notebook sees as `data` in its working directory (say, MNIST's parent). */
  data?: string;
}

/** What the loader passes on: the cells to skip and the library the prelude imports. */
export interface SandboxLoad {
  skipTags?: readonly string[];
  lib: string;
}

/** The notebook's declarations, as `loadNotebook` returns them. */
type Exports = Record<string, any>;

/** Why a notebook did not load: the cell (0-based index among all cells) and its error. */
type NotebookErrorClass = new (cellIndex: number, ename: string, evalue: string, traceback: readonly string[]) => Error;

const DEFAULT_TIME_LIMIT = 120;
const DEFAULT_MEMORY_LIMIT = 4096;
const DEFAULT_OUTPUT_LIMIT = 64 * 1024;
/** Seconds that loading the notebook may take at least (type-checking its cells takes a few). */
const MIN_LOAD_TIME = 120;
/** What the notebook may do with the tests' objects: call the functions they pass it, and print them. */
const NOTEBOOK_MAY: ReadonlySet<Op> = new Set<Op>(['apply', 'inspect']);
/** Signs in a dead sandbox's stderr that V8 ran out of memory. */
const HEAP_EXHAUSTED = /heap out of memory|Reached heap limit|Fatal process out of memory|Allocation failed - /i;

function envNumber(name: string): number | undefined {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && process.env[name] !== '' && v > 0 ? v : undefined;
}

/** A built kernel file: next to this module when it runs from dist/, else in dist/kernel/ (tests run the sources). */
function builtFile(name: string): string {
  const here = fileURLToPath(new URL(`./${name}`, import.meta.url));
  if (existsSync(here)) return here;
  const built = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'kernel', name);
  if (!existsSync(built)) throw new Error(`the sandbox needs the built kernel (${built}): run npm run build`);
  return built;
}

/** The user that sandboxes run as when the tests run as root: `nobody`. */
function nobody(): { uid: number; gid: number } {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === 'nobody' && f.length > 3) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // no passwd file: the usual ids
  }
  return { uid: 65534, gid: 65534 };
}

/** The environment the sandbox gets: PATH, locale and Node's variables, without NODE_OPTIONS (it could lift the limits). */
function scrubbedEnv(workdir: string, asNobody: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k === 'PATH' || k === 'LANG' || k === 'LC_ALL' || k === 'TZ' || (k.startsWith('NODE_') && k !== 'NODE_OPTIONS')) env[k] = v;
  }
  env.HOME = asNobody || process.env.HOME === undefined ? workdir : process.env.HOME;
  env.TMPDIR = workdir;
  // as the kernelspec does: freed tensor memory is reused (kernel/malloc.ts)
  env.GLIBC_TUNABLES = withMallocTunables(process.env.GLIBC_TUNABLES);
  return env;
}

/** What vitest says about the running test: its identity, when it started and its timeout. */
interface RunningTest {
  key: object;
  start: number;
  timeout: number;
}

type CurrentTest = () => RunningTest | null;

/** Vitest's running test, read through its public `TestRunner.getCurrentTest` (null outside vitest or a test). */
async function vitestClock(): Promise<CurrentTest> {
  try {
    // a computed specifier: vitest is only there when tests run, and the kernel does not depend on it
    const spec = 'vitest';
    const mod = (await import(spec)) as { TestRunner?: { getCurrentTest?: () => { timeout?: number; result?: { startTime?: number } } | undefined } };
    const get = mod.TestRunner?.getCurrentTest;
    if (typeof get !== 'function') return () => null;
    const firstSeen = new WeakMap<object, number>();
    return () => {
      const t = get();
      if (t === undefined || t === null) return null;
      let start = t.result?.startTime;
      if (typeof start !== 'number') {
        start = firstSeen.get(t) ?? Date.now();
        firstSeen.set(t, start);
      }
      return { key: t, start, timeout: typeof t.timeout === 'number' && t.timeout > 0 ? t.timeout : Number.POSITIVE_INFINITY };
    };
  } catch {
    return () => null;
  }
}

/** Sandboxes of this process, killed when it exits. */
const live = new Set<Sandbox>();
let exitHook = false;

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

/** One notebook's sandbox: the process that runs it now, restarted after it was killed. */
class Sandbox {
  private peer: Peer | null = null;
  private pid: number | null = null;
  private workdir: string | null = null;
  /** The notebook's declarations in the current process, for handles that outlive a restart. */
  private roots: Exports = {};
  private depth = 0;
  private callStart = 0;
  private lastTest: object | null = null;
  /** Set while the notebook loads: its own limit, not the test's. */
  private loadStart: number | null = null;
  /** Time the running test spent waiting for restarts, which does not count against it. */
  private restartTime = 0;
  private readonly timeLimit: number;
  private readonly memoryLimit: number;
  private readonly outputLimit: number;
  private readonly user: { uid: number; gid: number } | null;
  private starts = 0;

  constructor(private readonly notebook: string, private readonly load: SandboxLoad, private readonly options: SandboxOptions, private readonly currentTest: CurrentTest, private readonly NotebookError: NotebookErrorClass) {
    this.timeLimit = (options.timeLimit ?? envNumber('TORCHLAB_TIME_LIMIT') ?? DEFAULT_TIME_LIMIT) * 1000;
    this.memoryLimit = Math.round(options.memoryLimit ?? envNumber('TORCHLAB_MEMORY_LIMIT') ?? DEFAULT_MEMORY_LIMIT);
    this.outputLimit = Math.round(options.outputLimit ?? envNumber('TORCHLAB_OUTPUT_LIMIT') ?? DEFAULT_OUTPUT_LIMIT);
    this.user = typeof process.getuid === 'function' && process.getuid() === 0 ? nobody() : null;
  }

  /** Starts the sandbox process and waits (blocking) until the notebook has run; returns its declarations. */
  start(): Exports {
    this.stop();
    const test = this.noteTest();
    this.starts++;
    const workdir = mkdtempSync(join(process.env.TORCHLAB_SANDBOX_DIR || tmpdir(), 'torchlab-sandbox-'));
    this.workdir = workdir;
    const copy = join(workdir, basename(this.notebook));
    copyFileSync(this.notebook, copy);
    if (this.options.data !== undefined) symlinkSync(realpathSync(this.options.data), join(workdir, 'data'));
    if (this.user !== null) {
      chownSync(workdir, this.user.uid, this.user.gid);
      chownSync(copy, this.user.uid, this.user.gid);
    }
    const config: SandboxConfig = { notebook: copy, skipTags: [...(this.load.skipTags ?? ['test', 'slow'])], lib: this.load.lib, memoryLimit: this.memoryLimit };
    const node = [process.execPath, ...V8_HEAP_FLAGS, `--max-old-space-size=${this.memoryLimit}`, builtFile('sandbox_main.js'), JSON.stringify(config)];
    // the data limit (RLIMIT_DATA) also bounds tensors' buffers and WebAssembly memory, which live outside V8's heap
    const spawn: SpawnSpec = existsSync('/bin/sh')
      ? { command: '/bin/sh', args: ['-c', 'ulimit -d "$1" 2>/dev/null; shift; exec "$@"', 'torchlab-sandbox', String(this.memoryLimit * 1024), ...node], cwd: workdir, env: scrubbedEnv(workdir, this.user !== null) }
      : { command: node[0]!, args: node.slice(1), cwd: workdir, env: scrubbedEnv(workdir, this.user !== null) };
    if (this.user !== null) Object.assign(spawn, this.user);
    const signal = new SharedArrayBuffer(4);
    const { port1, port2 } = new MessageChannel();
    const data: IoData = { mode: 'parent', port: port2, signal, spawn, outputLimit: this.outputLimit };
    const worker = new Worker(builtFile('sandbox_io.js'), { workerData: data, transferList: [port2] });
    worker.unref();
    worker.on('error', () => undefined);
    const peer = new Peer(new Channel(worker, port1, signal), {
      // a call's output must count against the test that makes it: the budget resets before the call is posted
      beforeSend: () => {
        this.noteTest();
      },
      enter: () => {
        if (this.depth++ === 0) this.callStart = Date.now();
      },
      leave: () => {
        this.depth--;
      },
      deadline: () => this.deadline(),
      timedOut: (p) => this.timedOut(p),
      other: (m, p) => this.other(m, p),
      stale: (ref) => this.resolveStale(ref),
    }, 'always', NOTEBOOK_MAY);
    this.peer = peer;
    peer.listen(false);
    live.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const s of live) s.stop();
      });
    }
    this.loadStart = Date.now();
    let ready: ReturnType<Peer['awaitReady']>;
    try {
      ready = peer.awaitReady();
    } finally {
      if (test !== null) this.restartTime += Date.now() - this.loadStart;
      this.loadStart = null;
    }
    if (!ready.ok) {
      this.stop();
      throw this.loadError(ready.failure);
    }
    const roots = peer.decode(ready.exports) as Exports;
    for (const [name, value] of Object.entries(roots)) {
      const ref = remoteRef(value);
      if (ref !== undefined && ref.path === null) ref.path = [name];
    }
    this.roots = roots;
    return roots;
  }

  private loadError(f: LoadFailure): Error {
    const again = this.starts > 1 ? 'the notebook did not load again after its sandbox was restarted: ' : '';
    if (f.cellIndex !== null && again === '') return new this.NotebookError(f.cellIndex, f.ename, f.evalue, f.traceback);
    return new Error(`${again}${f.cellIndex === null ? '' : `cell ${f.cellIndex} failed: `}${f.ename}: ${f.evalue}`);
  }

  /** Kills the sandbox process (if any) and removes its folder. */
  stop(): void {
    let killed = false;
    if (this.pid !== null) {
      try {
        process.kill(this.pid, 'SIGKILL');
        killed = true;
      } catch {
        // gone already
      }
      this.pid = null;
    }
    if (this.peer !== null) {
      this.peer.dead ??= 'the sandbox was stopped';
      // the IO thread stays until it has seen the process exit (and reaped it); without a pid,
      // ending the thread closes the socket, on which the sandbox kills itself
      if (!killed) this.peer.channel.close();
      this.peer = null;
    }
    if (this.workdir !== null) {
      rmSync(this.workdir, { recursive: true, force: true });
      this.workdir = null;
    }
    live.delete(this);
  }

  /** The time limit that applies now, in ms: the test's (from its start), or a call's outside tests. */
  private limit(): { ms: number; start: number } {
    if (this.loadStart !== null) return { ms: Math.max(this.timeLimit, MIN_LOAD_TIME * 1000), start: this.loadStart };
    const test = this.noteTest();
    if (test === null) return { ms: this.timeLimit, start: this.callStart };
    return { ms: Math.min(this.timeLimit, test.timeout), start: test.start + this.restartTime };
  }

  /** The running test; a new one gets a fresh output budget and no restart time. */
  private noteTest(): RunningTest | null {
    const test = this.currentTest();
    if (test !== null && test.key !== this.lastTest) {
      this.lastTest = test.key;
      this.restartTime = 0;
      this.peer?.channel.post({ t: 'reset-output' });
    }
    return test;
  }

  private deadline(): number {
    const { ms, start } = this.limit();
    // a little before vitest's own timeout, so that the test fails with this message rather than vitest's
    return start + ms - Math.min(1000, ms * 0.05);
  }

  private timedOut(peer: Peer): Error {
    const reason = `time limit of ${formatSeconds(this.limit().ms)} s exceeded`;
    if (this.peer === peer) this.stop();
    peer.dead = reason;
    return new Error(reason);
  }

  private other(m: FromIo, peer: Peer): void {
    switch (m.t) {
      case 'spawned':
        if (this.peer === peer) this.pid = m.pid;
        break;
      case 'out':
        (m.fd === 1 ? process.stdout : process.stderr).write(m.text);
        break;
      case 'exit': {
        peer.channel.close();
        if (peer.dead !== null) break;
        let reason: string;
        if (m.error !== undefined) reason = m.error;
        else if (HEAP_EXHAUSTED.test(m.stderr)) reason = `the notebook ran out of memory (limit ${this.memoryLimit} MB)`;
        else {
          const last = m.stderr.trim().split('\n').slice(-5).join('\n');
          reason = `the notebook's process ended unexpectedly (${m.signal ?? `exit code ${String(m.code)}`})${last === '' ? '' : `:\n${last}`}`;
        }
        peer.dead = reason;
        if (this.peer === peer) {
          this.pid = null;
          this.stop();
        }
        break;
      }
      case 'msg':
        break;
    }
  }

  /** A handle of a stopped sandbox: the same declaration (reached by the same names) in a fresh one. */
  private resolveStale(ref: RemoteRef): RemoteRef {
    if (ref.path === null) {
      throw new Error(`this object belonged to a run of the notebook that was stopped (${ref.peer.dead ?? 'stopped'}); get it from the notebook again`);
    }
    if (this.peer === null || this.peer.dead !== null) this.start();
    let value: unknown = this.roots[decodeKey(ref.path[0]) as string];
    for (const key of ref.path.slice(1)) {
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null) break;
      value = Reflect.get(value, decodeKey(key));
    }
    const fresh = remoteRef(value);
    if (fresh === undefined || fresh.peer !== this.peer) throw new Error(`the notebook no longer defines ${ref.path.map((k) => (typeof k === 'string' ? k : `[Symbol.${k.sym}]`)).join('.')}`);
    ref.forward = value as object;
    return fresh;
  }
}

/**
 * Runs the notebook at `path` in a sandbox process and resolves with proxies of its declarations
 * (see the module's comment). Used by `loadNotebook(path, { sandbox })`.
 */
export async function loadInSandbox(path: string, load: SandboxLoad, options: SandboxOptions, NotebookError: NotebookErrorClass): Promise<Exports> {
  const file = resolve(path);
  if (!existsSync(file)) throw new Error(`no notebook at ${file}`);
  const sandbox = new Sandbox(file, load, options, await vitestClock(), NotebookError);
  return sandbox.start();
}
