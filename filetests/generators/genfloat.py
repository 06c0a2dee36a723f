"""Writes the float runtests with expectations from fp.py (exact Fraction arithmetic)."""
import sys
from fractions import Fraction as Fr
from fp import *
import random

def rand_bits(fmt, rng):
    """A random finite value: random bits, or one near 1.0, or a subnormal."""
    w, t, bias, maxe = params(fmt)
    k = rng.randrange(4)
    sgn = rng.randrange(2) << (w + t)
    if k == 0:
        e = rng.randrange(1, maxe)
    elif k == 1:
        e = bias + rng.randrange(-3, 4)
    elif k == 2:
        e = 0
    else:
        e = rng.choice([1, 2, maxe - 1, maxe - 2, bias - t, bias + t])
    return sgn | (e << t) | rng.getrandbits(t)

def rand_lits(fmt, n, arity, seed):
    rng = random.Random(seed)
    return [tuple(show(rand_bits(fmt, rng), fmt) for _ in range(arity)) for _ in range(n)]

from genfloat_common import *  # OUT, HEADER, FMTS, write, func, run, S, norm, ...

# ---------------------------------------------------------------- binary arithmetic
def binary_file(op, ref, cases_fn, comment):
    out = [HEADER]
    out.append(f"; {comment}\n; Expected values: exact rational arithmetic rounded to nearest even.\n")
    for fmt in FMTS:
        t = name(fmt)
        fn = f"{op}_{t}"
        out.append("\n" + func(fn, [t, t], [t], [f"v2 = {op} v0, v1", "return v2"]))
        for a, b in cases_fn(fmt):
            r = ref(lit(a, fmt), lit(b, fmt), fmt)
            out.append(run(fn, [norm(a, fmt), norm(b, fmt)], show(r, fmt)) + "\n")
    write(f"{op}.clif", "".join(out))
    return sum(1 for l in "".join(out).splitlines() if l.startswith("; run:"))

def with_random(cases_fn, seed, n=24):
    return lambda fmt: cases_fn(fmt) + rand_lits(fmt, n, 2, seed + (1 if fmt is F64 else 0))

NAN_PAIRS = [("+NaN", "0x1.0p0"), ("0x1.0p0", "-NaN"), ("+NaN:0x1", "0x1.0p0"),
             ("0x1.0p0", "-NaN:0x2a"), ("+sNaN:0x1", "0x1.0p0"), ("0x1.0p0", "-sNaN:0x3"),
             ("+NaN:0x5", "-sNaN:0x7"), ("-sNaN:0x7", "+NaN:0x5"), ("+Inf", "+NaN:0x9")]

def add_cases(fmt):
    s = S(fmt)
    return [("0x1.0p0", "0x1.0p1"), ("0.1", "0.2"), ("-2.5", "1.5"),
            ("0x1.0p0", s["halfulp1"]),                       # tie -> even (1.0)
            ("0x1.000002p0" if fmt is F32 else "0x1.0000000000001p0", s["halfulp1"]),  # tie -> even (up)
            ("0x1.0p0", s["ulp1"]),
            ("0.0", "0.0"), ("0.0", "-0.0"), ("-0.0", "0.0"), ("-0.0", "-0.0"),
            ("0x1.0p0", "-0x1.0p0"), ("-0x1.0p0", "0x1.0p0"),
            (s["max"], s["max"]), (s["max"], s["halfulpmax"]),  # tie at MAX rounds to Inf
            (s["max"], "0x1.0p0"), (s["minsub"], s["minsub"]),
            (s["minpos"], "-" + s["minsub"]), (s["maxsub"], s["minsub"]),
            ("+Inf", "-Inf"), ("-Inf", "+Inf"), ("+Inf", "+Inf"), ("-Inf", s["max"]), ("0x1.0p0", "-Inf"),
            ] + NAN_PAIRS

