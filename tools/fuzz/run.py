#!/usr/bin/env python3
"""Runs icl's libFuzzer targets (tools/fuzz/README.md) for a fixed time each.

    python3 tools/fuzz/run.py --build build-san [--seconds 30] [--jobs 2] [TARGET ...]

Each target starts from a corpus seeded with the inputs of its kind found in
test/ and examples/ (kept in BUILD/fuzz/corpus/TARGET, so later runs go on
from what earlier ones found). A crash, a leak, a sanitizer report, an input
slower than --timeout seconds or one that needs more than --rss-mb of memory
is a finding: the input is saved in BUILD/fuzz/findings/TARGET, the end of
the target's log is printed, and the exit status is 1.
"""

import argparse
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Target -> the seed files (globs relative to the source root).
SEEDS = {
    "fuzz-npy": ["test/**/*.npy", "examples/**/*.npy"],
    "fuzz-safetensors": ["test/**/*.safetensors"],
    "fuzz-hf": ["test/Frontends/hf/Inputs/*/config.json",
                "test/Frontends/hf/Inputs/*/*.index.json"],
    "fuzz-onnx": ["test/**/*.onnx"],
    "fuzz-rasp": ["examples/rasp/*.rasp", "test/**/*.rasp"],
    "fuzz-mlir": ["test/**/*.mlir", "examples/**/*.mlir"],
}


def seed(corpus, patterns):
    os.makedirs(corpus, exist_ok=True)
    for pattern in patterns:
        for i, path in enumerate(sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True))):
            if os.path.getsize(path) <= (1 << 20):
                name = os.path.relpath(path, ROOT).replace(os.sep, "_")
                shutil.copyfile(path, os.path.join(corpus, "seed_" + name))


def fuzz(args, target):
    binary = os.path.join(args.build, "bin", target)
    if not os.path.exists(binary):
        return target, False, f"{binary} is missing: configure with -DICL_FUZZ=ON and build icl-fuzzers"
    work = os.path.join(args.build, "fuzz")
    corpus = os.path.join(work, "corpus", target)
    findings = os.path.join(work, "findings", target)
    seed(corpus, SEEDS[target])
    os.makedirs(findings, exist_ok=True)
    log = os.path.join(work, target + ".log")
    cmd = [binary, corpus, f"-max_total_time={args.seconds}", f"-timeout={args.timeout}",
           f"-rss_limit_mb={args.rss_mb}", "-max_len=1048576", "-print_final_stats=1",
           f"-artifact_prefix={findings}/", "-close_fd_mask=3"]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    with open(log, "w") as out:
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                            cwd=work).returncode
    text = open(log, errors="replace").read()
    runs = [l for l in text.splitlines() if l.startswith("stat::number_of_executed_units")]
    summary = f"{target}: {runs[-1].split(':')[-1].strip() if runs else '?'} inputs in {args.seconds} s"
    if rc != 0:
        tail = "\n".join(text.splitlines()[-40:])
        return target, False, f"{summary}: FINDING (exit {rc}), see {log}\n{tail}"
    return target, True, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", help=f"default: all ({', '.join(SEEDS)})")
    parser.add_argument("--build", required=True, help="a build folder configured with -DICL_FUZZ=ON")
    parser.add_argument("--seconds", type=int, default=30, help="fuzzing time per target")
    parser.add_argument("--timeout", type=int, default=60, help="seconds one input may take")
    parser.add_argument("--rss-mb", type=int, default=4096, help="memory one target may use")
    parser.add_argument("--jobs", type=int, default=2, help="targets run at once")
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    targets = args.targets or list(SEEDS)
    unknown = [t for t in targets if t not in SEEDS]
    if unknown:
        parser.error(f"unknown target {unknown[0]}: choose from {', '.join(SEEDS)}")
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for target, ok, message in pool.map(lambda t: fuzz(args, t), targets):
            print(message, flush=True)
            failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
