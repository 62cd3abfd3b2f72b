/**
 * `torch.einsum`, reduced to views, sums, broadcast multiplies and bmm exactly as PyTorch's
 * implementation does (so results, errors and grad_fn names match): every operand is aligned to
 * one dim order (output labels, then contracted labels; missing labels become size-1 dims,
 * repeated labels diagonals), then operands are contracted left to right.
 */

import { RuntimeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';

const LETTERS = 26;
const TOTAL = 2 * LETTERS;
const ELLIPSIS = TOTAL;

const isAlpha = (c: string): boolean => /^[A-Za-z]$/.test(c);
/** 'A'..'Z' -> 0..25, 'a'..'z' -> 26..51: the implicit output is sorted in this order. */
const toSubscript = (c: string): number => (c >= 'a' ? c.charCodeAt(0) - 97 + LETTERS : c.charCodeAt(0) - 65);
const toLabel = (s: number): string => String.fromCharCode(s < LETTERS ? s + 65 : s - LETTERS + 97);

function parseOperands(lhs: string, numOps: number): number[][] {
  const labels: number[][] = Array.from({ length: numOps }, () => []);
  let ell = false;
  let cur = 0;
  for (let i = 0; i < lhs.length; i++) {
    const c = lhs[i]!;
    if (c === ' ') continue;
    if (c === '.') {
      if (ell) throw new RuntimeError(`einsum(): found '.' for operand ${cur} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[++i] === '.' && lhs[++i] === '.')) {
        throw new RuntimeError(`einsum(): found '.' for operand ${cur} that is not part of any ellipsis`);
      }
      labels[cur]!.push(ELLIPSIS);
      ell = true;
    } else if (c === ',') {
      cur++;
      if (cur >= numOps) throw new RuntimeError('einsum(): fewer operands were provided than specified in the equation');
      ell = false;
    } else {
      if (!isAlpha(c)) {
        throw new RuntimeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      }
      labels[cur]!.push(toSubscript(c));
    }
  }
  if (cur !== numOps - 1) throw new RuntimeError('einsum(): more operands were provided than specified in the equation');
  return labels;
}

/**
 * `torch.einsum(equation, ...operands)` (operands may also come as one array): Einstein
 * summation with '...' broadcasting, implicit output (ellipsis dims, then the labels seen once,
 * uppercase before lowercase) and explicit output after '->'.
 * @example torch.einsum('bij,bjk->bik', a, b) // batched matmul
 * @example torch.einsum('ii', m) // trace
 */
export function einsum(equation: string, ...args: (Tensor | readonly Tensor[])[]): Tensor {
  const operands: Tensor[] = args.length === 1 && !(args[0] instanceof Tensor) ? args[0]!.slice() : (args as Tensor[]);
  if (operands.length === 0) {
    throw new ValueError(
      'einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list',
    );
  }
  const numOps = operands.length;
  const arrow = equation.indexOf('->');
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const opLabels = parseOperands(lhs, numOps);

  const labelCount = new Array<number>(TOTAL).fill(0);
  let ellDims = 0;
  opLabels.forEach((labels, i) => {
    const ndims = operands[i]!.dim();
    let n = labels.length;
    let hasEll = false;
    for (const l of labels) {
      if (l === ELLIPSIS) {
        n--;
        hasEll = true;
      } else labelCount[l]!++;
    }
    if (hasEll) ellDims = Math.max(ellDims, ndims - n);
    if (hasEll ? n > ndims : n !== ndims) {
      throw new RuntimeError(
        `einsum(): the number of subscripts in the equation (${n}) ${hasEll ? 'is more than' : 'does not match'} the number of dimensions (${ndims}) for operand ${i}${hasEll ? '' : ' and no ellipsis was given'}`,
      );
    }
  });

  // every operand is permuted to: output dims, then dims to contract
  const permIndex = new Array<number>(TOTAL).fill(-1);
  let perm = 0;
  let ellIndex = 0;
  let ellInOutput = false;
  if (arrow < 0) {
    perm = ellDims;
    ellInOutput = true;
    for (let l = 0; l < TOTAL; l++) if (labelCount[l] === 1) permIndex[l] = perm++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const c = rhs[i]!;
      if (c === ' ') continue;
      if (c === '.') {
        if (ellInOutput) throw new RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[++i] === '.' && rhs[++i] === '.')) {
          throw new RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)");
        }
        ellIndex = perm;
        perm += ellDims;
        ellInOutput = true;
      } else {
        if (!isAlpha(c)) {
          throw new RuntimeError(
            `einsum(): invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`,
          );
        }
        const s = toSubscript(c);
        if (!(labelCount[s]! > 0 && permIndex[s] === -1)) {
          throw new RuntimeError(
            `einsum(): output subscript ${c}${permIndex[s]! > -1 ? ' appears more than once in the output' : ' does not appear in the equation for any input operand'}`,
          );
        }
        permIndex[s] = perm++;
      }
    }
  }
  const outDims = perm;
  if (!ellInOutput) {
    ellIndex = perm;
    perm += ellDims;
  }
  for (let l = 0; l < TOTAL; l++) if (labelCount[l]! > 0 && permIndex[l] === -1) permIndex[l] = perm++;

  // align operands; dimCounts[d] = how many operands have a non-broadcast size at aligned dim d
  const labelSize = new Array<number>(TOTAL).fill(1);
  const ellSizes = new Array<number>(ellDims).fill(1);
  const dimCounts = new Array<number>(perm).fill(0);
  const ops: Tensor[] = [];
  operands.forEach((operand, i) => {
    let op = operand;
    const permutation = new Array<number>(perm).fill(-1);
    let dim = 0;
    for (const s of opLabels[i]!) {
      if (s === ELLIPSIS) {
        const nd = operand.dim() - (opLabels[i]!.length - 1);
        for (let j = ellDims - nd; j < ellDims; j++) {
          const size = op._shape[dim]!;
          if (size !== 1) {
            if (ellSizes[j] !== 1 && ellSizes[j] !== size) {
              throw new RuntimeError(
                `einsum(): dimension ${dim} covered by ellipsis in operand ${i}has size ${size} which does not broadcast with previously seen ellipsis with size ${ellSizes[j]} for the respective dimension`,
              );
            }
            ellSizes[j] = size;
            dimCounts[ellIndex + j]!++;
          }
          permutation[ellIndex + j] = dim++;
        }
      } else if (permutation[permIndex[s]!] === -1) {
        const size = op._shape[dim]!;
        if (size !== 1) {
          if (labelSize[s] !== 1 && labelSize[s] !== size) {
            throw new RuntimeError(
              `einsum(): subscript ${toLabel(s)} has size ${size} for operand ${i} which does not broadcast with previously seen size ${labelSize[s]}`,
            );
          }
          labelSize[s] = size;
          dimCounts[permIndex[s]!]!++;
        }
        permutation[permIndex[s]!] = dim++;
      } else {
        // a repeated label reads the diagonal
        const prev = permutation[permIndex[s]!]!;
        if (op._shape[dim] !== op._shape[prev]) {
          throw new RuntimeError(
            `einsum(): subscript ${toLabel(s)} is repeated for operand ${i} but the sizes don't match, ${op._shape[dim]} != ${op._shape[prev]}`,
          );
        }
        op = op.diagonal(0, prev, dim).movedim(-1, prev);
      }
    }
    for (let k = 0; k < permutation.length; k++) {
      if (permutation[k] === -1) {
        op = op.unsqueeze(dim);
        permutation[k] = dim++;
      }
    }
    ops.push(op.permute(permutation));
  });

  while (ops.length > 1) {
    let a = ops.shift()!;
    let b = ops.shift()!;
    // a contracted dim can be summed as soon as no later operand has it
    const sumDims: number[] = [];
    const aSum: number[] = [];
    const bSum: number[] = [];
    for (let d = outDims; d < perm; d++) {
      if (a._shape[d] !== 1 && b._shape[d] !== 1) {
        if (--dimCounts[d]! === 1) {
          sumDims.push(d);
          dimCounts[d] = 0;
        }
      } else if (dimCounts[d] === 1) {
        if (a._shape[d] !== 1) {
          aSum.push(d);
          dimCounts[d] = 0;
        } else if (b._shape[d] !== 1) {
          bSum.push(d);
          dimCounts[d] = 0;
        }
      }
    }
    if (aSum.length) a = a.sum(aSum, true);
    if (bSum.length) b = b.sum(bSum, true);
    ops.unshift(sumproductPair(a, b, sumDims));
  }

  if (perm - outDims > 0) {
    if (numOps > 1) return ops[0]!.view(ops[0]!._shape.slice(0, outDims));
    return ops[0]!.sum(Array.from({ length: perm - outDims }, (_, k) => outDims + k));
  }
  return ops[0]!;
}

