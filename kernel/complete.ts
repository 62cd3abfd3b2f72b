/**
 * `is_complete` for TypeScript cells, and the conversion between Jupyter's cursor positions
 * (Unicode code points, protocol 5.2+) and JavaScript's UTF-16 offsets.
 */

import { isCompleteCode } from 'tslab/dist/converter.js';
import { typescript } from './interrupt.js';

export type IsCompleteReply = { status: 'complete' } | { status: 'incomplete'; indent: string } | { status: 'invalid' };

/** TS1160: "Unterminated template literal", which more lines can still close. */
const UNTERMINATED_TEMPLATE = 1160;

/**
 * Whether `code` is ready to run (`complete`), needs more lines (`incomplete`, with the indent of
 * the next line), or has a syntax error that more lines cannot fix (`invalid`).
 */
export function isComplete(code: string): IsCompleteReply {
  if (code.trim() === '') return { status: 'complete' };
  const tslab = isCompleteCode(code);
  if (!tslab.completed) return { status: 'incomplete', indent: tslab.indent ?? '' };
  const ts = typescript();
  const { diagnostics = [] } = ts.transpileModule(code, { reportDiagnostics: true, fileName: 'cell.ts' });
  if (diagnostics.length === 0) return { status: 'complete' };
  if (diagnostics.some((d) => d.code === UNTERMINATED_TEMPLATE && d.start === code.length)) {
    return { status: 'incomplete', indent: '' };
  }
  return { status: 'invalid' };
}

/** The UTF-16 offset of code point `cp` in `s` (clamped to the string). */
export function codePointToUtf16(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

/** The number of code points in the first `offset` UTF-16 units of `s`. */
export function utf16ToCodePoint(s: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return n;
}
