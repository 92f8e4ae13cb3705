#!/usr/bin/env bash
# Workloads C1-C4 of design/BENCHMARKS.md, icl and ONNX Runtime in one run:
#   bash bench/cpu/run.sh [BUILD_DIR] [WORK_DIR]
# Installs the peers when missing (Debian python3-torch/python3-onnx; npm
# onnxruntime-node 1.30.0 with --ignore-scripts into WORK_DIR).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build}"
work="${2:-/tmp/icl-bench-cpu}"
threads=2
runs=5
mkdir -p "$work"

if ! /usr/bin/python3 -c "import torch, onnx" 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch python3-onnx >&2
fi
if [[ ! -d "$work/node_modules/onnxruntime-node" ]]; then
  (cd "$work" && npm init -y >/dev/null && npm install onnxruntime-node@1.30.0 --ignore-scripts >&2)
fi

echo "== C1: GPT-2-style decoder, vocab 512, d 256, 8 heads, 6 layers, causal, B8 T256, fp32" >&2
/usr/bin/python3 "$root/bench/cpu/gpt.py" "$work"

echo "== C4: compile time of C1 (icl-compile to a model library)" >&2
start=$(date +%s.%N)
"$build/bin/icl-compile" "$work/gpt.mlir" -o "$work/libgpt.so"
end=$(date +%s.%N)
echo "icl-compile: $(echo "$end - $start" | bc) s"

echo "== correctness: icl library vs PyTorch on the same ids" >&2
"$build/bin/icl-run" "$work/libgpt.so" --input "$work/ids.npy" --output "$work/icl_logits.npy"
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
a, b = np.load(w + "/icl_logits.npy"), np.load(w + "/torch_logits.npy")
err = np.abs(a - b).max() / max(1.0, np.abs(b).max())
print("icl vs PyTorch: max abs error %.3g (relative to max |logit| %.3g)" % (np.abs(a - b).max(), np.abs(b).max()))
sys.exit(0 if err < 1e-4 else 1)
PY

echo "== timing, $threads threads for ONNX Runtime, median of $runs after a warm-up" >&2
"$build/bin/icl-run" "$work/libgpt.so" --input "$work/ids.npy" --benchmark "$runs" | grep benchmark | sed 's/^/icl /'
ORT_NODE="$work/node_modules/onnxruntime-node" node "$root/bench/cpu/ort.js" "$work/gpt.onnx" "$threads" "$runs" "$work/ids.npy"

echo "== C1 without fusion (icl-fuse-elementwise and icl-tile-and-fuse off), same ids" >&2
"$build/bin/icl-compile" "$work/gpt.mlir" -o "$work/libgpt_nofusion.so" --x86-options="fusion=false"
"$build/bin/icl-run" "$work/libgpt_nofusion.so" --input "$work/ids.npy" --benchmark "$runs" | grep benchmark | sed 's/^/icl, no fusion /'

echo "== C2: attention alone, B1 H8 S2048 D64, fp32" >&2
/usr/bin/python3 "$root/bench/cpu/attention.py" "$work/c2"
"$build/bin/icl-compile" "$work/c2/attention.mlir" -o "$work/c2/libattention.so"
c2in=("$work/c2/q.npy" "$work/c2/k.npy" "$work/c2/v.npy")
"$build/bin/icl-run" "$work/c2/libattention.so" --input "${c2in[0]}" --input "${c2in[1]}" \
  --input "${c2in[2]}" --output "$work/c2/icl_out.npy" --benchmark "$runs" | grep benchmark | sed 's/^/icl /'
/usr/bin/python3 -c "import numpy as np, sys; a=np.load('$work/c2/icl_out.npy'); b=np.load('$work/c2/torch_out.npy'); d=np.abs(a-b).max(); print('icl vs PyTorch: max abs error %.3g' % d); sys.exit(int(d > 1e-4))"
ORT_NODE="$work/node_modules/onnxruntime-node" node "$root/bench/cpu/ort.js" "$work/c2/attention.onnx" "$threads" "$runs" "${c2in[@]}"

echo "== C3: Mamba-1 block, d_model 512 (d_inner 1024, d_state 16, d_conv 4, dt_rank 32), B1 L2048, fp32" >&2
ORT_NODE="$work/node_modules/onnxruntime-node" /usr/bin/python3 "$root/bench/cpu/mamba.py" "$work/c3"
"$build/bin/icl-compile" "$work/c3/mamba.mlir" -o "$work/c3/libmamba.so"
"$build/bin/icl-run" "$work/c3/libmamba.so" --input "$work/c3/x.npy" --output "$work/c3/icl_out.npy"
# The block's residual branch is small next to x (its largest |out - x| is about 0.24), so the
# error is also stated relative to the branch's largest value.
/usr/bin/python3 - "$work/c3" <<'PY'
import sys, numpy as np
w = sys.argv[1]
a, b, x = (np.load(w + f) for f in ("/icl_out.npy", "/torch_out.npy", "/x.npy"))
d, branch = np.abs(a - b).max(), np.abs(b - x).max()
print("icl vs PyTorch: max abs error %.3g (%.3g of the largest |out - x|, %.3g)" % (d, d / branch, branch))
sys.exit(0 if d < 1e-5 else 1)
PY
"$build/bin/icl-run" "$work/c3/libmamba.so" --input "$work/c3/x.npy" --benchmark "$runs" | grep benchmark | sed 's/^/icl /'
ORT_NODE="$work/node_modules/onnxruntime-node" node "$root/bench/cpu/ort.js" "$work/c3/mamba.onnx" "$threads" "$runs" "$work/c3/x.npy"
