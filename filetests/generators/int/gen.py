"""Writes the integer runtest files; every expectation comes from ref.py."""
import os
import random
import sys

from ref import *

OUT = sys.argv[1]
HEADER = "test interpret\ntest run\ntarget x86_64\ntarget x86_64 has_avx\n"

files = {}


def out(fname, text):
    files.setdefault(fname, []).append(text)


def call(res, ty):
    """Expectation text for results: list of (bits, type)."""
    if len(res) == 1:
        return fmt(res[0][0], res[0][1])
    return "[" + ", ".join(fmt(v, t) for v, t in res) + "]"


def runline(name, args, fn):
    """args: list of (value, type). fn() returns list of (bits, type) or raises Trap."""
    a = ", ".join(fmt(v, t) for v, t in args)
    try:
        res = fn()
    except Trap as t:
        return "; trap: %%%s(%s) == %s" % (name, a, t.code)
    return "; run: %%%s(%s) == %s" % (name, a, call(res, None))


def MIN(b):
    return smin(b)


def MAX(b):
    return smax(b)


def rng(tag):
    return random.Random(tag)


def rand_vals(ty, n, tag):
    r = rng(tag + ty)
    b = W[ty]
    return [s(r.getrandbits(b), b) for _ in range(n)]


def pattern(b):
    return s(int("5a" * (b // 8), 16), b)


def unary_vals(ty, tag):
    b = W[ty]
    v = [0, 1, -1, 2, -2, MIN(b), MAX(b), MIN(b) + 1, pattern(b), s(1 << (b // 2), b)]
    v += rand_vals(ty, 2, tag)
    return dedupe(v, b)


def dedupe(v, b):
    seen, res = set(), []
    for x in v:
        if u(x, b) not in seen:
            seen.add(u(x, b))
            res.append(x)
    return res


def dedupe_pairs(ps, b1, b2):
    seen, res = set(), []
    for x, y in ps:
        k = (u(x, b1), u(y, b2))
        if k not in seen:
            seen.add(k)
            res.append((x, y))
    return res


def generic_pairs(ty, tag):
    b = W[ty]
    r = rand_vals(ty, 6, tag)
    ps = [
        (0, 0), (1, 2), (1, -1), (-1, -1), (-1, 1), (MAX(b), 1), (MIN(b), -1), (MIN(b), 1),
        (MAX(b), -1), (MAX(b), MAX(b)), (MIN(b), MIN(b)), (MIN(b), MAX(b)), (MAX(b), MIN(b)),
        (pattern(b), -1), (r[0], r[1]), (r[2], r[3]), (r[4], r[5]),
    ]
    return dedupe_pairs(ps, b, b)


def div_pairs(ty, tag):
    b = W[ty]
    r = rand_vals(ty, 6, tag)
    small = rng("small" + tag + ty)
    rs = [s(small.getrandbits(b // 2), b) or 3 for _ in range(3)]
    ps = [
        (0, 1), (1, 1), (7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (-6, 3), (6, -3),
        (1, -1), (-1, -1), (-1, 1), (-1, 2), (2, -1), (MAX(b), -1), (MIN(b), 1), (MIN(b), 2),
        (MIN(b), -2), (MAX(b), 2), (MAX(b), MAX(b)), (MIN(b), MIN(b)), (MAX(b), MIN(b)),
        (MIN(b), MAX(b)), (-1, MAX(b)), (MIN(b) + 1, -1), (MIN(b), 3),
        (r[0], r[1]), (r[2], rs[0]), (r[3], -abs(rs[1])), (-abs(r[4]) or -5, rs[2]),
        (MIN(b), -1), (1, 0), (0, 0), (-1, 0), (MIN(b), 0), (MAX(b), 0),
    ]
    return dedupe_pairs(ps, b, b)


def mul_pairs(ty, tag):
    b = W[ty]
    r = rand_vals(ty, 6, tag)
    ps = generic_pairs(ty, tag) + [
        (MAX(b), 2), (MIN(b), 2), (-1, MIN(b)), (MIN(b) + 1, -1), (3, -5),
        (s(1 << (b // 2), b), s(1 << (b // 2), b)), (s((1 << (b // 2)) + 1, b), MAX(b)),
        (r[0], r[0]), (r[1], -3),
    ]
    return dedupe_pairs(ps, b, b)


def fn_binary(name, op, ty, rty=None, ty2=None):
    rty = rty or ty
    ty2 = ty2 or ty
    return (
        "function %%%s(%s, %s) -> %s {\nblock0(v0: %s, v1: %s):\n    v2 = %s v0, v1\n"
        "    return v2\n}\n" % (name, ty, ty2, rty, ty, ty2, op)
    )


def fn_unary(name, op, ty, rty=None):
    rty = rty or ty
    return (
        "function %%%s(%s) -> %s {\nblock0(v0: %s):\n    v1 = %s v0\n    return v1\n}\n"
        % (name, ty, rty, ty, op)
    )


def fn_imm(name, op, ty, imm, rty=None):
    rty = rty or ty
    return (
        "function %%%s(%s) -> %s {\nblock0(v0: %s):\n    v1 = %s v0, %s\n    return v1\n}\n"
        % (name, ty, rty, ty, op, imm_text(imm))
    )


def emit(fname, header_comment, body):
    out(fname, body)


# ---------------------------------------------------------------- simple binary ops

BIN = {
    "iadd": (iadd, generic_pairs, "Wrapping addition."),
    "isub": (isub, generic_pairs, "Wrapping subtraction."),
    "imul": (imul, mul_pairs, "Wrapping multiplication (low half of the product)."),
    "umulhi": (umulhi, mul_pairs, "High half of the unsigned double-width product."),
    "smulhi": (smulhi, mul_pairs, "High half of the signed double-width product."),
    "udiv": (udiv, div_pairs, "Unsigned division; x / 0 traps int_divz."),
    "sdiv": (sdiv, div_pairs,
             "Signed division rounding toward zero; x / 0 traps int_divz, MIN / -1 traps int_ovf."),
    "urem": (urem, div_pairs, "Unsigned remainder; x % 0 traps int_divz."),
    "srem": (srem, div_pairs,
             "Signed remainder, sign of the dividend; x % 0 traps int_divz; MIN % -1 == 0."),
    "smin": (smin_, generic_pairs, "Signed minimum."),
    "smax": (smax_, generic_pairs, "Signed maximum."),
    "umin": (umin_, generic_pairs, "Unsigned minimum."),
    "umax": (umax_, generic_pairs, "Unsigned maximum."),
    "band": (band, generic_pairs, "Bitwise and."),
    "bor": (bor, generic_pairs, "Bitwise or."),
    "bxor": (bxor, generic_pairs, "Bitwise exclusive or."),
    "band_not": (band_not, generic_pairs, "x & ~y."),
    "bor_not": (bor_not, generic_pairs, "x | ~y."),
    "bxor_not": (bxor_not, generic_pairs, "x ^ ~y."),
}

for op, (f, pairs, doc) in BIN.items():
    fname = op + ".clif"
    out(fname, "; %s\n; Expectations computed independently (Python reference model).\n" % doc)
    for ty in TYPES:
        b = W[ty]
        name = "%s_%s" % (op, ty)
        lines = [fn_binary(name, op, ty)]
        for x, y in pairs(ty, op):
            lines.append(runline(name, [(x, ty), (y, ty)], lambda: [(f(x, y, b), ty)]))
        out(fname, "\n".join(lines) + "\n")

# ---------------------------------------------------------------- unary ops

UN = {
    "ineg": (ineg, "Wrapping negation (MIN stays MIN).", None),
    "iabs": (iabs, "Absolute value; MIN stays MIN.", None),
    "bnot": (bnot1, "Bitwise not.", None),
    "clz": (clz, "Count leading zeros (clz 0 == width).", None),
    "cls": (cls, "Count leading sign bits, excluding the sign bit (cls 0 == cls -1 == width-1).",
            None),
    "ctz": (ctz, "Count trailing zeros (ctz 0 == width).", None),
    "popcnt": (popcnt, "Count one bits.", None),
    "bitrev": (bitrev, "Reverse the bits.", None),
    "bswap": (bswap, "Reverse the bytes (i16 and wider).", ["i16", "i32", "i64", "i128"]),
}


def extra_unary(op, ty):
    b = W[ty]
    ex = []
    if op in ("clz", "ctz", "popcnt", "cls", "bitrev", "bswap"):
        ex += [1 << k for k in range(0, b, max(1, b // 8))]
        ex += [s(((1 << b) - 1) >> k, b) for k in (1, 2, b // 2, b - 1)]
        ex += [s(((1 << b) - 1) << k, b) for k in (1, 3, b - 1)]
        ex += [s(int("01" * (b // 8), 16) << 0, b), s(int("0123456789abcdef" * 2, 16) >> (128 - b), b)]
    return ex


for op, (f, doc, tys) in UN.items():
    fname = op + ".clif"
    out(fname, "; %s\n; Expectations computed independently (Python reference model).\n" % doc)
    for ty in tys or TYPES:
        b = W[ty]
        name = "%s_%s" % (op, ty)
        lines = [fn_unary(name, op, ty)]
        for x in dedupe(unary_vals(ty, op) + extra_unary(op, ty), b):
            lines.append(runline(name, [(x, ty)], lambda: [(f(x, b), ty)]))
        out(fname, "\n".join(lines) + "\n")

# ---------------------------------------------------------------- shifts and rotates

SH = {
    "ishl": (ishl, "Shift left; the amount (any integer type) is taken modulo the width."),
    "ushr": (ushr, "Logical shift right; the amount is taken modulo the width."),
    "sshr": (sshr, "Arithmetic shift right; the amount is taken modulo the width."),
    "rotl": (rotl, "Rotate left; the amount is taken modulo the width."),
    "rotr": (rotr, "Rotate right; the amount is taken modulo the width."),
}

SHIFT_COMBOS = [(t, t) for t in TYPES] + [
    ("i8", "i64"), ("i8", "i128"), ("i16", "i8"), ("i16", "i32"), ("i32", "i8"), ("i32", "i64"),
    ("i64", "i32"), ("i64", "i8"), ("i64", "i128"), ("i128", "i8"), ("i128", "i64"),
    ("i128", "i32"), ("i8", "i16"), ("i32", "i16"), ("i128", "i16"),
]


def shift_amounts(b, nb):
    am = [0, 1, 3, b - 1, b, b + 1, 2 * b + 3, -1, -b + 2, MIN(nb), MAX(nb), b // 2]
    if nb == 128:
        am += [(1 << 64) + 1, (1 << 100) + b + 5, (1 << 64) - 1]
    res = []
    for a in am:
        if MIN(nb) <= a <= MAX(nb):
            res.append(a)
    return dedupe(res, nb)


def shift_vals(ty, tag):
    b = W[ty]
    return dedupe([1, -1, MIN(b), MAX(b), pattern(b), rand_vals(ty, 1, tag)[0], -2, 0x81], b)


for op, (f, doc) in SH.items():
    fname = op + ".clif"
    out(fname, "; %s\n; Expectations computed independently (Python reference model).\n" % doc)
    for ty, aty in SHIFT_COMBOS:
        b, nb = W[ty], W[aty]
        name = "%s_%s" % (op, ty) if ty == aty else "%s_%s_%s" % (op, ty, aty)
        lines = [fn_binary(name, op, ty, ty2=aty)]
        vs = shift_vals(ty, op)
        for i, n in enumerate(shift_amounts(b, nb)):
            for x in (vs[i % len(vs)], vs[(i + 3) % len(vs)]):
                lines.append(runline(name, [(x, ty), (n, aty)],
                                     lambda: [(f(x, n, b, nb), ty)]))
        lines.append(runline(name, [(0, ty), (5, aty)], lambda: [(f(0, 5, b, nb), ty)]))
        out(fname, "\n".join(lines) + "\n")

# ---------------------------------------------------------------- icmp

out("icmp.clif", "; icmp: all ten conditions; results are i8 1 or 0.\n"
    "; Pairs include signed/unsigned-sensitive ones (-1 vs 1, MIN vs MAX).\n")
for cc in ICC:
    for ty in TYPES:
        b = W[ty]
        name = "icmp_%s_%s" % (cc, ty)
        body = ("function %%%s(%s, %s) -> i8 {\nblock0(v0: %s, v1: %s):\n"
                "    v2 = icmp %s v0, v1\n    return v2\n}\n" % (name, ty, ty, ty, ty, cc))
        lines = [body]
        r = rand_vals(ty, 2, "icmp" + cc)
        ps = [(0, 0), (1, 1), (-1, -1), (-1, 1), (1, -1), (0, -1), (-1, 0), (MIN(b), MAX(b)),
              (MAX(b), MIN(b)), (MIN(b), MIN(b)), (MIN(b), 0), (1, 2), (2, 1), (r[0], r[1])]
        for x, y in dedupe_pairs(ps, b, b):
            lines.append(runline(name, [(x, ty), (y, ty)], lambda: [(icmp(cc, x, y, b), "i8")]))
        out("icmp.clif", "\n".join(lines) + "\n")
# all ten at once, several results
for ty in ("i32", "i128"):
    b = W[ty]
    name = "icmp_all_%s" % ty
    body = "function %%%s(%s, %s) -> %s {\nblock0(v0: %s, v1: %s):\n" % (
        name, ty, ty, ", ".join(["i8"] * 10), ty, ty)
    for i, cc in enumerate(ICC):
        body += "    v%d = icmp %s v0, v1\n" % (i + 2, cc)
    body += "    return %s\n}\n" % ", ".join("v%d" % (i + 2) for i in range(10))
    lines = ["; Order of results: " + " ".join(ICC), body]
    for x, y in [(0, 0), (-1, 1), (1, -1), (MIN(b), MAX(b)), (5, 7), (7, 5), (-5, -7)]:
        lines.append(runline(name, [(x, ty), (y, ty)],
                             lambda: [(icmp(cc, x, y, b), "i8") for cc in ICC]))
    out("icmp.clif", "\n".join(lines) + "\n")

# ---------------------------------------------------------------- overflow ops

OV = {
    "uadd_overflow": (uadd_overflow, "flag is 1 on unsigned carry out"),
    "sadd_overflow": (sadd_overflow, "flag is 1 on signed overflow"),
    "usub_overflow": (usub_overflow, "flag is 1 on unsigned borrow"),
    "ssub_overflow": (ssub_overflow, "flag is 1 on signed overflow"),
    "umul_overflow": (umul_overflow, "flag is 1 if the product does not fit unsigned"),
    "smul_overflow": (smul_overflow, "flag is 1 if the product does not fit signed"),
}
for op, (f, doc) in OV.items():
    fname = op + ".clif"
    out(fname, "; %s x, y -> (wrapped result, i8 flag): %s.\n" % (op, doc))
    for ty in TYPES:
        b = W[ty]
        name = "%s_%s" % (op, ty)
        body = ("function %%%s(%s, %s) -> %s, i8 {\nblock0(v0: %s, v1: %s):\n"
                "    v2, v3 = %s v0, v1\n    return v2, v3\n}\n" % (name, ty, ty, ty, ty, ty, op))
        lines = [body]
        h = 1 << (b // 2)
        ps = mul_pairs(ty, op) + [(MAX(b), 0), (MIN(b), 0), (-2, 1), (0, 1), (1, 0), (0, MIN(b)),
                                  (-1, 0), (MAX(b) - 1, 1), (MIN(b) + 1, 1), (-1, 2),
                                  (h - 1, h + 1), (h, h - 1), (s(h, b), -s(h // 2, b)),
                                  (s(h, b), s(h // 2, b)), (-s(h // 2, b), -s(h, b))]
        for x, y in dedupe_pairs(ps, b, b):
            lines.append(runline(name, [(x, ty), (y, ty)],
                                 lambda: (lambda r: [(r[0], ty), (r[1], "i8")])(f(x, y, b))))
        out(fname, "\n".join(lines) + "\n")

# uadd_overflow_trap: i32 and i64 only
fname = "uadd_overflow_trap.clif"
out(fname, "; uadd_overflow_trap x, y, code: x + y, trapping with `code` on unsigned carry.\n"
    "; Only i32 and i64 are allowed.\n")
for ty in ("i32", "i64"):
    b = W[ty]
    for code in ("int_ovf", "user7", "user65535"):
        name = "uadd_overflow_trap_%s_%s" % (ty, code)
        body = ("function %%%s(%s, %s) -> %s {\nblock0(v0: %s, v1: %s):\n"
                "    v2 = uadd_overflow_trap v0, v1, %s\n    return v2\n}\n"
                % (name, ty, ty, ty, ty, ty, code))
        lines = [body]

        def ut(x, y):
            r, c = uadd_overflow(x, y, b)
            if c:
                raise Trap(code)
            return [(r, ty)]

        ps = [(0, 0), (1, 2), (-1, 0), (0, -1), (-1, 1), (1, -1), (-1, -1), (MAX(b), MAX(b)),
              (MAX(b), MIN(b)), (MIN(b), MIN(b)), (MIN(b), MAX(b)), (-2, 1), (-2, 2),
              (MAX(b), 1)] + [tuple(rand_vals(ty, 2, code + str(i))) for i in range(4)]
        for x, y in dedupe_pairs(ps, b, b):
            lines.append(runline(name, [(x, ty), (y, ty)], lambda: ut(x, y)))
        out(fname, "\n".join(lines) + "\n")

# ---------------------------------------------------------------- _imm forms

IMM = {
    "iadd_imm": (iadd, "iadd with an immediate"),
    "imul_imm": (imul, "imul with an immediate"),
    "udiv_imm": (udiv, "udiv by an immediate"),
    "sdiv_imm": (sdiv, "sdiv by an immediate"),
    "urem_imm": (urem, "urem by an immediate"),
    "srem_imm": (srem, "srem by an immediate"),
    "irsub_imm": (lambda x, c, b: isub(c, x, b), "irsub_imm x, c == c - x"),
    "band_imm": (band, "band with an immediate"),
    "bor_imm": (bor, "bor with an immediate"),
    "bxor_imm": (bxor, "bxor with an immediate"),
    "ishl_imm": (lambda x, c, b: ishl(x, c, b, 64), "ishl by an immediate (modulo the width)"),
    "ushr_imm": (lambda x, c, b: ushr(x, c, b, 64), "ushr by an immediate (modulo the width)"),
    "sshr_imm": (lambda x, c, b: sshr(x, c, b, 64), "sshr by an immediate (modulo the width)"),
    "rotl_imm": (lambda x, c, b: rotl(x, c, b, 64), "rotl by an immediate (modulo the width)"),
    "rotr_imm": (lambda x, c, b: rotr(x, c, b, 64), "rotr by an immediate (modulo the width)"),
}


def imm_list(op, ty):
    b = W[ty]
    if op.startswith(("ishl", "ushr", "sshr", "rot")):
        return dedupe([0, 1, 3, b - 1, b, b + 1, -1, 200], 64)
    lo, hi = max(MIN(b), MIN(64)), min(MAX(b), MAX(64))
    im = [1, -1, 2, -2, 7, -7, 100 % (hi + 1), lo, hi]
    if op in ("udiv_imm", "urem_imm", "sdiv_imm", "srem_imm"):
        im += [0]
    if op in ("band_imm", "bor_imm", "bxor_imm"):
        im = [0, -1, 0x0f, -16, pattern(min(b, 64)), lo, hi]
    if b >= 64:
        im += [0x1234_5678_9abc_def0 if op != "udiv_imm" else 0x1_0000_0001]
    return dedupe(im, 64)


def imm_name(imm):
    return ("m%x" % -imm) if imm < 0 else ("%x" % imm)


ZEXT_DOC = ("udiv_imm", "urem_imm", "band_imm", "bor_imm", "bxor_imm")
CONTESTED = ("; i128 with an immediate whose bit 63 is set: sign-extended as COMMON.md specifies for\n"
             "; all _imm forms (Cranelift's instruction docs call this op's immediate zero-extended).")
deferred = []


def lines_for(name, op, ty, imm, f, b, lines):
    c = imm_operand(imm, b)
    vs = dedupe([0, 1, -1, 7, -7, MIN(b), MAX(b), pattern(b)] + rand_vals(ty, 1, name), b)
    for x in vs:
        lines.append(runline(name, [(x, ty)], lambda: [(f(x, c, b), ty)]))
    return lines


for op, (f, doc) in IMM.items():
    fname = op + ".clif"
    out(fname, "; %s. The 64-bit immediate is sign-extended to i128 and truncated to narrower\n"
        "; types (immediates here fit the type; see imm.clif for out-of-range ones).\n" % doc)
    for ty in TYPES:
        b = W[ty]
        for imm in imm_list(op, ty):
            name = "%s_%s_%s" % (op, ty, imm_name(imm))
            lines = [fn_imm(name, op, ty, imm)]
            if ty == "i128" and u(imm, 64) >> 63 and op in ZEXT_DOC:
                lines.insert(0, CONTESTED)
                deferred.append("\n".join(lines_for(name, op, ty, imm, f, b, lines)) + "\n")
                continue
            out(fname, "\n".join(lines_for(name, op, ty, imm, f, b, lines)) + "\n")

# icmp_imm
fname = "icmp_imm.clif"
out(fname, "; icmp_imm cc x, c: compares x with the immediate (sign-extended for i128).\n")
for cc in ICC:
    for ty in TYPES:
        b = W[ty]
        for imm in (-1, 5):
            name = "icmp_imm_%s_%s_%s" % (cc, ty, imm_name(imm))
            body = ("function %%%s(%s) -> i8 {\nblock0(v0: %s):\n    v1 = icmp_imm %s v0, %s\n"
                    "    return v1\n}\n" % (name, ty, ty, cc, imm_text(imm)))
            lines = [body]
            c = imm_operand(imm, b)
            for x in dedupe([0, 1, -1, 5, 4, 6, -2, MIN(b), MAX(b)], b):
                lines.append(runline(name, [(x, ty)], lambda: [(icmp(cc, x, c, b), "i8")]))
            out(fname, "\n".join(lines) + "\n")
# large immediates for i64 / i128
for ty in ("i64", "i128"):
    b = W[ty]
    for cc, imm in (("eq", MIN(64)), ("slt", MIN(64)), ("ult", MIN(64)), ("sgt", MAX(64)),
                    ("ugt", MAX(64)), ("eq", 0x1234_5678_9abc_def0)):
        name = "icmp_imm_%s_%s_%s" % (cc, ty, imm_name(imm))
        body = ("function %%%s(%s) -> i8 {\nblock0(v0: %s):\n    v1 = icmp_imm %s v0, %s\n"
                "    return v1\n}\n" % (name, ty, ty, cc, imm_text(imm)))
        lines = [body]
        c = imm_operand(imm, b)
        for x in dedupe([0, -1, MIN(64), MAX(64), MIN(b), MAX(b), 1 << 63, 0x1234_5678_9abc_def0,
                         MIN(64) + 1, MAX(64) - 1], b):
            lines.append(runline(name, [(x, ty)], lambda: [(icmp(cc, x, c, b), "i8")]))
        out(fname, "\n".join(lines) + "\n")

# imm.clif: immediates outside the narrow type's range are truncated to its width.
fname = "imm.clif"
out(fname, "; _imm forms with immediates that do not fit the operand type: the 64-bit\n"
    "; immediate is truncated to the type's width (and sign-extended for i128).\n")
TRUNC_CASES = [
    ("iadd_imm", "i8", 300), ("iadd_imm", "i8", -0x1ff), ("iadd_imm", "i16", 0x1_0001),
    ("iadd_imm", "i32", 0x1_0000_0002), ("iadd_imm", "i128", -0x8000_0000_0000_0000),
    ("iadd_imm", "i128", 0xffff_ffff_ffff_ffff), ("imul_imm", "i8", 0x103),
    ("imul_imm", "i32", -0x1_0000_0001), ("imul_imm", "i128", -0x8000_0000_0000_0000),
    ("udiv_imm", "i8", 0x102), ("udiv_imm", "i16", -1), ("udiv_imm", "i128", -2),
    ("udiv_imm", "i8", 0x100), ("urem_imm", "i8", 0x1_0003), ("urem_imm", "i32", 0x1_0000_0000),
    ("urem_imm", "i128", -0x8000_0000_0000_0000),
    ("sdiv_imm", "i8", 0xff), ("sdiv_imm", "i16", 0x1_fffe), ("sdiv_imm", "i8", 0x100),
    ("sdiv_imm", "i128", -0x8000_0000_0000_0000),
    ("srem_imm", "i8", 0x1fd), ("srem_imm", "i32", 0xffff_ffff), ("srem_imm", "i16", 0x1_0000),
    ("irsub_imm", "i8", 0x180), ("irsub_imm", "i32", -0x1_0000_0000),
    ("irsub_imm", "i128", -0x8000_0000_0000_0000),
    ("band_imm", "i8", 0x1f0), ("band_imm", "i128", -0x8000_0000_0000_0000),
    ("band_imm", "i128", 0xffff_ffff_0000_0000),
    ("bor_imm", "i16", 0xf_0f00), ("bor_imm", "i128", -2),
    ("bxor_imm", "i32", 0xffff_ffff_0000_ffff), ("bxor_imm", "i128", -1),
    ("ishl_imm", "i8", 0x109), ("ishl_imm", "i32", -31), ("ishl_imm", "i128", 0x7fff_ffff_ffff_ff81),
    ("ushr_imm", "i16", 0x1_0011), ("sshr_imm", "i64", -0x8000_0000_0000_0000 + 65),
    ("rotl_imm", "i8", 0x7fff_ffff_ffff_ffff), ("rotr_imm", "i128", -127),
]
for op, ty, imm in TRUNC_CASES:
    b = W[ty]
    f = IMM[op][0]
    name = "%s_%s_%s" % (op, ty, imm_name(imm))
    if any(("%%%s(" % name) in d for d in deferred):
        continue
    lines = [fn_imm(name, op, ty, imm)]
    if ty == "i128" and u(imm, 64) >> 63 and op in ZEXT_DOC:
        lines.insert(0, CONTESTED)
    c = imm_operand(imm, b)
    for x in dedupe([0, 1, -1, 3, -3, MIN(b), MAX(b), pattern(b)], b):
        lines.append(runline(name, [(x, ty)], lambda: [(f(x, c, b), ty)]))
    out(fname, "\n".join(lines) + "\n")
for text in deferred:
    out(fname, text)
for ty, cc, imm in (("i8", "eq", 0xff), ("i8", "slt", 0x180), ("i16", "ult", 0x1_0005),
                    ("i32", "eq", 0xffff_ffff), ("i32", "sgt", -0x1_0000_0000 + 5)):
    b = W[ty]
    name = "icmp_imm_%s_%s_%s" % (cc, ty, imm_name(imm))
    body = ("function %%%s(%s) -> i8 {\nblock0(v0: %s):\n    v1 = icmp_imm %s v0, %s\n"
            "    return v1\n}\n" % (name, ty, ty, cc, imm_text(imm)))
    lines = [body]
    c = u(imm, b)
    for x in dedupe([0, 1, -1, 5, -128, 127, MIN(b), MAX(b), -2, 6], b):
        lines.append(runline(name, [(x, ty)], lambda: [(icmp(cc, x, c, b), "i8")]))
    out(fname, "\n".join(lines) + "\n")

# ---------------------------------------------------------------- conversions

out("extend.clif", "; uextend.T / sextend.T x: zero / sign extension to a wider type.\n")
for op, fx in (("uextend", lambda x, b: u(x, b)), ("sextend", lambda x, b: s(x, b))):
    for i, src in enumerate(TYPES):
        for dst in TYPES[i + 1:]:
            b, db = W[src], W[dst]
            name = "%s_%s_%s" % (op, src, dst)
            body = ("function %%%s(%s) -> %s {\nblock0(v0: %s):\n    v1 = %s.%s v0\n"
                    "    return v1\n}\n" % (name, src, dst, src, op, dst))
            lines = [body]
            for x in unary_vals(src, name):
                lines.append(runline(name, [(x, src)], lambda: [(u(fx(x, b), db), dst)]))
            out("extend.clif", "\n".join(lines) + "\n")

out("ireduce.clif", "; ireduce.T x: keep the low bits.\n")
for i, dst in enumerate(TYPES64):
    for src in TYPES[i + 1:]:
        b, db = W[src], W[dst]
        name = "ireduce_%s_%s" % (src, dst)
        body = ("function %%%s(%s) -> %s {\nblock0(v0: %s):\n    v1 = ireduce.%s v0\n"
                "    return v1\n}\n" % (name, src, dst, src, dst))
        lines = [body]
        for x in unary_vals(src, name) + [s((1 << db) - 1, b), 1 << (db - 1), 1 << db]:
            lines.append(runline(name, [(x, src)], lambda: [(u(x, db), dst)]))
        out("ireduce.clif", "\n".join(lines) + "\n")

DOUBLE = {"i8": "i16", "i16": "i32", "i32": "i64", "i64": "i128"}
HALF = {v: k for k, v in DOUBLE.items()}

out("iconcat.clif", "; iconcat lo, hi -> the double-width integer hi:lo.\n")
for ty in TYPES64:
    b = W[ty]
    dt = DOUBLE[ty]
    name = "iconcat_%s" % ty
    lines = [fn_binary(name, "iconcat", ty, rty=dt)]
    for x, y in generic_pairs(ty, name):
        lines.append(runline(name, [(x, ty), (y, ty)],
                             lambda: [(u(x, b) | (u(y, b) << b), dt)]))
    out("iconcat.clif", "\n".join(lines) + "\n")

out("isplit.clif", "; isplit x -> (lo, hi) halves.\n")
for ty in TYPES[1:]:
    b = W[ty]
    ht = HALF[ty]
    hb = b // 2
    name = "isplit_%s" % ty
    body = ("function %%%s(%s) -> %s, %s {\nblock0(v0: %s):\n    v1, v2 = isplit v0\n"
            "    return v1, v2\n}\n" % (name, ty, ht, ht, ty))
    lines = [body]
    for x in unary_vals(ty, name):
        lines.append(runline(name, [(x, ty)], lambda: [(u(x, hb), ht), (u(x, b) >> hb, ht)]))
    out("isplit.clif", "\n".join(lines) + "\n")

# ---------------------------------------------------------------- select

for op in ("select", "select_spectre_guard"):
    fname = op + ".clif"
    out(fname, "; %s c, x, y: x if c != 0 else y; c may be any integer type.\n" % op)
    combos = [("i8", "i8"), ("i8", "i16"), ("i8", "i32"), ("i8", "i64"), ("i8", "i128"),
              ("i32", "i64"), ("i64", "i8"), ("i128", "i32"), ("i16", "i128"), ("i64", "i64")]
    for cty, ty in combos:
        cb, b = W[cty], W[ty]
        name = "%s_%s_%s" % (op, cty, ty)
        body = ("function %%%s(%s, %s, %s) -> %s {\nblock0(v0: %s, v1: %s, v2: %s):\n"
                "    v3 = %s v0, v1, v2\n    return v3\n}\n"
                % (name, cty, ty, ty, ty, cty, ty, ty, op))
        lines = [body]
        x, y = MIN(b), MAX(b)
        r = rand_vals(ty, 2, name)
        conds = [0, 1, -1, MIN(cb), 2, 1 << (cb - 1) if cb < 128 else 1 << 127]
        if cb == 128:
            conds.append(1 << 64)
        if cb >= 64:
            conds.append(1 << 32)
        for i, c in enumerate(dedupe(conds, cb)):
            a1, a2 = (x, y) if i % 2 == 0 else (r[0], r[1])
            lines.append(runline(name, [(c, cty), (a1, ty), (a2, ty)],
                                 lambda: [(u(a1 if u(c, cb) else a2, b), ty)]))
        out(fname, "\n".join(lines) + "\n")

# ---------------------------------------------------------------- write

for fname, parts in files.items():
    with open(os.path.join(OUT, fname), "w") as fh:
        fh.write(HEADER + "\n" + "\n".join(parts))
print(len(files), "files")
