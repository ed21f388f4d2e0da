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
         "mlir-runner", "llvm-nm", "sparq-example-run-model"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Debian's interpreter has onnx and numpy; test models are generated at test
# time by scripts that import sparq's Python package.
config.substitutions.append(("%python", "/usr/bin/python3"))
llvm_config.with_environment(
    "PYTHONPATH", os.path.join(config.sparq_src_root, "python"),
    append_path=True)

# `ptxas`: the CUDA toolkit is installed (kernels compile to cubins, PTX can
# be checked by ptxas). `cuda`: a GPU is usable (nvidia-smi lists one), so
# GPU libraries can run. Neither is needed to build sparq.
import shutil
import subprocess

def find_cuda_toolkit():
    for root in [os.environ.get(v) for v in ("CUDA_HOME", "CUDA_PATH",
                                             "CUDA_ROOT")] + ["/usr/local/cuda"]:
        if root and os.access(os.path.join(root, "bin", "ptxas"), os.X_OK):
            return root
    ptxas = shutil.which("ptxas")
    return os.path.dirname(os.path.dirname(ptxas)) if ptxas else None

cuda_toolkit = find_cuda_toolkit()
if cuda_toolkit:
    config.available_features.add("ptxas")
    config.substitutions.append(
        ("%ptxas", os.path.join(cuda_toolkit, "bin", "ptxas")))
    config.substitutions.append(("%cuda_toolkit", cuda_toolkit))

def gpu_is_usable():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        listing = subprocess.run([smi, "-L"], capture_output=True, text=True,
                                 timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return listing.returncode == 0 and "GPU" in listing.stdout

if gpu_is_usable():
    config.available_features.add("cuda")

# MLIR's runner libraries (printMemrefF32) for tests that execute IR.
config.substitutions.append(
    ("%mlir_runner_utils",
     ",".join(os.path.join(config.llvm_tools_dir, "..", "lib", name)
              for name in ("libmlir_c_runner_utils.so",
                           "libmlir_runner_utils.so"))))

# A stand-in driver (test/Target/Cuda/MockDriver) for the runtime's tests:
# env LD_LIBRARY_PATH=%mock_cuda sparq-run gpu-model.so ...
config.substitutions.append(
    ("%mock_cuda", os.path.join(config.sparq_obj_root, "test", "mock-cuda")))