def sub_cases(fmt):
    s = S(fmt)
    return [("0x1.8p1", "0x1.0p0"), ("0x1.0p0", "0.1"), ("0x1.0p0", s["below1"]),
            ("0.0", "0.0"), ("0.0", "-0.0"), ("-0.0", "0.0"), ("-0.0", "-0.0"),
            ("0x1.0p0", "0x1.0p0"), ("-0x1.0p0", "-0x1.0p0"),
            (s["max"], "-" + s["max"]), ("-" + s["max"], s["halfulpmax"]),
            (s["minpos"], s["minsub"]), (s["minsub"], s["minpos"]),
            ("+Inf", "+Inf"), ("-Inf", "-Inf"), ("+Inf", "-Inf"), ("0x1.0p0", "+Inf"),
            ] + NAN_PAIRS

def mul_cases(fmt):
    s = S(fmt)
    return [("0x1.8p1", "-0x1.0p1"), ("0.1", "0x1.4p3"), ("0.1", "0.1"),
            ("0x1.0p0" if fmt is F32 else "0x1.0p0", "0x1.0p0"),
            ("0x1.000002p0" if fmt is F32 else "0x1.0000000000001p0",
             "0x1.000002p0" if fmt is F32 else "0x1.0000000000001p0"),
            ("0.0", "-0x1.0p0"), ("-0.0", "-0.0"), ("-0.0", "0x1.0p5"),
            (s["max"], "0x1.0p1"), (s["max"], "-0x1.0p1"), (s["minpos"], "0x1.0p-1"),
            (s["minsub"], "0x1.0p-1"), (s["minsub"], "0x1.8p0"), (s["minsub"], "-0x1.0p-1"),
            (s["minsub"], "0x1.0p1"), (s["minpos"], s["minpos"]),
            ("+Inf", "0.0"), ("-0.0", "-Inf"), ("+Inf", "-0x1.0p-3"), ("-Inf", "-Inf"),
            ] + NAN_PAIRS

def div_cases(fmt):
    s = S(fmt)
    return [("0x1.0p0", "0x1.8p1"), ("0x1.0p0", "0x1.4p3"), ("-0x1.8p1", "0x1.0p1"),
            ("0x1.0p0", "0.0"), ("0x1.0p0", "-0.0"), ("-0x1.0p0", "0.0"),
            ("0.0", "0.0"), ("-0.0", "0.0"), ("0.0", "-0x1.0p0"),
            ("+Inf", "+Inf"), ("+Inf", "-0x1.0p1"), ("0x1.0p0", "-Inf"), ("-Inf", "0.0"),
            (s["max"], "0x1.0p-1"), (s["minpos"], "0x1.0p1"), (s["minsub"], "0x1.0p1"),
            (s["minsub"], "0x1.0p-1"), ("0x1.8p0", "0x1.0p1"),
            ] + NAN_PAIRS

counts = {}
counts["fadd"] = binary_file("fadd", fadd, with_random(add_cases, 100), "fadd: IEEE addition, round to nearest even.")
counts["fsub"] = binary_file("fsub", fsub, with_random(sub_cases, 200), "fsub: IEEE subtraction, round to nearest even.")
counts["fmul"] = binary_file("fmul", fmul, with_random(mul_cases, 300), "fmul: IEEE multiplication, round to nearest even.")
counts["fdiv"] = binary_file("fdiv", fdiv, with_random(div_cases, 400), "fdiv: IEEE division, round to nearest even.")

def minmax_cases(fmt):
    s = S(fmt)
    return [("0x1.0p0", "0x1.0p1"), ("0x1.0p1", "0x1.0p0"), ("-0x1.0p0", "0x1.0p0"),
            ("-0.0", "0.0"), ("0.0", "-0.0"), ("0.0", "0.0"), ("-0.0", "-0.0"),
            ("-Inf", "+Inf"), ("+Inf", "-Inf"), (s["max"], "+Inf"), ("-" + s["max"], "-Inf"),
            (s["minsub"], "0.0"), ("-" + s["minsub"], "-0.0"), (s["minsub"], s["maxsub"]),
            ] + NAN_PAIRS + [("+NaN", "+Inf"), ("-Inf", "-NaN")]

