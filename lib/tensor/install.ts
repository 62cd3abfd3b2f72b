/**
 * Puts a group of Tensor methods on Tensor.prototype as the class itself would have: the lib/tensor/
 * files hold the method surface by concern, typed by interfaces merged into `Tensor`.
 */

import { Tensor } from '../tensor.js';

/**
 * Copies the methods and getters of `impl` onto Tensor.prototype, non-enumerable as class members
 * are, so `for...in` over a tensor and the `name in proto` checks of api_extra see no difference.
 * @internal
 */
export function installMethods(impl: object): void {
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(impl))) {
    Object.defineProperty(Tensor.prototype, name, { ...d, enumerable: false });
  }
}
