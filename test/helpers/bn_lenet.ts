/**
 * LeNet's layers with notebook 03's batch norm, small enough for a test: a convolution of one
 * channel (with batch norm, relu and 2x2 pooling), a second convolution (relu, pooling), and a
 * linear layer to 10 classes. The tests of the CPU backend's memory paths train it.
 */

import torch, { F, nn, type Tensor } from '../../lib/index.js';

export class BnLeNet extends nn.Module {
  conv1: nn.Conv2d;
  bn: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  fc: nn.Linear;
  /** `side`: the second pooling's output side for the inputs the test feeds it. */
  constructor(c1: number, k1: number, padding: number, c2: number, k2: number, side: number) {
    super();
    this.conv1 = new nn.Conv2d(1, c1, k1, { padding });
    this.bn = new nn.BatchNorm2d(c1);
    this.conv2 = new nn.Conv2d(c1, c2, k2);
    this.fc = new nn.Linear(c2 * side * side, 10);
  }
  override forward(x: Tensor): Tensor {
    x = F.max_pool2d(F.relu(this.bn(this.conv1(x))), 2);
    x = F.max_pool2d(F.relu(this.conv2(x)), 2);
    return this.fc(torch.flatten(x, 1));
  }
}