counts["fmin"] = binary_file("fmin", fmin, with_random(minmax_cases, 500, 8),
                             "fmin: NaN if either operand is NaN (first NaN, quieted); -0.0 < +0.0.")
counts["fmax"] = binary_file("fmax", fmax, with_random(minmax_cases, 500, 8),
                             "fmax: NaN if either operand is NaN (first NaN, quieted); -0.0 < +0.0.")

def copysign(a, b, fmt):
    sb = sign_bit(fmt)
    return (a & ~sb) | (b & sb)

def copysign_cases(fmt):
    s = S(fmt)
    return [("0x1.8p0", "-0.0"), ("-0x1.8p0", "0.0"), ("0x1.8p0", "0x1.0p0"), ("-0x1.8p0", "-0x1.0p0"),
            ("0.0", "-Inf"), ("-0.0", "+Inf"), ("+Inf", "-0x1.0p-3"), ("-Inf", "0x1.0p3"),
            (s["minsub"], "-" + s["max"]), ("0x1.0p1", "-NaN"), ("-0x1.0p1", "+NaN"),
            ("+NaN", "-0x1.0p0"), ("-NaN", "0x1.0p0"), ("+NaN:0x1", "-0.0"),
            ("-NaN:0x2a", "+sNaN:0x1"), ("+sNaN:0x1", "-0x1.0p0"), ("-sNaN:0x3", "0.0")]

counts["fcopysign"] = binary_file("fcopysign", copysign, copysign_cases,
                                  "fcopysign x, y: x with y's sign bit; only the sign bit changes, even of NaNs\n; (signaling NaNs stay signaling).")

# ---------------------------------------------------------------- unary
def unary_values(fmt):
    s = S(fmt)
    return [a for (a,) in rand_lits(fmt, 12, 1, 900 + (fmt is F64))] + ["0.0", "-0.0", "+Inf", "-Inf", "0x1.0p0", "-0x1.0p0", "0x1.8p0", "-0x1.8p0",
            "0x1.4p1", "-0x1.4p1", "0x1.0p-1", "-0x1.0p-1", "0x1.8p1", "-0x1.8p1", "0x1.cp1", "-0x1.cp1",
            "0.1", "-0.1", s["below_half"], "-" + s["below_half"], s["below1"], "-" + s["below1"],
            s["big_half"], "-" + s["big_half"], s["nonint_limit"], "-" + s["nonint_limit"],
            s["int_limit"], s["minsub"], "-" + s["minsub"], s["minpos"], "-" + s["minpos"],
            s["max"], "-" + s["max"],
            "+NaN", "-NaN", "+NaN:0x1", "-NaN:0x2a", "+sNaN:0x1", "-sNaN:0x3"]

def unary_file(op, ref, values_fn, comment):
    out = [HEADER, f"; {comment}\n"]
    for fmt in FMTS:
        t = name(fmt)
        fn = f"{op}_{t}"
        out.append("\n" + func(fn, [t], [t], [f"v1 = {op} v0", "return v1"]))
        for a in values_fn(fmt):
            out.append(run(fn, [norm(a, fmt)], show(ref(lit(a, fmt), fmt), fmt)) + "\n")
    write(f"{op}.clif", "".join(out))
    return sum(1 for l in "".join(out).splitlines() if l.startswith("; run:"))

counts["fneg"] = unary_file("fneg", lambda a, f: a ^ sign_bit(f), unary_values,
                            "fneg flips the sign bit only, even of NaNs (signaling NaNs stay signaling).")
counts["fabs"] = unary_file("fabs", lambda a, f: a & ~sign_bit(f), unary_values,
                            "fabs clears the sign bit only, even of NaNs (signaling NaNs stay signaling).")
