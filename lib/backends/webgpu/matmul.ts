/**
 * The matmul kernels (batched, strided operands): scalar 64-wide tiles in workgroup memory, vec4
 * tiles of 64 or 128 for hardware GPUs, and direct blocks without workgroup memory for CPU-emulated
 * adapters. client.ts picks one per product (`matmulPlanFor`).
 */

import { storageType, UNIFORM_DECL, wgslType, type ScalarType } from './wgsl.js';
import { bindingDecls, Words, type Plan, type Strided } from './kernels.js';

/**
 * What all matmul kernels declare: the uniform words (sizes, then offset and strides of a, b
 * and out), the storage type, and the bindings (a and b may share one).
 */
function matmulOperands(M: number, N: number, K: number, a: Strided, b: Strided, out: Strided) {
  const W = new Words();
  const dims = W.ints([M, N, K]);
  const aAt = W.ints([a.offset, ...a.strides]);
  const bAt = W.ints([b.offset, ...b.strides]);
  const oAt = W.ints([out.offset, ...out.strides]);
  const t = storageType(out.dtype);
  const layout = a.binding === b.binding ? 'wr' : 'wrr';
  const types: ScalarType[] = layout === 'wr' ? [t, t] : [t, t, t];
  return { W, dims, aAt, bAt, oAt, t, T: wgslType(t), zero: t === 'f' ? '0.0' : '0', layout, types, A: `b${a.binding + 1}`, Bb: `b${b.binding + 1}` };
}

/** Batched tiled matmul: 64x64 output tiles, 16-deep k tiles in workgroup memory, 4x4 per thread. */
function matmulPlan(B: number, M: number, N: number, K: number, a: Strided, b: Strided, out: Strided): Plan {
  const { W, dims, aAt, bAt, oAt, t, T, zero, layout, types, A, Bb } = matmulOperands(M, N, K, a, b, out);
  const key = `mm|${t}|${layout}`;
  const code = () => `${UNIFORM_DECL}${bindingDecls(layout, types)}
var<workgroup> As: array<${T}, 1024>;
var<workgroup> Bs: array<${T}, 1024>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = ui(${dims}u); let N = ui(${dims + 1}u); let K = ui(${dims + 2}u);
  let bz = i32(wid.z);
  let row0 = i32(wid.y) * 64; let col0 = i32(wid.x) * 64;
  let aBase = ui(${aAt}u) + bz * ui(${aAt + 1}u); let sam = ui(${aAt + 2}u); let sak = ui(${aAt + 3}u);
  let bBase = ui(${bAt}u) + bz * ui(${bAt + 1}u); let sbk = ui(${bAt + 2}u); let sbn = ui(${bAt + 3}u);
  let tid = i32(lid.y * 16u + lid.x);
  let ty = i32(lid.y); let tx = i32(lid.x);
  var acc: array<${T}, 16>;
  for (var q = 0; q < 16; q = q + 1) { acc[q] = ${zero}; }
  for (var k0 = 0; k0 < K; k0 = k0 + 16) {
    for (var e = 0; e < 4; e = e + 1) {
      let idx = tid + e * 256;
      let am = idx / 16; let ak = idx % 16;
      let gm = row0 + am; let gk = k0 + ak;
      var av: ${T} = ${zero};
      if (gm < M && gk < K) { av = ${A}[aBase + gm * sam + gk * sak]; }
      As[ak * 64 + am] = av;
      let bk = idx / 64; let bn = idx % 64;
      let hk = k0 + bk; let hn = col0 + bn;
      var bv: ${T} = ${zero};
      if (hk < K && hn < N) { bv = ${Bb}[bBase + hk * sbk + hn * sbn]; }
      Bs[bk * 64 + bn] = bv;
    }
    workgroupBarrier();
    for (var kk = 0; kk < 16; kk = kk + 1) {
      var ar: array<${T}, 4>;
      var br: array<${T}, 4>;
      for (var q = 0; q < 4; q = q + 1) { ar[q] = As[kk * 64 + ty + 16 * q]; br[q] = Bs[kk * 64 + tx + 16 * q]; }
      for (var p = 0; p < 4; p = p + 1) {
        for (var q = 0; q < 4; q = q + 1) { acc[p * 4 + q] = acc[p * 4 + q] + ar[p] * br[q]; }
      }
    }
    workgroupBarrier();
  }
  let oBase = ui(${oAt}u) + bz * ui(${oAt + 1}u); let som = ui(${oAt + 2}u); let son = ui(${oAt + 3}u);
  for (var p = 0; p < 4; p = p + 1) {
    let gm = row0 + ty + 16 * p;
    for (var q = 0; q < 4; q = q + 1) {
      let gn = col0 + tx + 16 * q;
      if (gm < M && gn < N) { b1[oBase + gm * som + gn * son] = acc[p * 4 + q]; }
    }
  }
}`;
  return { key, layout, words: W.w, code, x: Math.ceil(N / 64), y: Math.ceil(M / 64), z: B };
}

