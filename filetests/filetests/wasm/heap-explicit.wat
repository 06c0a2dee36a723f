;; test translate
;; set bounds_checks=explicit
;; Explicit checks with Spectre mitigation (the default): index + offset + size is compared
;; with the current length in 64 bits, and a failed check turns the address into null, so even
;; a mispredicted branch cannot read out of bounds. The base is re-read at every access (not
;; read-only): memory.grow may move an explicitly checked memory.
(module
  (memory 1 2)
  (func (export "load") (param i32) (result i64)
    (i64.load offset=16 (local.get 0)))
  (func (export "const_in_bounds") (result i32)
    (i32.load16_u offset=2 (i32.const 65532)))
  (func (export "const_out_of_bounds") (result i32)
    (i32.load16_u offset=3 (i32.const 65532))))

;; check: function u0:0(i64 vmctx, i32) -> i64 system_v {
;; nextln: block0(v0: i64, v1: i32):
;; nextln:     v3 = load.i64 notrap aligned v0+88
;; nextln:     v4 = uextend.i64 v1
;; nextln:     v5 = load.i64 notrap aligned v0+96
;; nextln:     v6 = iadd_imm v4, 24
;; nextln:     v7 = icmp ugt v6, v5
;; nextln:     v8 = iadd v3, v4
;; nextln:     v9 = iadd_imm v8, 16
;; nextln:     v10 = iconst.i64 0
;; nextln:     v11 = select_spectre_guard v7, v10, v9
;; nextln:     v12 = load.i64 v11
;; A constant index whose access ends within the minimum size (65532 + 2 + 2 = 65536) needs
;; no check.
;; check: function u0:1(i64 vmctx) -> i32 system_v {
;; nextln: block0(v0: i64):
;; nextln:     v2 = iconst.i32 0xfffc
;; nextln:     v3 = load.i64 notrap aligned v0+88
;; nextln:     v4 = uextend.i64 v2
;; nextln:     v5 = iadd v3, v4
;; nextln:     v6 = uload16.i32 v5+2
;; One byte further (65532 + 3 + 2 = 65537) and it is checked.
;; check: function u0:2(i64 vmctx) -> i32 system_v {
;; check:     select_spectre_guard
;; check: }
