"""Cross-check: re-evaluate every run/trap line of single-instruction functions in C (gcc),
with native fixed-width types and gcc builtins, independently of the Python model."""
import glob
import re
import subprocess
import sys

DIR = sys.argv[1]
W = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "i128": 128}
CT = {"i8": "int8_t", "i16": "int16_t", "i32": "int32_t", "i64": "int64_t", "i128": "i128"}
UT = {"i8": "uint8_t", "i16": "uint16_t", "i32": "uint32_t", "i64": "uint64_t", "i128": "u128"}
HALF = {"i16": "i8", "i32": "i16", "i64": "i32", "i128": "i64"}


def lit_bits(text, w):
    t = text.strip()
    if t in ("true", "false"):
        return int(t == "true")
    neg = t.startswith("-")
    t = t.lstrip("+-").replace("_", "")
    v = int(t, 16) if t.lower().startswith("0x") else int(t, 10)
    if neg:
        assert v <= 1 << (w - 1), text
        return (-v) % (1 << w)
    assert v < 1 << w, text
    return v


def c128(bits):
    return "(((u128)0x%xULL << 64) | (u128)0x%xULL)" % (bits >> 64, bits & ((1 << 64) - 1))


def split_args(s):
    return [a.strip() for a in s.split(",")] if s.strip() else []


PRELUDE = r"""
#include <stdint.h>
#include <stdio.h>
typedef unsigned __int128 u128;
typedef __int128 i128;
static int fails = 0, checks = 0;
static void check(const char *where, u128 got, u128 exp) {
    checks++;
    if (got != exp) {
        fails++;
        printf("MISMATCH %s got %016llx%016llx\n", where, (unsigned long long)(got >> 64),
               (unsigned long long)got);
    }
}
static void check_trap(const char *where, const char *got, const char *exp) {
    checks++;
    int same = 1;
    for (int i = 0; got[i] || exp[i]; i++) if (got[i] != exp[i]) { same = 0; break; }
    if (!same) { fails++; printf("MISMATCH %s got trap %s\n", where, got); }
}
static int clz64(uint64_t x) { return x ? __builtin_clzll(x) : 64; }
static int ctz64(uint64_t x) { return x ? __builtin_ctzll(x) : 64; }
static int clzw(u128 x, int w) {
    if (w == 128) { uint64_t hi = x >> 64; return hi ? clz64(hi) : 64 + clz64((uint64_t)x); }
    return clz64((uint64_t)x) - (64 - w);
}
static int ctzw(u128 x, int w) {
    if (w == 128) { uint64_t lo = x; return lo ? ctz64(lo) : 64 + ctz64((uint64_t)(x >> 64)); }
    int n = ctz64((uint64_t)x); return n > w ? w : n;
}
static int popw(u128 x) { return __builtin_popcountll((uint64_t)x) + __builtin_popcountll((uint64_t)(x >> 64)); }
static u128 bitrevw(u128 x, int w) { u128 r = 0; for (int i = 0; i < w; i++) if ((x >> i) & 1) r |= (u128)1 << (w - 1 - i); return r; }
static u128 umulhi128(u128 a, u128 b) {
    uint64_t a0 = a, a1 = a >> 64, b0 = b, b1 = b >> 64;
    u128 p00 = (u128)a0 * b0, p01 = (u128)a0 * b1, p10 = (u128)a1 * b0, p11 = (u128)a1 * b1;
    u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    return p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
}
static u128 smulhi128(i128 a, i128 b) {
    u128 h = umulhi128((u128)a, (u128)b);
    if (a < 0) h -= (u128)b;
    if (b < 0) h -= (u128)a;
    return h;
}
int main(void) {
"""

ICC = {"eq": ("{UT}", "=="), "ne": ("{UT}", "!="), "slt": ("{T}", "<"), "sge": ("{T}", ">="),
       "sgt": ("{T}", ">"), "sle": ("{T}", "<="), "ult": ("{UT}", "<"), "uge": ("{UT}", ">="),
       "ugt": ("{UT}", ">"), "ule": ("{UT}", "<=")}


