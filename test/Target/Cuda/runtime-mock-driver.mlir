// The CUDA runtime and the C ABI of a GPU library against a stand-in driver
// (MockDriver/mock_libcuda.c: host memory, kernels looked up and counted but
// not run), so that device setup, module loading, launches, copies and every
// error path run without a GPU.
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparqc %s --quiet --target=cuda -o %t/fatbin.so
// RUN: sparqc %s --quiet --target=cuda --cuda-path=none -o %t/ptx.so
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.ones((8, 300), np.float32))"

// A run loads the embedded image once, finds each kernel by name, launches
// them in order and copies the output back.
// RUN: env LD_LIBRARY_PATH=%mock_cuda SPARQ_MOCK_CUDA_TRACE=1 sparq-run %t/fatbin.so --input x=%t/x.npy --output-dir %t/out --bench 2 2>&1 | FileCheck %s --check-prefix=TRACE
// RUN: test -s %t/out/y.npy
// The kernel's handle is looked up once and kept by the runtime for later
// launches (the mock traces every cuModuleGetFunction).
// TRACE: mock-cuda: loaded a fatbin image
// TRACE-NEXT: mock-cuda: get function scale_kernel
// TRACE-NEXT: mock-cuda: launch scale_kernel grid 2x8x1 block 256x1x1
// TRACE-NEXT: mock-cuda: launch scale_kernel grid 2x8x1 block 256x1x1
// TRACE-NEXT: mock-cuda: launch scale_kernel grid 2x8x1 block 256x1x1
// TRACE-NOT: loaded a
// TRACE: latency over 2 runs
// Without ptxas the image is PTX, for the driver to compile.
// RUN: env LD_LIBRARY_PATH=%mock_cuda SPARQ_MOCK_CUDA_TRACE=1 sparq-run %t/ptx.so --input x=%t/x.npy 2>&1 | FileCheck %s --check-prefix=PTX
// PTX: mock-cuda: loaded a PTX image

// A driver without a device, a GPU the code was not compiled for, a failing
// launch: a message through the ABI and a non-zero exit, never a crash.
// RUN: env LD_LIBRARY_PATH=%mock_cuda SPARQ_MOCK_CUDA=no-device not sparq-run %t/fatbin.so --input x=%t/x.npy 2>&1 | FileCheck %s --check-prefix=NODEVICE
// NODEVICE: sparq-run: error: cuda:sm_90a: no CUDA device: the NVIDIA driver is installed but sees no GPU (cuInit: CUDA_ERROR_NO_DEVICE)
// RUN: env LD_LIBRARY_PATH=%mock_cuda SPARQ_MOCK_CUDA=sm_80 not sparq-run %t/fatbin.so --input x=%t/x.npy 2>&1 | FileCheck %s --check-prefix=ARCH
// ARCH: sparq-run: error: cuda:sm_90a: the model was compiled for sm_90a, which Mock GPU sm_80 (compute capability 8.0) cannot run; compile it with --gpu-arch=sm_80
// RUN: env LD_LIBRARY_PATH=%mock_cuda SPARQ_MOCK_CUDA_LAUNCH=fail not sparq-run %t/fatbin.so --input x=%t/x.npy 2>&1 | FileCheck %s --check-prefix=LAUNCH
// LAUNCH: sparq-run: error: run failed: launching a kernel on 2x8x1 blocks of 256x1x1 threads failed: CUDA_ERROR_LAUNCH_FAILED (the mock driver runs no kernels)

func.func @scale(%x: tensor<8x300xf32> {sparq.name = "x"}) -> (tensor<8x300xf32> {sparq.name = "y"}) {
  %e = tensor.empty() : tensor<8x300xf32>
  %two = arith.constant 2.0 : f32
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x300xf32>) outs(%e : tensor<8x300xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } -> tensor<8x300xf32>
  return %y : tensor<8x300xf32>
}
