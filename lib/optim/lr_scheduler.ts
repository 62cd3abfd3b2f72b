/**
 * `torch.optim.lr_scheduler`: learning-rate schedules that rewrite `param_group.lr` (and, for
 * OneCycleLR, the momentum) of an optimizer each time `step()` is called.
 *
 * Arguments follow PyTorch's order and names: positionally, by name in one trailing options
 * object, or both (`new StepLR(opt, 30, 0.1)`, `new StepLR(opt, {step_size: 30, gamma: 0.1})`,
 * `new StepLR(opt, 30, {gamma: 0.1})`). The schedules compute their values with PyTorch's
 * (recursive, "chainable") formulas, so the learning rates agree with PyTorch's to the last bits.
 * @example
 * const opt = new optim.SGD(net.parameters(), {lr: 0.1, momentum: 0.9});
 * const sched = new optim.lr_scheduler.StepLR(opt, {step_size: 30, gamma: 0.1});
 * for (let epoch = 0; epoch < 100; epoch++) { train(opt); sched.step(); }
 */

export { LRScheduler, _LRScheduler, type SchedulerStateDict } from './lr_scheduler/base.js';
export {
  StepLR, type StepLROptions, MultiStepLR, type MultiStepLROptions, ExponentialLR, type ExponentialLROptions,
  CosineAnnealingLR, type CosineAnnealingLROptions, LambdaLR, type LambdaLROptions, type LrLambda,
  LinearLR, type LinearLROptions,
} from './lr_scheduler/simple.js';
export { OneCycleLR, type OneCycleLROptions } from './lr_scheduler/one_cycle.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './lr_scheduler/reduce_on_plateau.js';
