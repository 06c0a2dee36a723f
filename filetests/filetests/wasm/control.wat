;; test translate
;; Structured control flow: locals become SSA values (loop-carried ones as block parameters),
;; br_table targets carry their arguments, multi-value blocks have several parameters, and
;; code after `unreachable` is validated but not translated.
(module
  (func (export "loop") (param i32) (result i32) (local i32)
    (block $exit
      (loop $top
        (br_if $exit (i32.eqz (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $top)))
    (local.get 1))
  (func (export "if") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.const 10)) (else (i32.const 20))))
  (func (export "table") (param i32) (result i32)
    (block $a (block $b (block $c
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 3)))
      (return (i32.const 2)))
    (i32.const 1))
  (func (export "multi") (param i32) (result i32 i64)
    (local.get 0)
    (block (param i32) (result i32 i64)
      (i64.const 7)))
  (func (export "dead") (result i32)
    (unreachable)
    (i32.add (i32.const 1) (i32.const 2))))

;; check: function u0:0(i64 vmctx, i32) -> i32 system_v {
;; nextln: block0(v0: i64, v1: i32):
;; nextln:     v2 = iconst.i32 0
;; nextln:     jump block4(v1, v2)
;; check: block4(v4: i32, v7: i32):
;; nextln:     v5 = icmp_imm eq v4, 0
;; nextln:     v6 = uextend.i32 v5
;; nextln:     brif v6, block2, block5
;; check: block5:
;; nextln:     v8 = iadd v7, v4
;; nextln:     v9 = iconst.i32 1
;; nextln:     v10 = isub v4, v9
;; nextln:     jump block4(v10, v8)
;; check: block2:
;; nextln:     jump block1(v7)
;; check: function u0:1(i64 vmctx, i32) -> i32 system_v {
;; nextln: block0(v0: i64, v1: i32):
;; nextln:     brif v1, block3, block4
;; check: block2(v3: i32):
;; nextln:     jump block1(v3)
;; Index 0 goes to the outermost block, 1 to the middle one, anything else to the default.
;; check: function u0:2(i64 vmctx, i32) -> i32 system_v {
;; nextln: block0(v0: i64, v1: i32):
;; nextln:     br_table v1, block4, [block2, block3]
;; check: block4:
;; nextln:     v3 = iconst.i32 3
;; nextln:     return v3
;; check: block3:
;; nextln:     v4 = iconst.i32 2
;; nextln:     return v4
;; check: block2:
;; nextln:     v5 = iconst.i32 1
;; check: function u0:3(i64 vmctx, i32) -> i32, i64 system_v {
;; nextln: block0(v0: i64, v1: i32):
;; nextln:     v6 = iconst.i64 7
;; nextln:     jump block2(v1, v6)
;; check: block1(v2: i32, v3: i64):
;; nextln:     return v2, v3
;; check: function u0:4(i64 vmctx) -> i32 system_v {
;; nextln: block0(v0: i64):
;; nextln:     trap unreachable
;; nextln: }
