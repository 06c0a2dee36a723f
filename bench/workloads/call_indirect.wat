;; call_indirect: an LCG picks one of 6 functions of a table, 1,000,000 times per round
;; (x = x * 1664525 + 1013904223, seeded 777 + r; index = (x >> 16) % 6);
;; acc = f(acc, x).
(module
  (type $op (func (param i64 i32) (result i64)))
  (table 6 funcref)
  (elem (i32.const 0) $f0 $f1 $f2 $f3 $f4 $f5)
  ;; f0: a + x (unsigned)
  (func $f0 (type $op) (i64.add (local.get 0) (i64.extend_i32_u (local.get 1))))
  ;; f1: a ^ (x (signed) * 5)
  (func $f1 (type $op)
    (i64.xor (local.get 0) (i64.mul (i64.extend_i32_s (local.get 1)) (i64.const 5))))
  ;; f2: a * 7 - 1
  (func $f2 (type $op) (i64.sub (i64.mul (local.get 0) (i64.const 7)) (i64.const 1)))
  ;; f3: rotr(a, x & 63)
  (func $f3 (type $op) (i64.rotr (local.get 0) (i64.extend_i32_u (local.get 1))))
  ;; f4: a - (x & 0xffff)
  (func $f4 (type $op)
    (i64.sub (local.get 0) (i64.extend_i32_u (i32.and (local.get 1) (i32.const 0xffff)))))
  ;; f5: a + popcnt(a)
  (func $f5 (type $op) (i64.add (local.get 0) (i64.popcnt (local.get 0))))
  (func (export "run") (param $n i32) (result i64)
    (local $acc i64) (local $r i32) (local $k i32) (local $x i32)
    (block $rounds_done
      (loop $round
        (br_if $rounds_done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $x (i32.add (i32.const 777) (local.get $r)))
        (local.set $k (i32.const 0))
        (loop $step
          (local.set $x
            (i32.add (i32.mul (local.get $x) (i32.const 1664525)) (i32.const 1013904223)))
          (local.set $acc
            (call_indirect (type $op)
              (local.get $acc)
              (local.get $x)
              (i32.rem_u (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 6))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $step (i32.lt_u (local.get $k) (i32.const 1000000))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $round)))
    (local.get $acc)))
