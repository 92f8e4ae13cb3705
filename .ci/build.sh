#!/usr/bin/env bash
# Installs what is missing, builds icl, and runs either the main job or every
# test. Usage:
#   bash .ci/build.sh demo   # install, build, run the example model
#   bash .ci/build.sh test   # install, build, run all tests (lit + GoogleTest), then
#                            # again built with ASan/UBSan, and the fuzz targets
set -euo pipefail

mode="${1:-demo}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ICL_BUILD_DIR:-$root/build}"
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere
# (CI's) reuses what this machine compiled before.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
# The sanitizer build has line tables (-g), for which ccache would also key on
# the build folder.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

packages=(cmake ninja-build ccache g++ python3
          llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libgtest-dev libomp-22-dev
          libonnx-dev libonnx-testdata libprotobuf-dev)
# The sanitizer build and the fuzz targets of the test command (clang, libFuzzer).
[[ "$mode" == test ]] && packages+=(clang-22 libclang-rt-22-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "icl: installing ${missing[*]}" >&2
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${missing[@]}"
fi

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi

case "$mode" in
  demo)
    ninja -C "$build" icl-opt icl-run icl-compile icl-rasp icl_runtime
    rasp="$root/examples/rasp/sort.rasp"
    input="dbeca"
    echo "== icl: the RASP program $rasp (s-op 'sorted') compiled into a transformer" >&2
    "$build/bin/icl-rasp" compile "$rasp" --sop sorted --vocab abcde --max-len 8 --report \
      -o "$build/sort.mlir"
    echo "== its native code on \"$input\", next to the RASP interpreter" >&2
    echo "transformer: $("$build/bin/icl-rasp" run "$rasp" --sop sorted --vocab abcde --max-len 8 --input "$input")"
    echo "interpreter: $("$build/bin/icl-rasp" eval "$rasp" --sop sorted --input "$input")"

    model="$root/examples/models/tiny_gpt.mlir"
    out="$build/demo"
    mkdir -p "$out"
    echo "== a GPT-style model ($model) compiled to a model library ($out/libtiny_gpt.so + .h)" >&2
    "$build/bin/icl-compile" "$model" -o "$out/libtiny_gpt.so"
    echo "== the library through the runtime, checked against the reference evaluator" >&2
    "$build/bin/icl-run" "$out/libtiny_gpt.so" --random-inputs 0 --check --reference-module "$model"
    echo "== the plain C example linked against it (examples/c/run_tiny_gpt.c)" >&2
    cc "$root/examples/c/run_tiny_gpt.c" -I"$out" -L"$out" -ltiny_gpt -Wl,-rpath,"$out" -lm \
      -o "$out/run_tiny_gpt"
    "$out/run_tiny_gpt" 1 2 3 4 5 6 7 8 | grep "next token" | tr '\n' ' '
    echo
    echo "== the same model for NVIDIA GPUs ($out/libtiny_gpt_cuda.so: host code + PTX, sm_90)" >&2
    "$build/bin/icl-compile" "$model" --target=cuda -o "$out/libtiny_gpt_cuda.so"
    if ! "$build/bin/icl-run" "$out/libtiny_gpt_cuda.so" --device=cuda --random-inputs 0 --check \
        --reference-module "$model" 2> "$out/cuda.log"; then
      echo "(not run here: $(cat "$out/cuda.log"))"
    fi
    ;;
  test)
    python3 "$root/.ci/check-layers.py"
    ninja -C "$build"
    # The suite must catch wrong code: each pass test fails without its pass,
    # and a set of planted wrong lowerings is caught (docs/testing.md).
    python3 "$root/test/mutate/mutate.py" --build "$build" --noop-passes
    python3 "$root/test/mutate/mutate.py" --build "$build" --set ci
    (cd "$build" && ctest --output-on-failure -j2)
    # The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer
    # (clang), and a short run of every fuzz target (tools/fuzz/README.md).
    san="${ICL_SANITIZE_BUILD_DIR:-$root/build-san}"
    if [[ ! -f "$san/build.ninja" ]]; then
      cmake -G Ninja -S "$root" -B "$san" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 -DICL_FUZZ=ON
    fi
    ninja -C "$san"
    (cd "$san" && ctest --output-on-failure -j2)
    ;;
  *)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
