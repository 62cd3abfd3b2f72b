/**
 * WGSL kernels. Each `plan` returns the uniform words of one dispatch and a cache key; the WGSL
 * text is generated only on a cache miss (`code()`). Views stay metadata: every kernel reads
 * shape, strides and offsets from its uniform slot, so one pipeline serves every view of a rank.
 */

import { collapse } from '../../shape.js';
import type { ArgReduceOp, PointwiseFn, ReduceOp, ScanOp } from '../../backend.js';
import type { DType } from '../../dtype.js';
import { floatTruth, helperSource, storageType, storeExpr, UNIFORM_DECL, WgslAlgebra, wgslType, type ScalarType } from './wgsl.js';

/** A strided operand as kernels see it: which binding holds it and how it is laid out. */
export interface Strided {
  binding: number;
  dtype: DType;
  offset: number;
  strides: readonly number[];
}

export interface Plan {
  key: string;
  /** Storage bindings after the uniform: 'w' read-write, 'r' read-only. */
  layout: string;
  words: number[];
  code: () => string;
  x: number;
  y: number;
  z: number;
}

const f32Bits = new Float32Array(1);
const i32Bits = new Int32Array(f32Bits.buffer);
/** A float as the int32 word holding its float32 bits. */
export function floatWord(v: number): number {
  f32Bits[0] = v;
  return i32Bits[0]!;
}

/** Workgroups for `n` threads of `size` each, spread over x and y (x is capped at 65535). */
export function grid(n: number, size = 256): { x: number; y: number } {
  const groups = Math.max(1, Math.ceil(n / size));
  const x = Math.min(groups, 65535);
  return { x, y: Math.ceil(groups / x) };
}

/** Accumulates uniform words and hands out their indices. */
export class Words {
  readonly w: number[] = [0x7f800000, 0x7fc00000];
  int(v: number): number {
    this.w.push(v | 0);
    return this.w.length - 1;
  }
  float(v: number): number {
    this.w.push(floatWord(v));
    return this.w.length - 1;
  }
  ints(vs: readonly number[]): number {
    const at = this.w.length;
    for (const v of vs) this.w.push(v | 0);
    return at;
  }
}

export function bindingDecls(layout: string, types: readonly ScalarType[], atomic = -1): string {
  let s = '';
  for (let i = 0; i < layout.length; i++) {
    const access = layout[i] === 'w' ? 'read_write' : 'read';
    const elem = i === atomic ? (types[i] === 'f' ? 'atomic<u32>' : 'atomic<i32>') : wgslType(types[i]!);
    s += `@group(0) @binding(${i + 1}) var<storage, ${access}> b${i + 1}: array<${elem}>;\n`;
  }
  return s;
}

/**
 * WGSL lines that unravel flat index `idx` over a shape held at uniform word `shapeAt` (rank dims)
 * and set `p<name>` to each operand's element offset.
 */
export function unravel(idx: string, tag: string, rank: number, shapeAt: number, ops: readonly { name: string; offAt: number; stridesAt: number }[]): string {
  const lines: string[] = [`  var r${tag}: i32 = ${idx};`];
  for (let d = rank - 1; d > 0; d--) {
    lines.push(`  let c${tag}${d} = r${tag} % ui(${shapeAt + d}u); r${tag} = r${tag} / ui(${shapeAt + d}u);`);
  }
  lines.push(`  let c${tag}0 = r${tag};`);
  for (const o of ops) {
    let e = `ui(${o.offAt}u)`;
    for (let d = 0; d < rank; d++) e += ` + c${tag}${d} * ui(${o.stridesAt + d}u)`;
    lines.push(`  let p${o.name} = ${e};`);
  }
  return lines.join('\n');
}

export const HEAD = (size: string) => `@compute @workgroup_size(${size})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {`;

const fnIds = new WeakMap<PointwiseFn, number>();
let nextFnId = 0;
function fnId(fn: PointwiseFn): number {
  let id = fnIds.get(fn);
  if (id === undefined) fnIds.set(fn, (id = nextFnId++));
  return id;
}

export type PwInput = { kind: 'view'; view: Strided } | { kind: 'scalar'; value: number };

