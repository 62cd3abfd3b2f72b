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
