"""Writes the conversion/constant/bitcast runtests; expectations from fp.py."""
import sys
import random
from fractions import Fraction as Fr
from fp import *
from genfloat_common import *

counts = {}

def nextdown(b, fmt):
    """The next float toward -Inf from finite b."""
    if b == 0:
        return sign_bit(fmt) | 1
    if is_neg(b, fmt):
        return b + 1
    return b - 1

def nextup(b, fmt):
    if b == sign_bit(fmt):
        return 1
    if is_neg(b, fmt):
        return b - 1
    return b + 1

INTS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "i128": 128}

# ---------------------------------------------------------------- fcvt_to_*
def to_int_cases(fmt, bits, signed):
    """Argument bit patterns around the range edges."""
    if signed:
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        lo, hi = 0, (1 << bits) - 1
    top = round_frac(Fr(hi + 1), fmt)                # a power of two: exact, first out of range
    vals = [lit(x, fmt) for x in ["0.0", "-0.0", "0x1.8p0", "-0x1.8p0", "0x1.ccccccccccccdp1" if fmt is F64 else "0x1.cccccep1",
                                  "-0x1.ccccccccccccdp-1" if fmt is F64 else "-0x1.cccccep-1",
                                  "0x1.0p-149" if fmt is F32 else "0x1.0p-1074", "-0x1.0p0", "0x1.0p0"]]
    vals += [nextdown(top, fmt), top, nextup(top, fmt) if not is_inf(nextup(top, fmt), fmt) else top]
    if signed:
        m = round_frac(Fr(lo), fmt)                  # -2^(bits-1): exact
        vals += [m, nextdown(m, fmt), round_frac(Fr(lo - 1), fmt), nextup(m, fmt)]
    else:
        vals += [lit("-0x1.0p0", fmt), nextdown(lit("-0x1.0p0", fmt), fmt), nextup(lit("-0x1.0p0", fmt), fmt)]
    if fmt is F64 and bits == 32 and not signed:
        vals.append(lit("4294967295.9", fmt))
        vals.append(lit("4294967296.0", fmt))
    if fmt is F64 and bits == 32 and signed:
        vals += [lit("2147483647.9", fmt), lit("-2147483648.9", fmt), lit("-2147483649.0", fmt)]
    if fmt is F32 and bits == 32 and signed:
        vals += [lit("2147483520.0", fmt), lit("2147483648.0", fmt), lit("-2147483904.0", fmt),
                 lit("-2147483648.0", fmt)]
    vals += [lit(s["max"], fmt) for s in [S(fmt)]] + [lit("-" + S(fmt)["max"], fmt)]
    vals += [lit(x, fmt) for x in ["+Inf", "-Inf", "+NaN", "-NaN", "+sNaN:0x1"]]
    out = []
    seen = set()
    for v in vals:
        if v in seen:
            continue
        seen.add(v)
        out.append(v)
    return out, lo, hi

def to_int_ref(v, fmt, lo, hi, sat):
    if is_nan(v, fmt):
        return 0 if sat else "bad_toint"
    if is_inf(v, fmt):
        if sat:
            return lo if is_neg(v, fmt) else hi
        return "int_ovf"
    x = to_frac(v, fmt)
    n = abs(x.numerator) // x.denominator
    n = -n if x < 0 else n                           # truncate toward zero
    if n < lo or n > hi:
        if sat:
            return lo if n < lo else hi
        return "int_ovf"
    return n

for signed in [False, True]:
    for sat in [False, True]:
        op = f"fcvt_to_{'sint' if signed else 'uint'}{'_sat' if sat else ''}"
        what = ("NaN -> 0, out of range clamps to the type's MIN/MAX" if sat
                else "NaN traps bad_toint, out of range (after truncation) traps int_ovf")
        out = [HEADER, f"; {op}.T x: truncate toward zero; {what}.\n"]
        cnt = 0
        for fmt in FMTS:
            for it in ["i8", "i16", "i32", "i64"]:
                bits = INTS[it]
                fn = f"{op}_{name(fmt)}_{it}"
                out.append("\n" + func(fn, [name(fmt)], [it], [f"v1 = {op}.{it} v0", "return v1"]))
                cases, lo, hi = to_int_cases(fmt, bits, signed)
                for v in cases:
                    r = to_int_ref(v, fmt, lo, hi, sat)
                    if isinstance(r, str):
                        out.append(f"; trap: %{fn}({show(v, fmt)}) == {r}\n")
                    else:
                        out.append(run(fn, [show(v, fmt)], str(r)) + "\n")
                    cnt += 1
        write(f"{op}.clif", "".join(out))
        counts[op] = cnt

