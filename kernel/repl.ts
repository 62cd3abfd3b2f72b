/**
 * `npx torchlab repl`: a terminal REPL with the notebook's cell semantics. Each entry is a cell
 * run by the kernel's CellRunner: the same prelude (torch, nn, F, ...), type-checked TypeScript,
 * top-level await, the operator rewrite, tracebacks pointing at the entry's lines. An entry that
 * is not complete yet (an open brace) continues on the next line. History persists in
 * `~/.torchlab_repl_history` (or `TORCHLAB_REPL_HISTORY`); Tab completes through the converter.
 * Ctrl-C stops a running entry: synchronous code through `vm`'s SIGINT handling, a wait on a
 * promise through the interrupt flag (a synchronous loop that runs after an `await` cannot be
 * stopped here: the kernel, whose sockets live in another thread, can).
 * @example
 * $ npx torchlab repl
 * > const x = torch.arange(4)
 * > x * 2 + 1
 * tensor([1, 3, 5, 7])
 */

import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface, type Completer } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { STATE_SLOTS } from './bridge.js';
import { isComplete } from './complete.js';
import { errorContent, plainText } from './display.js';
import { InterruptState, typescript } from './interrupt.js';
import { enableOperators, packageInfo } from './kernel.js';
import { libraryPath, makePrelude } from './prelude.js';
import { CellRunner } from './runner.js';

export interface ReplOptions {
  input?: Readable;
  output?: Writable;
  /** Line editing, Tab completion and history recall: by default when the input is a TTY. */
  terminal?: boolean;
  /** The history file; null keeps no history. */
  historyFile?: string | null;
}

/** How many history lines are loaded at start (the file itself keeps growing, as bash's does). */
const HISTORY_LOAD = 1000;

/** `TORCHLAB_REPL_HISTORY`, else `~/.torchlab_repl_history`. */
export function defaultHistoryFile(): string {
  const env = process.env.TORCHLAB_REPL_HISTORY;
  return env !== undefined && env !== '' ? env : join(homedir(), '.torchlab_repl_history');
}

function loadHistory(file: string | null): string[] {
  if (file === null) return [];
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-HISTORY_LOAD).reverse(); // readline wants the newest first
  } catch {
    return []; // no history yet
  }
}

function saveHistory(file: string | null, line: string): void {
  if (file === null || line.trim() === '') return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${line}\n`);
  } catch {
    // a read-only home must not stop the REPL
  }
}

/**
 * Tab completion for readline: completes the entry so far (earlier lines of a multi-line entry
 * included) through the cell converter. Returns the candidates and the part of the line they replace.
 */
export function replCompleter(cells: CellRunner, pending: () => string): Completer {
  return (line: string) => {
    const before = pending();
    const code = before + line;
    try {
      const r = cells.complete(code, code.length);
      const start = Math.max(0, r.start - before.length);
      return [r.matches, line.slice(start)];
    } catch {
      return [[], line];
    }
  };
}

/** The terminal's raw-mode switch when the input is a TTY in raw mode (line editing), else null. */
function rawMode(input: Readable): ((on: boolean) => void) | null {
  const tty = input as Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (on: boolean) => unknown };
  if (tty.isTTY !== true || tty.isRaw !== true || typeof tty.setRawMode !== 'function') return null;
  return (on) => void tty.setRawMode?.(on);
}

/** Runs the REPL until the input ends or `.exit`; resolves with the exit code. */
export async function startRepl(options: ReplOptions = {}): Promise<number> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const terminal = options.terminal ?? (input === process.stdin && process.stdin.isTTY === true);
  const historyFile = options.historyFile === undefined ? defaultHistoryFile() : options.historyFile;
  const write = (text: string): void => void output.write(text);

  const interrupts = new InterruptState(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const cells = new CellRunner(process.cwd(), interrupts);
  const onSigint = (): void => {
    if (interrupts.serial === 0) return;
    interrupts.raise();
    cells.interrupt();
  };
  process.on('SIGINT', onSigint);

  const lib = libraryPath();
  try {
    const prelude = await makePrelude(lib);
    const outcome = await cells.run(prelude.code, { verbatim: true });
    if (outcome.status === 'error') write(`torchlab could not be loaded:\n${outcome.error.traceback.join('\n')}\n`);
    else {
      const failed = await enableOperators(cells, lib);
      if (failed !== null) write(`${failed}\n`);
    }
    write(`torchlab ${packageInfo().version} (TypeScript ${typescript().version}, Node.js ${process.version}): ${prelude.names.join(', ')} are loaded; .exit or Ctrl-D quits\n`);
  } catch (e) {
    write(`torchlab could not be loaded: ${errorContent(e).traceback.join('\n')}\n`);
  }

  let buffer = '';
  let count = 0;
  const rl = createInterface({
    input,
    output,
    terminal,
    history: loadHistory(historyFile),
    historySize: HISTORY_LOAD,
    completer: replCompleter(cells, () => buffer),
    prompt: '> ',
  });
  rl.on('SIGINT', () => {
    // Ctrl-C at the prompt drops the entry being typed, as in Python's REPL
    buffer = '';
    write('\nKeyboardInterrupt\n');
    rl.setPrompt('> ');
    rl.prompt();
  });
  const prompt = (): void => {
    if (terminal) rl.prompt();
  };

  prompt();
  for await (const line of rl) {
    saveHistory(historyFile, line);
    if (buffer === '' && line.trim() === '.exit') break;
    const code = buffer + line;
    const state = isComplete(code);
    if (state.status === 'incomplete') {
      buffer = `${code}\n`;
      rl.setPrompt(`...${state.indent === '' ? ' ' : state.indent}`);
      prompt();
      continue;
    }
    buffer = '';
    rl.setPrompt('> ');
    if (code.trim() === '') {
      prompt();
      continue;
    }
    count++;
    rl.pause();
    // Ctrl-C while a cell runs must be a signal (line editing reads it as a key in raw mode)
    const raw = rawMode(input);
    raw?.(false);
    const outcome = await cells.run(code, { label: `Cell In[${count}]` });
    raw?.(true);
    for (const w of outcome.warnings) write(`${w}\n`);
    if (outcome.status === 'ok') {
      if (outcome.hasValue) write(`${plainText(outcome.value)}\n`);
    } else {
      write(`${outcome.error.traceback.join('\n')}\n`);
    }
    rl.resume();
    prompt();
  }
  rl.close();
  process.off('SIGINT', onSigint);
  cells.close();
  return 0;
}
