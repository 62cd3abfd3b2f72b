/**
 * torchlab's torchvision: `import { datasets, transforms } from 'torchlab/vision'`, as Python's
 * `from torchvision import datasets, transforms`.
 * @example
 * const train = new datasets.MNIST('data', {train: true, transform: new transforms.ToTensor()});
 */

// the torch namespace registers the CPU backend; vision may be imported on its own
import '../torch.js';

export * as datasets from './datasets/index.js';
export * as transforms from './transforms.js';
export * as utils from './utils.js';
