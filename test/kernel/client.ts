/**
 * A Jupyter client for the tests: starts the kernel from a generated connection file and talks to
 * it over ZeroMQ with signed messages, as jupyter_client does.
 */

import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zmq from 'zeromq';
import { newHeader, parse, serialize, Signer, type ConnectionInfo, type Header, type JsonObject, type Message } from '../../kernel/protocol.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = join(root, 'dist', 'kernel', 'cli.js');

function newestMtime(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return t;
}

/**
 * Compiles the kernel and the library unless their builds are newer than their sources.
 * Test files run in parallel processes, so a lock directory keeps them from compiling at once.
 */
export function ensureBuilt(): void {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const lock = join(root, 'dist', '.kernel-build-lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      else execFileSync(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
    }
  }
  try {
    const run = (project: string): void => {
      try {
        execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'pipe' });
      } catch {
        // tsc exits non-zero on type errors but still emits; the typecheck step reports them
      }
    };
    const libEntry = join(root, 'dist', 'index.js');
    // a stale dist/ would give the kernel yesterday's library: rebuild when any lib/ file is newer
    if (!existsSync(libEntry) || statSync(libEntry).mtimeMs < newestMtime(join(root, 'lib'))) run('tsconfig.build.json');
    if (!existsSync(cliPath) || statSync(cliPath).mtimeMs < newestMtime(join(root, 'kernel'))) run('tsconfig.kernel.json');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** `count` TCP ports that were free a moment ago (jupyter_client picks ports the same way). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<import('node:net').Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('no port');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export interface Exchange {
  reply: Message;
  /** iopub messages with this request as parent, from `busy` to `idle` inclusive. */
  iopub: Message[];
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  key?: string;
  /** Wait until the kernel answers kernel_info (the default); false returns at once (benchmarks time the start themselves). */
  waitReady?: boolean;
}

export class KernelClient {
  readonly session = randomUUID();
  readonly signer: Signer;
  readonly shell: zmq.Dealer;
  readonly control: zmq.Dealer;
  readonly stdin: zmq.Dealer;
  readonly iopub: zmq.Subscriber;
  readonly received: Message[] = [];
  stderr = '';
  private readonly replies = new Map<string, (m: Message) => void>();
  /** Replies that arrived before anyone waited for them. */
  private readonly unclaimed = new Map<string, Message>();
  private readonly iopubWaiters: (() => void)[] = [];
  private closed = false;

