/**
 * Python's calling convention in TypeScript: positional arguments in order, and keyword
 * arguments as one trailing options object (which may come after any number of positionals).
 */

/** A plain `{...}` object: the keyword-arguments object (tensors, arrays, dtypes are values). */
export function isKwargs(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Reads `args` as a Python call would bind them to `names`: positional values fill the names in
 * order until a keyword object, whose entries then apply (undefined entries are skipped).
 * @example pyArgs(['negative_slope', 'inplace'], [0.2, {inplace: true}]) // {negative_slope: 0.2, inplace: true}
 */
export function pyArgs<T extends object>(names: readonly (keyof T & string)[], args: readonly unknown[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    if (isKwargs(v)) {
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = x;
      break;
    }
    if (v !== undefined && i < names.length) out[names[i]!] = v;
  }
  return out as Partial<T>;
}