/**
 * sum over `sumDims` of left * right for aligned operands (equal rank, sizes equal or 1), keeping
 * the summed dims as size 1: a broadcast multiply, or one bmm of [batch, left-only, summed] by
 * [batch, summed, right-only] with the dims regrouped by permute and reshape.
 */
function sumproductPair(left: Tensor, right: Tensor, sumDims: number[]): Tensor {
  if (sumDims.length === 0) return left.mul(right);
  const dim = left.dim();
  const isSum = new Array<boolean>(dim).fill(false);
  for (const d of sumDims) isSum[d] = true;
  const lro: number[] = [];
  const lo: number[] = [];
  const ro: number[] = [];
  let lroSize = 1;
  let loSize = 1;
  let roSize = 1;
  let sumSize = 1;
  let l = left;
  let r = right;
  for (let i = 0; i < dim; i++) {
    const sl = l._shape[i]! > 1;
    const sr = r._shape[i]! > 1;
    if (isSum[i]) {
      if (sl && sr) {
        if (l._shape[i] !== r._shape[i]) throw new RuntimeError('non-broadcast dimensions must match');
        sumSize *= l._shape[i]!;
      } else if (sl) l = l.sum(i, true);
      else if (sr) r = r.sum(i, true);
    } else if (sl && sr) {
      if (l._shape[i] !== r._shape[i]) throw new RuntimeError('non-broadcast dimensions must match');
      lro.push(i);
      lroSize *= l._shape[i]!;
    } else if (sl) {
      lo.push(i);
      loSize *= l._shape[i]!;
    } else {
      ro.push(i);
      roSize *= r._shape[i]!;
    }
  }
  const outSize = [...lro.map((d) => l._shape[d]!), ...lo.map((d) => l._shape[d]!), ...sumDims.map(() => 1), ...ro.map((d) => r._shape[d]!)];
  const lperm = [...lro, ...lo, ...sumDims, ...ro];
  const rperm = [...lro, ...sumDims, ...ro, ...lo];
  const operm = new Array<number>(dim);
  [...lro, ...lo, ...sumDims, ...ro].forEach((d, i) => (operm[d] = i));
  const lm = l.permute(lperm).reshape(lroSize, loSize, sumSize);
  const rm = r.permute(rperm).reshape(lroSize, sumSize, roSize);
  return lm.bmm(rm).view(outSize).permute(operm);
}
