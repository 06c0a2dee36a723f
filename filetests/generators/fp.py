"""Exact IEEE-754 binary32/binary64 reference arithmetic with Fractions (independent of Kiln)."""
from fractions import Fraction as Fr
import math

F32 = (8, 23, 'f32')
F64 = (11, 52, 'f64')

def params(fmt):
    w, t, _ = fmt
    bias = (1 << (w - 1)) - 1
    return w, t, bias, (1 << w) - 1

def sign_bit(fmt):
    w, t, _, _ = params(fmt)
    return 1 << (w + t)

def is_nan(b, fmt):
    w, t, bias, maxe = params(fmt)
    return ((b >> t) & maxe) == maxe and (b & ((1 << t) - 1)) != 0

def is_inf(b, fmt):
    w, t, bias, maxe = params(fmt)
    return ((b >> t) & maxe) == maxe and (b & ((1 << t) - 1)) == 0

def is_neg(b, fmt):
    return bool(b & sign_bit(fmt))

def quiet(b, fmt):
    w, t, _, _ = params(fmt)
    return b | (1 << (t - 1))

def canon_nan(fmt):
    w, t, bias, maxe = params(fmt)
    return (maxe << t) | (1 << (t - 1))

def inf(fmt, neg=False):
    w, t, bias, maxe = params(fmt)
    return (maxe << t) | (sign_bit(fmt) if neg else 0)

def zero(fmt, neg=False):
    return sign_bit(fmt) if neg else 0

def to_frac(b, fmt):
    """Finite value as a Fraction (zero sign lost)."""
    w, t, bias, maxe = params(fmt)
    e = (b >> t) & maxe
    m = b & ((1 << t) - 1)
    assert e != maxe
    if e == 0:
        v = Fr(m) * Fr(2) ** (1 - bias - t)
    else:
        v = Fr(m + (1 << t)) * Fr(2) ** (e - bias - t)
    return -v if is_neg(b, fmt) else v

def ilog2(a):
    """floor(log2(a)) for a positive Fraction."""
    e = a.numerator.bit_length() - a.denominator.bit_length()
    while Fr(2) ** e > a:
        e -= 1
    while Fr(2) ** (e + 1) <= a:
        e += 1
    return e

def rne(m):
    """Round a non-negative Fraction to the nearest integer, ties to even."""
    n = m.numerator // m.denominator
    r = m - n
    if r > Fr(1, 2) or (r == Fr(1, 2) and n % 2 == 1):
        n += 1
    return n

def round_frac(x, fmt, zero_neg=False):
    """Round a Fraction to the format (nearest even); exact zero gets sign zero_neg."""
    w, t, bias, maxe = params(fmt)
    if x == 0:
        return zero(fmt, zero_neg)
    neg = x < 0
    a = -x if neg else x
    emin = 1 - bias
    e = max(ilog2(a), emin)
    q = Fr(2) ** (e - t)
    n = rne(a / q)
    return encode(n * q, fmt, neg)

def encode(v, fmt, neg):
    """Encode an exactly representable magnitude v (or overflow to Inf)."""
    w, t, bias, maxe = params(fmt)
    s = sign_bit(fmt) if neg else 0
    if v == 0:
        return s
    emin = 1 - bias
    e = ilog2(v)
    if e > bias:
        return s | inf(fmt)
    if e < emin:
        m = v / Fr(2) ** (emin - t)
        assert m.denominator == 1
        return s | m.numerator
    m = v / Fr(2) ** (e - t)
    assert m.denominator == 1
    return s | ((e + bias) << t) | (m.numerator - (1 << t))

# ---------- literal parsing / printing (CLIF syntax) ----------