/**
 * Batched tiled matmul for hardware GPUs: (64·G)x(64·G) output tiles, BK-deep k tiles held in
 * workgroup memory as vec4s, each of the 16x16 invocations accumulating a 4G x 4G block as G x G
 * 4x4 sub-blocks in vec4 registers (rows ty·4…ty·4+3 of each 64-row group, columns tx·4…+3 of each
 * 64-column group), so a k step reads 2G vec4s from workgroup memory for 16G² vec4 multiply-adds.
 * Each operand tile is filled along its contiguous dimension (k for a row-major `a`, m for a
 * transposed one; likewise for `b`), one vec4 per invocation and load, so neighbouring invocations
 * read neighbouring addresses whichever way the operand is laid out.
 */
function matmulVecPlan(B: number, M: number, N: number, K: number, a: Strided, b: Strided, out: Strided, G: 1 | 2, BK: 8 | 16): Plan {
  const { W, dims, aAt, bAt, oAt, t, T, zero, layout, types, A, Bb } = matmulOperands(M, N, K, a, b, out);
  const V = 16 * G; // vec4s across a tile
  const AV = V + 1; // a's rows padded by one vec4: a k-major fill then spreads over the banks
  const loads = (BK * V) / 256;
  if (!Number.isInteger(loads)) throw new Error(`matmulVecPlan: a ${64 * G}-wide tile needs BK >= ${256 / V}`);
  const aMajorM = a.strides[1] === 1 && a.strides[2] !== 1;
  const bMajorK = b.strides[1] === 1 && b.strides[2] !== 1;
  const key = `mmv|${t}|${layout}|${G}|${BK}|${aMajorM ? 'm' : 'k'}${bMajorK ? 'k' : 'n'}`;
  const V4 = `vec4<${T}>`;
  const acc = (p: number, q: number) => `c${p}_${q}`;
  const lines: string[] = [];
  for (let p = 0; p < 4 * G; p++) for (let q = 0; q < G; q++) lines.push(`  var ${acc(p, q)} = ${V4}(${zero});`);
  const declare = lines.join('\n');
  // one vec4 of an operand tile: four elements `step` apart from `at`, each inside its bound
  const gather = (name: string, src: string, at: string, step: string, first: string, bound: string) =>
    [0, 1, 2, 3].map((j) => `if (${first} + ${j} < ${bound}) { ${name}[${j}] = ${src}[${at} + ${j} * ${step}]; }`).join(' ');
  const fill: string[] = [];
  for (let e = 0; e < loads; e++) {
    const idx = `tid + ${e * 256}`;
    const [ak, am] = aMajorM ? [`(${idx}) / ${V}`, `(${idx}) % ${V}`] : [`(${idx}) % ${BK}`, `(${idx}) / ${BK}`];
    const [bk, bn] = bMajorK ? [`(${idx}) % ${BK}`, `(${idx}) / ${BK}`] : [`(${idx}) / ${V}`, `(${idx}) % ${V}`];
    fill.push(`    {
      let ak = ${ak}; let am = ${am}; let gk = k0 + ak; let gm = row0 + am * 4;
      var av = ${V4}(${zero});
      if (gk < K) { let at = aBase + gm * sam + gk * sak; ${gather('av', A, 'at', 'sam', 'gm', 'M')} }
      As[ak * ${AV} + am] = av;
      let bk = ${bk}; let bn = ${bn}; let hk = k0 + bk; let hn = col0 + bn * 4;
      var bv = ${V4}(${zero});
      if (hk < K) { let at = bBase + hk * sbk + hn * sbn; ${gather('bv', Bb, 'at', 'sbn', 'hn', 'N')} }
      Bs[bk * ${V} + bn] = bv;
    }`);
  }
  const step: string[] = [];
  for (let g = 0; g < G; g++) step.push(`      let a${g} = As[kk * ${AV} + ${g * 16} + ty];`);
  for (let q = 0; q < G; q++) step.push(`      let b${q} = Bs[kk * ${V} + ${q * 16} + tx];`);
  for (let p = 0; p < 4 * G; p++) {
    for (let q = 0; q < G; q++) step.push(`      ${acc(p, q)} = ${acc(p, q)} + a${p >> 2}[${p & 3}] * b${q};`);
  }
  const store: string[] = [];
  for (let p = 0; p < 4 * G; p++) {
    store.push(`  { let gm = row0 + ${(p >> 2) * 64} + ty * 4 + ${p & 3};\n    if (gm < M) {`);
    for (let q = 0; q < G; q++) {
      for (let j = 0; j < 4; j++) {
        store.push(`      { let gn = col0 + ${q * 64 + j} + tx * 4; if (gn < N) { b1[oBase + gm * som + gn * son] = ${acc(p, q)}[${j}]; } }`);
      }
    }
    store.push('    }\n  }');
  }
  const code = () => `${UNIFORM_DECL}${bindingDecls(layout, types)}
var<workgroup> As: array<${V4}, ${BK * AV}>;
var<workgroup> Bs: array<${V4}, ${BK * V}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = ui(${dims}u); let N = ui(${dims + 1}u); let K = ui(${dims + 2}u);
  let bz = i32(wid.z);
  let row0 = i32(wid.y) * ${64 * G}; let col0 = i32(wid.x) * ${64 * G};
  let aBase = ui(${aAt}u) + bz * ui(${aAt + 1}u); let sam = ui(${aAt + 2}u); let sak = ui(${aAt + 3}u);
  let bBase = ui(${bAt}u) + bz * ui(${bAt + 1}u); let sbk = ui(${bAt + 2}u); let sbn = ui(${bAt + 3}u);
  let tid = i32(lid.y * 16u + lid.x);
  let ty = i32(lid.y); let tx = i32(lid.x);
${declare}
  for (var k0 = 0; k0 < K; k0 = k0 + ${BK}) {
${fill.join('\n')}
    workgroupBarrier();
    for (var kk = 0; kk < ${BK}; kk = kk + 1) {
${step.join('\n')}
    }
    workgroupBarrier();
  }
  let oBase = ui(${oAt}u) + bz * ui(${oAt + 1}u); let som = ui(${oAt + 2}u); let son = ui(${oAt + 3}u);
${store.join('\n')}
}`;
  return { key, layout, words: W.w, code, x: Math.ceil(N / (64 * G)), y: Math.ceil(M / (64 * G)), z: B };
}

