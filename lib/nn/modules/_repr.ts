/** Python's formatting of layer hyperparameters in `extra_repr` (floats as `1.0`, None, True/False). */

import { floatRepr } from '../../display/pyformat.js';

/** A float hyperparameter as Python prints it: `1.0`, `0.01`, `1e-05`. */
export const pyFloat = (x: number): string => floatRepr(x);

/** A number that Python would hold as an int when integral (`20`), else as a float. */
export const pyNum = (x: number): string => (Number.isSafeInteger(x) ? String(x) : floatRepr(x));

export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** A tuple of ints: `(2, 5)`, `(3,)`. */
export const pyTuple = (xs: readonly number[]): string => (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`);
