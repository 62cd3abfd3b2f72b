/**
 * The cooperative interrupt of the torchlab kernel: long library loops (DataLoader iteration,
 * optimizer steps, progress bars) call `check_interrupt()`, which throws KeyboardInterrupt when
 * the user interrupted the running cell. Outside the kernel it does nothing.
 */

const KERNEL_HOOKS = Symbol.for('torchlab.kernel');

/** Throws the kernel's KeyboardInterrupt if the running cell was interrupted; a no-op elsewhere. */
export function check_interrupt(): void {
  const hooks: unknown = (globalThis as Record<symbol, unknown>)[KERNEL_HOOKS];
  if (typeof hooks !== 'object' || hooks === null) return;
  const check = (hooks as { check_interrupt?: unknown }).check_interrupt;
  if (typeof check === 'function') check.call(hooks);
}
