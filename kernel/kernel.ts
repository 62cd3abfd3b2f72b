/**
 * The kernel's main thread: starts the socket thread, runs the prelude, then answers the requests
 * the socket thread hands over, one at a time and in order, like ipykernel's shell.
 */

import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { newStdinMailbox, STATE_SLOTS, STDIN_HEADER_BYTES, STDIN_IDLE, STDIN_INTERRUPTED, STDIN_WAITING, type IncomingRequest, type Outgoing, type ToMain, type ToWorker, type WorkerData } from './bridge.js';
import { codePointToUtf16, isComplete, utf16ToCodePoint } from './complete.js';
import { errorContent, limitBundle, limitError, mimeBundle, type ErrorContent } from './display.js';
import { History, parseHistoryQuery } from './history.js';
import { InterruptState, KeyboardInterrupt, typescript } from './interrupt.js';
import { OutputCapture } from './output.js';
import { libraryPath, makeOperatorPrelude, makePrelude } from './prelude.js';
import { PROTOCOL_VERSION, isObject, preciseNow, type Header, type JsonObject } from './protocol.js';
import { CellRunner } from './runner.js';

/** Kernel diagnostics go straight to fd 2: process.stderr belongs to the cells. */
export function log(message: string): void {
  try {
    writeSync(2, `[torchlab kernel] ${message}\n`);
  } catch {
    // a closed stderr must not take the kernel down
  }
}

/** The package.json of torchlab, found upwards from this file (dist/kernel/ or kernel/). */
export function packageInfo(): { name: string; version: string; root: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (isObject(pkg) && pkg.name === 'torchlab' && typeof pkg.version === 'string') {
        return { name: pkg.name, version: pkg.version, root: dir };
      }
    } catch {
      // no package.json here: keep looking upwards
    }
    const up = dirname(dir);
    if (up === dir) return { name: 'torchlab', version: '0.0.0', root: dir };
    dir = up;
  }
}

/** The `kernel_info_reply` content. */
export function kernelInfo(): JsonObject {
  const torchlab = packageInfo().version;
  const req = createRequire(import.meta.url);
  const tslab = (req('tslab/package.json') as { version: string }).version;
  const ts = typescript().version;
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'torchlab',
    implementation_version: torchlab,
    language_info: {
      name: 'typescript',
      version: ts,
      mimetype: 'text/typescript',
      file_extension: '.ts',
      codemirror_mode: { name: 'javascript', typescript: true },
      pygments_lexer: 'typescript',
    },
    banner: `torchlab ${torchlab}: PyTorch for TypeScript (TypeScript ${ts}, tslab ${tslab}, Node.js ${process.version})`,
    help_links: [
      { text: 'PyTorch documentation', url: 'https://pytorch.org/docs/stable/index.html' },
      { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
    ],
    debugger: false,
  };
}

/**
 * What the kernel offers to code running in it, at `globalThis[Symbol.for('torchlab.kernel')]`:
 * torchlab's display helpers and training loops use it when they run inside the kernel.
 */
export interface KernelHooks {
  /** Sends `display_data` (or `update_display_data` when `update` is set and a `display_id` is given). */
  display(data: JsonObject, options?: { metadata?: JsonObject; display_id?: string; update?: boolean }): void;
  /** Sends `clear_output`. */
  clear_output(wait?: boolean): void;
  /** Whether the user asked to interrupt the code running now. */
  interrupted(): boolean;
  /** Throws KeyboardInterrupt when the user asked to interrupt the code running now. */
  check_interrupt(): void;
  /**
   * Python's `input()`: asks the frontend for a line (`input_request` on stdin) and blocks until it
   * answers. Throws StdinNotImplementedError when the frontend does not take input.
   */
  input(prompt?: string, password?: boolean): string;
}

/** IPython's error for `input()` when the frontend sent `allow_stdin: false`. */
export class StdinNotImplementedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StdinNotImplementedError';
  }
}

export const KERNEL_HOOKS = Symbol.for('torchlab.kernel');

/** `torch.zeros?` or `x??`: a dotted name and question marks, IPython's help syntax (never valid TypeScript). */
const HELP_REQUEST = /^\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\?\??\s*$/;

