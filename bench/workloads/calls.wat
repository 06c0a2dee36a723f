;; Direct calls: doubly recursive Fibonacci and a call chain with several arguments.
;; run(n) = fold over r < n of acc * 31 + fib(22 + r % 3) + chain(r)   (i64, wrapping)
(module
  (func $fib (param $k i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $k) (i32.const 2))
      (then (local.get $k))
      (else
        (i32.add
          (call $fib (i32.sub (local.get $k) (i32.const 1)))
          (call $fib (i32.sub (local.get $k) (i32.const 2)))))))
  ;; mix(a, b, c) = a * 3 + b ^ c   (i64)
  (func $mix (param $a i64) (param $b i64) (param $c i32) (result i64)
    (i64.xor
      (i64.add (i64.mul (local.get $a) (i64.const 3)) (local.get $b))
      (i64.extend_i32_u (local.get $c))))
  ;; chain(r) = 10000 calls of mix, threading the value through
  (func $chain (param $r i32) (result i64)
    (local $v i64) (local $i i32)
    (local.set $v (i64.extend_i32_u (local.get $r)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 10000)))
        (local.set $v (call $mix (local.get $v) (i64.extend_i32_u (local.get $i)) (local.get $r)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $v))
  (func (export "run") (param $n i32) (result i64)
    (local $acc i64) (local $r i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $acc
          (i64.add
            (i64.add
              (i64.mul (local.get $acc) (i64.const 31))
              (i64.extend_i32_u
                (call $fib (i32.add (i32.const 22) (i32.rem_u (local.get $r) (i32.const 3))))))
            (call $chain (local.get $r))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
