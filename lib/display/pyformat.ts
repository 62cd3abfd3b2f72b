/**
 * Python's float formatting (`'{:.4f}'`, `'{:.4e}'`, `repr(float)`), reproduced exactly.
 *
 * PyTorch prints tensors through Python's `format`, which rounds the exact binary value of the
 * double half-to-even. JavaScript's `toFixed`/`toExponential` round ties away from zero and
 * switch to exponent form past 1e21, so the digits here come from exact BigInt arithmetic.
 */

const bitsView = new DataView(new ArrayBuffer(8));

/** |x| as `mant * 2^exp` exactly (x finite). */
function decompose(x: number): { mant: bigint; exp: number } {
  bitsView.setFloat64(0, x);
  const bits = bitsView.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const f = bits & ((1n << 52n) - 1n);
  return e === 0 ? { mant: f, exp: -1074 } : { mant: f | (1n << 52n), exp: e - 1075 };
}

/** num / den rounded half to even (num, den > 0). */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = 2n * (num - q * den);
  if (r2 > den) return q + 1n;
  if (r2 < den) return q;
  return q + (q & 1n);
}

/** round(|x| * 10^shift) for finite x, exactly. */
function scaledRound(x: number, shift: number): bigint {
  const { mant, exp } = decompose(x);
  let num = mant;
  let den = 1n;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  return roundHalfEven(num, den);
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

/** Python's `'{:.{p}f}'.format(x)`: `formatFixed(2.5, 0)` is `'2'`, `formatFixed(1e22, 1)` is `'10000000000000000000000.0'`. */
export function formatFixed(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  let digits = scaledRound(x, precision).toString();
  if (digits.length <= precision) digits = '0'.repeat(precision + 1 - digits.length) + digits;
  const cut = digits.length - precision;
  const body = precision > 0 ? `${digits.slice(0, cut)}.${digits.slice(cut)}` : digits;
  return (isNegative(x) ? '-' : '') + body;
}

/** Python's `'{:.{p}e}'.format(x)`: `formatExp(12345, 2)` is `'1.23e+04'`. */
export function formatExp(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const sign = isNegative(x) ? '-' : '';
  let e = 0;
  let n = 0n;
  if (x !== 0) {
    // log10 can be off by one near powers of ten; the exact rounded mantissa settles it
    e = Math.floor(Math.log10(Math.abs(x)));
    const lo = 10n ** BigInt(precision);
    const hi = lo * 10n;
    for (let guard = 0; guard < 4; guard++) {
      n = scaledRound(x, precision - e);
      if (n >= hi) e += 1;
      else if (n < lo) e -= 1;
      else break;
    }
  }
  let digits = n.toString();
  if (digits.length < precision + 1) digits = '0'.repeat(precision + 1 - digits.length) + digits;
  const mantissa = precision > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const ae = Math.abs(e);
  return `${sign}${mantissa}e${e < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
}

/** Python's `repr(float)`: shortest round-trip digits, `1.0`, `0.1`, `1e-05`, `1e+16`, `nan`. */
export function floatRepr(x: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without digits gives the shortest digits that round-trip, as Python's repr
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential());
  if (!m) return String(x);
  const [, sign, lead, frac = '', expStr] = m;
  const digits = lead! + frac;
  const e = Number(expStr);
  if (e < -4 || e >= 16) {
    const ae = Math.abs(e);
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}e${e < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const intLen = e + 1;
  if (digits.length <= intLen) return `${sign}${digits}${'0'.repeat(intLen - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}
