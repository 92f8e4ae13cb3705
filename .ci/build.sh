#!/usr/bin/env bash
# Installs what is missing, builds icl, and runs either the main job or every
# test. Usage:
#   bash .ci/build.sh demo   # install, build, run the example model
#   bash .ci/build.sh test   # install, build, run all tests (lit + GoogleTest)
set -euo pipefail

mode="${1:-demo}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ICL_BUILD_DIR:-$root/build}"

packages=(cmake ninja-build ccache g++ python3
          llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libgtest-dev)
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
    ninja -C "$build" icl-opt icl-run
    echo "== icl: the example GPT-style model (examples/models/tiny_gpt.mlir) on the reference evaluator" >&2
    "$build/bin/icl-run" --reference "$root/examples/models/tiny_gpt.mlir" --random-inputs 0
    ;;
  test)
    ninja -C "$build"
    cd "$build" && ctest --output-on-failure -j2
    ;;
  *)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
