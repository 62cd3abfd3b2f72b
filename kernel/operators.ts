/**
 * The operator prelude: the helpers that rewritten cells call (`rewrite.ts`). Their overloads
 * give exact types (number op number is number, tensor op anything is Tensor) and their bodies
 * keep JavaScript's semantics for everything that is not a tensor, so `'n = ' + n`, bigint math
 * and `any` values behave as before the rewrite. It is TypeScript source for the prelude cell.
 *
 * Tensor semantics are PyTorch's: `+ - * / ** %` are `add sub mul div pow remainder` (`%` on
 * numbers stays JavaScript's truncating remainder), comparisons are `lt le gt ge`, `-x` is
 * `neg`, and `a op= b` on a tensor is the in-place method (`a -= b` is `a.sub_(b)`), so it also
 * updates a tensor captured by a closure such as `torch.no_grad(() => { a -= lr * a.grad })`.
 * A number on the left of a tensor (`2 - x`, `2 / x`) takes PyTorch's reflected operator, so
 * dtypes and grad_fn names are PyTorch's (`RsubBackward1`, `MulBackward0` after `reciprocal`).
 * A string on either side of `+` concatenates, tensors included.
 */

import { HELPER_PREFIX } from './rewrite.js';

const P = HELPER_PREFIX;

/**
 * Name, PyTorch method, JavaScript operator, and what a number on the left of a tensor becomes, as
 * Python's reflected operators (`__rsub__` is rsub, `__rtruediv__` is reciprocal() * n), with `t`
 * the tensor, `n` the number and `s` the number as a 0-dim tensor on `t`'s device.
 */
type Reflected = (torch: string, t: string, n: string, s: string) => string;
const ARITHMETIC: readonly (readonly [string, string, string, Reflected])[] = [
  ['sub', 'sub', '-', (torch, t, n) => `${torch}.rsub(${t}, ${n})`],
  ['mul', 'mul', '*', (_, t, n) => `${t}.mul(${n})`],
  ['div', 'div', '/', (_, t, n) => `${t}.reciprocal().mul(${n})`],
  ['mod', 'remainder', '%', (_, t, _n, s) => `${s}.remainder(${t})`],
  ['pow', 'pow', '**', (_, t, _n, s) => `${s}.pow(${t})`],
];

/** Name, method, operator, and the method that takes the operands the other way round. */
const COMPARISON = [
  ['lt', 'lt', '<', 'gt'],
  ['le', 'le', '<=', 'ge'],
  ['gt', 'gt', '>', 'lt'],
  ['ge', 'ge', '>=', 'le'],
] as const;

/**
 * The helpers' source. `torchName` is the local name of the library's `torch` namespace in the
 * prelude. The Tensor type is written `InstanceType<typeof torch.Tensor>` rather than imported
 * under a helper name: TypeScript would show that name in every hover and error instead of `Tensor`.
 */
