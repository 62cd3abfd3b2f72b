/** `torch.Size`: an array of dims that prints as PyTorch prints it. */
export class Size extends Array<number> {
  /** @internal */
  static make(dims: readonly number[]): Size {
    const s = new Size();
    for (const d of dims) s.push(d);
    return Object.freeze(s) as Size;
  }

  /** `x.shape.numel()`. */
  numel(): number {
    let n = 1;
    for (const d of this) n *= d;
    return n;
  }

  override toString(): string {
    return `torch.Size([${this.join(', ')}])`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}
