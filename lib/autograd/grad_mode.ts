/** Grad mode: `no_grad`, `enable_grad`, `set_grad_enabled`, `is_grad_enabled`. */

let enabled = true;

/** `torch.is_grad_enabled()`. @example torch.no_grad(() => torch.is_grad_enabled()) // false */
export function is_grad_enabled(): boolean {
  return enabled;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    enabled = prev;
    throw e;
  }
  if (result instanceof Promise) {
    // the mode holds until the promise settles, as a `with` block around an await would
    return result.finally(() => {
      enabled = prev;
    }) as T;
  }
  enabled = prev;
  return result;
}

/**
 * `torch.no_grad()`: runs `fn` without recording operations for autograd.
 * Differs from PyTorch: a context manager becomes a callback.
 * @example torch.no_grad(() => { a.sub_(a.grad!.mul(lr)); });
 */
export function no_grad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/**
 * `torch.enable_grad()`: records operations inside `fn` even within `no_grad`.
 * @example torch.no_grad(() => torch.enable_grad(() => x.mul(2))).requires_grad // true
 */
export function enable_grad<T>(fn: () => T): T {
  return withMode(true, fn);
}

/**
 * `torch.set_grad_enabled(mode)`: sets grad mode globally, or for `fn` only when given.
 * @example torch.set_grad_enabled(false); // as in PyTorch's function form
 */
export function set_grad_enabled<T>(mode: boolean, fn?: () => T): T | undefined {
  if (fn) return withMode(mode, fn);
  enabled = mode;
  return undefined;
}

/** `torch.inference_mode(fn)`: in torchlab the same as no_grad. */
export const inference_mode = no_grad;

let anomaly = false;
let anomalyCheckNan = true;

/** `torch.is_anomaly_enabled()`. @example torch.autograd.is_anomaly_enabled() // false */
export function is_anomaly_enabled(): boolean {
  return anomaly;
}

/** `torch.is_anomaly_check_nan_enabled()`. @example torch.autograd.is_anomaly_check_nan_enabled() // true */
export function is_anomaly_check_nan_enabled(): boolean {
  return anomalyCheckNan;
}

/**
 * `torch.autograd.set_detect_anomaly(mode, check_nan)`: in anomaly mode every node remembers
 * the stack of the forward call that made it, a failing backward prints it, and a backward that
 * returns NaN raises. As a plain call it sets the mode globally, as in PyTorch.
 * Differs from PyTorch: the forward "traceback" is a JavaScript stack.
 * @example torch.autograd.set_detect_anomaly(true);
 */
export function set_detect_anomaly(mode: boolean, check_nan = true): void {
  anomaly = mode;
  anomalyCheckNan = check_nan;
}

/**
 * `torch.autograd.detect_anomaly()`: runs `fn` (forward and backward) in anomaly mode.
 * Differs from PyTorch: a context manager becomes a callback.
 * @example torch.autograd.detect_anomaly(() => loss(model(x)).backward());
 */
export function detect_anomaly<T>(fn: () => T, opts: { check_nan?: boolean } = {}): T {
  const prev = [anomaly, anomalyCheckNan] as const;
  anomaly = true;
  anomalyCheckNan = opts.check_nan ?? true;
  const restore = () => {
    [anomaly, anomalyCheckNan] = prev;
  };
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}
