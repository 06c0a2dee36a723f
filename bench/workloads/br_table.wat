;; br_table dispatch: an LCG picks one of 8 operations on an i64 accumulator, 1,000,000
;; times per round (x = x * 1664525 + 1013904223, seeded 12345 + r; op = (x >> 24) & 7).
(module
  (func (export "run") (param $n i32) (result i64)
    (local $acc i64) (local $r i32) (local $k i32) (local $x i32)
    (block $rounds_done
      (loop $round
        (br_if $rounds_done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $x (i32.add (i32.const 12345) (local.get $r)))
        (local.set $k (i32.const 0))
        (loop $step
          (local.set $x
            (i32.add (i32.mul (local.get $x) (i32.const 1664525)) (i32.const 1013904223)))
          (block $end
            (block $op7
              (block $op6
                (block $op5
                  (block $op4
                    (block $op3
                      (block $op2
                        (block $op1
                          (block $op0
                            (br_table $op0 $op1 $op2 $op3 $op4 $op5 $op6 $op7
                              (i32.and (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 7))))
                          ;; 0: acc += x (unsigned)
                          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $x))))
                          (br $end))
                        ;; 1: acc ^= x (signed) << 3
                        (local.set $acc
                          (i64.xor (local.get $acc)
                            (i64.shl (i64.extend_i32_s (local.get $x)) (i64.const 3))))
                        (br $end))
                      ;; 2: acc *= 3
                      (local.set $acc (i64.mul (local.get $acc) (i64.const 3)))
                      (br $end))
                    ;; 3: acc -= x >> 5 (unsigned)
                    (local.set $acc
                      (i64.sub (local.get $acc)
                        (i64.extend_i32_u (i32.shr_u (local.get $x) (i32.const 5)))))
                    (br $end))
                  ;; 4: acc = rotl(acc, 7)
                  (local.set $acc (i64.rotl (local.get $acc) (i64.const 7)))
                  (br $end))
                ;; 5: acc += 12345
                (local.set $acc (i64.add (local.get $acc) (i64.const 12345)))
                (br $end))
              ;; 6: acc ^= acc >> 11 (unsigned)
              (local.set $acc
                (i64.xor (local.get $acc) (i64.shr_u (local.get $acc) (i64.const 11))))
              (br $end))
            ;; 7: acc += k
            (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $k)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $step (i32.lt_u (local.get $k) (i32.const 1000000))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $round)))
    (local.get $acc)))
