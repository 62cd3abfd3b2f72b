;; Column sums of float32 rows in float64, for the CPU backend's reductions over a dim that is not
;; the fastest in memory (a bias gradient: the sum over the batch of a [B, N] gradient), which
;; ../reduce.ts stages here row block by row block.
;;
;; Assembled by build.mjs into reduce.wasm. acc[j] += x[r, j] for the rows r in order, each float
;; widened to float64 and added to its column's float64 sum: the order and the arithmetic of
;; reduce.ts's JavaScript loop, so both give the same bits.

(module
  (memory (export "memory") 4 4)

  ;; acc (cols float64 at $acc) += the rows x rows x cols float32 at $x (rows cols floats apart)
  (func (export "colsum") (param $x i32) (param $rows i32) (param $cols i32) (param $acc i32)
    (local $r i32) (local $j i32) (local $a i32) (local $v v128) (local $q4 i32)
    (local.set $q4 (i32.and (local.get $cols) (i32.const -4)))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j (i32.const 0))
        (local.set $a (local.get $acc))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.ge_u (local.get $j) (local.get $q4)))
            (local.set $v (v128.load (local.get $x)))
            (v128.store (local.get $a)
              (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $v))))
            (v128.store offset=16 (local.get $a)
              (f64x2.add (v128.load offset=16 (local.get $a))
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $a (i32.add (local.get $a) (i32.const 32)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $vec)))
        (block $sdone
          (loop $one
            (br_if $sdone (i32.ge_u (local.get $j) (local.get $cols)))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (f32.load (local.get $x)))))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (local.set $a (i32.add (local.get $a) (i32.const 8)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $one)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))
)
