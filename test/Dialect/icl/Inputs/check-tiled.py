"""Runs FUNCTION of the untiled module with the reference evaluator on
seeded random inputs, then the tiled module compiled to native code on the
same inputs, which must match within the default bound of `--expect`.

    check-tiled.py ICL_RUN UNTILED TILED TMP FUNCTION N_INPUTS N_RESULTS
"""
import subprocess
import sys

icl_run, untiled, tiled, tmp, function, n_in, n_out = sys.argv[1:]
inputs = [f"{tmp}.{function}.in{i}.npy" for i in range(int(n_in))]
refs = [f"{tmp}.{function}.ref{i}.npy" for i in range(int(n_out))]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    if r.returncode:
        sys.exit(f"check-tiled.py: {' '.join(cmd)} exited {r.returncode}")


run([icl_run, "--reference", untiled, "--function", function, "--random-inputs", "7"]
    + [a for p in inputs for a in ("--write-inputs", p)]
    + [a for p in refs for a in ("--output", p)])
run([icl_run, tiled, "--function", function]
    + [a for p in inputs for a in ("--input", p)]
    + [a for p in refs for a in ("--expect", p)])
