/** The kernel's pure parts: wire format and signatures, loop checks, history, is_complete, positions. */

import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { codePointToUtf16, isComplete, utf16ToCodePoint } from '../../kernel/complete.js';
import { diagnosticsContent, errorContent, mimeBundle } from '../../kernel/display.js';
import { globToRegExp, History } from '../../kernel/history.js';
import { ATTENTION_FLAG, CHECK_FUNCTION, injectInterruptChecks } from '../../kernel/interrupt.js';
import { makePrelude } from '../../kernel/prelude.js';
import { DELIMITER, newHeader, parse, serialize, Signer } from '../../kernel/protocol.js';

describe('wire format', () => {
  const signer = new Signer('secret');
  const msg = { identities: [Buffer.from('client')], header: newHeader('execute_request', 's'), parent_header: {}, metadata: {}, content: { code: '1' }, buffers: [] };

  it('round-trips a signed message, identities included', () => {
    const frames = serialize(msg, signer);
    expect(frames[0]!.toString()).toBe('client');
    expect(frames[1]!.equals(DELIMITER)).toBe(true);
    expect(frames[2]!.toString()).toMatch(/^[0-9a-f]{64}$/);
    const r = parse(frames, signer);
    expect(r.ok && r.msg.content).toEqual({ code: '1' });
    expect(r.ok && r.msg.header.version).toBe('5.3');
  });

  it('refuses a wrong signature, a wrong key and a tampered body', () => {
    const frames = serialize(msg, signer);
    expect(parse(frames, new Signer('other'))).toEqual({ ok: false, reason: 'bad signature' });
    const tampered = frames.slice();
    tampered[6] = Buffer.from('{"code":"2"}');
    expect(parse(tampered, signer)).toEqual({ ok: false, reason: 'bad signature' });
    expect(parse(frames.slice(2), signer)).toEqual({ ok: false, reason: 'no <IDS|MSG> delimiter' });
  });

  it('does not sign with an empty key, as jupyter_client', () => {
    const frames = serialize(msg, new Signer(''));
    expect(frames[2]!.toString()).toBe('');
    expect(parse(frames, new Signer('')).ok).toBe(true);
  });
});

describe('loop checks', () => {
  /** Runs compiled code whose check throws after `limit` checks; returns how many ran. */
  const run = (js: string, limit: number): number => {
    let checks = 0;
    const ctx = {
      [ATTENTION_FLAG]: new Int32Array([1]),
      [CHECK_FUNCTION]: () => {
        if (++checks >= limit) throw new Error('stop');
      },
    };
    try {
      runInNewContext(injectInterruptChecks(js), ctx);
    } catch (e) {
      if ((e as Error).message !== 'stop') throw e;
    }
    return checks;
  };

  it.each([
    'while (true) {}',
    'while (true);',
    'for (;;) {}',
    'for (;;) ;',
    'do {} while (true)',
    'do ; while (true)',
    'outer: for (;;) for (;;) { continue outer }',
    'for (const x of (function* () { for (;;) yield 1 })()) {}',
    'for (const k in new Proxy({}, { ownKeys: () => { for (;;) {} } })) {}',
    'const f = () => { while (true) {} }; f()',
  ])('stops %s', (code) => {
    expect(run(code, 5)).toBe(5);
  });

  it('keeps line numbers and semantics', () => {
    const js = 'let s = 0;\nfor (let i = 0; i < 3; i++)\n  s += i;\nif (s) while (s > 0) s--;\nresult = s;';
    const out = injectInterruptChecks(js);
    expect(out.split('\n')).toHaveLength(js.split('\n').length);
    const ctx: Record<string, unknown> = { [ATTENTION_FLAG]: new Int32Array([0]), [CHECK_FUNCTION]: () => {}, result: -1 };
    runInNewContext(out, ctx);
    expect(ctx.result).toBe(0);
  });
});

