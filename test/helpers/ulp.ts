/** The float32 unit in the last place, for tests that bound float32 rounding. */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The spacing of float32 values at |x| (the smallest denormal step below FLT_MIN). */
export function ulp(x: number): number {
  f32[0] = Math.abs(x);
  const e = (u32[0]! >>> 23) & 0xff;
  return 2 ** (Math.max(e, 1) - 127 - 23);
}
