/**
 * What a cell cannot do to the kernel: print 100 MB, return a 100 MB result, hand over a bundle
 * JSON cannot encode, leave a rejected promise behind, or break its display hook. The kernel caps
 * each cell's output (like the Jupyter server's iopub data rate limit), says how much it dropped,
 * and keeps answering.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitBundle, limitError } from '../../kernel/display.js';
import { DEFAULT_OUTPUT_LIMIT, OutputCapture, outputLimit, truncationNotice } from '../../kernel/output.js';
import type { ToWorker } from '../../kernel/bridge.js';
import type { Header, Message } from '../../kernel/protocol.js';
import { KernelClient, ofType, type Exchange } from './client.js';

type Content = Record<string, unknown>;
const content = (m: Message | undefined): Content => (m?.content ?? {}) as Content;
const data = (x: Exchange, type = 'execute_result'): Content => (content(ofType(x.iopub, type)[0]).data ?? {}) as Content;
const streamText = (x: Exchange, name: string): string =>
  ofType(x.iopub, 'stream').filter((m) => content(m).name === name).map((m) => String(content(m).text)).join('');
const LIMIT = DEFAULT_OUTPUT_LIMIT;

let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start();
}, 120_000);

afterAll(async () => {
  await k?.close();
});

/** The kernel still runs cells and answers heartbeats. */
async function alive(): Promise<void> {
  const x = await k.execute('1 + 1');
  expect(data(x)['text/plain']).toBe('2');
  expect(await k.heartbeat('still here')).toBe('still here');
}

describe('stream output limit', () => {
  it('cuts a 100 MB console.log at the limit and says how much was dropped', async () => {
    const x = await k.execute(`console.log('x'.repeat(1e8))`, {}, 60_000);
    expect(content(x.reply).status).toBe('ok');
    const out = streamText(x, 'stdout');
    expect(out.length).toBe(LIMIT);
    expect(/^x+$/.test(out)).toBe(true);
    // 1e8 x's and the newline
    expect(streamText(x, 'stderr')).toBe(truncationNotice(1e8 + 1 - LIMIT, LIMIT));
    expect(streamText(x, 'stderr')).toContain('Output truncated: 90,000,001 more characters were dropped');
    await alive();
  }, 90_000);

  it('caps a loop printing megabytes, keeps the result, and starts afresh in the next cell', async () => {
    const x = await k.execute(`for (let i = 0; i < 200; i++) process.stdout.write('y'.repeat(1_000_000)); 'done'`, {}, 60_000);
    expect(streamText(x, 'stdout').length).toBe(LIMIT);
    expect(streamText(x, 'stderr')).toBe(truncationNotice(200 * 1_000_000 - LIMIT, LIMIT));
    expect(data(x)['text/plain']).toBe("'done'");
    const next = await k.execute(`console.log('small'); console.error('also small')`);
    expect(streamText(next, 'stdout')).toBe('small\n');
    expect(streamText(next, 'stderr')).toBe('also small\n');
  }, 90_000);
});

describe('result and display limits', () => {
  it('cuts a 100 MB text/plain result with a notice', async () => {
    // util.inspect already shortens long strings, so the big text comes from a display method
    const x = await k.execute(`({ [Symbol.for('Jupyter.display')]() { return { 'text/plain': 'z'.repeat(1e8) } } })`, {}, 60_000);
    const text = String(data(x)['text/plain']);
    expect(text.startsWith('z'.repeat(LIMIT) + '\n[torchlab] Output truncated: 90,000,000 more characters were dropped')).toBe(true);
    expect(text.length).toBeLessThan(LIMIT + 200);
    await alive();
  }, 90_000);

  it('drops a rich representation over the limit and keeps text/plain', async () => {
    const x = await k.execute(`({ [Symbol.for('Jupyter.display')]() { return { 'text/html': '<p>' + 'h'.repeat(2e7) } }, toString() { return 'big' } })`, {}, 60_000);
    expect(Object.keys(data(x))).toEqual(['text/plain']);
    expect(streamText(x, 'stderr')).toContain('text/html was dropped: 20,000,003 characters, over the limit of 10,000,000 per output');
  }, 90_000);

  it('drops representations that JSON cannot encode (BigInt, functions) instead of dying', async () => {
    const x = await k.execute(`({ [Symbol.for('Jupyter.display')]() { return { 'application/json': { n: 1n }, 'text/html': '<b>ok</b>' } } })`);
    expect(data(x)['text/html']).toBe('<b>ok</b>');
    expect(data(x)['application/json']).toBeUndefined();
    expect(streamText(x, 'stderr')).toContain('application/json was dropped: it cannot be sent as JSON');
    const y = await k.execute(`const hooks = (globalThis as any)[Symbol.for('torchlab.kernel')]; hooks.display({ 'application/json': { big: 2n }, 'text/plain': 'shown' }); hooks.display({ 'application/json': () => 1 }); 3`);
    expect(content(y.reply).status).toBe('ok');
    expect(data(y, 'display_data')).toEqual({ 'text/plain': 'shown' });
    expect(streamText(y, 'stderr')).toContain('application/json was dropped');
    await alive();
  });

  it('cuts a huge error message', async () => {
    const x = await k.execute(`throw new Error('e'.repeat(3e7))`, {}, 60_000);
    const c = content(x.reply);
    expect(c.ename).toBe('Error');
    expect(String(c.evalue).length).toBeLessThan(LIMIT + 100);
    expect(String(c.evalue)).toMatch(/… \[20,000,000 more characters\]$/);
    await alive();
  }, 90_000);
});