def lit(s, fmt):
    """Bits of a literal: +Inf, -0.0, +NaN, +NaN:0x1, +sNaN:0x1, hex float or decimal."""
    w, t, bias, maxe = params(fmt)
    neg = s.startswith('-')
    body = s[1:] if s[0] in '+-' else s
    sb = sign_bit(fmt) if neg else 0
    if body == 'Inf':
        return sb | inf(fmt)
    if body == 'NaN':
        return sb | canon_nan(fmt)
    if body.startswith('NaN:'):
        return sb | canon_nan(fmt) | int(body[4:], 16)
    if body.startswith('sNaN:'):
        return sb | (maxe << t) | int(body[5:], 16)
    if body.startswith('0x'):
        v = Fr(float.fromhex(body)) if fmt[2] == 'f64' else None
        # exact parse of hex float
        mant, _, ex = body[2:].partition('p')
        ip, _, fp = mant.partition('.')
        digits = (ip + fp).replace('_', '')
        val = Fr(int(digits, 16)) / Fr(16) ** len(fp) * Fr(2) ** int(ex or '0')
        return round_frac(-val if neg else val, fmt, neg)
    val = Fr(body)
    return round_frac(-val if neg else val, fmt, neg)

def show(b, fmt):
    """CLIF text of bits, as Kiln's printer writes it."""
    w, t, bias, maxe = params(fmt)
    neg = is_neg(b, fmt)
    e = (b >> t) & maxe
    m = b & ((1 << t) - 1)
    if e == maxe:
        sg = '-' if neg else '+'
        if m == 0:
            return sg + 'Inf'
        qb = 1 << (t - 1)
        pay = m & (qb - 1)
        if m & qb:
            return sg + ('NaN' if pay == 0 else 'NaN:0x%x' % pay)
        return sg + 'sNaN:0x%x' % pay
    sg = '-' if neg else ''
    if e == 0 and m == 0:
        return sg + '0.0'
    digits = (t + 3) // 4
    shift = 4 * digits - t
    if e == 0:
        lead, ex = 0, 1 - bias
    else:
        lead, ex = 1, e - bias
    return '%s0x%d.%0*xp%d' % (sg, lead, digits, m << shift, ex)

# ---------- operations on bits ----------

def nan_in(fmt, *xs):
    for x in xs:
        if is_nan(x, fmt):
            return quiet(x, fmt)
    return None

def fadd(a, b, fmt, sub=False):
    if sub:
        b ^= sign_bit(fmt)
    n = nan_in(fmt, a, b if not sub else b ^ sign_bit(fmt))
    if n is not None:
        return n
    if is_inf(a, fmt) or is_inf(b, fmt):
        if is_inf(a, fmt) and is_inf(b, fmt) and is_neg(a, fmt) != is_neg(b, fmt):
            return canon_nan(fmt)
        return a if is_inf(a, fmt) else b
    s = to_frac(a, fmt) + to_frac(b, fmt)
    zneg = is_neg(a, fmt) and is_neg(b, fmt) and to_frac(a, fmt) == 0 and to_frac(b, fmt) == 0
    return round_frac(s, fmt, zneg)

def fsub(a, b, fmt):
    return fadd(a, b, fmt, sub=True)

def fmul(a, b, fmt):
    n = nan_in(fmt, a, b)
    if n is not None:
        return n
    neg = is_neg(a, fmt) != is_neg(b, fmt)
    if is_inf(a, fmt) or is_inf(b, fmt):
        other = b if is_inf(a, fmt) else a
        if not is_inf(other, fmt) and to_frac(other, fmt) == 0:
            return canon_nan(fmt)
        return inf(fmt, neg)
    return round_frac(to_frac(a, fmt) * to_frac(b, fmt), fmt, neg)

def fdiv(a, b, fmt):
    n = nan_in(fmt, a, b)
    if n is not None:
        return n
    neg = is_neg(a, fmt) != is_neg(b, fmt)
    ai, bi = is_inf(a, fmt), is_inf(b, fmt)
    if ai and bi:
        return canon_nan(fmt)
    if ai:
        return inf(fmt, neg)
    if bi:
        return zero(fmt, neg)
    x, y = to_frac(a, fmt), to_frac(b, fmt)
    if y == 0:
        return canon_nan(fmt) if x == 0 else inf(fmt, neg)
    return round_frac(x / y, fmt, neg)

