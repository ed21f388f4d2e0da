// A split-K GEMV through sparqc --target=cuda and the runtime, against the
// stand-in driver (MockDriver/mock_libcuda.c: kernels looked up and
// launched, not run): the launcher zeroes y with its own kernel, then
// launches the GEMV with the 4 splits along grid y, in that order, on
// every run (the GEMV calls __nv_fmaf from libdevice: the toolkit is
// needed).
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparqc %s --quiet --target=cuda --gpu-arch=sm_80 -o %t/model.so
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.ones((1, 4096), np.float32))"
// RUN: env LD_LIBRARY_PATH=%mock_cuda SPARQ_MOCK_CUDA=sm_80 SPARQ_MOCK_CUDA_TRACE=1 sparq-run %t/model.so --input x=%t/x.npy --output-dir %t/out --bench 1 2>&1 | FileCheck %s
// RUN: test -s %t/out/y.npy

// CHECK: mock-cuda: loaded a fatbin image
// CHECK-NEXT: mock-cuda: get function __sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_ks4_sm_80_zero_fill
// CHECK-NEXT: mock-cuda: launch __sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_ks4_sm_80_zero_fill grid 1x1x1 block 256x1x1
// CHECK-NEXT: mock-cuda: get function __sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_ks4_sm_80
// CHECK-NEXT: mock-cuda: launch __sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_ks4_sm_80 grid 8x4x1 block 256x1x1
// CHECK-NEXT: mock-cuda: launch __sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_ks4_sm_80_zero_fill grid 1x1x1 block 256x1x1
// CHECK-NEXT: mock-cuda: launch __sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_ks4_sm_80 grid 8x4x1 block 256x1x1

func.func @gemv(%x: tensor<1x4096xf32> {sparq.name = "x"}) -> (tensor<1x256xf32> {sparq.name = "y"}) {
  %w = arith.constant dense<17> : tensor<256x2048xi8>
  %s = arith.constant dense<0.5> : tensor<256x32xf32>
  %b = arith.constant dense<1.0> : tensor<256xf32>
  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4)
      : (tensor<1x4096xf32>, tensor<256x2048xi8>, tensor<256x32xf32>,
         tensor<256xf32>) -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}