/**
 * Batched matmul without workgroup memory: each invocation accumulates an R x C block of the
 * output straight from the operands. On CPU-emulated adapters (llvmpipe, SwiftShader) workgroup
 * memory is ordinary memory and every barrier a coroutine switch, so this runs several times
 * faster there than the tiled kernel; invocations side by side read adjacent columns of `b`.
 */
function matmulDirectPlan(B: number, M: number, N: number, K: number, a: Strided, b: Strided, out: Strided, R = 8, Cn = 4): Plan {
  const { W, dims, aAt, bAt, oAt, t, T, zero, layout, types, A, Bb } = matmulOperands(M, N, K, a, b, out);
  const key = `mmd|${t}|${layout}|${R}|${Cn}`;
  const TX = 16;
  const TY = 4;
  const code = () => `${UNIFORM_DECL}${bindingDecls(layout, types)}
@compute @workgroup_size(${TX}, ${TY})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = ui(${dims}u); let N = ui(${dims + 1}u); let K = ui(${dims + 2}u);
  let bz = i32(wid.z);
  let row0 = i32(wid.y) * ${TY * R} + i32(lid.y); let col0 = i32(wid.x) * ${TX * Cn} + i32(lid.x);
  let aBase = ui(${aAt}u) + bz * ui(${aAt + 1}u); let sam = ui(${aAt + 2}u); let sak = ui(${aAt + 3}u);
  let bBase = ui(${bAt}u) + bz * ui(${bAt + 1}u); let sbk = ui(${bAt + 2}u); let sbn = ui(${bAt + 3}u);
  // rows and columns past the edge read row/column 0 and are not stored
  var ar: array<i32, ${R}>;
  var bc: array<i32, ${Cn}>;
  for (var p = 0; p < ${R}; p = p + 1) { let m = row0 + ${TY} * p; ar[p] = aBase + select(0, m, m < M) * sam; }
  for (var q = 0; q < ${Cn}; q = q + 1) { let n = col0 + ${TX} * q; bc[q] = bBase + select(0, n, n < N) * sbn; }
  var acc: array<${T}, ${R * Cn}>;
  for (var e = 0; e < ${R * Cn}; e = e + 1) { acc[e] = ${zero}; }
  for (var k = 0; k < K; k = k + 1) {
    var av: array<${T}, ${R}>;
    var bv: array<${T}, ${Cn}>;
    for (var p = 0; p < ${R}; p = p + 1) { av[p] = ${A}[ar[p] + k * sak]; }
    for (var q = 0; q < ${Cn}; q = q + 1) { bv[q] = ${Bb}[bc[q] + k * sbk]; }
    for (var p = 0; p < ${R}; p = p + 1) {
      for (var q = 0; q < ${Cn}; q = q + 1) { acc[p * ${Cn} + q] = acc[p * ${Cn} + q] + av[p] * bv[q]; }
    }
  }
  let oBase = ui(${oAt}u) + bz * ui(${oAt + 1}u); let som = ui(${oAt + 2}u); let son = ui(${oAt + 3}u);
  for (var p = 0; p < ${R}; p = p + 1) {
    let gm = row0 + ${TY} * p;
    for (var q = 0; q < ${Cn}; q = q + 1) {
      let gn = col0 + ${TX} * q;
      if (gm < M && gn < N) { b1[oBase + gm * som + gn * son] = acc[p * ${Cn} + q]; }
    }
  }
}`;
  return { key, layout, words: W.w, code, x: Math.ceil(N / (TX * Cn)), y: Math.ceil(M / (TY * R)), z: B };
}

