/**
 * Progress bars: `tqdm(iterable, {desc, total})` and `trange(n)`, with tqdm's meter text (count,
 * percentage, elapsed, ETA, rate, postfix), written to stderr in terminals and shown as an HTML bar
 * updated in place (`display_id`) in notebooks. Each step checks the kernel's interrupt flag, so an
 * interrupted training loop stops with KeyboardInterrupt.
 */

import { ValueError } from '../errors.js';
import { formatExp, formatFixed, floatRepr } from './pyformat.js';
import { JUPYTER_DISPLAY, escapeHtml, get_publisher, newDisplayId, type DisplayPublisher, type MimeBundle } from './publisher.js';

/** tqdm's `format_interval`: `01:05`, `1:02:03`. */
export function format_interval(t: number): string {
  const total = Math.trunc(t);
  const s = total % 60;
  const mins = Math.floor(total / 60);
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  const two = (v: number): string => String(v).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** Python's `'{:.3g}'.format(x)`. */
function formatG(x: number, p: number): string {
  if (!Number.isFinite(x)) return formatFixed(x, 0);
  const exp = x === 0 ? 0 : Number(formatExp(x, p - 1).split('e')[1]);
  if (exp >= -4 && exp < p) {
    const s = formatFixed(x, Math.max(0, p - 1 - exp));
    return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  }
  const [mant, e] = formatExp(x, p - 1).split('e') as [string, string];
  return `${mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant}e${e}`;
}

/** tqdm's `format_num`: the shorter of `'{:.3g}'` (exponent zeros dropped) and `str(n)`. */
export function format_num(n: number): string {
  const f = formatG(n, 3).replace('+0', '+').replace('-0', '-');
  const s = Number.isSafeInteger(n) ? String(n) : floatRepr(n);
  return f.length < s.length ? f : s;
}

const UTF = ' ▏▎▍▌▋▊▉█';

/** tqdm's `Bar` with the UTF charset: full blocks, one partial block, spaces. */
function bar(frac: number, length: number): string {
  const nsyms = UTF.length - 1;
  const units = Math.trunc(frac * length * nsyms);
  const full = Math.floor(units / nsyms);
  const part = units % nsyms;
  let res = UTF[nsyms]!.repeat(full);
  if (full < length) res += UTF[part]! + ' '.repeat(length - full - 1);
  return res;
}

/** The arguments of `format_meter` that torchlab's bars use. */
export interface MeterArgs {
  n: number;
  total?: number | null;
  /** Seconds since the start. */
  elapsed: number;
  /** Total width; the bar takes what the text leaves (default: a 10-character bar). */
  ncols?: number | null;
  prefix?: string;
  unit?: string;
  postfix?: string;
  /** Overrides the average rate (items a second). */
  rate?: number | null;
}

/**
 * tqdm's `format_meter`: `'desc:  40%|████      | 4/10 [00:02<00:03,  1.98it/s, loss=0.1]'`.
 * @example format_meter({n: 4, total: 10, elapsed: 2}) // ' 40%|████      | 4/10 [00:02<00:03,  2.00it/s]'
 */
export function format_meter(a: MeterArgs): string {
  const unit = a.unit ?? 'it';
  let total = a.total ?? null;
  if (total && a.n >= total + 0.5) total = null;
  const elapsedStr = format_interval(a.elapsed);
  let rate = a.rate ?? null;
  if (rate === null && a.elapsed) rate = a.n / a.elapsed;
  const invRate = rate ? 1 / rate : null;
  const rateNoinv = (rate ? formatFixed(rate, 2).padStart(5) : '?') + unit + '/s';
  const rateInv = (invRate ? formatFixed(invRate, 2).padStart(5) : '?') + 's/' + unit;
  const rateFmt = invRate && invRate > 1 ? rateInv : rateNoinv;
  const nFmt = String(a.n);
  const totalFmt = total !== null ? String(total) : '?';
  const postfix = a.postfix ? ', ' + a.postfix : '';
  const remaining = rate && total ? (total - a.n) / rate : 0;
  const remainingStr = rate ? format_interval(remaining) : '?';
  const prefix = a.prefix ?? '';
  let lBar = prefix ? (prefix.endsWith(': ') ? prefix : prefix + ': ') : '';
  const rBar = `| ${nFmt}/${totalFmt} [${elapsedStr}<${remainingStr}, ${rateFmt}${postfix}]`;
  if (total) {
    const frac = a.n / total;
    lBar += formatFixed(frac * 100, 0).padStart(3) + '%|';
    if (a.ncols === 0) return lBar.slice(0, -1) + rBar.slice(1);
    const width = a.ncols ? Math.max(1, a.ncols - (lBar.length + rBar.length)) : 10;
    const res = lBar + bar(frac, width) + rBar;
    return a.ncols ? res.slice(0, a.ncols) : res;
  }
  return `${prefix ? prefix + ': ' : ''}${nFmt}${unit} [${elapsedStr}, ${rateFmt}${postfix}]`;
}

/** Options of `tqdm` (tqdm's keyword arguments that apply here). */
export interface TqdmOptions {
  desc?: string;
  /** Expected number of iterations (default: the iterable's length, when it has one). */
  total?: number | null;
  /** Keep the finished bar (default true). */
  leave?: boolean;
  /** Minimum seconds between refreshes (default 0.1). */
  mininterval?: number;
  /** Width of the text meter (default: the terminal's width, else a 10-character bar). */
  ncols?: number;
  unit?: string;
  /** Disable the bar entirely (iteration still works). */
  disable?: boolean;
  /** Initial postfix, as `set_postfix` takes it. */
  postfix?: Record<string, unknown>;
  /** Where text goes (default process.stderr, as tqdm). */
  file?: { write(s: string): unknown; isTTY?: boolean; columns?: number };
}

function lengthOf(it: unknown): number | null {
  if (typeof it !== 'object' || it === null) return null;
  const o = it as { length?: unknown; size?: unknown; __len__?: unknown };
  if (typeof o.__len__ === 'function') {
    // tqdm shows no total for a sized-looking object whose len() raises (a DataLoader over a stream)
    try {
      return Number((o.__len__ as () => unknown).call(it));
    } catch {
      return null;
    }
  }
  if (typeof o.length === 'number') return o.length;
  if ((it instanceof Map || it instanceof Set) && typeof o.size === 'number') return o.size;
  return null;
}

/**
 * A progress bar over an iterable (or updated by hand with `update(n)`), as Python's tqdm.
 * Differs from tqdm: in a notebook it is an HTML bar updated through `display_id` (no widgets).
 * @example for (const [x, y] of tqdm(loader, {desc: `epoch ${epoch}`})) { ... }
 */
export class Tqdm<T = unknown> implements Iterable<T> {
  n = 0;
  total: number | null;
  desc: string;
  postfix = '';
  readonly display_id: string = newDisplayId('tqdm');
  private readonly iterable: Iterable<T> | null;
  private readonly opts: TqdmOptions;
  private readonly start = performance.now();
  private lastPrint = -Infinity;
  private closed = false;
  private failed = false;
  private published = false;
  private readonly pub: DisplayPublisher;

  constructor(iterable: Iterable<T> | null = null, opts: TqdmOptions = {}) {
    this.iterable = iterable;
    this.opts = opts;
    this.total = opts.total ?? lengthOf(iterable);
    this.desc = opts.desc ?? '';
    this.pub = get_publisher();
    if (opts.postfix !== undefined) this.postfix = postfixString(opts.postfix);
    this.refresh();
  }

  /** Seconds since the bar was created. */
  get elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  *[Symbol.iterator](): Iterator<T> {
    if (this.iterable === null) throw new ValueError('this tqdm has no iterable: use update(n) instead');
    try {
      for (const item of this.iterable) {
        yield item;
        this.pub.checkInterrupt?.();
        this.update(1);
      }
    } catch (e) {
      this.failed = true;
      throw e;
    } finally {
      this.close();
    }
  }

  /** Adds `n` to the count and refreshes when `mininterval` has passed. */
  update(n = 1): void {
    this.n += n;
    if (performance.now() - this.lastPrint >= (this.opts.mininterval ?? 0.1) * 1000) this.refresh();
  }

  /**
   * `set_postfix({loss: 0.25, acc: 0.9})`: extra stats after the rate (numbers as tqdm's
   * `format_num`, tensors by their value).
   */
  set_postfix(values: Record<string, unknown>, refresh = true): void {
    this.postfix = postfixString(values);
    if (refresh) this.refresh();
  }

  set_postfix_str(s: string, refresh = true): void {
    this.postfix = s;
    if (refresh) this.refresh();
  }

  set_description(desc: string, refresh = true): void {
    this.desc = desc;
    if (refresh) this.refresh();
  }

  /** The meter text. */
  toString(): string {
    return format_meter({
      n: this.n, total: this.total, elapsed: this.elapsed, prefix: this.desc, unit: this.opts.unit ?? 'it',
      postfix: this.postfix, ncols: this.opts.ncols ?? (this.textFile().isTTY ? this.textFile().columns ?? null : null),
    });
  }

  private textFile(): NonNullable<TqdmOptions['file']> {
    return this.opts.file ?? process.stderr;
  }

  /** The HTML bar: description, a filled box, and the meter's numbers. */
  html(): string {
    const frac = this.total ? Math.min(1, this.n / this.total) : this.closed ? 1 : 0;
    const colour = this.failed ? '#d9534f' : this.closed && (this.total === null || this.n >= this.total) ? '#5cb85c' : '#337ab7';
    const text = format_meter({ n: this.n, total: this.total, elapsed: this.elapsed, unit: this.opts.unit ?? 'it', postfix: this.postfix, ncols: 0 });
    const desc = this.desc ? `<span>${escapeHtml(this.desc)}</span>` : '';
    return `<div class="torchlab-tqdm" style="display:flex;align-items:center;gap:8px;font-family:monospace;font-size:12px">${desc}`
      + `<div style="width:300px;height:14px;border:1px solid #bbb;border-radius:2px;background:#eee"><div style="width:${(frac * 100).toFixed(1)}%;height:100%;background:${colour}"></div></div>`
      + `<span>${escapeHtml(text)}</span></div>`;
  }

  /** Redraws now. */
  refresh(): void {
    if (this.opts.disable) return;
    this.lastPrint = performance.now();
    if (this.pub.rich) {
      this.pub.publish(this[JUPYTER_DISPLAY](), this.published ? { display_id: this.display_id, update: true } : { display_id: this.display_id });
      this.published = true;
    } else {
      this.textFile().write('\r' + this.toString());
    }
  }

  /** Final refresh; in a terminal ends the line (or clears it when `leave` is false). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.opts.disable) return;
    this.refresh();
    if (!this.pub.rich) {
      const f = this.textFile();
      if (this.opts.leave ?? true) f.write('\n');
      else f.write('\r' + ' '.repeat(this.toString().length) + '\r');
    }
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { 'text/plain': this.toString(), 'text/html': this.html() };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function postfixString(values: Record<string, unknown>): string {
  return Object.entries(values).map(([k, v]) => {
    let s: string;
    if (typeof v === 'number') s = format_num(v);
    else if (typeof v === 'object' && v !== null && typeof (v as { item?: unknown }).item === 'function' && typeof (v as { numel?: unknown }).numel === 'function' && (v as { numel(): number }).numel() === 1) {
      s = format_num((v as { item(): number }).item());
    } else s = String(v);
    return `${k}=${s.trim()}`;
  }).join(', ');
}

/**
 * `tqdm(iterable, {desc, total})`, or `tqdm({total})` for a bar driven by `update(n)`.
 * @example for (const batch of tqdm(loader, {desc: 'train'})) { ... }
 */
export function tqdm<T>(iterable: Iterable<T>, opts?: TqdmOptions): Tqdm<T>;
export function tqdm(opts: TqdmOptions): Tqdm<never>;
export function tqdm<T>(a: Iterable<T> | TqdmOptions, opts: TqdmOptions = {}): Tqdm<T> {
  if (typeof a === 'object' && a !== null && Symbol.iterator in a) return new Tqdm(a as Iterable<T>, opts);
  return new Tqdm<T>(null, a as TqdmOptions);
}

function* range(start: number, stop: number, step: number): Generator<number> {
  if (step > 0) for (let i = start; i < stop; i += step) yield i;
  else for (let i = start; i > stop; i += step) yield i;
}

/**
 * `trange(n)` / `trange(start, stop, step)`: `tqdm(range(...))`.
 * @example for (const epoch of trange(10, {desc: 'epochs'})) train(epoch)
 */
export function trange(stop: number, opts?: TqdmOptions): Tqdm<number>;
export function trange(start: number, stop: number, step?: number, opts?: TqdmOptions): Tqdm<number>;
export function trange(a: number, b?: number | TqdmOptions, c?: number | TqdmOptions, d?: TqdmOptions): Tqdm<number> {
  let start = 0;
  let stop = a;
  let step = 1;
  let opts: TqdmOptions = {};
  if (typeof b === 'number') {
    start = a;
    stop = b;
    if (typeof c === 'number') step = c;
    else if (c !== undefined) opts = c;
    if (d !== undefined) opts = d;
  } else if (b !== undefined) opts = b;
  if (step === 0) throw new ValueError('range() arg 3 must not be zero');
  const total = Math.max(0, Math.ceil((stop - start) / step));
  return new Tqdm(range(start, stop, step), { total, ...opts });
}
