/**
 * What several tests share with the lecture: its MNIST network, written as its slide writes it,
 * and the folder of the real MNIST and Fashion-MNIST files (`../shared/data` beside the repository).
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { F, nn, type Tensor } from '../../lib/index.js';

/** `../shared/data`: mnist/ and fashion-mnist/ with the IDX gzip files. */
export const DATA_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data');

/** The lecture's model (784-64-64-64-10, ReLU, log_softmax), as on its slide. */
export class Net extends nn.Module {
  fc1 = new nn.Linear(28 * 28, 64);
  fc2 = new nn.Linear(64, 64);
  fc3 = new nn.Linear(64, 64);
  fc4 = new nn.Linear(64, 10);

  override forward(x: Tensor): Tensor {
    x = F.relu(this.fc1(x));
    x = F.relu(this.fc2(x));
    x = F.relu(this.fc3(x));
    x = this.fc4(x);
    return F.log_softmax(x, 1);
  }
}
