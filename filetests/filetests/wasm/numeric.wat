;; test translate
;; MVP numeric operators map one to one onto IR instructions; Wasm booleans are i32, so
;; comparisons are zero-extended from the i8 that icmp/fcmp produce.
(module
  (func (export "i32") (param i32 i32) (result i32)
    (i32.add
      (i32.div_s (local.get 0) (local.get 1))
      (i32.rem_u (i32.rotl (local.get 0) (local.get 1)) (i32.clz (local.get 1)))))
  (func (export "cmp") (param i64 i64) (result i32)
    (i32.and (i64.lt_u (local.get 0) (local.get 1)) (i64.eqz (local.get 0))))
  (func (export "ext") (param i32) (result i64)
    (i64.add (i64.extend8_s (i64.extend_i32_u (local.get 0))) (i64.extend_i32_s (i32.extend16_s (local.get 0)))))
  (func (export "float") (param f32 f64) (result f64)
    (f64.add (f64.promote_f32 (f32.copysign (f32.neg (local.get 0)) (f32.sqrt (local.get 0))))
             (f64.min (local.get 1) (f64.nearest (local.get 1)))))
  (func (export "conv") (param f64) (result i32)
    (i32.add (i32.trunc_f64_s (local.get 0)) (i32.trunc_sat_f64_u (local.get 0))))
  (func (export "bits") (param f32) (result f32)
    (f32.reinterpret_i32 (i32.xor (i32.reinterpret_f32 (local.get 0)) (i32.const 0x80000000))))
  (func (export "fcmp") (param f32 f32) (result i32)
    (f32.ne (local.get 0) (local.get 1)))
  (func (export "select") (param i32 i64 i64) (result i64)
    (select (local.get 1) (local.get 2) (local.get 0))))

;; check: function u0:0(i64 vmctx, i32, i32) -> i32 system_v {
;; nextln: block0(v0: i64, v1: i32, v2: i32):
;; nextln:     v4 = sdiv v1, v2
;; nextln:     v5 = rotl v1, v2
;; nextln:     v6 = clz v2
;; nextln:     v7 = urem v5, v6
;; nextln:     v8 = iadd v4, v7
;; check: function u0:1(i64 vmctx, i64, i64) -> i32 system_v {
;; nextln: block0(v0: i64, v1: i64, v2: i64):
;; nextln:     v4 = icmp ult v1, v2
;; nextln:     v5 = uextend.i32 v4
;; nextln:     v6 = icmp_imm eq v1, 0
;; nextln:     v7 = uextend.i32 v6
;; nextln:     v8 = band v5, v7
;; Sign-extension operators: reduce to the narrow type, then sign-extend.
;; check: function u0:2(i64 vmctx, i32) -> i64 system_v {
;; nextln: block0(v0: i64, v1: i32):
;; nextln:     v3 = uextend.i64 v1
;; nextln:     v4 = ireduce.i8 v3
;; nextln:     v5 = sextend.i64 v4
;; nextln:     v6 = ireduce.i16 v1
;; nextln:     v7 = sextend.i32 v6
;; nextln:     v8 = sextend.i64 v7
;; check: function u0:3(i64 vmctx, f32, f64) -> f64 system_v {
;; nextln: block0(v0: i64, v1: f32, v2: f64):
;; nextln:     v4 = fneg v1
;; nextln:     v5 = sqrt v1
;; nextln:     v6 = fcopysign v4, v5
;; nextln:     v7 = fpromote.f64 v6
;; nextln:     v8 = nearest v2
;; nextln:     v9 = fmin v2, v8
;; nextln:     v10 = fadd v7, v9
;; Trapping and saturating conversions.
;; check: function u0:4(i64 vmctx, f64) -> i32 system_v {
;; nextln: block0(v0: i64, v1: f64):
;; nextln:     v3 = fcvt_to_sint.i32 v1
;; nextln:     v4 = fcvt_to_uint_sat.i32 v1
;; check: function u0:5(i64 vmctx, f32) -> f32 system_v {
;; nextln: block0(v0: i64, v1: f32):
;; nextln:     v3 = bitcast.i32 v1
;; nextln:     v4 = iconst.i32 0x8000_0000
;; nextln:     v5 = bxor v3, v4
;; nextln:     v6 = bitcast.f32 v5
;; `f32.ne` is true when unordered: fcmp ne.
;; check: function u0:6(i64 vmctx, f32, f32) -> i32 system_v {
;; nextln: block0(v0: i64, v1: f32, v2: f32):
;; nextln:     v4 = fcmp ne v1, v2
;; nextln:     v5 = uextend.i32 v4
;; check: function u0:7(i64 vmctx, i32, i64, i64) -> i64 system_v {
;; nextln: block0(v0: i64, v1: i32, v2: i64, v3: i64):
;; nextln:     v5 = select v1, v2, v3
