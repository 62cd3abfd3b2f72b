/**
 * torchlab: PyTorch for TypeScript notebooks.
 * @example
 * import torch from 'torchlab';
 * const x = torch.randn(3, 3, {requires_grad: true});
 * x.pow(2).sum().backward();
 */

import { torch } from './torch.js';

export default torch;
export { torch };
export { Tensor } from './tensor.js';
export type { Scalar, TensorOrScalar, ValuesIndices, IndexItem } from './tensor.js';
export { DType } from './dtype.js';
export { Device } from './device.js';
export { Size } from './size.js';
export type { TensorOptions } from './ops/creation.js';
export { print } from './display/print.js';
export { display } from './display/index.js';
export { plot } from './display/plot.js';
export { tqdm, trange } from './display/progress.js';
export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export * as optim from './optim/index.js';
export * as utils from './utils/index.js';
export { Dataset, TensorDataset, Subset, DataLoader, random_split } from './utils/data/index.js';
export { IterableDataset, ConcatDataset, ChainDataset } from './utils/data/index.js';
// torchvision's names too, so the kernel's prelude binds `datasets` and `transforms` from the entry module
export { datasets, transforms } from './vision/index.js';
