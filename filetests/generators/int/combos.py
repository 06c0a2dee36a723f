"""Hand-written multi-instruction functions; expectations computed with plain Python."""
import os
import sys

from ref import W, s, u, fmt, trunc_div, smin, smax

OUT = sys.argv[1]


def app(fname, text):
    with open(os.path.join(OUT, fname), "a") as fh:
        fh.write("\n" + text)


def rl(name, args, res):
    a = ", ".join(fmt(v, t) for v, t in args)
    if len(res) == 1:
        r = fmt(*res[0])
    else:
        r = "[" + ", ".join(fmt(v, t) for v, t in res) + "]"
    return "; run: %%%s(%s) == %s\n" % (name, a, r)


# ---- iconst.clif (fresh file)
with open(os.path.join(OUT, "iconst.clif"), "w") as fh:
    fh.write("test interpret\ntest run\ntarget x86_64\ntarget x86_64 has_avx\n\n"
             "; iconst.T imm: the immediate, truncated to T (stored zero-extended).\n")
CONSTS = {
    "i8": ["0", "1", "-1", "255", "-128", "127", "0x80", "0x7f"],
    "i16": ["0", "-1", "0xffff", "-32768", "0x8000", "32767", "0x1234", "-2"],
    "i32": ["0", "-1", "0xffff_ffff", "-2147483648", "0x7fff_ffff", "123456789", "0x8000_0000",
            "-10001"],
    "i64": ["0", "-1", "0xffff_ffff_ffff_ffff", "-0x8000_0000_0000_0000",
            "0x7fff_ffff_ffff_ffff", "0x0123_4567_89ab_cdef", "9223372036854775807",
            "-9223372036854775808"],
}


def lit(text, b):
    neg = text.startswith("-")
    t = text.lstrip("-").replace("_", "")
    v = int(t, 16) if t.startswith("0x") else int(t)
    return u(-v if neg else v, b)


for ty, cs in CONSTS.items():
    b = W[ty]
    name = "iconst_%s" % ty
    body = "function %%%s() -> %s {\nblock0:\n" % (name, ", ".join([ty] * len(cs)))
    for i, c in enumerate(cs):
        body += "    v%d = iconst.%s %s\n" % (i, ty, c)
    body += "    return %s\n}\n" % ", ".join("v%d" % i for i in range(len(cs)))
    app("iconst.clif", body + rl(name, [], [(lit(c, b), ty) for c in cs]))

# the stored immediate is zero-extended: uextend of iconst.i8 -1 is 255, sextend is -1
app("iconst.clif", """function %iconst_i8_extend() -> i32, i32, i64, i64 {
block0:
    v0 = iconst.i8 -1
    v1 = uextend.i32 v0
    v2 = sextend.i32 v0
    v3 = iconst.i32 0x8000_0000
    v4 = uextend.i64 v3
    v5 = sextend.i64 v3
    return v1, v2, v4, v5
}
""" + rl("iconst_i8_extend", [], [(255, "i32"), (-1, "i32"), (1 << 31, "i64"), (-(1 << 31), "i64")]))

# i128 constants have no iconst form: build them from i64 halves
app("iconst.clif", """function %iconst_i128_build() -> i128, i128, i128, i128 {
block0:
    v0 = iconst.i64 -1
    v1 = uextend.i128 v0
    v2 = sextend.i128 v0
    v3 = iconst.i64 0x0123_4567_89ab_cdef
    v4 = iconst.i64 0x7fff_ffff_ffff_ffff
    v5 = iconcat v3, v4
    v6 = iconst.i64 0
    v7 = iconst.i64 0x8000_0000_0000_0000
    v8 = iconcat v6, v7
    return v1, v2, v5, v8
}
""" + rl("iconst_i128_build", [], [((1 << 64) - 1, "i128"), (-1, "i128"),
                                    (0x0123456789abcdef | (0x7fffffffffffffff << 64), "i128"),
                                    (1 << 127, "i128")]))

# constants combined with arguments
app("iconst.clif", """function %iconst_add_i8(i8) -> i8 {
block0(v0: i8):
    v1 = iconst.i8 200
    v2 = iadd v0, v1
    return v2
}
""" + "".join(rl("iconst_add_i8", [(x, "i8")], [(u(x + 200, 8), "i8")]) for x in (0, 56, 55, -1, 100)))

