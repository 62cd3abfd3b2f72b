/**
 * The socket thread: owns the five ZeroMQ sockets, checks signatures, answers heartbeats,
 * kernel_info and interrupts itself, and hands everything else to the main thread in order.
 * It runs in a worker so that it stays responsive while a cell keeps the main thread busy.
 */

import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { ANY_CODE, STATE_ATTENTION, STATE_INTERRUPT, STATE_RUNNING, STDIN_HEADER_BYTES, STDIN_INTERRUPTED, STDIN_REPLIED, STDIN_WAITING, type Channel, type Outgoing, type ToMain, type ToWorker, type WorkerData } from './bridge.js';
import { endpoint, newHeader, parse, preciseNow, readConnectionFile, serialize, Signer, type Header, type Message } from './protocol.js';

/** How long a cell gets to notice the cooperative interrupt flag before it receives SIGINT. */
const SIGINT_GRACE_MS = 500;

/** Output batching: text is sent after this delay, or as soon as this much is pending. */
const STREAM_DELAY_MS = 20;
const MAX_STREAM_CHARS = 1 << 20;

/** How long the main thread gets to wind down after shutdown_request before the process is ended. */
const SHUTDOWN_GRACE_MS = 3000;

/** Kernel diagnostics go straight to fd 2: the main thread's stdout/stderr are captured into cells. */
function log(message: string): void {
  try {
    writeSync(2, `[torchlab kernel] ${message}\n`);
  } catch {
    // a closed stderr must not take the kernel down
  }
}

