import sys
from fp import *
OUT = sys.argv[1]
HEADER = "test interpret\ntest run\ntarget x86_64\ntarget x86_64 has_avx\n"
FMTS = [F32, F64]

def name(fmt):
    return fmt[2]

def write(fname, text):
    with open(f"{OUT}/{fname}", "w") as f:
        f.write(text)

def func(fn, params, rets, body):
    sig = f"({', '.join(params)})" + (f" -> {', '.join(rets)}" if rets else "")
    args = ", ".join(f"v{i}: {t}" for i, t in enumerate(params))
    hdr = f"block0({args}):" if params else "block0:"
    lines = [f"function %{fn}{sig} {{", hdr] + ["    " + l for l in body] + ["}"]
    return "\n".join(lines) + "\n"

def run(fn, args, exp):
    return f"; run: %{fn}({', '.join(args)}) == {exp}"

# Special literals per format.
def S(fmt):
    f32 = fmt is F32
    return dict(
        minsub="0x1.0p-149" if f32 else "0x1.0p-1074",
        maxsub="0x0.fffffep-126" if f32 else "0x0.fffffffffffffp-1022",
        minpos="0x1.0p-126" if f32 else "0x1.0p-1022",
        max="0x1.fffffep127" if f32 else "0x1.fffffffffffffp1023",
        halfulp1="0x1.0p-24" if f32 else "0x1.0p-53",
        ulp1="0x1.0p-23" if f32 else "0x1.0p-52",
        halfulpmax="0x1.0p103" if f32 else "0x1.0p970",
        below1="0x1.fffffep-1" if f32 else "0x1.fffffffffffffp-1",
        below_half="0x1.fffffep-2" if f32 else "0x1.fffffffffffffp-2",
        big_half="4194304.5" if f32 else "2251799813685248.5",
        nonint_limit="0x1.fffffep22" if f32 else "0x1.fffffffffffffp51",
        int_limit="8388608.0" if f32 else "4503599627370496.0",
    )

def norm(s, fmt):
    """Canonical text of an argument literal (as Kiln prints it)."""
    return show(lit(s, fmt), fmt)

