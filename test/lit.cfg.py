# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "icl"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs", "unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.icl_obj_root, "test")

config.substitutions.append(("%icl_src", config.icl_src_root))
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tools = [
    ToolSubst("icl-opt", unresolved="fatal"),
    ToolSubst("icl-run", unresolved="fatal"),
    ToolSubst("icl-compile", unresolved="fatal"),
    ToolSubst("icl-rasp", unresolved="fatal"),
    ToolSubst("icl-construct", unresolved="fatal"),
    ToolSubst("icl-run-lib", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.icl_tools_dir])

# Which optional tools this machine has: ptxas for PTX checks,
# python3 with numpy for writing .npy fixtures.
import shutil
ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
if os.path.exists(ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# A machine with an NVIDIA driver runs CUDA libraries (cuda-driver); one that
# also has a GPU (cuda-device) runs every e2e function on it as well, checked
# against the reference evaluator (`%if cuda-device` RUN lines). Without one
# those lines are skipped, and lit says so below.
import ctypes
try:
    libcuda = ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
    count = ctypes.c_int(0)
    if libcuda.cuInit(0) == 0 and libcuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
            and count.value > 0:
        config.available_features.add("cuda-device")
except OSError:
    pass
if "cuda-device" not in config.available_features:
    lit_config.note("no NVIDIA GPU here: the --device=cuda checks of test/e2e are skipped "
                    "(docs/testing.md: running them on a GPU machine)")