/** Serialises sends: zeromq v6 refuses a second send on a socket while one is pending. */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Router | zmq.Publisher | zmq.Reply) {}
  push(frames: Buffer[]): void {
    this.tail = this.tail.then(
      () => this.socket.send(frames),
    ).catch((e: unknown) => log(`send failed: ${String(e)}`));
  }
  flush(): Promise<void> {
    return this.tail;
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('kernel/server.js must run in a worker thread');
  const data = workerData as WorkerData;
  const info = readConnectionFile(data.connectionFile);
  const signer = new Signer(info.key, info.signature_scheme);
  const session = randomUUID();
  const state = new Int32Array(data.state);

  const shell = new zmq.Router({ linger: 1000 });
  const control = new zmq.Router({ linger: 1000 });
  const stdin = new zmq.Router({ linger: 1000 });
  const iopub = new zmq.Publisher({ linger: 1000 });
  const hb = new zmq.Reply({ linger: 0 });
  await Promise.all([
    shell.bind(endpoint(info, info.shell_port)),
    control.bind(endpoint(info, info.control_port)),
    stdin.bind(endpoint(info, info.stdin_port)),
    iopub.bind(endpoint(info, info.iopub_port)),
    hb.bind(endpoint(info, info.hb_port)),
  ]);

  const queues: Record<Channel, SendQueue> = {
    shell: new SendQueue(shell),
    control: new SendQueue(control),
    stdin: new SendQueue(stdin),
    iopub: new SendQueue(iopub),
  };
  const toMain = (m: ToMain): void => port.postMessage(m);

  /** The input_request the main thread waits on; replies to older requests are stale. */
  let pendingInput: string | null = null;
  const send = (out: Outgoing): void => {
    const header = newHeader(out.msg_type, session);
    if (out.msg_type === 'input_request') pendingInput = header.msg_id;
    const msg: Message<unknown> = {
      identities: out.channel === 'iopub' ? [Buffer.from(out.msg_type)] : out.identities ?? [],
      header,
      parent_header: out.parent,
      metadata: out.metadata ?? {},
      content: out.content,
      buffers: [],
    };
    let frames: Buffer[];
    try {
      frames = serialize(msg, signer);
    } catch (e) {
      // content JSON cannot encode (a BigInt in a display bundle) must not end this thread
      log(`dropped a ${out.msg_type} message that cannot be encoded: ${String(e)}`);
      return;
    }
    queues[out.channel].push(frames);
  };
  const status = (executionState: 'busy' | 'idle', parent: Header): void =>
    send({ channel: 'iopub', msg_type: 'status', content: { execution_state: executionState }, parent });
  const reply = (channel: 'shell' | 'control', req: Message, msgType: string, content: unknown): void =>
    send({ channel, msg_type: msgType, content, parent: req.header, identities: req.identities });

  const mailbox = new Int32Array(data.stdin, 0, 2);
  const mailboxBytes = new Uint8Array(data.stdin, STDIN_HEADER_BYTES);
  const deliverInput = (parentId: unknown, value: string): void => {
    if (parentId !== pendingInput || Atomics.load(mailbox, 0) !== STDIN_WAITING) {
      log('dropped an input_reply nobody waits for');
      return;
    }
    pendingInput = null;
    const { written } = new TextEncoder().encodeInto(value, mailboxBytes);
    Atomics.store(mailbox, 1, written);
    if (Atomics.compareExchange(mailbox, 0, STDIN_WAITING, STDIN_REPLIED) === STDIN_WAITING) Atomics.notify(mailbox, 0);
  };

  const interrupt = (): void => {
    // a cell blocked in input() waits on the mailbox, not in a loop: wake it
    if (Atomics.compareExchange(mailbox, 0, STDIN_WAITING, STDIN_INTERRUPTED) === STDIN_WAITING) Atomics.notify(mailbox, 0);
    const serial = Atomics.load(state, STATE_RUNNING);
    // while idle, the target is whatever holds the main thread (a callback left behind by a cell)
    Atomics.store(state, STATE_INTERRUPT, serial === 0 ? ANY_CODE : serial);
    Atomics.store(state, STATE_ATTENTION, 1);
    toMain({ type: 'interrupt', serial });
    if (serial === 0) return;
    // Cell code checks the flag in every loop; library code that never looks at it (a long
    // synchronous kernel, a foreign module) still stops on SIGINT, which vm's breakOnSigint turns
    // into an exception. SIGINT comes second because it skips `finally` blocks.
    setTimeout(() => {
      if (Atomics.load(state, STATE_RUNNING) === serial) process.kill(process.pid, 'SIGINT');
    }, SIGINT_GRACE_MS);
  };

  let closing = false;
  const shutdown = (channel: 'shell' | 'control', req: Message): void => {
    const restart = req.content.restart === true;
    closing = true;
    status('busy', req.header);
    reply(channel, req, 'shutdown_reply', { status: 'ok', restart });
    // ipykernel also broadcasts the reply, so every client learns that the kernel is going away
    send({ channel: 'iopub', msg_type: 'shutdown_reply', content: { status: 'ok', restart }, parent: req.header });
    status('idle', req.header);
    if (Atomics.load(state, STATE_RUNNING) !== 0) interrupt();
    toMain({ type: 'shutdown', restart });
    // a main thread that never comes back (a cell stuck in code no interrupt reaches) cannot
    // answer; the process goes anyway, once the replies are out
    setTimeout(() => {
      log('the main thread did not stop: exiting');
      void Promise.all(Object.values(queues).map((q) => q.flush())).then(() => process.kill(process.pid, 'SIGTERM'));
    }, SHUTDOWN_GRACE_MS).unref();
  };

  const handle = (channel: 'shell' | 'control', req: Message): void => {
    const type = req.header.msg_type;
    if (type === 'kernel_info_request') {
      status('busy', req.header);
      reply(channel, req, 'kernel_info_reply', data.kernelInfo);
      status('idle', req.header);
    } else if (type === 'shutdown_request') {
      shutdown(channel, req);
    } else if (type === 'interrupt_request') {
      status('busy', req.header);
      interrupt();
      reply(channel, req, 'interrupt_reply', { status: 'ok' });
      status('idle', req.header);
    } else if (closing) {
      log(`dropping ${type}: the kernel is shutting down`);
    } else {
      toMain({
        type: 'request',
        request: {
          channel,
          identities: req.identities,
          header: req.header,
          metadata: req.metadata,
          content: req.content,
          receivedAt: preciseNow(),
        },
      });
    }
  };

  const serve = async (channel: 'shell' | 'control', socket: zmq.Router): Promise<void> => {
    for await (const frames of socket) {
      const parsed = parse(frames, signer);
      if (!parsed.ok) {
        log(`dropped a ${channel} message: ${parsed.reason}`);
        continue;
      }
      try {
        handle(channel, parsed.msg);
      } catch (e) {
        log(`failed to handle ${parsed.msg.header.msg_type}: ${String(e)}`);
      }
    }
  };

  const serveStdin = async (): Promise<void> => {
    for await (const frames of stdin) {
      const parsed = parse(frames, signer);
      if (!parsed.ok) {
        log(`dropped a stdin message: ${parsed.reason}`);
        continue;
      }
      if (parsed.msg.header.msg_type === 'input_reply') {
        const value = parsed.msg.content.value;
        deliverInput((parsed.msg.parent_header as Partial<Header>).msg_id, typeof value === 'string' ? value : '');
      }
    }
  };

  const serveHeartbeat = async (): Promise<void> => {
    for await (const frames of hb) await hb.send(frames);
  };

  // Output is batched here rather than in the main thread, whose timers cannot fire while a cell
  // computes: text waits at most STREAM_DELAY_MS, and never overtakes other messages.
  let pendingStream: { name: 'stdout' | 'stderr'; text: string; parent: Header | Record<string, never> } | null = null;
  let streamTimer: NodeJS.Timeout | null = null;
  const flushStream = (): void => {
    if (streamTimer !== null) {
      clearTimeout(streamTimer);
      streamTimer = null;
    }
    if (pendingStream === null) return;
    const { name, text, parent } = pendingStream;
    pendingStream = null;
    send({ channel: 'iopub', msg_type: 'stream', content: { name, text }, parent });
  };
  const parentId = (p: Header | Record<string, never>): string | undefined => (p as Partial<Header>).msg_id;

  port.on('message', (m: ToWorker) => {
    if (m.type === 'stream') {
      if (pendingStream !== null && (pendingStream.name !== m.name || parentId(pendingStream.parent) !== parentId(m.parent))) flushStream();
      if (pendingStream === null) pendingStream = { name: m.name, text: m.text, parent: m.parent };
      else pendingStream.text += m.text;
      if (pendingStream.text.length >= MAX_STREAM_CHARS) flushStream();
      else streamTimer ??= setTimeout(flushStream, STREAM_DELAY_MS);
    } else if (m.type === 'send') {
      flushStream();
      for (const out of m.messages) send(out);
    } else if (m.type === 'close') {
      flushStream();
      closing = true;
      void Promise.all(Object.values(queues).map((q) => q.flush())).then(() => {
        for (const s of [shell, control, stdin, iopub, hb]) s.close();
        port.close();
      });
    }
  });

  const ignoreClosed = (e: unknown): void => {
    if (!closing) log(`socket loop ended: ${String(e)}`);
  };
  void serve('shell', shell).catch(ignoreClosed);
  void serve('control', control).catch(ignoreClosed);
  void serveStdin().catch(ignoreClosed);
  void serveHeartbeat().catch(ignoreClosed);
  toMain({ type: 'ready', session });
}

main().catch((e: unknown) => {
  log(`socket thread failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
