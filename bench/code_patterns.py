#!/usr/bin/env python3
"""Counts code-quality patterns in `kiln-bench disas --func all` listings, to compare Kiln's
machine code with Cranelift's. Usage: code_patterns.py LISTING...   (one column per file)
"""
import re
import sys

REG = r"[re]?[a-z0-9]+[dwb]?"
PATTERNS = [
    "instructions",
    "reg-reg mov",
    "same-reg mov (zero-extend)",
    "stack loads",
    "stack stores",
    "shift/rotate by constant via cl",
    "setcc+movzx+test+jcc",
    "shlx/shrx/sarx by constant in a register",
    "jmp over a jmp (jcc to a jump block)",
    "jmp to next instruction",
    "jmp to a jmp",
    "lea",
    "bmi2 rorx/shlx/shrx/andn",
]


def count(path):
    lines = []
    for l in open(path):
        l = l.rstrip("\n")
        if not l or l.startswith(";"):
            lines.append(None)
            continue
        off, _, text = l.strip().partition("  ")
        lines.append((int(off, 16), text.strip()))
    c = dict.fromkeys(PATTERNS, 0)
    # per function: offset -> text, for jump targets
    func_insts = []
    cur = {}
    for x in lines:
        if x is None:
            if cur:
                func_insts.append(cur)
            cur = {}
        else:
            cur[x[0]] = x[1]
    if cur:
        func_insts.append(cur)
    for f in func_insts:
        offs = sorted(f)
        for i, o in enumerate(offs):
            t = f[o]
            op, _, args = t.partition(" ")
            args = args.strip()
            c["instructions"] += 1
            if op == "mov" and re.fullmatch(rf"{REG},{REG}", args):
                c["reg-reg mov"] += 1
                a, b = args.split(",")
                if a == b:
                    c["same-reg mov (zero-extend)"] += 1
            if op == "mov" and re.search(r",.*\[(rsp|rbp)", args):
                c["stack loads"] += 1
            if op == "mov" and re.match(r"(\w+ ptr )?\[(rsp|rbp)", args):
                c["stack stores"] += 1
            if op in ("lea",):
                c["lea"] += 1
            if op in ("rorx", "shlx", "shrx", "sarx", "andn"):
                c["bmi2 rorx/shlx/shrx/andn"] += 1
            if op in ("shl", "shr", "sar", "rol", "ror") and args.endswith(",cl"):
                # was cl loaded with a constant just before?
                for j in range(max(0, i - 3), i):
                    pt = f[offs[j]]
                    if re.fullmatch(r"mov (ecx|rcx),[0-9A-F]+h?", pt):
                        c["shift/rotate by constant via cl"] += 1
                        break
            if op in ("shlx", "shrx", "sarx"):
                cnt = args.split(",")[-1]
                for j in range(max(0, i - 3), i):
                    pt = f[offs[j]]
                    if re.fullmatch(rf"mov {cnt},[0-9A-F]+h?", pt):
                        c["shlx/shrx/sarx by constant in a register"] += 1
                        break
            if op == "jmp" and i + 2 < len(offs):
                m = re.search(r"([0-9A-F]+)h$", args)
                nxt = f[offs[i + 1]]
                if m and nxt.startswith("jmp") and int(m.group(1), 16) == offs[i + 2]:
                    c["jmp over a jmp (jcc to a jump block)"] += 1
            if op.startswith("set") and i + 3 < len(offs):
                n1, n2, n3 = (f[offs[i + k]].split(" ")[0] for k in (1, 2, 3))
                if n1 == "movzx" and n2 == "test" and n3.startswith("j"):
                    c["setcc+movzx+test+jcc"] += 1
            if op == "jmp":
                m = re.search(r"([0-9A-F]+)h$", args)
                if m:
                    tgt = int(m.group(1), 16)
                    if i + 1 < len(offs) and tgt == offs[i + 1]:
                        c["jmp to next instruction"] += 1
                    if tgt in f and f[tgt].startswith("jmp"):
                        c["jmp to a jmp"] += 1
    return c


if __name__ == "__main__":
    cols = [count(p) for p in sys.argv[1:]]
    print("| pattern | " + " | ".join(sys.argv[1:]) + " |")
    print("|---|" + "---:|" * len(cols))
    for p in PATTERNS:
        print(f"| {p} | " + " | ".join(str(c[p]) for c in cols) + " |")
