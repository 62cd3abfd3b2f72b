/**
 * The kernel over the wire: a ZeroMQ client with signed messages drives every message type the
 * kernel answers, as JupyterLab, Notebook, VS Code and jupyter_client do.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRELOADS } from '../../kernel/prelude.js';
import type { Message } from '../../kernel/protocol.js';
import { loadGolden } from '../helpers/golden.js';
import { KernelClient, ofType, root, type Exchange } from './client.js';

type Content = Record<string, unknown>;
const content = (m: Message | undefined): Content => (m?.content ?? {}) as Content;
const types = (x: Exchange): string[] => x.iopub.map((m) => m.header.msg_type);
const result = (x: Exchange): Content => content(ofType(x.iopub, 'execute_result')[0]);
const plain = (x: Exchange): unknown => (result(x).data as Content | undefined)?.['text/plain'];
const streamText = (x: Exchange, name: string): string =>
  ofType(x.iopub, 'stream').filter((m) => content(m).name === name).map((m) => String(content(m).text)).join('');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start();
}, 120_000);

afterAll(async () => {
  await k?.close();
});

describe('kernel_info', () => {
  it('answers with status ok, protocol 5.3, torchlab and TypeScript', async () => {
    const x = await k.request('shell', 'kernel_info_request');
    const c = content(x.reply);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(x.reply.header.msg_type).toBe('kernel_info_reply');
    expect(x.reply.header.version).toBe('5.3');
    expect(c.status).toBe('ok');
    expect(c.protocol_version).toBe('5.3');
    expect(c.implementation).toBe('torchlab');
    expect(c.implementation_version).toBe(pkg.version);
    const li = c.language_info as Content;
    expect(li.name).toBe('typescript');
    expect(li.mimetype).toBe('text/typescript');
    expect(li.file_extension).toBe('.ts');
    expect(String(li.version)).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof c.banner).toBe('string');
    expect(types(x)).toEqual(['status', 'status']);
    expect(x.iopub.map((m) => content(m).execution_state)).toEqual(['busy', 'idle']);
  });

  it('is also answered on the control channel', async () => {
    const x = await k.request('control', 'kernel_info_request');
    expect(content(x.reply).implementation).toBe('torchlab');
  });

  it('answers heartbeats while idle', async () => {
    expect(await k.heartbeat('ping')).toBe('ping');
  });
});

describe('execute', () => {
  it('publishes busy, execute_input, execute_result and idle, and counts executions', async () => {
    const a = await k.execute('1 + 2');
    const b = await k.execute('"abc"');
    expect(types(a)).toEqual(['status', 'execute_input', 'execute_result', 'status']);
    expect(content(a.reply).status).toBe('ok');
    const n = content(a.reply).execution_count as number;
    expect(content(b.reply).execution_count).toBe(n + 1);
    expect(content(ofType(a.iopub, 'execute_input')[0])).toEqual({ code: '1 + 2', execution_count: n });
    expect(result(a)).toEqual({ execution_count: n, data: { 'text/plain': '3' }, metadata: {} });
    expect(plain(b)).toBe("'abc'");
    expect(content(a.reply).payload).toEqual([]);
    expect(content(a.reply).user_expressions).toEqual({});
  });

  it('keeps declarations across cells, and has no result for a declaration or undefined', async () => {
    const a = await k.execute('const answer: number = 42');
    expect(ofType(a.iopub, 'execute_result')).toEqual([]);
    expect(plain(await k.execute('answer * 2'))).toBe('84');
    expect(ofType((await k.execute('undefined')).iopub, 'execute_result')).toEqual([]);
  });

  it('streams stdout and stderr (console and process streams) before the result', async () => {
    const x = await k.execute('console.log("hello, world"); process.stdout.write("raw\\n"); console.error("oops"); 7');
    expect(streamText(x, 'stdout')).toBe('hello, world\nraw\n');
    expect(streamText(x, 'stderr')).toBe('oops\n');
    const t = types(x);
    expect(t.lastIndexOf('stream')).toBeLessThan(t.indexOf('execute_result'));
  });

  it.each([
    ['waits', 'await new Promise((r) => setTimeout(r, 1500))'],
    ['computes without yielding', 'const t0 = Date.now(); while (Date.now() - t0 < 1500) {}'],
  ])('streams output of a cell while it still %s', async (_, rest) => {
    const h = k.send('shell', 'execute_request', { code: `console.log("first"); ${rest}; console.log("second")`, silent: false });
    await k.waitIopub(() => k.iopubFor(h.msg_id).some((m) => m.header.msg_type === 'stream'), 1200);
    const early = k.iopubFor(h.msg_id).filter((m) => m.header.msg_type === 'stream').map((m) => content(m).text);
    expect(early).toEqual(['first\n']);
    await k.waitReply(h.msg_id);
  });

  it('type-checks Node.js APIs in cells outside any npm project', async () => {
    expect(plain(await k.execute('typeof process.version'))).toBe("'string'");
  });

  it('supports top-level await', async () => {
    expect(plain(await k.execute('await Promise.resolve(5) + 1'))).toBe('6');
  });

  it('honours silent: no execute_input, no result, no count, no history', async () => {
    const before = content((await k.execute('0')).reply).execution_count as number;
    const x = await k.execute('const silentValue = 11; silentValue', { silent: true, store_history: true });
    expect(types(x)).toEqual(['status', 'status']);
    expect(content(x.reply).status).toBe('ok');
    const after = await k.execute('silentValue');
    expect(plain(after)).toBe('11');
    expect(content(after.reply).execution_count).toBe(before + 1);
    const hist = await k.request('shell', 'history_request', { hist_access_type: 'search', pattern: '*silentValue; silentValue', output: false, raw: true });
    expect(content(hist.reply).history).toEqual([]);
  });

  it('honours store_history: false (counted, not recorded)', async () => {
    const x = await k.execute('"not stored"', { store_history: false });
    expect(plain(x)).toBe("'not stored'");
    const hist = await k.request('shell', 'history_request', { hist_access_type: 'search', pattern: '"not stored"', output: false, raw: true });
    expect(content(hist.reply).history).toEqual([]);
  });

  it('evaluates user_expressions after the cell', async () => {
    const x = await k.execute('const ue = 3', { user_expressions: { double: 'ue * 2', bad: 'nope' } });
    const ue = content(x.reply).user_expressions as Record<string, Content>;
    expect(ue.double).toEqual({ status: 'ok', data: { 'text/plain': '6' }, metadata: {} });
    expect(ue.bad!.status).toBe('error');
    expect(ue.bad!.ename).toBe('NameError');
  });
});

describe('prelude', () => {
  it('binds torchlab names from the build, under PyTorch spelling', async () => {
    const mod = (await import(pathToFileURL(join(root, 'dist', 'index.js')).href)) as Record<string, unknown>;
    const has = (path: string): boolean => {
      let v: unknown = mod;
      for (const key of path.split('.')) {
        if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
        v = (v as Record<string, unknown>)[key];
      }
      return v !== undefined;
    };
    const expected = PRELOADS.filter((p) => p.from.some(has)).map((p) => p.name);
    expect(expected).toContain('torch');
    const x = await k.execute(`[${expected.map((n) => `typeof ${n}`).join(', ')}].join(' ')`);
    expect(String(plain(x)).replace(/'/g, '').split(' ')).not.toContain('undefined');
  });

  const golden = loadGolden<{ execute_result: { code: string; 'text/plain': string }[]; stdout: { code: string; text: string }[] }>('kernel.json');

  it.each(golden.execute_result)('shows $code as PyTorch shows it', async ({ code, 'text/plain': expected }) => {
    expect(plain(await k.execute(code))).toBe(expected);
  });

  it.each(golden.stdout)('prints like PyTorch: $code', async ({ code, text }) => {
    expect(streamText(await k.execute(code), 'stdout')).toBe(text);
  });
});

describe('rich output', () => {
  it('adds the Symbol.for("Jupyter.display") bundle to text/plain', async () => {
    const x = await k.execute(`const rich = { [Symbol.for('Jupyter.display')]() { return { 'text/html': '<b>rich</b>', 'image/png': new Uint8Array([1, 2, 3]) }; } }; rich`);
    const data = result(x).data as Content;
    expect(data['text/html']).toBe('<b>rich</b>');
    expect(data['image/png']).toBe('AQID');
    expect(typeof data['text/plain']).toBe('string');
  });

  it('falls back to text/plain when the display method throws, and says so on stderr', async () => {
    const x = await k.execute(`({ [Symbol.for('Jupyter.display')]() { throw new Error('broken hook'); } })`);
    expect(content(x.reply).status).toBe('ok');
    expect(Object.keys(result(x).data as Content)).toEqual(['text/plain']);
    expect(streamText(x, 'stderr')).toContain('broken hook');
  });

  it('sends display_data, update_display_data and clear_output through the kernel hooks', async () => {
    const x = await k.execute([
      `const hooks = (globalThis as any)[Symbol.for('torchlab.kernel')];`,
      `hooks.display({ 'text/plain': 'one' }, { display_id: 'd1' });`,
      `hooks.display({ 'text/plain': 'two' }, { display_id: 'd1', update: true });`,
      `hooks.clear_output(true);`,
    ].join('\n'));
    expect(types(x)).toEqual(['status', 'execute_input', 'display_data', 'update_display_data', 'clear_output', 'status']);
    expect(content(ofType(x.iopub, 'display_data')[0])).toEqual({ data: { 'text/plain': 'one' }, metadata: {}, transient: { display_id: 'd1' } });
    expect(content(ofType(x.iopub, 'clear_output')[0])).toEqual({ wait: true });
  });

  it("routes tslab's display module through the kernel", async () => {
    const x = await k.execute(`import * as tslab from 'tslab'; tslab.display.html('<i>tslab</i>')`);
    expect(content(ofType(x.iopub, 'display_data')[0]).data).toEqual({ 'text/html': '<i>tslab</i>' });
  });
});

describe('errors', () => {
  it('reports a thrown error with ename, evalue and a traceback without kernel frames', async () => {
    const x = await k.execute('function inner() { throw new RangeError("too far") }\ninner()');
    const c = content(x.reply);
    expect(c.status).toBe('error');
    expect(c.ename).toBe('RangeError');
    expect(c.evalue).toBe('too far');
    const tb = c.traceback as string[];
    expect(tb[0]).toBe('RangeError: too far');
    expect(tb.some((l) => l.includes('at inner'))).toBe(true);
    expect(tb.some((l) => l.includes('tslab') || l.includes('node:vm') || l.includes('dist/kernel'))).toBe(false);
    const err = ofType(x.iopub, 'error');
    expect(err).toHaveLength(1);
    expect(content(err[0])).toEqual({ ename: 'RangeError', evalue: 'too far', traceback: tb });
    expect(ofType(x.iopub, 'execute_result')).toEqual([]);
  });

  it("reports torchlab's PyTorch errors by their class", async () => {
    const x = await k.execute('torch.ones([2]).view([3])');
    expect(content(x.reply).ename).toBe('RuntimeError');
    expect(content(x.reply).evalue).toBe("shape '[3]' is invalid for input of size 2");
  });

  it('reports type errors, unknown names and syntax errors as TypeError, NameError and SyntaxError', async () => {
    const a = content((await k.execute('let typed: number = "a"')).reply);
    expect(a.ename).toBe('TypeError');
    expect(a.evalue).toBe("Type 'string' is not assignable to type 'number'.");
    expect((a.traceback as string[])[0]).toBe("cell:1:5 - error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(content((await k.execute('nowhere + 1')).reply).ename).toBe('NameError');
    expect(content((await k.execute('let = ;')).reply).ename).toBe('SyntaxError');
  });

  it('reports thrown non-errors', async () => {
    const c = content((await k.execute('throw "plain"')).reply);
    expect(c.ename).toBe('Error');
    expect(c.evalue).toBe("'plain'");
  });

  it('aborts execute requests queued behind a failure (stop_on_error), and not otherwise', async () => {
    const fail = k.send('shell', 'execute_request', { code: 'throw new Error("first")', silent: false, stop_on_error: true });
    const next = k.send('shell', 'execute_request', { code: '"next"', silent: false });
    expect(content(await k.waitReply(fail.msg_id)).status).toBe('error');
    expect(content(await k.waitReply(next.msg_id)).status).toBe('aborted');
    const fail2 = k.send('shell', 'execute_request', { code: 'throw new Error("second")', silent: false, stop_on_error: false });
    const next2 = k.send('shell', 'execute_request', { code: '"runs"', silent: false });
    expect(content(await k.waitReply(fail2.msg_id)).status).toBe('error');
    expect(content(await k.waitReply(next2.msg_id)).status).toBe('ok');
    // the abort only covers requests that were already waiting
    expect(content((await k.execute('"later"')).reply).status).toBe('ok');
  });

  it('survives uncaught exceptions and unhandled rejections left behind by a cell', async () => {
    await k.execute('setTimeout(() => { throw new Error("late throw") }, 10); void Promise.reject(new Error("late reject"))');
    await sleep(300);
    const x = await k.execute('"alive"');
    expect(plain(x)).toBe("'alive'");
    const stderr = k.received.filter((m) => m.header.msg_type === 'stream' && content(m).name === 'stderr').map((m) => String(content(m).text)).join('');
    expect(stderr).toContain('late throw');
    expect(stderr).toContain('late reject');
  });
});

describe('is_complete, complete, inspect', () => {
  it.each([
    ['const a = 1', 'complete'],
    ['', 'complete'],
    ['function f() {', 'incomplete'],
    ['const xs = [1, 2,', 'incomplete'],
    ['`multi\nline', 'incomplete'],
    ['/* open comment', 'incomplete'],
    ['1 +* 2', 'invalid'],
    [')', 'invalid'],
    ["'unterminated", 'invalid'],
  ])('is_complete(%j) is %s', async (code, status) => {
    const x = await k.request('shell', 'is_complete_request', { code });
    expect(content(x.reply).status).toBe(status);
  });

  it('suggests the indent of the next line of an incomplete cell', async () => {
    const x = await k.request('shell', 'is_complete_request', { code: 'if (true) {' });
    expect(content(x.reply)).toEqual({ status: 'incomplete', indent: '  ' });
  });

  it('completes members of the preloaded torch, with the replaced range', async () => {
    const code = 'torch.zer';
    const x = await k.request('shell', 'complete_request', { code, cursor_pos: code.length });
    const c = content(x.reply);
    expect(c.status).toBe('ok');
    expect(c.matches).toContain('zeros');
    expect(c.matches).toContain('zeros_like');
    expect([c.cursor_start, c.cursor_end]).toEqual([6, 9]);
    expect(c.metadata).toEqual({});
  });

  it('counts cursor positions in code points, as protocol 5.2+ does', async () => {
    const code = '"😀"; answ';
    const cp = [...code].length;
    const x = await k.request('shell', 'complete_request', { code, cursor_pos: cp });
    const c = content(x.reply);
    expect(c.matches).toContain('answer');
    expect([c.cursor_start, c.cursor_end]).toEqual([cp - 4, cp]);
  });

  it('completes names declared in earlier cells', async () => {
    await k.execute('const myLearningRate = 0.1');
    const x = await k.request('shell', 'complete_request', { code: 'myLearn', cursor_pos: 7 });
    expect(content(x.reply).matches).toEqual(['myLearningRate']);
  });

  it("answers IPython's `name?` with a pager payload", async () => {
    const x = await k.execute('myLearningRate?');
    expect(content(x.reply).status).toBe('ok');
    expect(content(x.reply).payload).toEqual([{ source: 'page', data: { 'text/plain': 'const myLearningRate: 0.1' }, start: 0 }]);
    expect(streamText(await k.execute('noSuchThing?'), 'stdout')).toBe('Object `noSuchThing` not found.\n');
  });

  it('inspects the name under or just before the cursor', async () => {
    const x = await k.request('shell', 'inspect_request', { code: 'myLearningRate', cursor_pos: 14, detail_level: 0 });
    expect(content(x.reply)).toEqual({ status: 'ok', found: true, data: { 'text/plain': 'const myLearningRate: 0.1' }, metadata: {} });
    const none = await k.request('shell', 'inspect_request', { code: '   ', cursor_pos: 1, detail_level: 0 });
    expect(content(none.reply)).toEqual({ status: 'ok', found: false, data: {}, metadata: {} });
  });
});

describe('history and comms', () => {
  it('answers tail, range and search like IPython', async () => {
    const codes = ['"hist" + 1', '"hist" + 2', '"hist" + 1'];
    const lines: number[] = [];
    for (const c of codes) lines.push(content((await k.execute(c)).reply).execution_count as number);
    const q = async (req: Content): Promise<unknown[]> =>
      content((await k.request('shell', 'history_request', { output: false, raw: true, ...req })).reply).history as unknown[];
    expect(await q({ hist_access_type: 'tail', n: 3 })).toEqual(lines.map((l, i) => [1, l, codes[i]]));
    expect(await q({ hist_access_type: 'tail', n: 1, output: true })).toEqual([[1, lines[2], ['"hist" + 1', "'hist1'"]]]);
    expect(await q({ hist_access_type: 'range', session: 0, start: lines[0], stop: lines[1]! + 1 })).toEqual([[1, lines[0], codes[0]], [1, lines[1], codes[1]]]);
    expect(await q({ hist_access_type: 'range', session: 7, start: 0, stop: 1000 })).toEqual([]);
    expect(await q({ hist_access_type: 'search', pattern: '"hist" + ?' })).toEqual(lines.map((l, i) => [1, l, codes[i]]));
    expect(await q({ hist_access_type: 'search', pattern: '"hist" + ?', n: 2 })).toEqual([[1, lines[1], codes[1]], [1, lines[2], codes[2]]]);
    expect(await q({ hist_access_type: 'search', pattern: '"hist" + ?', unique: true })).toEqual([[1, lines[1], codes[1]], [1, lines[2], codes[2]]]);
    expect(await q({ hist_access_type: 'search', pattern: '"hist" + [2]' })).toEqual([[1, lines[1], codes[1]]]);
  });

  it('has no comms: comm_info_reply is empty, comm_open is closed', async () => {
    const x = await k.request('shell', 'comm_info_request', { target_name: 'jupyter.widget' });
    expect(x.reply.header.msg_type).toBe('comm_info_reply');
    expect(content(x.reply)).toEqual({ status: 'ok', comms: {} });
    const open = k.send('shell', 'comm_open', { comm_id: 'c1', target_name: 'nothing', data: {} });
    await k.waitIopub(() => k.iopubFor(open.msg_id).some((m) => m.header.msg_type === 'comm_close'));
    expect(content(k.iopubFor(open.msg_id).find((m) => m.header.msg_type === 'comm_close'))).toEqual({ comm_id: 'c1', data: {} });
  });
});

describe('interrupt', () => {
  /** Starts `code`, interrupts it after `delayMs` on the control channel, returns the execute reply. */
  const interrupted = async (code: string, delayMs = 400): Promise<Content> => {
    const h = k.send('shell', 'execute_request', { code, silent: false, stop_on_error: false });
    await sleep(delayMs);
    const ir = await k.request('control', 'interrupt_request');
    expect(content(ir.reply)).toEqual({ status: 'ok' });
    return content(await k.waitReply(h.msg_id, 10_000));
  };

  it('stops a synchronous infinite loop and keeps the kernel state', async () => {
    await k.execute('let spins = 0; const kept = "kept"');
    const r = await interrupted('while (true) { spins++ }');
    expect(r.status).toBe('error');
    expect(r.ename).toBe('KeyboardInterrupt');
    expect(plain(await k.execute('spins > 0 && kept === "kept"'))).toBe('true');
  });

  it('stops a loop that runs after an await', async () => {
    const r = await interrupted('await new Promise((r) => setTimeout(r, 50)); for (;;) {}');
    expect(r.ename).toBe('KeyboardInterrupt');
  });

  it('stops a cell waiting on a promise, and its continuation never runs on', async () => {
    await k.execute('let resumed = false');
    const r = await interrupted('await new Promise((r) => setTimeout(r, 600)); resumed = true; while (true) {}');
    expect(r.ename).toBe('KeyboardInterrupt');
    await sleep(600);
    // the leftover continuation hits its loop check and stops instead of hanging the kernel
    const x = await k.execute('"responsive"', {}, 5000);
    expect(plain(x)).toBe("'responsive'");
  });

  it('lets finally blocks run, so library state is restored (torch.no_grad)', async () => {
    const r = await interrupted('torch.no_grad(() => { while (true) {} })');
    expect(r.ename).toBe('KeyboardInterrupt');
    expect(plain(await k.execute('torch.is_grad_enabled()'))).toBe('true');
  });

  it('stops synchronous code without loop checks with SIGINT', async () => {
    const r = await interrupted('new Function("while (true) {}")()');
    expect(r.ename).toBe('KeyboardInterrupt');
    expect(plain(await k.execute('1 + 1'))).toBe('2');
  });

  it('stops a loop in a callback a finished cell left behind', async () => {
    await k.execute('setTimeout(() => { while (true) {} }, 100)');
    await sleep(400);
    const ir = await k.request('control', 'interrupt_request');
    expect(content(ir.reply)).toEqual({ status: 'ok' });
    const x = await k.execute('"free again"', {}, 5000);
    expect(plain(x)).toBe("'free again'");
    expect(k.received.some((m) => m.header.msg_type === 'stream' && String(content(m).text).includes('KeyboardInterrupt'))).toBe(true);
  });

  it('is harmless while idle', async () => {
    const ir = await k.request('control', 'interrupt_request');
    expect(content(ir.reply).status).toBe('ok');
    expect(plain(await k.execute('"still here"'))).toBe("'still here'");
  });
});