for mode in ["ceil", "floor", "trunc", "nearest"]:
    what = {"ceil": "toward +Inf", "floor": "toward -Inf", "trunc": "toward zero",
            "nearest": "to nearest, ties to even"}[mode]
    counts[mode] = unary_file(mode, lambda a, f, m=mode: round_int(a, f, m), unary_values,
                              f"{mode}: round to an integral value {what}; the sign of a zero result is the\n; operand's sign; NaN inputs come back quieted.")

def sqrt_values(fmt):
    s = S(fmt)
    return ["0.0", "-0.0", "+Inf", "-Inf", "0x1.0p0", "0x1.0p2", "0x1.0p1", "0x1.2p3", "0x1.0p-2",
            "-0x1.0p0", "-" + s["minsub"], "0.1", s["minsub"], s["maxsub"], s["minpos"], s["max"],
            s["below1"], "0x1.0000000000001p0" if fmt is F64 else "0x1.000002p0",
            "+NaN", "-NaN", "+NaN:0x1", "-sNaN:0x3"] + [
            show(lit(a, fmt) & ~sign_bit(fmt), fmt) for (a,) in rand_lits(fmt, 24, 1, 800 + (fmt is F64))]

counts["sqrt"] = unary_file("sqrt", fsqrt, sqrt_values,
                            "sqrt: correctly rounded square root; sqrt(-0.0) = -0.0, sqrt(x<0) = NaN.")

# ---------------------------------------------------------------- fma
def fma_cases(fmt):
    s = S(fmt)
    f32 = fmt is F32
    one_eps = "0x1.002p0" if f32 else "0x1.0000002p0"          # 1 + 2^-11 / 1 + 2^-27... see below
    # x = y = 1 + 2^-12 (f32) / 1 + 2^-27 (f64): x*y = 1 + 2^-11 + 2^-24 (f32) / 1 + 2^-26 + 2^-54 (f64)
    x = "0x1.001p0" if f32 else "0x1.0000002p0"
    z = "-0x1.002p0" if f32 else "-0x1.0000004p0"
    # tx * ty is exactly halfway between two neighbours: 1 + 2^-11 + 2^-24 (f32),
    # 1 + 2^-26 + 2^-27 + 2^-53 (f64)
    tx = "0x1.001p0" if f32 else "0x1.0000004p0"
    ty = "0x1.001p0" if f32 else "0x1.0000002p0"
    return [("0x1.0p1", "0x1.8p1", "0x1.0p0"),
            (x, x, z),                                  # one rounding: 2^-24 / 2^-54; two roundings: 0
            ("0.1", "0x1.4p3", "-0x1.0p0"),             # 0.1*10-1 exactly, not 0
            (s["max"], "0x1.0p1", "-" + s["max"]),      # no intermediate overflow
            (s["max"], s["max"], "-Inf"),
            ("0x1.0p0", "0x1.0p0", s["halfulp1"]),      # tie -> even
            (s["minpos"], "0x1.0p-1", "0.0"), (s["minsub"], "0x1.0p-1", "0.0"),
            (s["minsub"], "0x1.0p-1", s["minsub"]),
            ("0.0", "-0x1.0p0", "0.0"), ("-0.0", "0x1.0p0", "-0.0"), ("0.0", "0x1.0p0", "-0.0"),
            ("0x1.0p0", "-0x1.0p0", "0x1.0p0"), ("-0x1.0p0", "0x1.0p0", "0x1.0p0"),
            ("+Inf", "0.0", "0x1.0p0"), ("+Inf", "0x1.0p0", "-Inf"), ("+Inf", "-0x1.0p0", "-Inf"),
            ("0x1.0p0", "0x1.0p0", "+Inf"),
            ("+Inf", "0.0", "+NaN:0x3"), ("0x1.0p0", "+NaN:0x1", "-NaN:0x2"),
            ("-sNaN:0x5", "+NaN:0x1", "0x1.0p0"), ("0x1.0p0", "0x1.0p0", "+sNaN:0x4"),
            ("+NaN", "0x1.0p0", "0x1.0p0"),
            # exact x*y is a tie at this precision; a tiny z breaks it upwards. Computing in a
            # wider format and rounding twice would return the even (lower) neighbour instead.
            (tx, ty, "0x1.0p-100"), (tx, ty, "-0x1.0p-100"), ("-" + tx, ty, "-0x1.0p-100"),
            ] + rand_lits(fmt, 24, 3, 600 + (fmt is F64)) + [
            # near-cancellation: x*y + z with z close to -x*y
            (a, b, show(fmul(lit(a, fmt), lit(b, fmt), fmt) ^ sign_bit(fmt), fmt))
            for (a, b) in rand_lits(fmt, 12, 2, 700 + (fmt is F64))]