def fsqrt(a, fmt):
    n = nan_in(fmt, a)
    if n is not None:
        return n
    if is_inf(a, fmt):
        return canon_nan(fmt) if is_neg(a, fmt) else a
    x = to_frac(a, fmt)
    if x == 0:
        return a
    if x < 0:
        return canon_nan(fmt)
    w, t, bias, maxe = params(fmt)
    e = ilog2(x) // 2
    q = Fr(2) ** (e - t)
    M = x / (q * q)
    n = math.isqrt(M.numerator // M.denominator)
    # sqrt(M) in [n, n+1); round up iff M > (n + 1/2)^2 (never equal for integer n)
    if M > (Fr(n) + Fr(1, 2)) ** 2:
        n += 1
    return encode(n * q, fmt, False)

def ffma(a, b, c, fmt):
    n = nan_in(fmt, a, b, c)
    if n is not None:
        return n
    pneg = is_neg(a, fmt) != is_neg(b, fmt)
    if is_inf(a, fmt) or is_inf(b, fmt):
        other = b if is_inf(a, fmt) else a
        if not is_inf(other, fmt) and to_frac(other, fmt) == 0:
            return canon_nan(fmt)
        if is_inf(c, fmt) and is_neg(c, fmt) != pneg:
            return canon_nan(fmt)
        return inf(fmt, pneg)
    if is_inf(c, fmt):
        return c
    p = to_frac(a, fmt) * to_frac(b, fmt)
    z = to_frac(c, fmt)
    s = p + z
    zneg = (p == 0 and z == 0 and pneg and is_neg(c, fmt))
    return round_frac(s, fmt, zneg)

def key(b, fmt):
    """Total order key for non-NaN values with -0 < +0."""
    if is_inf(b, fmt):
        return (Fr(-1 if is_neg(b, fmt) else 1) * 10 ** 400, 0)
    return (to_frac(b, fmt), 0 if is_neg(b, fmt) else 1)

def fmin(a, b, fmt):
    n = nan_in(fmt, a, b)
    if n is not None:
        return n
    return a if key(a, fmt) <= key(b, fmt) else b

def fmax(a, b, fmt):
    n = nan_in(fmt, a, b)
    if n is not None:
        return n
    return a if key(a, fmt) >= key(b, fmt) else b

def round_int(a, fmt, mode):
    n = nan_in(fmt, a)
    if n is not None:
        return n
    if is_inf(a, fmt):
        return a
    x = to_frac(a, fmt)
    neg = is_neg(a, fmt)
    ax = -x if neg else x
    fl = ax.numerator // ax.denominator
    if mode == 'trunc':
        r = fl
    elif mode == 'nearest':
        r = rne(ax)
    elif mode == 'ceil':
        r = fl if (ax == fl or neg) else fl + 1
    elif mode == 'floor':
        r = fl if (ax == fl or not neg) else fl + 1
    return encode(Fr(r), fmt, neg)

def fcmp(cc, a, b, fmt):
    un = is_nan(a, fmt) or is_nan(b, fmt)
    if un:
        lt = eq = gt = False
    else:
        ka = key(a, fmt)[0]
        kb = key(b, fmt)[0]
        lt, eq, gt = ka < kb, ka == kb, ka > kb
    return {
        'ord': not un, 'uno': un, 'eq': eq, 'ne': un or not eq, 'one': lt or gt,
        'ueq': un or eq, 'lt': lt, 'le': lt or eq, 'gt': gt, 'ge': gt or eq,
        'ult': un or lt, 'ule': un or lt or eq, 'ugt': un or gt, 'uge': un or gt or eq,
    }[cc]
