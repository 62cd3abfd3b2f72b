;; Max pooling over 2 x 2 windows with stride 2 (no padding, no dilation: LeNet's and most CNNs'
;; pooling) and its gradient, for the CPU backend: conv.ts runs these in place of conv.wat's general
;; maxPool, whose per-tap loops and branches took about 5 ns per output on LeNet's first pooling,
;; and of the JavaScript zero fill and scatter of the gradient (about 2.5 ns per output).
;;
;; Assembled by build.mjs into maxpool.wasm, instantiated on the GEMM's shared memory. The rules
;; are PyTorch's CPU kernel's, as in conv.wat's maxPool: taps in row-major order, the first
;; maximum wins, a NaN wins (the last one seen); indices are float64, flat over each H x W plane.

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; The input at $src (contiguous, $planes planes of $H x $W floats) into values at $val
  ;; ($planes x $oH x $oW) and, when $withIdx, indices at $idx; oH <= H / 2, oW <= W / 2 and
  ;; oW >= 4. Four outputs a turn: the 8 input columns of a row pair split into even and odd
  ;; lanes; a row's last turn starts at oW - 4, recomputing up to three outputs, so no output
  ;; runs on scalars and no load passes column 2·oW - 1.
  (func (export "maxPool2x2") (param $src i32) (param $val i32) (param $idx i32) (param $withIdx i32)
    (param $planes i32) (param $H i32) (param $W i32) (param $oH i32) (param $oW i32)
    (local $oy i32) (local $ox i32) (local $a i32) (local $b i32) (local $pos i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local $best v128) (local $bi v128) (local $p0 v128) (local $t v128) (local $m v128)
    (local $LANES v128) (local $RIGHT v128) (local $DOWN v128) (local $DIAG v128)
    ;; lane t of four outputs starts 2t columns after lane 0; the other taps 1, W and W + 1 after it
    (local.set $LANES (v128.const i32x4 0 2 4 6))
    (local.set $RIGHT (i32x4.splat (i32.const 1)))
    (local.set $DOWN (i32x4.splat (local.get $W)))
    (local.set $DIAG (i32x4.splat (i32.add (local.get $W) (i32.const 1))))
    (block $planesDone (loop $planeLoop
      (br_if $planesDone (i32.eqz (local.get $planes)))
      (local.set $oy (i32.const 0))
      (block $rowsDone (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $oH)))
        (local.set $ox (i32.const 0))
        (block $colsDone (loop $colLoop
          ;; flat index of the top-left tap of output ox
          (local.set $pos (i32.add (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $W)) (i32.shl (local.get $ox) (i32.const 1))))
          (local.set $a (i32.add (local.get $src) (i32.shl (local.get $pos) (i32.const 2))))
          (local.set $b (i32.add (local.get $a) (i32.shl (local.get $W) (i32.const 2))))
          (local.set $a0 (v128.load (local.get $a)))
          (local.set $a1 (v128.load offset=16 (local.get $a)))
          (local.set $b0 (v128.load (local.get $b)))
          (local.set $b1 (v128.load offset=16 (local.get $b)))
          (local.set $p0 (i32x4.add (i32x4.splat (local.get $pos)) (local.get $LANES)))
          (local.set $bi (local.get $p0))
          ;; tap (0, 0): the even lanes of the upper row
          (local.set $best (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a1)))
          (if (local.get $withIdx)
            (then
              ;; tap (0, 1)
              (local.set $t (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a1)))
              (local.set $m (v128.or (f32x4.gt (local.get $t) (local.get $best)) (f32x4.ne (local.get $t) (local.get $t))))
              (local.set $best (v128.bitselect (local.get $t) (local.get $best) (local.get $m)))
              (local.set $bi (v128.bitselect (i32x4.add (local.get $p0) (local.get $RIGHT)) (local.get $bi) (local.get $m)))
              ;; tap (1, 0)
              (local.set $t (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $b0) (local.get $b1)))
              (local.set $m (v128.or (f32x4.gt (local.get $t) (local.get $best)) (f32x4.ne (local.get $t) (local.get $t))))
              (local.set $best (v128.bitselect (local.get $t) (local.get $best) (local.get $m)))
              (local.set $bi (v128.bitselect (i32x4.add (local.get $p0) (local.get $DOWN)) (local.get $bi) (local.get $m)))
              ;; tap (1, 1)
              (local.set $t (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $b0) (local.get $b1)))
              (local.set $m (v128.or (f32x4.gt (local.get $t) (local.get $best)) (f32x4.ne (local.get $t) (local.get $t))))
              (local.set $best (v128.bitselect (local.get $t) (local.get $best) (local.get $m)))
              (local.set $bi (v128.bitselect (i32x4.add (local.get $p0) (local.get $DIAG)) (local.get $bi) (local.get $m)))
              (v128.store (i32.add (local.get $idx) (i32.shl (local.get $ox) (i32.const 3))) (f64x2.convert_low_i32x4_s (local.get $bi)))
              (v128.store offset=16 (i32.add (local.get $idx) (i32.shl (local.get $ox) (i32.const 3)))
                (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $bi) (local.get $bi)))))
            (else
              ;; the same choices without the indices
              (local.set $t (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a1)))
              (local.set $best (v128.bitselect (local.get $t) (local.get $best)
                (v128.or (f32x4.gt (local.get $t) (local.get $best)) (f32x4.ne (local.get $t) (local.get $t)))))
              (local.set $t (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $b0) (local.get $b1)))
              (local.set $best (v128.bitselect (local.get $t) (local.get $best)
                (v128.or (f32x4.gt (local.get $t) (local.get $best)) (f32x4.ne (local.get $t) (local.get $t)))))
              (local.set $t (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $b0) (local.get $b1)))
              (local.set $best (v128.bitselect (local.get $t) (local.get $best)
                (v128.or (f32x4.gt (local.get $t) (local.get $best)) (f32x4.ne (local.get $t) (local.get $t)))))))
          (v128.store (i32.add (local.get $val) (i32.shl (local.get $ox) (i32.const 2))) (local.get $best))
          (br_if $colsDone (i32.eq (i32.add (local.get $ox) (i32.const 4)) (local.get $oW)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
          ;; the row's last four outputs
          (if (i32.gt_u (i32.add (local.get $ox) (i32.const 4)) (local.get $oW))
            (then (local.set $ox (i32.sub (local.get $oW) (i32.const 4)))))
          (br $colLoop)))
        (local.set $val (i32.add (local.get $val) (i32.shl (local.get $oW) (i32.const 2))))
        (local.set $idx (i32.add (local.get $idx) (i32.shl (local.get $oW) (i32.const 3))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rowLoop)))
      (local.set $src (i32.add (local.get $src) (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2))))
      (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
      (br $planeLoop))))
