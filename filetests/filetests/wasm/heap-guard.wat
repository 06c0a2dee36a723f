;; test translate
;; Guard pages (the default): a 4 GiB reservation plus a 2 GiB guard, so accesses whose
;; offset + size fit in the guard need no bounds check at all.
(module
  (memory 1)
  (func (export "load") (param i32) (result i32)
    (i32.load offset=8 (local.get 0)))
  (func (export "store8") (param i32 i64)
    (i64.store8 (local.get 0) (local.get 1)))
  (func (export "far") (param i32) (result f64)
    (f64.load offset=0xfffffff0 (local.get 0))))

;; The base is read-only: with guard pages the memory never moves.
;; check: function u0:0(i64 vmctx, i32) -> i32 system_v {
;; nextln: block0(v0: i64, v1: i32):
;; nextln:     v3 = load.i64 notrap aligned readonly v0+88
;; nextln:     v4 = uextend.i64 v1
;; nextln:     v5 = iadd v3, v4
;; nextln:     v6 = load.i32 v5+8
;; check: function u0:1(i64 vmctx, i32, i64) system_v {
;; nextln: block0(v0: i64, v1: i32, v2: i64):
;; nextln:     v3 = load.i64 notrap aligned readonly v0+88
;; nextln:     v4 = uextend.i64 v1
;; nextln:     v5 = iadd v3, v4
;; nextln:     istore8 v2, v5
;; An offset beyond the guard falls back to an explicit check (Spectre-guarded by default):
;; 0xfffffff0 + 8 = 0xfffffff8 is compared with the current length.
;; check: function u0:2(i64 vmctx, i32) -> f64 system_v {
;; check:     v5 = load.i64 notrap aligned v0+96
;; nextln:     v6 = iadd_imm v4, 0xffff_fff8
;; nextln:     v7 = icmp ugt v6, v5
;; nextln:     v8 = iadd v3, v4
;; nextln:     v9 = iadd_imm v8, 0xffff_fff0
;; nextln:     v10 = iconst.i64 0
;; nextln:     v11 = select_spectre_guard v7, v10, v9
;; nextln:     v12 = load.f64 v11
