"""Writes a hostile RASP program to stdout: hostile.py KIND N.

chain        x = tokens_int; then N statements x = x + 1;
stored-chain the same chain, then y = x * indices (an MLP reads the chain)
shared-chain N steps y = x + 1; x = x + y; (each map read twice), then an MLP
parens       x = (((...tokens...))); N parentheses deep
index        x = tokens[0][0]...; N indexings
calls        x = f()()...; N calls
selector     s = s and s; N times, then an aggregate of s
dict         a dict of N entries, then a lookup
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
if kind in ("chain", "stored-chain"):
    lines = ["x = tokens_int;"] + ["x = x + 1;"] * n
    if kind == "stored-chain":
        lines.append("y = x * indices;")
elif kind == "shared-chain":
    lines = ["x = tokens_int;"] + ["y = x + 1;", "x = x + y;"] * n + ["z = x * indices;"]
elif kind == "parens":
    lines = ["x = " + "(" * n + "tokens" + ")" * n + ";"]
elif kind == "index":
    lines = ["x = tokens" + "[0]" * n + ";"]
elif kind == "calls":
    lines = ["def f() { return f; }", "x = f" + "()" * n + ";"]
elif kind == "selector":
    lines = ["s = select(indices, indices, ==);"] + ["s = s and s;"] * n
    lines.append("x = aggregate(s, tokens);")
elif kind == "dict":
    lines = ["d = {i: i * 2 for i in range(%d)};" % n, "x = tokens_int + d[%d];" % (n - 1)]
else:
    sys.exit("unknown kind " + kind)
print("\n".join(lines))
