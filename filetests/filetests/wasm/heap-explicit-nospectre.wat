;; test translate
;; set bounds_checks=explicit
;; set spectre=off
;; Explicit checks without Spectre mitigation: a conditional trap guards the access, and the
;; offset stays in the load.
(module
  (memory 1)
  (func (export "store") (param i32 f32)
    (f32.store offset=4 (local.get 0) (local.get 1))))

;; check: function u0:0(i64 vmctx, i32, f32) system_v {
;; nextln: block0(v0: i64, v1: i32, v2: f32):
;; nextln:     v3 = load.i64 notrap aligned v0+88
;; nextln:     v4 = uextend.i64 v1
;; nextln:     v5 = load.i64 notrap aligned v0+96
;; nextln:     v6 = iadd_imm v4, 8
;; nextln:     v7 = icmp ugt v6, v5
;; nextln:     trapnz v7, heap_oob
;; nextln:     v8 = iadd v3, v4
;; nextln:     store v2, v8+4
;; not: select_spectre_guard
