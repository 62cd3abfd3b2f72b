/** `nn.utils.parameters_to_vector` and `nn.utils.vector_to_parameters`. */

import { Tensor } from '../../tensor.js';
import { cat } from '../../ops/cat.js';
import { no_grad } from '../../autograd/grad_mode.js';

/** PyTorch's `_check_param_device`: all parameters on one device. */
function checkDevices(params: readonly Tensor[]): void {
  const first = params[0];
  if (first && params.some((p) => p.device.toString() !== first.device.toString())) {
    throw new TypeError('Found two parameters on different devices, this is currently not supported.');
  }
}

/** Python's `torch.typename` of a non-tensor value, for the error message. */
function pyTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (v === null || v === undefined) return 'NoneType';
  return (v as object).constructor?.name ?? typeof v;
}

/**
 * `nn.utils.parameters_to_vector(parameters)`: the parameters flattened and concatenated into
 * one 1-d tensor (differentiable, as in PyTorch).
 * @example nn.utils.parameters_to_vector(net.parameters()).numel() // the number of weights
 */
export function parameters_to_vector(parameters: Iterable<Tensor>): Tensor {
  const ps = [...parameters];
  checkDevices(ps);
  return cat(ps.map((p) => p.view(-1)));
}

/**
 * `nn.utils.vector_to_parameters(vec, parameters)`: copies consecutive slices of `vec` into the
 * parameters. Differs from PyTorch: the values are copied (under no_grad) instead of the
 * parameters' `.data` being rebound to views of `vec`, so later changes to vec do not show.
 * @example nn.utils.vector_to_parameters(nn.utils.parameters_to_vector(a.parameters()), b.parameters())
 */
export function vector_to_parameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${pyTypeName(vec)}`);
  const ps = [...parameters];
  checkDevices(ps);
  let pointer = 0;
  no_grad(() => {
    for (const p of ps) {
      const n = p.numel();
      // Python's slice vec[pointer:pointer + n] stops at the end; view_as then raises
      const len = Math.max(0, Math.min(n, vec.numel() - pointer));
      p.copy_(vec.narrow(0, Math.min(pointer, vec.numel()), len).view_as(p));
      pointer += n;
    }
  });
}
