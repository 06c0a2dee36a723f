;; test translate
;; Calls and the vmctx: direct calls to defined functions, imported functions through their
;; VMFunctionImport (code, vmctx), call_indirect with its null and signature checks, globals
;; (imported ones behind a pointer), tables and ref.func. Offsets follow VMOffsets: builtins
;; at 8..88, the imported function at 88, the imported global pointer at 104, the table
;; definition at 112, the defined global at 128, type ids at 144, function references at 160.
(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (import "env" "g" (global $h i32))
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (global $g (mut i64) (i64.const 5))
  (elem declare func $local)
  (func $local (param i32) (result i32) (local.get 0))
  (func (export "direct") (param i32) (result i32)
    (call $local (call $f (local.get 0))))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $t) (local.get 0) (local.get 1)))
  (func (export "globals") (result i64)
    (global.set $g (i64.add (global.get $g) (i64.extend_i32_u (global.get $h))))
    (global.get $g))
  (func (export "refs") (param i32) (result i32)
    (table.set (local.get 0) (ref.func $local))
    (i32.add (ref.is_null (table.get (local.get 0))) (table.size)))
  (func (export "grow") (result i32)
    (table.grow (ref.null func) (i32.const 1))))

;; check: function u0:2(i64 vmctx, i32) -> i32 system_v {
;; nextln:     sig0 = (i64 vmctx, i32) -> i32 system_v
;; nextln:     fn0 = colocated u0:1 sig0
;; check: block0(v0: i64, v1: i32):
;; nextln:     v3 = load.i64 notrap aligned readonly v0+88
;; nextln:     v4 = load.i64 notrap aligned readonly v0+96
;; nextln:     v5 = call_indirect sig0, v3(v4, v1)
;; nextln:     v6 = call fn0(v0, v5)
;; check: function u0:3(i64 vmctx, i32, i32) -> i32 system_v {
;; check:     v4 = load.i64 notrap aligned v0+120
;; nextln:     v5 = uextend.i64 v2
;; nextln:     v6 = icmp uge v5, v4
;; nextln:     trapnz v6, table_oob
;; nextln:     v7 = load.i64 notrap aligned v0+112
;; nextln:     v8 = ishl_imm v5, 3
;; nextln:     v9 = iadd v7, v8
;; nextln:     v10 = load.i64 notrap aligned v9
;; nextln:     trapz v10, icall_null
;; nextln:     v11 = load.i32 notrap aligned v10+8
;; nextln:     v12 = load.i32 notrap aligned readonly v0+144
;; nextln:     v13 = icmp ne v11, v12
;; nextln:     trapnz v13, bad_sig
;; nextln:     v14 = load.i64 notrap aligned v10
;; nextln:     v15 = load.i64 notrap aligned v10+16
;; nextln:     v16 = call_indirect sig0, v14(v15, v1)
;; check: function u0:4(i64 vmctx) -> i64 system_v {
;; nextln: block0(v0: i64):
;; nextln:     v2 = load.i64 notrap aligned v0+128
;; nextln:     v3 = load.i64 notrap aligned readonly v0+104
;; nextln:     v4 = load.i32 notrap aligned v3
;; nextln:     v5 = uextend.i64 v4
;; nextln:     v6 = iadd v2, v5
;; nextln:     store notrap aligned v6, v0+128
;; ref.func is the address of the function's VMFuncRef in the vmctx: 160 + 24 * 1.
;; check: function u0:5(i64 vmctx, i32) -> i32 system_v {
;; nextln: block0(v0: i64, v1: i32):
;; nextln:     v3 = iadd_imm v0, 184
;; check:     store notrap aligned v3, v9
;; check:     v17 = icmp_imm eq v16, 0
;; check:     v19 = load.i64 notrap aligned v0+120
;; nextln:     v20 = ireduce.i32 v19
;; table.grow calls the sixth builtin, at 8 + 8 * 5 = 48: (vmctx, table, init, delta).
;; check: function u0:6(i64 vmctx) -> i32 system_v {
;; check:     v5 = load.i64 notrap aligned readonly v0+48
;; nextln:     v6 = call_indirect sig0, v5(v0, v4, v2, v3)