def binop(op, ty, a, b, nty=None):
    """C statements computing r (and trap) for op on C expressions a, b of type ty."""
    w = W[ty]
    T, U = CT[ty], UT[ty]
    mn = "((%s)((%s)1 << %d))" % (T, U, w - 1)
    if op == "iadd":
        return "r = (%s)((%s)%s + (%s)%s);" % (U, U, a, U, b)
    if op == "isub":
        return "r = (%s)((%s)%s - (%s)%s);" % (U, U, a, U, b)
    if op == "imul":
        return "r = (%s)((u128)(%s)%s * (u128)(%s)%s);" % (U, U, a, U, b)
    if op == "umulhi":
        if w <= 32:
            return "r = (%s)(((uint64_t)(%s)%s * (uint64_t)(%s)%s) >> %d);" % (U, U, a, U, b, w)
        if w == 64:
            return "r = (uint64_t)(((u128)(uint64_t)%s * (u128)(uint64_t)%s) >> 64);" % (a, b)
        return "r = umulhi128((u128)%s, (u128)%s);" % (a, b)
    if op == "smulhi":
        if w <= 32:
            return "r = (%s)(((int64_t)%s * (int64_t)%s) >> %d);" % (U, a, b, w)
        if w == 64:
            return "r = (uint64_t)(((i128)%s * (i128)%s) >> 64);" % (a, b)
        return "r = smulhi128(%s, %s);" % (a, b)
    if op == "udiv":
        return 'if ((%s)%s == 0) trap = "int_divz"; else r = (%s)((%s)%s / (%s)%s);' % (U, b, U, U, a, U, b)
    if op == "urem":
        return 'if ((%s)%s == 0) trap = "int_divz"; else r = (%s)((%s)%s %% (%s)%s);' % (U, b, U, U, a, U, b)
    if op == "sdiv":
        return ('if (%s == 0) trap = "int_divz"; else if (%s == %s && %s == -1) trap = "int_ovf"; '
                'else r = (%s)(%s)(%s / %s);' % (b, a, mn, b, U, T, a, b))
    if op == "srem":
        return ('if (%s == 0) trap = "int_divz"; else if (%s == -1) r = 0; '
                'else r = (%s)(%s)(%s %% %s);' % (b, b, U, T, a, b))
    if op in ("smin", "smax"):
        cmp = "<" if op == "smin" else ">"
        return "r = (%s)(%s %s %s ? %s : %s);" % (U, a, cmp, b, a, b)
    if op in ("umin", "umax"):
        cmp = "<" if op == "umin" else ">"
        return "r = ((%s)%s %s (%s)%s ? (%s)%s : (%s)%s);" % (U, a, cmp, U, b, U, a, U, b)
    if op in ("band", "bor", "bxor", "band_not", "bor_not", "bxor_not"):
        c = {"band": "&", "bor": "|", "bxor": "^"}[op.split("_")[0]]
        rhs = "(%s)~(%s)%s" % (U, U, b) if op.endswith("_not") else "(%s)%s" % (U, b)
        return "r = (%s)((%s)%s %s %s);" % (U, U, a, c, rhs)
    if op in ("ishl", "ushr", "sshr", "rotl", "rotr"):
        NU = UT[nty] if nty else "uint64_t"
        k = "(unsigned)((%s)%s & %d)" % (NU, b, w - 1)
        s = "unsigned k = %s; " % k
        if op == "ishl":
            return s + "r = (%s)((%s)%s << k);" % (U, U, a)
        if op == "ushr":
            return s + "r = (%s)((%s)%s >> k);" % (U, U, a)
        if op == "sshr":
            return s + "r = (%s)(%s)(%s >> k);" % (U, T, a)
        if op == "rotl":
            return s + "r = (%s)(((%s)%s << k) | ((%s)%s >> ((%d - k) & %d)));" % (U, U, a, U, a, w, w - 1)
        return s + "r = (%s)(((%s)%s >> k) | ((%s)%s << ((%d - k) & %d)));" % (U, U, a, U, a, w, w - 1)
    raise KeyError(op)