# ---- iabs.clif: |x| through shifts matches iabs
for ty in ("i32", "i64", "i128"):
    b = W[ty]
    name = "iabs_by_shifts_%s" % ty
    body = """function %%%s(%s) -> %s, %s {
block0(v0: %s):
    v1 = iabs v0
    v2 = sshr_imm v0, %d
    v3 = bxor v0, v2
    v4 = isub v3, v2
    return v1, v4
}
""" % (name, ty, ty, ty, ty, b - 1)
    for x in (0, 5, -5, smin(b), smax(b), -1, 12345):
        a = u(abs(s(x, b)), b)
        body += rl(name, [(x, ty)], [(a, ty), (a, ty)])
    app("iabs.clif", body)

# ---- popcnt.clif: SWAR popcount
body = """function %popcnt_swar_i32(i32) -> i32, i32 {
block0(v0: i32):
    v1 = popcnt v0
    v2 = ushr_imm v0, 1
    v3 = band_imm v2, 0x5555_5555
    v4 = isub v0, v3
    v5 = band_imm v4, 0x3333_3333
    v6 = ushr_imm v4, 2
    v7 = band_imm v6, 0x3333_3333
    v8 = iadd v5, v7
    v9 = ushr_imm v8, 4
    v10 = iadd v8, v9
    v11 = band_imm v10, 0x0f0f_0f0f
    v12 = imul_imm v11, 0x0101_0101
    v13 = ushr_imm v12, 24
    return v1, v13
}
"""
for x in (0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678, 0xf0f0f0f, 0x55555555, 0x80000001):
    n = bin(u(x, 32)).count("1")
    body += rl("popcnt_swar_i32", [(x, "i32")], [(n, "i32"), (n, "i32")])
app("popcnt.clif", body)

# ---- ctz.clif: ctz x == popcnt((x & -x) - 1)
body = """function %ctz_via_popcnt_i64(i64) -> i64, i64 {
block0(v0: i64):
    v1 = ctz v0
    v2 = ineg v0
    v3 = band v0, v2
    v4 = iadd_imm v3, -1
    v5 = popcnt v4
    return v1, v5
}
"""
for x in (0, 1, 2, -1, 1 << 63, 0x100, 0x0123_4567_89ab_cd00, -(1 << 40)):
    xx = u(x, 64)
    n = 64 if xx == 0 else (xx & -xx).bit_length() - 1
    body += rl("ctz_via_popcnt_i64", [(x, "i64")], [(n, "i64"), (n, "i64")])
app("ctz.clif", body)

# ---- clz.clif: clz, ctz, popcnt and cls of the same value, several results
body = """function %bitcounts_i16(i16) -> i16, i16, i16, i16 {
block0(v0: i16):
    v1 = clz v0
    v2 = ctz v0
    v3 = popcnt v0
    v4 = cls v0
    return v1, v2, v3, v4
}
"""
# hand-derived: (value, clz, ctz, popcnt, cls)
for x, c, t, p, l in ((0, 16, 16, 0, 15), (-1, 0, 0, 16, 15), (1, 15, 0, 1, 14),
                      (0x8000, 0, 15, 1, 0), (0x00f0, 8, 4, 4, 7), (0xff00, 0, 8, 8, 7),
                      (0x4000, 1, 14, 1, 0), (0xc001, 0, 0, 3, 1), (0x0180, 7, 7, 2, 6)):
    body += rl("bitcounts_i16", [(x, "i16")], [(c, "i16"), (t, "i16"), (p, "i16"), (l, "i16")])
app("clz.clif", body)

# ---- bswap / bitrev round trips
body = """function %bswap_twice_i64(i64) -> i64, i64 {
block0(v0: i64):
    v1 = bswap v0
    v2 = bswap v1
    return v1, v2
}
"""
for x in (0x0102030405060708, -2, 0x0123_4567_89ab_cdef):
    body += rl("bswap_twice_i64", [(x, "i64")],
               [(int.from_bytes(u(x, 64).to_bytes(8, "little"), "big"), "i64"), (u(x, 64), "i64")])
