// REQUIRES: ptxas
// RUN: sparq-opt %s --convert-sparq-to-gpu-kernels="gpu-arch=sm_80 gemv-split-k=false" --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --generate-sparq-gpu-kernels --sparq-gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" -o %t.sm80.mlir
// RUN: %python %S/Inputs/extract_ptx.py %t.sm80.mlir -o %t.sm80.ptx
// RUN: FileCheck %s < %t.sm80.ptx
// RUN: %ptxas -arch=sm_80 -v %t.sm80.ptx -o %t.sm80.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: sparq-opt %s --convert-sparq-to-gpu-kernels="gpu-arch=sm_90a gemv-split-k=false" --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --generate-sparq-gpu-kernels --sparq-gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" -o %t.sm90a.mlir
// RUN: %python %S/Inputs/extract_ptx.py %t.sm90a.mlir -o %t.sm90a.ptx
// RUN: FileCheck %s --check-prefix=SM90A < %t.sm90a.ptx
// RUN: %ptxas -arch=sm_90a -v %t.sm90a.ptx -o %t.sm90a.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// The PTX of the W8A8 (sparq.int_matmul) kernels: int8 weights and
// activations come in with 128-bit non-coherent loads; the GEMV multiplies
// them with dp4a and reduces with butterfly shuffles, the GEMM runs on
// mma.sync m16n8k32 with s8 operands. Integer-to-float conversions happen
// only in the epilogue, once per output. ptxas accepts every kernel for
// sm_80 and sm_90a without spilling. Split-K is off here (the small GEMV
// grids would get it): these are the one-pass kernels; ptx-split-k.mlir
// has the split ones.

// PTXAS-COUNT-4: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

// CHECK: .target sm_80
// SM90A: .target sm_90a
// SM90A-COUNT-4: .entry

// M = 1: 4 rows per warp; two 16-byte chunks per lane and step (64 chunks
// per row): per step 8 weight loads and 2 activation loads, 32 dp4a; 4 x 5
// shuffles; one conversion per output row.
// CHECK-LABEL: .entry __sparq_gpu_gemv_w8a8_m1_n256_k1024_tensor_channel_bias_f32_f32_f32_sm_80(
// CHECK-NOT: ld.global.v4
// CHECK-COUNT-10: ld.global.nc.v4.b32
// CHECK-NOT: ld.global.nc.v4.b32
// CHECK-COUNT-32: dp4a.s32.s32
// CHECK-NOT: dp4a
// CHECK-COUNT-20: shfl.sync.bfly.b32
// CHECK-NOT: local
// CHECK-COUNT-4: cvt.rn.f32.s32
// CHECK-NOT: cvt.rn.f32.s32
// CHECK: ret;
func.func @gemv_w8a8_m1(%x: tensor<1x1024xi8>, %w: tensor<256x1024xi8>,
                        %sa: tensor<1x1xf32>, %sw: tensor<256x1xf32>,
                        %b: tensor<256xf32>) -> tensor<1x256xf32> {
  %y = sparq.int_matmul %x, %w scales(%sa, %sw) bias(%b)
      : (tensor<1x1024xi8>, tensor<256x1024xi8>, tensor<1x1xf32>,
         tensor<256x1xf32>, tensor<256xf32>) -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// M = 8 (the most the GEMV takes by default), per-token scales: per step 2
// weight and 16 activation loads, 64 dp4a; 8 reductions.
// CHECK-LABEL: .entry __sparq_gpu_gemv_w8a8_m8_n256_k1024_token_channel_f32_f32_sm_80(
// CHECK-COUNT-18: ld.global.nc.v4.b32
// CHECK-COUNT-64: dp4a.s32.s32
// CHECK-COUNT-40: shfl.sync.bfly.b32
// CHECK-NOT: local
// CHECK: ret;
func.func @gemv_w8a8_m8(%x: tensor<8x1024xi8>, %w: tensor<256x1024xi8>,
                        %sa: tensor<8x1xf32>, %sw: tensor<256x1xf32>)
    -> tensor<8x256xf32> {
  %y = sparq.int_matmul %x, %w scales(%sa, %sw)
      : (tensor<8x1024xi8>, tensor<256x1024xi8>, tensor<8x1xf32>,
         tensor<256x1xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// GEMM: per K block of 64, 2 activation and 4 weight loads and 2 x 4
// mma.sync m16n8k32 on s8 with s32 accumulators, two K blocks per step
// with every load first; no integer-to-float conversion before the
// epilogue.
// CHECK-LABEL: .entry __sparq_gpu_gemm_w8a8_m128_n256_k1024_token_channel_bias_f32_f32_f32_sm_80(
// CHECK-NOT: cvt.rn.f32
// CHECK-COUNT-12: ld.global.nc.v4.b32
// CHECK-NOT: mma.sync
// CHECK-NOT: ld.global
// CHECK-COUNT-16: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
// CHECK-NOT: mma.sync
// CHECK-NOT: local
// CHECK: cvt.rn.f32.s32
// CHECK: ret;
func.func @gemm_w8a8(%x: tensor<128x1024xi8>, %w: tensor<256x1024xi8>,
                     %sa: tensor<128x1xf32>, %sw: tensor<256x1xf32>,
                     %b: tensor<256xf32>) -> tensor<128x256xf32> {
  %y = sparq.int_matmul %x, %w scales(%sa, %sw) bias(%b)
      : (tensor<128x1024xi8>, tensor<256x1024xi8>, tensor<128x1xf32>,
         tensor<256x1xf32>, tensor<256xf32>) -> tensor<128x256xf32>
  return %y : tensor<128x256xf32>
}

// The i32 result: the accumulators are stored as they are.
// CHECK-LABEL: .entry __sparq_gpu_gemm_w8a8_m64_n256_k1024_i32_sm_80(
// CHECK-COUNT-16: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
// CHECK-NOT: cvt
// CHECK: ret;
func.func @gemm_w8a8_i32(%x: tensor<64x1024xi8>, %w: tensor<256x1024xi8>)
    -> tensor<64x256xi32> {
  %y = sparq.int_matmul %x, %w
      : (tensor<64x1024xi8>, tensor<256x1024xi8>) -> tensor<64x256xi32>
  return %y : tensor<64x256xi32>
}
