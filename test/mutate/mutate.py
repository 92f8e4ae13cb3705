#!/usr/bin/env python3
"""Mutation check of the test suite: plants known-wrong variants in icl's
lowering, rebuilds, and reports which tests catch each one.

    python3 test/mutate/mutate.py [--build DIR] [--set ci|all] [--only NAME ...]
                                  [--whole-suite] [--list]

Each mutation below replaces one exact piece of source (it must occur exactly
once, so a refactoring that moves the code makes the script fail loudly
rather than test nothing) with a wrong variant of the same kind that a
careless change could introduce: GELU by its tanh approximation, an epsilon
off by 10x, a softmax returning zeros, a kernel launched non-causal... For
each, the tools are rebuilt and the tests named with it run; a mutation is
caught when at least one of them fails. The source is restored after each
mutation (also on Ctrl-C) and the tools rebuilt at the end. Exits 1 when a
mutation survives: every mutation listed here must be caught.

`--set ci` (what `.ci/build.sh test` runs) takes the mutations marked ci:
cheap to rebuild (one source file; ccache keeps both variants) and spanning
numerics on the CPU, the GPU launch contract and the reference evaluator.
`--whole-suite` runs every lit test for each mutation instead of its named
ones, to find every test that catches it (slow).

`--noop-passes` (no rebuild; CI runs it) checks the pass tests the other way
round: each test/Passes/<pass>.mlir is run with its pass removed from every
RUN line, as if the pass did nothing, and must then fail.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# name, file, exact old text, new text, tests that must catch it (lit paths
# relative to test/, or "unit:<gtest filter>"), in the CI set.
MUTATIONS = [
    dict(name="gelu-as-tanh", file="dialects/icl/IR/LinalgBuilder.h",
         old="return mul(mul(c(0.5), x), add(c(1.0), math::ErfOp::create(b, l, mul(x, c(M_SQRT1_2)))));",
         new="return mul(mul(c(0.5), x), add(c(1.0), math::TanhOp::create(b, l, mul(c(std::sqrt(2.0 / M_PI)), add(x, mul(c(0.044715), mul(x, mul(x, x))))))));",
         tests=["e2e/activation.mlir"], ci=False),
    dict(name="norm-eps-times-10", file="dialects/icl/IR/IclDecompose.cpp",
         old="arith::AddFOp::create(b, l, var, fconst(b, l, elt, eps)));",
         new="arith::AddFOp::create(b, l, var, fconst(b, l, elt, eps * 10)));",
         tests=["e2e/norms.mlir"], ci=True),
    dict(name="norm-eps-dropped", file="dialects/icl/IR/IclDecompose.cpp",
         old="arith::AddFOp::create(b, l, var, fconst(b, l, elt, eps)));",
         new="arith::AddFOp::create(b, l, var, fconst(b, l, elt, 0.0)));",
         tests=["e2e/norms.mlir"], ci=False),
    dict(name="softmax-zero", file="dialects/icl/IR/IclDecompose.cpp",
         old="Value q = arith::DivFOp::create(b, l, a[0], a[1]);",
         new="Value q = arith::MulFOp::create(b, l, a[0], zero);",
         tests=["e2e/softmax.mlir"], ci=False),
    dict(name="attention-uniform", file="dialects/icl/IR/IclDecompose.cpp",
         old="s = arith::MulFOp::create(b, l, s, fconst(b, l, elt, scale));",
         new="s = arith::MulFOp::create(b, l, s, fconst(b, l, elt, 0.0));",
         tests=["e2e/cuda-attention.mlir", "e2e/attention.mlir"], ci=True),
    dict(name="attention-scale-one", file="dialects/icl/IR/IclDecompose.cpp",
         old="s = arith::MulFOp::create(b, l, s, fconst(b, l, elt, scale));",
         new="s = arith::MulFOp::create(b, l, s, fconst(b, l, elt, 1.0));",
         tests=["e2e/attention.mlir"], ci=False),
    dict(name="attention-window-off-by-one", file="dialects/icl/IR/IclDecompose.cpp",
         old="b, l, arith::CmpIPredicate::slt, dist,",
         new="b, l, arith::CmpIPredicate::sle, dist,",
         tests=["e2e/attention.mlir"], ci=False),
    dict(name="linear-bias-dropped", file="dialects/icl/IR/IclDecompose.cpp",
         old="  if (Value bias = op.getBias())\n    init = e.generic(e.empty(outSizes, acc), {bias}",
         new="  if (Value bias = Value())\n    init = e.generic(e.empty(outSizes, acc), {bias}",
         tests=["e2e/linear.mlir"], ci=False),
    dict(name="online-softmax-no-rescale", file="dialects/icl/IR/IclDecompose.cpp",
         old="                                                           fconst(b, l, elt, 0.0), ex);\n                          });\n  Value m =",
         new="                                                           fconst(b, l, elt, 0.0), fconst(b, l, elt, 1.0));\n                          });\n  Value m =",
         tests=["Passes/tile-attention.mlir"], ci=False),
    dict(name="online-softmax-remainder-dropped", file="dialects/icl/IR/IclDecompose.cpp",
         old="if (getConstantIntValue(rest) != 0)",
         new="if (false && getConstantIntValue(rest) != 0)",
         tests=["Passes/tile-attention.mlir"], ci=False),
    dict(name="split-kv-positions-unshifted", file="dialects/icl/IR/IclTiling.cpp",
         old="positions = {getValueOrCreateConstantIndexOp(b, loc, offsets[kKeys]),",
         new="positions = {getValueOrCreateConstantIndexOp(b, loc, b.getIndexAttr(0)),",
         tests=["Passes/tile-attention.mlir"], ci=False),
    dict(name="split-kv-state-ignored", file="dialects/icl/IR/IclDecompose.cpp",
         old="    state = {convertTo(e, given[0], elt), convertTo(e, given[1], elt), convertTo(e, given[2], elt)};",
         new="    state = emptyState(e, op.getQuery(), op.getValue(), elt);",
         tests=["e2e/scans.mlir"], ci=False),
    dict(name="tiling-causal-keys-whole", file="dialects/icl/IR/IclTiling.cpp",
         old="AffineMap::get(0, 4, {t0 + n + skv - sq, getAffineConstantExpr(0, b.getContext())},",
         new="AffineMap::get(0, 4, {skv, getAffineConstantExpr(0, b.getContext())},",
         tests=["Dialect/icl/tiling.mlir"], ci=False),
    dict(name="tiling-groups-ungrouped", file="dialects/icl/IR/IclTiling.cpp",
         old="off[d] = affine::makeComposedFoldedAffineApply(b, loc, s0.floorDiv(group), {offsets[l]});",
         new="off[d] = affine::makeComposedFoldedAffineApply(b, loc, s0.floorDiv(1), {offsets[l]});",
         tests=["Dialect/icl/tiling.mlir"], ci=False),
    dict(name="cuda-attention-never-causal", file="passes/cuda/CudaAttention.cpp",
         old=": op.getMaskKind() == ir::MaskKind::causal ? 1",
         new=": op.getMaskKind() == ir::MaskKind::causal ? 0",
         tests=["Passes/cuda-attention.mlir"], ci=True),
    dict(name="cuda-attention-unscaled", file="passes/cuda/CudaAttention.cpp",
         old="APFloat(static_cast<float>(scale * M_LOG2E))",
         new="APFloat(static_cast<float>(M_LOG2E))",
         tests=["Passes/cuda-attention.mlir"], ci=False),
    dict(name="raise-attention-drops-scale", file="passes/RaiseFusedOps.cpp",
         old="rewriter.getF64FloatAttr(scale), ir::MaskKindAttr::get(getContext(), kind),",
         new="rewriter.getF64FloatAttr(1.0), ir::MaskKindAttr::get(getContext(), kind),",
         tests=["Passes/raise-fused-ops.mlir"], ci=False),
    dict(name="raise-attention-always-causal", file="passes/RaiseFusedOps.cpp",
         old="rewriter.getF64FloatAttr(scale), ir::MaskKindAttr::get(getContext(), kind),",
         new="rewriter.getF64FloatAttr(scale), ir::MaskKindAttr::get(getContext(), ir::MaskKind::causal),",
         tests=["Passes/raise-fused-ops.mlir"], ci=False),
    dict(name="inline-weights-zeroed", file="passes/InlineWeights.cpp",
         old="ArrayRef<char> bytes(reinterpret_cast<const char *>(converted.bytes.data()),",
         new="std::fill(converted.bytes.begin(), converted.bytes.end(), 0);\n    ArrayRef<char> bytes(reinterpret_cast<const char *>(converted.bytes.data()),",
         tests=["Passes/inline-weights.mlir"], ci=False),
    dict(name="reference-f32-is-f64", file="lib/Reference/Evaluator.cpp",
         old="  if (options.precision == Precision::F32)\n    return evaluateAs<float>",
         new="  if (false)\n    return evaluateAs<float>",
         tests=["unit:EvaluatorTest.Float32AgreesWithFloat64"], ci=True),
]


# test/Passes files whose subject is not the pass of the same name.
PASS_OF_TEST = {
    "buffer-cleanups": ["icl-memref-copy-to-linalg", "icl-unique-return-buffers"],
    "gpu-merge-modules-conflict": ["icl-gpu-merge-modules"],
}


def run_lines(path):
    """The RUN lines of a lit test, continuations joined."""
    lines, current = [], ""
    for line in open(path):
        m = re.match(r"^\s*(?://)?\s*RUN:\s?(.*)$", line.rstrip("\n"))
        if not m:
            continue
        part = m.group(1)
        if part.endswith("\\"):
            current += part[:-1]
            continue
        lines.append(current + part)
        current = ""
    return lines


def noop_passes(build):
    """Names of the test/Passes files that still pass with their pass removed."""
    import tempfile
    # icl's tools first, then FileCheck, not and count from LLVM's.
    llvm_bin = os.path.dirname(lit_path(build)) or "/usr/lib/llvm-22/bin"
    env = dict(os.environ, PATH=f"{os.path.join(build, 'bin')}:{llvm_bin}:{os.environ['PATH']}")
    survivors = []
    test_dir = os.path.join(ROOT, "test", "Passes")
    for name in sorted(os.listdir(test_dir)):
        stem, ext = os.path.splitext(name)
        if ext != ".mlir":
            continue
        passes = PASS_OF_TEST.get(stem, ["icl-" + stem])
        source = os.path.join(test_dir, name)
        def passes_in(tmp, text):
            """Whether every RUN line of `text` (as the test file) succeeds."""
            path = os.path.join(tmp, name)
            open(path, "w").write(text)
            for cmd in run_lines(path):
                cmd = (cmd.replace("%icl_src", ROOT).replace("%s", path)
                       .replace("%S", test_dir).replace("%t", os.path.join(tmp, "t")))
                r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tmp, env=env,
                                   capture_output=True, text=True)
                if r.returncode:
                    return False
            return True

        with tempfile.TemporaryDirectory() as tmp:
            text = open(source).read()
            # The harness must run the test as it is first, or a failure
            # below would prove nothing.
            if not passes_in(tmp, text):
                sys.exit(f"test/Passes/{name} fails as it is under this harness")
            for p in passes:
                # --icl-x, --icl-x=opts, --icl-x="opts", and inside a --pass-pipeline.
                text = re.sub(r'--%s(=("[^"]*"|\S+))?(?=\s)' % re.escape(p), "", text)
                text = re.sub(r'\b%s(\{[^}]*\})?' % re.escape(p), "", text)
            failed = not passes_in(tmp, text)
            print(f"  {'caught' if failed else 'SURVIVED':8} test/Passes/{name} without "
                  f"{', '.join(passes)}", flush=True)
            if not failed:
                survivors.append(name)
    return survivors


def lit_path(build):
    cache = open(os.path.join(build, "CMakeCache.txt")).read()
    m = re.search(r"^LLVM_EXTERNAL_LIT:\w+=(.+)$", cache, re.M)
    return m.group(1) if m else "lit"


def build_tools(build):
    r = subprocess.run(["ninja", "-C", build], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"build failed:\n{r.stdout[-3000:]}{r.stderr[-2000:]}")


def run_tests(build, lit, tests):
    """The tests among `tests` that fail."""
    failed = []
    for t in tests:
        if t.startswith("unit:"):
            cmd = [os.path.join(build, "test", "unit", "icl-unit-tests"),
                   "--gtest_filter=" + t[len("unit:"):]]
        else:
            cmd = [lit, "-q", os.path.join(build, "test", t)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            failed.append(t)
    return failed


def whole_suite(build, lit):
    """The lit tests that fail in the whole suite."""
    r = subprocess.run([lit, "-v", os.path.join(build, "test")], capture_output=True, text=True)
    return re.findall(r"^FAIL: icl :: (\S+)", r.stdout, re.M)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--set", choices=["ci", "all"], default="all")
    parser.add_argument("--only", nargs="*", help="mutations by name")
    parser.add_argument("--whole-suite", action="store_true")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--noop-passes", action="store_true",
                        help="each pass test must fail with its pass removed (no rebuild)")
    args = parser.parse_args()
    if args.noop_passes:
        survivors = noop_passes(args.build)
        total = len([n for n in os.listdir(os.path.join(ROOT, "test", "Passes"))
                     if n.endswith(".mlir")])
        print(f"no-op passes: {total - len(survivors)} passed, {len(survivors)} failed")
        return 1 if survivors else 0

    # A terminated run still restores the source (the finally blocks below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    chosen = [m for m in MUTATIONS if (args.set == "all" or m["ci"])
              and (not args.only or m["name"] in args.only)]
    if args.list:
        for m in MUTATIONS:
            print(f"{m['name']:32} {'ci ' if m['ci'] else '   '} {m['file']:28} "
                  f"{', '.join(m['tests'])}")
        return 0
    if args.only and len(chosen) != len(args.only):
        sys.exit(f"unknown mutation among {args.only}")
    lit = lit_path(args.build)

    # Every mutation must apply to today's source before anything is built.
    for m in chosen:
        text = open(os.path.join(ROOT, m["file"])).read()
        if text.count(m["old"]) != 1:
            sys.exit(f"mutation {m['name']}: its text occurs {text.count(m['old'])} times in "
                     f"{m['file']} (expected once): update test/mutate/mutate.py")

    survived = []
    print(f"mutations: {len(chosen)} ({args.set} set), each rebuilt and tested", flush=True)
    try:
        for m in chosen:
            path = os.path.join(ROOT, m["file"])
            original = open(path).read()
            start = time.time()
            try:
                open(path, "w").write(original.replace(m["old"], m["new"]))
                build_tools(args.build)
                failed = whole_suite(args.build, lit) if args.whole_suite else \
                    run_tests(args.build, lit, m["tests"])
            finally:
                open(path, "w").write(original)
            caught = bool(failed)
            if not caught:
                survived.append(m["name"])
            print(f"  {'caught' if caught else 'SURVIVED':8} {m['name']:32} "
                  f"by {', '.join(failed) if failed else 'no test'} ({time.time() - start:.0f} s)",
                  flush=True)
    finally:
        build_tools(args.build)
    caught = len(chosen) - len(survived)
    print(f"mutation: {caught} passed, {len(survived)} failed")
    if survived:
        print("survived (the suite misses these): " + ", ".join(survived))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
