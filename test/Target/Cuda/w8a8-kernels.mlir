// sparqc --target=cuda on a W8A8 model: its sparq.int_matmul ops run on the
// generated W8A8 kernels (a dp4a GEMV for 4 rows, an mma.sync m16n8k32 GEMM
// for 16), not on the reference lowering.
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparqc %s --quiet --target=cuda --gpu-arch=sm_80 --emit=mlir -o %t/kernels.mlir
// RUN: FileCheck %s --check-prefix=MLIR < %t/kernels.mlir
// RUN: sparqc %s --quiet --target=cuda --gpu-arch=sm_80 --emit=ptx -o %t/sm80.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t/sm80.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_80 %t/sm80.ptx -o %t/sm80.cubin %}
// With a GPU: the same results as the CPU library.
// RUN: %if cuda %{ sparqc %s --quiet -o %t/cpu/w8a8.so && sparqc %s --quiet --target=cuda -o %t/w8a8.so %}
// RUN: %if cuda %{ %python -c "import numpy as np; r = np.random.default_rng(0); np.save('%t/x.npy', r.standard_normal((4, 64)).astype(np.float32)); np.save('%t/t.npy', r.standard_normal((16, 64)).astype(np.float32))" %}
// RUN: %if cuda %{ sparq-run %t/cpu/w8a8.so --input x=%t/x.npy --input t=%t/t.npy --output-dir %t/cpu %}
// RUN: %if cuda %{ sparq-run %t/w8a8.so --target=cuda --input x=%t/x.npy --input t=%t/t.npy --expect %t/cpu --rtol 1e-5 --atol 1e-5 | FileCheck %s --check-prefix=GPU %}

// MLIR: func.func @w8a8(
// MLIR: call @[[GEMV:__sparq_gpu_gemv_w8a8_m4_n32_k64_tensor_channel_bias_f32_f32_f32_sm_80]](
// MLIR: call @[[GEMM:__sparq_gpu_gemm_w8a8_m16_n32_k64_token_tensor_f32_f32_sm_80]](
// MLIR-NOT: sparq.int_matmul
// MLIR: gpu.func @[[GEMV]]({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// MLIR: nvvm.dot.accumulate.4way
// MLIR: gpu.func @[[GEMM]]({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// MLIR: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 32]}

// PTX: .target sm_80
// PTX-LABEL: .entry __sparq_gpu_gemv_w8a8_m4_n32_k64_tensor_channel_bias_f32_f32_f32_sm_80(
// PTX: ld.global.nc.v4.b32
// PTX: dp4a.s32.s32
// PTX: shfl.sync.bfly.b32
// PTX: ret;
// PTX-LABEL: .entry __sparq_gpu_gemm_w8a8_m16_n32_k64_token_tensor_f32_f32_sm_80(
// PTX: ld.global.nc.v4.b32
// PTX: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
// PTX: ret;

// GPU: output 'y' matches
// GPU: output 'z' matches

func.func @w8a8(%x: tensor<4x64xf32> {sparq.name = "x"}, %t: tensor<16x64xf32> {sparq.name = "t"})
    -> (tensor<4x32xf32> {sparq.name = "y"}, tensor<16x32xf32> {sparq.name = "z"}) {
  %sa = arith.constant dense<0.05> : tensor<1x1xf32>
  %w = arith.constant dense<[[3, -7, 12, -128, 127, 0, 5, -1], [1, 2, 3, 4, 5, 6, 7, 8], [-9, 9, -9, 9, 100, -100, 50, -50], [0, 0, 1, 1, -1, -1, 64, -64]]> : tensor<4x8xi8>
  %wt = tensor.empty() : tensor<32x64xi8>
  %wide = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n mod 4, k mod 8)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<4x8xi8>) outs(%wt : tensor<32x64xi8>) {
  ^bb0(%a: i8, %b: i8):
    linalg.yield %a : i8
  } -> tensor<32x64xi8>
  %sw = arith.constant dense<[[0.01], [0.02], [0.005], [0.03], [0.01], [0.02], [0.005], [0.03], [0.01], [0.02], [0.005], [0.03], [0.01], [0.02], [0.005], [0.03], [0.01], [0.02], [0.005], [0.03], [0.01], [0.02], [0.005], [0.03], [0.01], [0.02], [0.005], [0.03], [0.01], [0.02], [0.005], [0.03]]> : tensor<32x1xf32>
  %b = arith.constant dense<0.5> : tensor<32xf32>
  %xq = sparq.quantize %x, %sa storage(si8) : (tensor<4x64xf32>, tensor<1x1xf32>) -> tensor<4x64xi8>
  %y = sparq.int_matmul %xq, %wide scales(%sa, %sw) bias(%b)
      : (tensor<4x64xi8>, tensor<32x64xi8>, tensor<1x1xf32>, tensor<32x1xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  %st = arith.constant dense<0.04> : tensor<16x1xf32>
  %tq = sparq.quantize %t, %st storage(si8) : (tensor<16x64xf32>, tensor<16x1xf32>) -> tensor<16x64xi8>
  %swt = arith.constant dense<0.02> : tensor<1x1xf32>
  %z = sparq.int_matmul %tq, %wide scales(%st, %swt)
      : (tensor<16x64xi8>, tensor<32x64xi8>, tensor<16x1xf32>, tensor<1x1xf32>) -> tensor<16x32xf32>
  return %y, %z : tensor<4x32xf32>, tensor<16x32xf32>
}
