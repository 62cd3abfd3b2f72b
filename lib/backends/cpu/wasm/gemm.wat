;; float32 GEMM for the CPU backend: C[M,N] = A[M,K] @ B[K,N] with f32x4 SIMD.
;;
;; Assembled by lib/backends/cpu/wasm/build.mjs (npm `wabt`) into gemm.wasm and gemm_fma.wasm
;; (see below), loaded by gemm.ts.
;; The GotoBLAS scheme: B is packed one KC x NC block at a time into NR-column strips (k-major),
;; A one MC x KC block at a time into MR-row strips, and a register-blocked micro-kernel multiplies
;; one A strip by one B strip with its MR x NR accumulators in v128 locals. A B strip (KC x NR,
;; 8 KiB) stays in L1 while the A strips of the block stream from L2. Packing row-major A and
;; column-major B (the forward pass of nn.Linear: x @ W.t()) transposes 4x4 blocks in registers,
;; so it costs a few percent of a product (one float at a time it took about a quarter at K = 784).
;;
;; The memory is imported and shared: JS copies the operands in and the result out, and the
;; worker pool's instances run on the same memory, each with its own workspace (`ws`).
;; All pointers are byte addresses; strides and leading dimensions count float32 elements.
;;
;; Tile 4x8: 8 accumulators + 2 B vectors + 1 broadcast A = 11 of the 16 xmm registers V8 has on
;; x64, so the accumulators stay in registers; per k step 6 loads feed 8 multiply-adds. In isolation
;; the kernel runs at about 45 GFLOP/s with f32x4.mul + f32x4.add and 51 with a fused multiply-add
;; (two 128-bit FMA ports here); 3x12 measured about the same and wastes more on edges (N = 64).
;;
;; Two binaries come from this source (build.mjs): gemm.wasm as written, and gemm_fma.wasm where
;; every `(f32x4.add (local.get $c) (f32x4.mul (local.get $x) (local.get $y)))` becomes
;; `(f32x4.relaxed_madd (local.get $x) (local.get $y) (local.get $c))`, so keep the micro-kernel's
;; products in exactly that form. gemm.ts loads gemm_fma.wasm where the runtime accepts relaxed
;; SIMD. relaxed_madd may or may not fuse, as the CPU allows: with FMA (x64 with FMA3, arm64) each
;; step rounds once, without it the product is rounded before the add, as in gemm.wasm; both are
;; allowed results, so products on different machines may differ in the last bits. Either way the
;; results are float32 dot products summed in k order, and NaN and infinity propagate as in BLAS.
;; Every chunk of a product runs the same binary, so the worker pool matches one thread bit for bit.

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; MR = 4 rows, NR = 8 columns, KC = 256, MC = 128, NC = 512 (see the header)
  ;; workspace: packed A (MC*KC floats), packed B (KC*NC floats), one edge tile (MR*NR floats)
  (func (export "workspaceBytes") (result i32)
    (i32.const 655488))   ;; (128*256 + 256*512 + 4*8) * 4

  ;; Packs A[0:mc, 0:kc] (element strides rs, cs) into MR-row strips at dst:
  ;; strip s holds kc groups of MR floats (rows s*MR .. s*MR+3 at one k); rows past mc are zeros.
  ;; Whole strips of row-major A (cs = 1) move as 4x4 blocks transposed in registers, those of
  ;; column-major A (rs = 1) one vector per k; the rest one float at a time.
  (func $packA (param $src i32) (param $rs i32) (param $cs i32) (param $mc i32) (param $kc i32) (param $dst i32)
    (local $row i32) (local $rows i32) (local $k i32) (local $p i32) (local $d i32)
    (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rs (i32.shl (local.get $rs) (i32.const 2)))
    (local.set $row (i32.const 0))
    (local.set $rows (i32.and (local.get $mc) (i32.const -4)))
    (if (i32.eq (local.get $cs) (i32.const 1))
      (then
        (block $done
          (loop $strip
            (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
            (local.set $p (i32.add (local.get $src) (i32.mul (local.get $row) (local.get $rs))))
            (local.set $p1 (i32.add (local.get $p) (local.get $rs)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $rs)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $rs)))
            (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $row) (local.get $kc)) (i32.const 2))))
            (if (local.tee $k (i32.shr_u (local.get $kc) (i32.const 2)))
              (then
                (loop $quad
              (local.set $r0 (v128.load (local.get $p)))
              (local.set $r1 (v128.load (local.get $p1)))
              (local.set $r2 (v128.load (local.get $p2)))
              (local.set $r3 (v128.load (local.get $p3)))
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
              (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
              (v128.store offset=0 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
              (v128.store offset=16 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
              (v128.store offset=32 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
              (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                  (local.set $p (i32.add (local.get $p) (i32.const 16)))
                  (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
                  (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
                  (local.set $p3 (i32.add (local.get $p3) (i32.const 16)))
                  (local.set $d (i32.add (local.get $d) (i32.const 64)))
                  (br_if $quad (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
            ;; the last kc % 4 columns
            (if (local.tee $k (i32.and (local.get $kc) (i32.const 3)))
              (then
                (loop $single
                  (f32.store (local.get $d) (f32.load (local.get $p)))
                  (f32.store offset=4 (local.get $d) (f32.load (local.get $p1)))
                  (f32.store offset=8 (local.get $d) (f32.load (local.get $p2)))
                  (f32.store offset=12 (local.get $d) (f32.load (local.get $p3)))
                  (local.set $p (i32.add (local.get $p) (i32.const 4)))
                  (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
                  (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
                  (local.set $p3 (i32.add (local.get $p3) (i32.const 4)))
                  (local.set $d (i32.add (local.get $d) (i32.const 16)))
                  (br_if $single (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
            (local.set $row (i32.add (local.get $row) (i32.const 4)))
            (br $strip)))))
    (local.set $cs (i32.shl (local.get $cs) (i32.const 2)))
    (if (i32.eq (local.get $rs) (i32.const 4))
      (then
        (block $done
          (loop $strip
            (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
            (local.set $p (i32.add (local.get $src) (i32.shl (local.get $row) (i32.const 2))))
            (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $row) (local.get $kc)) (i32.const 2))))
            (local.set $k (local.get $kc))
            (loop $copy
              (v128.store (local.get $d) (v128.load (local.get $p)))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (local.set $p (i32.add (local.get $p) (local.get $cs)))
              (br_if $copy (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
            (local.set $row (i32.add (local.get $row) (i32.const 4)))
            (br $strip)))))
    ;; the remaining rows one float at a time, rounded up to a whole strip
    (local.set $rows (i32.and (i32.add (local.get $mc) (i32.const 3)) (i32.const -4)))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
        ;; dst + ((row >> 2) * kc * 4 + (row & 3)) * 4
        (local.set $d
          (i32.add (local.get $dst)
            (i32.shl
              (i32.add
                (i32.mul (i32.shr_u (local.get $row) (i32.const 2)) (i32.shl (local.get $kc) (i32.const 2)))
                (i32.and (local.get $row) (i32.const 3)))
              (i32.const 2))))
        (local.set $k (local.get $kc))
        (if (i32.lt_u (local.get $row) (local.get $mc))
          (then
            (local.set $p (i32.add (local.get $src) (i32.mul (local.get $row) (local.get $rs))))
            (loop $copy
              (f32.store (local.get $d) (f32.load (local.get $p)))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (local.set $p (i32.add (local.get $p) (local.get $cs)))
              (br_if $copy (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
          (else
            (loop $zero
              (f32.store (local.get $d) (f32.const 0))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (br_if $zero (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowLoop))))

  ;; Packs B[0:kc, 0:nc] (element strides rs, cs) into NR-column strips at dst:
  ;; strip s holds kc groups of NR floats (columns s*NR .. s*NR+7 at one k); columns past nc are zeros.
  ;; Whole strips of row-major B (cs = 1) move two vectors per k, those of column-major B (rs = 1)
  ;; as 4x4 blocks transposed in registers; the rest one float at a time.
  (func $packB (param $src i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $nc i32) (param $dst i32)
    (local $col i32) (local $cols i32) (local $k i32) (local $p i32) (local $d i32)
    (local $q1 i32) (local $q2 i32) (local $q3 i32) (local $half i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rs (i32.shl (local.get $rs) (i32.const 2)))
    (local.set $col (i32.const 0))
    (local.set $cols (i32.and (local.get $nc) (i32.const -8)))
    (if (i32.eq (local.get $cs) (i32.const 1))
      (then
        (block $done
          (loop $strip
            (br_if $done (i32.ge_u (local.get $col) (local.get $cols)))
            (local.set $p (i32.add (local.get $src) (i32.shl (local.get $col) (i32.const 2))))
            (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $col) (local.get $kc)) (i32.const 2))))
            (local.set $k (local.get $kc))
            (loop $copy
              (v128.store (local.get $d) (v128.load (local.get $p)))
              (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $p)))
              (local.set $d (i32.add (local.get $d) (i32.const 32)))
              (local.set $p (i32.add (local.get $p) (local.get $rs)))
              (br_if $copy (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
            (local.set $col (i32.add (local.get $col) (i32.const 8)))
            (br $strip)))))
    (local.set $cs (i32.shl (local.get $cs) (i32.const 2)))
    (if (i32.eq (local.get $rs) (i32.const 4))
      (then
        (block $done
          (loop $strip
            (br_if $done (i32.ge_u (local.get $col) (local.get $cols)))
            ;; columns col .. col+3 into the strip's first 4 floats per k, then col+4 .. col+7
            (local.set $half (i32.const 0))
            (loop $halves
              (local.set $p (i32.add (local.get $src) (i32.mul (i32.add (local.get $col) (local.get $half)) (local.get $cs))))
              (local.set $q1 (i32.add (local.get $p) (local.get $cs)))
              (local.set $q2 (i32.add (local.get $q1) (local.get $cs)))
              (local.set $q3 (i32.add (local.get $q2) (local.get $cs)))
              (local.set $d
                (i32.add (local.get $dst)
                  (i32.shl (i32.add (i32.mul (local.get $col) (local.get $kc)) (local.get $half)) (i32.const 2))))
              (if (local.tee $k (i32.shr_u (local.get $kc) (i32.const 2)))
                (then
                  (loop $quad
                (local.set $r0 (v128.load (local.get $p)))
                (local.set $r1 (v128.load (local.get $q1)))
                (local.set $r2 (v128.load (local.get $q2)))
                (local.set $r3 (v128.load (local.get $q3)))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                (v128.store offset=0 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (v128.store offset=32 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (v128.store offset=64 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (v128.store offset=96 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (local.set $q1 (i32.add (local.get $q1) (i32.const 16)))
                    (local.set $q2 (i32.add (local.get $q2) (i32.const 16)))
                    (local.set $q3 (i32.add (local.get $q3) (i32.const 16)))
                    (local.set $d (i32.add (local.get $d) (i32.const 128)))
                    (br_if $quad (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
              ;; the last kc % 4 rows
              (if (local.tee $k (i32.and (local.get $kc) (i32.const 3)))
                (then
                  (loop $single
                    (f32.store (local.get $d) (f32.load (local.get $p)))
                    (f32.store offset=4 (local.get $d) (f32.load (local.get $q1)))
                    (f32.store offset=8 (local.get $d) (f32.load (local.get $q2)))
                    (f32.store offset=12 (local.get $d) (f32.load (local.get $q3)))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (local.set $q1 (i32.add (local.get $q1) (i32.const 4)))
                    (local.set $q2 (i32.add (local.get $q2) (i32.const 4)))
                    (local.set $q3 (i32.add (local.get $q3) (i32.const 4)))
                    (local.set $d (i32.add (local.get $d) (i32.const 32)))
                    (br_if $single (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
              (br_if $halves (i32.eq (local.tee $half (i32.add (local.get $half) (i32.const 4))) (i32.const 4))))
            (local.set $col (i32.add (local.get $col) (i32.const 8)))
            (br $strip)))))
    ;; the remaining columns one float at a time, rounded up to a whole strip
    (local.set $cols (i32.and (i32.add (local.get $nc) (i32.const 7)) (i32.const -8)))
    (block $done
      (loop $colLoop
        (br_if $done (i32.ge_u (local.get $col) (local.get $cols)))
        ;; dst + ((col >> 3) * kc * 8 + (col & 7)) * 4
        (local.set $d
          (i32.add (local.get $dst)
            (i32.shl
              (i32.add
                (i32.mul (i32.shr_u (local.get $col) (i32.const 3)) (i32.shl (local.get $kc) (i32.const 3)))
                (i32.and (local.get $col) (i32.const 7)))
              (i32.const 2))))
        (local.set $k (local.get $kc))
        (if (i32.lt_u (local.get $col) (local.get $nc))
          (then
            (local.set $p (i32.add (local.get $src) (i32.mul (local.get $col) (local.get $cs))))
            (loop $copy
              (f32.store (local.get $d) (f32.load (local.get $p)))
              (local.set $d (i32.add (local.get $d) (i32.const 32)))
              (local.set $p (i32.add (local.get $p) (local.get $rs)))
              (br_if $copy (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
          (else
            (loop $zero
              (f32.store (local.get $d) (f32.const 0))
              (local.set $d (i32.add (local.get $d) (i32.const 32)))
              (br_if $zero (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
        (local.set $col (i32.add (local.get $col) (i32.const 1)))
        (br $colLoop))))

  ;; The 4x8 micro-kernel: C[0:4, 0:8] (leading dimension ldc) = (acc ? C : 0) + a strip @ b strip
  ;; over kc >= 1 steps. One k step per iteration: unrolled twice, TurboFan hoisted the second
  ;; step's broadcasts above the first step's products and spilled accumulators (39 GFLOP/s
  ;; instead of 45 with mul + add, 51 with madd, in isolation).
  (func $kernel (param $kc i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $acc i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $t v128)
    (loop $k
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $b1 (v128.load offset=16 (local.get $b)))
      (local.set $t (v128.load32_splat (local.get $a)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $t) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $t) (local.get $b1))))
      (local.set $t (v128.load32_splat offset=4 (local.get $a)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $t) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $t) (local.get $b1))))
      (local.set $t (v128.load32_splat offset=8 (local.get $a)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $t) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $t) (local.get $b1))))
      (local.set $t (v128.load32_splat offset=12 (local.get $a)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $t) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $t) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (if (local.get $acc)
      (then
        (v128.store (local.get $c) (f32x4.add (local.get $c00) (v128.load (local.get $c))))
        (v128.store offset=16 (local.get $c) (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $c))))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store (local.get $c) (f32x4.add (local.get $c10) (v128.load (local.get $c))))
        (v128.store offset=16 (local.get $c) (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $c))))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store (local.get $c) (f32x4.add (local.get $c20) (v128.load (local.get $c))))
        (v128.store offset=16 (local.get $c) (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $c))))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store (local.get $c) (f32x4.add (local.get $c30) (v128.load (local.get $c))))
        (v128.store offset=16 (local.get $c) (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $c)))))
      (else
        (v128.store (local.get $c) (local.get $c00))
        (v128.store offset=16 (local.get $c) (local.get $c01))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store (local.get $c) (local.get $c10))
        (v128.store offset=16 (local.get $c) (local.get $c11))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store (local.get $c) (local.get $c20))
        (v128.store offset=16 (local.get $c) (local.get $c21))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store (local.get $c) (local.get $c30))
        (v128.store offset=16 (local.get $c) (local.get $c31)))))

  ;; C[0:M, 0:N] (leading dimension ldc) = A @ B, A and B of any element strides.
  ;; ws: this caller's workspace of workspaceBytes() bytes.
  (func (export "gemm")
    (param $M i32) (param $N i32) (param $K i32)
    (param $a i32) (param $ars i32) (param $acs i32)
    (param $b i32) (param $brs i32) (param $bcs i32)
    (param $c i32) (param $ldc i32) (param $ws i32)
    (call $gemm (local.get $M) (local.get $N) (local.get $K) (local.get $a) (local.get $ars) (local.get $acs)
      (local.get $b) (local.get $brs) (local.get $bcs) (local.get $c) (local.get $ldc) (local.get $ws) (i32.const 0)))

  ;; The same, onto C's values when $onto (C += A @ B: addmm's bias, written into C beforehand).
  (func $gemm
    (param $M i32) (param $N i32) (param $K i32)
    (param $a i32) (param $ars i32) (param $acs i32)
    (param $b i32) (param $brs i32) (param $bcs i32)
    (param $c i32) (param $ldc i32) (param $ws i32) (param $onto i32)
    (local $ap i32) (local $bp i32) (local $tile i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $nr i32) (local $ir i32) (local $mr i32) (local $acc i32)
    (local $cp i32) (local $i i32) (local $j i32) (local $src i32) (local $dst i32) (local $kcs i32)
    (local.set $ap (local.get $ws))
    (local.set $bp (i32.add (local.get $ws) (i32.const 131072)))     ;; MC*KC*4
    (local.set $tile (i32.add (local.get $bp) (i32.const 524288)))   ;; KC*NC*4
    (if (i32.eqz (local.get $K)) (then (return)))
    ;; K in blocks of at most KC, all of one depth (rounded up to a multiple of 4) but the last:
    ;; K = 784 as 4 x 196 rather than 256 + 256 + 256 + 16 (KC = 512 measured the same)
    (local.set $kcs (i32.div_u (i32.add (local.get $K) (i32.const 255)) (i32.const 256)))
    (local.set $kcs
      (i32.and
        (i32.add (i32.div_u (i32.add (local.get $K) (i32.sub (local.get $kcs) (i32.const 1))) (local.get $kcs)) (i32.const 3))
        (i32.const -4)))
    (local.set $jc (i32.const 0))
    (block $jcDone (loop $jcLoop
      (br_if $jcDone (i32.ge_u (local.get $jc) (local.get $N)))
      (local.set $nc (select (i32.const 512) (i32.sub (local.get $N) (local.get $jc))
        (i32.lt_u (i32.const 512) (i32.sub (local.get $N) (local.get $jc)))))
      (local.set $pc (i32.const 0))
      (block $pcDone (loop $pcLoop
        (br_if $pcDone (i32.ge_u (local.get $pc) (local.get $K)))
        (local.set $kc (select (local.get $kcs) (i32.sub (local.get $K) (local.get $pc))
          (i32.lt_u (local.get $kcs) (i32.sub (local.get $K) (local.get $pc)))))
        ;; the first K block writes C, later ones add to it
        (local.set $acc (i32.or (i32.ne (local.get $pc) (i32.const 0)) (local.get $onto)))
        (call $packB
          (i32.add (local.get $b)
            (i32.shl (i32.add (i32.mul (local.get $pc) (local.get $brs)) (i32.mul (local.get $jc) (local.get $bcs))) (i32.const 2)))
          (local.get $brs) (local.get $bcs) (local.get $kc) (local.get $nc) (local.get $bp))
        (local.set $ic (i32.const 0))
        (block $icDone (loop $icLoop
          (br_if $icDone (i32.ge_u (local.get $ic) (local.get $M)))
          (local.set $mc (select (i32.const 128) (i32.sub (local.get $M) (local.get $ic))
            (i32.lt_u (i32.const 128) (i32.sub (local.get $M) (local.get $ic)))))
          (call $packA
            (i32.add (local.get $a)
              (i32.shl (i32.add (i32.mul (local.get $ic) (local.get $ars)) (i32.mul (local.get $pc) (local.get $acs))) (i32.const 2)))
            (local.get $ars) (local.get $acs) (local.get $mc) (local.get $kc) (local.get $ap))
          (local.set $jr (i32.const 0))
          (block $jrDone (loop $jrLoop
            (br_if $jrDone (i32.ge_u (local.get $jr) (local.get $nc)))
            (local.set $nr (select (i32.const 8) (i32.sub (local.get $nc) (local.get $jr))
              (i32.lt_u (i32.const 8) (i32.sub (local.get $nc) (local.get $jr)))))
            (local.set $ir (i32.const 0))
            (block $irDone (loop $irLoop
              (br_if $irDone (i32.ge_u (local.get $ir) (local.get $mc)))
              (local.set $mr (select (i32.const 4) (i32.sub (local.get $mc) (local.get $ir))
                (i32.lt_u (i32.const 4) (i32.sub (local.get $mc) (local.get $ir)))))
              ;; &C[ic + ir, jc + jr]
              (local.set $cp
                (i32.add (local.get $c)
                  (i32.shl
                    (i32.add
                      (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc))
                      (i32.add (local.get $jc) (local.get $jr)))
                    (i32.const 2))))
              (if (i32.and (i32.eq (local.get $mr) (i32.const 4)) (i32.eq (local.get $nr) (i32.const 8)))
                (then
                  (call $kernel (local.get $kc)
                    (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                    (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                    (local.get $cp) (local.get $ldc) (local.get $acc)))
                (else
                  ;; an edge tile: compute the whole 4x8 tile aside, then write the part inside C
                  (call $kernel (local.get $kc)
                    (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                    (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                    (local.get $tile) (i32.const 8) (i32.const 0))
                  (local.set $i (i32.const 0))
                  (loop $edgeRow
                    (local.set $src (i32.add (local.get $tile) (i32.shl (local.get $i) (i32.const 5))))
                    (local.set $dst (i32.add (local.get $cp) (i32.shl (i32.mul (local.get $i) (local.get $ldc)) (i32.const 2))))
                    (local.set $j (local.get $nr))
                    (loop $edgeCol
                      (f32.store (local.get $dst)
                        (select
                          (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src)))
                          (f32.load (local.get $src))
                          (local.get $acc)))
                      (local.set $src (i32.add (local.get $src) (i32.const 4)))
                      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                      (br_if $edgeCol (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
                    (br_if $edgeRow (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mr))))))
              (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
              (br $irLoop)))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $jrLoop)))
          (local.set $ic (i32.add (local.get $ic) (i32.const 128)))
          (br $icLoop)))
        (local.set $pc (i32.add (local.get $pc) (local.get $kcs)))
        (br $pcLoop)))
      (local.set $jc (i32.add (local.get $jc) (i32.const 512)))
      (br $jcLoop))))

  ;; One chunk of a batched product, described by 18 i32 at $p (written by gemm.ts):
  ;;   M N K | a abs ars acs | b bbs brs bcs | c cbs ldc | split size perBatch | onto
  ;; (onto: C += A @ B, C holding addmm's bias)
  ;; (pointers in bytes, strides in elements; abs, bbs, cbs step from one batch entry to the next).
  ;; Chunk i is part i % perBatch of batch entry i / perBatch: `size` columns of C from column
  ;; part*size when split = 0, `size` rows from row part*size when split = 1. The worker pool hands
  ;; out chunk indices; each caller passes its own workspace.
  (func (export "chunk") (param $p i32) (param $index i32) (param $ws i32)
    (local $M i32) (local $N i32) (local $bi i32) (local $start i32)
    (local $a i32) (local $b i32) (local $c i32) (local $n i32)
    (local.set $M (i32.load (local.get $p)))
    (local.set $N (i32.load offset=4 (local.get $p)))
    (local.set $bi (i32.div_u (local.get $index) (i32.load offset=64 (local.get $p))))
    (local.set $start
      (i32.mul
        (i32.rem_u (local.get $index) (i32.load offset=64 (local.get $p)))
        (i32.load offset=60 (local.get $p))))
    ;; the batch entry's A, B and C
    (local.set $a (i32.add (i32.load offset=12 (local.get $p))
      (i32.shl (i32.mul (local.get $bi) (i32.load offset=16 (local.get $p))) (i32.const 2))))
    (local.set $b (i32.add (i32.load offset=28 (local.get $p))
      (i32.shl (i32.mul (local.get $bi) (i32.load offset=32 (local.get $p))) (i32.const 2))))
    (local.set $c (i32.add (i32.load offset=44 (local.get $p))
      (i32.shl (i32.mul (local.get $bi) (i32.load offset=48 (local.get $p))) (i32.const 2))))
    (if (i32.load offset=56 (local.get $p))
      (then
        ;; rows start .. start+n of A and C
        (local.set $n (i32.sub (local.get $M) (local.get $start)))
        (local.set $n (select (i32.load offset=60 (local.get $p)) (local.get $n)
          (i32.lt_u (i32.load offset=60 (local.get $p)) (local.get $n))))
        (call $gemm (local.get $n) (local.get $N) (i32.load offset=8 (local.get $p))
          (i32.add (local.get $a) (i32.shl (i32.mul (local.get $start) (i32.load offset=20 (local.get $p))) (i32.const 2)))
          (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
          (local.get $b) (i32.load offset=36 (local.get $p)) (i32.load offset=40 (local.get $p))
          (i32.add (local.get $c) (i32.shl (i32.mul (local.get $start) (i32.load offset=52 (local.get $p))) (i32.const 2)))
          (i32.load offset=52 (local.get $p)) (local.get $ws) (i32.load offset=68 (local.get $p))))
      (else
        ;; columns start .. start+n of B and C
        (local.set $n (i32.sub (local.get $N) (local.get $start)))
        (local.set $n (select (i32.load offset=60 (local.get $p)) (local.get $n)
          (i32.lt_u (i32.load offset=60 (local.get $p)) (local.get $n))))
        (call $gemm (local.get $M) (local.get $n) (i32.load offset=8 (local.get $p))
          (local.get $a) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
          (i32.add (local.get $b) (i32.shl (i32.mul (local.get $start) (i32.load offset=40 (local.get $p))) (i32.const 2)))
          (i32.load offset=36 (local.get $p)) (i32.load offset=40 (local.get $p))
          (i32.add (local.get $c) (i32.shl (local.get $start) (i32.const 2)))
          (i32.load offset=52 (local.get $p)) (local.get $ws) (i32.load offset=68 (local.get $p))))))
)