describe('misbehaving cells', () => {
  it('survives unhandled rejections of errors and non-errors, also from timers', async () => {
    await k.execute(`Promise.reject(42); setTimeout(() => { void Promise.reject(new TypeError('late')); }, 10); 1`);
    await k.waitIopub((msgs) => msgs.some((m) => String(content(m).text).includes('TypeError: late')));
    const texts = ofType(k.received, 'stream').map((m) => String(content(m).text)).join('');
    expect(texts).toContain('Unhandled promise rejection: Uncaught 42');
    await alive();
  });

  it('survives display hooks that throw, throw non-errors, reject, or return garbage', async () => {
    for (const [body, warning] of [
      [`throw new Error('hook broke')`, 'failed: hook broke'],
      [`throw 'a string'`, "failed: 'a string'"],
      [`return Promise.reject(new Error('async hook broke'))`, 'failed: async hook broke'],
      [`return 5`, 'returned 5, not a MIME bundle'],
    ] as const) {
      const x = await k.execute(`({ v: 1, [Symbol.for('Jupyter.display')]() { ${body} } })`);
      expect(content(x.reply).status).toBe('ok');
      expect(String(data(x)['text/plain'])).toContain('v: 1');
      expect(streamText(x, 'stderr')).toContain(warning);
    }
    await alive();
  });
});

describe('limit helpers', () => {
  it('reads TORCHLAB_MAX_OUTPUT_CHARS', () => {
    expect(outputLimit({})).toBe(DEFAULT_OUTPUT_LIMIT);
    expect(outputLimit({ TORCHLAB_MAX_OUTPUT_CHARS: '1000' })).toBe(1000);
    expect(outputLimit({ TORCHLAB_MAX_OUTPUT_CHARS: '-3' })).toBe(DEFAULT_OUTPUT_LIMIT);
    expect(outputLimit({ TORCHLAB_MAX_OUTPUT_CHARS: 'lots' })).toBe(DEFAULT_OUTPUT_LIMIT);
  });

  it('counts both streams of a cell, never splits a surrogate pair, and reports late drops again', () => {
    const posted: ToWorker[] = [];
    const out = new OutputCapture((m) => posted.push(m), 10);
    const parent = { msg_id: 'a' } as Header;
    out.setParent(parent, false);
    out.write('stdout', '12345678');
    out.write('stderr', 'x😀yz');
    out.finish();
    const texts = posted.map((m) => (m.type === 'stream' ? `${m.name}:${m.text}` : ''));
    expect(texts).toEqual(['stdout:12345678', 'stderr:x', `stderr:${truncationNotice(4, 10)}`]);
    // one character of room is left after the surrogate pair was held back
    out.write('stdout', 'later');
    out.setParent({ msg_id: 'b' } as Header, false);
    expect(posted.slice(-2)).toEqual([
      { type: 'stream', name: 'stdout', text: 'l', parent },
      { type: 'stream', name: 'stderr', text: truncationNotice(4, 10), parent },
    ]);
    out.write('stdout', 'fresh');
    expect(posted.at(-1)).toMatchObject({ name: 'stdout', text: 'fresh' });
  });

  it('limits bundles: cuts text/plain, drops the largest rich forms first, makes a JSON copy', () => {
    const r = limitBundle({ 'text/plain': 'p'.repeat(30), 'text/html': 'h'.repeat(8), 'image/svg+xml': 's'.repeat(5) }, 20);
    expect(String(r.data['text/plain']).startsWith('p'.repeat(20) + '\n[torchlab] Output truncated: 10 more characters')).toBe(true);
    expect(Object.keys(r.data)).toEqual(['text/plain']);
    expect(r.warning).toBe('text/html was dropped: 8 characters, over the limit of 20 per output\nimage/svg+xml was dropped: 5 characters, over the limit of 20 per output');
    const json = { a: [1, 2], when: new Date(0) };
    const copy = limitBundle({ 'application/json': json }, 100);
    expect(copy).toEqual({ data: { 'application/json': { a: [1, 2], when: '1970-01-01T00:00:00.000Z' } } });
    expect(limitBundle({ 'text/plain': 'ok' }, 100)).toEqual({ data: { 'text/plain': 'ok' } });
  });

  it('limits error content', () => {
    const e = limitError({ ename: 'Error', evalue: 'v'.repeat(50), traceback: ['Error: ' + 'v'.repeat(50), '    at f', '    at g'] }, 20);
    expect(e.evalue).toBe('v'.repeat(20) + '… [30 more characters]');
    expect(e.traceback).toEqual(['Error: ' + 'v'.repeat(13) + '… [37 more characters]']);
  });
});
