/**
 * Where rich output goes. `display(x)`, live plots and progress bars hand MIME bundles to the
 * current display publisher: the Jupyter kernel's (found at `globalThis[Symbol.for('torchlab.kernel')]`,
 * or installed with `set_publisher`), or, outside a kernel, one that prints `text/plain` to stdout.
 */

/** A MIME bundle: MIME type to representation (strings; JSON objects for `+json` types). */
export type MimeBundle = Record<string, unknown>;

/** How a bundle is published: a new output, or an update of the output with `display_id`. */
export interface PublishOptions {
  display_id?: string;
  /** Replace the output created earlier with the same `display_id` (`update_display_data`). */
  update?: boolean;
  metadata?: Record<string, unknown>;
}

/**
 * A sink for rich output: the kernel installs one that sends `display_data` /
 * `update_display_data`. `rich` tells producers whether HTML and images will be seen at all
 * (progress bars write text to stderr when it is false).
 */
export interface DisplayPublisher {
  readonly rich: boolean;
  publish(bundle: MimeBundle, options?: PublishOptions): void;
  /** Throws KeyboardInterrupt when the user interrupted the running cell (kernel only). */
  checkInterrupt?(): void;
}

/** The object `Jupyter.display` methods return; also what a cell's last expression shows. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for('Jupyter.display');
const KERNEL_HOOKS = Symbol.for('torchlab.kernel');

/** The part of the kernel's hooks (kernel/kernel.ts `KernelHooks`) used here. */
interface KernelHooksLike {
  display(data: Record<string, unknown>, options?: { metadata?: Record<string, unknown>; display_id?: string; update?: boolean }): void;
  check_interrupt?(): void;
}

function kernelHooks(): KernelHooksLike | null {
  const hooks: unknown = (globalThis as Record<symbol, unknown>)[KERNEL_HOOKS];
  if (typeof hooks === 'object' && hooks !== null && typeof (hooks as { display?: unknown }).display === 'function') {
    return hooks as KernelHooksLike;
  }
  return null;
}

/** Publishes through the torchlab kernel's hooks. */
class KernelPublisher implements DisplayPublisher {
  readonly rich = true;
  constructor(private readonly hooks: KernelHooksLike) {}
  publish(bundle: MimeBundle, options: PublishOptions = {}): void {
    const opts: { metadata?: Record<string, unknown>; display_id?: string; update?: boolean } = {};
    if (options.metadata !== undefined) opts.metadata = options.metadata;
    if (options.display_id !== undefined) opts.display_id = options.display_id;
    if (options.update) opts.update = true;
    this.hooks.display(bundle, opts);
  }
  checkInterrupt(): void {
    this.hooks.check_interrupt?.();
  }
}

/**
 * Outside a notebook: prints `text/plain` (updates print again, as a terminal cannot replace
 * earlier lines in general).
 */
export class TextPublisher implements DisplayPublisher {
  readonly rich = false;
  constructor(private readonly write: (s: string) => void = (s) => void process.stdout.write(s)) {}
  publish(bundle: MimeBundle): void {
    const text = bundle['text/plain'];
    this.write((typeof text === 'string' ? text : JSON.stringify(text)) + '\n');
  }
}

let installed: DisplayPublisher | null = null;
const fallback = new TextPublisher();

/**
 * Installs `publisher` as the sink for rich output (null restores the default: the kernel's
 * hooks when present, else stdout). Returns the previous one.
 * @example const prev = set_publisher({rich: true, publish: (b) => outputs.push(b)}); ...; set_publisher(prev)
 */
export function set_publisher(publisher: DisplayPublisher | null): DisplayPublisher | null {
  const prev = installed;
  installed = publisher;
  return prev;
}

/** The sink rich output goes to now. @example display.get_publisher().rich // true in a notebook */
export function get_publisher(): DisplayPublisher {
  if (installed !== null) return installed;
  const hooks = kernelHooks();
  return hooks === null ? fallback : new KernelPublisher(hooks);
}

let nextId = 0;

/** A fresh `display_id` for an output that will be updated in place. */
export function newDisplayId(kind: string): string {
  nextId += 1;
  return `torchlab-${kind}-${process.pid}-${Date.now().toString(36)}-${nextId}`;
}

/** Whether `x` has a `[Symbol.for('Jupyter.display')]()` method. */
export function hasDisplay(x: unknown): x is { [JUPYTER_DISPLAY](): MimeBundle | Promise<MimeBundle> } {
  return (typeof x === 'object' || typeof x === 'function') && x !== null
    && typeof (x as Record<symbol, unknown>)[JUPYTER_DISPLAY] === 'function';
}

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