app("bswap.clif", body)
body = """function %bitrev_bswap_i32(i32) -> i32, i32, i32 {
block0(v0: i32):
    v1 = bitrev v0
    v2 = bswap v0
    v3 = bitrev v1
    return v1, v2, v3
}
"""
for x in (1, 0x12345678, 0x80000000, 0x00ff00f0):
    xx = u(x, 32)
    body += rl("bitrev_bswap_i32", [(x, "i32")],
               [(int(format(xx, "032b")[::-1], 2), "i32"),
                (int.from_bytes(xx.to_bytes(4, "little"), "big"), "i32"), (xx, "i32")])
app("bitrev.clif", body)

# ---- rotl.clif: rotl by n == (x << n) | (x >> (w - n))
body = """function %rotl_by_shifts_i32(i32, i32) -> i32, i32 {
block0(v0: i32, v1: i32):
    v2 = rotl v0, v1
    v3 = ishl v0, v1
    v4 = irsub_imm v1, 32
    v5 = ushr v0, v4
    v6 = bor v3, v5
    return v2, v6
}
"""
for x, n in ((0x12345678, 4), (0x80000001, 1), (-1, 13), (0x0000_f00d, 31), (0xdeadbeef, 16)):
    xx = u(x, 32)
    r = u((xx << n) | (xx >> (32 - n)), 32)
    body += rl("rotl_by_shifts_i32", [(x, "i32"), (n, "i32")], [(r, "i32"), (r, "i32")])
app("rotl.clif", body)
body = """function %rotr_inverse_i64(i64, i8) -> i64, i64 {
block0(v0: i64, v1: i8):
    v2 = rotr v0, v1
    v3 = rotl v2, v1
    return v2, v3
}
"""
for x, n in ((0x0123_4567_89ab_cdef, 8), (1, 1), (1, 65), (-2, -1), (0x8000_0000_0000_0000, 63)):
    xx = u(x, 64)
    k = u(n, 8) % 64
    r = u((xx >> k) | (xx << (64 - k)), 64)
    body += rl("rotr_inverse_i64", [(x, "i64"), (n, "i8")], [(r, "i64"), (xx, "i64")])
app("rotr.clif", body)

# ---- udiv / sdiv: quotient, remainder and the identity q * y + r == x
for op, rop, signed in (("udiv", "urem", False), ("sdiv", "srem", True)):
    for ty in ("i32", "i128"):
        b = W[ty]
        name = "%smod_%s" % (op, ty)
        body = """function %%%s(%s, %s) -> %s, %s, %s {
block0(v0: %s, v1: %s):
    v2 = %s v0, v1
    v3 = %s v0, v1
    v4 = imul v2, v1
    v5 = iadd v4, v3
    return v2, v3, v5
}
""" % (name, ty, ty, ty, ty, ty, ty, ty, op, rop)
        cases = ((100, 7), (-100, 7), (100, -7), (-100, -7), (smin(b) + 1, 3), (smax(b), -2),
                 (12345678, 1000))
        for x, y in cases:
            if signed:
                q = trunc_div(s(x, b), s(y, b))
                r = s(x, b) - q * s(y, b)
            else:
                q = u(x, b) // u(y, b)
                r = u(x, b) % u(y, b)
            body += rl(name, [(x, ty), (y, ty)], [(u(q, b), ty), (u(r, b), ty), (u(x, b), ty)])
        app(op + ".clif", body)

# ---- urem.clif: Euclid's gcd loop
body = """function %gcd_i64(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    jump block1(v0, v1)

block1(v2: i64, v3: i64):
    brif v3, block2, block3

block2:
    v4 = urem v2, v3
    jump block1(v3, v4)

block3:
    return v2
}
"""
import math
for x, y in ((12, 18), (17, 5), (0, 9), (9, 0), (1 << 63, 1 << 40), (-1, 3), (-1, -1),
             (600851475143, 6857 * 71)):
    body += rl("gcd_i64", [(x, "i64"), (y, "i64")], [(math.gcd(u(x, 64), u(y, 64)), "i64")])
app("urem.clif", body)

# ---- i128-arith.clif
with open(os.path.join(OUT, "i128-arith.clif"), "w") as fh:
    fh.write("test interpret\ntest run\ntarget x86_64\ntarget x86_64 has_avx\n\n"
             "; Multi-step i128 computations checked against the same computation on i64 halves.\n")
M64 = (1 << 64) - 1

