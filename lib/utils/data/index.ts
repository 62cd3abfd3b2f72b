/**
 * `torch.utils.data`: datasets, samplers, random_split, DataLoader and default_collate.
 * @example
 * import { DataLoader, TensorDataset } from 'torchlab';
 * const loader = new DataLoader(new TensorDataset(X, y), {batch_size: 32, shuffle: true});
 */

export { Dataset, TensorDataset, Subset, random_split, type MapDataset, type DatasetLike } from './dataset.js';
export { IterableDataset, ConcatDataset, ChainDataset } from './dataset.js';
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, BatchSampler } from './sampler.js';
export { DataLoader, default_collate, type Collated, type DataLoaderOptions } from './dataloader.js';
