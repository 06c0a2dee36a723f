import sys
from fp import *
from genfloat_common import *
counts = {}
for fmt, op, it in [(F32, "f32const", "i32"), (F64, "f64const", "i64")]:
    t = name(fmt)
    out = [HEADER, f"; {op}: the immediate is exact bits; literals in hex (normalised or not), decimal\n"
           "; (rounded to nearest even), signed zeros, infinities and NaNs with payloads (signaling\n"
           "; NaNs keep their bits). Each constant is checked as a float and as its bit pattern.\n"]
    s = S(fmt)
    lits = ["0x1.8p1", "0x3.ep0" if fmt is F32 else "0x3.e00000p0", "0x0.8p1", "1.5", "0.1", "-2.5", "1e10", "100",
            "0.0", "-0.0", "+Inf", "-Inf", "+NaN", "-NaN", "+NaN:0x1", "-NaN:0x2a", "+sNaN:0x1", "-sNaN:0x5",
            s["minsub"], s["maxsub"], s["minpos"], s["max"], "-" + s["max"],
            "0x1.0000010p0" if fmt is F32 else "0x1.00000000000008p0",       # tie -> even (1.0)
            "0x1.0000030p0" if fmt is F32 else "0x1.00000000000018p0",       # tie -> even (up)
            "0x1p-150" if fmt is F32 else "0x1p-1075",                        # tie -> +0
            "0x1.8p-149" if fmt is F32 else "0x1.8p-1074"]                    # tie -> 2 units
    cnt = 0
    for i, l in enumerate(lits):
        b = lit(l, fmt)
        fn = f"{op}_{i}"
        out.append("\n" + func(fn, [], [t, it], [f"v0 = {op} {l}", f"v1 = bitcast.{it} v0", "return v0, v1"]))
        out.append(f"; run: %{fn}() == [{show(b, fmt)}, {hex(b)}]\n")
        cnt += 1
    write(f"{op}.clif", "".join(out))
    counts[op] = cnt

# bitcast
out = [HEADER, "; bitcast.T x: the same bits as another type of the same width (NaN payloads and\n"
       "; signaling NaNs preserved exactly).\n"]
cnt = 0
for fmt, it in [(F32, "i32"), (F64, "i64")]:
    t = name(fmt)
    s = S(fmt)
    fa = f"bitcast_{t}_{it}"
    fb = f"bitcast_{it}_{t}"
    out.append("\n" + func(fa, [t], [it], [f"v1 = bitcast.{it} v0", "return v1"]))
    fl = ["0.0", "-0.0", "0x1.0p0", "-0x1.8p1", "0.1", "+Inf", "-Inf", "+NaN", "-NaN", "+NaN:0x1",
          "+sNaN:0x1", "-sNaN:0x2a", s["minsub"], s["maxsub"], s["minpos"], s["max"]]
    for l in fl:
        b = lit(l, fmt)
        out.append(run(fa, [show(b, fmt)], hex(b)) + "\n"); cnt += 1
    out.append("\n" + func(fb, [it], [t], [f"v1 = bitcast.{t} v0", "return v1"]))
    for l in fl:
        b = lit(l, fmt)
        out.append(run(fb, [hex(b)], show(b, fmt)) + "\n"); cnt += 1
    # integer arithmetic on the bits, then back: flipping the sign via bxor, stepping to the next float
    fr = f"bitcast_roundtrip_{t}"
    out.append("\n" + func(fr, [t], [t], [f"v1 = bitcast.{it} v0", "v2 = iadd_imm v1, 1", f"v3 = bitcast.{t} v2", "return v3"]))
    for l in ["0.0", "0x1.0p0", s["max"], "-0.0", "+sNaN:0x1", "+NaN"]:
        b = lit(l, fmt)
        out.append(run(fr, [show(b, fmt)], show(b + 1, fmt)) + "\n"); cnt += 1
write("bitcast.clif", "".join(out))
counts["bitcast"] = cnt
print(counts)
