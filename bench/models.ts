/**
 * The models the benchmarks train, the TypeScript side of bench/torch_models.py: the lecture's
 * MNIST MLP (test/helpers/lecture.ts's Net, as on its slide) and LeNet-5 for 28x28 inputs.
 */

import torch, { F, nn, type Tensor } from '../lib/index.js';

export { Net } from '../test/helpers/lecture.js';

/** LeNet-5 for 28x28 inputs (padding 2 on the first convolution), ReLU and max pooling. */
export class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: Tensor): Tensor {
    x = F.max_pool2d(F.relu(this.conv1(x)), 2);
    x = F.max_pool2d(F.relu(this.conv2(x)), 2);
    x = torch.flatten(x, 1);
    x = F.relu(this.fc1(x));
    x = F.relu(this.fc2(x));
    return this.fc3(x);
  }
}
