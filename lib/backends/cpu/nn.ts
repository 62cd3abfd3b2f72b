/**
 * The CPU backend's optional nn kernels (NnKernels in backend.ts), spread into its Backend
 * object: convolution and pooling (conv.ts, with float32 convolutions in WebAssembly) and batch
 * norm (norm.ts).
 */

import type { NnKernels } from '../../backend.js';
import { windowKernels } from './conv.js';
import { normKernels } from './norm.js';

export const nnKernels: NnKernels = { ...windowKernels, ...normKernels };
