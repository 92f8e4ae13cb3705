#!/bin/sh
# In-context-learning constructions with icl-construct (docs/constructions.md).
# Run from the repository root after building (the tools are in build/bin):
#
#   sh examples/constructions/commands.sh
#
# Every command below is one a user would type; the outputs go to a scratch
# folder.
set -e
PATH="$(pwd)/build/bin:$PATH"
out="${TMPDIR:-/tmp}/icl-constructions"
mkdir -p "$out"
here=examples/constructions

# Six steps of gradient descent on y = x·w from 32 examples of x in R^4, as
# six linear self-attention layers; --report describes them on stderr.
icl-construct gd --dim 4 --examples 32 --steps 6 --lr 0.5 --report -o "$out/gd.mlir"

# Run the model natively on random prompts, checked against the reference
# evaluator (float64).
icl-run "$out/gd.mlir" --random-inputs 0 --check

# Verify it: 256 seeded regression tasks in one batch, every step against the
# closed-form GD iterate (and least squares); "ok": true, exit 0.
icl-construct verify gd --dim 4 --examples 32 --steps 6 --lr 0.5 --csv "$out/gd.csv"

# Preconditioned GD: Γ from a .npy file (float32 or float64, d x d). The
# examples' preconditioners are written by icl-run from preconditioners.mlir.
icl-run $here/preconditioners.mlir --reference \
    --output "$out/gamma-diag4.npy" --output "$out/gamma-skew3.npy" > /dev/null
cmp "$out/gamma-diag4.npy" $here/gamma-diag4.npy
cmp "$out/gamma-skew3.npy" $here/gamma-skew3.npy
icl-construct verify pgd --dim 4 --examples 32 --steps 8 --lr 0.5 \
    --preconditioner $here/gamma-diag4.npy --noise 0.1
icl-construct verify pgd --dim 3 --examples 16 --steps 4 --lr 0.3 \
    --preconditioner $here/gamma-skew3.npy

# Ridge-regularised GD: the stream carries (x, y, p) and each step shrinks p.
icl-construct verify ridge --dim 4 --examples 32 --steps 8 --lr 0.5 --lambda 0.1 --noise 0.1

# Newton's iteration for least squares: an init layer, one layer per step and a
# readout head; it reaches least squares to float32 precision in 12 steps.
icl-construct newton --dim 4 --examples 32 --steps 12 --report -o "$out/newton.mlir"
icl-construct verify newton --dim 4 --examples 32 --steps 12 --noise 0.1 --csv "$out/newton.csv"

# Looped: one block with tied weights, K given at run time (argument 1,
# tensor<i64>); result 1 holds the prediction after each step (--max-steps
# rows, zero from K on). verify runs K = 0..8.
icl-construct gd --dim 4 --examples 32 --lr 0.5 --batch 64 --looped --readout-every-layer --max-steps 8 \
    -o "$out/gd-looped.mlir"
icl-construct verify "$out/gd-looped.mlir" --tasks 64
# Run it for K = 5 (a literal input) on random prompts, checked against the
# reference evaluator.
icl-run "$out/gd-looped.mlir" --random-inputs 0 --write-inputs "$out/prompt.npy" \
    --write-inputs "$out/k.npy" > /dev/null
icl-run "$out/gd-looped.mlir" --input "$out/prompt.npy" --input i64=5 --check
icl-construct verify newton --dim 4 --examples 32 --steps 12 --looped --tasks 64

# The deliberately wrong construction (the query among the keys and values)
# is caught from the second step on: "ok": false, exit 1.
if icl-construct verify gd --dim 4 --examples 32 --steps 3 --include-query-in-keys; then
  echo "the wrong construction passed verify" >&2
  exit 1
fi