describe('stdin', () => {
  const input = `Reflect.get(globalThis, Symbol.for('torchlab.kernel')).input`;

  it('asks the frontend with input_request and returns its input_reply', async () => {
    k.onInput = (prompt, password) => `${prompt}|${password}|typed`;
    const x = await k.execute(`const typed: string = ${input}('name? '); typed.toUpperCase()`, { allow_stdin: true });
    expect(plain(x)).toBe("'NAME? |FALSE|TYPED'");
    const req = k.inputRequests[k.inputRequests.length - 1]!;
    expect(content(req)).toEqual({ prompt: 'name? ', password: false });
    expect((req.parent_header as { msg_id?: string }).msg_id).toBe(x.reply.parent_header.msg_id);
  });

  it('raises StdinNotImplementedError when the frontend sent allow_stdin: false', async () => {
    const x = await k.execute(`${input}('never asked')`, { allow_stdin: false });
    expect(content(x.reply).ename).toBe('StdinNotImplementedError');
  });

  it('is interrupted while waiting for the answer', async () => {
    k.onInput = () => null;
    const h = k.send('shell', 'execute_request', { code: `${input}('waiting')`, silent: false, allow_stdin: true, stop_on_error: false });
    await sleep(400);
    await k.request('control', 'interrupt_request');
    expect(content(await k.waitReply(h.msg_id, 5000)).ename).toBe('KeyboardInterrupt');
    k.onInput = null;
    expect(plain(await k.execute('"after input"'))).toBe("'after input'");
  });
});

