/** `nn.Upsample`, `nn.UpsamplingNearest2d`, `nn.UpsamplingBilinear2d`: thin modules over `F.interpolate`. */

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { interpolate, type InterpolateMode, type SizeArg } from '../functional/upsampling.js';
import { pyArgs } from '../_args.js';
import { pyFloat, pyTuple } from './_repr.js';

export type UpsampleOptions = {
  size?: SizeArg | null; scale_factor?: SizeArg | null; mode?: InterpolateMode; align_corners?: boolean | null;
  recompute_scale_factor?: boolean | null;
};

/**
 * `nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None,
 * recompute_scale_factor=None)`: F.interpolate with fixed arguments. A scale_factor is kept as
 * floats (a tuple for an array), as PyTorch keeps it.
 * @example new nn.Upsample({scale_factor: 2, mode: 'bilinear'})(torch.randn(1, 3, 4, 4)).shape // [1, 3, 8, 8]
 */
export class Upsample extends Module {
  declare name: string;
  declare size: SizeArg | null;
  declare scale_factor: SizeArg | null;
  declare mode: InterpolateMode;
  declare align_corners: boolean | null;
  declare recompute_scale_factor: boolean | null;
  constructor(
    size?: SizeArg | null | UpsampleOptions, scale_factor?: SizeArg | null | UpsampleOptions, mode?: InterpolateMode | UpsampleOptions,
    align_corners?: boolean | null | UpsampleOptions, recompute_scale_factor?: boolean | null | UpsampleOptions,
  ) {
    super();
    const o = pyArgs<UpsampleOptions>(
      ['size', 'scale_factor', 'mode', 'align_corners', 'recompute_scale_factor'],
      [size, scale_factor, mode, align_corners, recompute_scale_factor],
    );
    this.name = this._get_name();
    this.size = o.size ?? null;
    const sf = o.scale_factor ?? null;
    // Python's `float(scale_factor) if scale_factor else None`: 0 means none
    this.scale_factor = typeof sf === 'number' ? (sf ? sf : null) : sf;
    this.mode = o.mode ?? 'nearest';
    this.align_corners = o.align_corners ?? null;
    this.recompute_scale_factor = o.recompute_scale_factor ?? null;
  }
  override forward(input: Tensor): Tensor {
    return interpolate(input, this.size, this.scale_factor, this.mode, this.align_corners, {
      recompute_scale_factor: this.recompute_scale_factor,
    });
  }
  override extra_repr(): string {
    let info: string;
    if (this.scale_factor !== null) {
      const sf = this.scale_factor;
      info = `scale_factor=${typeof sf === 'number' ? pyFloat(sf) : sf.length === 1 ? `(${pyFloat(sf[0]!)},)` : `(${sf.map(pyFloat).join(', ')})`}`;
    } else {
      const s = this.size;
      info = `size=${s === null ? 'None' : typeof s === 'number' ? String(s) : pyTuple(s)}`;
    }
    return `${info}, mode=${this.mode}`;
  }
}

type SizeScale = { size?: SizeArg | null; scale_factor?: SizeArg | null };

/**
 * `nn.UpsamplingNearest2d(size=None, scale_factor=None)`: Upsample with mode 'nearest'.
 * @example new nn.UpsamplingNearest2d({scale_factor: 2})(torch.randn(1, 1, 2, 2)).shape // [1, 1, 4, 4]
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(size?: SizeArg | null | SizeScale, scale_factor?: SizeArg | null | SizeScale) {
    const o = pyArgs<SizeScale>(['size', 'scale_factor'], [size, scale_factor]);
    super({ size: o.size, scale_factor: o.scale_factor, mode: 'nearest' });
  }
}

/**
 * `nn.UpsamplingBilinear2d(size=None, scale_factor=None)`: Upsample with mode 'bilinear' and
 * align_corners=True.
 * @example new nn.UpsamplingBilinear2d([4, 6])(torch.randn(1, 1, 2, 3)).shape // [1, 1, 4, 6]
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(size?: SizeArg | null | SizeScale, scale_factor?: SizeArg | null | SizeScale) {
    const o = pyArgs<SizeScale>(['size', 'scale_factor'], [size, scale_factor]);
    super({ size: o.size, scale_factor: o.scale_factor, mode: 'bilinear', align_corners: true });
  }
}