out = [HEADER, "; fma x, y, z = x*y + z with a single rounding (exact product, exact sum, one rounding).\n"]
cnt = 0
for fmt in FMTS:
    t = name(fmt)
    fn = f"fma_{t}"
    out.append("\n" + func(fn, [t, t, t], [t], ["v3 = fma v0, v1, v2", "return v3"]))
    for a, b, c in fma_cases(fmt):
        r = ffma(lit(a, fmt), lit(b, fmt), lit(c, fmt), fmt)
        out.append(run(fn, [norm(a, fmt), norm(b, fmt), norm(c, fmt)], show(r, fmt)) + "\n")
        cnt += 1
# check the chosen "single rounding matters" cases really differ from two roundings
for fmt in FMTS:
    x = "0x1.001p0" if fmt is F32 else "0x1.0000002p0"
    z = "-0x1.002p0" if fmt is F32 else "-0x1.0000004p0"
    one = ffma(lit(x, fmt), lit(x, fmt), lit(z, fmt), fmt)
    two = fadd(fmul(lit(x, fmt), lit(x, fmt), fmt), lit(z, fmt), fmt)
    assert one != two, (show(one, fmt), show(two, fmt))
    one = ffma(lit("0.1", fmt), lit("10", fmt), lit("-1", fmt), fmt)
    two = fadd(fmul(lit("0.1", fmt), lit("10", fmt), fmt), lit("-1", fmt), fmt)
    assert one != two, (show(one, fmt), show(two, fmt))
write("fma.clif", "".join(out))
counts["fma"] = cnt

# ---------------------------------------------------------------- fcmp
CCS = ["ord", "uno", "eq", "ne", "one", "ueq", "lt", "le", "gt", "ge", "ult", "ule", "ugt", "uge"]
def cmp_pairs(fmt):
    s = S(fmt)
    return [("0x1.0p0", "0x1.0p1"), ("0x1.0p1", "0x1.0p0"), ("0x1.0p0", "0x1.0p0"),
            ("-0.0", "0.0"), ("0.0", "-0.0"), ("-Inf", "+Inf"), ("+Inf", "+Inf"), ("-Inf", "-Inf"),
            (s["minsub"], "0.0"), ("-" + s["max"], "-Inf"),
            ("+NaN", "0x1.0p0"), ("0x1.0p0", "-NaN"), ("+NaN", "+NaN"), ("+sNaN:0x1", "+Inf"),
            ("-Inf", "+NaN:0x3")]
out = [HEADER, "; fcmp: all 14 conditions. Unordered (a NaN operand) makes ord/eq/one/lt/le/gt/ge false\n"
       "; and uno/ne/ueq/ult/ule/ugt/uge true; -0.0 == +0.0.\n"]
cnt = 0
for fmt in FMTS:
    t = name(fmt)
    for cc in CCS:
        fn = f"fcmp_{cc}_{t}"
        out.append("\n" + func(fn, [t, t], ["i8"], [f"v2 = fcmp {cc} v0, v1", "return v2"]))
        for a, b in cmp_pairs(fmt):
            r = fcmp(cc, lit(a, fmt), lit(b, fmt), fmt)
            out.append(run(fn, [norm(a, fmt), norm(b, fmt)], "1" if r else "0") + "\n")
            cnt += 1
write("fcmp.clif", "".join(out))
counts["fcmp"] = cnt

print(counts, sum(counts.values()))
