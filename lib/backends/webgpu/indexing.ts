/**
 * The device-side index check: the kernel every indexing op (x[idx], gather, scatter,
 * index_select, index_add_, index_put_, take, embedding) runs on its index tensor before turning
 * it into storage offsets, so that bounds are checked without reading the indices back.
 */

import { collapse } from '../../shape.js';
import { UNIFORM_DECL, type ScalarType } from './wgsl.js';
import { bindingDecls, grid, HEAD, unravel, Words, type Plan, type Strided } from './kernels.js';
import { assertFn } from './asserts.js';

/**
 * out[i] = index[i], wrapped (+ size) where negative and `wrap`; an index outside [-size, size)
 * (or [0, size) without wrap) trips device assertion `code` with its value, `dim` and `size`, and
 * becomes 0. Bindings: out, index (both int: int32 and int64 are stored as i32), then the assert
 * buffer.
 */
export function checkIndexPlan(shape: readonly number[], index: Strided, out: Strided, size: number, wrap: boolean, code: number, dim: number): Plan {
  const c = collapse(shape, [out.strides, index.strides]);
  const rank = c.shape.length;
  const n = c.shape.reduce((a, b) => a * b, 1);
  const W = new Words();
  const nAt = W.int(n);
  const shapeAt = W.ints(c.shape);
  const ops = [
    { name: 'o', offAt: W.int(out.offset), stridesAt: W.ints(c.strides[0]!) },
    { name: 'i', offAt: W.int(index.offset), stridesAt: W.ints(c.strides[1]!) },
  ];
  const sizeAt = W.int(size);
  const loAt = W.int(wrap ? -size : 0);
  const codeAt = W.int(code);
  const dimAt = W.int(dim);
  const layout = 'wrw';
  const types: ScalarType[] = ['i', 'i', 'i'];
  const key = `chkidx|${rank}`;
  const g = grid(n);
  const src = () => `${UNIFORM_DECL}${bindingDecls(layout, types, 2)}
${assertFn(3)}
${HEAD('256')}
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= ui(${nAt}u)) { return; }
${unravel('i', 'u', rank, shapeAt, ops)}
  let v = b2[pi];
  let size = ui(${sizeAt}u);
  var r = v;
  if (v < ui(${loAt}u) || v >= size) {
    device_assert(ui(${codeAt}u), v, ui(${dimAt}u), size);
    r = 0;
  } else if (v < 0) {
    r = v + size;
  }
  b1[po] = r;
}`;
  return { key, layout, words: W.w, code: src, x: g.x, y: g.y, z: 1 };
}