def unop(op, ty, a):
    w = W[ty]
    T, U = CT[ty], UT[ty]
    if op == "ineg":
        return "r = (%s)(0 - (%s)%s);" % (U, U, a)
    if op == "iabs":
        return "r = (%s)(%s < 0 ? (%s)(0 - (%s)%s) : (%s)%s);" % (U, a, U, U, a, U, a)
    if op == "bnot":
        return "r = (%s)~(%s)%s;" % (U, U, a)
    if op == "clz":
        return "r = clzw((%s)%s, %d);" % (U, a, w)
    if op == "ctz":
        return "r = ctzw((%s)%s, %d);" % (U, a, w)
    if op == "popcnt":
        return "r = popw((%s)%s);" % (U, a)
    if op == "cls":
        return "r = clzw((%s)(%s ^ (%s >> %d)), %d) - 1;" % (U, a, a, w - 1, w)
    if op == "bitrev":
        return "r = bitrevw((%s)%s, %d);" % (U, a, w)
    if op == "bswap":
        if w == 128:
            return ("r = ((u128)__builtin_bswap64((uint64_t)%s) << 64) | __builtin_bswap64((uint64_t)((u128)%s >> 64));"
                    % (a, a))
        return "r = __builtin_bswap%d((%s)%s);" % (w, U, a)
    raise KeyError(op)


OVF = {"uadd_overflow": ("add", True), "sadd_overflow": ("add", False),
       "usub_overflow": ("sub", True), "ssub_overflow": ("sub", False),
       "umul_overflow": ("mul", True), "smul_overflow": ("mul", False)}

IMM_BASE = {"iadd_imm": "iadd", "imul_imm": "imul", "udiv_imm": "udiv", "sdiv_imm": "sdiv",
            "urem_imm": "urem", "srem_imm": "srem", "band_imm": "band", "bor_imm": "bor",
            "bxor_imm": "bxor", "ishl_imm": "ishl", "ushr_imm": "ushr", "sshr_imm": "sshr",
            "rotl_imm": "rotl", "rotr_imm": "rotr"}


def parse_imm(t):
    neg = t.startswith("-")
    t = t.lstrip("-").replace("_", "")
    v = int(t, 16) if t.startswith("0x") else int(t)
    v = -v if neg else v
    assert -(1 << 63) <= v < (1 << 64)
    return v - (1 << 64) if v >= (1 << 63) else v  # as i64


def gen(fn, params, rets, inst, runs, where):
    """Returns C code for all run lines of one single-instruction function, or None."""
    m = re.match(r"(v\d+(?:, v\d+)*) = (\w+)(?:\.(\w+))? (.*)$", inst)
    if not m:
        return None
    op, rest = m.group(2), m.group(4)
    parts = rest.split()
    code = []
    for line, args, kind, exp in runs:
        argbits = [lit_bits(a, W[t]) for a, t in zip(args, params)]
        decl = " ".join("%s a%d = (%s)(%s)%s;" % (CT[t], i, CT[t], UT[t], c128(x))
                        for i, (t, x) in enumerate(zip(params, argbits)))
        body = None
        nres = 1
        ty = params[0]
        if op in ICC_OPS:
            pass
        if op == "icmp" or op == "icmp_imm":
            cc = parts[0]
            cast, c = ICC[cc]
            cast = cast.format(T=CT[ty], UT=UT[ty])
            if op == "icmp":
                rhs = "a1"
            else:
                imm = parse_imm(parts[2])
                rhs = "((%s)(i128)(int64_t)%dLL)" % (CT[ty], imm) if imm != -(1 << 63) else \
                    "((%s)(i128)(int64_t)(-9223372036854775807LL - 1))" % CT[ty]
            body = "r = ((%s)a0 %s (%s)%s) ? 1 : 0;" % (cast, c, cast, rhs)
        elif op in OVF:
            kindo, uns = OVF[op]
            T = UT[ty] if uns else CT[ty]
            body = ("%s t; int f = __builtin_%s_overflow((%s)a0, (%s)a1, &t); r = (%s)t; r2 = f;"
                    % (T, kindo, T, T, UT[ty]))
            nres = 2
        elif op == "uadd_overflow_trap":
            code_name = parts[2]
            body = ('%s t; if (__builtin_add_overflow((%s)a0, (%s)a1, &t)) trap = "%s"; else r = t;'
                    % (UT[ty], UT[ty], UT[ty], code_name))
        elif op in ("uextend", "sextend", "ireduce"):
            dt = m.group(3)
            src = "(%s)a0" % UT[ty] if op == "uextend" else "a0"
            body = "r = (%s)(%s)%s;" % (UT[dt], CT[dt], src)
        elif op == "iconcat":
            dt = rets[0]
            body = "r = (%s)(((%s)(%s)a1 << %d) | (%s)(%s)a0);" % (UT[dt], UT[dt], UT[ty], W[ty], UT[dt], UT[ty])
        elif op == "isplit":
            ht = HALF[ty]
            body = "r = (%s)a0; r2 = (%s)((%s)a0 >> %d);" % (UT[ht], UT[ht], UT[ty], W[ht])
            nres = 2
        elif op in ("select", "select_spectre_guard"):
            body = "r = (%s)(a0 != 0 ? a1 : a2);" % UT[params[1]]
        elif op in IMM_BASE or op == "irsub_imm":
            imm = parse_imm(parts[1])
            immc = "(int64_t)(%dLL)" % imm if imm != -(1 << 63) else "(int64_t)(-9223372036854775807LL - 1)"
            decl += " %s b = (%s)(i128)%s;" % (CT[ty], CT[ty], immc)
            if op == "irsub_imm":
                body = binop("isub", ty, "b", "a0")
            elif IMM_BASE[op] in ("ishl", "ushr", "sshr", "rotl", "rotr"):
                decl += " uint64_t n = (uint64_t)%s;" % immc
                body = binop(IMM_BASE[op], ty, "a0", "n", "i64")
            else:
                body = binop(IMM_BASE[op], ty, "a0", "b")
        elif op in ("ishl", "ushr", "sshr", "rotl", "rotr"):
            body = binop(op, ty, "a0", "a1", params[1])
        elif len(params) == 2:
            body = binop(op, ty, "a0", "a1")
        elif len(params) == 1:
            body = unop(op, ty, "a0")
        else:
            return None
        wh = "%s:%d" % (where, line)
        s = '{ %s u128 r = 0, r2 = 0; const char *trap = "none"; (void)r2; %s ' % (decl, body)
        if kind == "trap":
            s += 'check_trap("%s", trap, "%s"); }' % (wh, exp.strip())
        else:
            e = exp.strip()
            exps = split_args(e[1:-1]) if e.startswith("[") else [e]
            assert len(exps) == len(rets) == nres, (wh, exps, rets)
            s += 'check_trap("%s", trap, "none"); ' % wh
            s += 'check("%s", r, %s); ' % (wh, c128(lit_bits(exps[0], W[rets[0]])))
            if nres == 2:
                s += 'check("%s#2", r2, %s); ' % (wh, c128(lit_bits(exps[1], W[rets[1]])))
            s += "}"
        code.append(s)
    return code


