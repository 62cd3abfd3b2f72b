;; Fused optimizer updates for the CPU backend: one pass over a float32 parameter, its gradient and
;; its state, with f32x4 SIMD (four elements per instruction) and a scalar tail.
;;
;; Assembled by build.mjs into optim.wasm, loaded by optim.ts on the GEMM engine's shared memory.
;; All pointers are byte addresses of float32 arrays of n elements (any alignment).
;;
;; The arithmetic is float32, one rounding per operation, in the order of PyTorch 1.13's
;; single-tensor update written op by op (`_single_tensor_adam`, `_single_tensor_sgd`), so results
;; are within float32 ulps of PyTorch's, which fuses some multiply-adds with FMA. One of those
;; matters: the weight-decayed gradient ∇ + wd·θ can cancel to far below its terms, so it is formed
;; in float64 and rounded once (see $dirL2); wd is passed as a float64 for the same reason. The SIMD
;; lanes and the scalar tail compute the same IEEE operations, so an element's result does not
;; depend on where it sits. gemm.ts's engine owns the memory; optim.ts stages operands in chunks.

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; d = sign·g + wd·θ over four lanes with one rounding, as PyTorch's fused multiply-add
  ;; (`grad.add(param, alpha=wd)`): products of float32 values are exact in float64, so the sum is
  ;; formed there and rounded to float32 (a cancelling sum keeps its few significant bits).
  (func $dirL2 (param $g v128) (param $th v128) (param $sign v128) (param $wd v128) (result v128)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero
        (f64x2.add
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $g)) (local.get $sign))
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $th)) (local.get $wd))))
      (f32x4.demote_f64x2_zero
        (f64x2.add
          (f64x2.mul
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g)))
            (local.get $sign))
          (f64x2.mul
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $th) (local.get $th)))
            (local.get $wd))))))

  ;; Adam / AdamW over n elements:
  ;;   d  = sign·g (+ wd·θ when flags & 1: Adam's L2 term)
  ;;   m  = β₁·m + (1-β₁)·d
  ;;   v  = β₂·v + (1-β₂)·d·d
  ;;   v̂  = max(vmax, v), stored in vmax (flags & 4: amsgrad), else v
  ;;   θ  = decay·θ (flags & 2: AdamW's decoupled decay, decay = 1 - lr·wd)
  ;;        + negStep · m / (√v̂ / bc2Sqrt + ε)            (negStep = -lr / (1 - β₁ᵗ))
  (func (export "adam")
    (param $n i32) (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $vmax i32)
    (param $flags i32) (param $sign f32) (param $wd f64) (param $b1 f32) (param $omb1 f32)
    (param $b2 f32) (param $omb2 f32) (param $decay f32) (param $negStep f32) (param $bc2Sqrt f32) (param $eps f32)
    (local $end i32) (local $l2 i32) (local $dec i32) (local $ams i32)
    (local $SIGN v128) (local $SIGN2 v128) (local $WD2 v128) (local $B1 v128) (local $OMB1 v128) (local $B2 v128) (local $OMB2 v128)
    (local $DECAY v128) (local $NEG v128) (local $BC2 v128) (local $EPS v128)
    (local $d v128) (local $mm v128) (local $vv v128) (local $x v128) (local $th v128)
    (local $ds f32) (local $ms f32) (local $vs f32) (local $xs f32) (local $ts f32)
    (local.set $l2 (i32.and (local.get $flags) (i32.const 1)))
    (local.set $dec (i32.and (local.get $flags) (i32.const 2)))
    (local.set $ams (i32.and (local.get $flags) (i32.const 4)))
    (local.set $SIGN (f32x4.splat (local.get $sign)))
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
    ;; byte address where the last whole vector of θ ends
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $th (v128.load (local.get $p)))
        (local.set $d
          (if (result v128) (local.get $l2)
            (then (call $dirL2 (v128.load (local.get $g)) (local.get $th) (local.get $SIGN2) (local.get $WD2)))
            (else (f32x4.mul (v128.load (local.get $g)) (local.get $SIGN)))))
        (local.set $mm
          (f32x4.add (f32x4.mul (v128.load (local.get $m)) (local.get $B1)) (f32x4.mul (local.get $d) (local.get $OMB1))))
        (v128.store (local.get $m) (local.get $mm))
        (local.set $vv
          (f32x4.add (f32x4.mul (v128.load (local.get $v)) (local.get $B2))
            (f32x4.mul (f32x4.mul (local.get $d) (local.get $d)) (local.get $OMB2))))
        (v128.store (local.get $v) (local.get $vv))
        (if (local.get $ams)
          (then
            (local.set $vv (f32x4.max (v128.load (local.get $vmax)) (local.get $vv)))
            (v128.store (local.get $vmax) (local.get $vv))
            (local.set $vmax (i32.add (local.get $vmax) (i32.const 16)))))
        (local.set $x
          (f32x4.div (local.get $mm)
            (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vv)) (local.get $BC2)) (local.get $EPS))))
        (if (local.get $dec)
          (then (local.set $th (f32x4.mul (local.get $th) (local.get $DECAY)))))
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
              (f32.demote_f64
                (f64.add (f64.mul (f64.promote_f32 (f32.load (local.get $g))) (f64.promote_f32 (local.get $sign)))
                  (f64.mul (f64.promote_f32 (local.get $ts)) (local.get $wd)))))
            (else (f32.mul (f32.load (local.get $g)) (local.get $sign)))))
        (local.set $ms
          (f32.add (f32.mul (f32.load (local.get $m)) (local.get $b1)) (f32.mul (local.get $ds) (local.get $omb1))))
        (f32.store (local.get $m) (local.get $ms))
        (local.set $vs
          (f32.add (f32.mul (f32.load (local.get $v)) (local.get $b2))
            (f32.mul (f32.mul (local.get $ds) (local.get $ds)) (local.get $omb2))))
        (f32.store (local.get $v) (local.get $vs))
        (if (local.get $ams)
          (then
            ;; f32x4.max's rule: NaN if either is NaN
            (local.set $vs (f32.max (f32.load (local.get $vmax)) (local.get $vs)))
            (f32.store (local.get $vmax) (local.get $vs))
            (local.set $vmax (i32.add (local.get $vmax) (i32.const 4)))))
        (local.set $xs
          (f32.div (local.get $ms)
            (f32.add (f32.div (f32.sqrt (local.get $vs)) (local.get $bc2Sqrt)) (local.get $eps))))
        (if (local.get $dec)
          (then (local.set $ts (f32.mul (local.get $ts) (local.get $decay)))))
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
  (func (export "sgd")
    (param $n i32) (param $p i32) (param $g i32) (param $b i32)
    (param $flags i32) (param $sign f32) (param $wd f64) (param $mu f32) (param $damp f32) (param $negLr f32)
    (local $end i32) (local $l2 i32) (local $mom i32) (local $first i32) (local $nest i32)
    (local $SIGN v128) (local $SIGN2 v128) (local $WD2 v128) (local $MU v128) (local $DAMP v128) (local $NEG v128)
    (local $d v128) (local $bb v128) (local $th v128)
    (local $ds f32) (local $bs f32) (local $ts f32)
    (local.set $l2 (i32.and (local.get $flags) (i32.const 1)))
    (local.set $mom (i32.and (local.get $flags) (i32.const 2)))
    (local.set $first (i32.and (local.get $flags) (i32.const 4)))
    (local.set $nest (i32.and (local.get $flags) (i32.const 8)))
    (local.set $SIGN (f32x4.splat (local.get $sign)))
    (local.set $SIGN2 (f64x2.splat (f64.promote_f32 (local.get $sign))))
    (local.set $WD2 (f64x2.splat (local.get $wd)))
    (local.set $MU (f32x4.splat (local.get $mu)))
    (local.set $DAMP (f32x4.splat (local.get $damp)))
    (local.set $NEG (f32x4.splat (local.get $negLr)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $th (v128.load (local.get $p)))
        (local.set $d
          (if (result v128) (local.get $l2)
            (then (call $dirL2 (v128.load (local.get $g)) (local.get $th) (local.get $SIGN2) (local.get $WD2)))
            (else (f32x4.mul (v128.load (local.get $g)) (local.get $SIGN)))))
        (if (local.get $mom)
          (then
            (if (local.get $first)
              (then (local.set $bb (local.get $d)))
              (else
                (local.set $bb
                  (f32x4.add (f32x4.mul (v128.load (local.get $b)) (local.get $MU)) (f32x4.mul (local.get $d) (local.get $DAMP))))))
            (v128.store (local.get $b) (local.get $bb))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (local.set $d
              (if (result v128) (local.get $nest)
                (then (f32x4.add (local.get $d) (f32x4.mul (local.get $bb) (local.get $MU))))
                (else (local.get $bb))))))
        (v128.store (local.get $p) (f32x4.add (local.get $th) (f32x4.mul (local.get $d) (local.get $NEG))))
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
              (f32.demote_f64
                (f64.add (f64.mul (f64.promote_f32 (f32.load (local.get $g))) (f64.promote_f32 (local.get $sign)))
                  (f64.mul (f64.promote_f32 (local.get $ts)) (local.get $wd)))))
            (else (f32.mul (f32.load (local.get $g)) (local.get $sign)))))
        (if (local.get $mom)
          (then
            (if (local.get $first)
              (then (local.set $bs (local.get $ds)))
              (else
                (local.set $bs
                  (f32.add (f32.mul (f32.load (local.get $b)) (local.get $mu)) (f32.mul (local.get $ds) (local.get $damp))))))
            (f32.store (local.get $b) (local.get $bs))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (local.set $ds
              (if (result f32) (local.get $nest)
                (then (f32.add (local.get $ds) (f32.mul (local.get $bs) (local.get $mu))))
                (else (local.get $bs))))))
        (f32.store (local.get $p) (f32.add (local.get $ts) (f32.mul (local.get $ds) (local.get $negLr))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $sloop))))
)