describe('signatures', () => {
  it('drops and logs messages with a bad signature', async () => {
    const h = k.send('shell', 'execute_request', { code: '"forged"', silent: false }, (frames) => {
      const i = frames.findIndex((f) => f.toString() === '<IDS|MSG>');
      frames[i + 1] = Buffer.from('0'.repeat(64));
      return frames;
    });
    await expect(k.waitReply(h.msg_id, 1000)).rejects.toThrow(/no reply/);
    expect(k.iopubFor(h.msg_id)).toEqual([]);
    expect(k.stderr).toContain('bad signature');
    expect(plain(await k.execute('"signed"'))).toBe("'signed'");
  });
});

describe('separate kernels: shutdown, notebook folder', () => {
  it.each([false, true])('replies (restart: %s), broadcasts the reply and exits', async (restart) => {
    const s = await KernelClient.start();
    try {
      const x = await s.request('control', 'shutdown_request', { restart });
      expect(x.reply.header.msg_type).toBe('shutdown_reply');
      expect(content(x.reply)).toEqual({ status: 'ok', restart });
      expect(ofType(x.iopub, 'shutdown_reply').map(content)).toEqual([{ status: 'ok', restart }]);
      expect(await s.exited()).toBe(0);
    } finally {
      await s.close();
    }
  });

  // a loop is interrupted first; Atomics.wait is neither a loop nor interruptible by SIGINT
  for (const [what, code] of [
    ['while a cell is stuck in a loop (interrupting it first)', 'while (true) {}'],
    ['even when no interrupt reaches the stuck code', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)'],
  ] as const) {
    it(`shuts down ${what}`, async () => {
      const s = await KernelClient.start();
      try {
        const h = s.send('shell', 'execute_request', { code, silent: false });
        await s.waitIopub(() => s.iopubFor(h.msg_id).some((m) => m.header.msg_type === 'execute_input'));
        await sleep(300);
        const x = await s.request('control', 'shutdown_request', { restart: false });
        expect(content(x.reply).status).toBe('ok');
        expect(await s.exited(8000)).not.toBeNull();
      } finally {
        await s.close();
      }
    });
  }

  it('resolves modules from the notebook folder (the kernel working directory)', async () => {
    const s = await KernelClient.start();
    try {
      writeFileSync(join(s.dir, 'helper.ts'), 'export const fromHelper = (x: number): number => x * 10;\n');
      const x = await s.execute(`import { fromHelper } from './helper'; fromHelper(4)`);
      expect(plain(x)).toBe('40');
    } finally {
      await s.close();
    }
  });
});
