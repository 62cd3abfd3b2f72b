/**
 * Data types and PyTorch's type promotion.
 *
 * int64 is stored in a Float64Array: JavaScript numbers hold integers exactly up to 2^53, which
 * covers every index and count a notebook meets, and keeps the hot loops free of BigInt.
 * This is the one place torchlab's int64 differs from PyTorch's (values past 2^53 round).
 */

export type DTypeName = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

type Category = 0 | 1 | 2; // bool < integer < floating point

/**
 * A tensor's element type, printed as PyTorch prints it (`torch.float32`).
 * @example torch.float32; String(x.dtype) // 'torch.float32'; x.dtype === torch.float32
 */
export class DType {
  /** @internal */
  constructor(
    readonly name: DTypeName,
    readonly itemsize: number,
    /** @internal 0 bool, 1 integer, 2 floating point */
    readonly category: Category,
    readonly is_signed: boolean,
    /** @internal the typed array holding the elements */
    readonly array: { new (n: number): TypedArray; new (b: ArrayBufferLike, o?: number, n?: number): TypedArray },
  ) {}

  /** True for float32 and float64, as `torch.dtype.is_floating_point`. @example torch.int64.is_floating_point // false */
  get is_floating_point(): boolean {
    return this.category === 2;
  }

  /** `torch.float32` etc. @example String(torch.long) // 'torch.int64' */
  toString(): string {
    return `torch.${this.name}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export const float32 = new DType('float32', 4, 2, true, Float32Array);
export const float64 = new DType('float64', 8, 2, true, Float64Array);
export const int32 = new DType('int32', 4, 1, true, Int32Array);
export const int64 = new DType('int64', 8, 1, true, Float64Array);
export const uint8 = new DType('uint8', 1, 1, false, Uint8Array);
export const bool = new DType('bool', 1, 0, false, Uint8Array);

export const dtypes: Record<DTypeName, DType> = { float32, float64, int32, int64, uint8, bool };

/** Aliases PyTorch accepts: `torch.float`, `torch.long`, ... */
export const aliases = {
  float: float32,
  double: float64,
  int: int32,
  long: int64,
} as const;

let defaultFloat: DType = float32;

/** `torch.get_default_dtype()`. @example torch.get_default_dtype() // torch.float32 */
export function get_default_dtype(): DType {
  return defaultFloat;
}

/**
 * `torch.set_default_dtype(d)`: only floating point types, as in PyTorch.
 * @example torch.set_default_dtype(torch.float64); torch.zeros(1).dtype // torch.float64
 */
export function set_default_dtype(d: DType): void {
  if (!d.is_floating_point) {
    throw new TypeError(`only floating-point types are supported as the default type`);
  }
  defaultFloat = d;
}

/** Accepts a DType or its name ('float32', 'long', ...). */
export function toDType(d: DType | string): DType {
  if (d instanceof DType) return d;
  const name = d.startsWith('torch.') ? d.slice(6) : d;
  const found = (dtypes as Record<string, DType>)[name] ?? (aliases as Record<string, DType>)[name];
  if (!found) throw new TypeError(`invalid dtype: ${d}`);
  return found;
}

/**
 * `torch.promote_types(a, b)`: the smallest type both convert to without losing category.
 * @example torch.promote_types(torch.uint8, torch.int32) // torch.int32
 */
export function promote_types(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a.category !== b.category) return a.category > b.category ? a : b;
  if (a.category === 2) return a.itemsize >= b.itemsize ? a : b;
  if (a.category === 0) return a;
  // integers: uint8 with a signed type needs a wider signed type
  if (a === uint8) return b.itemsize > 1 ? b : int32;
  if (b === uint8) return a.itemsize > 1 ? a : int32;
  return a.itemsize >= b.itemsize ? a : b;
}

/** What a plain JavaScript value means as an operand: its category as a Python scalar would. */
export function scalarCategory(v: number | boolean): Category {
  if (typeof v === 'boolean') return 0;
  return Number.isInteger(v) ? 1 : 2;
}

/** One operand of an op, as type promotion sees it. */
export type PromotionOperand = { dtype: DType; dim: number } | number | boolean;

/**
 * `torch.result_type`: dimensioned tensors win over zero-dim tensors, which win over scalars,
 * unless a lower-priority operand has a higher category (then that category's type is used).
 */
export function result_type(...operands: PromotionOperand[]): DType {
  let dimResult: DType | undefined;
  let zeroResult: DType | undefined;
  let scalarCat: Category | -1 = -1;
  for (const o of operands) {
    if (typeof o === 'number' || typeof o === 'boolean') {
      scalarCat = Math.max(scalarCat, scalarCategory(o)) as Category;
    } else if (o.dim > 0) {
      dimResult = dimResult ? promote_types(dimResult, o.dtype) : o.dtype;
    } else {
      zeroResult = zeroResult ? promote_types(zeroResult, o.dtype) : o.dtype;
    }
  }
  let r = dimResult;
  if (zeroResult) {
    if (!r) r = zeroResult;
    else if (zeroResult.category > r.category) r = zeroResult;
  }
  if (scalarCat >= 0) {
    const s = scalarCat === 2 ? defaultFloat : scalarCat === 1 ? int64 : bool;
    if (!r) r = s;
    else if (scalarCat > r.category) r = s;
  }
  return r ?? defaultFloat;
}

/** The dtype of a value inferred the way `torch.tensor` infers it. */
export function inferScalarDType(v: number | boolean): DType {
  const c = scalarCategory(v);
  return c === 2 ? defaultFloat : c === 1 ? int64 : bool;
}

/** Rounds or wraps a number to what `dtype` can hold, as a store into its typed array would. */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype.name) {
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
    case 'int32':
      return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case 'int64':
      return Number.isFinite(v) ? Math.trunc(v) : 0;
    case 'uint8':
      return Number.isFinite(v) ? Math.trunc(v) & 255 : 0;
    case 'bool':
      return v !== 0 ? 1 : 0;
  }
}