body = """; 128-bit product from 64-bit pieces (lo*lo, umulhi, cross terms) vs imul on i128.
function %mul128_pieces(i64, i64, i64, i64) -> i64, i64, i64, i64 {
block0(v0: i64, v1: i64, v2: i64, v3: i64):
    v4 = imul v0, v2
    v5 = umulhi v0, v2
    v6 = imul v0, v3
    v7 = imul v1, v2
    v8 = iadd v5, v6
    v9 = iadd v8, v7
    v10 = iconcat v0, v1
    v11 = iconcat v2, v3
    v12 = imul v10, v11
    v13, v14 = isplit v12
    return v4, v9, v13, v14
}
"""
for al, ah, bl, bh in ((-1, 0, -1, 0), (-1, -1, -1, -1), (0x0123_4567_89ab_cdef, 5, 0xfedc_ba98_7654_3210, -3),
                       (1 << 63, 0, 2, 0), (3, 1 << 62, 7, 9)):
    a = u(al, 64) | (u(ah, 64) << 64)
    c = u(bl, 64) | (u(bh, 64) << 64)
    p = (a * c) % (1 << 128)
    lo, hi = p & M64, p >> 64
    body += rl("mul128_pieces", [(al, "i64"), (ah, "i64"), (bl, "i64"), (bh, "i64")],
               [(lo, "i64"), (hi, "i64"), (lo, "i64"), (hi, "i64")])
app("i128-arith.clif", body)

body = """; 128-bit add with carry through uadd_overflow on the halves vs iadd on i128.
function %add128_carry(i128, i128) -> i128, i128 {
block0(v0: i128, v1: i128):
    v2 = iadd v0, v1
    v3, v4 = isplit v0
    v5, v6 = isplit v1
    v7, v8 = uadd_overflow v3, v5
    v9 = iadd v4, v6
    v10 = uextend.i64 v8
    v11 = iadd v9, v10
    v12 = iconcat v7, v11
    return v2, v12
}
"""
for x, y in ((M64, 1), (-1, 1), (1 << 127, 1 << 127), (0x1_ffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff),
             (-(1 << 64), -1), (12345678901234567890123456789, 98765432109876543210987654321)):
    r = u(x + y, 128)
    body += rl("add128_carry", [(x, "i128"), (y, "i128")], [(r, "i128"), (r, "i128")])
app("i128-arith.clif", body)

body = """; A polynomial 3x^2 - 7x + 11 in i128, wrapping.
function %poly128(i128) -> i128 {
block0(v0: i128):
    v1 = imul v0, v0
    v2 = imul_imm v1, 3
    v3 = imul_imm v0, -7
    v4 = iadd v2, v3
    v5 = iadd_imm v4, 11
    return v5
}
"""
for x in (0, 1, -1, 1 << 64, 1 << 100, -(1 << 63), 10 ** 20, 1 << 127):
    body += rl("poly128", [(x, "i128")], [(u(3 * x * x - 7 * x + 11, 128), "i128")])
app("i128-arith.clif", body)

body = """; Shifts across the 64-bit boundary, signed and unsigned, several results.
function %shifts128(i128, i32) -> i128, i128, i128, i128, i128 {
block0(v0: i128, v1: i32):
    v2 = ishl v0, v1
    v3 = ushr v0, v1
    v4 = sshr v0, v1
    v5 = rotl v0, v1
    v6 = rotr v0, v1
    return v2, v3, v4, v5, v6
}
"""
for x, n in ((1, 64), (1, 63), (1 << 127, 64), (-(1 << 100), 36), (0x0123_4567_89ab_cdef_0011_2233_4455_6677, 4),
             (0x0123_4567_89ab_cdef_0011_2233_4455_6677, 68), (-5, 127), (-5, 128), (7, -1)):
    xx = u(x, 128)
    k = u(n, 32) % 128
    res = [u(xx << k, 128), xx >> k, u(s(xx, 128) >> k, 128),
           u((xx << k) | (xx >> (128 - k)), 128), u((xx >> k) | (xx << (128 - k)), 128)]
    body += rl("shifts128", [(x, "i128"), (n, "i32")], [(r, "i128") for r in res])
app("i128-arith.clif", body)

