/** `torch.utils`: so far `torch.utils.data`. */

export * as data from './data/index.js';