/** Starts the kernel for `connectionFile`; resolves when it has shut down. */
export async function startKernel(connectionFile: string): Promise<void> {
  const shared = new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const interrupts = new InterruptState(shared);
  let runner: CellRunner | null = null;

  // Installed before the socket thread exists: it sends SIGINT as its last resort, and an
  // unhandled SIGINT would kill the process.
  process.on('SIGINT', () => {
    if (interrupts.serial === 0) return;
    interrupts.raise();
    runner?.interrupt();
  });

  const stdinBox = newStdinMailbox();
  const mailbox = new Int32Array(stdinBox, 0, 2);
  const workerData: WorkerData = { connectionFile, state: shared, stdin: stdinBox, kernelInfo: kernelInfo() };
  const worker = new Worker(new URL('./server.js', import.meta.url), { workerData });
  const output = new OutputCapture((m) => worker.postMessage(m));
  /** Sends messages; the socket thread keeps them in order with the output before them. */
  const send = (...messages: Outgoing[]): void => worker.postMessage({ type: 'send', messages } satisfies ToWorker);

  /** The execute request that output and displays belong to. */
  let currentParent: Header | Record<string, never> = {};
  /** The execute request running now, when its frontend accepts input_request. */
  let stdinRequest: IncomingRequest | null = null;
  const iopub = (msgType: string, content: unknown, parent = currentParent): Outgoing =>
    ({ channel: 'iopub', msg_type: msgType, content, parent });

  const hooks: KernelHooks = {
    display(data, options = {}) {
      const transient = options.display_id === undefined ? {} : { display_id: options.display_id };
      const type = options.update && options.display_id !== undefined ? 'update_display_data' : 'display_data';
      const limited = limitBundle(isObject(data) ? data : { 'text/plain': String(data) }, output.limit);
      if (limited.warning !== undefined) output.write('stderr', `${limited.warning}\n`);
      const metadata = limitBundle(isObject(options.metadata) ? options.metadata : {}, output.limit).data;
      send(iopub(type, { data: limited.data, metadata, transient }));
    },
    clear_output(wait = false) {
      send(iopub('clear_output', { wait }));
    },
    interrupted: () => interrupts.requested(),
    check_interrupt: () => interrupts.check(),
    input(prompt = '', password = false) {
      const req = stdinRequest;
      if (req === null) throw new StdinNotImplementedError('raw_input was called, but this frontend does not support input requests.');
      Atomics.store(mailbox, 0, STDIN_WAITING);
      send({ channel: 'stdin', msg_type: 'input_request', content: { prompt: String(prompt), password: Boolean(password) }, parent: req.header, identities: req.identities });
      // the main thread may block: cells are synchronous code, and the socket thread fills the mailbox
      while (Atomics.load(mailbox, 0) === STDIN_WAITING) Atomics.wait(mailbox, 0, STDIN_WAITING);
      const status = Atomics.exchange(mailbox, 0, STDIN_IDLE);
      if (status === STDIN_INTERRUPTED) {
        interrupts.markInterrupted();
        throw new KeyboardInterrupt();
      }
      const length = Atomics.load(mailbox, 1);
      return new TextDecoder().decode(new Uint8Array(stdinBox, STDIN_HEADER_BYTES, length).slice());
    },
  };
  Object.defineProperty(globalThis, KERNEL_HOOKS, { value: hooks, configurable: true, enumerable: false });
  installTslabDisplay(hooks);

  // Nothing a cell leaves behind may kill the kernel: report it on stderr of the current cell.
  // (frames in cells point at the cells' lines, as in the `error` message)
  const describe = (e: unknown): string => (runner?.errorContent(e) ?? errorContent(e)).traceback.join('\n');
  process.on('uncaughtException', (e) => output.write('stderr', `Uncaught exception: ${describe(e)}\n`));
  process.on('unhandledRejection', (e) => output.write('stderr', `Unhandled promise rejection: ${describe(e)}\n`));

  const history = new History();
  let executionCount = 0;
  /** Execute requests that arrived before this time are aborted (stop_on_error after a failure). */
  let abortBefore = -Infinity;
  let preludeError: string | null = null;
  let shuttingDown = false;

  // Requests queue up from the start; they are answered once the prelude has run.
  let markStarted!: () => void;
  let queue = new Promise<void>((resolve) => (markStarted = resolve));
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  worker.on('message', (m: ToMain) => {
    if (m.type === 'ready') {
      markReady();
    } else if (m.type === 'request') {
      const req = m.request;
      queue = queue.then(async () => {
        if (shuttingDown) return; // requests still queued at shutdown are not run
        send(iopub('status', { execution_state: 'busy' }, req.header));
        try {
          await handle(req);
        } catch (e) {
          log(`failed to handle ${req.header.msg_type}: ${errorContent(e).traceback.join('\n')}`);
          // the client waits for a reply: a kernel bug must not leave it waiting forever
          if (req.header.msg_type === 'execute_request') {
            const { ename, evalue, traceback } = errorContent(e);
            send(reply(req, 'execute_reply', { status: 'error', execution_count: executionCount, ename, evalue, traceback }));
          }
        }
        send(iopub('status', { execution_state: 'idle' }, req.header));
      });
    } else if (m.type === 'interrupt') {
      if (m.serial === 0) interrupts.clearIdleInterrupt();
      else if (interrupts.serial === m.serial) runner?.interrupt();
    } else if (m.type === 'shutdown') {
      if (shuttingDown) return;
      shuttingDown = true;
      worker.postMessage({ type: 'close' } satisfies ToWorker);
    }
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  worker.once('error', (e) => log(`socket thread error: ${errorContent(e).traceback.join('\n')}`));

  runner = new CellRunner(process.cwd(), interrupts);
  const cells = runner;
  output.install();
  try {
    const prelude = await makePrelude(libraryPath());
    const outcome = await cells.run(prelude.code, { verbatim: true });
    if (outcome.status === 'error') preludeError = outcome.error.traceback.join('\n');
    else preludeError = await enableOperators(cells, libraryPath());
  } catch (e) {
    preludeError = `torchlab could not be loaded: ${errorContent(e).traceback.join('\n')}`;
  }
  if (preludeError !== null) log(`prelude failed:\n${preludeError}`);
  await Promise.race([ready, exited]);
  markStarted();

  const reply = (req: IncomingRequest, msgType: string, content: unknown): Outgoing => ({
    channel: req.channel,
    msg_type: msgType,
    content,
    parent: req.header,
    identities: req.identities,
  });

  const execute = async (req: IncomingRequest): Promise<void> => {
    const c = req.content;
    const code = typeof c.code === 'string' ? c.code : '';
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    const stopOnError = c.stop_on_error !== false;
    if (req.receivedAt < abortBefore) {
      send(reply(req, 'execute_reply', { status: 'aborted' }));
      return;
    }
    // output and displays belong to the last execute request, also when they come from its timers later
    currentParent = req.header;
    output.setParent(req.header, silent);
    if (!silent) {
      executionCount++;
      send(iopub('execute_input', { code, execution_count: executionCount }));
    }
    const count = executionCount;
    if (storeHistory) history.add(count, code);
    if (preludeError !== null) {
      output.write('stderr', `${preludeError}\n`);
      preludeError = null;
    }
    const help = HELP_REQUEST.exec(code);
    if (help !== null) {
      // IPython's `name?`: the documentation goes to the pager, not into the notebook
      const name = help[1]!;
      const text = cells.inspect(name, name.length) ?? cells.inspect(name, name.length - 1);
      if (text === null) output.write('stdout', `Object \`${name}\` not found.\n`);
      const payload = text === null ? [] : [{ source: 'page', data: { 'text/plain': text }, start: 0 }];
      send(reply(req, 'execute_reply', { status: 'ok', execution_count: count, payload, user_expressions: {} }));
      return;
    }
    stdinRequest = c.allow_stdin === true ? req : null;
    const outcome = await cells.run(code, { label: `Cell In[${count}]` });
    stdinRequest = null;
    for (const w of outcome.warnings) output.write('stderr', `${w}\n`);
    output.finish();
    if (outcome.status === 'ok') {
      if (outcome.hasValue && !silent) {
        const bundle = await mimeBundle(outcome.value);
        const limited = limitBundle(bundle.data, output.limit);
        for (const w of [bundle.warning, limited.warning]) if (w !== undefined) output.write('stderr', `${w}\n`);
        send(iopub('execute_result', { execution_count: count, data: limited.data, metadata: bundle.metadata }));
        if (storeHistory) history.setOutput(count, String(limited.data['text/plain']));
      }
      const userExpressions = isObject(c.user_expressions) ? await evaluate(c.user_expressions) : {};
      send(reply(req, 'execute_reply', { status: 'ok', execution_count: count, payload: [], user_expressions: userExpressions }));
    } else {
      // set before the reply goes out: whatever the client sends after seeing it must still run
      if (stopOnError && !silent) abortBefore = preciseNow();
      const error = limitError(outcome.error, output.limit);
      if (!silent) send(iopub('error', error));
      send(reply(req, 'execute_reply', { status: 'error', execution_count: count, ...error }));
    }
  };

  /** `user_expressions`: each expression evaluated after the cell, as a MIME bundle or an error. */
  const evaluate = async (exprs: JsonObject): Promise<JsonObject> => {
    const out: JsonObject = {};
    for (const [name, expr] of Object.entries(exprs)) {
      const outcome = await cells.run(typeof expr === 'string' ? expr : '');
      if (outcome.status === 'ok') {
        const bundle = await mimeBundle(outcome.hasValue ? outcome.value : undefined);
        out[name] = { status: 'ok', data: limitBundle(bundle.data, output.limit).data, metadata: bundle.metadata };
      } else {
        out[name] = { status: 'error', ...outcome.error } satisfies ErrorContent & { status: string };
      }
    }
    return out;
  };

  const handle = async (req: IncomingRequest): Promise<void> => {
    const c = req.content;
    const code = typeof c.code === 'string' ? c.code : '';
    switch (req.header.msg_type) {
      case 'execute_request':
        return execute(req);
      case 'complete_request': {
        const cursor = typeof c.cursor_pos === 'number' ? codePointToUtf16(code, c.cursor_pos) : code.length;
        const r = cells.complete(code, cursor);
        send(reply(req, 'complete_reply', {
          status: 'ok',
          matches: r.matches,
          cursor_start: utf16ToCodePoint(code, r.start),
          cursor_end: utf16ToCodePoint(code, r.end),
          metadata: {},
        }));
        return;
      }
      case 'inspect_request': {
        const cursor = typeof c.cursor_pos === 'number' ? codePointToUtf16(code, c.cursor_pos) : code.length;
        // a cursor right after a name inspects that name, as in IPython
        let text = cells.inspect(code, cursor);
        if (text === null && cursor > 0) text = cells.inspect(code, cursor - 1);
        send(reply(req, 'inspect_reply', text === null
          ? { status: 'ok', found: false, data: {}, metadata: {} }
          : { status: 'ok', found: true, data: { 'text/plain': text }, metadata: {} }));
        return;
      }
      case 'is_complete_request':
        send(reply(req, 'is_complete_reply', isComplete(code)));
        return;
      case 'history_request':
        send(reply(req, 'history_reply', { status: 'ok', history: history.query(parseHistoryQuery(c)) }));
        return;
      case 'comm_info_request':
        send(reply(req, 'comm_info_reply', { status: 'ok', comms: {} }));
        return;
      case 'comm_open':
        // no comm targets are registered: refuse, as ipykernel does for an unknown target
        send(iopub('comm_close', { comm_id: c.comm_id, data: {} }, req.header));
        return;
      case 'comm_msg':
      case 'comm_close':
        return;
      default:
        log(`ignoring unknown ${req.channel} message '${req.header.msg_type}'`);
    }
  };

  const code = await exited;
  output.uninstall();
  cells.close();
  if (!shuttingDown) throw new Error(`the socket thread exited with code ${code}`);
}

/**
 * Runs the operator prelude and turns the rewrite on; returns the error text when it failed (cells
 * then run as plain TypeScript).
 */
export async function enableOperators(cells: CellRunner, libPath: string): Promise<string | null> {
  const outcome = await cells.run(makeOperatorPrelude(libPath), { verbatim: true });
  if (outcome.status === 'error') return `the operator prelude failed (operators on tensors are off):\n${outcome.error.traceback.join('\n')}`;
  cells.enableOperators();
  return null;
}

/** Makes tslab's own `display` (`import { display } from 'tslab'`) send through this kernel. */
function installTslabDisplay(hooks: KernelHooks): void {
  type DisplayData = { data: JsonObject; metadata: JsonObject; transient?: { display_id?: string } };
  const jupyter = createRequire(import.meta.url)('tslab/dist/jupyter.js') as {
    lastWriteDisplayData: ((data: DisplayData, update: boolean) => void) | null;
  };
  jupyter.lastWriteDisplayData = (d, update) => {
    const id = d.transient?.display_id;
    hooks.display(d.data, id === undefined ? { metadata: d.metadata, update } : { metadata: d.metadata, display_id: id, update });
  };
}