body = """; Division family on i128 with several results.
function %divs128(i128, i128) -> i128, i128, i128, i128 {
block0(v0: i128, v1: i128):
    v2 = udiv v0, v1
    v3 = urem v0, v1
    v4 = sdiv v0, v1
    v5 = srem v0, v1
    return v2, v3, v4, v5
}
"""
for x, y in ((10 ** 30, 10 ** 11), (-(10 ** 30), 10 ** 11), (10 ** 30, -(10 ** 11)), (-1, 2),
             ((1 << 127) + 5, 1 << 64), (-7, -2), (1 << 126, 3)):
    X, Y = u(x, 128), u(y, 128)
    q = trunc_div(s(X, 128), s(Y, 128))
    res = [X // Y, X % Y, u(q, 128), u(s(X, 128) - q * s(Y, 128), 128)]
    body += rl("divs128", [(x, "i128"), (y, "i128")], [(r, "i128") for r in res])
app("i128-arith.clif", body)

body = """; Comparisons that differ only in the high half.
function %cmp128(i128, i128) -> i8, i8, i8, i8 {
block0(v0: i128, v1: i128):
    v2 = icmp eq v0, v1
    v3 = icmp slt v0, v1
    v4 = icmp ult v0, v1
    v5 = icmp sge v0, v1
    return v2, v3, v4, v5
}
"""
for x, y in ((1 << 64, 1), (1, 1 << 64), (1 << 127, 1), (-1, M64), (M64, M64), ((5 << 64) | 3, (5 << 64) | 4)):
    X, Y = u(x, 128), u(y, 128)
    res = [int(X == Y), int(s(X, 128) < s(Y, 128)), int(X < Y), int(s(X, 128) >= s(Y, 128))]
    body += rl("cmp128", [(x, "i128"), (y, "i128")], [(r, "i8") for r in res])
app("i128-arith.clif", body)

# ---- select.clif: smax built from icmp + select matches smax
body = """function %smax_by_select_i16(i16, i16) -> i16, i16, i16 {
block0(v0: i16, v1: i16):
    v2 = icmp sgt v0, v1
    v3 = select v2, v0, v1
    v4 = smax v0, v1
    v5 = icmp ugt v0, v1
    v6 = select v5, v0, v1
    return v3, v4, v6
}
"""
for x, y in ((1, 2), (-1, 1), (-32768, 32767), (5, 5), (-3, -4)):
    X, Y = u(x, 16), u(y, 16)
    sm = X if s(X, 16) > s(Y, 16) else Y
    um = X if X > Y else Y
    body += rl("smax_by_select_i16", [(x, "i16"), (y, "i16")], [(sm, "i16"), (sm, "i16"), (um, "i16")])
app("select.clif", body)
body = """; Bounds-check style clamp: index < len ? index : 0.
function %spectre_clamp_i64(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    v2 = iconst.i64 0
    v3 = icmp ult v0, v1
    v4 = select_spectre_guard v3, v0, v2
    return v4
}
"""
for x, y in ((3, 10), (10, 10), (11, 10), (-1, 10), (0, 0), (9, -1)):
    body += rl("spectre_clamp_i64", [(x, "i64"), (y, "i64")],
               [(u(x, 64) if u(x, 64) < u(y, 64) else 0, "i64")])
app("select_spectre_guard.clif", body)

# ---- isplit.clif / iconcat.clif round trips
body = """function %split_concat_i64(i64) -> i64, i32, i32 {
block0(v0: i64):
    v1, v2 = isplit v0
    v3 = iconcat v2, v1
    return v3, v1, v2
}
"""
for x in (0x0123_4567_89ab_cdef, -1, 1 << 63, 1):
    X = u(x, 64)
    lo, hi = X & 0xffffffff, X >> 32
    body += rl("split_concat_i64", [(x, "i64")], [(lo << 32 | hi, "i64"), (lo, "i32"), (hi, "i32")])
app("isplit.clif", body)

# ---- extend.clif / ireduce.clif round trips
body = """function %extend_reduce_i8(i8) -> i8, i8, i64, i64 {
block0(v0: i8):
    v1 = sextend.i64 v0
    v2 = uextend.i64 v0
    v3 = ireduce.i8 v1
    v4 = ireduce.i8 v2
    return v3, v4, v1, v2
}
"""
for x in (0, 1, -1, -128, 127, 0x5a):
    body += rl("extend_reduce_i8", [(x, "i8")], [(u(x, 8), "i8"), (u(x, 8), "i8"),
                                                  (u(s(x, 8), 64), "i64"), (u(x, 8), "i64")])
app("extend.clif", body)

# ---- overflow: a checked multiply-add via the overflow flags
body = """; (x * y) + z in i32 with a sticky unsigned-overflow flag (bor of the two flags).
function %checked_madd_u32(i32, i32, i32) -> i32, i8 {
block0(v0: i32, v1: i32, v2: i32):
    v3, v4 = umul_overflow v0, v1
    v5, v6 = uadd_overflow v3, v2
    v7 = bor v4, v6
    return v5, v7
}
"""
for x, y, z in ((3, 4, 5), (0x10000, 0x10000, 0), (0xffff, 0xffff, 0x1fffe), (0xffff, 0xffff, 0x1ffff),
                (-1, 1, 0), (-1, 1, 1), (0x8000_0000, 2, 0)):
    p = u(x, 32) * u(y, 32)
    t = (p % (1 << 32)) + u(z, 32)
    flag = int(p >= (1 << 32) or t >= (1 << 32))
    body += rl("checked_madd_u32", [(x, "i32"), (y, "i32"), (z, "i32")], [(u(t, 32), "i32"), (flag, "i8")])
app("umul_overflow.clif", body)

# ---- smulhi/umulhi agree with the product on i128 via extension
body = """; umulhi/smulhi of i64 vs the top half of the i128 product of the extended operands.
function %mulhi_vs_i128(i64, i64) -> i64, i64, i64, i64 {
block0(v0: i64, v1: i64):
    v2 = umulhi v0, v1
    v3 = smulhi v0, v1
    v4 = uextend.i128 v0
    v5 = uextend.i128 v1
    v6 = imul v4, v5
    v7 = ushr_imm v6, 64
    v8 = ireduce.i64 v7
    v9 = sextend.i128 v0
    v10 = sextend.i128 v1
    v11 = imul v9, v10
    v12 = sshr_imm v11, 64
    v13 = ireduce.i64 v12
    return v2, v3, v8, v13
}
"""
for x, y in ((-1, -1), (-1, 2), (1 << 63, 1 << 63), (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210),
             (smax(64), smax(64)), (-3, 5)):
    X, Y = u(x, 64), u(y, 64)
    uh = (X * Y) >> 64
    sh = u((s(X, 64) * s(Y, 64)) >> 64, 64)
    body += rl("mulhi_vs_i128", [(x, "i64"), (y, "i64")], [(uh, "i64"), (sh, "i64"), (uh, "i64"), (sh, "i64")])
app("umulhi.clif", body)
print("combos ok")

# ---- other directive forms: `; run: %f(..)` (result must be non-zero) and `!=`
app("icmp.clif", """; Directive forms without `==`: a bare call must give a non-zero result; `!=` compares.
; run: %icmp_slt_i32(-1, 1)
; run: %icmp_ugt_i32(-1, 1)
; run: %icmp_eq_i64(0x8000_0000_0000_0000, -0x8000_0000_0000_0000)
; run: %icmp_ult_i8(-1, 1) != 1
; run: %icmp_ne_i128(0x1_0000_0000_0000_0000, 0) != 0
""")
app("iadd.clif", """; run: %iadd_i32(1, 1) != 3
; run: %iadd_i64(-1, 1) != 1
; run: %iadd_i8(127, 1) != 127
""")

# ---- select.clif: select also takes float operands (bits pass through unchanged)
app("select.clif", """function %select_f64(i8, f64, f64) -> f64 {
block0(v0: i8, v1: f64, v2: f64):
    v3 = select v0, v1, v2
    return v3
}
; run: %select_f64(1, 0x1.8p1, -0.0) == 0x1.8p1
; run: %select_f64(0, 0x1.8p1, -0.0) == -0.0
; run: %select_f64(-128, -Inf, +Inf) == -Inf

function %select_f32_i64(i64, f32, f32) -> f32 {
block0(v0: i64, v1: f32, v2: f32):
    v3 = select v0, v1, v2
    return v3
}
; run: %select_f32_i64(0x1_0000_0000, 0x1.0p0, 0x1.0p1) == 0x1.0p0
; run: %select_f32_i64(0, 0x1.0p0, 0x1.0p1) == 0x1.0p1
""")
