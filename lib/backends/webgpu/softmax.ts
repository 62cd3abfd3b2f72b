/**
 * Fused softmax kernels: softmax / log_softmax over the last dim and their gradients, and the
 * per-element terms of nll_loss with a device-side target check. They compute what the composed
 * ops compute (max, then the sum of exp(x - max), then the result), in the same order, so NaN,
 * -inf and overflow come out as on the CPU.
 *
 * Short rows (at most WIDE_ROW) run one row per thread; longer rows one row per workgroup, with
 * the max and the sum as tree reductions in workgroup memory. On CPU-emulated adapters every
 * barrier is a coroutine switch, which a ten-class row does not pay back.
 */

import { helperSource, storageType, UNIFORM_DECL, type ScalarType } from './wgsl.js';
import { bindingDecls, grid, HEAD, rowsOf, unravel, Words, type Plan, type Strided } from './kernels.js';
import { ASSERT_TARGET, assertFn } from './asserts.js';

/** Rows longer than this take a workgroup each. */
export const WIDE_ROW = 64;
const WG = 256;

/** An operand over rows: outer strides and the stride along the row. */
const rowOp = (v: Strided) => ({ v, outerStrides: v.strides.slice(0, -1), last: v.strides[v.strides.length - 1]! });

/** Storage-buffer layout of `types.length` bindings: the first written, the rest read. */
const layoutOf = (n: number): string => 'w' + 'r'.repeat(n - 1);

/** The max of a row, then the sum of `term(x)` (an expression in `x` and `mx`) over it. */
function rowReductions(wide: boolean, m: string, load: (j: string) => string, sumTerm: string, needMax: boolean): string {
  const maxStep = 'mx = select(x, mx, mx > x || isnan_f(mx));';
  if (!wide) {
    return `${needMax ? `  var mx = -inf();
  for (var j = 0; j < ${m}; j = j + 1) { let x = ${load('j')}; ${maxStep} }` : '  let mx = 0.0;'}
  var s = 0.0;
  for (var j = 0; j < ${m}; j = j + 1) { let x = ${load('j')}; s = s + ${sumTerm}; }`;
  }
  const tree = (combine: string) => `  workgroupBarrier();
  for (var k = ${WG / 2}u; k > 0u; k = k >> 1u) {
    if (lid.x < k) { let a = red[lid.x]; let b = red[lid.x + k]; red[lid.x] = ${combine}; }
    workgroupBarrier();
  }`;
  return `${needMax ? `  var lmx = -inf();
  for (var j = i32(lid.x); j < ${m}; j = j + ${WG}) { let x = ${load('j')}; var mx = lmx; ${maxStep} lmx = mx; }
  red[lid.x] = lmx;
${tree('select(b, a, a > b || isnan_f(a))')}
  let mx = red[0];
  workgroupBarrier();` : '  let mx = 0.0;'}
  var ls = 0.0;
  for (var j = i32(lid.x); j < ${m}; j = j + ${WG}) { let x = ${load('j')}; ls = ls + ${sumTerm}; }
  red[lid.x] = ls;
${tree('a + b')}
  let s = red[0];`;
}

function rowHead(wide: boolean, rowsAt: number): string {
  return wide
    ? `var<workgroup> red: array<f32, ${WG}>;
${HEAD(`${WG}`)}
  let row = i32(wid.x + wid.y * nwg.x);
  if (row >= ui(${rowsAt}u)) { return; }`
    : `${HEAD(`${WG}`)}
  let row = i32(gid.x + gid.y * nwg.x * ${WG}u);
  if (row >= ui(${rowsAt}u)) { return; }`;
}

/**
 * softmax (log_softmax when `log`) of `input` over its last dim (length m) into `out`; rows are
 * the leading dims. float32 only. `types` are the storage types of the bindings (out first).
 */
