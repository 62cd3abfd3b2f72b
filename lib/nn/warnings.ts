/** Python's `warnings.warn(..., UserWarning)` as torchlab shows it: once per distinct message. */

const shown = new Set<string>();

/** Writes `UserWarning: <message>` to stderr the first time a message is seen, as Python's default filter does. */
export function warnOnce(message: string): void {
  if (shown.has(message)) return;
  shown.add(message);
  console.warn(`UserWarning: ${message}`);
}
