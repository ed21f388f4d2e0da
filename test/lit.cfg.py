# -*- Python -*-
# lit configuration for sparq's regression tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "sparq"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sparq_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.sparq_tools_dir, config.llvm_tools_dir]
tools = ["sparq-opt", "sparq-import-onnx", "sparqc", "sparq-run", "mlir-opt",
         "llvm-nm", "sparq-example-run-model"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Debian's interpreter has onnx and numpy; test models are generated at test
# time by scripts that import sparq's Python package.
config.substitutions.append(("%python", "/usr/bin/python3"))
llvm_config.with_environment(
    "PYTHONPATH", os.path.join(config.sparq_src_root, "python"),
    append_path=True)

# `ptxas`: the CUDA toolkit is installed, so generated PTX can be checked
# with ptxas (%ptxas, %cuda_toolkit). `cuda`: a GPU is usable (nvidia-smi
# lists one), so GPU numerics tests can run.
import shutil
import subprocess

cuda_toolkit = os.environ.get("CUDA_HOME", "/usr/local/cuda")
if os.access(os.path.join(cuda_toolkit, "bin", "ptxas"), os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(
        ("%ptxas", os.path.join(cuda_toolkit, "bin", "ptxas")))
    config.substitutions.append(("%cuda_toolkit", cuda_toolkit))

smi = shutil.which("nvidia-smi")
if smi:
    try:
        listing = subprocess.run([smi, "-L"], capture_output=True, text=True,
                                 timeout=30)
        if listing.returncode == 0 and "GPU" in listing.stdout:
            config.available_features.add("cuda")
    except (OSError, subprocess.TimeoutExpired):
        pass