  private constructor(readonly info: ConnectionInfo, readonly dir: string, readonly proc: ChildProcess) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.shell = new zmq.Dealer({ routingId: this.session, linger: 0 });
    this.control = new zmq.Dealer({ linger: 0 });
    this.stdin = new zmq.Dealer({ routingId: this.session, linger: 0 });
    this.iopub = new zmq.Subscriber({ linger: 0 });
    const url = (port: number): string => `tcp://${info.ip}:${port}`;
    this.shell.connect(url(info.shell_port));
    this.control.connect(url(info.control_port));
    this.stdin.connect(url(info.stdin_port));
    this.iopub.connect(url(info.iopub_port));
    this.iopub.subscribe();
    void this.pump(this.shell);
    void this.pump(this.control);
    void this.pumpIopub();
    void this.pumpStdin();
  }

  /** Starts a kernel process and waits until it answers on shell and publishes on iopub. */
  static async start(opts: StartOptions = {}): Promise<KernelClient> {
    ensureBuilt();
    const [shell, iopub, stdin, control, hb] = await freePorts(5) as [number, number, number, number, number];
    const info: ConnectionInfo = {
      transport: 'tcp', ip: '127.0.0.1', shell_port: shell, iopub_port: iopub, stdin_port: stdin, control_port: control,
      hb_port: hb, key: opts.key ?? randomBytes(16).toString('hex'), signature_scheme: 'hmac-sha256', kernel_name: 'torchlab',
    };
    const dir = mkdtempSync(join(tmpdir(), 'torchlab-kernel-'));
    const file = join(dir, 'connection.json');
    writeFileSync(file, JSON.stringify(info));
    const proc = spawn(process.execPath, [cliPath, 'kernel', file], {
      cwd: opts.cwd ?? dir,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const client = new KernelClient(info, dir, proc);
    proc.stdout?.on('data', (d: Buffer) => (client.stderr += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (client.stderr += d.toString()));
    if (opts.waitReady !== false) await client.waitForReady();
    return client;
  }

  private async pump(socket: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const r = parse(frames, this.signer);
        if (!r.ok) throw new Error(`kernel sent a bad message: ${r.reason}`);
        const parentId = (r.msg.parent_header as Partial<Header>).msg_id;
        if (parentId === undefined) continue;
        const resolve = this.replies.get(parentId);
        if (resolve) {
          this.replies.delete(parentId);
          resolve(r.msg);
        } else {
          this.unclaimed.set(parentId, r.msg);
        }
      }
    } catch (e) {
      if (!this.closed) throw e;
    }
  }

  private async pumpIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const r = parse(frames, this.signer);
        if (!r.ok) throw new Error(`kernel published a bad message: ${r.reason}`);
        this.received.push(r.msg);
        for (const w of this.iopubWaiters.splice(0)) w();
      }
    } catch (e) {
      if (!this.closed) throw e;
    }
  }

  /** Answers `input_request`s: returns the line the user types, or null to leave the request unanswered. */
  onInput: ((prompt: string, password: boolean) => string | null) | null = null;
  readonly inputRequests: Message[] = [];

  private async pumpStdin(): Promise<void> {
    try {
      for await (const frames of this.stdin) {
        const r = parse(frames, this.signer);
        if (!r.ok) throw new Error(`kernel sent a bad stdin message: ${r.reason}`);
        if (r.msg.header.msg_type !== 'input_request') continue;
        this.inputRequests.push(r.msg);
        const c = r.msg.content as { prompt?: string; password?: boolean };
        const value = this.onInput?.(c.prompt ?? '', c.password ?? false) ?? null;
        if (value !== null) this.send('stdin', 'input_reply', { value }, undefined, r.msg.header);
      }
    } catch (e) {
      if (!this.closed) throw e;
    }
  }

  /** Sends a request; `tamper` may alter the frames before sending (bad-signature tests). */
  send(channel: 'shell' | 'control' | 'stdin', msgType: string, content: JsonObject, tamper?: (frames: Buffer[]) => Buffer[], parent: Header | Record<string, never> = {}): Header {
    const header = newHeader(msgType, this.session, 'test');
    const frames = serialize({ identities: [], header, parent_header: parent, metadata: {}, content, buffers: [] }, this.signer);
    void this[channel].send(tamper ? tamper(frames) : frames);
    return header;
  }

  /** Resolves with the reply to `msgId`, or rejects after `timeoutMs`. */
  waitReply(msgId: string, timeoutMs = 30_000): Promise<Message> {
    const early = this.unclaimed.get(msgId);
    if (early !== undefined) {
      this.unclaimed.delete(msgId);
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(msgId);
        reject(new Error(`no reply to ${msgId} within ${timeoutMs} ms; kernel stderr:\n${this.stderr}`));
      }, timeoutMs);
      this.replies.set(msgId, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  /** iopub messages whose parent is `msgId`. */
  iopubFor(msgId: string): Message[] {
    return this.received.filter((m) => (m.parent_header as Partial<Header>).msg_id === msgId);
  }

  /** Waits until `pred` holds over the iopub messages received so far. */
  async waitIopub(pred: (msgs: Message[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.received)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`iopub condition not met within ${timeoutMs} ms; kernel stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.iopubWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** One request/reply round trip plus the iopub messages it caused (until its `idle`). */
  async request(channel: 'shell' | 'control', msgType: string, content: JsonObject = {}, timeoutMs = 30_000): Promise<Exchange> {
    const header = this.send(channel, msgType, content);
    const reply = await this.waitReply(header.msg_id, timeoutMs);
    await this.waitIopub(() => this.iopubFor(header.msg_id).some(isIdle), timeoutMs);
    return { reply, iopub: this.iopubFor(header.msg_id) };
  }

  execute(code: string, extra: JsonObject = {}, timeoutMs?: number): Promise<Exchange> {
    return this.request('shell', 'execute_request', {
      code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra,
    }, timeoutMs);
  }

  /** Like jupyter_client's wait_for_ready: kernel_info until a reply and its iopub status both arrive. */
  private async waitForReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`kernel exited with ${this.proc.exitCode}:\n${this.stderr}`);
      const header = this.send('shell', 'kernel_info_request', {});
      try {
        await this.waitReply(header.msg_id, 1000);
        await this.waitIopub(() => this.iopubFor(header.msg_id).some(isIdle), 1000);
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
    }
  }

  /** Heartbeat round trip on a fresh REQ socket; resolves with the echoed bytes. */
  async heartbeat(payload: string, timeoutMs = 5000): Promise<string> {
    const hb = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs });
    hb.connect(`tcp://${this.info.ip}:${this.info.hb_port}`);
    try {
      await hb.send(payload);
      const [echo] = await hb.receive();
      return echo!.toString();
    } finally {
      hb.close();
    }
  }

  /** Waits for the process to exit (after shutdown_request); kills it after `timeoutMs`. */
  async exited(timeoutMs = 10_000): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.proc.kill('SIGKILL');
        resolve(null);
      }, timeoutMs);
      this.proc.once('exit', (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }

  /** Closes the sockets and kills the kernel if it still runs. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.close();
    if (this.proc.exitCode === null) {
      this.proc.kill('SIGKILL');
      await this.exited(5000);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function isIdle(m: Message): boolean {
  return m.header.msg_type === 'status' && (m.content as { execution_state?: string }).execution_state === 'idle';
}

export function ofType(msgs: readonly Message[], type: string): Message[] {
  return msgs.filter((m) => m.header.msg_type === type);
}

/**
 * A temporary Jupyter set-up that sees only this checkout's kernelspec: installs it under
 * `dir/prefix` and returns the environment that points Jupyter's paths into `dir`.
 */
export function isolatedJupyter(label: string): { dir: string; env: NodeJS.ProcessEnv } {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), `torchlab-${label}-`));
  const r = spawnSync(process.execPath, [cliPath, 'install', '--prefix', join(dir, 'prefix')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torchlab install failed: ${r.stderr}`);
  const env = {
    ...process.env,
    JUPYTER_PATH: join(dir, 'prefix', 'share', 'jupyter'),
    JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
    JUPYTER_DATA_DIR: join(dir, 'data'),
    JUPYTER_CONFIG_DIR: join(dir, 'config'),
  };
  return { dir, env };
}