describe('history', () => {
  const h = new History();
  ['a = 1', 'b = 2', 'a = 1', 'print(a)'].forEach((c, i) => h.add(i + 1, c));
  h.setOutput(4, '1');

  it('tail, range and search with n and unique', () => {
    expect(h.query({ hist_access_type: 'tail', n: 2 })).toEqual([[1, 3, 'a = 1'], [1, 4, 'print(a)']]);
    expect(h.query({ hist_access_type: 'tail', n: 1, output: true })).toEqual([[1, 4, ['print(a)', '1']]]);
    expect(h.query({ hist_access_type: 'range', session: 1, start: 2, stop: 4 })).toEqual([[1, 2, 'b = 2'], [1, 3, 'a = 1']]);
    expect(h.query({ hist_access_type: 'search', pattern: 'a*' })).toEqual([[1, 1, 'a = 1'], [1, 3, 'a = 1']]);
    expect(h.query({ hist_access_type: 'search', pattern: 'a*', unique: true })).toEqual([[1, 3, 'a = 1']]);
    expect(h.query({ hist_access_type: 'search', pattern: '*', n: 1 })).toEqual([[1, 4, 'print(a)']]);
  });

  it('globs like SQLite GLOB', () => {
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(globToRegExp('a?c').test('abbc')).toBe(false);
    expect(globToRegExp('[ab]*').test('bz')).toBe(true);
    expect(globToRegExp('[^ab]*').test('bz')).toBe(false);
    expect(globToRegExp('x.(y)+').test('x.(y)+')).toBe(true);
    expect(globToRegExp('x.(y)+').test('xa(y)')).toBe(false);
    expect(globToRegExp('A*').test('abc')).toBe(false);
  });
});

describe('is_complete and positions', () => {
  it('tells complete, incomplete and invalid apart', () => {
    expect(isComplete('const a = 1')).toEqual({ status: 'complete' });
    expect(isComplete('class A {')).toEqual({ status: 'incomplete', indent: '  ' });
    expect(isComplete('const s = `a')).toEqual({ status: 'incomplete', indent: '' });
    expect(isComplete('a b')).toEqual({ status: 'invalid' });
  });

  it('converts between code points and UTF-16 offsets', () => {
    const s = 'a😀b';
    expect(codePointToUtf16(s, 2)).toBe(3);
    expect(utf16ToCodePoint(s, 3)).toBe(2);
    expect(codePointToUtf16(s, 99)).toBe(s.length);
  });
});

describe('display and errors', () => {
  it('builds a bundle from the display method, encoding binary data', async () => {
    const v = { [Symbol.for('Jupyter.display')]: () => ({ 'image/png': new Uint8Array([255]), 'text/plain': 'img', 'not a mime': 1 }) };
    expect(await mimeBundle(v)).toEqual({ data: { 'image/png': '/w==', 'text/plain': 'img' }, metadata: {} });
    expect((await mimeBundle({ [Symbol.for('Jupyter.display')]: () => 3 })).warning).toContain('not a MIME bundle');
  });

  it('names errors as JavaScript does, and diagnostics as Python would', () => {
    const e = errorContent(new SyntaxError('bad\nworse'));
    expect(e.ename).toBe('SyntaxError');
    expect(e.traceback.slice(0, 2)).toEqual(['SyntaxError: bad', 'worse']);
    const d = diagnosticsContent([
      { line: 0, character: 4, messageText: "Cannot find name 'x'.", code: 2304 },
      { line: 1, character: 0, messageText: 'Expression expected.', code: 1109 },
    ], 'y = x\n)');
    expect(d.ename).toBe('SyntaxError');
    expect(d.traceback[0]).toBe('cell:2:1 - error TS1109: Expression expected.');
  });
});

describe('prelude', () => {
  it('imports top-level exports and reads nested ones off them', async () => {
    const lib = new URL('./fixtures/fake_lib.mjs', import.meta.url);
    const { code, names } = await makePrelude(lib.pathname);
    expect(names).toEqual(['torch', 'nn', 'F', 'print']);
    const spec = JSON.stringify(lib.pathname);
    expect(code).toBe([
      `import torch, { nn, print } from ${spec};`,
      'const F = nn.functional;',
    ].join('\n'));
  });
});
