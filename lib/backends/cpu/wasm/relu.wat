;; relu and its gradient (threshold_backward) on float32 bits, four lanes at a time, for the CPU
;; backend's sign-bit kernels (../relu.ts), which stage operands here in chunks.
;;
;; Assembled by build.mjs into relu.wasm. Pointers are byte addresses of int32 arrays of n
;; elements (the floats' bits). The integer steps are relu.ts's JavaScript ones lane for lane, so
;; both paths give the same bits: an element is cleared where the float with bits b is <= 0 and
;; not NaN, that is where ((b - 1) | b) has its sign set (b = +0 or the sign bit set) and
;; |b| is not above infinity's bits; a kept NaN gets its quiet bit set.

(module
  (memory (export "memory") 2 2)

  ;; y ← relu(x)
  (func (export "relu") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32) (local $b v128) (local $t v128) (local $ONE v128) (local $INF v128) (local $ABS v128) (local $Q v128)
    (local $s i32) (local $u i32)
    (local.set $ONE (i32x4.splat (i32.const 1)))
    (local.set $INF (i32x4.splat (i32.const 0x7f800000)))
    (local.set $ABS (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $Q (i32x4.splat (i32.const 0x400000)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $b (v128.load (local.get $x)))
        (local.set $t
          (v128.andnot (local.get $b)
            (v128.andnot
              (i32x4.shr_s (v128.or (i32x4.sub (local.get $b) (local.get $ONE)) (local.get $b)) (i32.const 31))
              (i32x4.shr_s (i32x4.sub (local.get $INF) (v128.and (local.get $b) (local.get $ABS))) (i32.const 31)))))
        (v128.store (local.get $o)
          (v128.or (local.get $t)
            (v128.and (i32x4.shr_s (i32x4.sub (local.get $INF) (v128.and (local.get $t) (local.get $ABS))) (i32.const 31)) (local.get $Q))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vloop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (i32.load (local.get $x)))
        (local.set $u
          (i32.and (local.get $s)
            (i32.xor (i32.const -1)
              (i32.and
                (i32.shr_s (i32.or (i32.sub (local.get $s) (i32.const 1)) (local.get $s)) (i32.const 31))
                (i32.xor (i32.const -1) (i32.shr_s (i32.sub (i32.const 0x7f800000) (i32.and (local.get $s) (i32.const 0x7fffffff))) (i32.const 31)))))))
        (i32.store (local.get $o)
          (i32.or (local.get $u)
            (i32.and (i32.shr_s (i32.sub (i32.const 0x7f800000) (i32.and (local.get $u) (i32.const 0x7fffffff))) (i32.const 31)) (i32.const 0x400000))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $sloop))))

  ;; o ← g where y > 0 or y is NaN, else 0 (threshold_backward(g, y, 0))
  (func (export "threshold_backward") (param $g i32) (param $y i32) (param $o i32) (param $n i32)
    (local $end i32) (local $b v128) (local $t v128) (local $ONE v128) (local $INF v128) (local $ABS v128) (local $Q v128)
    (local $s i32) (local $u i32)
    (local.set $ONE (i32x4.splat (i32.const 1)))
    (local.set $INF (i32x4.splat (i32.const 0x7f800000)))
    (local.set $ABS (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $Q (i32x4.splat (i32.const 0x400000)))
    (local.set $end (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $y) (local.get $end)))
        (local.set $b (v128.load (local.get $y)))
        (local.set $t
          (v128.andnot (v128.load (local.get $g))
            (v128.andnot
              (i32x4.shr_s (v128.or (i32x4.sub (local.get $b) (local.get $ONE)) (local.get $b)) (i32.const 31))
              (i32x4.shr_s (i32x4.sub (local.get $INF) (v128.and (local.get $b) (local.get $ABS))) (i32.const 31)))))
        (v128.store (local.get $o)
          (v128.or (local.get $t)
            (v128.and (i32x4.shr_s (i32x4.sub (local.get $INF) (v128.and (local.get $t) (local.get $ABS))) (i32.const 31)) (local.get $Q))))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vloop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $y) (local.get $end)))
        (local.set $s (i32.load (local.get $y)))
        (local.set $u
          (i32.and (i32.load (local.get $g))
            (i32.xor (i32.const -1)
              (i32.and
                (i32.shr_s (i32.or (i32.sub (local.get $s) (i32.const 1)) (local.get $s)) (i32.const 31))
                (i32.xor (i32.const -1) (i32.shr_s (i32.sub (i32.const 0x7f800000) (i32.and (local.get $s) (i32.const 0x7fffffff))) (i32.const 31)))))))
        (i32.store (local.get $o)
          (i32.or (local.get $u)
            (i32.and (i32.shr_s (i32.sub (i32.const 0x7f800000) (i32.and (local.get $u) (i32.const 0x7fffffff))) (i32.const 31)) (i32.const 0x400000))))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $sloop))))
)
