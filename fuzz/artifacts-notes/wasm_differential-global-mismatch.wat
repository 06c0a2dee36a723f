(module
  (type (;0;) (func (param funcref f32)))
  (type (;1;) (func (param f64)))
  (global (;0;) (mut i64) i64.const 0)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 200)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (func 2))
  (export "3" (func 3))
  (export "4" (func 4))
  (export "5" (func 5))
  (export "6" (func 6))
  (export "\u{1d}N" (global 0))
  (export ")" (global 1))
  (export "9" (global 2))
  (export "y\u{37c}" (global 3))
  (func (;0;) (type 1) (param f64)
    (local f64)
    global.get 4
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 4
    i32.const 1
    i32.sub
    global.set 4
    data.drop 1
    local.get 0
    i64.const -67108864
    f64.convert_i64_s
    f64.ne
    br_table 0 0
    i32.const 128
    i32.const 1023
    f64.convert_i32_s
    f64.sqrt
    local.tee 1
    f64.const nan (;=NaN;)
    local.get 1
    local.get 1
    f64.eq
    select
    i64.reinterpret_f64
    global.get 0
    i64.xor
    global.set 0
    global.get 1
    i32.xor
    global.set 1
  )
  (func (;1;) (type 1) (param f64)
    (local i32 f64 f64 f64 f64 f64 f32)
    global.get 4
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 4
    i32.const 1
    i32.sub
    global.set 4
    block ;; label = @1
    end
    local.get 0
    i64.trunc_sat_f64_u
    ref.null func
    i64.const -1024
    local.get 0
    block ;; label = @1
      f64.const -0x1.ae7204a375a6dp+904 (;=-227401941938418860000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
      f64.const -0x1.4efe41d0d18e8p-876 (;=-0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000025972862345015215;)
      loop (type 1) (param f64) ;; label = @2
        global.get 4
        i32.eqz
        if ;; label = @3
          unreachable
        end
        global.get 4
        i32.const 1
        i32.sub
        global.set 4
        data.drop 0
        i64.trunc_f64_u
        f64.convert_i64_u
        f64.ceil
        local.tee 2
        f64.const nan (;=NaN;)
        local.get 2
        local.get 2
        f64.eq
        select
        local.get 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        f64.convert_i32_s
        f64.max
        local.tee 3
        f64.const nan (;=NaN;)
        local.get 3
        local.get 3
        f64.eq
        select
        f64.nearest
        local.tee 4
        f64.const nan (;=NaN;)
        local.get 4
        local.get 4
        f64.eq
        select
        block ;; label = @3
          data.drop 1
          br 0 (;@3;)
          br 3
        end
        f64.abs
        f64.nearest
        local.tee 5
        f64.const nan (;=NaN;)
        local.get 5
        local.get 5
        f64.eq
        select
        local.get 1
        ref.null func
        f64.const 0x1.p-1029 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000173833895195875;)
        local.get 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        local.tee 1
        if (type 1) (param f64) ;; label = @3
          f32.const 0x1.1a31dp-69 (;=0.000000000000000000001867407;)
          i64.const 8191
          i64.extend8_s
          i64.const -1549615195323101863
          f64.convert_i64_s
          f64.trunc
          local.tee 6
          f64.const nan (;=NaN;)
          local.get 6
          local.get 6
          f64.eq
          select
          local.set 0
          i64.eqz
          f64.convert_i32_s
          i64.trunc_f64_s
          loop ;; label = @4
            global.get 4
            i32.eqz
            if ;; label = @5
              unreachable
            end
            global.get 4
            i32.const 1
            i32.sub
            global.set 4
            i32.const 1030489107
            f32.convert_i32_s
            i32.trunc_f32_s
            ref.null extern
            f32.const 0x1.0cc73ep+55 (;=37827180000000000;)
            block ;; label = @5
              i32.const 2007890934
              local.set 1
              i32.const -1079877349
              i32.clz
              data.drop 1
              i32.ctz
              f64.convert_i32_u
              local.get 1
              loop (result f64) ;; label = @6
                global.get 4
                i32.eqz
                if ;; label = @7
                  unreachable
                end
                global.get 4
                i32.const 1
                i32.sub
                global.set 4
                ref.null extern
                i64.const -2530070244478021174
                i64.extend32_s
                i64.popcnt
                f32.const -0x1.b2943ap+12 (;=-6953.264;)
                f32.abs
                i32.const 732258885
                i32.eqz
                nop
                br_if 3 (;@3;)
                i64.trunc_f32_u
                data.drop 0
                i64.rem_u
                i64.eqz
                br_table 0 (;@6;) 1 (;@5;) 2 (;@4;) 3 (;@3;) 5 (;@1;) 6 5 (;@1;)
                ref.null extern
                block ;; label = @7
                  loop ;; label = @8
                    global.get 4
                    i32.eqz
                    if ;; label = @9
                      unreachable
                    end
                    global.get 4
                    i32.const 1
                    i32.sub
                    global.set 4
                    i64.const -2048
                    i32.wrap_i64
                    block ;; label = @9
                    end
                    if (result f64) ;; label = @9
                      i64.const 63
                      i64.popcnt
                      data.drop 1
                      br 2 (;@7;)
                      f32.convert_i64_u
                      i32.trunc_f32_s
                      i64.const 6769664593560112147
                      ref.null extern
                      br 8 (;@1;)
                      f32.const 0x1.p-128 (;=0.000000000000000000000000000000000000002938736;)
                      br 9
                      f32.floor
                      local.tee 7
                      f32.const nan (;=NaN;)
                      local.get 7
                      local.get 7
                      f32.eq
                      select
                      i32.const 176086430
                      br 9
                      f64.convert_i32_u
                      i64.trunc_sat_f64_u
                      f32.const -0x1.2a1f4p-7 (;=-0.009097964;)
                      i64.trunc_sat_f32_s
                      i64.ge_u
                      i32.const 1073741824
                      i32.popcnt
                      i32.extend8_s
                      i64.const 1429919570301581318
                      i64.popcnt
                      f64.convert_i64_s
                      local.get 0
                      f64.lt
                      i32.mul
                      i32.add
                      i64.const -134217728
                      i32.wrap_i64
                      f32.const -nan:0x7ffff0 (;=NaN;)
                      i64.trunc_sat_f32_u
                      f64.reinterpret_i64
                      f32.const -0x1.e005f8p-54 (;=-0.000000000000000104088464;)
                      i32.trunc_sat_f32_s
                      global.get 1
                      i32.xor
                      global.set 1
                      i64.reinterpret_f64
                      global.get 0
                      i64.xor
                      global.set 0
                      global.get 1
                      i32.xor
                      global.set 1
                      global.get 1
                      i32.xor
                      global.set 1
                      i32.reinterpret_f32
                      global.get 2
                      i32.xor
                      global.set 2
                      drop
                      global.get 3
                      i64.xor
                      global.set 3
                      global.get 1
                      i32.xor
                      global.set 1
                      f64.const -nan:0xfff8000000000 (;=NaN;)
                    else
                      f64.const 0x1.7409cf0628b0ep-652 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007776613783025451;)
                    end
                    i64.reinterpret_f64
                    global.get 0
                    i64.xor
                    global.set 0
                  end
                end
                drop
                drop
                f64.const -0x1.119310bd183f8p+654 (;=-79882706742994100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
              end
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              global.get 1
              i32.xor
              global.set 1
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
            end
            i32.reinterpret_f32
            global.get 2
            i32.xor
            global.set 2
            drop
            global.get 1
            i32.xor
            global.set 1
          end
          global.get 3
          i64.xor
          global.set 3
          i32.reinterpret_f32
          global.get 2
          i32.xor
          global.set 2
          i64.reinterpret_f64
          global.get 0
          i64.xor
          global.set 0
        else
          i64.reinterpret_f64
          global.get 0
          i64.xor
          global.set 0
        end
        drop
        global.get 1
        i32.xor
        global.set 1
        i64.reinterpret_f64
        global.get 0
        i64.xor
        global.set 0
      end
      i64.reinterpret_f64
      global.get 0
      i64.xor
      global.set 0
    end
    drop
    global.get 3
    i64.xor
    global.set 3
    drop
    global.get 3
    i64.xor
    global.set 3
  )
  (func (;2;) (type 1) (param f64)
    (local f64 f64 f64 f64 f64 f64 f64 f64 f32 f64 f64)
    global.get 4
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 4
    i32.const 1
    i32.sub
    global.set 4
    i64.const -607252625560528007
    block (result i64) ;; label = @1
      f32.const -0x1.62b216p-101 (;=-0.00000000000000000000000000000054649518;)
      i32.trunc_f32_u
      i32.eqz
      block ;; label = @2
        f32.const 0x1.50fe4ep+9 (;=673.98676;)
        i32.trunc_sat_f32_s
        i32.const -928883208
        data.drop 1
        local.get 0
        local.get 0
        local.get 0
        ref.null func
        data.drop 1
        block (result i64) ;; label = @3
          br 3
          ref.null extern
          f64.const -0x1.fffffffffffffp+896 (;=-1056589062271330400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
          ref.null extern
          block ;; label = @4
            block (result f64) ;; label = @5
              loop (result funcref) ;; label = @6
                global.get 4
                i32.eqz
                if ;; label = @7
                  unreachable
                end
                global.get 4
                i32.const 1
                i32.sub
                global.set 4
                f32.const 0x1.fc505ap-21 (;=0.00000094680837;)
                i32.const -1275068416
                local.get 0
                f64.nearest
                local.tee 1
                f64.const nan (;=NaN;)
                local.get 1
                local.get 1
                f64.eq
                select
                f64.abs
                i64.trunc_f64_u
                data.drop 0
                f64.convert_i64_u
                f64.floor
                local.tee 2
                f64.const nan (;=NaN;)
                local.get 2
                local.get 2
                f64.eq
                select
                i32.trunc_f64_s
                i32.eq
                br_if 0 (;@6;)
                f64.const 0x1.p-1069 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000016;)
                i32.trunc_sat_f64_s
                f64.convert_i32_u
                local.get 0
                f64.lt
                i64.extend_i32_s
                i64.eqz
                if (result i64) ;; label = @7
                  local.get 0
                  f64.sqrt
                  local.tee 3
                  f64.const nan (;=NaN;)
                  local.get 3
                  local.get 3
                  f64.eq
                  select
                  f64.nearest
                  local.tee 4
                  f64.const nan (;=NaN;)
                  local.get 4
                  local.get 4
                  f64.eq
                  select
                  loop (result i64) ;; label = @8
                    global.get 4
                    i32.eqz
                    if ;; label = @9
                      unreachable
                    end
                    global.get 4
                    i32.const 1
                    i32.sub
                    global.set 4
                    f64.const 0x1.ffffffffffffep-1023 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002225073858507201;)
                    f64.sqrt
                    local.tee 5
                    f64.const nan (;=NaN;)
                    local.get 5
                    local.get 5
                    f64.eq
                    select
                    f64.ceil
                    local.tee 6
                    f64.const nan (;=NaN;)
                    local.get 6
                    local.get 6
                    f64.eq
                    select
                    call 1
                    i64.const 4206141438507100269
                    ref.null extern
                    i64.const 1023
                    i64.const -549755813888
                    i64.le_s
                    br 0 (;@8;)
                    br 8
                    f32.convert_i32_u
                    i64.trunc_sat_f32_u
                    ref.null func
                    block (result i64) ;; label = @9
                      br 9
                      i64.const 785953025991579230
                      i64.extend32_s
                      i64.eqz
                      ref.null extern
                      data.drop 0
                      f64.const 0x1.75a6d44287f27p+164 (;=34130783546627305000000000000000000000000000000000;)
                      i64.trunc_sat_f64_u
                      block ;; label = @10
                      end
                      f32.const 0x1.fffffep-120 (;=0.0000000000000000000000000000000000015046327;)
                      data.drop 0
                      block ;; label = @10
                        f64.const -0x1.d3738eff644eep-205 (;=-0.00000000000000000000000000000000000000000000000000000000000003550973154714109;)
                        f64.neg
                        f64.nearest
                        local.tee 7
                        f64.const nan (;=NaN;)
                        local.get 7
                        local.get 7
                        f64.eq
                        select
                        f64.ceil
                        local.tee 8
                        f64.const nan (;=NaN;)
                        local.get 8
                        local.get 8
                        f64.eq
                        select
                        i64.reinterpret_f64
                        f32.convert_i64_s
                        return
                        f32.sqrt
                        local.tee 9
                        f32.const nan (;=NaN;)
                        local.get 9
                        local.get 9
                        f32.eq
                        select
                        i32.const 2
                        f64.convert_i32_u
                        nop
                        f64.abs
                        f64.ceil
                        local.tee 10
                        f64.const nan (;=NaN;)
                        local.get 10
                        local.get 10
                        f64.eq
                        select
                        local.set 0
                        ref.null extern
                        i32.const 1599271711
                        i64.extend_i32_u
                        f64.convert_i64_u
                        br 4 (;@6;)
                        f64.const -nan:0xf800000000000 (;=NaN;)
                        f32.demote_f64
                        loop (result f32) ;; label = @11
                          global.get 4
                          i32.eqz
                          if ;; label = @12
                            unreachable
                          end
                          global.get 4
                          i32.const 1
                          i32.sub
                          global.set 4
                          ref.null func
                          ref.is_null
                          i32.const 872415232
                          i32.rotr
                          f64.convert_i32_u
                          call 1
                          i32.const 16777215
                          f32.reinterpret_i32
                          local.get 0
                          i64.trunc_sat_f64_s
                          i32.const 1032545995
                          block ;; label = @12
                            br 10 (;@2;)
                            loop (result i32) ;; label = @13
                              global.get 4
                              i32.eqz
                              if ;; label = @14
                                unreachable
                              end
                              global.get 4
                              i32.const 1
                              i32.sub
                              global.set 4
                              ref.null extern
                              local.get 0
                              i32.trunc_f64_u
                              f64.const -0x1.37257f569154fp+465 (;=-115790492893121870000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
                              f64.sqrt
                              local.tee 11
                              f64.const nan (;=NaN;)
                              local.get 11
                              local.get 11
                              f64.eq
                              select
                              i32.trunc_sat_f64_s
                              i32.eq
                              block (result funcref) ;; label = @14
                                block (result i64) ;; label = @15
                                  i64.const -1188523310466822912
                                  loop (result i32) ;; label = @16
                                    global.get 4
                                    i32.eqz
                                    if ;; label = @17
                                      unreachable
                                    end
                                    global.get 4
                                    i32.const 1
                                    i32.sub
                                    global.set 4
                                    br 3 (;@13;)
                                    i32.const -1158896348
                                    ref.null func
                                    block ;; label = @17
                                      ref.null extern
                                      data.drop 1
                                      ref.null extern
                                      ref.null func
                                      loop ;; label = @18
                                        global.get 4
                                        i32.eqz
                                        if ;; label = @19
                                          unreachable
                                        end
                                        global.get 4
                                        i32.const 1
                                        i32.sub
                                        global.set 4
                                        i64.const 5524048223011929195
                                        i64.popcnt
                                        i64.ctz
                                        global.get 3
                                        i64.xor
                                        global.set 3
                                      end
                                      drop
                                      drop
                                      drop
                                    end
                                    drop
                                  end
                                  global.get 1
                                  i32.xor
                                  global.set 1
                                end
                                global.get 3
                                i64.xor
                                global.set 3
                                ref.null func
                              end
                              drop
                              global.get 1
                              i32.xor
                              global.set 1
                              drop
                              i32.const -268435456
                            end
                            global.get 1
                            i32.xor
                            global.set 1
                          end
                          global.get 1
                          i32.xor
                          global.set 1
                          global.get 3
                          i64.xor
                          global.set 3
                        end
                        i32.reinterpret_f32
                        global.get 2
                        i32.xor
                        global.set 2
                        i32.reinterpret_f32
                        global.get 2
                        i32.xor
                        global.set 2
                        i64.reinterpret_f64
                        global.get 0
                        i64.xor
                        global.set 0
                        drop
                        i32.reinterpret_f32
                        global.get 2
                        i32.xor
                        global.set 2
                      end
                      i32.reinterpret_f32
                      global.get 2
                      i32.xor
                      global.set 2
                      global.get 3
                      i64.xor
                      global.set 3
                      drop
                      drop
                      i64.const 4194304
                    end
                    global.get 3
                    i64.xor
                    global.set 3
                    drop
                    global.get 3
                    i64.xor
                    global.set 3
                    drop
                  end
                  global.get 3
                  i64.xor
                  global.set 3
                  i64.reinterpret_f64
                  global.get 0
                  i64.xor
                  global.set 0
                  i64.const 155591351148143634
                else
                  i64.const 153568555676731437
                end
                global.get 3
                i64.xor
                global.set 3
                i32.reinterpret_f32
                global.get 2
                i32.xor
                global.set 2
                ref.null func
              end
              drop
              f64.const -0x1.3bb58cbcf9b09p-272 (;=-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000016251311791098235;)
            end
            i64.reinterpret_f64
            global.get 0
            i64.xor
            global.set 0
          end
          drop
          i64.reinterpret_f64
          global.get 0
          i64.xor
          global.set 0
          drop
          i64.const 6875013256619879681
        end
        global.get 3
        i64.xor
        global.set 3
        drop
        i64.reinterpret_f64
        global.get 0
        i64.xor
        global.set 0
        i64.reinterpret_f64
        global.get 0
        i64.xor
        global.set 0
        i64.reinterpret_f64
        global.get 0
        i64.xor
        global.set 0
        global.get 1
        i32.xor
        global.set 1
        global.get 1
        i32.xor
        global.set 1
      end
      global.get 1
      i32.xor
      global.set 1
      i64.const -65537
    end
    global.get 3
    i64.xor
    global.set 3
    global.get 3
    i64.xor
    global.set 3
  )
  (func (;3;) (type 0) (param funcref f32)
    (local f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)
    global.get 4
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 4
    i32.const 1
    i32.sub
    global.set 4
    i32.const 1357788163
    i64.extend_i32_s
    f64.convert_i64_s
    i64.trunc_sat_f64_s
    ref.null func
    local.tee 0
    i64.const 3271553339262808873
    f64.const 0x1.ffff8p-1057 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000129516;)
    f64.nearest
    local.tee 4
    f64.const nan (;=NaN;)
    local.get 4
    local.get 4
    f64.eq
    select
    f64.floor
    local.tee 5
    f64.const nan (;=NaN;)
    local.get 5
    local.get 5
    f64.eq
    select
    f64.sqrt
    local.tee 6
    f64.const nan (;=NaN;)
    local.get 6
    local.get 6
    f64.eq
    select
    local.get 3
    f64.floor
    local.tee 7
    f64.const nan (;=NaN;)
    local.get 7
    local.get 7
    f64.eq
    select
    f64.floor
    local.tee 8
    f64.const nan (;=NaN;)
    local.get 8
    local.get 8
    f64.eq
    select
    f64.floor
    local.tee 9
    f64.const nan (;=NaN;)
    local.get 9
    local.get 9
    f64.eq
    select
    f64.floor
    local.tee 10
    f64.const nan (;=NaN;)
    local.get 10
    local.get 10
    f64.eq
    select
    f64.floor
    local.tee 11
    f64.const nan (;=NaN;)
    local.get 11
    local.get 11
    f64.eq
    select
    f64.floor
    local.tee 12
    f64.const nan (;=NaN;)
    local.get 12
    local.get 12
    f64.eq
    select
    f64.floor
    local.tee 13
    f64.const nan (;=NaN;)
    local.get 13
    local.get 13
    f64.eq
    select
    f64.floor
    local.tee 14
    f64.const nan (;=NaN;)
    local.get 14
    local.get 14
    f64.eq
    select
    f64.floor
    local.tee 15
    f64.const nan (;=NaN;)
    local.get 15
    local.get 15
    f64.eq
    select
    f64.floor
    local.tee 16
    f64.const nan (;=NaN;)
    local.get 16
    local.get 16
    f64.eq
    select
    f64.floor
    local.tee 17
    f64.const nan (;=NaN;)
    local.get 17
    local.get 17
    f64.eq
    select
    f64.floor
    local.tee 18
    f64.const nan (;=NaN;)
    local.get 18
    local.get 18
    f64.eq
    select
    f64.floor
    local.tee 19
    f64.const nan (;=NaN;)
    local.get 19
    local.get 19
    f64.eq
    select
    f64.floor
    local.tee 20
    f64.const nan (;=NaN;)
    local.get 20
    local.get 20
    f64.eq
    select
    f64.floor
    local.tee 21
    f64.const nan (;=NaN;)
    local.get 21
    local.get 21
    f64.eq
    select
    f64.floor
    local.tee 22
    f64.const nan (;=NaN;)
    local.get 22
    local.get 22
    f64.eq
    select
    f64.floor
    local.tee 23
    f64.const nan (;=NaN;)
    local.get 23
    local.get 23
    f64.eq
    select
    f64.floor
    local.tee 24
    f64.const nan (;=NaN;)
    local.get 24
    local.get 24
    f64.eq
    select
    f64.floor
    local.tee 25
    f64.const nan (;=NaN;)
    local.get 25
    local.get 25
    f64.eq
    select
    f64.floor
    local.tee 26
    f64.const nan (;=NaN;)
    local.get 26
    local.get 26
    f64.eq
    select
    f64.floor
    local.tee 27
    f64.const nan (;=NaN;)
    local.get 27
    local.get 27
    f64.eq
    select
    f64.floor
    local.tee 28
    f64.const nan (;=NaN;)
    local.get 28
    local.get 28
    f64.eq
    select
    f64.floor
    local.tee 29
    f64.const nan (;=NaN;)
    local.get 29
    local.get 29
    f64.eq
    select
    f64.floor
    local.tee 30
    f64.const nan (;=NaN;)
    local.get 30
    local.get 30
    f64.eq
    select
    f64.floor
    local.tee 31
    f64.const nan (;=NaN;)
    local.get 31
    local.get 31
    f64.eq
    select
    unreachable
  )
  (func (;4;) (type 1) (param f64)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 f32 f32 f32 f32)
    global.get 4
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 4
    i32.const 1
    i32.sub
    global.set 4
    block ;; label = @1
      data.drop 1
      local.get 4
      loop (result externref) ;; label = @2
        global.get 4
        i32.eqz
        if ;; label = @3
          unreachable
        end
        global.get 4
        i32.const 1
        i32.sub
        global.set 4
        i32.const 127
        i32.eqz
        br 2
        nop
        i32.extend8_s
        f64.const -0x1.554e528c6c161p+638 (;=-1520691519572067000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
        i64.reinterpret_f64
        f64.convert_i64_u
        local.get 13
        i64.extend_i32_s
        ref.null extern
        ref.is_null
        block (result f64) ;; label = @3
          data.drop 1
          local.get 0
          i64.trunc_sat_f64_s
          f64.convert_i64_s
          ref.null func
          br 3
          i64.const 3113838376372612543
          f64.convert_i64_s
          i64.trunc_f64_s
          data.drop 1
          loop (result f64) ;; label = @4
            global.get 4
            i32.eqz
            if ;; label = @5
              unreachable
            end
            global.get 4
            i32.const 1
            i32.sub
            global.set 4
            ref.null extern
            i64.const -2530070244478021174
            i64.extend32_s
            i64.popcnt
            f32.const -0x1.b2943ap+12 (;=-6953.264;)
            local.tee 18
            block (result f64) ;; label = @5
              block (result i32) ;; label = @6
                f32.const -0x1.3f1a22p+100 (;=-1580117000000000000000000000000;)
                br 4 (;@2;)
                i64.trunc_f32_s
                f32.convert_i64_s
                local.tee 17
                f32.floor
                local.tee 19
                f32.const nan (;=NaN;)
                local.get 19
                local.get 19
                f32.eq
                select
                i32.trunc_f32_u
                br_if 5 (;@1;)
                loop ;; label = @7
                  global.get 4
                  i32.eqz
                  if ;; label = @8
                    unreachable
                  end
                  global.get 4
                  i32.const 1
                  i32.sub
                  global.set 4
                  i64.const -2048
                  i32.wrap_i64
                  block ;; label = @8
                  end
                  if (result f64) ;; label = @8
                    i64.const 63
                    i64.popcnt
                    data.drop 1
                    br 4 (;@4;)
                    f32.convert_i64_u
                    f32.floor
                    local.tee 20
                    f32.const nan (;=NaN;)
                    local.get 20
                    local.get 20
                    f32.eq
                    select
                    f32.abs
                    local.set 17
                    data.drop 0
                    data.drop 1
                    ref.null extern
                    data.drop 0
                    nop
                    i64.const -274877906944
                    i32.wrap_i64
                    f32.const 0x1.fa1414p+89 (;=1223622560000000000000000000;)
                    loop (result f64) ;; label = @9
                      global.get 4
                      i32.eqz
                      if ;; label = @10
                        unreachable
                      end
                      global.get 4
                      i32.const 1
                      i32.sub
                      global.set 4
                      block ;; label = @10
                        i32.const -1024
                        i64.extend_i32_u
                        local.get 15
                        i32.const 1073741824
                        i32.popcnt
                        i32.extend8_s
                        i64.const 1429919570301581318
                        i64.popcnt
                        f64.convert_i64_s
                        local.get 17
                        ref.null extern
                        data.drop 1
                        br 3 (;@7;)
                        i32.const 16
                        block (result f64) ;; label = @11
                          block ;; label = @12
                            i64.const -36028797018963969
                            f64.convert_i64_u
                            f64.const 0x1.fffffffffffffp+1023 (;=179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
                            f64.le
                            br_table 0 (;@12;) 2 (;@10;) 3 (;@9;) 5 (;@7;) 8 (;@4;) 10 (;@2;) 11 (;@1;) 12 8 (;@4;)
                            br 5 (;@7;)
                            i64.const 1672876829383494414
                            i32.const -251798303
                            br_table 0 (;@12;) 2 (;@10;) 3 (;@9;) 5 (;@7;) 8 (;@4;) 10 (;@2;) 11 (;@1;) 12 5 (;@7;)
                            i64.const -4765536453336173392
                            i64.gt_s
                            i64.extend_i32_u
                            i64.extend16_s
                            br 11 (;@1;)
                            f32.convert_i64_s
                            local.set 17
                            loop ;; label = @13
                              global.get 4
                              i32.eqz
                              if ;; label = @14
                                unreachable
                              end
                              global.get 4
                              i32.const 1
                              i32.sub
                              global.set 4
                            end
                          end
                          f64.const -0x1.af4548a9b795ap-726 (;=-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004772358669971137;)
                        end
                        i64.reinterpret_f64
                        global.get 0
                        i64.xor
                        global.set 0
                        global.get 1
                        i32.xor
                        global.set 1
                        drop
                        i32.reinterpret_f32
                        global.get 2
                        i32.xor
                        global.set 2
                        i64.reinterpret_f64
                        global.get 0
                        i64.xor
                        global.set 0
                        global.get 1
                        i32.xor
                        global.set 1
                        global.get 1
                        i32.xor
                        global.set 1
                        global.get 3
                        i64.xor
                        global.set 3
                      end
                      f64.const -nan:0xfffffffdfffff (;=NaN;)
                    end
                    i64.reinterpret_f64
                    global.get 0
                    i64.xor
                    global.set 0
                    i32.reinterpret_f32
                    global.get 2
                    i32.xor
                    global.set 2
                    global.get 1
                    i32.xor
                    global.set 1
                    drop
                    f64.const 0x1.73ad2799f4a6bp+1011 (;=31860355693740305000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
                  else
                    f64.const -0x1.fffffffffffffp+512 (;=-26815615859885190000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
                  end
                  i64.reinterpret_f64
                  global.get 0
                  i64.xor
                  global.set 0
                end
                i32.const 16383
              end
              global.get 1
              i32.xor
              global.set 1
              f64.const 0x1.28934efe41d0dp-910 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000133844071896952;)
            end
            i64.reinterpret_f64
            global.get 0
            i64.xor
            global.set 0
            i32.reinterpret_f32
            global.get 2
            i32.xor
            global.set 2
            global.get 3
            i64.xor
            global.set 3
            drop
            f64.const 0x1.7abf305b49e59p+455 (;=137643931960335450000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
          end
          i64.reinterpret_f64
          global.get 0
          i64.xor
          global.set 0
          global.get 3
          i64.xor
          global.set 3
          drop
        end
        i64.reinterpret_f64
        global.get 0
        i64.xor
        global.set 0
        global.get 1
        i32.xor
        global.set 1
        global.get 3
        i64.xor
        global.set 3
        i64.reinterpret_f64
        global.get 0
        i64.xor
        global.set 0
        global.get 1
        i32.xor
        global.set 1
        ref.null extern
      end
      drop
      global.get 1
      i32.xor
      global.set 1
    end
  )
  (func (;5;) (type 1) (param f64)
    (local f64 f64 f64 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32)
    global.get 4
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 4
    i32.const 1
    i32.sub
    global.set 4
    data.drop 1
    i64.const 7906773602780500360
    br 0
    f64.const 0x1.ffff8p-1057 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000129516;)
    f64.nearest
    local.tee 1
    f64.const nan (;=NaN;)
    local.get 1
    local.get 1
    f64.eq
    select
    f64.floor
    local.tee 2
    f64.const nan (;=NaN;)
    local.get 2
    local.get 2
    f64.eq
    select
    i32.trunc_sat_f64_s
    i32.ctz
    block ;; label = @1
      f64.const 0x1.3c366feb2091bp+526 (;=271341978393631400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
      f64.nearest
      local.tee 3
      f64.const nan (;=NaN;)
      local.get 3
      local.get 3
      f64.eq
      select
      i32.trunc_sat_f64_s
      f32.const -0x1.fffffep+96 (;=-158456320000000000000000000000;)
      local.get 0
      i64.trunc_sat_f64_u
      f64.convert_i64_u
      i64.trunc_sat_f64_s
      block (result funcref) ;; label = @2
        loop (result f32) ;; label = @3
          global.get 4
          i32.eqz
          if ;; label = @4
            unreachable
          end
          global.get 4
          i32.const 1
          i32.sub
          global.set 4
          block ;; label = @4
            i64.const -2614905288884983876
            f64.const 0x1.p-1055 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002590327;)
            i64.trunc_f64_s
            i64.eq
            return
            f64.convert_i32_u
            i64.trunc_sat_f64_s
            i64.popcnt
            data.drop 1
            i32.wrap_i64
            f32.const -nan:0x7ffbff (;=NaN;)
            i64.const 36028797018963968
            f64.convert_i64_u
            i64.trunc_f64_u
            f32.convert_i64_u
            i64.const 101428788256420190
            i32.wrap_i64
            f32.convert_i32_s
            f32.add
            local.tee 4
            f32.const nan (;=NaN;)
            local.get 4
            local.get 4
            f32.eq
            select
            f32.sub
            local.tee 5
            f32.const nan (;=NaN;)
            local.get 5
            local.get 5
            f32.eq
            select
            i64.const 4611686018427387903
            f32.convert_i64_s
            f32.nearest
            local.tee 6
            f32.const nan (;=NaN;)
            local.get 6
            local.get 6
            f32.eq
            select
            f32.nearest
            local.tee 7
            f32.const nan (;=NaN;)
            local.get 7
            local.get 7
            f32.eq
            select
            f32.nearest
            local.tee 8
            f32.const nan (;=NaN;)
            local.get 8
            local.get 8
            f32.eq
            select
            f32.nearest
            local.tee 9
            f32.const nan (;=NaN;)
            local.get 9
            local.get 9
            f32.eq
            select
            f32.nearest
            local.tee 10
            f32.const nan (;=NaN;)
            local.get 10
            local.get 10
            f32.eq
            select
            f32.nearest
            local.tee 11
            f32.const nan (;=NaN;)
            local.get 11
            local.get 11
            f32.eq
            select
            f32.nearest
            local.tee 12
            f32.const nan (;=NaN;)
            local.get 12
            local.get 12
            f32.eq
            select
            f32.nearest
            local.tee 13
            f32.const nan (;=NaN;)
            local.get 13
            local.get 13
            f32.eq
            select
            f32.nearest
            local.tee 14
            f32.const nan (;=NaN;)
            local.get 14
            local.get 14
            f32.eq
            select
            f32.nearest
            local.tee 15
            f32.const nan (;=NaN;)
            local.get 15
            local.get 15
            f32.eq
            select
            f32.nearest
            local.tee 16
            f32.const nan (;=NaN;)
            local.get 16
            local.get 16
            f32.eq
            select
            f32.nearest
            local.tee 17
            f32.const nan (;=NaN;)
            local.get 17
            local.get 17
            f32.eq
            select
            f32.nearest
            local.tee 18
            f32.const nan (;=NaN;)
            local.get 18
            local.get 18
            f32.eq
            select
            f32.nearest
            local.tee 19
            f32.const nan (;=NaN;)
            local.get 19
            local.get 19
            f32.eq
            select
            f32.nearest
            local.tee 20
            f32.const nan (;=NaN;)
            local.get 20
            local.get 20
            f32.eq
            select
            f32.nearest
            local.tee 21
            f32.const nan (;=NaN;)
            local.get 21
            local.get 21
            f32.eq
            select
            f32.nearest
            local.tee 22
            f32.const nan (;=NaN;)
            local.get 22
            local.get 22
            f32.eq
            select
            f32.nearest
            local.tee 23
            f32.const nan (;=NaN;)
            local.get 23
            local.get 23
            f32.eq
            select
            f32.nearest
            local.tee 24
            f32.const nan (;=NaN;)
            local.get 24
            local.get 24
            f32.eq
            select
            i32.reinterpret_f32
            global.get 2
            i32.xor
            global.set 2
            i32.reinterpret_f32
            global.get 2
            i32.xor
            global.set 2
            global.get 1
            i32.xor
            global.set 1
          end
          f32.const 0x1.45b978p-24 (;=0.00000007583864;)
        end
        i32.reinterpret_f32
        global.get 2
        i32.xor
        global.set 2
        ref.null func
      end
      drop
      global.get 3
      i64.xor
      global.set 3
      i32.reinterpret_f32
      global.get 2
      i32.xor
      global.set 2
      global.get 1
      i32.xor
      global.set 1
    end
    global.get 1
    i32.xor
    global.set 1
    global.get 3
    i64.xor
    global.set 3
  )
  (func (;6;) (type 1) (param f64)
    (local f64 f64 f64)
    global.get 4
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 4
    i32.const 1
    i32.sub
    global.set 4
    i32.const -516506798
    loop (result i64) ;; label = @1
      global.get 4
      i32.eqz
      if ;; label = @2
        unreachable
      end
      global.get 4
      i32.const 1
      i32.sub
      global.set 4
      i32.const -1150923048
      f64.const 0x1.280024ca32c08p-693 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002813620854180121;)
      br 1
      local.get 0
      i32.trunc_sat_f64_s
      ref.null func
      f64.const 0x1.b107215572afep+498 (;=1384247368113668000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
      local.get 0
      f64.floor
      local.tee 1
      f64.const nan (;=NaN;)
      local.get 1
      local.get 1
      f64.eq
      select
      f64.trunc
      local.tee 2
      f64.const nan (;=NaN;)
      local.get 2
      local.get 2
      f64.eq
      select
      i32.trunc_sat_f64_s
      f64.convert_i32_s
      i32.trunc_sat_f64_u
      i32.clz
      loop ;; label = @2
        global.get 4
        i32.eqz
        if ;; label = @3
          unreachable
        end
        global.get 4
        i32.const 1
        i32.sub
        global.set 4
        br 0 (;@2;)
        i64.const -1229782938247303442
        f64.convert_i64_s
        f64.trunc
        local.tee 3
        f64.const nan (;=NaN;)
        local.get 3
        local.get 3
        f64.eq
        select
        call 1
        loop (result funcref) ;; label = @3
          global.get 4
          i32.eqz
          if ;; label = @4
            unreachable
          end
          global.get 4
          i32.const 1
          i32.sub
          global.set 4
          data.drop 1
          data.drop 0
          i64.const 281474976710656
          f64.const 0x1.39ee132bb5284p+654 (;=91666361084318500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
          call 2
          i64.extend32_s
          br 3
          i32.const 38576940
          i32.ctz
          if (result f32) ;; label = @4
            i32.const -2147483648
            ref.null func
            f64.const 0x1.9bc05263034fep-467 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004220724384281679;)
            i64.reinterpret_f64
            f64.reinterpret_i64
            return
            local.tee 0
            call 2
            data.drop 0
            block (result f32) ;; label = @5
              data.drop 1
              data.drop 1
              ref.null extern
              i32.const 5983080
              i32.const 739277371
              block (result f64) ;; label = @6
                f32.const -0x1.ea1222p+38 (;=-526209550000;)
                data.drop 1
                i32.const -1832563258
                i64.extend_i32_s
                f32.const -nan:0x5fffff (;=NaN;)
                f32.const -0x1.61d63cp-87 (;=-0.000000000000000000000000008932098;)
                f32.le
                block ;; label = @7
                  i64.const 131071
                  f64.convert_i64_s
                  block (type 1) (param f64) ;; label = @8
                    i64.trunc_f64_u
                    local.get 0
                    ref.null func
                    local.get 0
                    i32.trunc_f64_u
                    f64.convert_i32_s
                    i32.trunc_f64_u
                    f64.convert_i32_s
                    i32.trunc_f64_u
                    f64.convert_i32_s
                    i32.trunc_f64_u
                    f32.reinterpret_i32
                    f64.promote_f32
                    i64.trunc_f64_u
                    block ;; label = @9
                      i32.const 1730115057
                      f32.reinterpret_i32
                      i64.trunc_sat_f32_s
                      global.get 3
                      i64.xor
                      global.set 3
                    end
                    global.get 3
                    i64.xor
                    global.set 3
                    drop
                    i64.reinterpret_f64
                    global.get 0
                    i64.xor
                    global.set 0
                    global.get 3
                    i64.xor
                    global.set 3
                  end
                end
                global.get 1
                i32.xor
                global.set 1
                global.get 3
                i64.xor
                global.set 3
                i32.reinterpret_f32
                global.get 2
                i32.xor
                global.set 2
                f64.const 0x1.p-1057 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000064758;)
              end
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              global.get 1
              i32.xor
              global.set 1
              global.get 1
              i32.xor
              global.set 1
              drop
              f32.const 0x1p-119 (;=0.0000000000000000000000000000000000015046328;)
            end
            i32.reinterpret_f32
            global.get 2
            i32.xor
            global.set 2
            drop
            global.get 1
            i32.xor
            global.set 1
            f32.const -0x1.331764p-21 (;=-0.00000057200225;)
          else
            f32.const -0x1.fffffep+127 (;=-340282350000000000000000000000000000000;)
          end
          i32.reinterpret_f32
          global.get 2
          i32.xor
          global.set 2
          global.get 3
          i64.xor
          global.set 3
          ref.null func
        end
        drop
      end
      global.get 1
      i32.xor
      global.set 1
      i64.reinterpret_f64
      global.get 0
      i64.xor
      global.set 0
      drop
      global.get 1
      i32.xor
      global.set 1
      i64.reinterpret_f64
      global.get 0
      i64.xor
      global.set 0
      global.get 1
      i32.xor
      global.set 1
      i64.const 9223372036854775807
    end
    global.get 3
    i64.xor
    global.set 3
    global.get 1
    i32.xor
    global.set 1
  )
  (data (;0;) "m")
  (data (;1;) "\cb")
)
