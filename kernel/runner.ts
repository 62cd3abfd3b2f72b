/**
 * Runs cells with tslab's converter and executor (type-checked TypeScript, top-level await,
 * declarations that persist across cells) and reports what happened in Jupyter's terms: the value
 * of the last expression, or an error with ename/evalue/traceback. tslab prints results and
 * errors itself; the console handed to its executor catches them instead.
 */

import { createConverter, type Converter, type Diagnostic } from 'tslab/dist/converter.js';
import { createExecutor, type Executor } from 'tslab/dist/executor.js';
import { printQuickInfo } from 'tslab/dist/inspect.js';
import { diagnosticsContent, errorContent, type ErrorContent } from './display.js';
import { redirectNodeTypes } from './nodetypes.js';
import { ATTENTION_FLAG, CHECK_FUNCTION, injectInterruptChecks, KeyboardInterrupt, type InterruptState } from './interrupt.js';

export type CellOutcome =
  | { status: 'ok'; hasValue: boolean; value: unknown; warnings: string[] }
  | { status: 'error'; error: ErrorContent; interrupted: boolean; warnings: string[] };

export interface Completion {
  start: number;
  end: number;
  matches: string[];
}

/** tslab's printf-style format for diagnostics, the first argument of its console.error calls. */
const DIAGNOSTIC_FORMAT = '%s%d:%d - %s';

export class CellRunner {
  private readonly node: Converter;
  private browserConverter: Converter | undefined;
  private readonly executor: Executor;
  private diagnostics: Diagnostic[] = [];
  private moduleDiagnostics: string[] = [];
  private result: { value: unknown } | null = null;
  private thrown: { value: unknown } | null = null;
  private serial = 0;

  /** `rootDir` is where cells resolve modules from: the notebook's folder. */
  constructor(rootDir: string, private readonly interrupts: InterruptState) {
    redirectNodeTypes();
    this.node = this.wrap(createConverter({ isJS: false, isBrowser: false }));
    const self = this;
    const converters = {
      node: this.node,
      get browser(): Converter {
        self.browserConverter ??= self.wrap(createConverter({ isJS: false, isBrowser: true }));
        return self.browserConverter;
      },
      close(): void {
        self.node.close();
        self.browserConverter?.close();
      },
    };
    this.executor = createExecutor(rootDir, converters, {
      log: (value: unknown) => {
        this.result = { value };
      },
      error: (first: unknown, ...rest: unknown[]) => {
        if (first === DIAGNOSTIC_FORMAT) {
          // a cell's diagnostics are taken from the converter; only `@module` cells bypass it
          if (this.diagnostics.length > 0) return;
          const [file, line, col, text] = rest;
          this.moduleDiagnostics.push(`${String(file)}${String(line)}:${String(col)} - ${String(text)}`);
          return;
        }
        this.thrown = { value: first };
      },
    });
    for (const [name, value] of [[CHECK_FUNCTION, () => interrupts.check()], [ATTENTION_FLAG, interrupts.attentionView()]] as const) {
      Object.defineProperty(globalThis, name, { value, configurable: true, enumerable: false, writable: false });
    }
  }

  /** Records each conversion's diagnostics and adds the interrupt checks to the compiled code. */
  private wrap(conv: Converter): Converter {
    return {
      ...conv,
      convert: (prevDecl, src) => {
        const r = conv.convert(prevDecl, src);
        this.diagnostics = r.diagnostics;
        if (r.output !== undefined) r.output = injectInterruptChecks(r.output);
        return r;
      },
    };
  }

  /** Runs one cell to completion (including its top-level awaits). */
  async run(code: string): Promise<CellOutcome> {
    this.diagnostics = [];
    this.moduleDiagnostics = [];
    this.result = null;
    this.thrown = null;
    const serial = ++this.serial;
    let ok: boolean;
    try {
      ok = await this.interrupts.run(serial, () => this.executor.execute(code));
    } catch (e) {
      ok = false;
      this.thrown = { value: e };
    }
    // read through a method: the executor's callbacks set these fields behind the compiler's back
    const { result, thrown: caught, diagnostics, warnings } = this.collected();
    // still inside the cell, so that its leftover continuations are marked as interrupted too
    if (!ok && caught !== null && isInterrupt(caught.value)) this.interrupts.markInterrupted();
    this.interrupts.finish();
    if (ok) {
      return { status: 'ok', hasValue: result !== null, value: result?.value, warnings };
    }
    if (diagnostics.length > 0) {
      const diags = diagnostics.map((d) => ({ line: d.start.line, character: d.start.character, messageText: d.messageText, code: d.code, ...(d.fileName === undefined ? {} : { fileName: d.fileName }) }));
      return { status: 'error', error: diagnosticsContent(diags, code), interrupted: false, warnings };
    }
    const thrown = caught ?? { value: new Error('the cell failed without an exception') };
    if (isInterrupt(thrown.value)) {
      const error = thrown.value instanceof KeyboardInterrupt
        ? errorContent(thrown.value)
        : { ename: 'KeyboardInterrupt', evalue: '', traceback: ['KeyboardInterrupt'] };
      return { status: 'error', error, interrupted: true, warnings };
    }
    return { status: 'error', error: errorContent(thrown.value), interrupted: false, warnings };
  }

  private collected(): { result: { value: unknown } | null; thrown: { value: unknown } | null; diagnostics: Diagnostic[]; warnings: string[] } {
    return { result: this.result, thrown: this.thrown, diagnostics: this.diagnostics, warnings: this.moduleDiagnostics.slice() };
  }

  /** Stops a cell that waits on a promise (its synchronous parts stop through the interrupt flag). */
  interrupt(): void {
    this.executor.interrupt();
  }

  /** Completions at a UTF-16 offset. */
  complete(code: string, pos: number): Completion {
    const info = this.executor.complete(code, pos);
    return { start: info.start, end: info.end, matches: info.candidates };
  }

  /** The hover text of the symbol at a UTF-16 offset, or null when there is none. */
  inspect(code: string, pos: number): string | null {
    const info = this.executor.inspect(code, pos);
    // an unresolved name still gets quick info ("any") with an empty kind
    if (!info || info.kind === '') return null;
    return printQuickInfo(info);
  }

  close(): void {
    this.executor.close();
  }
}

/** The three ways a cell stops on interrupt: our flag, vm's SIGINT handling, tslab's async race. */
function isInterrupt(e: unknown): boolean {
  if (e instanceof KeyboardInterrupt) return true;
  if (!(e instanceof Error)) return false;
  const code = (e as Error & { code?: unknown }).code;
  return code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' || e.message === 'Interrupted asynchronously';
}
