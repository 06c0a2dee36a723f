;; f64 math: a 96x96 Mandelbrot grid (at most 256 iterations per point) per round,
;; shifted by r / 1024 on the real axis; per point the iteration count plus
;; trunc(sqrt(zr^2 + zi^2) * 1000) at exit; acc = acc * 33 + round total.
(module
  (func (export "run") (param $n i32) (result i64)
    (local $acc i64) (local $r i32) (local $px i32) (local $py i32) (local $it i32)
    (local $cr f64) (local $ci f64) (local $zr f64) (local $zi f64) (local $t f64)
    (local $total i64)
    (block $rounds_done
      (loop $round
        (br_if $rounds_done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $total (i64.const 0))
        (local.set $py (i32.const 0))
        (loop $rows
          (local.set $px (i32.const 0))
          (loop $cols
            ;; cr = -2.0 + px * (3.0 / 96) + r / 1024 ; ci = -1.5 + py * (3.0 / 96)
            (local.set $cr
              (f64.add
                (f64.add (f64.const -2.0)
                  (f64.mul (f64.convert_i32_u (local.get $px)) (f64.const 0.03125)))
                (f64.div (f64.convert_i32_u (local.get $r)) (f64.const 1024.0))))
            (local.set $ci
              (f64.add (f64.const -1.5)
                (f64.mul (f64.convert_i32_u (local.get $py)) (f64.const 0.03125))))
            (local.set $zr (f64.const 0))
            (local.set $zi (f64.const 0))
            (local.set $it (i32.const 0))
            (block $escaped
              (loop $iter
                (br_if $escaped
                  (f64.gt
                    (f64.add (f64.mul (local.get $zr) (local.get $zr))
                             (f64.mul (local.get $zi) (local.get $zi)))
                    (f64.const 4.0)))
                (br_if $escaped (i32.ge_u (local.get $it) (i32.const 256)))
                ;; t = zr^2 - zi^2 + cr ; zi = 2 * zr * zi + ci ; zr = t
                (local.set $t
                  (f64.add
                    (f64.sub (f64.mul (local.get $zr) (local.get $zr))
                             (f64.mul (local.get $zi) (local.get $zi)))
                    (local.get $cr)))
                (local.set $zi
                  (f64.add
                    (f64.mul (f64.mul (f64.const 2.0) (local.get $zr)) (local.get $zi))
                    (local.get $ci)))
                (local.set $zr (local.get $t))
                (local.set $it (i32.add (local.get $it) (i32.const 1)))
                (br $iter)))
            (local.set $total
              (i64.add (local.get $total)
                (i64.add
                  (i64.extend_i32_u (local.get $it))
                  (i64.trunc_f64_s
                    (f64.mul
                      (f64.sqrt
                        (f64.add (f64.mul (local.get $zr) (local.get $zr))
                                 (f64.mul (local.get $zi) (local.get $zi))))
                      (f64.const 1000.0))))))
            (local.set $px (i32.add (local.get $px) (i32.const 1)))
            (br_if $cols (i32.lt_u (local.get $px) (i32.const 96))))
          (local.set $py (i32.add (local.get $py) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $py) (i32.const 96))))
        (local.set $acc
          (i64.add (i64.mul (local.get $acc) (i64.const 33)) (local.get $total)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $round)))
    (local.get $acc)))
