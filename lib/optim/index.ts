/**
 * `torch.optim`: the Optimizer base class, SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta and lr_scheduler.
 * @example
 * import { optim } from 'torchlab';
 * const opt = new optim.Adam(net.parameters(), {lr: 0.005});
 */

export {
  Optimizer, type Options, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState, type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { AdamW } from './adamw.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export * as lr_scheduler from './lr_scheduler.js';
