;; Fused optimizer updates for the CPU backend: one pass over a float32 parameter, its gradient and
;; its state, with f32x4 SIMD (four elements per instruction) and a scalar tail.
;;
;; Assembled by build.mjs into optim.wasm, loaded by optim.ts on a shared memory of its own.
;; All pointers are byte addresses of float32 arrays of n elements (any alignment).
;;
;; The arithmetic is float32, one rounding per operation, in the order of PyTorch 1.13's
;; single-tensor update written op by op (`_single_tensor_adam`, `_single_tensor_sgd`), so results
;; are within float32 ulps of PyTorch's, which fuses some multiply-adds with FMA. One of those
;; matters: the weight-decayed gradient ∇ + wd·θ can cancel to far below its terms, so it is formed
;; in float64 and rounded once (see $dirL2); wd is passed as a float64 for the same reason. The SIMD
;; lanes and the scalar tail compute the same IEEE operations, so an element's result does not
;; depend on where it sits. optim.ts keeps optimizer state in the memory and stages the rest in chunks.
;;
;; The loops' vector constants (the splatted scalars, the guards' thresholds) live in 16-byte slots
;; of memory at $cst, each function listing them in a line `;; in memory at $cst: $A $B ...`, which
;; build.mjs turns into stores at the start and loads in the loops: V8 computes a splat again at
;; each use inside a loop, a broadcast on the shuffle port every time, where a load takes a load
;; port (an Adam step over the MNIST MLP's 55,050 parameters: 90 -> 80 µs).
;;
;; Denormals (0 < |x| < FLT_MIN = 2⁻¹²⁶) never enter a multiplication, division or square root:
;; x86 cores take a microcode assist of about a hundred cycles for each of those with a denormal
;; operand or result (wasm cannot set the flush-to-zero mode), which made a step 12x slower once
;; moments decayed into that range (bench/denormal.ts); additions and compares take none. So the
;; update computes as under PyTorch's `torch.set_flush_denormal(True)` (x86's flush-to-zero and
;; denormals-are-zero) wherever a product or quotient is involved:
;;  - before a multiplication by a constant c, lanes whose |a| is below T(c) are zeroed, T(c) being
;;    the least float32 ≥ FLT_MIN with |a·c| ≥ FLT_MIN after rounding (optim.ts computes it): the
;;    product is exactly the flushed one, and a denormal operand counts as 0; (1-β₂)·d·d has one
;;    guard, the least |d| whose d·d and product are both normal;
;;  - the gradient's sign (maximize) is flipped as a bit, not multiplied;
;;  - the moments and the momentum buffer are flushed before they are stored: their sums fall
;;    below FLT_MIN only by cancellation, and m / denom only while m is near FLT_MIN and denom > 1
;;    (a step or two of a decaying moment, which may pay the assist before the flush);
;;  - θ is updated by a plain addition: a parameter keeps a denormal value or sum as PyTorch's
;;    default mode does (only AdamW's decay, a product, flushes it).
;; The guards are compares (as int32 bits, or as floats for values ≥ 0), which take no assist on
;; any value; NaN and infinities pass every guard and propagate as before. Normal values get
;; exactly the results they had without the guards.

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; d = sign·g + wd·θ over four lanes with one rounding, as PyTorch's fused multiply-add
  ;; (`grad.add(param, alpha=wd)`): products of float32 values are exact in float64, so the sum is
  ;; formed there and rounded to float32 (a cancelling sum keeps its few significant bits), 0 where
  ;; it is below FLT_MIN (float64 holds such values as normals). g and θ come flushed.
  (func $dirL2 (param $g v128) (param $th v128) (param $sign v128) (param $wd v128) (result v128)
    (local $k v128)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero
        (v128.andnot
          (local.tee $k
            (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (local.get $g)) (local.get $sign))
              (f64x2.mul (f64x2.promote_low_f32x4 (local.get $th)) (local.get $wd))))
          (f64x2.lt (f64x2.abs (local.get $k)) (v128.const f64x2 0x1p-126 0x1p-126))))
      (f32x4.demote_f64x2_zero
        (v128.andnot
          (local.tee $k
            (f64x2.add
              (f64x2.mul
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g)))
                (local.get $sign))
              (f64x2.mul
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $th) (local.get $th)))
                (local.get $wd))))
          (f64x2.lt (f64x2.abs (local.get $k)) (v128.const f64x2 0x1p-126 0x1p-126))))))

  ;; the scalar $dirL2
  (func $dirL2s (param $g f32) (param $th f32) (param $sign f32) (param $wd f64) (result f32)
    (local $k f64)
    (local.set $k
      (f64.add (f64.mul (f64.promote_f32 (local.get $g)) (f64.promote_f32 (local.get $sign)))
        (f64.mul (f64.promote_f32 (local.get $th)) (local.get $wd))))
    (f32.demote_f64 (select (f64.const 0) (local.get $k) (f64.lt (f64.abs (local.get $k)) (f64.const 0x1p-126)))))

  ;; Guards, written out where they are used (V8 does not inline calls), with $k a scratch local:
  ;;   keep(a, T)   (v128.andnot (local.tee $k a) (i32x4.lt_s (v128.and (local.get $k) (local.get $ABS)) T))
  ;;                a with the lanes whose |a| (as int32 bits) is below the bits T zeroed
  ;;   keep0(a, T)  (v128.andnot (local.tee $k a) (f32x4.lt (local.get $k) T)), for a ≥ 0 or NaN
  ;; and their scalar forms with select.

  ;; Adam / AdamW over n elements:
  ;;   d  = sign·g (+ wd·θ when flags & 1: Adam's L2 term)
  ;;   m  = β₁·m + (1-β₁)·d
  ;;   v  = β₂·v + (1-β₂)·d·d
  ;;   v̂  = max(vmax, v), stored in vmax (flags & 4: amsgrad), else v
  ;;   θ  = decay·θ (flags & 2: AdamW's decoupled decay, decay = 1 - lr·wd)
  ;;        + negStep · m / (√v̂ / bc2Sqrt + ε)            (negStep = -lr / (1 - β₁ᵗ))
  ;; with the guards' thresholds (float32 bits) tDecay = T(decay), tB1 = T(β₁), tOmb1 = T(1-β₁),
  ;; tB2 = T(β₂), tSq = the least |d| with d·d and (1-β₂)·d·d normal, tNeg = T(negStep).
  (func (export "adam")
    (param $n i32) (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $vmax i32)
    (param $flags i32) (param $sign f32) (param $wd f64) (param $b1 f32) (param $omb1 f32)
    (param $b2 f32) (param $omb2 f32) (param $decay f32) (param $negStep f32) (param $bc2Sqrt f32) (param $eps f32)
    (param $tDecay i32) (param $tB1 i32) (param $tOmb1 i32) (param $tB2 i32) (param $tSq i32) (param $tNeg i32) (param $cst i32)
    ;; in memory at $cst: $SIGN2 $WD2 $B1 $OMB1 $B2 $OMB2 $DECAY $NEG $BC2 $EPS $TDECAY $TB1 $TOMB1 $TB2 $TSQ $TNEG $SIGNBIT $ABS $MIN $MINF
    (local $end i32) (local $l2 i32) (local $dec i32) (local $ams i32) (local $signBit i32)
    (local $SIGN2 v128) (local $WD2 v128) (local $B1 v128) (local $OMB1 v128) (local $B2 v128) (local $OMB2 v128)
    (local $DECAY v128) (local $NEG v128) (local $BC2 v128) (local $EPS v128)
    (local $TDECAY v128) (local $TB1 v128) (local $TOMB1 v128) (local $TB2 v128) (local $TSQ v128) (local $TNEG v128)
    (local $SIGNBIT v128) (local $ABS v128) (local $MIN v128) (local $MINF v128)
    (local $d v128) (local $ad v128) (local $dd v128) (local $mm v128) (local $vv v128) (local $x v128) (local $th v128) (local $k v128)
    (local $ds f32) (local $dds f32) (local $ms f32) (local $vs f32) (local $xs f32) (local $ts f32) (local $k1 f32)
    (local.set $l2 (i32.and (local.get $flags) (i32.const 1)))
    (local.set $dec (i32.and (local.get $flags) (i32.const 2)))
    (local.set $ams (i32.and (local.get $flags) (i32.const 4)))
    (local.set $signBit (i32.and (i32.reinterpret_f32 (local.get $sign)) (i32.const 0x80000000)))
    (local.set $SIGNBIT (i32x4.splat (local.get $signBit)))
    (local.set $SIGN2 (f64x2.splat (f64.promote_f32 (local.get $sign))))
    (local.set $WD2 (f64x2.splat (local.get $wd)))
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $OMB1 (f32x4.splat (local.get $omb1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $OMB2 (f32x4.splat (local.get $omb2)))
    (local.set $DECAY (f32x4.splat (local.get $decay)))
    (local.set $NEG (f32x4.splat (local.get $negStep)))
    (local.set $BC2 (f32x4.splat (local.get $bc2Sqrt)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $TDECAY (i32x4.splat (local.get $tDecay)))
    (local.set $TB1 (i32x4.splat (local.get $tB1)))
    (local.set $TOMB1 (i32x4.splat (local.get $tOmb1)))
    (local.set $TB2 (f32x4.splat (f32.reinterpret_i32 (local.get $tB2))))
    (local.set $TSQ (i32x4.splat (local.get $tSq)))
    (local.set $TNEG (i32x4.splat (local.get $tNeg)))
    (local.set $ABS (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $MIN (i32x4.splat (i32.const 0x00800000)))
    (local.set $MINF (f32x4.splat (f32.const 0x1p-126)))
    ;; byte address where the last whole vector of θ ends
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $th (v128.load (local.get $p)))
        (local.set $d
          (if (result v128) (local.get $l2)
            (then
              (call $dirL2
                (v128.andnot (local.tee $k (v128.load (local.get $g))) (i32x4.lt_s (v128.and (local.get $k) (local.get $ABS)) (local.get $MIN)))
                (v128.andnot (local.get $th) (i32x4.lt_s (v128.and (local.get $th) (local.get $ABS)) (local.get $MIN)))
                (local.get $SIGN2) (local.get $WD2)))
            ;; a denormal g stays as it is here: every use of d is guarded
            (else (v128.xor (v128.load (local.get $g)) (local.get $SIGNBIT)))))
        (local.set $ad (v128.and (local.get $d) (local.get $ABS)))
        (local.set $mm
          (f32x4.add
            (f32x4.mul
              (v128.andnot (local.tee $k (v128.load (local.get $m))) (i32x4.lt_s (v128.and (local.get $k) (local.get $ABS)) (local.get $TB1)))
              (local.get $B1))
            (f32x4.mul (v128.andnot (local.get $d) (i32x4.lt_s (local.get $ad) (local.get $TOMB1))) (local.get $OMB1))))
        (local.set $mm (v128.andnot (local.get $mm) (i32x4.lt_s (v128.and (local.get $mm) (local.get $ABS)) (local.get $MIN))))
        (v128.store (local.get $m) (local.get $mm))
        (local.set $dd (v128.andnot (local.get $d) (i32x4.lt_s (local.get $ad) (local.get $TSQ))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.andnot (local.tee $k (v128.load (local.get $v))) (f32x4.lt (local.get $k) (local.get $TB2))) (local.get $B2))
            (f32x4.mul (f32x4.mul (local.get $dd) (local.get $dd)) (local.get $OMB2))))
        (v128.store (local.get $v) (local.get $vv))
        (if (local.get $ams)
          (then
            (local.set $vv
              (f32x4.max
                (v128.andnot (local.tee $k (v128.load (local.get $vmax))) (f32x4.lt (local.get $k) (local.get $MINF)))
                (local.get $vv)))
            (v128.store (local.get $vmax) (local.get $vv))
            (local.set $vmax (i32.add (local.get $vmax) (i32.const 16)))))
        (local.set $x
          (f32x4.div (local.get $mm)
            (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vv)) (local.get $BC2)) (local.get $EPS))))
        (local.set $x (v128.andnot (local.get $x) (i32x4.lt_s (v128.and (local.get $x) (local.get $ABS)) (local.get $TNEG))))
        (if (local.get $dec)
          (then
            (local.set $th
              (f32x4.mul
                (v128.andnot (local.get $th) (i32x4.lt_s (v128.and (local.get $th) (local.get $ABS)) (local.get $TDECAY)))
                (local.get $DECAY)))))
        (v128.store (local.get $p) (f32x4.add (local.get $th) (f32x4.mul (local.get $NEG) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $vloop)))
    ;; the last n % 4 elements, the same operations on scalars
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $ts (f32.load (local.get $p)))
        (local.set $ds
          (if (result f32) (local.get $l2)
            (then
              (call $dirL2s
                (select (f32.const 0) (local.tee $k1 (f32.load (local.get $g)))
                  (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $k1)) (i32.const 0x7fffffff)) (i32.const 0x00800000)))
                (select (f32.const 0) (local.get $ts)
                  (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ts)) (i32.const 0x7fffffff)) (i32.const 0x00800000)))
                (local.get $sign) (local.get $wd)))
            (else (f32.reinterpret_i32 (i32.xor (i32.load (local.get $g)) (local.get $signBit))))))
        (local.set $ms
          (f32.add
            (f32.mul
              (select (f32.const 0) (local.tee $k1 (f32.load (local.get $m)))
                (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $k1)) (i32.const 0x7fffffff)) (local.get $tB1)))
              (local.get $b1))
            (f32.mul
              (select (f32.const 0) (local.get $ds)
                (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ds)) (i32.const 0x7fffffff)) (local.get $tOmb1)))
              (local.get $omb1))))
        (local.set $ms
          (select (f32.const 0) (local.get $ms)
            (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ms)) (i32.const 0x7fffffff)) (i32.const 0x00800000))))
        (f32.store (local.get $m) (local.get $ms))
        (local.set $dds
          (select (f32.const 0) (local.get $ds)
            (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ds)) (i32.const 0x7fffffff)) (local.get $tSq))))
        (local.set $vs
          (f32.add
            (f32.mul
              (select (f32.const 0) (local.tee $k1 (f32.load (local.get $v)))
                (f32.lt (local.get $k1) (f32.reinterpret_i32 (local.get $tB2))))
              (local.get $b2))
            (f32.mul (f32.mul (local.get $dds) (local.get $dds)) (local.get $omb2))))
        (f32.store (local.get $v) (local.get $vs))
        (if (local.get $ams)
          (then
            ;; f32x4.max's rule: NaN if either is NaN
            (local.set $vs
              (f32.max
                (select (f32.const 0) (local.tee $k1 (f32.load (local.get $vmax))) (f32.lt (local.get $k1) (f32.const 0x1p-126)))
                (local.get $vs)))
            (f32.store (local.get $vmax) (local.get $vs))
            (local.set $vmax (i32.add (local.get $vmax) (i32.const 4)))))
        (local.set $xs
          (f32.div (local.get $ms)
            (f32.add (f32.div (f32.sqrt (local.get $vs)) (local.get $bc2Sqrt)) (local.get $eps))))
        (local.set $xs
          (select (f32.const 0) (local.get $xs)
            (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $xs)) (i32.const 0x7fffffff)) (local.get $tNeg))))
        (if (local.get $dec)
          (then
            (local.set $ts
              (f32.mul
                (select (f32.const 0) (local.get $ts)
                  (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ts)) (i32.const 0x7fffffff)) (local.get $tDecay)))
                (local.get $decay)))))
        (f32.store (local.get $p) (f32.add (local.get $ts) (f32.mul (local.get $negStep) (local.get $xs))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (br $sloop))))

  ;; SGD over n elements:
  ;;   d = sign·g (+ wd·θ when flags & 1)
  ;;   with momentum (flags & 2): b = d at the first step (flags & 4), else μ·b + (1-τ)·d;
  ;;                              d = d + μ·b (Nesterov, flags & 8), else b
  ;;   θ = θ + negLr·d
  ;; with the guards' thresholds (float32 bits) tMu = T(μ), tDamp = T(1-τ), tNeg = T(negLr).
  (func (export "sgd")
    (param $n i32) (param $p i32) (param $g i32) (param $b i32)
    (param $flags i32) (param $sign f32) (param $wd f64) (param $mu f32) (param $damp f32) (param $negLr f32)
    (param $tMu i32) (param $tDamp i32) (param $tNeg i32) (param $cst i32)
    ;; in memory at $cst: $SIGN2 $WD2 $MU $DAMP $NEG $TMU $TDAMP $TNEG $SIGNBIT $ABS $MIN
    (local $end i32) (local $l2 i32) (local $mom i32) (local $first i32) (local $nest i32) (local $signBit i32)
    (local $SIGN2 v128) (local $WD2 v128) (local $MU v128) (local $DAMP v128) (local $NEG v128)
    (local $TMU v128) (local $TDAMP v128) (local $TNEG v128) (local $SIGNBIT v128) (local $ABS v128) (local $MIN v128)
    (local $d v128) (local $bb v128) (local $th v128) (local $k v128)
    (local $ds f32) (local $bs f32) (local $ts f32) (local $k1 f32)
    (local.set $l2 (i32.and (local.get $flags) (i32.const 1)))
    (local.set $mom (i32.and (local.get $flags) (i32.const 2)))
    (local.set $first (i32.and (local.get $flags) (i32.const 4)))
    (local.set $nest (i32.and (local.get $flags) (i32.const 8)))
    (local.set $signBit (i32.and (i32.reinterpret_f32 (local.get $sign)) (i32.const 0x80000000)))
    (local.set $SIGNBIT (i32x4.splat (local.get $signBit)))
    (local.set $SIGN2 (f64x2.splat (f64.promote_f32 (local.get $sign))))
    (local.set $WD2 (f64x2.splat (local.get $wd)))
    (local.set $MU (f32x4.splat (local.get $mu)))
    (local.set $DAMP (f32x4.splat (local.get $damp)))
    (local.set $NEG (f32x4.splat (local.get $negLr)))
    (local.set $TMU (i32x4.splat (local.get $tMu)))
    (local.set $TDAMP (i32x4.splat (local.get $tDamp)))
    (local.set $TNEG (i32x4.splat (local.get $tNeg)))
    (local.set $ABS (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $MIN (i32x4.splat (i32.const 0x00800000)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $th (v128.load (local.get $p)))
        (local.set $d
          (if (result v128) (local.get $l2)
            (then
              (call $dirL2
                (v128.andnot (local.tee $k (v128.load (local.get $g))) (i32x4.lt_s (v128.and (local.get $k) (local.get $ABS)) (local.get $MIN)))
                (v128.andnot (local.get $th) (i32x4.lt_s (v128.and (local.get $th) (local.get $ABS)) (local.get $MIN)))
                (local.get $SIGN2) (local.get $WD2)))
            (else (v128.xor (v128.load (local.get $g)) (local.get $SIGNBIT)))))
        (if (local.get $mom)
          (then
            (if (local.get $first)
              ;; b = d: flushed, so that a denormal gradient is not stored
              (then (local.set $bb (v128.andnot (local.get $d) (i32x4.lt_s (v128.and (local.get $d) (local.get $ABS)) (local.get $MIN)))))
              (else
                (local.set $bb
                  (f32x4.add
                    (f32x4.mul
                      (v128.andnot (local.tee $k (v128.load (local.get $b))) (i32x4.lt_s (v128.and (local.get $k) (local.get $ABS)) (local.get $TMU)))
                      (local.get $MU))
                    (f32x4.mul
                      (v128.andnot (local.get $d) (i32x4.lt_s (v128.and (local.get $d) (local.get $ABS)) (local.get $TDAMP)))
                      (local.get $DAMP))))
                (local.set $bb (v128.andnot (local.get $bb) (i32x4.lt_s (v128.and (local.get $bb) (local.get $ABS)) (local.get $MIN))))))
            (v128.store (local.get $b) (local.get $bb))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            ;; a Nesterov sum below FLT_MIN is zeroed by the guard of the product below (T ≥ FLT_MIN)
            (local.set $d
              (if (result v128) (local.get $nest)
                (then
                  (f32x4.add (local.get $d)
                    (f32x4.mul
                      (v128.andnot (local.get $bb) (i32x4.lt_s (v128.and (local.get $bb) (local.get $ABS)) (local.get $TMU)))
                      (local.get $MU))))
                (else (local.get $bb))))))
        (v128.store (local.get $p)
          (f32x4.add (local.get $th)
            (f32x4.mul
              (v128.andnot (local.get $d) (i32x4.lt_s (v128.and (local.get $d) (local.get $ABS)) (local.get $TNEG)))
              (local.get $NEG))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $vloop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $ts (f32.load (local.get $p)))
        (local.set $ds
          (if (result f32) (local.get $l2)
            (then
              (call $dirL2s
                (select (f32.const 0) (local.tee $k1 (f32.load (local.get $g)))
                  (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $k1)) (i32.const 0x7fffffff)) (i32.const 0x00800000)))
                (select (f32.const 0) (local.get $ts)
                  (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ts)) (i32.const 0x7fffffff)) (i32.const 0x00800000)))
                (local.get $sign) (local.get $wd)))
            (else (f32.reinterpret_i32 (i32.xor (i32.load (local.get $g)) (local.get $signBit))))))
        (if (local.get $mom)
          (then
            (if (local.get $first)
              (then
                (local.set $bs
                  (select (f32.const 0) (local.get $ds)
                    (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ds)) (i32.const 0x7fffffff)) (i32.const 0x00800000)))))
              (else
                (local.set $bs
                  (f32.add
                    (f32.mul
                      (select (f32.const 0) (local.tee $k1 (f32.load (local.get $b)))
                        (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $k1)) (i32.const 0x7fffffff)) (local.get $tMu)))
                      (local.get $mu))
                    (f32.mul
                      (select (f32.const 0) (local.get $ds)
                        (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ds)) (i32.const 0x7fffffff)) (local.get $tDamp)))
                      (local.get $damp))))
                (local.set $bs
                  (select (f32.const 0) (local.get $bs)
                    (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $bs)) (i32.const 0x7fffffff)) (i32.const 0x00800000))))))
            (f32.store (local.get $b) (local.get $bs))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (local.set $ds
              (if (result f32) (local.get $nest)
                (then
                  (f32.add (local.get $ds)
                    (f32.mul
                      (select (f32.const 0) (local.get $bs)
                        (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $bs)) (i32.const 0x7fffffff)) (local.get $tMu)))
                      (local.get $mu))))
                (else (local.get $bs))))))
        (f32.store (local.get $p)
          (f32.add (local.get $ts)
            (f32.mul
              (select (f32.const 0) (local.get $ds)
                (i32.lt_s (i32.and (i32.reinterpret_f32 (local.get $ds)) (i32.const 0x7fffffff)) (local.get $tNeg)))
              (local.get $negLr))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $sloop))))
)
