#!/usr/bin/env python3
"""Independent model of the .wat workloads: computes run(n) in plain Python integers and
floats (Python floats are IEEE 754 doubles; math.sqrt is correctly rounded), wrapping to the
Wasm widths by hand. Writes checksums.txt: `NAME N CHECKSUM` (signed i64).

Usage: python3 model.py > checksums.txt
"""
import math

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1


def s64(v):
    v &= M64
    return v - (1 << 64) if v >> 63 else v


def s32(v):
    v &= M32
    return v - (1 << 32) if v >> 31 else v


def fib(k):
    a, b = 0, 1
    for _ in range(k):
        a, b = b, a + b
    return a


def calls(n):
    acc = 0
    for r in range(n):
        v = r
        for i in range(10000):
            v = ((v * 3 + i) ^ r) & M64
        acc = (acc * 31 + fib(22 + r % 3) + v) & M64
    return s64(acc)


def memory(n):
    N = 1 << 18
    acc = 0
    a = [0] * N
    for r in range(n):
        for i in range(N):
            a[i] = (i * 0x9E3779B1 + r) & M32
        for i in range(1, N):
            a[i] = (a[i - 1] + (a[i] ^ a[(i * 7) & (N - 1)])) & M32
        total = sum(a)
        x = 0
        for j in range(N // 2):
            x ^= a[2 * j] | (a[2 * j + 1] << 32)  # little-endian i64 word
        acc = (acc * 1000003 + ((total ^ x) & M64)) & M64
    return s64(acc)


def mandel(n):
    acc = 0
    for r in range(n):
        total = 0
        for py in range(96):
            for px in range(96):
                cr = (-2.0 + px * 0.03125) + r / 1024.0
                ci = -1.5 + py * 0.03125
                zr = zi = 0.0
                it = 0
                while not (zr * zr + zi * zi > 4.0) and it < 256:
                    t = (zr * zr - zi * zi) + cr
                    zi = (2.0 * zr) * zi + ci
                    zr = t
                    it += 1
                total += it + int(math.sqrt(zr * zr + zi * zi) * 1000.0)
        acc = (acc * 33 + total) & M64
    return s64(acc)


def lcg(x):
    return (x * 1664525 + 1013904223) & M32


def rotl64(v, k):
    k &= 63
    return ((v << k) | (v >> (64 - k))) & M64 if k else v


def br_table(n):
    acc = 0
    for r in range(n):
        x = 12345 + r
        for k in range(1000000):
            x = lcg(x)
            op = (x >> 24) & 7
            if op == 0:
                acc += x
            elif op == 1:
                acc ^= (s32(x) << 3) & M64
            elif op == 2:
                acc *= 3
            elif op == 3:
                acc -= x >> 5
            elif op == 4:
                acc = rotl64(acc, 7)
            elif op == 5:
                acc += 12345
            elif op == 6:
                acc ^= acc >> 11
            else:
                acc += k
            acc &= M64
    return s64(acc)


def popcount(v):
    return bin(v).count("1")


def call_indirect(n):
    acc = 0
    for r in range(n):
        x = 777 + r
        for _ in range(1000000):
            x = lcg(x)
            f = (x >> 16) % 6
            if f == 0:
                acc += x
            elif f == 1:
                acc ^= (s32(x) * 5) & M64
            elif f == 2:
                acc = acc * 7 - 1
            elif f == 3:
                acc = rotl64(acc, 64 - (x & 63))
            elif f == 4:
                acc -= x & 0xFFFF
            else:
                acc += popcount(acc)
            acc &= M64
    return s64(acc)


MODELS = {
    "calls": (calls, [1, 2, 5]),
    "memory": (memory, [1, 2]),
    "float": (mandel, [1, 2]),
    "br_table": (br_table, [1, 2]),
    "call_indirect": (call_indirect, [1, 2]),
}

if __name__ == "__main__":
    print("# NAME N run(N), from model.py")
    for name, (f, ns) in MODELS.items():
        for n in ns:
            print(name, n, f(n), flush=True)
