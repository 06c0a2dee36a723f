;; Memory-heavy loops over a 1 MiB array of i32 (2^18 elements) in a 2 MiB memory.
;; Per round r: fill a[i] = i * 0x9E3779B1 + r; then for i = 1..N-1:
;; a[i] = a[i-1] + (a[i] ^ a[(i * 7) & (N-1)]); then sum the u32 elements and xor the
;; i64 words (8-byte loads); acc = acc * 1000003 + sum ^ xor.
(module
  (memory 32)
  (func (export "run") (param $n i32) (result i64)
    (local $acc i64) (local $r i32) (local $i i32) (local $sum i64) (local $x i64)
    (block $rounds_done
      (loop $round
        (br_if $rounds_done (i32.ge_u (local.get $r) (local.get $n)))
        ;; fill
        (local.set $i (i32.const 0))
        (loop $fill
          (i32.store
            (i32.shl (local.get $i) (i32.const 2))
            (i32.add (i32.mul (local.get $i) (i32.const 0x9E3779B1)) (local.get $r)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (i32.const 262144))))
        ;; mix
        (local.set $i (i32.const 1))
        (loop $mix
          (i32.store
            (i32.shl (local.get $i) (i32.const 2))
            (i32.add
              (i32.load offset=0 (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 2)))
              (i32.xor
                (i32.load (i32.shl (local.get $i) (i32.const 2)))
                (i32.load
                  (i32.shl
                    (i32.and (i32.mul (local.get $i) (i32.const 7)) (i32.const 262143))
                    (i32.const 2))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $mix (i32.lt_u (local.get $i) (i32.const 262144))))
        ;; sum the u32s, xor the i64 words
        (local.set $sum (i64.const 0))
        (local.set $x (i64.const 0))
        (local.set $i (i32.const 0))
        (loop $sum
          (local.set $sum
            (i64.add (local.get $sum)
              (i64.load32_u (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $sum (i32.lt_u (local.get $i) (i32.const 262144))))
        (local.set $i (i32.const 0))
        (loop $xor
          (local.set $x
            (i64.xor (local.get $x) (i64.load (i32.shl (local.get $i) (i32.const 3)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $xor (i32.lt_u (local.get $i) (i32.const 131072))))
        (local.set $acc
          (i64.add
            (i64.mul (local.get $acc) (i64.const 1000003))
            (i64.xor (local.get $sum) (local.get $x))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $round)))
    (local.get $acc)))
