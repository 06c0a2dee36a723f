"""Independent reference semantics for Kiln's integer instructions (plain Python ints)."""

W = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "i128": 128}
TYPES = ["i8", "i16", "i32", "i64", "i128"]
TYPES64 = ["i8", "i16", "i32", "i64"]


class Trap(Exception):
    def __init__(self, code):
        self.code = code


def u(x, b):
    return x % (1 << b)


def s(x, b):
    x = u(x, b)
    return x - (1 << b) if x >> (b - 1) else x


def smin(b):
    return -(1 << (b - 1))


def smax(b):
    return (1 << (b - 1)) - 1


def fmt(x, ty):
    """A literal for value x of type ty: signed decimal when small, else unsigned hex."""
    b = W[ty]
    v = s(x, b)
    if -(1 << 32) < v < (1 << 32):
        return str(v)
    if -(1 << (b - 4)) <= v < 0:
        return "-" + hexs(-v)
    return hexs(u(x, b))


def hexs(x):
    d = format(x, "x")
    out = []
    for i, c in enumerate(d):
        if i > 0 and (len(d) - i) % 4 == 0:
            out.append("_")
        out.append(c)
    return "0x" + "".join(out)


def imm_text(x):
    """An immediate (64-bit) as written: decimal when small, hex otherwise."""
    if -100000 < x < 100000:
        return str(x)
    if x < 0:
        return "-" + hexs(-x)
    return hexs(x)


def trunc_div(x, y):
    q = abs(x) // abs(y)
    return -q if (x < 0) != (y < 0) else q


# ---- binary arithmetic; all take raw ints and a width, return bits (unsigned)

def iadd(a, c, b):
    return u(a + c, b)


def isub(a, c, b):
    return u(a - c, b)


def imul(a, c, b):
    return u(a * c, b)


def umulhi(a, c, b):
    return u((u(a, b) * u(c, b)) >> b, b)


def smulhi(a, c, b):
    return u((s(a, b) * s(c, b)) >> b, b)  # >> floors: the top half of the 2b-bit product


def udiv(a, c, b):
    if u(c, b) == 0:
        raise Trap("int_divz")
    return u(a, b) // u(c, b)


def sdiv(a, c, b):
    x, y = s(a, b), s(c, b)
    if y == 0:
        raise Trap("int_divz")
    if x == smin(b) and y == -1:
        raise Trap("int_ovf")
    return u(trunc_div(x, y), b)


def urem(a, c, b):
    if u(c, b) == 0:
        raise Trap("int_divz")
    return u(a, b) % u(c, b)


def srem(a, c, b):
    x, y = s(a, b), s(c, b)
    if y == 0:
        raise Trap("int_divz")
    r = x - y * trunc_div(x, y)
    assert abs(r) < abs(y) and (r == 0 or (r < 0) == (x < 0))
    return u(r, b)


def smin_(a, c, b):
    return u(min(s(a, b), s(c, b)), b)


def smax_(a, c, b):
    return u(max(s(a, b), s(c, b)), b)


def umin_(a, c, b):
    return min(u(a, b), u(c, b))


def umax_(a, c, b):
    return max(u(a, b), u(c, b))


def band(a, c, b):
    return u(a, b) & u(c, b)


def bor(a, c, b):
    return u(a, b) | u(c, b)


def bxor(a, c, b):
    return u(a, b) ^ u(c, b)


def bnot1(a, b):
    return u(~a, b)


def band_not(a, c, b):
    return u(a, b) & bnot1(c, b)


def bor_not(a, c, b):
    return u(a, b) | bnot1(c, b)


def bxor_not(a, c, b):
    return u(a, b) ^ bnot1(c, b)


def amount(n, nbits, b):
    """The effective shift amount: the amount's bits modulo the shifted width."""
    return u(n, nbits) % b


def ishl(a, n, b, nb):
    return u(u(a, b) << amount(n, nb, b), b)


def ushr(a, n, b, nb):
    return u(a, b) >> amount(n, nb, b)


def sshr(a, n, b, nb):
    return u(s(a, b) >> amount(n, nb, b), b)


def rotl(a, n, b, nb):
    k = amount(n, nb, b)
    x = u(a, b)
    return u((x << k) | (x >> (b - k)), b)


def rotr(a, n, b, nb):
    k = amount(n, nb, b)
    x = u(a, b)
    return u((x >> k) | (x << (b - k)), b)


# ---- unary

def ineg(a, b):
    return u(-a, b)


def iabs(a, b):
    return u(abs(s(a, b)), b)


def clz(a, b):
    return b - u(a, b).bit_length()


def ctz(a, b):
    x = u(a, b)
    if x == 0:
        return b
    n = 0
    while not (x >> n) & 1:
        n += 1
    return n


def popcnt(a, b):
    return bin(u(a, b)).count("1")


def cls(a, b):
    x = u(a, b)
    sign = x >> (b - 1)
    n = 0
    for i in range(b - 2, -1, -1):
        if (x >> i) & 1 == sign:
            n += 1
        else:
            break
    return n


def bitrev(a, b):
    x = u(a, b)
    return int(format(x, "0%db" % b)[::-1], 2)


def bswap(a, b):
    return int.from_bytes(u(a, b).to_bytes(b // 8, "little"), "big")


# ---- comparisons

ICC = ["eq", "ne", "slt", "sge", "sgt", "sle", "ult", "uge", "ugt", "ule"]


def icmp(cc, a, c, b):
    x, y = s(a, b), s(c, b)
    p, q = u(a, b), u(c, b)
    r = {
        "eq": p == q,
        "ne": p != q,
        "slt": x < y,
        "sge": x >= y,
        "sgt": x > y,
        "sle": x <= y,
        "ult": p < q,
        "uge": p >= q,
        "ugt": p > q,
        "ule": p <= q,
    }[cc]
    return 1 if r else 0


# ---- overflow

def uadd_overflow(a, c, b):
    r = u(a, b) + u(c, b)
    return u(r, b), int(r >= (1 << b))


def sadd_overflow(a, c, b):
    r = s(a, b) + s(c, b)
    return u(r, b), int(not smin(b) <= r <= smax(b))


def usub_overflow(a, c, b):
    r = u(a, b) - u(c, b)
    return u(r, b), int(r < 0)


def ssub_overflow(a, c, b):
    r = s(a, b) - s(c, b)
    return u(r, b), int(not smin(b) <= r <= smax(b))


def umul_overflow(a, c, b):
    r = u(a, b) * u(c, b)
    return u(r, b), int(r >= (1 << b))


def smul_overflow(a, c, b):
    r = s(a, b) * s(c, b)
    return u(r, b), int(not smin(b) <= r <= smax(b))


def imm_operand(imm, b):
    """A 64-bit immediate as the second operand at width b: sign-extend (i128), truncate."""
    assert -(1 << 63) <= imm < (1 << 64)
    return u(s(imm, 64), b)