ICC_OPS = ()

out = [PRELUDE]
skipped = []
total = 0
for path in sorted(glob.glob(DIR + "/*.clif")):
    text = open(path).read().split("\n")
    fname = path.split("/")[-1]
    i = 0
    funcs = []
    cur = None
    for ln, line in enumerate(text, 1):
        m = re.match(r"function %(\w+)\((.*?)\)(?: -> (.*?))? \{", line)
        if m:
            cur = {"name": m.group(1), "params": split_args(m.group(2)),
                   "rets": split_args(m.group(3) or ""), "insts": [], "runs": []}
            funcs.append(cur)
            continue
        if cur is None:
            continue
        st = line.strip()
        if st.startswith("block") and not st.startswith("block0"):
            cur["insts"].append("multi-block")
        if re.match(r"v\d+", st):
            cur["insts"].append(st)
        m = re.match(r"; (run|trap): %(\w+)\((.*?)\) == (.*)$", line)
        if m:
            assert m.group(2) == cur["name"], (fname, ln)
            cur["runs"].append((ln, split_args(m.group(3)), m.group(1), m.group(4)))
            total += 1
    for f in funcs:
        code = None
        if len(f["insts"]) == 1 and all(t in W for t in f["params"] + f["rets"]):
            code = gen(f["name"], f["params"], f["rets"], f["insts"][0], f["runs"], fname)
        if code is None:
            skipped.append((fname, f["name"], len(f["runs"])))
        else:
            out.extend(code)
out.append('printf("%d checks, %d mismatches\\n", checks, fails); return fails != 0; }\n')
open("/tmp/genint/check.c", "w").write("\n".join(out))
print("run lines:", total, "skipped functions:", skipped)
r = subprocess.run(["gcc", "-O0", "-w", "-o", "/tmp/genint/check", "/tmp/genint/check.c"])
assert r.returncode == 0
r = subprocess.run(["/tmp/genint/check"], capture_output=True, text=True)
print(r.stdout[-5000:])
