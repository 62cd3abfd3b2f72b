;; relu and its gradient (threshold_backward) on float32, four lanes at a time, for the CPU
;; backend's sign-bit kernels (../relu.ts), which stage operands here in chunks.
;;
;; Assembled by build.mjs into relu.wasm. Pointers are byte addresses of float32 arrays of n
;; elements. An element is kept where its float x (y for the gradient) is > 0 or NaN and cleared to
;; +0 elsewhere (±0 and negatives); a kept NaN gets its quiet bit set. The vector loops decide with
;; float compares (`x > 0 | x != x`: a compare on a denormal takes no microcode assist), eight
;; elements a turn; the scalar tail uses relu.ts's integer steps on the bits, which decide the
;; same, so an element's result does not depend on where it sits. (The integer steps in the vector
;; loop took 2.4x as long: about 14 instructions per four elements against 6.)

(module
  (memory (export "memory") 2 2)

  ;; y ← relu(x)
  (func (export "relu") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32) (local $a v128) (local $b v128) (local $na v128) (local $nb v128) (local $Z v128) (local $Q v128)
    (local $s i32) (local $u i32)
    (local.set $Q (i32x4.splat (i32.const 0x400000)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $a (v128.load (local.get $x)))
        (local.set $b (v128.load offset=16 (local.get $x)))
        (local.set $na (f32x4.ne (local.get $a) (local.get $a)))
        (local.set $nb (f32x4.ne (local.get $b) (local.get $b)))
        (v128.store (local.get $o)
          (v128.or
            (v128.and (local.get $a) (v128.or (f32x4.gt (local.get $a) (local.get $Z)) (local.get $na)))
            (v128.and (local.get $na) (local.get $Q))))
        (v128.store offset=16 (local.get $o)
          (v128.or
            (v128.and (local.get $b) (v128.or (f32x4.gt (local.get $b) (local.get $Z)) (local.get $nb)))
            (v128.and (local.get $nb) (local.get $Q))))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $vloop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 7)) (i32.const 2))))
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
    (local $end i32) (local $a v128) (local $b v128) (local $Z v128) (local $Q v128)
    (local $s i32) (local $u i32)
    (local.set $Q (i32x4.splat (i32.const 0x400000)))
    (local.set $end (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $y) (local.get $end)))
        (local.set $a (v128.load (local.get $y)))
        (local.set $b (v128.load offset=16 (local.get $y)))
        (local.set $a
          (v128.and (v128.load (local.get $g))
            (v128.or (f32x4.gt (local.get $a) (local.get $Z)) (f32x4.ne (local.get $a) (local.get $a)))))
        (local.set $b
          (v128.and (v128.load offset=16 (local.get $g))
            (v128.or (f32x4.gt (local.get $b) (local.get $Z)) (f32x4.ne (local.get $b) (local.get $b)))))
        (v128.store (local.get $o)
          (v128.or (local.get $a) (v128.and (f32x4.ne (local.get $a) (local.get $a)) (local.get $Q))))
        (v128.store offset=16 (local.get $o)
          (v128.or (local.get $b) (v128.and (f32x4.ne (local.get $b) (local.get $b)) (local.get $Q))))
        (local.set $g (i32.add (local.get $g) (i32.const 32)))
        (local.set $y (i32.add (local.get $y) (i32.const 32)))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $vloop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 7)) (i32.const 2))))
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

  ;; relu as above, and at $m the decisions as bits, element i's at bit i mod 8 of byte i / 8
  ;; (1: kept, x > 0 or NaN): threshold_backward_mask's input, 1/32 of the result's size (relu.ts
  ;; keeps it for the gradient, which otherwise reads the whole result again)
  (func (export "relu_mask") (param $x i32) (param $o i32) (param $m i32) (param $n i32)
    (local $end i32) (local $a v128) (local $b v128) (local $ka v128) (local $kb v128) (local $Z v128) (local $Q v128)
    (local $s i32) (local $c i32) (local $bits i32) (local $i i32)
    (local.set $Q (i32x4.splat (i32.const 0x400000)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $a (v128.load (local.get $x)))
        (local.set $b (v128.load offset=16 (local.get $x)))
        (local.set $ka (v128.or (f32x4.gt (local.get $a) (local.get $Z)) (f32x4.ne (local.get $a) (local.get $a))))
        (local.set $kb (v128.or (f32x4.gt (local.get $b) (local.get $Z)) (f32x4.ne (local.get $b) (local.get $b))))
        (v128.store (local.get $o)
          (v128.or (v128.and (local.get $a) (local.get $ka)) (v128.and (f32x4.ne (local.get $a) (local.get $a)) (local.get $Q))))
        (v128.store offset=16 (local.get $o)
          (v128.or (v128.and (local.get $b) (local.get $kb)) (v128.and (f32x4.ne (local.get $b) (local.get $b)) (local.get $Q))))
        (i32.store8 (local.get $m) (i32.or (i32x4.bitmask (local.get $ka)) (i32.shl (i32x4.bitmask (local.get $kb)) (i32.const 4))))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $vloop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 7)) (i32.const 2))))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (i32.load (local.get $x)))
        ;; -1 where the element is cleared (relu's integer steps, see relu above)
        (local.set $c
          (i32.and
            (i32.shr_s (i32.or (i32.sub (local.get $s) (i32.const 1)) (local.get $s)) (i32.const 31))
            (i32.xor (i32.const -1) (i32.shr_s (i32.sub (i32.const 0x7f800000) (i32.and (local.get $s) (i32.const 0x7fffffff))) (i32.const 31)))))
        (local.set $s (i32.and (local.get $s) (i32.xor (i32.const -1) (local.get $c))))
        (i32.store (local.get $o)
          (i32.or (local.get $s)
            (i32.and (i32.shr_s (i32.sub (i32.const 0x7f800000) (i32.and (local.get $s) (i32.const 0x7fffffff))) (i32.const 31)) (i32.const 0x400000))))
        (local.set $bits (i32.or (local.get $bits) (i32.shl (i32.add (local.get $c) (i32.const 1)) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $sloop)))
    (if (local.get $i) (then (i32.store8 (local.get $m) (local.get $bits)))))

  ;; threshold_backward from relu_mask's bits at $m instead of the result: o ← g where the bit is
  ;; set, else +0, a kept NaN quieted, as threshold_backward gives
  (func (export "threshold_backward_mask") (param $g i32) (param $m i32) (param $o i32) (param $n i32)
    (local $end i32) (local $a v128) (local $b v128) (local $k v128) (local $Q v128)
    (local $u i32) (local $bits i32) (local $i i32)
    (local.set $Q (i32x4.splat (i32.const 0x400000)))
    (local.set $end (i32.add (local.get $g) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $g) (local.get $end)))
        (local.set $k (i32x4.splat (i32.load8_u (local.get $m))))
        (local.set $a (v128.and (v128.load (local.get $g))
          (i32x4.ne (v128.and (local.get $k) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 0 0 0 0))))
        (local.set $b (v128.and (v128.load offset=16 (local.get $g))
          (i32x4.ne (v128.and (local.get $k) (v128.const i32x4 16 32 64 128)) (v128.const i32x4 0 0 0 0))))
        (v128.store (local.get $o)
          (v128.or (local.get $a) (v128.and (f32x4.ne (local.get $a) (local.get $a)) (local.get $Q))))
        (v128.store offset=16 (local.get $o)
          (v128.or (local.get $b) (v128.and (f32x4.ne (local.get $b) (local.get $b)) (local.get $Q))))
        (local.set $g (i32.add (local.get $g) (i32.const 32)))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $vloop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 7)) (i32.const 2))))
    (if (i32.lt_u (local.get $g) (local.get $end)) (then (local.set $bits (i32.load8_u (local.get $m)))))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $g) (local.get $end)))
        (local.set $u (i32.and (i32.load (local.get $g))
          (i32.sub (i32.const 0) (i32.and (i32.shr_u (local.get $bits) (local.get $i)) (i32.const 1)))))
        (i32.store (local.get $o)
          (i32.or (local.get $u)
            (i32.and (i32.shr_s (i32.sub (i32.const 0x7f800000) (i32.and (local.get $u) (i32.const 0x7fffffff))) (i32.const 31)) (i32.const 0x400000))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $sloop))))
)
