;; test translate
;; Bulk memory goes through builtins that return a status; a non-zero status traps.
;; memory.size reads the length; memory.grow is the first builtin (offset 8).
(module
  (memory 1)
  (data $d "hello")
  (func (export "bulk") (param i32 i32 i32) (result i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2))
    (memory.fill (local.get 0) (i32.const 0) (local.get 2))
    (memory.init $d (local.get 0) (i32.const 0) (i32.const 5))
    (data.drop $d)
    (i32.add (memory.size) (memory.grow (i32.const 1)))))

;; check: block0(v0: i64, v1: i32, v2: i32, v3: i32):
;; memory.copy: (vmctx, dst memory, src memory, dst, src, len)
;; nextln:     v5 = iconst.i32 0
;; nextln:     v6 = iconst.i32 0
;; nextln:     v7 = load.i64 notrap aligned readonly v0+16
;; nextln:     v8 = call_indirect sig0, v7(v0, v5, v6, v1, v2, v3)
;; nextln:     trapnz v8, heap_oob
;; memory.fill: (vmctx, memory, dst, value, len)
;; check:     v11 = load.i64 notrap aligned readonly v0+24
;; nextln:     v12 = call_indirect sig1, v11(v0, v10, v1, v9, v3)
;; nextln:     trapnz v12, heap_oob
;; memory.init: (vmctx, memory, data segment, dst, src, len)
;; check:     v17 = load.i64 notrap aligned readonly v0+32
;; nextln:     v18 = call_indirect sig2, v17(v0, v15, v16, v1, v13, v14)
;; nextln:     trapnz v18, heap_oob
;; data.drop
;; check:     v20 = load.i64 notrap aligned readonly v0+40
;; nextln:     call_indirect sig3, v20(v0, v19)
;; memory.size: the length in bytes over 64 KiB.
;; nextln:     v21 = load.i64 notrap aligned v0+96
;; nextln:     v22 = ushr_imm v21, 16
;; nextln:     v23 = ireduce.i32 v22
;; memory.grow
;; check:     v26 = load.i64 notrap aligned readonly v0+8
;; nextln:     v27 = call_indirect sig4, v26(v0, v25, v24)