# ---------------------------------------------------------------- fcvt_from_*
def from_int_cases(bits, signed):
    M = 1 << bits
    vals = [0, 1, M - 1, M // 2 - 1, M // 2, 100, 7]
    if bits >= 32:
        vals += [(1 << 24) + 1, (1 << 24) + 3, (1 << 24) + 2, 0xffffff, (1 << 31) - 1]
    if bits >= 64:
        vals += [(1 << 53) + 1, (1 << 53) + 3, (1 << 53) + 2, (1 << 63) - 1, (1 << 63) + (1 << 10),
                 (1 << 63) + (1 << 10) + 1, M - (1 << 11)]
    if bits == 128:
        vals += [(1 << 100) + 1, (1 << 127) - (1 << 103), (1 << 127) - (1 << 102),
                 M - (1 << 104), M - (1 << 103), M - (1 << 103) - 1]
    if bits >= 64:
        # Halfway for f32 only after a first rounding to f64: x = 2^63 + 2^39 + 1 is above the
        # f32 midpoint, but rounds to the midpoint 2^63 + 2^39 in f64 (and then to even, down).
        vals += [(1 << 63) + (1 << 39) + 1, (1 << 62) + (1 << 38) + 1, M - (1 << 39) - 1,
                 (1 << 63) + (1 << 39), (1 << 63) + (1 << 40) + (1 << 39)]
    if bits == 128:
        vals += [(1 << 100) + (1 << 76) + 1, (1 << 100) + (1 << 47) + 1, (1 << 126) + (1 << 102) + 1,
                 M - (1 << 75) - 1]
    rng = random.Random(bits)
    vals += [rng.getrandbits(bits) >> rng.randrange(bits) for _ in range(6)]
    if bits == 16:
        vals += [0x8001, 0xfffe]
    if bits == 8:
        vals += [0x80, 0x81, 0xfe]
    return sorted(set(v % M for v in vals))

for signed in [False, True]:
    op = f"fcvt_from_{'sint' if signed else 'uint'}"
    out = [HEADER, f"; {op}.F x: the {'signed' if signed else 'unsigned'} integer x rounded to nearest, ties to even.\n"]
    cnt = 0
    for fmt in FMTS:
        for it in ["i8", "i16", "i32", "i64", "i128"]:
            bits = INTS[it]
            fn = f"{op}_{it}_{name(fmt)}"
            out.append("\n" + func(fn, [it], [name(fmt)], [f"v1 = {op}.{name(fmt)} v0", "return v1"]))
            for u in from_int_cases(bits, signed):
                val = u - (1 << bits) if signed and u >= (1 << (bits - 1)) else u
                arg = str(val) if signed or bits < 64 else (hex(u) if u >= (1 << 63) else str(u))
                r = round_frac(Fr(val), fmt)
                out.append(run(fn, [arg], show(r, fmt)) + "\n")
                cnt += 1
    write(f"{op}.clif", "".join(out))
    counts[op] = cnt

# ---------------------------------------------------------------- fpromote / fdemote
out = [HEADER, "; fpromote.f64: f32 to f64, always exact; NaNs stay NaN.\n"]
fn = "fpromote"
out.append("\n" + func(fn, ["f32"], ["f64"], ["v1 = fpromote.f64 v0", "return v1"]))
cnt = 0
for a in ["0.0", "-0.0", "0x1.8p0", "-0x1.4p1", "0.1", "0x1.0p-149", "-0x0.fffffep-126", "0x1.0p-126",
          "0x1.fffffep127", "-0x1.fffffep127", "0x1.000002p0", "+Inf", "-Inf", "+NaN", "-NaN"]:
    b = lit(a, F32)
    if is_nan(b, F32):
        r = canon_nan(F64) | (sign_bit(F64) if is_neg(b, F32) else 0)
    elif is_inf(b, F32):
        r = inf(F64, is_neg(b, F32))
    else:
        r = round_frac(to_frac(b, F32), F64, is_neg(b, F32))
        assert to_frac(r, F64) == to_frac(b, F32)
    out.append(run(fn, [show(b, F32)], show(r, F64)) + "\n")
    cnt += 1
out.append("""
; The sign and the quiet bit of a NaN result, whatever the payload: a NaN input gives a quiet NaN
; of the same sign (signaling NaNs are quieted).
function %fpromote_nan_class(f32) -> i64 {
block0(v0: f32):
    v1 = fpromote.f64 v0
    v2 = bitcast.i64 v1
    v3 = band_imm v2, 0xfff8_0000_0000_0000
    return v3
}
""")
for a in ["+NaN", "-NaN", "+NaN:0x1", "-NaN:0x3fffff", "+sNaN:0x1", "-sNaN:0x200000", "+sNaN:0x3fffff"]:
    b = lit(a, F32)
    r = 0xfff8000000000000 if is_neg(b, F32) else 0x7ff8000000000000
    out.append(run("fpromote_nan_class", [show(b, F32)], hex(r)) + "\n")
    cnt += 1
write("fpromote.clif", "".join(out))
counts["fpromote"] = cnt

def demote_extra():
    rng = random.Random(77)
    out = []
    for _ in range(12):
        # an f32 midpoint (25 significant bits, last one set), nudged by -1, 0 or +1 f64 ulp
        e = rng.randrange(-140, 128)
        m = (rng.getrandbits(24) | (1 << 24)) | 1
        b = round_frac(Fr(m) * Fr(2) ** (e - 24), F64)
        out.append(show(b + rng.choice([-1, 0, 1]), F64))
    for _ in range(12):
        e = rng.randrange(900, 1150)
        out.append(show((rng.randrange(2) << 63) | (e << 52) | rng.getrandbits(52), F64))
    return out

out = [HEADER, "; fdemote.f32: f64 to f32 rounded to nearest, ties to even; overflow gives Inf,\n; underflow gives subnormals or a signed zero.\n"]
fn = "fdemote"
out.append("\n" + func(fn, ["f64"], ["f32"], ["v1 = fdemote.f32 v0", "return v1"]))
cnt = 0
for a in ["0.0", "-0.0", "0x1.8p0", "-0x1.4p1", "0.1", "-0.1", "1e300", "-1e300",
          "0x1.000001p0",                 # 1 + 2^-24: tie -> 1.0 (even)
          "0x1.000003p0",                 # 1 + 3*2^-24: tie -> 1 + 2^-22 (even)
          "0x1.0000010000001p0",          # just above the tie -> up
          "0x1.0000008p0",                # below the tie -> down
          "-0x1.000001p0",
          "0x1.fffffep127",               # f32 MAX exactly
          "0x1.fffffefffffffp127",        # just below MAX + half ulp -> MAX
          "0x1.ffffffp127",               # MAX + half ulp: tie, even is 2^128 -> +Inf
          "-0x1.ffffffp127",
          "0x1.0p-126", "0x1.0p-149", "0x1.0p-140", "0x1.8p-149",
          "0x1.0p-150",                   # half the smallest subnormal: tie -> +0
          "-0x1.0p-150",
          "0x1.0000000000001p-150",       # just above -> smallest subnormal
          "0x1.8p-148",                   # 3*2^-149: tie between 2 and 4? (exact: 3 units) -> exact
          "0x1.8p-149",                   # 1.5 units: tie between 1 and 2 -> 2 (even)
          "0x1.4p-148",                   # 2.5 units -> 2 (even)
          "0x1.fffffffffffffp-127",       # rounds up to MIN_POSITIVE
          "0x1.0p-1022", "-0x1.0p-1074",
          "+Inf", "-Inf", "+NaN", "-NaN"] + demote_extra():
    b = lit(a, F64)
    if is_nan(b, F64):
        r = canon_nan(F32) | (sign_bit(F32) if is_neg(b, F64) else 0)
    elif is_inf(b, F64):
        r = inf(F32, is_neg(b, F64))
    else:
        r = round_frac(to_frac(b, F64), F32, is_neg(b, F64))
    out.append(run(fn, [show(b, F64)], show(r, F32)) + "\n")
    cnt += 1
out.append("""
; The sign and the quiet bit of a NaN result, whatever the payload: a NaN input gives a quiet NaN
; of the same sign (signaling NaNs are quieted, even when their payload has no high bits).
function %fdemote_nan_class(f64) -> i32 {
block0(v0: f64):
    v1 = fdemote.f32 v0
    v2 = bitcast.i32 v1
    v3 = band_imm v2, 0xffc0_0000
    return v3
}
""")
for a in ["+NaN", "-NaN", "+NaN:0x1", "-NaN:0x7ffffffffffff", "+sNaN:0x1", "-sNaN:0x1", "+sNaN:0x4000000000000"]:
    b = lit(a, F64)
    r = 0xffc00000 if is_neg(b, F64) else 0x7fc00000
    out.append(run("fdemote_nan_class", [show(b, F64)], hex(r)) + "\n")
    cnt += 1
write("fdemote.clif", "".join(out))
counts["fdemote"] = cnt
print(counts, sum(counts.values()))