export function softmaxPlan(outerShape: readonly number[], m: number, input: Strided, out: Strided, log: boolean, types: readonly ScalarType[]): Plan {
  const W = new Words();
  const mAt = W.int(m);
  const rowsAt = W.int(outerShape.reduce((a, b) => a * b, 1));
  const R = rowsOf(W, outerShape, [rowOp(out), rowOp(input)]);
  const wide = m > WIDE_ROW;
  const layout = layoutOf(types.length);
  const inB = input.binding + 1;
  const key = `softmax|${log}|${wide}|${R.rank}|${layout}|${inB}`;
  const g = wide ? grid(R.rows, 1) : grid(R.rows, WG);
  const code = (): string => {
    const M = `ui(${mAt}u)`;
    const x = (j: string) => `b${inB}[p1 + ${j} * ui(${R.ops[1]!.lastAt}u)]`;
    const o = (j: string) => `b1[p0 + ${j} * ui(${R.ops[0]!.lastAt}u)]`;
    const write = log ? '(x - mx) - lse' : 'exp_f(x - mx) / s';
    const loop = wide ? `for (var j = i32(lid.x); j < ${M}; j = j + ${WG})` : `for (var j = 0; j < ${M}; j = j + 1)`;
    return `${UNIFORM_DECL}${bindingDecls(layout, types)}${helperSource(['isnan', 'exp', 'log'])}
${rowHead(wide, rowsAt)}
${unravel('row', 'o', R.rank, R.shapeAt, R.ops)}
${rowReductions(wide, M, x, 'exp_f(x - mx)', true)}
  let lse = log_f(s);
  ${loop} { let x = ${x('j')}; ${o('j')} = ${write}; }
}`;
  };
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/**
 * The gradient of softmax / log_softmax over the last dim, from the output `y` and the incoming
 * gradient `g`: log: g - exp(y) * Σg; softmax: y * (g - Σ g·y). Bindings: gradInput, then g and y.
 */
export function softmaxBackwardPlan(outerShape: readonly number[], m: number, grad: Strided, y: Strided, gradInput: Strided, log: boolean, types: readonly ScalarType[]): Plan {
  const W = new Words();
  const mAt = W.int(m);
  const rowsAt = W.int(outerShape.reduce((a, b) => a * b, 1));
  const R = rowsOf(W, outerShape, [rowOp(gradInput), rowOp(grad), rowOp(y)]);
  const wide = m > WIDE_ROW;
  const layout = layoutOf(types.length);
  const gB = grad.binding + 1;
  const yB = y.binding + 1;
  const key = `softmaxbw|${log}|${wide}|${R.rank}|${layout}|${gB}${yB}`;
  const g = wide ? grid(R.rows, 1) : grid(R.rows, WG);
  const code = (): string => {
    const M = `ui(${mAt}u)`;
    const at = (b: number, k: number, j: string) => `b${b}[p${k} + ${j} * ui(${R.ops[k]!.lastAt}u)]`;
    // the "x" of the sum: g for log_softmax, g * y for softmax
    const load = (j: string) => (log ? at(gB, 1, j) : `(${at(gB, 1, j)} * ${at(yB, 2, j)})`);
    const write = log ? 'gv - exp_f(yv) * s' : 'yv * (gv - s)';
    const loop = wide ? `for (var j = i32(lid.x); j < ${M}; j = j + ${WG})` : `for (var j = 0; j < ${M}; j = j + 1)`;
    return `${UNIFORM_DECL}${bindingDecls(layout, types)}${helperSource(['isnan', 'exp'])}
${rowHead(wide, rowsAt)}
${unravel('row', 'o', R.rank, R.shapeAt, R.ops)}
${rowReductions(wide, M, load, 'x', false)}
  let unused = mx;
  ${loop} { let gv = ${at(gB, 1, 'j')}; let yv = ${at(yB, 2, 'j')}; ${at(1, 0, 'j')} = ${write}; }
}`;
  };
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/**
 * nll_loss's terms: for rows of `input` (classes along the last dim, C of them) and `target` over
 * the same rows, loss = -weight[t] · input[t] and w = weight[t] (1 without a weight), both 0 where
 * t is `ignore`. A target outside [0, C) trips device assertion ASSERT_TARGET with its value (and
 * its row gets 0). `types` are the storage bindings' types (loss and w are written, the others
 * read); the assert buffer is bound after them.
 */
export function nllPlan(
  outerShape: readonly number[], C: number, input: Strided, target: Strided, weight: Strided | null, ignore: number,
  loss: Strided, w: Strided, types: readonly ScalarType[],
): Plan {
  const W = new Words();
  const cAt = W.int(C);
  const ignAt = W.int(Math.abs(ignore) < 2 ** 31 ? ignore : -(2 ** 31));
  const codeAt = W.int(ASSERT_TARGET);
  const rowsAt = W.int(outerShape.reduce((a, b) => a * b, 1));
  const R = rowsOf(W, outerShape, [
    { v: loss, outerStrides: loss.strides, last: 0 },
    { v: w, outerStrides: w.strides, last: 0 },
    rowOp(input),
    { v: target, outerStrides: target.strides, last: 0 },
  ]);
  const wOff = weight ? W.ints([weight.offset, weight.strides[0] ?? 1]) : 0;
  // the storage bindings the caller bound, then the assert buffer
  const errB = types.length + 1;
  const layout = types.map((_, i) => (i === loss.binding || i === w.binding ? 'w' : 'r')).join('') + 'w';
  const allTypes: ScalarType[] = [...types, 'i'];
  const inB = input.binding + 1;
  const tB = target.binding + 1;
  const wB = weight ? weight.binding + 1 : 0;
  const key = `nll|${R.rank}|${layout}|${loss.binding}${w.binding}${inB}${tB}${wB}|${types.join('')}`;
  const g = grid(R.rows, WG);
  const code = (): string => {
    const wt = weight
      ? (storageType(weight.dtype) === 'f' ? '' : 'f32') + `(b${wB}[ui(${wOff}u) + t * ui(${wOff + 1}u)])`
      : '1.0';
    return `${UNIFORM_DECL}${bindingDecls(layout, allTypes, errB - 1)}
${assertFn(errB)}
${HEAD(`${WG}`)}
  let row = i32(gid.x + gid.y * nwg.x * ${WG}u);
  if (row >= ui(${rowsAt}u)) { return; }
${unravel('row', 'o', R.rank, R.shapeAt, R.ops)}
  let t = b${tB}[p3];
  var l = 0.0;
  var wt = 0.0;
  if (t != ui(${ignAt}u)) {
    if (t < 0 || t >= ui(${cAt}u)) {
      device_assert(ui(${codeAt}u), t, 0, 0);
    } else {
      wt = ${wt};
      l = -(wt * b${inB}[p2 + t * ui(${R.ops[2]!.lastAt}u)]);
    }
  }
  b${loss.binding + 1}[p0] = l;
  b${w.binding + 1}[p1] = wt;
}`;
  };
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}

/**
 * nll_loss's input gradient: gradInput (rows of C along its last dim) is -w·scale at each row's
 * target class and 0 elsewhere (also where the target is `ignore` or out of range). One thread
 * per element of gradInput. Bindings: gradInput, then target, w, scale in `types` order.
 */
export function nllBackwardPlan(
  outerShape: readonly number[], C: number, target: Strided, w: Strided, scale: Strided, ignore: number, gradInput: Strided, types: readonly ScalarType[],
): Plan {
  const W = new Words();
  const cAt = W.int(C);
  const ignAt = W.int(Math.abs(ignore) < 2 ** 31 ? ignore : -(2 ** 31));
  const rows = outerShape.reduce((a, b) => a * b, 1);
  const totalAt = W.int(rows * C);
  const R = rowsOf(W, outerShape, [
    rowOp(gradInput),
    { v: target, outerStrides: target.strides, last: 0 },
    { v: w, outerStrides: w.strides, last: 0 },
    { v: scale, outerStrides: scale.strides, last: 0 },
  ]);
  const layout = layoutOf(types.length);
  const [tB, wB, sB] = [target.binding + 1, w.binding + 1, scale.binding + 1];
  const key = `nllbw|${R.rank}|${layout}|${tB}${wB}${sB}|${types.join('')}`;
  const g = grid(rows * C, WG);
  const f = (b: number, p: string) => (types[b - 1] === 'f' ? `b${b}[${p}]` : `f32(b${b}[${p}])`);
  const code = () => `${UNIFORM_DECL}${bindingDecls(layout, types)}
${HEAD(`${WG}`)}
  let i = i32(gid.x + gid.y * nwg.x * ${WG}u);
  if (i >= ui(${totalAt}u)) { return; }
  let row = i / ui(${cAt}u);
  let c = i % ui(${cAt}u);
${unravel('row', 'o', R.rank, R.shapeAt, R.ops)}
  let t = b${tB}[p1];
  var v = 0.0;
  if (c == t && t != ui(${ignAt}u)) { v = -(${f(wB, 'p2')} * ${f(sB, 'p3')}); }
  b1[p0 + c * ui(${R.ops[0]!.lastAt}u)] = v;
}`;
  return { key, layout, words: W.w, code, x: g.x, y: g.y, z: 1 };
}
