import sys
OUT = sys.argv[1]
HEADER = "test interpret\ntest run\ntarget x86_64\ntarget x86_64 has_avx\n"
BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64}

def sx(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v

out = [HEADER, "; uloadN.T / sloadN.T: load N bits at p+offset and zero- / sign-extend them to T.\n"
       "; The slot holds the 8 bytes of an i64 argument (little-endian).\n"]
cnt = 0
patterns = [0, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
            0x8182838485868788, 0x0102030405060708, (1 << 64) - 1, 0xfedcba9876543210]
for op, n, tys in [("uload8", 8, ["i16", "i32", "i64"]), ("sload8", 8, ["i16", "i32", "i64"]),
                   ("uload16", 16, ["i32", "i64"]), ("sload16", 16, ["i32", "i64"]),
                   ("uload32", 32, ["i64"]), ("sload32", 32, ["i64"])]:
    for ty in tys:
        for off in [0, 8 // 8 * (n // 8)] if n < 64 else [0]:
            fn = f"{op}_{ty}_off{off}"
            out.append(f"""
function %{fn}(i64) -> {ty} {{
    ss0 = explicit_slot 8
block0(v0: i64):
    v1 = stack_addr.i64 ss0
    store v0, v1
    v2 = {op}.{ty} v1{'+' + str(off) if off else ''}
    return v2
}}
""")
            for p in patterns:
                raw = (p.to_bytes(8, "little")[off:off + n // 8])
                u = int.from_bytes(raw, "little")
                r = sx(u, n) if op.startswith("s") else u
                r = sx(r, BITS[ty])  # print as the signed value of T
                out.append(f"; run: %{fn}({hex(p)}) == {r}\n")
                cnt += 1
open(f"{OUT}/uload-sload.clif", "w").write("".join(out))
print("uload-sload", cnt)

out = [HEADER, "; istoreN x, p+offset: store the low N bits of x; the other bytes are untouched.\n"
       "; The slot is first filled with 0xff bytes, then read back as one i64.\n"]
cnt = 0
for op, n, tys in [("istore8", 8, ["i16", "i32", "i64"]), ("istore16", 16, ["i32", "i64"]),
                   ("istore32", 32, ["i64"])]:
    for ty in tys:
        for off in [0, 1, 8 - n // 8]:
            fn = f"{op}_{ty}_off{off}"
            out.append(f"""
function %{fn}({ty}) -> i64 {{
    ss0 = explicit_slot 8
block0(v0: {ty}):
    v1 = stack_addr.i64 ss0
    v2 = iconst.i64 -1
    store v2, v1
    {op} v0, v1{'+' + str(off) if off else ''}
    v3 = load.i64 v1
    return v3
}}
""")
            for x in [0, 0x12, 0x1234, 0x12345678, 0x0123456789abcdef, (1 << BITS[ty]) - 1, 1 << (BITS[ty] - 1)]:
                x &= (1 << BITS[ty]) - 1
                mem = bytearray(b"\xff" * 8)
                mem[off:off + n // 8] = (x & ((1 << n) - 1)).to_bytes(n // 8, "little")
                r = int.from_bytes(mem, "little")
                out.append(f"; run: %{fn}({hex(x)}) == {hex(r)}\n")
                cnt += 1
open(f"{OUT}/istore.clif", "w").write("".join(out))
print("istore", cnt)
