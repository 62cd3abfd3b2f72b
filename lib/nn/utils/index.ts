/**
 * `torch.nn.utils` (reached as `nn.utils`): gradient clipping and parameter/vector conversion.
 * @example nn.utils.clip_grad_norm_(net.parameters(), 1.0)
 */

export { clip_grad_norm_, clip_grad_norm, clip_grad_value_, type Parameters, type NormType, type ClipGradNormOptions } from './clip_grad.js';
export { parameters_to_vector, vector_to_parameters } from './convert_parameters.js';
