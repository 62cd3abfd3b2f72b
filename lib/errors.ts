/**
 * Python's exception names, so messages read as PyTorch's do (`RuntimeError: ...`).
 * @example try { torch.zeros(2).view(3); } catch (e) { if (e instanceof torch.RuntimeError) console.log(e.message); }
 */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}
export class IndexError extends Error {
  override name = 'IndexError';
}
export class ValueError extends Error {
  override name = 'ValueError';
}
export class NotImplementedError extends Error {
  override name = 'NotImplementedError';
}
export class KeyError extends Error {
  override name = 'KeyError';
}
/** Python's AssertionError, which PyTorch's Python layers raise from `assert cond, message`. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/**
 * Python's name for the type of a JavaScript value, as PyTorch's argument errors print it
 * (`must be Tensor, not NoneType`): undefined and null are None.
 */
export function pyTypeName(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (v === null || v === undefined) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  if (name === 'Object' || name === 'Map') return 'dict';
  return (v as { constructor?: { name?: string } }).constructor?.name ?? typeof v;
}
