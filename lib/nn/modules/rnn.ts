/**
 * `nn.RNN`, `nn.LSTM`, `nn.GRU` and the single-step cells `nn.RNNCell`, `nn.LSTMCell`,
 * `nn.GRUCell`, composed from existing ops so that autograd comes free.
 *
 * Each layer and direction first projects the whole input sequence with one matrix product
 * (both biases folded in where the equations allow), so a time step is one small addmm plus
 * the gate nonlinearities.
 */

import { RuntimeError, ValueError, pyTypeName } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { empty, zeros } from '../../ops/creation.js';
import { cat, stack } from '../../ops/cat.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyArgs } from '../_args.js';
import { warnOnce } from '../warnings.js';
import { factory, type FactoryOptions } from './linear.js';
import { pyBool, pyFloat, pyNum } from './_repr.js';

/** PyTorch's internal name of the recurrence: `RNNBase(mode, ...)`. */
export type RNNMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Keyword arguments shared by `nn.RNN`, `nn.LSTM` and `nn.GRU` (`proj_size` is LSTM's only). */
export type RNNBaseOptions = {
  input_size?: number;
  hidden_size?: number;
  num_layers?: number;
  bias?: boolean;
  batch_first?: boolean;
  dropout?: number;
  bidirectional?: boolean;
  proj_size?: number;
} & FactoryOptions;
export type RNNOptions = Omit<RNNBaseOptions, 'proj_size'> & { nonlinearity?: 'tanh' | 'relu' };
export type LSTMOptions = RNNBaseOptions;
export type GRUOptions = Omit<RNNBaseOptions, 'proj_size'>;
export type RNNCellOptions = { input_size?: number; hidden_size?: number; bias?: boolean; nonlinearity?: 'tanh' | 'relu' } & FactoryOptions;
export type LSTMCellOptions = Omit<RNNCellOptions, 'nonlinearity'>;
export type GRUCellOptions = LSTMCellOptions;

const BASE_ARGS = ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size'] as const;
const RNN_ARGS = ['input_size', 'hidden_size', 'num_layers', 'nonlinearity', 'bias', 'batch_first', 'dropout', 'bidirectional'] as const;

function required(cls: string, o: { input_size?: number; hidden_size?: number }): [number, number] {
  const missing = (['input_size', 'hidden_size'] as const).filter((k) => o[k] === undefined);
  if (missing.length > 0) {
    const list = missing.map((k) => `'${k}'`).join(' and ');
    throw new TypeError(`${cls}.__init__() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${list}`);
  }
  return [o.input_size!, o.hidden_size!];
}

const pyShape = (s: readonly number[]): string => `(${s.join(', ')})`;
const pyList = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The weights of one layer and direction (or of a cell), as the step functions take them. */
interface StepWeights {
  w_ih: Tensor;
  w_hh: Tensor;
  b_ih: Tensor | null;
  b_hh: Tensor | null;
  w_hr: Tensor | null;
}

/**
 * The input projection of every time step at once: x W_ihᵀ + b_ih (+ b_hh, except for GRU,
 * whose b_hn sits inside r ⊙ (W_hn h + b_hn)).
 */
function projectInput(mode: RNNMode, x: Tensor, w: StepWeights): Tensor {
  if (!w.b_ih || !w.b_hh) return F.linear(x, w.w_ih, w.b_ih);
  return F.linear(x, w.w_ih, mode === 'GRU' ? w.b_ih : w.b_ih.add(w.b_hh));
}

/**
 * One time step. `xp` is the projected input (N, gates); `whhT` is W_hhᵀ, `whrT` W_hrᵀ.
 * Returns the new [h, c] (c only for LSTM).
 */
function step(mode: RNNMode, xp: Tensor, h: Tensor, c: Tensor | null, whhT: Tensor, b_hh: Tensor | null, whrT: Tensor | null): [Tensor, Tensor | null] {
  if (mode === 'LSTM') {
    const H = c!._shape[1]!;
    // one split into [i f | g | o] keeps the activations off the columns they do not apply to
    const [ifPre, gPre, oPre] = xp.addmm(h, whhT).split([2 * H, H, H], 1) as [Tensor, Tensor, Tensor];
    const [i, f] = ifPre.sigmoid().chunk(2, 1) as [Tensor, Tensor];
    const c1 = f.mul(c!).addcmul(i, gPre.tanh());
    const h1 = oPre.sigmoid().mul(c1.tanh());
    return [whrT ? h1.mm(whrT) : h1, c1];
  }
  if (mode === 'GRU') {
    const H = h._shape[1]!;
    const [xrz, xn] = xp.split([2 * H, H], 1) as [Tensor, Tensor];
    const [hrz, hn] = (b_hh ? b_hh.addmm(h, whhT) : h.mm(whhT)).split([2 * H, H], 1) as [Tensor, Tensor];
    const [r, z] = xrz.add(hrz).sigmoid().chunk(2, 1) as [Tensor, Tensor];
    const n = xn.addcmul(r, hn).tanh();
    return [n.add(z.mul(h.sub(n))), null];
  }
  const pre = xp.addmm(h, whhT);
  return [mode === 'RNN_TANH' ? pre.tanh() : pre.relu(), null];
}

/**
 * PyTorch's `nn.RNNBase(mode, input_size, hidden_size, num_layers=1, bias=True,
 * batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None)`:
 * the parameters (`weight_ih_l{k}[_reverse]`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`,
 * `weight_hr_l{k}`), their U(±1/√hidden_size) initialisation, the shape checks and the repr
 * shared by `nn.RNN`, `nn.LSTM` and `nn.GRU`. Use those subclasses; this class has no forward.
 * Differs from PyTorch: no PackedSequence input; `flatten_parameters()` does nothing (there is
 * no cuDNN weight buffer to compact).
 * @example const lstm = new nn.LSTM(10, 20, 2); [...lstm.named_parameters()].map(([k]) => k)[0] // 'weight_ih_l0'
 */
export class RNNBase extends Module {
  declare mode: RNNMode;
  declare input_size: number;
  declare hidden_size: number;
  declare num_layers: number;
  declare bias: boolean;
  declare batch_first: boolean;
  declare dropout: number;
  declare bidirectional: boolean;
  declare proj_size: number;
  /** The parameter names in PyTorch's flat order. */
  declare _flat_weights_names: string[];
  /** The parameter names per layer and direction. */
  declare _all_weights: string[][];
  /** The parameters registered under PyTorch's names, e.g. `lstm.weight_ih_l0`. */
  [name: `weight_${string}` | `bias_${string}`]: Parameter;

  constructor(
    mode: RNNMode, input_size: number | RNNBaseOptions, hidden_size?: number | RNNBaseOptions, num_layers?: number | RNNBaseOptions,
    bias?: boolean | RNNBaseOptions, batch_first?: boolean | RNNBaseOptions, dropout?: number | RNNBaseOptions,
    bidirectional?: boolean | RNNBaseOptions, proj_size?: number | RNNBaseOptions, opts?: RNNBaseOptions,
  ) {
    super();
    const o = pyArgs<RNNBaseOptions>(BASE_ARGS, [input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size, opts]);
    const [inputSize, hiddenSize] = required('RNNBase', o);
    const numLayers = o.num_layers ?? 1;
    const p = o.dropout ?? 0;
    const proj = o.proj_size ?? 0;
    const bidi = o.bidirectional ?? false;
    this.mode = mode;
    this.input_size = inputSize;
    this.hidden_size = hiddenSize;
    this.num_layers = numLayers;
    this.bias = o.bias ?? true;
    this.batch_first = o.batch_first ?? false;
    this.dropout = p;
    this.bidirectional = bidi;
    this.proj_size = proj;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ValueError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    }
    if (p > 0 && numLayers === 1) {
      warnOnce(
        'dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, ' +
          `but got dropout=${pyNum(p)} and num_layers=${numLayers}`,
      );
    }
    if (!Number.isInteger(hiddenSize)) throw new TypeError(`hidden_size should be of type int, got: ${pyTypeName(hiddenSize)}`);
    if (hiddenSize <= 0) throw new ValueError('hidden_size must be greater than zero');
    if (numLayers <= 0) throw new ValueError('num_layers must be greater than zero');
    if (proj < 0) throw new ValueError('proj_size should be a positive integer or zero to disable projections');
    if (proj >= hiddenSize) throw new ValueError('proj_size has to be smaller than hidden_size');
    const gates = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 }[mode];
    if (gates === undefined) throw new ValueError(`Unrecognized RNN mode: ${String(mode)}`);
    const gateSize = gates * hiddenSize;
    const dirs = bidi ? 2 : 1;
    const realHidden = proj > 0 ? proj : hiddenSize;
    const f = factory(o);
    this._flat_weights_names = [];
    this._all_weights = [];
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < dirs; dir++) {
        const layerInput = layer === 0 ? inputSize : realHidden * dirs;
        const suffix = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const params: [string, number[]][] = [[`weight_ih${suffix}`, [gateSize, layerInput]], [`weight_hh${suffix}`, [gateSize, realHidden]]];
        if (this.bias) params.push([`bias_ih${suffix}`, [gateSize]], [`bias_hh${suffix}`, [gateSize]]);
        if (proj > 0) params.push([`weight_hr${suffix}`, [proj, hiddenSize]]);
        for (const [name, shape] of params) this.register_parameter(name, new Parameter(empty(shape, f)));
        const names = params.map(([n]) => n);
        this._flat_weights_names.push(...names);
        this._all_weights.push(names);
      }
    }
    this.reset_parameters();
  }

  /**
   * Re-draws every parameter from U(-1/√hidden_size, 1/√hidden_size), in registration order as PyTorch.
   * @example torch.manual_seed(0); lstm.reset_parameters()
   */
  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1 / Math.sqrt(this.hidden_size) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /**
   * `flatten_parameters()`: a no-op here (PyTorch compacts cuDNN's weight buffer).
   * @example lstm.flatten_parameters() // kept so PyTorch code runs unchanged
   */
  flatten_parameters(): void {}

  /**
   * `all_weights`: the parameters per layer and direction, `[[w_ih, w_hh, b_ih, b_hh(, w_hr)], ...]`.
   * @example const [[w_ih, w_hh, b_ih, b_hh]] = new nn.RNN(4, 8).all_weights
   */
  get all_weights(): Parameter[][] {
    return this._all_weights.map((names) => names.map((n) => this._parameters.get(n)!));
  }

  /** The current parameters of one layer and direction, looked up by name (so reassigned ones count). */
  private _weights(layer: number, dir: number): StepWeights {
    const suffix = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
    const get = (prefix: string): Tensor | null => this._parameters.get(prefix + suffix) ?? null;
    return { w_ih: get('weight_ih')!, w_hh: get('weight_hh')!, b_ih: get('bias_ih'), b_hh: get('bias_hh'), w_hr: get('weight_hr') };
  }

  /** PyTorch's `check_hidden_size`. */
  protected _checkHidden(hx: Tensor, expected: number[], msg = 'hidden'): void {
    if (hx._shape.length !== expected.length || hx._shape.some((s, i) => s !== expected[i])) {
      throw new RuntimeError(`Expected ${msg} size ${pyShape(expected)}, got ${pyList(hx._shape)}`);
    }
  }

  /**
   * @internal The recurrence over a batched input (time-major unless batch_first) from the
   * initial states `hx` (and `cx` for LSTM), already checked. Returns output, h_n and c_n.
   */
  protected _run(input: Tensor, hx: Tensor, cx: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const mode = this.mode;
    const dirs = this.bidirectional ? 2 : 1;
    const timeDim = this.batch_first ? 1 : 0;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let layerInput = input;
    for (let layer = 0; layer < this.num_layers; layer++) {
      const dirOutputs: Tensor[] = [];
      for (let dir = 0; dir < dirs; dir++) {
        const idx = layer * dirs + dir;
        const w = this._weights(layer, dir);
        const xs = projectInput(mode, layerInput, w).unbind(timeDim);
        const whhT = w.w_hh.t();
        const whrT = w.w_hr ? w.w_hr.t() : null;
        let h = hx.select(0, idx);
        let c = cx ? cx.select(0, idx) : null;
        const outs: Tensor[] = new Array<Tensor>(xs.length);
        for (let k = 0; k < xs.length; k++) {
          const t = dir === 0 ? k : xs.length - 1 - k;
          [h, c] = step(mode, xs[t]!, h, c, whhT, w.b_hh, whrT);
          outs[t] = h;
        }
        dirOutputs.push(stack(outs, timeDim));
        hs.push(h);
        if (c) cs.push(c);
      }
      layerInput = dirs === 1 ? dirOutputs[0]! : cat(dirOutputs, 2);
      if (this.dropout > 0 && this.training && layer < this.num_layers - 1) layerInput = F.dropout(layerInput, this.dropout, true);
    }
    return [layerInput, stack(hs, 0), cx ? stack(cs, 0) : null];
  }

  /**
   * @internal PyTorch's forward around `_VF.rnn_*` / `_VF.gru` / `_VF.lstm`: unbatched inputs,
   * default zero states, the shape checks, then the recurrence.
   */
  protected _forward(name: string, input: Tensor, hx: Tensor | null, cx: Tensor | null, isLSTM: boolean): [Tensor, Tensor, Tensor | null] {
    if (input.dim() !== 2 && input.dim() !== 3) {
      throw new ValueError(`${name}: Expected input to be 2D or 3D, got ${input.dim()}D${name === 'RNN' ? ' tensor' : ''} instead`);
    }
    const batched = input.dim() === 3;
    const batchDim = this.batch_first ? 0 : 1;
    let x = input;
    let h = hx;
    let c = cx;
    if (!batched) {
      x = input.unsqueeze(batchDim);
      if (isLSTM && h && c) {
        if (h.dim() !== 2 || c.dim() !== 2) {
          throw new RuntimeError(`For unbatched 2-D input, hx and cx should also be 2-D but got (${h.dim()}-D, ${c.dim()}-D) tensors`);
        }
        h = h.unsqueeze(1);
        c = c.unsqueeze(1);
      } else if (!isLSTM && h) {
        if (h.dim() !== 2) throw new RuntimeError(`For unbatched 2-D input, hx should also be 2-D but got ${h.dim()}-D tensor`);
        h = h.unsqueeze(1);
      }
    } else if (isLSTM && h && c) {
      if (h.dim() !== 3 || c.dim() !== 3) {
        throw new RuntimeError(`For batched 3-D input, hx and cx should also be 3-D but got (${h.dim()}-D, ${c.dim()}-D) tensors`);
      }
    } else if (!isLSTM && h && h.dim() !== 3) {
      throw new RuntimeError(`For batched 3-D input, hx should also be 3-D but got ${h.dim()}-D tensor`);
    }
    const batch = x._shape[this.batch_first ? 0 : 1]!;
    const states = this.num_layers * (this.bidirectional ? 2 : 1);
    const realHidden = this.proj_size > 0 ? this.proj_size : this.hidden_size;
    const like = { dtype: x.dtype, device: x.device };
    h ??= zeros([states, batch, realHidden], like);
    if (isLSTM) c ??= zeros([states, batch, this.hidden_size], like);
    if (x._shape[2] !== this.input_size) {
      throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.input_size}, got ${x._shape[2]}`);
    }
    if (isLSTM) {
      this._checkHidden(h, [states, batch, realHidden], 'hidden[0]');
      this._checkHidden(c!, [states, batch, this.hidden_size], 'hidden[1]');
    } else this._checkHidden(h, [states, batch, realHidden]);
    const [out, hn, cn] = this._run(x, h, c);
    if (batched) return [out, hn, cn];
    return [out.squeeze(batchDim), hn.squeeze(1), cn ? cn.squeeze(1) : null];
  }

  override extra_repr(): string {
    let s = `${this.input_size}, ${this.hidden_size}`;
    if (this.proj_size !== 0) s += `, proj_size=${this.proj_size}`;
    if (this.num_layers !== 1) s += `, num_layers=${this.num_layers}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    if (this.batch_first !== false) s += `, batch_first=${pyBool(this.batch_first)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

function rejectProj(o: { proj_size?: number }): void {
  if (o.proj_size !== undefined) throw new ValueError('proj_size argument is only supported for LSTM, not RNN or GRU');
}

/**
 * `nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
 * batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None)`: the Elman
 * RNN h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu). `forward(input, h_0?)`
 * returns `[output, h_n]`; input is (L, N, H_in), (N, L, H_in) with batch_first, or (L, H_in).
 * Differs from PyTorch: no PackedSequence; PyTorch 1.13 takes `nonlinearity` only as a keyword,
 * PyTorch 2 (and torchlab) also as the fourth positional argument.
 * @example const rnn = new nn.RNN(10, 20, 2); const [out, hn] = rnn(torch.randn(5, 3, 10)); // [5, 3, 20], [2, 3, 20]
 */
export class RNN extends RNNBase {
  declare nonlinearity: 'tanh' | 'relu';

  constructor(
    input_size: number | RNNOptions, hidden_size?: number | RNNOptions, num_layers?: number | RNNOptions,
    nonlinearity?: 'tanh' | 'relu' | RNNOptions, bias?: boolean | RNNOptions, batch_first?: boolean | RNNOptions,
    dropout?: number | RNNOptions, bidirectional?: boolean | RNNOptions, opts?: RNNOptions,
  ) {
    const o = pyArgs<RNNOptions & { proj_size?: number }>(RNN_ARGS, [
      input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout, bidirectional, opts,
    ]);
    rejectProj(o);
    const nl = o.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ValueError(`Unknown nonlinearity '${String(nl)}'`);
    const { nonlinearity: _nl, ...rest } = o;
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', rest);
    this.nonlinearity = nl;
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const [out, hn] = this._forward('RNN', input, hx ?? null, null, false);
    return [out, hn];
  }
}

/**
 * `nn.LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
 * bidirectional=False, proj_size=0, device=None, dtype=None)`: gates i, f, g, o (in that order
 * in the weights), c_t = f ⊙ c_{t-1} + i ⊙ g, h_t = o ⊙ tanh(c_t), projected by W_hr when
 * proj_size > 0. `forward(input, [h_0, c_0]?)` returns `[output, [h_n, c_n]]`.
 * Differs from PyTorch: no PackedSequence input; the state pair is an array.
 * @example
 * const lstm = new nn.LSTM(10, 20, 2, { batch_first: true });
 * const [out, [hn, cn]] = lstm(torch.randn(3, 5, 10)); // out [3, 5, 20], hn and cn [2, 3, 20]
 */
export class LSTM extends RNNBase {
  constructor(
    input_size: number | LSTMOptions, hidden_size?: number | LSTMOptions, num_layers?: number | LSTMOptions,
    bias?: boolean | LSTMOptions, batch_first?: boolean | LSTMOptions, dropout?: number | LSTMOptions,
    bidirectional?: boolean | LSTMOptions, proj_size?: number | LSTMOptions, opts?: LSTMOptions,
  ) {
    super('LSTM', input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size, opts);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const [out, hn, cn] = this._forward('LSTM', input, hx ? hx[0] : null, hx ? hx[1] : null, true);
    return [out, [hn, cn!]];
  }
}

/**
 * `nn.GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
 * bidirectional=False, device=None, dtype=None)`: gates r, z, n (in that order in the weights),
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 - z) ⊙ n + z ⊙ h.
 * `forward(input, h_0?)` returns `[output, h_n]`. Differs from PyTorch: no PackedSequence.
 * @example const gru = new nn.GRU(10, 20); const [out, hn] = gru(torch.randn(5, 3, 10)); // [5, 3, 20], [1, 3, 20]
 */
export class GRU extends RNNBase {
  constructor(
    input_size: number | GRUOptions, hidden_size?: number | GRUOptions, num_layers?: number | GRUOptions,
    bias?: boolean | GRUOptions, batch_first?: boolean | GRUOptions, dropout?: number | GRUOptions,
    bidirectional?: boolean | GRUOptions, opts?: GRUOptions,
  ) {
    const o = pyArgs<RNNBaseOptions>(BASE_ARGS.slice(0, 7), [input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, opts]);
    rejectProj(o);
    super('GRU', o);
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const [out, hn] = this._forward('GRU', input, hx ?? null, null, false);
    return [out, hn];
  }
}

/**
 * PyTorch's `nn.RNNCellBase(input_size, hidden_size, bias, num_chunks)`: the parameters
 * `weight_ih` (num_chunks·hidden, input), `weight_hh`, `bias_ih`, `bias_hh` (None without bias),
 * their U(±1/√hidden_size) initialisation and the repr shared by the cells.
 * @example new nn.LSTMCell(10, 20).weight_ih.shape // [80, 10]
 */
export class RNNCellBase extends Module {
  declare input_size: number;
  declare hidden_size: number;
  declare bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(input_size: number, hidden_size: number, bias: boolean, num_chunks: number, opts: FactoryOptions = {}) {
    super();
    this.input_size = input_size;
    this.hidden_size = hidden_size;
    this.bias = bias;
    const f = factory(opts);
    this.weight_ih = new Parameter(empty([num_chunks * hidden_size, input_size], f));
    this.weight_hh = new Parameter(empty([num_chunks * hidden_size, hidden_size], f));
    if (bias) {
      this.bias_ih = new Parameter(empty([num_chunks * hidden_size], f));
      this.bias_hh = new Parameter(empty([num_chunks * hidden_size], f));
    } else {
      this.register_parameter('bias_ih', null);
      this.register_parameter('bias_hh', null);
    }
    this.reset_parameters();
  }

  /**
   * Re-draws every parameter from U(-1/√hidden_size, 1/√hidden_size), in registration order as PyTorch.
   * @example cell.reset_parameters()
   */
  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1 / Math.sqrt(this.hidden_size) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /**
   * @internal One step of `mode` on a batched or 1-d input, with PyTorch's checks (the C++ ones
   * of `_VF.*_cell` included). `states` are [h] or [h, c]; returns the new ones.
   */
  protected _cell(name: string, mode: RNNMode, input: Tensor, states: Tensor[] | null): Tensor[] {
    if (input.dim() !== 1 && input.dim() !== 2) throw new ValueError(`${name}: Expected input to be 1D or 2D, got ${input.dim()}D instead`);
    if (states) {
      states.forEach((s, i) => {
        if (s.dim() !== 1 && s.dim() !== 2) {
          const what = mode === 'LSTM' ? `hx[${i}]` : 'hidden';
          throw new ValueError(`${name}: Expected ${what} to be 1D or 2D, got ${s.dim()}D instead`);
        }
      });
    }
    const batched = input.dim() === 2;
    const x = batched ? input : input.unsqueeze(0);
    const n = x._shape[0]!;
    const hs = states
      ? states.map((s) => (batched ? s : s.unsqueeze(0)))
      : (mode === 'LSTM' ? [0, 1] : [0]).map(() => zeros([n, this.hidden_size], { dtype: x.dtype, device: x.device }));
    if (x._shape[1] !== this.weight_ih._shape[1]) {
      throw new RuntimeError(`input has inconsistent input_size: got ${x._shape[1]} expected ${this.weight_ih._shape[1]}`);
    }
    for (const h of hs) {
      // PyTorch labels the cell state `hidden0` too
      if (h._shape[0] !== n) throw new RuntimeError(`Input batch size ${n} doesn't match hidden0 batch size ${h._shape[0]}`);
      if (h._shape[1] !== this.hidden_size) {
        throw new RuntimeError(`hidden0 has inconsistent hidden_size: got ${h._shape[1]}, expected ${this.hidden_size}`);
      }
    }
    const w: StepWeights = { w_ih: this.weight_ih, w_hh: this.weight_hh, b_ih: this.bias_ih, b_hh: this.bias_hh, w_hr: null };
    const [h1, c1] = step(mode, projectInput(mode, x, w), hs[0]!, hs[1] ?? null, this.weight_hh.t(), this.bias_hh, null);
    const out = c1 ? [h1, c1] : [h1];
    return batched ? out : out.map((t) => t.squeeze(0));
  }

  override extra_repr(): string {
    let s = `${this.input_size}, ${this.hidden_size}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }
}

type CellArgs<O> = [input_size: number | O, hidden_size?: number | O, bias?: boolean | O, opts?: O];

function cellOptions<O extends LSTMCellOptions>(cls: string, args: readonly unknown[], names: readonly string[]): [number, number, boolean, O] {
  const o = pyArgs<O>(names as (keyof O & string)[], args);
  const [i, h] = required(cls, o);
  return [i, h, o.bias ?? true, o as O];
}

/**
 * `nn.RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None)`:
 * one Elman step h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu); `forward(input, hx?)`
 * with input (N, H_in) or (H_in) returns h'.
 * @example const cell = new nn.RNNCell(10, 20); let h = torch.zeros(3, 20); h = cell(torch.randn(3, 10), h);
 */
export class RNNCell extends RNNCellBase {
  declare nonlinearity: string;
  constructor(
    input_size: number | RNNCellOptions, hidden_size?: number | RNNCellOptions, bias?: boolean | RNNCellOptions,
    nonlinearity?: 'tanh' | 'relu' | RNNCellOptions, opts?: RNNCellOptions,
  ) {
    const names = ['input_size', 'hidden_size', 'bias', 'nonlinearity'];
    const [i, h, b, o] = cellOptions<RNNCellOptions>('RNNCell', [input_size, hidden_size, bias, nonlinearity, opts], names);
    super(i, h, b, 1, o);
    this.nonlinearity = o.nonlinearity ?? 'tanh';
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu') {
      // PyTorch checks the shapes first; an unknown nonlinearity only fails at the step itself
      this._cell('RNNCell', 'RNN_TANH', input, hx ? [hx] : null);
      throw new RuntimeError(`Unknown nonlinearity: ${this.nonlinearity}`);
    }
    return this._cell('RNNCell', this.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', input, hx ? [hx] : null)[0]!;
  }
}

/**
 * `nn.LSTMCell(input_size, hidden_size, bias=True, device=None, dtype=None)`: one LSTM step;
 * `forward(input, [h, c]?)` returns `[h', c']`.
 * @example const cell = new nn.LSTMCell(10, 20); const [h, c] = cell(torch.randn(3, 10)); // both [3, 20]
 */
export class LSTMCell extends RNNCellBase {
  constructor(...args: CellArgs<LSTMCellOptions>) {
    const [i, h, b, o] = cellOptions<LSTMCellOptions>('LSTMCell', args, ['input_size', 'hidden_size', 'bias']);
    super(i, h, b, 4, o);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [h, c] = this._cell('LSTMCell', 'LSTM', input, hx ? [hx[0], hx[1]] : null);
    return [h!, c!];
  }
}

/**
 * `nn.GRUCell(input_size, hidden_size, bias=True, device=None, dtype=None)`: one GRU step;
 * `forward(input, hx?)` returns h'.
 * @example const cell = new nn.GRUCell(10, 20); const h = cell(torch.randn(3, 10)); // [3, 20]
 */
export class GRUCell extends RNNCellBase {
  constructor(...args: CellArgs<GRUCellOptions>) {
    const [i, h, b, o] = cellOptions<GRUCellOptions>('GRUCell', args, ['input_size', 'hidden_size', 'bias']);
    super(i, h, b, 3, o);
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this._cell('GRUCell', 'GRU', input, hx ? [hx] : null)[0]!;
  }
}