;; max_pool2d's gradient for the same windows: g ($planes x $oH x $oW floats at $g) goes to
  ;; the tap its index (float64 at $idx, flat over the plane) names, every other element of the
  ;; $planes x $H x $W output at $out is +0, the last row and column of an odd side included.
  ;; Each element is written once, as 0 + g: PyTorch adds the gradient onto zeros, which turns
  ;; -0 into +0. Four outputs a turn as in maxPool2x2; taps where the masks meet a lane's index
  ;; get the lane's gradient, the 8 columns of each row of the pair interleaved from two vectors.
  (func (export "maxPool2x2Backward") (param $g i32) (param $idx i32) (param $out i32)
    (param $planes i32) (param $H i32) (param $W i32) (param $oH i32) (param $oW i32)
    (local $oy i32) (local $ox i32) (local $pos i32) (local $a i32) (local $b i32) (local $x i32) (local $rowBytes i32)
    (local $v v128) (local $k v128) (local $e v128) (local $o v128) (local $ZERO v128)
    (local $LANES v128) (local $ONE v128) (local $DOWN v128) (local $DIAG v128)
    (local.set $LANES (v128.const i32x4 0 2 4 6))
    (local.set $ONE (i32x4.splat (i32.const 1)))
    (local.set $DOWN (i32x4.splat (local.get $W)))
    (local.set $DIAG (i32x4.splat (i32.add (local.get $W) (i32.const 1))))
    (local.set $rowBytes (i32.shl (local.get $W) (i32.const 2)))
    (block $planesDone (loop $planeLoop
      (br_if $planesDone (i32.eqz (local.get $planes)))
      (local.set $oy (i32.const 0))
      (block $rowsDone (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $oH)))
        (local.set $ox (i32.const 0))
        (block $colsDone (loop $colLoop
          (local.set $pos (i32.add (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $W)) (i32.shl (local.get $ox) (i32.const 1))))
          (local.set $v (f32x4.add (v128.load (i32.add (local.get $g) (i32.shl (local.get $ox) (i32.const 2)))) (local.get $ZERO)))
          ;; each lane's index relative to its window's top-left tap
          (local.set $k
            (i32x4.sub
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (i32x4.trunc_sat_f64x2_s_zero (v128.load (i32.add (local.get $idx) (i32.shl (local.get $ox) (i32.const 3)))))
                (i32x4.trunc_sat_f64x2_s_zero (v128.load offset=16 (i32.add (local.get $idx) (i32.shl (local.get $ox) (i32.const 3))))))
              (i32x4.add (i32x4.splat (local.get $pos)) (local.get $LANES))))
          (local.set $a (i32.add (local.get $out) (i32.shl (local.get $pos) (i32.const 2))))
          (local.set $b (i32.add (local.get $a) (local.get $rowBytes)))
          ;; the upper row: taps (0, 0) and (0, 1) of each lane, interleaved
          (local.set $e (v128.and (local.get $v) (i32x4.eq (local.get $k) (local.get $ZERO))))
          (local.set $o (v128.and (local.get $v) (i32x4.eq (local.get $k) (local.get $ONE))))
          (v128.store (local.get $a) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $e) (local.get $o)))
          (v128.store offset=16 (local.get $a) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $e) (local.get $o)))
          ;; the lower row: taps (1, 0) and (1, 1)
          (local.set $e (v128.and (local.get $v) (i32x4.eq (local.get $k) (local.get $DOWN))))
          (local.set $o (v128.and (local.get $v) (i32x4.eq (local.get $k) (local.get $DIAG))))
          (v128.store (local.get $b) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $e) (local.get $o)))
          (v128.store offset=16 (local.get $b) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $e) (local.get $o)))
          (br_if $colsDone (i32.eq (i32.add (local.get $ox) (i32.const 4)) (local.get $oW)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
          (if (i32.gt_u (i32.add (local.get $ox) (i32.const 4)) (local.get $oW))
            (then (local.set $ox (i32.sub (local.get $oW) (i32.const 4)))))
          (br $colLoop)))
        ;; columns no window covers (W > 2·oW) in the two rows
        (local.set $x (i32.shl (local.get $oW) (i32.const 1)))
        (local.set $a (i32.add (local.get $out) (i32.shl (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $W)) (i32.const 2))))
        (memory.fill (i32.add (local.get $a) (i32.shl (local.get $x) (i32.const 2))) (i32.const 0) (i32.shl (i32.sub (local.get $W) (local.get $x)) (i32.const 2)))
        (memory.fill (i32.add (i32.add (local.get $a) (local.get $rowBytes)) (i32.shl (local.get $x) (i32.const 2))) (i32.const 0)
          (i32.shl (i32.sub (local.get $W) (local.get $x)) (i32.const 2)))
        (local.set $g (i32.add (local.get $g) (i32.shl (local.get $oW) (i32.const 2))))
        (local.set $idx (i32.add (local.get $idx) (i32.shl (local.get $oW) (i32.const 3))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rowLoop)))
      ;; rows no window covers (H > 2·oH)
      (memory.fill
        (i32.add (local.get $out) (i32.mul (i32.shl (local.get $oH) (i32.const 1)) (local.get $rowBytes)))
        (i32.const 0)
        (i32.mul (i32.sub (local.get $H) (i32.shl (local.get $oH) (i32.const 1))) (local.get $rowBytes)))
      (local.set $out (i32.add (local.get $out) (i32.mul (local.get $H) (local.get $rowBytes))))
      (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
      (br $planeLoop))))
)