export function operatorPrelude(torchName: string): string {
  const T = `${P}Tensor`;
  const S = `${T} | number | boolean`;
  const lines: string[] = [];
  lines.push(`const ${T} = ${torchName}.Tensor;`, `type ${T} = InstanceType<typeof ${torchName}.Tensor>;`);
  // Only `any` (and nothing real) is assignable to this type: overloads on it keep `any`'s typing.
  lines.push(`type ${P}AnyOnly = { readonly ${P}anyOnly: never; readonly ${P}anyOnly2: never };`);
  lines.push(`function ${P}scalar(s: any, t: ${T}): ${T} { return ${torchName}.tensor(s, { device: t.device }); }`);

  // + : TypeScript's own rules first (strings, any), then numbers, then tensors
  lines.push(
    `function ${P}add(a: ${P}AnyOnly, b: ${P}AnyOnly): any;`,
    `function ${P}add(a: ${P}AnyOnly, b: string): string;`,
    `function ${P}add(a: string, b: ${P}AnyOnly): string;`,
    `function ${P}add(a: ${P}AnyOnly, b: unknown): any;`,
    `function ${P}add(a: unknown, b: ${P}AnyOnly): any;`,
    `function ${P}add(a: number, b: number): number;`,
    `function ${P}add(a: bigint, b: bigint): bigint;`,
    `function ${P}add(a: string, b: unknown): string;`,
    `function ${P}add(a: unknown, b: string): string;`,
    `function ${P}add(a: ${T}, b: ${S}): ${T};`,
    `function ${P}add(a: number | boolean, b: ${T}): ${T};`,
    `function ${P}add(a: any, b: any): any {`,
    `  if (typeof a === 'string' || typeof b === 'string') return a + b;`,
    `  if (a instanceof ${T}) return a.add(b);`,
    `  if (b instanceof ${T}) return b.add(a);`,
    `  return a + b;`,
    `}`,
    `function ${P}iadd(a: ${P}AnyOnly, b: ${P}AnyOnly): any;`,
    `function ${P}iadd(a: ${P}AnyOnly, b: string): string;`,
    `function ${P}iadd(a: string, b: ${P}AnyOnly): string;`,
    `function ${P}iadd(a: ${P}AnyOnly, b: unknown): any;`,
    `function ${P}iadd(a: unknown, b: ${P}AnyOnly): any;`,
    `function ${P}iadd(a: number, b: number): number;`,
    `function ${P}iadd(a: bigint, b: bigint): bigint;`,
    `function ${P}iadd(a: string, b: unknown): string;`,
    `function ${P}iadd(a: unknown, b: string): string;`,
    `function ${P}iadd(a: ${T}, b: ${S}): ${T};`,
    `function ${P}iadd(a: number | boolean, b: ${T}): ${T};`,
    `function ${P}iadd(a: any, b: any): any {`,
    `  if (typeof a !== 'string' && typeof b !== 'string' && a instanceof ${T}) return a.add_(b);`,
    `  return ${P}add(a, b);`,
    `}`,
    `function ${P}iadd_(a: ${T}, b: ${S}): ${T};`,
    `function ${P}iadd_(a: any, b: any): any { return ${P}inplace(a, 'add_', b, '+='); }`,
  );
  lines.push(
    `function ${P}inplace(a: any, method: string, b: any, op: string): any {`,
    `  if (!(a instanceof ${T})) throw new TypeError(\`unsupported operand for in-place \${op}: \${typeof a} (only a tensor can be updated in place here)\`);`,
    `  return a[method](b);`,
    `}`,
  );

  for (const [name, method, op, reflectedForm] of ARITHMETIC) {
    const signatures = (fn: string, result: string): string[] => [
      `function ${fn}(a: number, b: number): number;`,
      `function ${fn}(a: bigint, b: bigint): bigint;`,
      `function ${fn}(a: ${T}, b: ${S}): ${result};`,
      `function ${fn}(a: number | boolean, b: ${T}): ${T};`,
    ];
    const reflected = reflectedForm(torchName, 'b', 'a', `${P}scalar(a, b)`);
    lines.push(
      ...signatures(P + name, T),
      `function ${P}${name}(a: any, b: any): any {`,
      `  if (a instanceof ${T}) return a.${method}(b);`,
      `  if (b instanceof ${T}) return ${reflected};`,
      `  return a ${op} b;`,
      `}`,
      ...signatures(`${P}i${name}`, T),
      `function ${P}i${name}(a: any, b: any): any {`,
      `  if (a instanceof ${T}) return a.${method}_(b);`,
      `  return ${P}${name}(a, b);`,
      `}`,
      `function ${P}i${name}_(a: ${T}, b: ${S}): ${T};`,
      `function ${P}i${name}_(a: any, b: any): any { return ${P}inplace(a, '${method}_', b, '${op}='); }`,
    );
  }

  for (const [name, method, op, flipped] of COMPARISON) {
    lines.push(
      `function ${P}${name}(a: number | bigint, b: number | bigint): boolean;`,
      `function ${P}${name}(a: string, b: string): boolean;`,
      `function ${P}${name}(a: ${T}, b: ${S}): ${T};`,
      `function ${P}${name}(a: number | boolean, b: ${T}): ${T};`,
      `function ${P}${name}(a: ${P}AnyOnly, b: unknown): boolean;`,
      `function ${P}${name}(a: unknown, b: ${P}AnyOnly): boolean;`,
      `function ${P}${name}(a: any, b: any): any {`,
      `  if (a instanceof ${T}) return a.${method}(b);`,
      `  if (b instanceof ${T}) return b.${flipped}(a);`,
      `  return a ${op} b;`,
      `}`,
    );
  }

  lines.push(
    `function ${P}neg(a: number): number;`,
    `function ${P}neg(a: bigint): bigint;`,
    `function ${P}neg(a: ${T}): ${T};`,
    `function ${P}neg(a: any): any { return a instanceof ${T} ? a.neg() : -a; }`,
  );
  return lines.join('\n');
}
