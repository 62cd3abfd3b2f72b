/**
 * `torch.nn`: modules, parameters, containers, layers, activations, losses, `functional` (F)
 * and `init`.
 * @example
 * import torch, { nn, F, type Tensor } from 'torchlab';
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(784, 64);
 *   fc2 = new nn.Linear(64, 10);
 *   forward(x: Tensor): Tensor { return F.log_softmax(this.fc2(F.relu(this.fc1(x))), 1); }
 * }
 */

export { Module, IncompatibleKeys, type StateDict, type RemovableHandle, type ForwardHook, type ForwardPreHook } from './module.js';
export { Parameter } from './parameter.js';
export { Linear, Identity, type FactoryOptions } from './modules/linear.js';
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Hardtanh, Softmax, LogSoftmax } from './modules/activation.js';
export { Sequential, ModuleList, ModuleDict } from './modules/container.js';
export { Flatten, Unflatten } from './modules/flatten.js';
export { Dropout } from './modules/dropout.js';
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell, type RNNMode, type RNNBaseOptions, type RNNOptions, type LSTMOptions, type GRUOptions, type RNNCellOptions, type LSTMCellOptions, type GRUCellOptions } from './modules/rnn.js';
export { Maxout } from './modules/maxout.js';
export { Conv1d, Conv2d, _ConvNd, type ConvOptions, type PaddingMode } from './modules/conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type MaxPoolResult } from './modules/pooling.js';
export { ConvTranspose1d, ConvTranspose2d, _ConvTransposeNd, type ConvTransposeOptions } from './modules/conv.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions } from './modules/upsampling.js';
export { KLDivLoss, type KLDivLossOptions } from './modules/loss.js';
export { BatchNorm1d, BatchNorm2d, _BatchNorm, type BatchNormOptions } from './modules/batchnorm.js';
export { LayerNorm, GroupNorm, type LayerNormOptions, type GroupNormOptions } from './modules/normalization.js';
export { Embedding, type EmbeddingOptions, type FromPretrainedOptions } from './modules/sparse.js';
export { MultiheadAttention, NonDynamicallyQuantizableLinear, type MultiheadAttentionOptions } from './modules/multihead_attention.js';
export { TransformerEncoderLayer, TransformerEncoder, type TransformerEncoderLayerOptions, type TransformerActivation } from './modules/transformer.js';
export {
  CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, _Loss, _WeightedLoss,
  type CrossEntropyLossOptions,
} from './modules/loss.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * as utils from './utils/index.js';