/** out = fn(inputs...) over `shape`; bindings[0] is out's, the rest are read-only. */
export function pointwisePlan(fn: PointwiseFn, shape: readonly number[], out: Strided, inputs: readonly PwInput[], types: readonly ScalarType[]): Plan {
  const views: Strided[] = [out];
  for (const x of inputs) if (x.kind === 'view') views.push(x.view);
  const c = collapse(shape, views.map((v) => v.strides));
  const rank = c.shape.length;
  const n = c.shape.reduce((a, b) => a * b, 1);
  const W = new Words();
  const nAt = W.int(n);
  const shapeAt = W.ints(c.shape);
  const opAt = views.map((v, k) => ({ name: `${k}`, offAt: W.int(v.offset), stridesAt: W.ints(c.strides[k]!) }));
  let key = `pw${fnId(fn)}|${rank}|${out.dtype.name}|${types.join('')}`;
  const scalarAt: number[] = [];
  const scalarT: ScalarType[] = [];
  for (const x of inputs) {
    if (x.kind === 'view') {
      key += `|v${x.view.binding}${x.view.dtype.name}`;
      continue;
    }
    const isInt = Number.isInteger(x.value) && Math.abs(x.value) < 2 ** 31;
    scalarAt.push(isInt ? W.int(x.value) : W.float(x.value));
    scalarT.push(isInt ? 'i' : 'f');
    key += isInt ? '|si' : '|sf';
  }
  const layout = 'w' + 'r'.repeat(types.length - 1);
  const g = grid(n);
  const code = (): string => {
    const A = new WgslAlgebra();
    // a floating result is computed in floating point from the start (exp2 of an int is 2.0 ** x)
    const float = out.dtype.is_floating_point;
    const args: string[] = [];
    let k = 1;
    let s = 0;
    for (const x of inputs) {
      if (x.kind === 'view') {
        const v = x.view;
        const t = storageType(v.dtype);
        const e = `b${v.binding + 1}[p${k}]`;
        args.push(float && t === 'i' ? A.input(`f32(${e})`, 'f') : A.input(e, t));
        k++;
      } else {
        const t = float ? 'f' : scalarT[s]!;
        args.push(A.input(t === 'i' ? `ui(${scalarAt[s]}u)` : float && scalarT[s] === 'i' ? `f32(ui(${scalarAt[s]}u))` : `uf(${scalarAt[s]}u)`, t));
        s++;
      }
    }
    const r = fn.f(A, ...args);
    const store = A.store(r, out.dtype);
    return `${UNIFORM_DECL}${bindingDecls(layout, types)}${helperSource(A.helpers)}
${HEAD('256')}
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= ui(${nAt}u)) { return; }
${unravel('i', '', rank, shapeAt, opAt)}
${A.lines.join('\n')}
  b1[p0] = ${store};
}`;
  };
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/** Rows over the last dim: `outer` joint dims for every operand, then each one's last-dim stride. */
export interface Rows {
  rank: number;
  rows: number;
  shapeAt: number;
  ops: { name: string; offAt: number; stridesAt: number; lastAt: number }[];
}
export function rowsOf(W: Words, outerShape: readonly number[], ops: readonly { v: Strided; outerStrides: readonly number[]; last: number }[]): Rows {
  const c = collapse(outerShape, ops.map((o) => o.outerStrides));
  const rows = outerShape.reduce((a, b) => a * b, 1);
  const shapeAt = W.ints(c.shape);
  const out = ops.map((o, k) => ({ name: `${k}`, offAt: W.int(o.v.offset), stridesAt: W.ints(c.strides[k]!), lastAt: W.int(o.last) }));
  return { rank: c.shape.length, rows, shapeAt, ops: out };
}

function reduceIdentity(op: ReduceOp, t: ScalarType): string {
  switch (op) {
    case 'sum': case 'any': return t === 'f' ? '0.0' : '0';
    case 'prod': case 'all': return t === 'f' ? '1.0' : '1';
    case 'max': return t === 'f' ? '-inf()' : 'i32(-2147483647) - 1';
    case 'min': return t === 'f' ? 'inf()' : '2147483647';
  }
}
function reduceCombine(op: ReduceOp, t: ScalarType, a: string, b: string): string {
  switch (op) {
    case 'sum': return `${a} + ${b}`;
    case 'prod': return `${a} * ${b}`;
    case 'all': return `select(0, 1, ${a} != 0 && ${b} != 0)`;
    case 'any': return `select(0, 1, ${a} != 0 || ${b} != 0)`;
    case 'max': return t === 'f' ? `select(${b}, ${a}, ${a} > ${b} || isnan_f(${a}))` : `max(${a}, ${b})`;
    case 'min': return t === 'f' ? `select(${b}, ${a}, ${a} < ${b} || isnan_f(${a}))` : `min(${a}, ${b})`;
  }
}

/** Reduces the last `k` dims of `input` (shape `shape`) into `out` (shape = leading dims). */
export function reducePlan(op: ReduceOp, shape: readonly number[], input: Strided, out: Strided, outStrides: readonly number[], k: number): Plan {
  const nd = shape.length;
  const outerShape = shape.slice(0, nd - k);
  const W = new Words();
  const oc = collapse(outerShape, [input.strides.slice(0, nd - k), outStrides]);
  const ic = collapse(shape.slice(nd - k), [input.strides.slice(nd - k)]);
  const rows = outerShape.reduce((a, b) => a * b, 1);
  const m = shape.slice(nd - k).reduce((a, b) => a * b, 1);
  const rowsAt = W.int(rows);
  const mAt = W.int(m);
  const oShapeAt = W.ints(oc.shape);
  const inOff = W.int(input.offset);
  const inOuterAt = W.ints(oc.strides[0]!);
  const outOff = W.int(out.offset);
  const outAt = W.ints(oc.strides[1]!);
  const iShapeAt = W.ints(ic.shape);
  const zeroAt = W.int(0);
  const inInnerAt = W.ints(ic.strides[0]!);
  // small rows: one thread each; long rows: a workgroup tree per row
  const perThread = m <= 64;
  const acc: ScalarType = op === 'all' || op === 'any' ? 'i' : storageType(input.dtype);
  const inT = storageType(input.dtype);
  const key = `red|${op}|${perThread}|${oc.shape.length}|${ic.shape.length}|${input.dtype.name}|${out.dtype.name}|${input.binding}`;
  const layout = input.binding === 0 ? 'w' : 'wr';
  const types: ScalarType[] = layout === 'w' ? [storageType(out.dtype)] : [storageType(out.dtype), inT];
  const g = perThread ? grid(rows) : grid(rows, 1);
  const code = (): string => {
    const helpers = new Set<string>(['isnan']);
    const load = (p: string) => {
      const x = `b${input.binding + 1}[${p}]`;
      if (op === 'all' || op === 'any') return inT === 'f' ? `select(0, 1, ${floatTruth(x)})` : `select(0, 1, ${x} != 0)`;
      return x;
    };
    const store = storeExpr('acc', acc, out.dtype, (h) => helpers.add(h));
    const inner = `${unravel('j', 'i', ic.shape.length, iShapeAt, [{ name: 'x', offAt: zeroAt, stridesAt: inInnerAt }])}
      acc = ${reduceCombine(op, acc, 'acc', load('base + px'))};`;
    const rowHead = (row: string) => `${unravel(row, 'o', oc.shape.length, oShapeAt, [
      { name: 'in', offAt: inOff, stridesAt: inOuterAt },
      { name: 'out', offAt: outOff, stridesAt: outAt },
    ])}
  let base = pin;`;
    const body = perThread
      ? `${HEAD('256')}
  let row = i32(gid.x + gid.y * nwg.x * 256u);
  if (row >= ui(${rowsAt}u)) { return; }
${rowHead('row')}
  var acc: ${wgslType(acc)} = ${reduceIdentity(op, acc)};
  for (var j = 0; j < ui(${mAt}u); j = j + 1) {
${inner}
  }
  b1[pout] = ${store};
}`
      : `var<workgroup> part: array<${wgslType(acc)}, 256>;
${HEAD('256')}
  let row = i32(wid.x + wid.y * nwg.x);
  if (row >= ui(${rowsAt}u)) { return; }
${rowHead('row')}
  var acc: ${wgslType(acc)} = ${reduceIdentity(op, acc)};
  for (var j = i32(lid.x); j < ui(${mAt}u); j = j + 256) {
${inner}
  }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid.x < s) { let a = part[lid.x]; let b = part[lid.x + s]; part[lid.x] = ${reduceCombine(op, acc, 'a', 'b')}; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { acc = part[0]; b1[pout] = ${store}; }
}`;
    return `${UNIFORM_DECL}${bindingDecls(layout, types)}${helperSource(helpers)}\n${body}`;
  };
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/** Values (optional) and first indices of the max/min over the last dim (length m). */
export function argreducePlan(op: ArgReduceOp, outerShape: readonly number[], m: number, input: Strided, values: Strided | null, indices: Strided): Plan {
  const W = new Words();
  const nd = input.strides.length;
  const ops = [
    { v: input, outerStrides: input.strides.slice(0, nd - 1), last: input.strides[nd - 1]! },
    { v: indices, outerStrides: indices.strides, last: 0 },
    ...(values ? [{ v: values, outerStrides: values.strides, last: 0 }] : []),
  ];
  const mAt = W.int(m);
  const rowsAtW = W.int(outerShape.reduce((a, b) => a * b, 1));
  const R = rowsOf(W, outerShape, ops);
  const t = storageType(input.dtype);
  const layout = values ? 'wwr' : 'wr';
  // bindings: 1 indices, 2 values (when asked), last the input
  const inB = values ? 3 : 2;
  const types: ScalarType[] = values ? ['i', storageType(values.dtype), t] : ['i', t];
  const key = `arg|${op}|${R.rank}|${input.dtype.name}|${values ? values.dtype.name : '-'}`;
  const g = grid(R.rows, 1);
  const code = (): string => {
    const gt = op === 'max' ? '>' : '<';
    const nanTest = t === 'f' ? 'isnan_f' : 'no_nan';
    // (x, xi) beats (bv, bi): NaN first (the first NaN wins), then strictly better, then the lower index
    const better = `fn better(x: ${wgslType(t)}, xi: i32, bv: ${wgslType(t)}, bi: i32) -> bool {
  if (xi < 0) { return false; }
  if (bi < 0) { return true; }
  let xn = ${nanTest}(x); let bn = ${nanTest}(bv);
  if (xn || bn) { return xn && (!bn || xi < bi); }
  if (x ${gt} bv) { return true; }
  return x == bv && xi < bi;
}
fn no_nan(x: i32) -> bool { return false; }`;
    return `${UNIFORM_DECL}${bindingDecls(layout, types)}${helperSource(['isnan'])}
${better}
var<workgroup> pv: array<${wgslType(t)}, 64>;
var<workgroup> pi: array<i32, 64>;
${HEAD('64')}
  let row = i32(wid.x + wid.y * nwg.x);
  if (row >= ui(${rowsAtW}u)) { return; }
${unravel('row', 'o', R.rank, R.shapeAt, R.ops)}
  var bv: ${wgslType(t)} = b${inB}[p0];
  var bi: i32 = -1;
  for (var j = i32(lid.x); j < ui(${mAt}u); j = j + 64) {
    let x = b${inB}[p0 + j * ui(${R.ops[0]!.lastAt}u)];
    if (better(x, j, bv, bi)) { bv = x; bi = j; }
  }
  pv[lid.x] = bv; pi[lid.x] = bi;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (lid.x < s && better(pv[lid.x + s], pi[lid.x + s], pv[lid.x], pi[lid.x])) { pv[lid.x] = pv[lid.x + s]; pi[lid.x] = pi[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    b1[p1] = max(pi[0], 0);
    ${values ? `b2[p2] = ${values.dtype === input.dtype ? 'pv[0]' : storeExpr('pv[0]', t, values.dtype, () => {})};` : ''}
  }
}`;
  };
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/** Inclusive scan over the last dim, one thread per row (rows are walked in order, as on the CPU). */
export function scanPlan(op: ScanOp, outerShape: readonly number[], m: number, input: Strided, out: Strided, indices: Strided | null): Plan {
  const W = new Words();
  const nd = input.strides.length;
  const ops = [
    { v: out, outerStrides: out.strides.slice(0, nd - 1), last: out.strides[nd - 1]! },
    { v: input, outerStrides: input.strides.slice(0, nd - 1), last: input.strides[nd - 1]! },
    ...(indices ? [{ v: indices, outerStrides: indices.strides.slice(0, nd - 1), last: indices.strides[nd - 1]! }] : []),
  ];
  const mAt = W.int(m);
  const rowsAt = W.int(outerShape.reduce((a, b) => a * b, 1));
  const R = rowsOf(W, outerShape, ops);
  const t = storageType(input.dtype);
  const inB = input.binding + 1;
  const layout = indices ? 'wwr' : 'wr';
  const types: ScalarType[] = indices ? [storageType(out.dtype), 'i', t] : [storageType(out.dtype), t];
  const key = `scan|${op}|${R.rank}|${input.dtype.name}|${out.dtype.name}|${inB}`;
  const g = grid(R.rows, 64);
  const code = (): string => {
    const helpers = new Set<string>(['isnan']);
    const store = storeExpr('acc', t, out.dtype, (h) => helpers.add(h));
    const isn = t === 'f' ? 'isnan_f(acc)' : 'false';
    const xisn = t === 'f' ? 'isnan_f(x)' : 'false';
    let step: string;
    if (op === 'cumsum') step = 'acc = acc + x;';
    else if (op === 'cumprod') step = 'acc = acc * x;';
    else step = `if (!${isn} && (${xisn} || x ${op === 'cummax' ? '>=' : '<='} acc)) { acc = x; ai = j; }`;
    const init = op === 'cumsum' ? (t === 'f' ? '0.0' : '0') : op === 'cumprod' ? (t === 'f' ? '1.0' : '1') : `b${inB}[p1]`;
    return `${UNIFORM_DECL}${bindingDecls(layout, types)}${helperSource(helpers)}
${HEAD('64')}
  let row = i32(gid.x + gid.y * nwg.x * 64u);
  if (row >= ui(${rowsAt}u)) { return; }
${unravel('row', 'o', R.rank, R.shapeAt, R.ops)}
  var acc: ${wgslType(t)} = ${init};
  var ai: i32 = 0;
  for (var j = 0; j < ui(${mAt}u); j = j + 1) {
    let x = b${inB}[p1 + j * ui(${R.ops[1]!.lastAt}u)];
    ${step}
    b1[p0 + j * ui(${R.ops[0]!.lastAt}u)] = ${store};
    ${indices ? `b2[p2 + j * ui(${R.ops[2]!.lastAt}u)] = ai;` : 'let unused = ai;'}
  }
}`;
  };
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/** Sort, stage 1: rows of `input` into padded key/index scratch ([rows, P], P a power of two). */
export function sortInitPlan(outerShape: readonly number[], m: number, P: number, input: Strided): Plan {
  const W = new Words();
  const nd = input.strides.length;
  const rows = outerShape.reduce((a, b) => a * b, 1);
  const mAt = W.int(m);
  const pAt = W.int(P);
  const totalAt = W.int(rows * P);
  const R = rowsOf(W, outerShape, [{ v: input, outerStrides: input.strides.slice(0, nd - 1), last: input.strides[nd - 1]! }]);
  const t = storageType(input.dtype);
  const key = `sorti|${R.rank}|${t}`;
  const g = grid(rows * P);
  const code = () => `${UNIFORM_DECL}${bindingDecls('wwr', [t, 'i', t])}
${HEAD('256')}
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= ui(${totalAt}u)) { return; }
  let row = i / ui(${pAt}u);
  let j = i % ui(${pAt}u);
  if (j >= ui(${mAt}u)) { b2[i] = -1; return; }
${unravel('row', 'o', R.rank, R.shapeAt, R.ops)}
  b1[i] = b3[p0 + j * ui(${R.ops[0]!.lastAt}u)];
  b2[i] = j;
}`;
  return { key, layout: 'wwr', words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/** Sort, one bitonic compare-exchange step (k, j) over the scratch; ties keep index order. */
export function sortStepPlan(rows: number, P: number, k: number, j: number, t: ScalarType, descending: boolean): Plan {
  const W = new Words();
  const pAt = W.int(P);
  const totalAt = W.int(rows * P);
  const kAt = W.int(k);
  const jAt = W.int(j);
  const key = `sorts|${t}|${descending}`;
  const g = grid(rows * P);
  const nan = t === 'f' ? 'isnan_f' : 'no_nan';
  const code = () => `${UNIFORM_DECL}${bindingDecls('ww', [t, 'i'])}${helperSource(['isnan'])}
fn no_nan(x: i32) -> bool { return false; }
// whether element (x, xi) belongs after (y, yi): padding last, NaN largest, stable on ties
fn after(x: ${wgslType(t)}, xi: i32, y: ${wgslType(t)}, yi: i32) -> bool {
  if (xi < 0 || yi < 0) { return xi < 0 && yi >= 0; }
  let xn = ${nan}(x); let yn = ${nan}(y);
  var c = 0;
  if (xn || yn) { c = select(select(0, 1, xn), select(-1, 0, xn), yn); }
  else { c = select(select(0, 1, x > y), -1, x < y); }
  ${descending ? 'c = -c;' : ''}
  if (c != 0) { return c > 0; }
  return xi > yi;
}
${HEAD('256')}
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= ui(${totalAt}u)) { return; }
  let P = ui(${pAt}u);
  let e = i % P;
  let l = e ^ ui(${jAt}u);
  if (l <= e) { return; }
  let a = i; let b = i - e + l;
  let up = (e & ui(${kAt}u)) == 0;
  let swap = select(after(b1[b], b2[b], b1[a], b2[a]), after(b1[a], b2[a], b1[b], b2[b]), up);
  if (swap) { let tv = b1[a]; b1[a] = b1[b]; b1[b] = tv; let ti = b2[a]; b2[a] = b2[b]; b2[b] = ti; }
}`;
  return { key, layout: 'ww', words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/** Sort, last stage: scratch rows into the values and indices views. */
export function sortFinalPlan(outerShape: readonly number[], m: number, P: number, values: Strided, indices: Strided): Plan {
  const W = new Words();
  const nd = values.strides.length;
  const rows = outerShape.reduce((a, b) => a * b, 1);
  const mAt = W.int(m);
  const pAt = W.int(P);
  const totalAt = W.int(rows * m);
  const R = rowsOf(W, outerShape, [
    { v: values, outerStrides: values.strides.slice(0, nd - 1), last: values.strides[nd - 1]! },
    { v: indices, outerStrides: indices.strides.slice(0, nd - 1), last: indices.strides[nd - 1]! },
  ]);
  const t = storageType(values.dtype);
  const key = `sortf|${R.rank}|${t}`;
  const g = grid(rows * m);
  const code = () => `${UNIFORM_DECL}${bindingDecls('wwrr', [t, 'i', t, 'i'])}
${HEAD('256')}
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= ui(${totalAt}u)) { return; }
  let row = i / ui(${mAt}u);
  let j = i % ui(${mAt}u);
${unravel('row', 'o', R.rank, R.shapeAt, R.ops)}
  let s = row * ui(${pAt}u) + j;
  b1[p0 + j * ui(${R.ops[0]!.lastAt}u)] = b3[s];
  b2[p1 + j * ui(${R.ops[1]!.lastAt}u)] = b4[s];
}`;
  return { key, layout: 'wwrr', words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/** out[i] = src element at offsets[i]; out and offsets walked in row-major order of their shapes. */
export function takePlan(shape: readonly number[], out: Strided, offsets: Strided, src: Strided, oShape: readonly number[]): Plan {
  const W = new Words();
  const n = shape.reduce((a, b) => a * b, 1);
  const nAt = W.int(n);
  const co = collapse(shape, [out.strides]);
  const cf = collapse(oShape, [offsets.strides]);
  const oShapeAt = W.ints(co.shape);
  const outOp = { name: 'out', offAt: W.int(out.offset), stridesAt: W.ints(co.strides[0]!) };
  const fShapeAt = W.ints(cf.shape);
  const offOp = { name: 'off', offAt: W.int(offsets.offset), stridesAt: W.ints(cf.strides[0]!) };
  const t = storageType(out.dtype);
  const nb = Math.max(offsets.binding, src.binding);
  const types: ScalarType[] = [t];
  for (let i = 1; i <= nb; i++) types.push(i === offsets.binding ? 'i' : t);
  const layout = 'w' + 'r'.repeat(nb);
  const key = `take|${co.shape.length}|${cf.shape.length}|${t}|${layout}|${offsets.binding}${src.binding}`;
  const g = grid(n);
  const code = () => `${UNIFORM_DECL}${bindingDecls(layout, types)}
${HEAD('256')}
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= ui(${nAt}u)) { return; }
${unravel('i', 'a', co.shape.length, oShapeAt, [outOp])}
${unravel('i', 'b', cf.shape.length, fShapeAt, [offOp])}
  b1[pout] = b${src.binding + 1}[b${offsets.binding + 1}[poff]];
}`;
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/** How put combines a value with the element at its offset. */
export type PutMode = 'assign' | 'add' | 'multiply';

/**
 * dst element at offsets[i] = values[i], or combined with it atomically ('add': +=, 'multiply':
 * *=), so that repeated offsets all count.
 */
export function putPlan(n: number, dst: DType, offsets: Strided, oShape: readonly number[], values: Strided, vShape: readonly number[], mode: PutMode): Plan {
  const W = new Words();
  const nAt = W.int(n);
  const cf = collapse(oShape, [offsets.strides]);
  const cv = collapse(vShape, [values.strides]);
  const fShapeAt = W.ints(cf.shape);
  const offOp = { name: 'off', offAt: W.int(offsets.offset), stridesAt: W.ints(cf.strides[0]!) };
  const vShapeAt = W.ints(cv.shape);
  const valOp = { name: 'val', offAt: W.int(values.offset), stridesAt: W.ints(cv.strides[0]!) };
  const t = storageType(dst);
  const layout = offsets.binding === values.binding ? 'wr' : 'wrr';
  const types: ScalarType[] = layout === 'wr' ? [t, t] : [t, 'i', t];
  const key = `put|${cf.shape.length}|${cv.shape.length}|${dst.name}|${mode}|${layout}`;
  const g = grid(n);
  const cas = (next: string) => `loop {
    let old = atomicLoad(&b1[p]);
    let r = atomicCompareExchangeWeak(&b1[p], old, ${next});
    if (r.exchanged) { break; }
  }`;
  let write: string;
  if (mode === 'assign') write = 'b1[p] = v;';
  else if (dst.name === 'float32') write = cas(`bitcast<u32>(bitcast<f32>(old) ${mode === 'add' ? '+' : '*'} v)`);
  else if (dst.name === 'bool') write = cas(mode === 'add' ? 'select(0, 1, old != 0 || v != 0)' : 'select(0, 1, old != 0 && v != 0)');
  else if (dst.name === 'uint8') write = cas(`(old ${mode === 'add' ? '+' : '*'} v) & 255`);
  else write = mode === 'add' ? 'atomicAdd(&b1[p], v);' : cas('old * v');
  const code = () => `${UNIFORM_DECL}${bindingDecls(layout, types, mode === 'assign' ? -1 : 0)}
${HEAD('256')}
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= ui(${nAt}u)) { return; }
${unravel('i', 'a', cf.shape.length, fShapeAt, [offOp])}
${unravel('i', 'b', cv.shape.length, vShapeAt, [valOp])}
  let p = b${offsets.binding + 1}[poff];
  let v = b${values.binding + 1}[pval];
  ${write}
}`;
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}


/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): ten
 * rounds of two 32x32 -> 64-bit multiplies keyed by a Weyl sequence. WGSL has no mul-hi, so the
 * high word comes from 16-bit halves.
 */
export const PHILOX_WGSL = `
fn mulhi32(a: u32, b: u32) -> u32 {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p01 = a0 * b1; let p10 = a1 * b0;
  let mid = ((a0 * b0) >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
}
fn philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key;
  for (var r = 0; r < 10; r = r + 1) {
    let h0 = mulhi32(0xD2511F53u, c.x); let l0 = 0xD2511F53u * c.x;
    let h1 = mulhi32(0xCD9E8D57u, c.z); let l1 = 0xCD9E8D57u * c.z;
    c = vec4<u32>(h1 ^ c.y ^ k.x, l1, h0 ^ c.w ^ k.y, l0);
    k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}
`;

export type RandomKind = 'uniform' | 'normal' | 'bernoulli' | 'bernoulliT' | 'randint' | 'raw';

/**
 * Random numbers into `out` (shape `shape`): element i (row-major) takes the Philox block of
 * counter (i, 0, offset) under key `seed`; its words give the sample (24-bit uniforms, Box-Muller
 * on two of them, 32-bit words modulo a range). 'raw' writes the four words of block i / 4 (tests).
 * `a`, `b` are the distribution's parameters; `p` the probabilities of a tensor bernoulli.
 */
export function randomPlan(kind: RandomKind, shape: readonly number[], out: Strided, seed: bigint, offset: number, a: number, b: number, p: Strided | null): Plan {
  const views = p ? [out, p] : [out];
  const c = collapse(shape, views.map((v) => v.strides));
  const rank = c.shape.length;
  const n = c.shape.reduce((x, y) => x * y, 1);
  const W = new Words();
  const nAt = W.int(n);
  const shapeAt = W.ints(c.shape);
  const ops = views.map((v, k) => ({ name: `${k}`, offAt: W.int(v.offset), stridesAt: W.ints(c.strides[k]!) }));
  const keyAt = W.ints([Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn)]);
  const offAt = W.ints([offset % 2 ** 32, Math.floor(offset / 2 ** 32)]);
  // parameters: floats as f32 bits, randint's low as i32 and range as u32 bits (2^32 wraps to 0)
  const aAt = kind === 'randint' ? W.int(a) : W.float(a);
  const bAt = kind === 'randint' ? W.int(b >= 2 ** 32 ? 0 : b | 0) : kind === 'bernoulli' ? W.int(b) : W.float(b);
  const t = storageType(out.dtype);
  const types: ScalarType[] = p ? [t, storageType(p.dtype)] : [t];
  const layout = p ? 'wr' : 'w';
  const key = `rand|${kind}|${rank}|${out.dtype.name}|${p ? p.dtype.name : '-'}`;
  const g = grid(n);
  const code = (): string => {
    const helpers = new Set<string>();
    let value: string;
    let vt: ScalarType = 'f';
    const unit = (w: string) => `f32(${w} >> 8u) * 5.9604644775390625e-8`;
    switch (kind) {
      case 'uniform':
        // from + u * (to - from), kept below `to` where rounding reaches it
        value = `select(uf(${aAt}u), uf(${aAt}u) + ${unit('w.x')} * (uf(${bAt}u) - uf(${aAt}u)), uf(${aAt}u) + ${unit('w.x')} * (uf(${bAt}u) - uf(${aAt}u)) < uf(${bAt}u))`;
        break;
      case 'normal':
        value = `uf(${aAt}u) + uf(${bAt}u) * sqrt(-2.0 * log((f32(w.x >> 8u) + 1.0) * 5.9604644775390625e-8)) * cos(6.283185307179586 * ${unit('w.y')})`;
        break;
      case 'bernoulli':
        // p as a 32-bit threshold (a = 1 means always); exact for every float probability
        value = `select(0, 1, ui(${aAt}u) != 0 || w.x < bitcast<u32>(ui(${bAt}u)))`;
        vt = 'i';
        break;
      case 'bernoulliT': {
        const pv = storageType(p!.dtype) === 'f' ? `b2[p1]` : `f32(b2[p1])`;
        value = `select(0, 1, ${unit('w.x')} < ${pv})`;
        vt = 'i';
        break;
      }
      case 'randint':
        value = `ui(${aAt}u) + bitcast<i32>(select(w.x % bitcast<u32>(ui(${bAt}u)), w.x, ui(${bAt}u) == 0))`;
        vt = 'i';
        break;
      case 'raw':
        value = 'bitcast<i32>(w[u32(i) & 3u])';
        vt = 'i';
        break;
    }
    const store = storeExpr('v', vt, out.dtype, (h) => helpers.add(h));
    return `${UNIFORM_DECL}${bindingDecls(layout, types)}${helperSource(helpers)}${PHILOX_WGSL}
${HEAD('256')}
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= ui(${nAt}u)) { return; }
${unravel('i', '', rank, shapeAt, ops)}
  let w = philox4x32_10(vec4<u32>(${kind === 'raw' ? 'u32(i) >> 2u' : 'u32(i)'}, 0u, bitcast<u32>(ui(${offAt}u)), bitcast<u32>(ui(${offAt + 1}u))),
                        vec2<u32>(bitcast<u32>(ui(${keyAt}u)), bitcast<u32>(ui(${keyAt + 1}u))));
  let v: ${wgslType(vt)} = ${value};
  b1[p0] = ${store};
}`;
  };
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}
