;; Kernels of float32 convolutions, max pooling and batch norm for the CPU backend, with f32x4 SIMD.
;;
;; Assembled by lib/backends/cpu/wasm/build.mjs (npm `wabt`) into conv.wasm and conv_fma.wasm,
;; loaded by conv.ts, which instantiates one of them on gemm.ts's shared memory (beside gemm.wasm,
;; and in the worker pool's threads): a convolution copies its operands in once, runs here, and
;; copies results out. Convolutions of stride 1 along the width run the direct kernels at the end
;; (no column matrix); others im2col, gemm.wat's GEMM per image and col2im.
;;
;; All pointers are byte addresses of float32 data. The window geometry is 14 i32 at $p:
;;   N C H W kH kW sH sW pH pW dH dW oH oW
;; (input N x C x H x W, kernel kH x kW, stride, padding before, dilation, oH x oW windows),
;; followed at $p + 64 by kW pairs (lo, hi): for kernel column j, the output columns ox in
;; [lo, hi) are those whose input column ox*sW - pW + j*dW lies in [0, W) (computed by conv.ts).
;; Columns are laid out [N, C*kH*kW, oH*oW], rows ordered (c, i, j).
;; There is no fused multiply-add in baseline SIMD: in conv.wasm products are rounded before they
;; are added. conv_fma.wasm is the same source with every
;; `(f32x4.add (local.get $c) (f32x4.mul (local.get $x) (local.get $y)))` turned into relaxed SIMD's
;; `f32x4.relaxed_madd` (build.mjs; see gemm.wat), which rounds once where the CPU has FMA: keep the
;; products of gemmNT and the direct kernels in that form.

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; n floats of zeros at $d
  (func $zero (param $d i32) (param $n i32)
    (block $done
      (loop $vec
        (br_if $done (i32.lt_u (local.get $n) (i32.const 4)))
        (v128.store (local.get $d) (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vec)))
    (block $done
      (loop $one
        (br_if $done (i32.eqz (local.get $n)))
        (f32.store (local.get $d) (f32.const 0))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $one))))

  ;; im2col: the windows of the input at $src (contiguous N x C x H x W) as columns at $dst;
  ;; positions in the padding are 0. A row's copy moves whole vectors, so it may write up to 3
  ;; floats past the row (rows are written in order, so the next row overwrites them; the caller
  ;; leaves 16 bytes after $dst) and read up to 3 floats past the input's row (and its end).
  (func (export "im2col") (param $p i32) (param $src i32) (param $dst i32)
    (local $planes i32) (local $plane i32) (local $H i32) (local $W i32) (local $kH i32) (local $kW i32)
    (local $sH i32) (local $sW i32) (local $pH i32) (local $pW i32) (local $dH i32) (local $dW i32)
    (local $oH i32) (local $oW i32) (local $i i32) (local $j i32) (local $oy i32) (local $h i32)
    (local $lo i32) (local $hi i32) (local $base i32) (local $s i32) (local $d i32) (local $e i32)
    (local $step i32) (local $rowBytes i32)
    (local.set $planes (i32.mul (i32.load (local.get $p)) (i32.load offset=4 (local.get $p))))
    (local.set $H (i32.load offset=8 (local.get $p)))
    (local.set $W (i32.load offset=12 (local.get $p)))
    (local.set $kH (i32.load offset=16 (local.get $p)))
    (local.set $kW (i32.load offset=20 (local.get $p)))
    (local.set $sH (i32.load offset=24 (local.get $p)))
    (local.set $sW (i32.load offset=28 (local.get $p)))
    (local.set $pH (i32.load offset=32 (local.get $p)))
    (local.set $pW (i32.load offset=36 (local.get $p)))
    (local.set $dH (i32.load offset=40 (local.get $p)))
    (local.set $dW (i32.load offset=44 (local.get $p)))
    (local.set $oH (i32.load offset=48 (local.get $p)))
    (local.set $oW (i32.load offset=52 (local.get $p)))
    (local.set $step (i32.shl (local.get $sW) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $oW) (i32.const 2)))
    (block $planesDone
      (loop $planeLoop
        (br_if $planesDone (i32.eqz (local.get $planes)))
        (local.set $plane (local.get $src))
        (local.set $i (i32.const 0))
        (loop $iLoop
          (local.set $j (i32.const 0))
          (loop $jLoop
            (local.set $lo (i32.load offset=64 (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $hi (i32.load offset=68 (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3)))))
            ;; input column of output column lo, in the plane's row 0
            (local.set $base
              (i32.add (local.get $plane)
                (i32.shl
                  (i32.sub (i32.add (i32.mul (local.get $lo) (local.get $sW)) (i32.mul (local.get $j) (local.get $dW))) (local.get $pW))
                  (i32.const 2))))
            (local.set $h (i32.sub (i32.mul (local.get $i) (local.get $dH)) (local.get $pH)))
            (local.set $oy (local.get $oH))
            (loop $rowLoop
              ;; h < 0 reads as a huge unsigned number
              (if (i32.and (i32.lt_u (local.get $h) (local.get $H)) (i32.lt_u (local.get $lo) (local.get $hi)))
                (then
                  (local.set $d (local.get $dst))
                  (local.set $e (i32.add (local.get $dst) (i32.shl (local.get $lo) (i32.const 2))))
                  (block $z (loop $zl
                    (br_if $z (i32.ge_u (local.get $d) (local.get $e)))
                    (f32.store (local.get $d) (f32.const 0))
                    (local.set $d (i32.add (local.get $d) (i32.const 4)))
                    (br $zl)))
                  (local.set $s (i32.add (local.get $base) (i32.shl (i32.mul (local.get $h) (local.get $W)) (i32.const 2))))
                  (local.set $e (i32.add (local.get $dst) (i32.shl (local.get $hi) (i32.const 2))))
                  (if (i32.eq (local.get $sW) (i32.const 1))
                    (then
                      (loop $vl
                        (v128.store (local.get $d) (v128.load (local.get $s)))
                        (local.set $d (i32.add (local.get $d) (i32.const 16)))
                        (local.set $s (i32.add (local.get $s) (i32.const 16)))
                        (br_if $vl (i32.lt_u (local.get $d) (local.get $e)))))
                    (else
                      (loop $sl
                        (f32.store (local.get $d) (f32.load (local.get $s)))
                        (local.set $d (i32.add (local.get $d) (i32.const 4)))
                        (local.set $s (i32.add (local.get $s) (local.get $step)))
                        (br_if $sl (i32.lt_u (local.get $d) (local.get $e))))))
                  ;; the zeros after the copy overwrite what its last vector wrote past hi
                  (local.set $d (local.get $e))
                  (local.set $e (i32.add (local.get $dst) (local.get $rowBytes)))
                  (block $z (loop $zl
                    (br_if $z (i32.ge_u (local.get $d) (local.get $e)))
                    (f32.store (local.get $d) (f32.const 0))
                    (local.set $d (i32.add (local.get $d) (i32.const 4)))
                    (br $zl))))
                (else (call $zero (local.get $dst) (local.get $oW))))
              (local.set $dst (i32.add (local.get $dst) (local.get $rowBytes)))
              (local.set $h (i32.add (local.get $h) (local.get $sH)))
              (br_if $rowLoop (local.tee $oy (i32.sub (local.get $oy) (i32.const 1)))))
            (br_if $jLoop (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kW))))
          (br_if $iLoop (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kH))))
        (local.set $src (i32.add (local.get $src) (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2))))
        (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
        (br $planeLoop))))

  ;; col2im: the columns at $src summed into their windows' places in $dst (contiguous
  ;; N x C x H x W, overwritten); what lands in the padding is dropped
  (func (export "col2im") (param $p i32) (param $src i32) (param $dst i32)
    (local $planes i32) (local $plane i32) (local $H i32) (local $W i32) (local $kH i32) (local $kW i32)
    (local $sH i32) (local $sW i32) (local $pH i32) (local $pW i32) (local $dH i32) (local $dW i32)
    (local $oH i32) (local $oW i32) (local $i i32) (local $j i32) (local $oy i32) (local $h i32)
    (local $lo i32) (local $hi i32) (local $base i32) (local $s i32) (local $d i32) (local $n i32)
    (local $step i32) (local $rowBytes i32)
    (local.set $planes (i32.mul (i32.load (local.get $p)) (i32.load offset=4 (local.get $p))))
    (local.set $H (i32.load offset=8 (local.get $p)))
    (local.set $W (i32.load offset=12 (local.get $p)))
    (local.set $kH (i32.load offset=16 (local.get $p)))
    (local.set $kW (i32.load offset=20 (local.get $p)))
    (local.set $sH (i32.load offset=24 (local.get $p)))
    (local.set $sW (i32.load offset=28 (local.get $p)))
    (local.set $pH (i32.load offset=32 (local.get $p)))
    (local.set $pW (i32.load offset=36 (local.get $p)))
    (local.set $dH (i32.load offset=40 (local.get $p)))
    (local.set $dW (i32.load offset=44 (local.get $p)))
    (local.set $oH (i32.load offset=48 (local.get $p)))
    (local.set $oW (i32.load offset=52 (local.get $p)))
    (local.set $step (i32.shl (local.get $sW) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $oW) (i32.const 2)))
    (call $zero (local.get $dst) (i32.mul (local.get $planes) (i32.mul (local.get $H) (local.get $W))))
    (block $planesDone
      (loop $planeLoop
        (br_if $planesDone (i32.eqz (local.get $planes)))
        (local.set $plane (local.get $dst))
        (local.set $i (i32.const 0))
        (loop $iLoop
          (local.set $j (i32.const 0))
          (loop $jLoop
            (local.set $lo (i32.load offset=64 (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $hi (i32.load offset=68 (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $base
              (i32.add (local.get $plane)
                (i32.shl
                  (i32.sub (i32.add (i32.mul (local.get $lo) (local.get $sW)) (i32.mul (local.get $j) (local.get $dW))) (local.get $pW))
                  (i32.const 2))))
            (local.set $h (i32.sub (i32.mul (local.get $i) (local.get $dH)) (local.get $pH)))
            (local.set $oy (local.get $oH))
            (loop $rowLoop
              (if (i32.lt_u (local.get $h) (local.get $H))
                (then
                  (local.set $d (i32.add (local.get $base) (i32.shl (i32.mul (local.get $h) (local.get $W)) (i32.const 2))))
                  (local.set $s (i32.add (local.get $src) (i32.shl (local.get $lo) (i32.const 2))))
                  (local.set $n (i32.sub (local.get $hi) (local.get $lo)))
                  (if (i32.eq (local.get $sW) (i32.const 1))
                    (then
                      (block $vd (loop $vl
                        (br_if $vd (i32.lt_u (local.get $n) (i32.const 4)))
                        (v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $s))))
                        (local.set $d (i32.add (local.get $d) (i32.const 16)))
                        (local.set $s (i32.add (local.get $s) (i32.const 16)))
                        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
                        (br $vl)))))
                  (block $od (loop $ol
                    (br_if $od (i32.eqz (local.get $n)))
                    (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))
                    (local.set $d (i32.add (local.get $d) (local.get $step)))
                    (local.set $s (i32.add (local.get $s) (i32.const 4)))
                    (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                    (br $ol)))))
              (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
              (local.set $h (i32.add (local.get $h) (local.get $sH)))
              (br_if $rowLoop (local.tee $oy (i32.sub (local.get $oy) (i32.const 1)))))
            (br_if $jLoop (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kW))))
          (br_if $iLoop (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kH))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2))))
        (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
        (br $planeLoop))))

  ;; Stores h at $addr, or adds it to the float there when $onto.
  (func $put (param $addr i32) (param $h f32) (param $onto i32)
    (f32.store (local.get $addr)
      (select (f32.add (f32.load (local.get $addr)) (local.get $h)) (local.get $h) (local.get $onto))))

  ;; The sum of the 4 lanes of v.
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; C[m, n] = sum over batches b < B and k < K of A_b[m, k] * B_b[n, k], or C[m, n] + that sum
  ;; when $onto (nn.Linear's bias rows, see gemm.ts). Both operands have k contiguous (rows lda /
  ;; ldb apart, batches sa / sb apart, in floats), as the weight gradient of a convolution and
  ;; x @ W.t() read them, so nothing is packed. 2 x 4 tiles of f32x4 sums over k; edge rows and
  ;; columns one dot product at a time; a K not divisible by 4 ends with single lanes.
  (func (export "gemmNT") (param $M i32) (param $N i32) (param $K i32)
    (param $a i32) (param $lda i32) (param $sa i32) (param $b i32) (param $ldb i32) (param $sb i32)
    (param $B i32) (param $c i32) (param $ldc i32) (param $onto i32)
    (local $m i32) (local $n i32) (local $bi i32) (local $k i32) (local $K4 i32)
    (local $a0 i32) (local $a1 i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $x0 v128) (local $x1 v128) (local $y v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $cp i32)
    (local.set $lda (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $sa (i32.shl (local.get $sa) (i32.const 2)))
    (local.set $sb (i32.shl (local.get $sb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $K4 (i32.and (local.get $K) (i32.const -4)))
    (local.set $m (i32.const 0))
    (block $mDone (loop $mLoop
      (br_if $mDone (i32.gt_u (i32.add (local.get $m) (i32.const 2)) (local.get $M)))
      (local.set $n (i32.const 0))
      (block $nDone (loop $nLoop
        (br_if $nDone (i32.gt_u (i32.add (local.get $n) (i32.const 4)) (local.get $N)))
        (local.set $c00 (v128.const i32x4 0 0 0 0))
        (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c02 (v128.const i32x4 0 0 0 0))
        (local.set $c03 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0))
        (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c12 (v128.const i32x4 0 0 0 0))
        (local.set $c13 (v128.const i32x4 0 0 0 0))
        (local.set $bi (i32.const 0))
        (loop $bLoop
          (local.set $a0 (i32.add (i32.add (local.get $a) (i32.mul (local.get $bi) (local.get $sa))) (i32.mul (local.get $m) (local.get $lda))))
          (local.set $a1 (i32.add (local.get $a0) (local.get $lda)))
          (local.set $b0 (i32.add (i32.add (local.get $b) (i32.mul (local.get $bi) (local.get $sb))) (i32.mul (local.get $n) (local.get $ldb))))
          (local.set $b1 (i32.add (local.get $b0) (local.get $ldb)))
          (local.set $b2 (i32.add (local.get $b1) (local.get $ldb)))
          (local.set $b3 (i32.add (local.get $b2) (local.get $ldb)))
          (local.set $k (i32.const 0))
          (block $kDone (loop $kLoop
            (br_if $kDone (i32.ge_u (local.get $k) (local.get $K4)))
            (local.set $x0 (v128.load (local.get $a0)))
            (local.set $x1 (v128.load (local.get $a1)))
            (local.set $y (v128.load (local.get $b0)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x0) (local.get $y))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x1) (local.get $y))))
            (local.set $y (v128.load (local.get $b1)))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x0) (local.get $y))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x1) (local.get $y))))
            (local.set $y (v128.load (local.get $b2)))
            (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $x0) (local.get $y))))
            (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $x1) (local.get $y))))
            (local.set $y (v128.load (local.get $b3)))
            (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $x0) (local.get $y))))
            (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $x1) (local.get $y))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 16)))
            (local.set $a1 (i32.add (local.get $a1) (i32.const 16)))
            (local.set $b0 (i32.add (local.get $b0) (i32.const 16)))
            (local.set $b1 (i32.add (local.get $b1) (i32.const 16)))
            (local.set $b2 (i32.add (local.get $b2) (i32.const 16)))
            (local.set $b3 (i32.add (local.get $b3) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $kLoop)))
          ;; the last K mod 4 terms, one lane at a time (the other lanes load zeros)
          (block $tDone (loop $tLoop
            (br_if $tDone (i32.ge_u (local.get $k) (local.get $K)))
            (local.set $x0 (v128.load32_zero (local.get $a0)))
            (local.set $x1 (v128.load32_zero (local.get $a1)))
            (local.set $y (v128.load32_zero (local.get $b0)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x0) (local.get $y))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x1) (local.get $y))))
            (local.set $y (v128.load32_zero (local.get $b1)))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x0) (local.get $y))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x1) (local.get $y))))
            (local.set $y (v128.load32_zero (local.get $b2)))
            (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $x0) (local.get $y))))
            (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $x1) (local.get $y))))
            (local.set $y (v128.load32_zero (local.get $b3)))
            (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $x0) (local.get $y))))
            (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $x1) (local.get $y))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
            (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
            (local.set $b0 (i32.add (local.get $b0) (i32.const 4)))
            (local.set $b1 (i32.add (local.get $b1) (i32.const 4)))
            (local.set $b2 (i32.add (local.get $b2) (i32.const 4)))
            (local.set $b3 (i32.add (local.get $b3) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $tLoop)))
          (br_if $bLoop (i32.lt_u (local.tee $bi (i32.add (local.get $bi) (i32.const 1))) (local.get $B))))
        (local.set $cp (i32.add (local.get $c) (i32.add (i32.mul (local.get $m) (local.get $ldc)) (i32.shl (local.get $n) (i32.const 2)))))
        (call $put (i32.add (local.get $cp) (i32.const 0)) (call $hsum (local.get $c00)) (local.get $onto))
        (call $put (i32.add (local.get $cp) (i32.const 4)) (call $hsum (local.get $c01)) (local.get $onto))
        (call $put (i32.add (local.get $cp) (i32.const 8)) (call $hsum (local.get $c02)) (local.get $onto))
        (call $put (i32.add (local.get $cp) (i32.const 12)) (call $hsum (local.get $c03)) (local.get $onto))
        (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
        (call $put (i32.add (local.get $cp) (i32.const 0)) (call $hsum (local.get $c10)) (local.get $onto))
        (call $put (i32.add (local.get $cp) (i32.const 4)) (call $hsum (local.get $c11)) (local.get $onto))
        (call $put (i32.add (local.get $cp) (i32.const 8)) (call $hsum (local.get $c12)) (local.get $onto))
        (call $put (i32.add (local.get $cp) (i32.const 12)) (call $hsum (local.get $c13)) (local.get $onto))
        (local.set $n (i32.add (local.get $n) (i32.const 4)))
        (br $nLoop)))
      (local.set $m (i32.add (local.get $m) (i32.const 2)))
      (br $mLoop)))
    ;; the edges: the columns past the last full tile in the tiled rows, then the rows past those
    (call $dots (i32.const 0) (i32.and (local.get $M) (i32.const -2)) (i32.and (local.get $N) (i32.const -4)) (local.get $N)
      (local.get $K) (local.get $a) (local.get $lda) (local.get $sa) (local.get $b) (local.get $ldb) (local.get $sb)
      (local.get $B) (local.get $c) (local.get $ldc) (local.get $onto))
    (call $dots (i32.and (local.get $M) (i32.const -2)) (local.get $M) (i32.const 0) (local.get $N)
      (local.get $K) (local.get $a) (local.get $lda) (local.get $sa) (local.get $b) (local.get $ldb) (local.get $sb)
      (local.get $B) (local.get $c) (local.get $ldc) (local.get $onto)))

  ;; gemmNT's entries C[m, n] for m in [m0, m1), n in [n0, n1), one dot product each
  ;; (strides here in bytes)
  (func $dots (param $m0 i32) (param $m1 i32) (param $n0 i32) (param $n1 i32) (param $K i32)
    (param $a i32) (param $lda i32) (param $sa i32) (param $b i32) (param $ldb i32) (param $sb i32)
    (param $B i32) (param $c i32) (param $ldc i32) (param $onto i32)
    (local $m i32) (local $n i32) (local $bi i32) (local $k i32) (local $pa i32) (local $pb i32) (local $acc v128)
    (local.set $m (local.get $m0))
    (block $mDone (loop $mLoop
      (br_if $mDone (i32.ge_u (local.get $m) (local.get $m1)))
      (local.set $n (local.get $n0))
      (block $nDone (loop $nLoop
        (br_if $nDone (i32.ge_u (local.get $n) (local.get $n1)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $bi (i32.const 0))
        (loop $bLoop
          (local.set $pa (i32.add (i32.add (local.get $a) (i32.mul (local.get $bi) (local.get $sa))) (i32.mul (local.get $m) (local.get $lda))))
          (local.set $pb (i32.add (i32.add (local.get $b) (i32.mul (local.get $bi) (local.get $sb))) (i32.mul (local.get $n) (local.get $ldb))))
          (local.set $k (local.get $K))
          (block $kDone (loop $kLoop
            (br_if $kDone (i32.lt_u (local.get $k) (i32.const 4)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $pa)) (v128.load (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
            (local.set $k (i32.sub (local.get $k) (i32.const 4)))
            (br $kLoop)))
          (block $tDone (loop $tLoop
            (br_if $tDone (i32.eqz (local.get $k)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load32_zero (local.get $pa)) (v128.load32_zero (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $tLoop)))
          (br_if $bLoop (i32.lt_u (local.tee $bi (i32.add (local.get $bi) (i32.const 1))) (local.get $B))))
        (call $put (i32.add (local.get $c) (i32.add (i32.mul (local.get $m) (local.get $ldc)) (i32.shl (local.get $n) (i32.const 2))))
          (call $hsum (local.get $acc)) (local.get $onto))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nLoop)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $mLoop))))

  ;; y[r, :] += b[r % O] for the rows r of y (rows x L floats)
  (func (export "addBias") (param $y i32) (param $rows i32) (param $O i32) (param $L i32) (param $b i32)
    (local $r i32) (local $v v128) (local $f f32) (local $n i32)
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $f (f32.load (i32.add (local.get $b) (i32.shl (i32.rem_u (local.get $r) (local.get $O)) (i32.const 2)))))
        (local.set $v (f32x4.splat (local.get $f)))
        (local.set $n (local.get $L))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.lt_u (local.get $n) (i32.const 4)))
            (v128.store (local.get $y) (f32x4.add (v128.load (local.get $y)) (local.get $v)))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (local.set $n (i32.sub (local.get $n) (i32.const 4)))
            (br $vec)))
        (block $odone
          (loop $one
            (br_if $odone (i32.eqz (local.get $n)))
            (f32.store (local.get $y) (f32.add (f32.load (local.get $y)) (local.get $f)))
            (local.set $y (i32.add (local.get $y) (i32.const 4)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $one)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; dst[o] = sum of the rows r of g (rows x L floats) with r % O = o, accumulated in float64
  (func (export "sumRows") (param $g i32) (param $rows i32) (param $O i32) (param $L i32) (param $dst i32)
    (local $r i32) (local $acc v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f64) (local $n i32) (local $o i32) (local $d i32)
    (call $zero (local.get $dst) (i32.shl (local.get $O) (i32.const 1)))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $a2 (v128.const f64x2 0 0))
        (local.set $a3 (v128.const f64x2 0 0))
        (local.set $n (local.get $L))
        ;; four chains of float64 sums, eight floats a turn (one chain waited 4 cycles an add:
        ;; LeNet's bias gradients took 4% of its training step)
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.lt_u (local.get $n) (i32.const 8)))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.promote_low_f32x4 (v128.load (local.get $g)))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.promote_low_f32x4 (v128.load offset=8 (local.get $g)))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.promote_low_f32x4 (v128.load offset=16 (local.get $g)))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.promote_low_f32x4 (v128.load offset=24 (local.get $g)))))
            (local.set $g (i32.add (local.get $g) (i32.const 32)))
            (local.set $n (i32.sub (local.get $n) (i32.const 8)))
            (br $vec)))
        (if (i32.ge_u (local.get $n) (i32.const 4))
          (then
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.promote_low_f32x4 (v128.load (local.get $g)))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.promote_low_f32x4 (v128.load offset=8 (local.get $g)))))
            (local.set $g (i32.add (local.get $g) (i32.const 16)))
            (local.set $n (i32.sub (local.get $n) (i32.const 4)))))
        (local.set $acc (f64x2.add (f64x2.add (local.get $acc) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
        (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
        (block $odone
          (loop $one
            (br_if $odone (i32.eqz (local.get $n)))
            (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $g)))))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $one)))
        ;; dst holds O float64 sums while rows are added, then their float32 roundings
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.rem_u (local.get $r) (local.get $O)) (i32.const 3))))
        (f64.store (local.get $d) (f64.add (f64.load (local.get $d)) (local.get $s)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop)))
    (loop $round
      (if (i32.lt_u (local.get $o) (local.get $O))
        (then
          (f32.store (i32.add (local.get $dst) (i32.shl (local.get $o) (i32.const 2)))
            (f32.demote_f64 (f64.load (i32.add (local.get $dst) (i32.shl (local.get $o) (i32.const 3))))))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (br $round)))))


  ;; Max pooling with PyTorch's CPU rules (windows clipped to the input, the first maximum wins,
  ;; a NaN wins): the input at $src (contiguous N x C x H x W) into values at $val (N x C x oH x oW)
  ;; and, when $withIdx, float64 indices flat over each H x W plane at $idx. The geometry at $p as
  ;; for im2col, then at $p + 56 the output columns [lo, hi) whose windows lie inside the input's
  ;; columns. Windows inside the input go 4 outputs at a time (compares as lane masks, no
  ;; branches); the others one at a time. Loads for strides 1 and 2 read up to 4 floats past a
  ;; row (the caller leaves 16 bytes after $src).
  (func (export "maxPool") (param $p i32) (param $src i32) (param $val i32) (param $idx i32) (param $withIdx i32)
    (local $planes i32) (local $H i32) (local $W i32) (local $kH i32) (local $kW i32)
    (local $sH i32) (local $sW i32) (local $pH i32) (local $pW i32) (local $dH i32) (local $dW i32)
    (local $oH i32) (local $oW i32) (local $lo i32) (local $hi i32)
    (local $oy i32) (local $ox i32) (local $h0 i32) (local $h1 i32) (local $hs i32) (local $w0 i32) (local $w1 i32)
    (local $h i32) (local $x i32) (local $i i32) (local $j i32) (local $inRows i32) (local $pos i32) (local $at i32)
    (local $best f32) (local $v f32) (local $vb v128) (local $vv v128) (local $vi v128) (local $m v128) (local $lanes v128)
    (local.set $planes (i32.mul (i32.load (local.get $p)) (i32.load offset=4 (local.get $p))))
    (local.set $H (i32.load offset=8 (local.get $p)))
    (local.set $W (i32.load offset=12 (local.get $p)))
    (local.set $kH (i32.load offset=16 (local.get $p)))
    (local.set $kW (i32.load offset=20 (local.get $p)))
    (local.set $sH (i32.load offset=24 (local.get $p)))
    (local.set $sW (i32.load offset=28 (local.get $p)))
    (local.set $pH (i32.load offset=32 (local.get $p)))
    (local.set $pW (i32.load offset=36 (local.get $p)))
    (local.set $dH (i32.load offset=40 (local.get $p)))
    (local.set $dW (i32.load offset=44 (local.get $p)))
    (local.set $oH (i32.load offset=48 (local.get $p)))
    (local.set $oW (i32.load offset=52 (local.get $p)))
    (local.set $lo (i32.load offset=56 (local.get $p)))
    (local.set $hi (i32.load offset=60 (local.get $p)))
    ;; lane t of 4 outputs starts t*sW columns after lane 0
    (local.set $lanes (i32x4.mul (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $sW))))
    (block $planesDone (loop $planeLoop
      (br_if $planesDone (i32.eqz (local.get $planes)))
      (local.set $oy (i32.const 0))
      (block $rowsDone (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $oH)))
        (local.set $h0 (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $pH)))
        (local.set $h1 (i32.add (local.get $h0) (i32.add (i32.mul (i32.sub (local.get $kH) (i32.const 1)) (local.get $dH)) (i32.const 1))))
        (local.set $inRows (i32.and (i32.ge_s (local.get $h0) (i32.const 0)) (i32.le_s (local.get $h1) (local.get $H))))
        (if (i32.gt_s (local.get $h1) (local.get $H)) (then (local.set $h1 (local.get $H))))
        (local.set $hs (local.get $h0))
        (block $c (loop $cl
          (br_if $c (i32.ge_s (local.get $hs) (i32.const 0)))
          (local.set $hs (i32.add (local.get $hs) (local.get $dH)))
          (br $cl)))
        (local.set $ox (i32.const 0))
        (block $colsDone (loop $colLoop
          (br_if $colsDone (i32.ge_u (local.get $ox) (local.get $oW)))
          (if (i32.and (local.get $inRows)
                (i32.and (i32.ge_u (local.get $ox) (local.get $lo)) (i32.le_u (i32.add (local.get $ox) (i32.const 4)) (local.get $hi))))
            (then
              ;; 4 windows inside the input: the first tap is each lane's start
              (local.set $w0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $pW)))
              (local.set $vb (f32x4.splat (f32.const -inf)))
              (local.set $vi (i32x4.add (i32x4.splat (i32.add (i32.mul (local.get $h0) (local.get $W)) (local.get $w0))) (local.get $lanes)))
              (local.set $i (i32.const 0))
              (loop $iLoop
                (local.set $h (i32.add (local.get $h0) (i32.mul (local.get $i) (local.get $dH))))
                (local.set $j (i32.const 0))
                (loop $jLoop
                  (local.set $pos (i32.add (i32.mul (local.get $h) (local.get $W)) (i32.add (local.get $w0) (i32.mul (local.get $j) (local.get $dW)))))
                  (local.set $at (i32.add (local.get $src) (i32.shl (local.get $pos) (i32.const 2))))
                  (if (i32.eq (local.get $sW) (i32.const 1))
                    (then (local.set $vv (v128.load (local.get $at))))
                    (else
                      (if (i32.eq (local.get $sW) (i32.const 2))
                        (then
                          ;; lanes 0 and 2 of two vectors
                          (local.set $vv (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                            (v128.load (local.get $at)) (v128.load offset=16 (local.get $at)))))
                        (else
                          (local.set $vv (f32x4.splat (f32.load (local.get $at))))
                          (local.set $at (i32.add (local.get $at) (i32.shl (local.get $sW) (i32.const 2))))
                          (local.set $vv (f32x4.replace_lane 1 (local.get $vv) (f32.load (local.get $at))))
                          (local.set $at (i32.add (local.get $at) (i32.shl (local.get $sW) (i32.const 2))))
                          (local.set $vv (f32x4.replace_lane 2 (local.get $vv) (f32.load (local.get $at))))
                          (local.set $at (i32.add (local.get $at) (i32.shl (local.get $sW) (i32.const 2))))
                          (local.set $vv (f32x4.replace_lane 3 (local.get $vv) (f32.load (local.get $at))))))))
                  (local.set $m (v128.or (f32x4.gt (local.get $vv) (local.get $vb)) (f32x4.ne (local.get $vv) (local.get $vv))))
                  (local.set $vb (v128.bitselect (local.get $vv) (local.get $vb) (local.get $m)))
                  (local.set $vi (v128.bitselect
                    (i32x4.add (i32x4.splat (local.get $pos)) (local.get $lanes)) (local.get $vi) (local.get $m)))
                  (br_if $jLoop (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kW))))
                (br_if $iLoop (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kH))))
              (v128.store (local.get $val) (local.get $vb))
              (if (local.get $withIdx)
                (then
                  (v128.store (local.get $idx) (f64x2.convert_low_i32x4_s (local.get $vi)))
                  (v128.store offset=16 (local.get $idx) (f64x2.convert_low_i32x4_s
                    (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vi) (local.get $vi))))))
              (local.set $val (i32.add (local.get $val) (i32.const 16)))
              (local.set $idx (i32.add (local.get $idx) (i32.const 32)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 4))))
            (else
              ;; one window, clipped to the input
              (local.set $w0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $pW)))
              (local.set $w1 (i32.add (local.get $w0) (i32.add (i32.mul (i32.sub (local.get $kW) (i32.const 1)) (local.get $dW)) (i32.const 1))))
              (if (i32.gt_s (local.get $w1) (local.get $W)) (then (local.set $w1 (local.get $W))))
              (block $c (loop $cl
                (br_if $c (i32.ge_s (local.get $w0) (i32.const 0)))
                (local.set $w0 (i32.add (local.get $w0) (local.get $dW)))
                (br $cl)))
              (local.set $best (f32.const -inf))
              (local.set $pos (i32.add (i32.mul (local.get $hs) (local.get $W)) (local.get $w0)))
              (local.set $h (local.get $hs))
              (block $hd (loop $hl
                (br_if $hd (i32.ge_s (local.get $h) (local.get $h1)))
                (local.set $x (local.get $w0))
                (block $xd (loop $xl
                  (br_if $xd (i32.ge_s (local.get $x) (local.get $w1)))
                  (local.set $v (f32.load (i32.add (local.get $src)
                    (i32.shl (i32.add (i32.mul (local.get $h) (local.get $W)) (local.get $x)) (i32.const 2)))))
                  (if (i32.or (f32.gt (local.get $v) (local.get $best)) (f32.ne (local.get $v) (local.get $v)))
                    (then
                      (local.set $best (local.get $v))
                      (local.set $pos (i32.add (i32.mul (local.get $h) (local.get $W)) (local.get $x)))))
                  (local.set $x (i32.add (local.get $x) (local.get $dW)))
                  (br $xl)))
                (local.set $h (i32.add (local.get $h) (local.get $dH)))
                (br $hl)))
              (f32.store (local.get $val) (local.get $best))
              (if (local.get $withIdx) (then (f64.store (local.get $idx) (f64.convert_i32_s (local.get $pos)))))
              (local.set $val (i32.add (local.get $val) (i32.const 4)))
              (local.set $idx (i32.add (local.get $idx) (i32.const 8)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 1)))))
          (br $colLoop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rowLoop)))
      (local.set $src (i32.add (local.get $src) (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2))))
      (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
      (br $planeLoop))))

  ;; Batch norm over x (N x C x S floats at $x): the per-channel sums below run over the N rows
  ;; of S floats of a channel, four floats at a time, accumulated in float64.

  ;; sum of n floats at $p, each minus $m, to the power 1 ($sq = 0) or 2 ($sq = 1), in float64
  (func $rowSum (param $p i32) (param $n i32) (param $m f64) (param $sq i32) (result f64)
    (local $acc0 v128) (local $acc1 v128) (local $v v128) (local $lo v128) (local $hi v128) (local $mv v128) (local $s f64) (local $d f64)
    (local.set $mv (f64x2.splat (local.get $m)))
    (block $done (loop $vec
      (br_if $done (i32.lt_u (local.get $n) (i32.const 4)))
      (local.set $v (v128.load (local.get $p)))
      (local.set $lo (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $mv)))
      (local.set $hi (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $mv)))
      (if (local.get $sq)
        (then
          (local.set $lo (f64x2.mul (local.get $lo) (local.get $lo)))
          (local.set $hi (f64x2.mul (local.get $hi) (local.get $hi)))))
      (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $lo)))
      (local.set $acc1 (f64x2.add (local.get $acc1) (local.get $hi)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $vec)))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
    (block $done (loop $one
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $d (f64.sub (f64.promote_f32 (f32.load (local.get $p))) (local.get $m)))
      (local.set $s (f64.add (local.get $s) (select (f64.mul (local.get $d) (local.get $d)) (local.get $d) (local.get $sq))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $one)))
    (local.get $s))

  ;; mean[c] and biased var[c] (float32) over the N rows of channel c: the mean, then the squared
  ;; deviations from it
  (func (export "bnStats") (param $x i32) (param $N i32) (param $C i32) (param $S i32) (param $mean i32) (param $var i32)
    (local $c i32) (local $n i32) (local $s f64) (local $m f64) (local $row i32) (local $rowBytes i32) (local $M f64)
    (local.set $rowBytes (i32.shl (local.get $S) (i32.const 2)))
    (local.set $M (f64.convert_i32_u (i32.mul (local.get $N) (local.get $S))))
    (block $cDone (loop $cLoop
      (br_if $cDone (i32.ge_u (local.get $c) (local.get $C)))
      (local.set $s (f64.const 0))
      (local.set $n (i32.const 0))
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $row (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $C)) (local.get $c)) (local.get $rowBytes))))
        (local.set $s (f64.add (local.get $s) (call $rowSum (local.get $row) (local.get $S) (f64.const 0) (i32.const 0))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
      (local.set $m (f64.div (local.get $s) (local.get $M)))
      (local.set $s (f64.const 0))
      (local.set $n (i32.const 0))
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $row (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $C)) (local.get $c)) (local.get $rowBytes))))
        (local.set $s (f64.add (local.get $s) (call $rowSum (local.get $row) (local.get $S) (local.get $m) (i32.const 1))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
      (f32.store (i32.add (local.get $mean) (i32.shl (local.get $c) (i32.const 2))) (f32.demote_f64 (local.get $m)))
      (f32.store (i32.add (local.get $var) (i32.shl (local.get $c) (i32.const 2))) (f32.demote_f64 (f64.div (local.get $s) (local.get $M))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $cLoop))))

  ;; y = (x - mean[c]) * a[c] + b[c] over x, in place (a = invstd * weight, from the caller)
  (func (export "bnNormalize") (param $x i32) (param $N i32) (param $C i32) (param $S i32) (param $mean i32) (param $a i32) (param $b i32)
    (local $r i32) (local $rows i32) (local $c i32) (local $n i32)
    (local $m v128) (local $av v128) (local $bv v128) (local $mf f32) (local $af f32) (local $bf f32)
    (local.set $rows (i32.mul (local.get $N) (local.get $C)))
    (block $done (loop $rowLoop
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.shl (i32.rem_u (local.get $r) (local.get $C)) (i32.const 2)))
      (local.set $mf (f32.load (i32.add (local.get $mean) (local.get $c))))
      (local.set $af (f32.load (i32.add (local.get $a) (local.get $c))))
      (local.set $bf (f32.load (i32.add (local.get $b) (local.get $c))))
      (local.set $m (f32x4.splat (local.get $mf)))
      (local.set $av (f32x4.splat (local.get $af)))
      (local.set $bv (f32x4.splat (local.get $bf)))
      (local.set $n (local.get $S))
      (block $vd (loop $vl
        (br_if $vd (i32.lt_u (local.get $n) (i32.const 4)))
        (v128.store (local.get $x)
          (f32x4.add (f32x4.mul (f32x4.sub (v128.load (local.get $x)) (local.get $m)) (local.get $av)) (local.get $bv)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vl)))
      (block $od (loop $ol
        (br_if $od (i32.eqz (local.get $n)))
        (f32.store (local.get $x)
          (f32.add (f32.mul (f32.sub (f32.load (local.get $x)) (local.get $mf)) (local.get $af)) (local.get $bf)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $ol)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowLoop))))

  ;; batch norm's gradients: sg[c] = Σ g, sgd[c] = Σ g * (x - mean[c]) (float64, at $sums as
  ;; 2 x C doubles), then, when $gx is not 0, gx = k[c] * (g - mg[c] - (x - mean[c]) * mx[c])
  ;; with k, mg, mx (float32 at $coef, 3 x C) that the caller computes from the sums: this
  ;; function runs twice, first with $gx = 0 for the sums, then with the coefficients for gx
  (func (export "bnBackward") (param $g i32) (param $x i32) (param $N i32) (param $C i32) (param $S i32)
    (param $mean i32) (param $sums i32) (param $coef i32) (param $gx i32)
    (local $c i32) (local $n i32) (local $row i32) (local $rowBytes i32) (local $p i32) (local $q i32) (local $o i32) (local $k i32)
    (local $mf f32) (local $m v128) (local $m2 v128) (local $sg0 v128) (local $sg1 v128) (local $sd0 v128) (local $sd1 v128)
    (local $gv v128) (local $xv v128) (local $glo v128) (local $ghi v128) (local $dlo v128) (local $dhi v128)
    (local $kv v128) (local $mgv v128) (local $mxv v128) (local $kf f32) (local $mgf f32) (local $mxf f32)
    (local $sg f64) (local $sd f64) (local $gf f64) (local $md f64)
    (local.set $rowBytes (i32.shl (local.get $S) (i32.const 2)))
    (block $cDone (loop $cLoop
      (br_if $cDone (i32.ge_u (local.get $c) (local.get $C)))
      (local.set $mf (f32.load (i32.add (local.get $mean) (i32.shl (local.get $c) (i32.const 2)))))
      (local.set $md (f64.promote_f32 (local.get $mf)))
      (local.set $m (f32x4.splat (local.get $mf)))
      (local.set $m2 (f64x2.splat (local.get $md)))
      (if (i32.eqz (local.get $gx))
        (then
          (local.set $sg0 (v128.const i32x4 0 0 0 0))
          (local.set $sg1 (v128.const i32x4 0 0 0 0))
          (local.set $sd0 (v128.const i32x4 0 0 0 0))
          (local.set $sd1 (v128.const i32x4 0 0 0 0))
          (local.set $sg (f64.const 0))
          (local.set $sd (f64.const 0))
          (local.set $n (i32.const 0))
          (block $d (loop $l
            (br_if $d (i32.ge_u (local.get $n) (local.get $N)))
            (local.set $row (i32.mul (i32.add (i32.mul (local.get $n) (local.get $C)) (local.get $c)) (local.get $rowBytes)))
            (local.set $p (i32.add (local.get $g) (local.get $row)))
            (local.set $q (i32.add (local.get $x) (local.get $row)))
            (local.set $k (local.get $S))
            (block $vd (loop $vl
              (br_if $vd (i32.lt_u (local.get $k) (i32.const 4)))
              (local.set $gv (v128.load (local.get $p)))
              (local.set $xv (v128.load (local.get $q)))
              (local.set $glo (f64x2.promote_low_f32x4 (local.get $gv)))
              (local.set $ghi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gv) (local.get $gv))))
              (local.set $dlo (f64x2.sub (f64x2.promote_low_f32x4 (local.get $xv)) (local.get $m2)))
              (local.set $dhi (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xv) (local.get $xv))) (local.get $m2)))
              (local.set $sg0 (f64x2.add (local.get $sg0) (local.get $glo)))
              (local.set $sg1 (f64x2.add (local.get $sg1) (local.get $ghi)))
              (local.set $sd0 (f64x2.add (local.get $sd0) (f64x2.mul (local.get $glo) (local.get $dlo))))
              (local.set $sd1 (f64x2.add (local.get $sd1) (f64x2.mul (local.get $ghi) (local.get $dhi))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $k (i32.sub (local.get $k) (i32.const 4)))
              (br $vl)))
            (block $od (loop $ol
              (br_if $od (i32.eqz (local.get $k)))
              (local.set $gf (f64.promote_f32 (f32.load (local.get $p))))
              (local.set $sg (f64.add (local.get $sg) (local.get $gf)))
              (local.set $sd (f64.add (local.get $sd)
                (f64.mul (local.get $gf) (f64.sub (f64.promote_f32 (f32.load (local.get $q))) (local.get $md)))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br $ol)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))
          (local.set $sg0 (f64x2.add (local.get $sg0) (local.get $sg1)))
          (local.set $sd0 (f64x2.add (local.get $sd0) (local.get $sd1)))
          (f64.store (i32.add (local.get $sums) (i32.shl (local.get $c) (i32.const 3)))
            (f64.add (local.get $sg) (f64.add (f64x2.extract_lane 0 (local.get $sg0)) (f64x2.extract_lane 1 (local.get $sg0)))))
          (f64.store (i32.add (local.get $sums) (i32.shl (i32.add (local.get $c) (local.get $C)) (i32.const 3)))
            (f64.add (local.get $sd) (f64.add (f64x2.extract_lane 0 (local.get $sd0)) (f64x2.extract_lane 1 (local.get $sd0))))))
        (else
          (local.set $kf (f32.load (i32.add (local.get $coef) (i32.shl (local.get $c) (i32.const 2)))))
          (local.set $mgf (f32.load (i32.add (local.get $coef) (i32.shl (i32.add (local.get $c) (local.get $C)) (i32.const 2)))))
          (local.set $mxf (f32.load (i32.add (local.get $coef) (i32.shl (i32.add (local.get $c) (i32.shl (local.get $C) (i32.const 1))) (i32.const 2)))))
          (local.set $kv (f32x4.splat (local.get $kf)))
          (local.set $mgv (f32x4.splat (local.get $mgf)))
          (local.set $mxv (f32x4.splat (local.get $mxf)))
          (local.set $n (i32.const 0))
          (block $d (loop $l
            (br_if $d (i32.ge_u (local.get $n) (local.get $N)))
            (local.set $row (i32.mul (i32.add (i32.mul (local.get $n) (local.get $C)) (local.get $c)) (local.get $rowBytes)))
            (local.set $p (i32.add (local.get $g) (local.get $row)))
            (local.set $q (i32.add (local.get $x) (local.get $row)))
            (local.set $o (i32.add (local.get $gx) (local.get $row)))
            (local.set $k (local.get $S))
            (block $vd (loop $vl
              (br_if $vd (i32.lt_u (local.get $k) (i32.const 4)))
              (v128.store (local.get $o)
                (f32x4.mul (local.get $kv)
                  (f32x4.sub
                    (f32x4.sub (v128.load (local.get $p)) (local.get $mgv))
                    (f32x4.mul (f32x4.sub (v128.load (local.get $q)) (local.get $m)) (local.get $mxv)))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $o (i32.add (local.get $o) (i32.const 16)))
              (local.set $k (i32.sub (local.get $k) (i32.const 4)))
              (br $vl)))
            (block $od (loop $ol
              (br_if $od (i32.eqz (local.get $k)))
              (f32.store (local.get $o)
                (f32.mul (local.get $kf)
                  (f32.sub
                    (f32.sub (f32.load (local.get $p)) (local.get $mgf))
                    (f32.mul (f32.sub (f32.load (local.get $q)) (local.get $mf)) (local.get $mxf)))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (local.set $o (i32.add (local.get $o) (i32.const 4)))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br $ol)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $cLoop))))

  ;; Direct convolutions, for a stride of 1 along the width: no column matrix. The operands are
  ;; first copied into a zero-padded layout (`pad`: planes of Hp x Wp with the data at (pH, pW)),
  ;; wide enough that output columns ox .. ox+3 read padded columns ox+j*dW .. ox+j*dW+3 at kernel
  ;; column j: one f32x4 load serves four output positions, at every kernel offset. Each output
  ;; row is cut into nv = ceil(oW/4) such vectors; the lanes of a row's last vector past oW (its
  ;; tail) are computed but not stored (forward) or masked off (gradients), so that whatever the
  ;; padding columns meet, an infinity times a zero included, never reaches a result.
  ;; A kernel offset k = (c, i, j) of a group is a byte offset in a padded plane stack,
  ;; (c*Hp*Wp + i*dH*Wp + j*dW)*4, from a table conv.ts writes. The gradient kernels read the
  ;; output gradient as `vectors` lays it out, U = oH*nv vectors per plane: the Uf full vectors of
  ;; the rows, then the rows' tails; the position table holds the x byte offset in a padded plane
  ;; of each of them, in that order.
  ;;
  ;; The task is 33 i32 at $p (conv.ts writes them; `chunk` runs one part of it):
  ;;   0 kind (0 forward, 1 weight gradient, 2 input gradient, 3 weight gradient by position,
  ;;     4 forward by position)   4 N   8 G (groups)   12 Og   16 K
  ;;   20 padded input (forward, weight gradient) or input gradient (input gradient)
  ;;   24 its bytes per image   28 its bytes per group   32 bytes from an output row to the next (sH*Wp*4)
  ;;   36 output y (forward) or padded gradient gy (N x O x U vectors)   40 O   44 L (oH*oW)
  ;;   48 oW   52 oH   56 nv   60 U (oH*nv)   64 packed weights (forward, input gradient) or gw
  ;;   68 offset table   72 bias (forward; 0: none)   76 position table   80 units per chunk
  ;;   84 Uf   88 oW % 4
  ;;   92 input gradient out (N x C x H x W)   96 H   100 W   104 pH   108 pW   112 Hp   116 Wp   120 C
  ;;   124 kW   128 dW*4
  ;; The forward's offset table has one entry per kernel row (c, i), the others one per (c, i, j).
  ;; Kinds 3 and 4 (one group, O a multiple of 16) read 36 as gy transposed (N·L x O; kind 3) or
  ;; write it as y (kind 4), and 64 as gw (kind 3) or weights packed [K][O] (kind 4).

  ;; n floats from $s to $d (no overlap), four at a time, then one at a time
  (func $copy (param $d i32) (param $s i32) (param $n i32)
    (block $done
      (loop $vec
        (br_if $done (i32.lt_u (local.get $n) (i32.const 4)))
        (v128.store (local.get $d) (v128.load (local.get $s)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vec)))
    (block $done
      (loop $one
        (br_if $done (i32.eqz (local.get $n)))
        (f32.store (local.get $d) (f32.load (local.get $s)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $one))))

  ;; `planes` planes of H x W floats at $src into planes of Hp x Wp at $dst, the data at row
  ;; $top and column $left, zeros elsewhere (Hp >= top + H, Wp >= left + W). The loops of a row
  ;; are inline: with calls, LeNet's 5,376 rows of 14 floats took twice as long.
  (func (export "pad") (param $src i32) (param $planes i32) (param $H i32) (param $W i32)
    (param $dst i32) (param $Hp i32) (param $Wp i32) (param $top i32) (param $left i32)
    (local $h i32) (local $d i32) (local $e i32) (local $s i32) (local $end i32) (local $rowEnd i32)
    (block $done (loop $plane
      (br_if $done (i32.eqz (local.get $planes)))
      (call $zero (local.get $dst) (i32.mul (local.get $top) (local.get $Wp)))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $top) (local.get $Wp)) (i32.const 2))))
      (local.set $h (local.get $H))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.eqz (local.get $h)))
        (local.set $d (local.get $dst))
        (local.set $e (i32.add (local.get $dst) (i32.shl (local.get $left) (i32.const 2))))
        (block $z (loop $zl
          (br_if $z (i32.ge_u (local.get $d) (local.get $e)))
          (f32.store (local.get $d) (f32.const 0))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (br $zl)))
        (local.set $s (local.get $src))
        (local.set $end (i32.add (local.get $d) (i32.shl (local.get $W) (i32.const 2))))
        (local.set $e (i32.sub (local.get $end) (i32.const 12)))
        (block $v (loop $vl
          (br_if $v (i32.ge_s (local.get $d) (local.get $e)))
          (v128.store (local.get $d) (v128.load (local.get $s)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (local.set $s (i32.add (local.get $s) (i32.const 16)))
          (br $vl)))
        (block $o (loop $ol
          (br_if $o (i32.ge_u (local.get $d) (local.get $end)))
          (f32.store (local.get $d) (f32.load (local.get $s)))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (local.set $s (i32.add (local.get $s) (i32.const 4)))
          (br $ol)))
        (local.set $rowEnd (i32.add (local.get $dst) (i32.shl (local.get $Wp) (i32.const 2))))
        (block $z (loop $zl
          (br_if $z (i32.ge_u (local.get $d) (local.get $rowEnd)))
          (f32.store (local.get $d) (f32.const 0))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (br $zl)))
        (local.set $src (local.get $s))
        (local.set $dst (local.get $rowEnd))
        (local.set $h (i32.sub (local.get $h) (i32.const 1)))
        (br $row)))
      (local.set $h (i32.mul (i32.sub (local.get $Hp) (i32.add (local.get $top) (local.get $H))) (local.get $Wp)))
      (call $zero (local.get $dst) (local.get $h))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $h) (i32.const 2))))
      (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
      (br $plane))))

  ;; The output gradient as the gradient kernels read it: `planes` planes of H x W floats at $src
  ;; as vectors at $dst, per plane the rows' H * floor(W/4) full vectors, then their H tails
  ;; (W % 4 floats and zeros; none when W % 4 = 0, and then the layout is the input's)
  (func (export "vectors") (param $src i32) (param $planes i32) (param $H i32) (param $W i32) (param $dst i32)
    (local $h i32) (local $n i32) (local $s i32) (local $r i32) (local $full i32) (local $t v128)
    (local.set $full (i32.shr_u (local.get $W) (i32.const 2)))
    (local.set $r (i32.and (local.get $W) (i32.const 3)))
    (block $done (loop $plane
      (br_if $done (i32.eqz (local.get $planes)))
      (local.set $s (local.get $src))
      (local.set $h (local.get $H))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.eqz (local.get $h)))
        (local.set $n (local.get $full))
        (block $v (loop $vl
          (br_if $v (i32.eqz (local.get $n)))
          (v128.store (local.get $dst) (v128.load (local.get $s)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (local.set $s (i32.add (local.get $s) (i32.const 16)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $vl)))
        (local.set $s (i32.add (local.get $s) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $h (i32.sub (local.get $h) (i32.const 1)))
        (br $row)))
      (if (local.get $r)
        (then
          (local.set $s (i32.add (local.get $src) (i32.shl (local.get $full) (i32.const 4))))
          (local.set $h (local.get $H))
          (loop $tails
            (local.set $t (v128.const i32x4 0 0 0 0))
            (local.set $t (v128.load32_lane 0 (local.get $s) (local.get $t)))
            (if (i32.gt_u (local.get $r) (i32.const 1)) (then (local.set $t (v128.load32_lane offset=4 1 (local.get $s) (local.get $t)))))
            (if (i32.gt_u (local.get $r) (i32.const 2)) (then (local.set $t (v128.load32_lane offset=8 2 (local.get $s) (local.get $t)))))
            (v128.store (local.get $dst) (local.get $t))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $s (i32.add (local.get $s) (i32.shl (local.get $W) (i32.const 2))))
            (br_if $tails (local.tee $h (i32.sub (local.get $h) (i32.const 1)))))))
      (local.set $src (i32.add (local.get $src) (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2))))
      (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
      (br $plane))))

  ;; the first n (0 to 4) lanes of v at $d
  (func $storeN (param $d i32) (param $v v128) (param $n i32)
    (if (i32.ge_s (local.get $n) (i32.const 4)) (then (v128.store (local.get $d) (local.get $v)) (return)))
    (if (i32.ge_s (local.get $n) (i32.const 2))
      (then
        (v128.store64_lane 0 (local.get $d) (local.get $v))
        (if (i32.eq (local.get $n) (i32.const 3)) (then (v128.store32_lane offset=8 2 (local.get $d) (local.get $v)))))
      (else (if (i32.eq (local.get $n) (i32.const 1)) (then (v128.store32_lane 0 (local.get $d) (local.get $v)))))))

  ;; Forward micro-kernel: 4 output channels (weights packed [K][4], $rows of them real) x two
  ;; position vectors a and b (x at $pa, $pb; y at $ya, $yb, channels $L4 bytes apart, $na and
  ;; $nb lanes stored); the sums start from the bias ($bias, 0: none). Per kernel offset: 2
  ;; vector loads, 4 broadcasts, 8 multiply-adds, like gemm.wat's 4x8 micro-kernel. The offsets
  ;; come as $R kernel rows (c, i) from the table at $rowp, each of $kW columns $dW4 bytes apart:
  ;; a table load per offset instead cost 10-15% (LeNet's second convolution). Whole vectors are
  ;; stored in place, $storeN called only for a row's tail (the calls cost LeNet's first
  ;; convolution, 25 offsets per tile, about 6%).
  (func $fwd4 (param $R i32) (param $kW i32) (param $dW4 i32) (param $pw i32) (param $rowp i32) (param $pa i32) (param $pb i32)
    (param $ya i32) (param $yb i32) (param $L4 i32) (param $na i32) (param $nb i32) (param $rows i32) (param $bias i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $xa v128) (local $xb v128) (local $t v128) (local $o i32) (local $j i32) (local $qa i32) (local $qb i32)
    (if (local.get $bias)
      (then
        (local.set $c00 (v128.load32_splat (local.get $bias)))
        (local.set $c01 (local.get $c00))
        (local.set $c10 (v128.load32_splat offset=4 (local.get $bias)))
        (local.set $c11 (local.get $c10))
        (local.set $c20 (v128.load32_splat offset=8 (local.get $bias)))
        (local.set $c21 (local.get $c20))
        (if (i32.gt_u (local.get $rows) (i32.const 3))
          (then
            (local.set $c30 (v128.load32_splat offset=12 (local.get $bias)))
            (local.set $c31 (local.get $c30))))))
    (loop $rows
      (local.set $o (i32.load (local.get $rowp)))
      (local.set $qa (i32.add (local.get $pa) (local.get $o)))
      (local.set $qb (i32.add (local.get $pb) (local.get $o)))
      (local.set $j (local.get $kW))
      (loop $k
      (local.set $xa (v128.load (local.get $qa)))
      (local.set $xb (v128.load (local.get $qb)))
      (local.set $t (v128.load32_splat (local.get $pw)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $t) (local.get $xa))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $t) (local.get $xb))))
      (local.set $t (v128.load32_splat offset=4 (local.get $pw)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $t) (local.get $xa))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $t) (local.get $xb))))
      (local.set $t (v128.load32_splat offset=8 (local.get $pw)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $t) (local.get $xa))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $t) (local.get $xb))))
      (local.set $t (v128.load32_splat offset=12 (local.get $pw)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $t) (local.get $xa))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $t) (local.get $xb))))
      (local.set $qa (i32.add (local.get $qa) (local.get $dW4)))
      (local.set $qb (i32.add (local.get $qb) (local.get $dW4)))
      (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
      (br_if $k (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
      (local.set $rowp (i32.add (local.get $rowp) (i32.const 4)))
      (br_if $rows (local.tee $R (i32.sub (local.get $R) (i32.const 1)))))
    (if (i32.ge_s (local.get $na) (i32.const 4)) (then (v128.store (local.get $ya) (local.get $c00))) (else (call $storeN (local.get $ya) (local.get $c00) (local.get $na))))
    (if (i32.ge_s (local.get $nb) (i32.const 4)) (then (v128.store (local.get $yb) (local.get $c01))) (else (call $storeN (local.get $yb) (local.get $c01) (local.get $nb))))
    (local.set $ya (i32.add (local.get $ya) (local.get $L4)))
    (local.set $yb (i32.add (local.get $yb) (local.get $L4)))
    (if (i32.ge_s (local.get $na) (i32.const 4)) (then (v128.store (local.get $ya) (local.get $c10))) (else (call $storeN (local.get $ya) (local.get $c10) (local.get $na))))
    (if (i32.ge_s (local.get $nb) (i32.const 4)) (then (v128.store (local.get $yb) (local.get $c11))) (else (call $storeN (local.get $yb) (local.get $c11) (local.get $nb))))
    (local.set $ya (i32.add (local.get $ya) (local.get $L4)))
    (local.set $yb (i32.add (local.get $yb) (local.get $L4)))
    (if (i32.ge_s (local.get $na) (i32.const 4)) (then (v128.store (local.get $ya) (local.get $c20))) (else (call $storeN (local.get $ya) (local.get $c20) (local.get $na))))
    (if (i32.ge_s (local.get $nb) (i32.const 4)) (then (v128.store (local.get $yb) (local.get $c21))) (else (call $storeN (local.get $yb) (local.get $c21) (local.get $nb))))
    (if (i32.gt_u (local.get $rows) (i32.const 3))
      (then
        (local.set $ya (i32.add (local.get $ya) (local.get $L4)))
        (local.set $yb (i32.add (local.get $yb) (local.get $L4)))
        (if (i32.ge_s (local.get $na) (i32.const 4)) (then (v128.store (local.get $ya) (local.get $c30))) (else (call $storeN (local.get $ya) (local.get $c30) (local.get $na))))
        (if (i32.ge_s (local.get $nb) (i32.const 4)) (then (v128.store (local.get $yb) (local.get $c31))) (else (call $storeN (local.get $yb) (local.get $c31) (local.get $nb)))))))

  ;; $fwd4 for 1 or 2 output channels (weights packed [K][2]). The kernel columns alternate
  ;; between two sets of 4 sums, added at the end: with one set, each sum waited for the last
  ;; multiply-add on it (4 chains against $fwd4's 8), and LeNet's first convolution spent as long on
  ;; its last 2 channels as on its first 4.
  (func $fwd2 (param $R i32) (param $kW i32) (param $dW4 i32) (param $pw i32) (param $rowp i32) (param $pa i32) (param $pb i32)
    (param $ya i32) (param $yb i32) (param $L4 i32) (param $na i32) (param $nb i32) (param $rows i32) (param $bias i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $d00 v128) (local $d01 v128) (local $d10 v128) (local $d11 v128)
    (local $xa v128) (local $xb v128) (local $t v128) (local $o i32) (local $j i32) (local $qa i32) (local $qb i32)
    (if (local.get $bias)
      (then
        (local.set $c00 (v128.load32_splat (local.get $bias)))
        (local.set $c01 (local.get $c00))
        (if (i32.gt_u (local.get $rows) (i32.const 1))
          (then
            (local.set $c10 (v128.load32_splat offset=4 (local.get $bias)))
            (local.set $c11 (local.get $c10))))))
    (loop $rows
      (local.set $o (i32.load (local.get $rowp)))
      (local.set $qa (i32.add (local.get $pa) (local.get $o)))
      (local.set $qb (i32.add (local.get $pb) (local.get $o)))
      (local.set $j (local.get $kW))
      (block $pairsDone (loop $pairs
        (br_if $pairsDone (i32.lt_u (local.get $j) (i32.const 2)))
        (local.set $xa (v128.load (local.get $qa)))
        (local.set $xb (v128.load (local.get $qb)))
        (local.set $t (v128.load32_splat (local.get $pw)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $t) (local.get $xa))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $t) (local.get $xb))))
        (local.set $t (v128.load32_splat offset=4 (local.get $pw)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $t) (local.get $xa))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $t) (local.get $xb))))
        (local.set $qa (i32.add (local.get $qa) (local.get $dW4)))
        (local.set $qb (i32.add (local.get $qb) (local.get $dW4)))
        (local.set $pw (i32.add (local.get $pw) (i32.const 8)))
        (local.set $xa (v128.load (local.get $qa)))
        (local.set $xb (v128.load (local.get $qb)))
        (local.set $t (v128.load32_splat (local.get $pw)))
        (local.set $d00 (f32x4.add (local.get $d00) (f32x4.mul (local.get $t) (local.get $xa))))
        (local.set $d01 (f32x4.add (local.get $d01) (f32x4.mul (local.get $t) (local.get $xb))))
        (local.set $t (v128.load32_splat offset=4 (local.get $pw)))
        (local.set $d10 (f32x4.add (local.get $d10) (f32x4.mul (local.get $t) (local.get $xa))))
        (local.set $d11 (f32x4.add (local.get $d11) (f32x4.mul (local.get $t) (local.get $xb))))
        (local.set $qa (i32.add (local.get $qa) (local.get $dW4)))
        (local.set $qb (i32.add (local.get $qb) (local.get $dW4)))
        (local.set $pw (i32.add (local.get $pw) (i32.const 8)))
        (local.set $j (i32.sub (local.get $j) (i32.const 2)))
        (br $pairs)))
      (if (local.get $j)
        (then
        (local.set $xa (v128.load (local.get $qa)))
        (local.set $xb (v128.load (local.get $qb)))
        (local.set $t (v128.load32_splat (local.get $pw)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $t) (local.get $xa))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $t) (local.get $xb))))
        (local.set $t (v128.load32_splat offset=4 (local.get $pw)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $t) (local.get $xa))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $t) (local.get $xb))))
        (local.set $qa (i32.add (local.get $qa) (local.get $dW4)))
        (local.set $qb (i32.add (local.get $qb) (local.get $dW4)))
        (local.set $pw (i32.add (local.get $pw) (i32.const 8)))
        ))
      (local.set $rowp (i32.add (local.get $rowp) (i32.const 4)))
      (br_if $rows (local.tee $R (i32.sub (local.get $R) (i32.const 1)))))
    (local.set $c00 (f32x4.add (local.get $c00) (local.get $d00)))
    (local.set $c01 (f32x4.add (local.get $c01) (local.get $d01)))
    (local.set $c10 (f32x4.add (local.get $c10) (local.get $d10)))
    (local.set $c11 (f32x4.add (local.get $c11) (local.get $d11)))
    (if (i32.ge_s (local.get $na) (i32.const 4)) (then (v128.store (local.get $ya) (local.get $c00))) (else (call $storeN (local.get $ya) (local.get $c00) (local.get $na))))
    (if (i32.ge_s (local.get $nb) (i32.const 4)) (then (v128.store (local.get $yb) (local.get $c01))) (else (call $storeN (local.get $yb) (local.get $c01) (local.get $nb))))
    (if (i32.gt_u (local.get $rows) (i32.const 1))
      (then
        (local.set $ya (i32.add (local.get $ya) (local.get $L4)))
        (local.set $yb (i32.add (local.get $yb) (local.get $L4)))
        (if (i32.ge_s (local.get $na) (i32.const 4)) (then (v128.store (local.get $ya) (local.get $c10))) (else (call $storeN (local.get $ya) (local.get $c10) (local.get $na))))
        (if (i32.ge_s (local.get $nb) (i32.const 4)) (then (v128.store (local.get $yb) (local.get $c11))) (else (call $storeN (local.get $yb) (local.get $c11) (local.get $nb)))))))

  ;; Forward, rows [chunk*per, chunk*per + per) of the N*oH output rows: y = bias + W * x for
  ;; every group and output channel at the rows' position vectors, two vectors at a time (they
  ;; may lie in different rows or images). Weights packed per group in tiles of 4 channels
  ;; ([K][4]; a last tile of 1 or 2 channels [K][2], of 3 padded with a zero channel).
  (func $forward (param $p i32) (param $chunk i32)
    (local $t i32) (local $t1 i32) (local $n i32) (local $oy i32) (local $v i32)
    (local $pa i32) (local $pb i32) (local $ya i32) (local $yb i32) (local $na i32) (local $nb i32)
    (local $O i32) (local $L4 i32) (local $oW i32) (local $oH i32) (local $nv i32) (local $K i32)
    (local $g i32) (local $G i32) (local $Og i32) (local $o i32) (local $rows i32) (local $wp i32) (local $bias i32)
    (local $r0 i32) (local $R i32) (local $kW i32) (local $dW4 i32)
    (local.set $K (i32.load offset=16 (local.get $p)))
    (local.set $kW (i32.load offset=124 (local.get $p)))
    (local.set $dW4 (i32.load offset=128 (local.get $p)))
    (local.set $R (i32.div_u (local.get $K) (local.get $kW)))
    (local.set $G (i32.load offset=8 (local.get $p)))
    (local.set $Og (i32.load offset=12 (local.get $p)))
    (local.set $O (i32.load offset=40 (local.get $p)))
    (local.set $L4 (i32.shl (i32.load offset=44 (local.get $p)) (i32.const 2)))
    (local.set $oW (i32.load offset=48 (local.get $p)))
    (local.set $oH (i32.load offset=52 (local.get $p)))
    (local.set $nv (i32.load offset=56 (local.get $p)))
    (local.set $r0 (i32.mul (local.get $chunk) (i32.load offset=80 (local.get $p))))
    ;; vectors t .. t1 of the flattened (n, oy, v) sequence
    (local.set $t1 (i32.mul (i32.add (local.get $r0) (i32.load offset=80 (local.get $p))) (local.get $nv)))
    (local.set $t (i32.mul (i32.mul (i32.load offset=4 (local.get $p)) (local.get $oH)) (local.get $nv)))
    (if (i32.gt_u (local.get $t1) (local.get $t)) (then (local.set $t1 (local.get $t))))
    (local.set $t (i32.mul (local.get $r0) (local.get $nv)))
    (local.set $n (i32.div_u (local.get $r0) (local.get $oH)))
    (local.set $oy (i32.rem_u (local.get $r0) (local.get $oH)))
    (local.set $v (i32.const 0))
    (block $done (loop $tiles
      (br_if $done (i32.ge_u (local.get $t) (local.get $t1)))
      ;; vector a: x at xp + n*imgX + oy*rowX + 16v, y at y + (n*O*L + oy*oW + 4v)*4
      (local.set $pa (i32.add (i32.load offset=20 (local.get $p))
        (i32.add (i32.mul (local.get $n) (i32.load offset=24 (local.get $p)))
          (i32.add (i32.mul (local.get $oy) (i32.load offset=32 (local.get $p))) (i32.shl (local.get $v) (i32.const 4))))))
      (local.set $ya (i32.add (i32.add (i32.load offset=36 (local.get $p)) (i32.mul (i32.mul (local.get $n) (local.get $O)) (local.get $L4)))
        (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $oW)) (i32.shl (local.get $v) (i32.const 2))) (i32.const 2))))
      (local.set $na (i32.sub (local.get $oW) (i32.shl (local.get $v) (i32.const 2))))
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (if (i32.eq (local.get $v) (local.get $nv))
        (then
          (local.set $v (i32.const 0))
          (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
          (if (i32.eq (local.get $oy) (local.get $oH))
            (then (local.set $oy (i32.const 0)) (local.set $n (i32.add (local.get $n) (i32.const 1)))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      ;; vector b; past the chunk's end a copy of a that is not stored
      (if (i32.lt_u (local.get $t) (local.get $t1))
        (then
          (local.set $pb (i32.add (i32.load offset=20 (local.get $p))
            (i32.add (i32.mul (local.get $n) (i32.load offset=24 (local.get $p)))
              (i32.add (i32.mul (local.get $oy) (i32.load offset=32 (local.get $p))) (i32.shl (local.get $v) (i32.const 4))))))
          (local.set $yb (i32.add (i32.add (i32.load offset=36 (local.get $p)) (i32.mul (i32.mul (local.get $n) (local.get $O)) (local.get $L4)))
            (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $oW)) (i32.shl (local.get $v) (i32.const 2))) (i32.const 2))))
          (local.set $nb (i32.sub (local.get $oW) (i32.shl (local.get $v) (i32.const 2))))
          (local.set $v (i32.add (local.get $v) (i32.const 1)))
          (if (i32.eq (local.get $v) (local.get $nv))
            (then
              (local.set $v (i32.const 0))
              (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
              (if (i32.eq (local.get $oy) (local.get $oH))
                (then (local.set $oy (i32.const 0)) (local.set $n (i32.add (local.get $n) (i32.const 1)))))))
          (local.set $t (i32.add (local.get $t) (i32.const 1))))
        (else (local.set $pb (local.get $pa)) (local.set $yb (local.get $ya)) (local.set $nb (i32.const 0))))
      (local.set $wp (i32.load offset=64 (local.get $p)))
      (local.set $bias (i32.load offset=72 (local.get $p)))
      (local.set $g (i32.const 0))
      (loop $groups
        (local.set $o (i32.const 0))
        (loop $channels
          (local.set $rows (i32.sub (local.get $Og) (local.get $o)))
          (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
          (if (i32.gt_u (local.get $rows) (i32.const 2))
            (then
              (call $fwd4 (local.get $R) (local.get $kW) (local.get $dW4) (local.get $wp) (i32.load offset=68 (local.get $p)) (local.get $pa) (local.get $pb)
                (local.get $ya) (local.get $yb) (local.get $L4) (local.get $na) (local.get $nb) (local.get $rows) (local.get $bias))
              (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $K) (i32.const 4)))))
            (else
              (call $fwd2 (local.get $R) (local.get $kW) (local.get $dW4) (local.get $wp) (i32.load offset=68 (local.get $p)) (local.get $pa) (local.get $pb)
                (local.get $ya) (local.get $yb) (local.get $L4) (local.get $na) (local.get $nb) (local.get $rows) (local.get $bias))
              (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $K) (i32.const 3))))))
          (if (local.get $bias) (then (local.set $bias (i32.add (local.get $bias) (i32.shl (local.get $rows) (i32.const 2))))))
          (local.set $ya (i32.add (local.get $ya) (i32.mul (local.get $rows) (local.get $L4))))
          (local.set $yb (i32.add (local.get $yb) (i32.mul (local.get $rows) (local.get $L4))))
          (br_if $channels (i32.lt_u (local.tee $o (i32.add (local.get $o) (local.get $rows))) (local.get $Og))))
        (local.set $pa (i32.add (local.get $pa) (i32.load offset=28 (local.get $p))))
        (local.set $pb (i32.add (local.get $pb) (i32.load offset=28 (local.get $p))))
        (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) (local.get $G))))
      (br $tiles))))

  ;; Weight gradient, tiles [chunk*per, chunk*per + per) of the G x ceil(Og/2) x ceil(K/4) tiles
  ;; (group, pair of output channels, four kernel offsets): gw[g*Og + o, k] = the sum over images
  ;; and positions of gy[n, g*Og + o, pos] * x[n, group g, pos + off[k]], in 8 f32x4 sums per
  ;; tile; the x lanes of tail vectors past oW are masked off. A tile's kernel offsets past K and
  ;; channel past Og repeat real ones and are not stored.
  (func $wgrad (param $p i32) (param $chunk i32)
    (local $t i32) (local $t1 i32) (local $nk i32) (local $no i32) (local $o i32) (local $k i32) (local $g i32)
    (local $k0 i32) (local $k1 i32) (local $k2 i32) (local $k3 i32) (local $dg i32)
    (local $xg i32) (local $gg i32) (local $px i32) (local $pg i32) (local $e i32) (local $cnt i32) (local $n i32)
    (local $q i32) (local $K i32) (local $Og i32) (local $dst i32) (local $mask v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $y0 v128) (local $y1 v128) (local $x v128)
    (local.set $K (i32.load offset=16 (local.get $p)))
    (local.set $Og (i32.load offset=12 (local.get $p)))
    (local.set $nk (i32.shr_u (i32.add (local.get $K) (i32.const 3)) (i32.const 2)))
    (local.set $no (i32.shr_u (i32.add (local.get $Og) (i32.const 1)) (i32.const 1)))
    (local.set $mask (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.load offset=88 (local.get $p)))))
    (local.set $t (i32.mul (local.get $chunk) (i32.load offset=80 (local.get $p))))
    (local.set $t1 (i32.add (local.get $t) (i32.load offset=80 (local.get $p))))
    (local.set $q (i32.mul (i32.load offset=8 (local.get $p)) (i32.mul (local.get $no) (local.get $nk))))
    (if (i32.gt_u (local.get $t1) (local.get $q)) (then (local.set $t1 (local.get $q))))
    (block $done (loop $tiles
      (br_if $done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $g (i32.div_u (local.get $t) (i32.mul (local.get $no) (local.get $nk))))
      (local.set $q (i32.rem_u (local.get $t) (i32.mul (local.get $no) (local.get $nk))))
      (local.set $o (i32.shl (i32.div_u (local.get $q) (local.get $nk)) (i32.const 1)))
      (local.set $k (i32.shl (i32.rem_u (local.get $q) (local.get $nk)) (i32.const 2)))
      (local.set $q (i32.add (i32.load offset=68 (local.get $p)) (i32.shl (local.get $k) (i32.const 2))))
      (local.set $k0 (i32.load (local.get $q)))
      (local.set $k1 (i32.load (select (i32.add (local.get $q) (i32.const 4)) (local.get $q)
        (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $K)))))
      (local.set $k2 (i32.load (select (i32.add (local.get $q) (i32.const 8)) (local.get $q)
        (i32.lt_u (i32.add (local.get $k) (i32.const 2)) (local.get $K)))))
      (local.set $k3 (i32.load (select (i32.add (local.get $q) (i32.const 12)) (local.get $q)
        (i32.lt_u (i32.add (local.get $k) (i32.const 3)) (local.get $K)))))
      ;; the second channel's plane, or the first's again
      (local.set $dg (select (i32.shl (i32.load offset=60 (local.get $p)) (i32.const 4)) (i32.const 0)
        (i32.lt_u (i32.add (local.get $o) (i32.const 1)) (local.get $Og))))
      (local.set $xg (i32.add (i32.load offset=20 (local.get $p)) (i32.mul (local.get $g) (i32.load offset=28 (local.get $p)))))
      (local.set $gg (i32.add (i32.load offset=36 (local.get $p))
        (i32.shl (i32.mul (i32.add (i32.mul (local.get $g) (local.get $Og)) (local.get $o)) (i32.load offset=60 (local.get $p))) (i32.const 4))))
      (local.set $c00 (v128.const i32x4 0 0 0 0))
      (local.set $c01 (v128.const i32x4 0 0 0 0))
      (local.set $c02 (v128.const i32x4 0 0 0 0))
      (local.set $c03 (v128.const i32x4 0 0 0 0))
      (local.set $c10 (v128.const i32x4 0 0 0 0))
      (local.set $c11 (v128.const i32x4 0 0 0 0))
      (local.set $c12 (v128.const i32x4 0 0 0 0))
      (local.set $c13 (v128.const i32x4 0 0 0 0))
      (local.set $n (i32.const 0))
      (loop $images
        (local.set $px (i32.add (local.get $xg) (i32.mul (local.get $n) (i32.load offset=24 (local.get $p)))))
        (local.set $pg (i32.add (local.get $gg)
          (i32.shl (i32.mul (i32.mul (local.get $n) (i32.load offset=40 (local.get $p))) (i32.load offset=60 (local.get $p))) (i32.const 4))))
        (local.set $e (i32.load offset=76 (local.get $p)))
        (local.set $cnt (i32.load offset=84 (local.get $p)))
        (block $fullDone (loop $full
          (br_if $fullDone (i32.eqz (local.get $cnt)))
          (local.set $y0 (v128.load (local.get $pg)))
          (local.set $y1 (v128.load (i32.add (local.get $pg) (local.get $dg))))
          (local.set $q (i32.add (local.get $px) (i32.load (local.get $e))))
          (local.set $x (v128.load (i32.add (local.get $q) (local.get $k0))))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $y0) (local.get $x))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $y1) (local.get $x))))
          (local.set $x (v128.load (i32.add (local.get $q) (local.get $k1))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $y0) (local.get $x))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $y1) (local.get $x))))
          (local.set $x (v128.load (i32.add (local.get $q) (local.get $k2))))
          (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $y0) (local.get $x))))
          (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $y1) (local.get $x))))
          (local.set $x (v128.load (i32.add (local.get $q) (local.get $k3))))
          (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $y0) (local.get $x))))
          (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $y1) (local.get $x))))
          (local.set $pg (i32.add (local.get $pg) (i32.const 16)))
          (local.set $e (i32.add (local.get $e) (i32.const 4)))
          (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
          (br $full)))
        (local.set $cnt (i32.sub (i32.load offset=60 (local.get $p)) (i32.load offset=84 (local.get $p))))
        (block $tailDone (loop $tail
          (br_if $tailDone (i32.eqz (local.get $cnt)))
          (local.set $y0 (v128.load (local.get $pg)))
          (local.set $y1 (v128.load (i32.add (local.get $pg) (local.get $dg))))
          (local.set $q (i32.add (local.get $px) (i32.load (local.get $e))))
          (local.set $x (v128.and (v128.load (i32.add (local.get $q) (local.get $k0))) (local.get $mask)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $y0) (local.get $x))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $y1) (local.get $x))))
          (local.set $x (v128.and (v128.load (i32.add (local.get $q) (local.get $k1))) (local.get $mask)))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $y0) (local.get $x))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $y1) (local.get $x))))
          (local.set $x (v128.and (v128.load (i32.add (local.get $q) (local.get $k2))) (local.get $mask)))
          (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $y0) (local.get $x))))
          (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $y1) (local.get $x))))
          (local.set $x (v128.and (v128.load (i32.add (local.get $q) (local.get $k3))) (local.get $mask)))
          (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $y0) (local.get $x))))
          (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $y1) (local.get $x))))
          (local.set $pg (i32.add (local.get $pg) (i32.const 16)))
          (local.set $e (i32.add (local.get $e) (i32.const 4)))
          (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
          (br $tail)))
        (br_if $images (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.load offset=4 (local.get $p)))))
      ;; gw[g*Og + o, k .. k+3] and the next channel's, as far as they exist
      (local.set $dst (i32.add (i32.load offset=64 (local.get $p))
        (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $g) (local.get $Og)) (local.get $o)) (local.get $K)) (local.get $k)) (i32.const 2))))
      (local.set $q (i32.sub (local.get $K) (local.get $k)))
      (f32.store (local.get $dst) (call $hsum (local.get $c00)))
      (if (i32.gt_u (local.get $q) (i32.const 1)) (then (f32.store offset=4 (local.get $dst) (call $hsum (local.get $c01)))))
      (if (i32.gt_u (local.get $q) (i32.const 2)) (then (f32.store offset=8 (local.get $dst) (call $hsum (local.get $c02)))))
      (if (i32.gt_u (local.get $q) (i32.const 3)) (then (f32.store offset=12 (local.get $dst) (call $hsum (local.get $c03)))))
      (if (local.get $dg)
        (then
          (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $K) (i32.const 2))))
          (f32.store (local.get $dst) (call $hsum (local.get $c10)))
          (if (i32.gt_u (local.get $q) (i32.const 1)) (then (f32.store offset=4 (local.get $dst) (call $hsum (local.get $c11)))))
          (if (i32.gt_u (local.get $q) (i32.const 2)) (then (f32.store offset=8 (local.get $dst) (call $hsum (local.get $c12)))))
          (if (i32.gt_u (local.get $q) (i32.const 3)) (then (f32.store offset=12 (local.get $dst) (call $hsum (local.get $c13)))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; Forward by position, one group and O a multiple of 16: y[n, o, pos] = bias[o] + the sum
  ;; over kernel offsets k of W[o, k] * x[n, pos + off[k]], with 16 output channels as four vectors
  ;; (weights packed [K][O]) times x broadcast at two output columns ($tileT4), so that every lane
  ;; is an output element wherever a row ends (LeNet's rows of 10 outputs filled 10 of 12 lanes of
  ;; the position-vector kernel). Units [chunk*per, chunk*per + per) of the N x oH x O/16 output
  ;; rows of a channel group; results are stored lane by lane, the columns past oW not at all.
  ;; (For 5-8 channels, 2 vectors x 4 columns padded to 8 channels ran slower than $fwd4 and $fwd2
  ;; on LeNet's first convolution: 1.02 against 0.80 ms on one thread.)
  (func $forwardT (param $p i32) (param $chunk i32)
    (local $t i32) (local $t1 i32) (local $r i32) (local $og i32) (local $oy i32) (local $n i32)
    (local $nOg i32) (local $x0 i32) (local $L4 i32) (local $oW i32)
    (local $base i32) (local $pw i32) (local $ya i32) (local $bias i32) (local $no i32)
    (local.set $nOg (i32.shr_u (i32.load offset=40 (local.get $p)) (i32.const 4)))
    (local.set $oW (i32.load offset=48 (local.get $p)))
    (local.set $L4 (i32.shl (i32.load offset=44 (local.get $p)) (i32.const 2)))
    ;; units: output rows of one channel group, (n, oy, og) with og fastest
    (local.set $t (i32.mul (local.get $chunk) (i32.load offset=80 (local.get $p))))
    (local.set $t1 (i32.add (local.get $t) (i32.load offset=80 (local.get $p))))
    (local.set $r (i32.mul (i32.mul (i32.load offset=4 (local.get $p)) (i32.load offset=52 (local.get $p))) (local.get $nOg)))
    (if (i32.gt_u (local.get $t1) (local.get $r)) (then (local.set $t1 (local.get $r))))
    (local.set $og (i32.rem_u (local.get $t) (local.get $nOg)))
    (local.set $r (i32.div_u (local.get $t) (local.get $nOg)))
    (local.set $oy (i32.rem_u (local.get $r) (i32.load offset=52 (local.get $p))))
    (local.set $n (i32.div_u (local.get $r) (i32.load offset=52 (local.get $p))))
    (block $done (loop $units
      (br_if $done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $base (i32.add (i32.add (i32.load offset=20 (local.get $p)) (i32.mul (local.get $n) (i32.load offset=24 (local.get $p))))
        (i32.mul (local.get $oy) (i32.load offset=32 (local.get $p)))))
      ;; channel group og: 16 channels from 16·og, their weights 64·og bytes into each row of O
      (local.set $pw (i32.add (i32.load offset=64 (local.get $p)) (i32.shl (local.get $og) (i32.const 6))))
      (local.set $bias (i32.load offset=72 (local.get $p)))
      (if (local.get $bias) (then (local.set $bias (i32.add (local.get $bias) (i32.shl (local.get $og) (i32.const 6))))))
      (local.set $no (i32.sub (i32.load offset=40 (local.get $p)) (i32.shl (local.get $og) (i32.const 4))))
      (local.set $ya (i32.add (i32.load offset=36 (local.get $p))
        (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (i32.load offset=40 (local.get $p))) (i32.shl (local.get $og) (i32.const 4))) (local.get $L4))
          (i32.shl (i32.mul (local.get $oy) (local.get $oW)) (i32.const 2)))))
      (local.set $x0 (i32.const 0))
      (loop $columns
        (call $tileT4 (local.get $p) (local.get $base) (local.get $pw) (local.get $bias) (local.get $ya) (local.get $L4) (i32.sub (local.get $oW) (local.get $x0)) (local.get $no))
        (local.set $base (i32.add (local.get $base) (i32.const 8)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 8)))
        (br_if $columns (i32.lt_u (local.tee $x0 (i32.add (local.get $x0) (i32.const 2))) (local.get $oW))))
      (local.set $og (i32.add (local.get $og) (i32.const 1)))
      (if (i32.eq (local.get $og) (local.get $nOg))
        (then
          (local.set $og (i32.const 0))
          (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
          (if (i32.eq (local.get $oy) (i32.load offset=52 (local.get $p)))
            (then (local.set $oy (i32.const 0)) (local.set $n (i32.add (local.get $n) (i32.const 1)))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $units))))

  ;; 16 channels x 2 columns of $forwardT: per kernel offset, 2 broadcasts and 4 weight vectors
  (func $tileT4 (param $p i32) (param $base i32) (param $pw i32) (param $bias i32) (param $ya i32) (param $L4 i32) (param $nv i32) (param $no i32)
    (local $R i32) (local $kW i32) (local $dW4 i32) (local $wB i32) (local $rowp i32) (local $q i32) (local $j i32)
    (local $c0a v128) (local $c1a v128) (local $c2a v128) (local $c3a v128)
    (local $c0b v128) (local $c1b v128) (local $c2b v128) (local $c3b v128)
    (local $w v128) (local $xa v128) (local $xb v128)
    (local.set $kW (i32.load offset=124 (local.get $p)))
    (local.set $dW4 (i32.load offset=128 (local.get $p)))
    (local.set $R (i32.div_u (i32.load offset=16 (local.get $p)) (local.get $kW)))
    (local.set $wB (i32.shl (i32.load offset=100 (local.get $p)) (i32.const 2)))
    (local.set $rowp (i32.load offset=68 (local.get $p)))
    (if (local.get $bias)
      (then
        (local.set $c0a (v128.load (local.get $bias)))
        (local.set $c1a (v128.load offset=16 (local.get $bias)))
        (local.set $c2a (v128.load offset=32 (local.get $bias)))
        (local.set $c3a (v128.load offset=48 (local.get $bias)))
        (local.set $c0b (local.get $c0a))
        (local.set $c1b (local.get $c1a))
        (local.set $c2b (local.get $c2a))
        (local.set $c3b (local.get $c3a))))
    (loop $rows
      (local.set $q (i32.add (local.get $base) (i32.load (local.get $rowp))))
      (local.set $j (local.get $kW))
      (loop $k
        (local.set $xa (v128.load32_splat (local.get $q)))
        (local.set $xb (v128.load32_splat offset=4 (local.get $q)))
        (local.set $w (v128.load (local.get $pw)))
        (local.set $c0a (f32x4.add (local.get $c0a) (f32x4.mul (local.get $w) (local.get $xa))))
        (local.set $c0b (f32x4.add (local.get $c0b) (f32x4.mul (local.get $w) (local.get $xb))))
        (local.set $w (v128.load offset=16 (local.get $pw)))
        (local.set $c1a (f32x4.add (local.get $c1a) (f32x4.mul (local.get $w) (local.get $xa))))
        (local.set $c1b (f32x4.add (local.get $c1b) (f32x4.mul (local.get $w) (local.get $xb))))
        (local.set $w (v128.load offset=32 (local.get $pw)))
        (local.set $c2a (f32x4.add (local.get $c2a) (f32x4.mul (local.get $w) (local.get $xa))))
        (local.set $c2b (f32x4.add (local.get $c2b) (f32x4.mul (local.get $w) (local.get $xb))))
        (local.set $w (v128.load offset=48 (local.get $pw)))
        (local.set $c3a (f32x4.add (local.get $c3a) (f32x4.mul (local.get $w) (local.get $xa))))
        (local.set $c3b (f32x4.add (local.get $c3b) (f32x4.mul (local.get $w) (local.get $xb))))
        (local.set $q (i32.add (local.get $q) (local.get $dW4)))
        (local.set $pw (i32.add (local.get $pw) (local.get $wB)))
        (br_if $k (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
      (local.set $rowp (i32.add (local.get $rowp) (i32.const 4)))
      (br_if $rows (local.tee $R (i32.sub (local.get $R) (i32.const 1)))))
    (call $storeChannels (local.get $ya) (local.get $L4) (local.get $no) (local.get $c0a) (local.get $c1a) (local.get $c2a) (local.get $c3a))
    (if (i32.gt_s (local.get $nv) (i32.const 1))
      (then (call $storeChannels (i32.add (local.get $ya) (i32.const 4)) (local.get $L4) (local.get $no) (local.get $c0b) (local.get $c1b) (local.get $c2b) (local.get $c3b)))))

  ;; The lanes of a, b, c, d (channels 0 .. 15, $n of them real) at $dst, $dst + $s, ...
  (func $storeChannels (param $dst i32) (param $s i32) (param $n i32) (param $a v128) (param $b v128) (param $c v128) (param $d v128)
    (call $storePair (local.get $dst) (local.get $s) (local.get $n) (local.get $a) (local.get $b))
    (if (i32.gt_s (local.get $n) (i32.const 8))
      (then (call $storePair (i32.add (local.get $dst) (i32.shl (local.get $s) (i32.const 3))) (local.get $s) (i32.sub (local.get $n) (i32.const 8)) (local.get $c) (local.get $d)))))

  ;; The lanes of a and b (channels 0 .. 7, $n of them real) at $dst, $dst + $s, ...
  (func $storePair (param $dst i32) (param $s i32) (param $n i32) (param $a v128) (param $b v128)
    (call $storeLanesN (local.get $dst) (local.get $s) (local.get $a) (local.get $n))
    (if (i32.gt_s (local.get $n) (i32.const 4))
      (then (call $storeLanesN (i32.add (local.get $dst) (i32.shl (local.get $s) (i32.const 2))) (local.get $s) (local.get $b) (i32.sub (local.get $n) (i32.const 4))))))

  (func $storeLanesN (param $dst i32) (param $s i32) (param $v v128) (param $n i32)
    (f32.store (local.get $dst) (f32x4.extract_lane 0 (local.get $v)))
    (if (i32.gt_s (local.get $n) (i32.const 1)) (then (f32.store (i32.add (local.get $dst) (local.get $s)) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.gt_s (local.get $n) (i32.const 2)) (then (f32.store (i32.add (local.get $dst) (i32.shl (local.get $s) (i32.const 1))) (f32x4.extract_lane 2 (local.get $v)))))
    (if (i32.gt_s (local.get $n) (i32.const 3)) (then (f32.store (i32.add (local.get $dst) (i32.mul (local.get $s) (i32.const 3))) (f32x4.extract_lane 3 (local.get $v))))))

  ;; gy (N, O, L) as gyT (N·L, O): each position's O output-channel gradients contiguous, for
  ;; $wgradT. O is a multiple of 4; blocks of 4 channels x 4 positions are transposed in registers,
  ;; the positions past the last multiple of 4 one by one.
  (func (export "transposeGy") (param $src i32) (param $N i32) (param $O i32) (param $L i32) (param $dst i32)
    (local $n i32) (local $o i32) (local $l i32) (local $s i32) (local $d i32) (local $rowB i32) (local $colB i32) (local $r i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowB (i32.shl (local.get $L) (i32.const 2)))
    (local.set $colB (i32.shl (local.get $O) (i32.const 2)))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $o (i32.const 0))
      (block $oDone (loop $oLoop
        (br_if $oDone (i32.ge_u (local.get $o) (local.get $O)))
        ;; gy[n, o .. o+3, 0] and gyT[n·L, o]
        (local.set $s (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $O)) (local.get $o)) (local.get $rowB))))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.mul (local.get $n) (local.get $L)) (local.get $O)) (local.get $o)) (i32.const 2))))
        (local.set $l (i32.const 0))
        (block $lDone (loop $lLoop
          (br_if $lDone (i32.gt_u (i32.add (local.get $l) (i32.const 4)) (local.get $L)))
          (local.set $r0 (v128.load (local.get $s)))
          (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $rowB))))
          (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $rowB) (i32.const 1)))))
          (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $rowB) (i32.const 3)))))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
          (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
          (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
          (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
          (v128.store (i32.add (local.get $d) (local.get $colB)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
          (v128.store (i32.add (local.get $d) (i32.shl (local.get $colB) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
          (v128.store (i32.add (local.get $d) (i32.mul (local.get $colB) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
          (local.set $s (i32.add (local.get $s) (i32.const 16)))
          (local.set $d (i32.add (local.get $d) (i32.shl (local.get $colB) (i32.const 2))))
          (local.set $l (i32.add (local.get $l) (i32.const 4)))
          (br $lLoop)))
        (block $tDone (loop $tLoop
          (br_if $tDone (i32.ge_u (local.get $l) (local.get $L)))
          (local.set $r (i32.const 0))
          (loop $four
            (f32.store (i32.add (local.get $d) (i32.shl (local.get $r) (i32.const 2)))
              (f32.load (i32.add (local.get $s) (i32.mul (local.get $r) (local.get $rowB)))))
            (br_if $four (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
          (local.set $s (i32.add (local.get $s) (i32.const 4)))
          (local.set $d (i32.add (local.get $d) (local.get $colB)))
          (local.set $l (i32.add (local.get $l) (i32.const 1)))
          (br $tLoop)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $oLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop))))

  ;; Weight gradient from gyT (see transposeGy), for one group and O a multiple of 16: tiles
  ;; [chunk*per, chunk*per + per) of the O/16 x ceil(K/2) tiles (16 output channels, two kernel
  ;; offsets k0 and k1 = k0 + 1): gw[o, k] = the sum over images n, output rows oy and columns ox of
  ;; gyT[n, oy, ox, o] * x[n, pos + off[k]], the 16 channels as 4 vectors and x broadcast, in
  ;; order of (n, oy, ox) whatever the split. Per position: 4 vector loads, 2 broadcasts and 8
  ;; multiply-adds, every lane used (the position-vector kernel above computes whole vectors past
  ;; a row's end and reads a position table). A tile's k1 past K repeats k0 and is not stored.
  (func $wgradT (param $p i32) (param $chunk i32)
    (local $t i32) (local $t1 i32) (local $nk i32) (local $og i32) (local $k0 i32) (local $K i32) (local $O4 i32)
    (local $oa i32) (local $ob i32) (local $n i32) (local $oy i32) (local $base i32) (local $pa i32) (local $pb i32)
    (local $pg i32) (local $cnt i32) (local $dst i32) (local $two i32)
    (local $c0a v128) (local $c1a v128) (local $c2a v128) (local $c3a v128)
    (local $c0b v128) (local $c1b v128) (local $c2b v128) (local $c3b v128)
    (local $g v128) (local $xa v128) (local $xb v128)
    (local.set $K (i32.load offset=16 (local.get $p)))
    (local.set $O4 (i32.shl (i32.load offset=40 (local.get $p)) (i32.const 2)))
    (local.set $nk (i32.shr_u (i32.add (local.get $K) (i32.const 1)) (i32.const 1)))
    (local.set $t (i32.mul (local.get $chunk) (i32.load offset=80 (local.get $p))))
    (local.set $t1 (i32.add (local.get $t) (i32.load offset=80 (local.get $p))))
    (local.set $cnt (i32.mul (i32.shr_u (i32.load offset=40 (local.get $p)) (i32.const 4)) (local.get $nk)))
    (if (i32.gt_u (local.get $t1) (local.get $cnt)) (then (local.set $t1 (local.get $cnt))))
    (block $done (loop $tiles
      (br_if $done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $og (i32.div_u (local.get $t) (local.get $nk)))
      (local.set $k0 (i32.shl (i32.rem_u (local.get $t) (local.get $nk)) (i32.const 1)))
      (local.set $two (i32.lt_u (i32.add (local.get $k0) (i32.const 1)) (local.get $K)))
      (local.set $oa (i32.load (i32.add (i32.load offset=68 (local.get $p)) (i32.shl (local.get $k0) (i32.const 2)))))
      (local.set $ob (select (i32.load offset=4 (i32.add (i32.load offset=68 (local.get $p)) (i32.shl (local.get $k0) (i32.const 2))))
        (local.get $oa) (local.get $two)))
      (local.set $c0a (v128.const i32x4 0 0 0 0))
      (local.set $c1a (v128.const i32x4 0 0 0 0))
      (local.set $c2a (v128.const i32x4 0 0 0 0))
      (local.set $c3a (v128.const i32x4 0 0 0 0))
      (local.set $c0b (v128.const i32x4 0 0 0 0))
      (local.set $c1b (v128.const i32x4 0 0 0 0))
      (local.set $c2b (v128.const i32x4 0 0 0 0))
      (local.set $c3b (v128.const i32x4 0 0 0 0))
      (local.set $pg (i32.add (i32.load offset=36 (local.get $p)) (i32.shl (local.get $og) (i32.const 6))))
      (local.set $n (i32.const 0))
      (loop $images
        (local.set $base (i32.add (i32.load offset=20 (local.get $p)) (i32.mul (local.get $n) (i32.load offset=24 (local.get $p)))))
        (local.set $oy (i32.load offset=52 (local.get $p)))
        (loop $rows
          (local.set $pa (i32.add (local.get $base) (local.get $oa)))
          (local.set $pb (i32.add (local.get $base) (local.get $ob)))
          (local.set $cnt (i32.load offset=48 (local.get $p)))
          (loop $cols
            (local.set $xa (v128.load32_splat (local.get $pa)))
            (local.set $xb (v128.load32_splat (local.get $pb)))
            (local.set $g (v128.load (local.get $pg)))
            (local.set $c0a (f32x4.add (local.get $c0a) (f32x4.mul (local.get $g) (local.get $xa))))
            (local.set $c0b (f32x4.add (local.get $c0b) (f32x4.mul (local.get $g) (local.get $xb))))
            (local.set $g (v128.load offset=16 (local.get $pg)))
            (local.set $c1a (f32x4.add (local.get $c1a) (f32x4.mul (local.get $g) (local.get $xa))))
            (local.set $c1b (f32x4.add (local.get $c1b) (f32x4.mul (local.get $g) (local.get $xb))))
            (local.set $g (v128.load offset=32 (local.get $pg)))
            (local.set $c2a (f32x4.add (local.get $c2a) (f32x4.mul (local.get $g) (local.get $xa))))
            (local.set $c2b (f32x4.add (local.get $c2b) (f32x4.mul (local.get $g) (local.get $xb))))
            (local.set $g (v128.load offset=48 (local.get $pg)))
            (local.set $c3a (f32x4.add (local.get $c3a) (f32x4.mul (local.get $g) (local.get $xa))))
            (local.set $c3b (f32x4.add (local.get $c3b) (f32x4.mul (local.get $g) (local.get $xb))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
            (local.set $pg (i32.add (local.get $pg) (local.get $O4)))
            (br_if $cols (local.tee $cnt (i32.sub (local.get $cnt) (i32.const 1)))))
          (local.set $base (i32.add (local.get $base) (i32.load offset=32 (local.get $p))))
          (br_if $rows (local.tee $oy (i32.sub (local.get $oy) (i32.const 1)))))
        (br_if $images (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.load offset=4 (local.get $p)))))
      ;; gw[og*16 + o, k0] for o = 0 .. 15, K floats apart, then k1's
      (local.set $dst (i32.add (i32.load offset=64 (local.get $p))
        (i32.shl (i32.add (i32.mul (i32.shl (local.get $og) (i32.const 4)) (local.get $K)) (local.get $k0)) (i32.const 2))))
      (call $storeColumn (local.get $dst) (i32.shl (local.get $K) (i32.const 2)) (local.get $c0a) (local.get $c1a) (local.get $c2a) (local.get $c3a))
      (if (local.get $two)
        (then (call $storeColumn (i32.add (local.get $dst) (i32.const 4)) (i32.shl (local.get $K) (i32.const 2))
          (local.get $c0b) (local.get $c1b) (local.get $c2b) (local.get $c3b))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; The 16 lanes of a, b, c, d at $dst, $dst + $s, $dst + 2·$s, ...
  (func $storeColumn (param $dst i32) (param $s i32) (param $a v128) (param $b v128) (param $c v128) (param $d v128)
    (call $storeLanes (local.get $dst) (local.get $s) (local.get $a))
    (call $storeLanes (i32.add (local.get $dst) (i32.shl (local.get $s) (i32.const 2))) (local.get $s) (local.get $b))
    (call $storeLanes (i32.add (local.get $dst) (i32.shl (local.get $s) (i32.const 3))) (local.get $s) (local.get $c))
    (call $storeLanes (i32.add (local.get $dst) (i32.mul (local.get $s) (i32.const 12))) (local.get $s) (local.get $d)))

  (func $storeLanes (param $dst i32) (param $s i32) (param $v v128)
    (f32.store (local.get $dst) (f32x4.extract_lane 0 (local.get $v)))
    (f32.store (i32.add (local.get $dst) (local.get $s)) (f32x4.extract_lane 1 (local.get $v)))
    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $s) (i32.const 1))) (f32x4.extract_lane 2 (local.get $v)))
    (f32.store (i32.add (local.get $dst) (i32.mul (local.get $s) (i32.const 3))) (f32x4.extract_lane 3 (local.get $v))))

  ;; Input gradient, images [chunk*per, chunk*per + per): gx = sum over output channels o and
  ;; kernel offsets k of W[o, k] * gy[n, o, pos] added at pos + off[k], into the image's
  ;; zeroed padded planes, which are then cropped into the output. Tiles of 4 kernel offsets x 2
  ;; position vectors: 8 f32x4 sums over the group's Og channels, then 8 read-modify-writes.
  ;; conv.ts orders the offsets with the kernel column slowest (j, i, c), so that a tile's 4
  ;; writes hit disjoint or identical vectors: partly overlapping ones would stall on store
  ;; forwarding (3x slower with the (c, i, j) order). Weights packed per group [K/4][Og][4],
  ;; zeros past K, whose sums are not written; the lanes of tail vectors past oW are masked off.
  ;; The read-modify-writes are inline: as calls they took a third of the time.
  (func $dgrad (param $p i32) (param $chunk i32)
    (local $n i32) (local $n1 i32) (local $g i32) (local $u i32) (local $U i32) (local $kq i32) (local $nk i32)
    (local $o i32) (local $Og i32) (local $UB i32) (local $img i32) (local $last i32) (local $valid i32)
    (local $pa i32) (local $pb i32) (local $ga i32) (local $gb i32) (local $ea i32) (local $eb i32) (local $q i32) (local $Uf i32)
    (local $w i32) (local $offp i32) (local $s i32) (local $mask v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $ya v128) (local $yb v128) (local $t v128)
    (local.set $Og (i32.load offset=12 (local.get $p)))
    (local.set $U (i32.load offset=60 (local.get $p)))
    (local.set $Uf (i32.load offset=84 (local.get $p)))
    (local.set $UB (i32.shl (local.get $U) (i32.const 4)))
    (local.set $nk (i32.shr_u (i32.add (i32.load offset=16 (local.get $p)) (i32.const 3)) (i32.const 2)))
    (local.set $last (i32.sub (i32.load offset=16 (local.get $p)) (i32.shl (i32.sub (local.get $nk) (i32.const 1)) (i32.const 2))))
    (local.set $mask (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.load offset=88 (local.get $p)))))
    (local.set $n (i32.mul (local.get $chunk) (i32.load offset=80 (local.get $p))))
    (local.set $n1 (i32.add (local.get $n) (i32.load offset=80 (local.get $p))))
    (if (i32.gt_u (local.get $n1) (i32.load offset=4 (local.get $p))) (then (local.set $n1 (i32.load offset=4 (local.get $p)))))
    (block $done (loop $images
      (br_if $done (i32.ge_u (local.get $n) (local.get $n1)))
      (local.set $img (i32.add (i32.load offset=20 (local.get $p)) (i32.mul (local.get $n) (i32.load offset=24 (local.get $p)))))
      (call $zero (local.get $img) (i32.shr_u (i32.load offset=24 (local.get $p)) (i32.const 2)))
      (local.set $g (i32.const 0))
      (loop $groups
        (local.set $u (i32.const 0))
        (loop $pairs
          (local.set $ea (i32.load (i32.add (i32.load offset=76 (local.get $p)) (i32.shl (local.get $u) (i32.const 2)))))
          (local.set $pa (i32.add (i32.add (local.get $img) (i32.mul (local.get $g) (i32.load offset=28 (local.get $p)))) (local.get $ea)))
          (local.set $ga (i32.add (i32.load offset=36 (local.get $p))
            (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (i32.load offset=40 (local.get $p))) (i32.mul (local.get $g) (local.get $Og)))
              (local.get $U)) (local.get $u)) (i32.const 4))))
          (if (i32.lt_u (i32.add (local.get $u) (i32.const 1)) (local.get $U))
            (then
              (local.set $eb (i32.load offset=4 (i32.add (i32.load offset=76 (local.get $p)) (i32.shl (local.get $u) (i32.const 2)))))
              (local.set $pb (i32.add (i32.add (local.get $img) (i32.mul (local.get $g) (i32.load offset=28 (local.get $p)))) (local.get $eb)))
              (local.set $gb (i32.add (local.get $ga) (i32.const 16))))
            (else (local.set $pb (i32.const 0)) (local.set $gb (local.get $ga))))
          (local.set $w (i32.add (i32.load offset=64 (local.get $p)) (i32.mul (local.get $g) (i32.shl (i32.mul (local.get $nk) (local.get $Og)) (i32.const 4)))))
          (local.set $offp (i32.load offset=68 (local.get $p)))
          (local.set $kq (local.get $nk))
          (loop $quads
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0))
            (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $c31 (v128.const i32x4 0 0 0 0))
            (local.set $s (i32.const 0))
            (local.set $o (local.get $Og))
            (loop $channels
              (local.set $ya (v128.load (i32.add (local.get $ga) (local.get $s))))
              (local.set $yb (v128.load (i32.add (local.get $gb) (local.get $s))))
              (local.set $t (v128.load32_splat (local.get $w)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $t) (local.get $ya))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $t) (local.get $yb))))
              (local.set $t (v128.load32_splat offset=4 (local.get $w)))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $t) (local.get $ya))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $t) (local.get $yb))))
              (local.set $t (v128.load32_splat offset=8 (local.get $w)))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $t) (local.get $ya))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $t) (local.get $yb))))
              (local.set $t (v128.load32_splat offset=12 (local.get $w)))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $t) (local.get $ya))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $t) (local.get $yb))))
              (local.set $s (i32.add (local.get $s) (local.get $UB)))
              (local.set $w (i32.add (local.get $w) (i32.const 16)))
              (br_if $channels (local.tee $o (i32.sub (local.get $o) (i32.const 1)))))
            (local.set $valid (select (local.get $last) (i32.const 4) (i32.eq (local.get $kq) (i32.const 1))))
            (if (i32.ge_u (local.get $u) (local.get $Uf))
              (then
                (local.set $c00 (v128.and (local.get $c00) (local.get $mask)))
                (local.set $c10 (v128.and (local.get $c10) (local.get $mask)))
                (local.set $c20 (v128.and (local.get $c20) (local.get $mask)))
                (local.set $c30 (v128.and (local.get $c30) (local.get $mask)))))
            (local.set $q (i32.add (local.get $pa) (i32.load (local.get $offp))))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $c00)))
            (if (i32.gt_u (local.get $valid) (i32.const 1))
              (then
                (local.set $q (i32.add (local.get $pa) (i32.load offset=4 (local.get $offp))))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $c10)))))
            (if (i32.gt_u (local.get $valid) (i32.const 2))
              (then
                (local.set $q (i32.add (local.get $pa) (i32.load offset=8 (local.get $offp))))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $c20)))))
            (if (i32.gt_u (local.get $valid) (i32.const 3))
              (then
                (local.set $q (i32.add (local.get $pa) (i32.load offset=12 (local.get $offp))))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $c30)))))
            (if (local.get $pb)
              (then
                (if (i32.ge_u (i32.add (local.get $u) (i32.const 1)) (local.get $Uf))
                  (then
                    (local.set $c01 (v128.and (local.get $c01) (local.get $mask)))
                    (local.set $c11 (v128.and (local.get $c11) (local.get $mask)))
                    (local.set $c21 (v128.and (local.get $c21) (local.get $mask)))
                    (local.set $c31 (v128.and (local.get $c31) (local.get $mask)))))
                (local.set $q (i32.add (local.get $pb) (i32.load (local.get $offp))))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $c01)))
                (if (i32.gt_u (local.get $valid) (i32.const 1))
                  (then
                    (local.set $q (i32.add (local.get $pb) (i32.load offset=4 (local.get $offp))))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $c11)))))
                (if (i32.gt_u (local.get $valid) (i32.const 2))
                  (then
                    (local.set $q (i32.add (local.get $pb) (i32.load offset=8 (local.get $offp))))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $c21)))))
                (if (i32.gt_u (local.get $valid) (i32.const 3))
                  (then
                    (local.set $q (i32.add (local.get $pb) (i32.load offset=12 (local.get $offp))))
                (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $c31)))))))
            (local.set $offp (i32.add (local.get $offp) (i32.const 16)))
            (br_if $quads (local.tee $kq (i32.sub (local.get $kq) (i32.const 1)))))
          (br_if $pairs (i32.lt_u (local.tee $u (i32.add (local.get $u) (i32.const 2))) (local.get $U))))
        (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) (i32.load offset=8 (local.get $p)))))
      ;; the image's gradient without its padding
      (call $crop (local.get $img) (i32.load offset=120 (local.get $p))
        (i32.load offset=96 (local.get $p)) (i32.load offset=100 (local.get $p))
        (i32.add (i32.load offset=92 (local.get $p))
          (i32.shl (i32.mul (local.get $n) (i32.mul (i32.load offset=120 (local.get $p))
            (i32.mul (i32.load offset=96 (local.get $p)) (i32.load offset=100 (local.get $p))))) (i32.const 2)))
        (i32.load offset=112 (local.get $p)) (i32.load offset=116 (local.get $p))
        (i32.load offset=104 (local.get $p)) (i32.load offset=108 (local.get $p)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $images))))

  ;; `planes` planes of H x W floats at $dst from planes of Hp x Wp at $src, from row $top and
  ;; column $left on: `pad` undone
  (func $crop (param $src i32) (param $planes i32) (param $H i32) (param $W i32)
    (param $dst i32) (param $Hp i32) (param $Wp i32) (param $top i32) (param $left i32)
    (local $h i32) (local $s i32)
    (block $done (loop $plane
      (br_if $done (i32.eqz (local.get $planes)))
      (local.set $s (i32.add (local.get $src)
        (i32.shl (i32.add (i32.mul (local.get $top) (local.get $Wp)) (local.get $left)) (i32.const 2))))
      (local.set $h (local.get $H))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.eqz (local.get $h)))
        (call $copy (local.get $dst) (local.get $s) (local.get $W))
        (local.set $s (i32.add (local.get $s) (i32.shl (local.get $Wp) (i32.const 2))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $W) (i32.const 2))))
        (local.set $h (i32.sub (local.get $h) (i32.const 1)))
        (br $row)))
      (local.set $src (i32.add (local.get $src) (i32.shl (i32.mul (local.get $Hp) (local.get $Wp)) (i32.const 2))))
      (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
      (br $plane))))

  ;; Part `index` of the task at $p (the worker pool's entry point, see pool.ts; $ws unused)
  (func (export "chunk") (param $p i32) (param $index i32) (param $ws i32)
    (block $fwd
      (block $wg
        (block $dg
          (block $wgT
            (block $fwT
              (br_table $fwd $wg $dg $wgT $fwT (i32.load (local.get $p))))
            (call $forwardT (local.get $p) (local.get $index))
            (return))
          (call $wgradT (local.get $p) (local.get $index))
          (return))
        (call $dgrad (local.get $p) (local.get $index))
        (return))
      (call $wgrad (local.get $p) (local.get $index))
      (return))
    (call $forward (local.get $p) (local.get $index)))
)
