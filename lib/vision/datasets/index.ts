/** `torchvision.datasets`. */

export { MNIST, FashionMNIST, type MNISTOptions } from './mnist.js';
export * as utils from './utils.js';