/** The matmul kernels: `TORCHLAB_WEBGPU_MATMUL` picks one (benchmarks, tests); by default hardware GPUs get tiles, CPU-emulated adapters direct blocks. */
const MATMUL_KERNELS = ['tiled', 'direct', 'vec64', 'vec128'] as const;
type MatmulKernel = (typeof MATMUL_KERNELS)[number];

function matmulKernel(software: boolean, tiles128: number): MatmulKernel {
  const v = process.env.TORCHLAB_WEBGPU_MATMUL;
  const forced = MATMUL_KERNELS.find((k) => k === v);
  if (forced) return forced;
  if (software) return 'direct';
  // On an H100 (bench/webgpu.ts, 2026-11-27, two runs) 128-wide vec4 tiles led from n = 2048 (7.5-7.9
  // vs 5.9-6.9 TFLOP/s for the scalar 64-wide tiles; 15.7-16.5 vs 12.3-13.1 at 4096) and trailed
  // below, where fewer, larger workgroups leave multiprocessors idle (n = 512: 1.0-1.1 vs 1.7-1.9)
  return tiles128 >= 256 ? 'vec128' : 'tiled';
}

/** The plan of one batched product on an adapter (software: CPU-emulated). */
export function matmulPlanFor(software: boolean, B: number, M: number, N: number, K: number, x: Strided, y: Strided, o: Strided): Plan {
  switch (matmulKernel(software, B * Math.ceil(M / 128) * Math.ceil(N / 128))) {
    case 'direct':
      return matmulDirectPlan(B, M, N, K, x, y, o);
    case 'tiled':
      return matmulPlan(B, M, N, K, x, y, o);
    case 'vec64':
      return matmulVecPlan(B, M, N, K, x, y, o, 1, 16);
    case 'vec128':
      return matmulVecPlan(B, M, N, K, x, y, o, 2, 8);
  }
}
