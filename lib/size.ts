/**
 * `torch.Size`: an array of dims that prints as PyTorch prints it.
 * @example torch.zeros(2, 3).shape; const [n, d] = x.shape; String(x.shape) // 'torch.Size([2, 3])'
 */
export class Size extends Array<number> {
  /** @internal */
  static make(dims: readonly number[]): Size {
    const s = new Size();
    for (const d of dims) s.push(d);
    return Object.freeze(s) as Size;
  }

  /** `x.shape.numel()`. @example torch.zeros(2, 3).shape.numel() // 6 */
  numel(): number {
    let n = 1;
    for (const d of this) n *= d;
    return n;
  }

  /** `String(size)`: PyTorch's repr, `torch.Size([2, 3])`. @example String(torch.zeros(2, 3).shape) // 'torch.Size([2, 3])' */
  override toString(): string {
    return sizeRepr(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** A shape as PyTorch prints a `torch.Size`, for messages: `torch.Size([2, 3])`. */
export function sizeRepr(dims: readonly number[]): string {
  return `torch.Size([${dims.join(', ')}])`;
}
