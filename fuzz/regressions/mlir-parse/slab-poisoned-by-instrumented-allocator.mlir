// REQUIRES: ptxas
// RUN: sparq-opt %s --convert-speck-prefix=PTXAS
// RUN: sparq-opt %s --convert-sparq-to-gpu-kernels=gpu-arch=sm_90a --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --generate-sparq-gpu-kernels --sparq-gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" -o %t.sm90a.mlir
// RUN: %python %S/Inputs/extract_ptx.py %t.sm90a.mlir -o %t.sm90a.ptx
// RUN: FileCheck %s --check-prefix=SM90A < %t.sm90a.ptx
// RUN: %ptxas -arch=sm_90a -v %t.sm90a.ptx -o %t.sm90a.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// The PTX of each kernel family: packed weights (and activations) come in
// with 128-bit non-coherent loads, GEMV rows are reduced with butterfly
// shuffles, codebooks are looked up with index shuffles, and the GEMM runs
// on mma.sync. ptxas accepts every kernel for sm_80 and sm_90a without
// spilling registers to local memory.

// Each of the 8 kernels: no stack frame, no spills.
// PTXAS-COUNT-8: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loadsdex shuffles, and the GEMM runs
// on mma.sync. ptxas accepts every kernel for sm_80 and sm_90a without
// spilling registers to local memory.

// Each of the 8 kernels: no stack frame, no spills.
// PTXAS-COUNT-8: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

// Uniform weights become floats through the mantissa of 2^23, never through
// integer-to-float conversions (quarter rate).
// NOCVT-LABEL: .entry __sparq_gpu_gemv_s4_g128_m1_n256_k1024_bias_f32_f32_sm_80(
// NOCVT-NOT: cvt.rn.f32
// NOCVT: ret;
// NOCVT-LABEL: .entry __sparq_gpu_gCHECK: ex2.approx
// CHECK: ret;
func.func @gemv_int8_silu(%x: tensor<1x1024xf32>, %w: tensor<256x1024xi8>,
                          %s: tensor<256x1xf32>, %r: tensor<1x256xf32>)
    -> tensor<1x256xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si8) activation(silu) residual(%r)
      : (tensor<1x1024xf32>, tensor<256x1024xi8>, tensor<256x1xf32>,
         tensor<1x256xf32>) -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// 3-bit codes: 48-byte chunks : shfl.sync.idx.b32
// CHECK-COUNT-20: shfl.sync.bfly.b32
// CHECK-NOT: local
// CHECK: ret;
func.func @gemv_lut3_csr(%x: tensor<1x1024xf32>, %idx: tensor<256x384xi8>,
                         %cb: tensor<256x8xf32>, %rp: tensor<257xi32>,
                         %ci: tensor<1180xi32>, %v: tensor<1180xf32>)
    -> tensor<1x256xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb outliers(%rp, %ci, %v) bits(3)
      : (tensor<1x1024xf32>, tensor<256x384xi8>, tensor<256x8xf32>,
         tensor<257xi32>, tensor<1180xi32>, tensor<1180xf32>)
      -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// M = 2: 2 rows per warp.
// CHECK-LABEL: .entry __sparq_gpu_gemv_lut4_m2_n256_k1024_f16_sm_80(
// CHECK: ld.global.nc.v4.b32
// CHECK-COUNT-64: shfl.sync.idx.b32
// CHECK-COUNT-20: shfl.sync.bfly.b32
// CHECK: ret;
func.func @gemv_lut4(%x: tensor<2x1024xf32>, %idx: tensor<256x512xi8>,
                     %cb: tensor<256x16xf16>) -> tensor<2x256xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb bits(4)
      : (tensor<2x1024xf32>, tensor<256x512xi8>, tensor<256x16xf16>)
      -> tensor<2x256xf32>
  return %y : tensor<2x256xf32>
}

// GEMM: per K block of 128, four weight chunks (one per 8-column tile),
// and 8 steps of two activation loads (rows g and g + 8) and 4 mma.sync.
// CHECK-LABEL: .entry __sparq_gpu_gemm_s4_g128_m64_n256_k1024_f32_sm_80(
// CHECK: ld.global.nc.v4.b32
// CHECK
// CHECK: ret;
func.func @gemv_int8_silu(%x: tensor<1x1024xf32>, %w: tensor<256x1024xi8>,
                          %s: tensor<256x1xf32>, %r: tensor<1x256xf32>)
    -> tensor<1x256xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si8) activation(silu) residual(%r)
      : (tensor<1x1024xf32>, tensor<256x1024xi8>, tensor<256x1xf32>,
         tensor<1x256xf32>) -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// 3-bit codes: 48-byte chunks : shfl.sync.idx.b32
// CHECK-COUNT-20: shfl.sync.bfly.b32
// CHECK-NOT: local
// CHECK: ret;
func.func @gemv_lut3_csr(%x: tensor<1x1024xf32>, %idx: tensor<256x384xi8>,
                         %cb: tensor<256x8xf32>, %rp: tensor<257xi32>,
                         %ci: tensor<1180xi32>, %v: tensor<1180xf32>)
    -> tensor<1x256xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb outliers(%rp, %ci, %v) bits(3)
      : (tensor<1x1024xf32>, tensor<256x384xi8>, tensor<256x8xf32>,
         tensor<257xi32>, tensor<1180xi32>, tensor<1180xf32>)
      -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// M = 2: 2 rows per warp.
// CHECK-LABEL: .entry __sparq_gpu_gemv_lut4_m2_n256_k1024_f16_sm_80(
// CHECK: ld.global.nc.v4.b32
// CHECK-COUNT-64: shfl.sync.idx.b32
// CHECK-COUNT-20: shfl.sync.bfly.b32
// CHECK: ret;
func.func @gemv_lut4(%x: tensor<2x1024xf32>, %idx: tensor<256x512xi8>,
                     %cb: tensor<256x16xf16>) -> tensor<2x256xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb bits(4)
      : (tensor<2x1024xf32>, tensor<256x512xi8>, tensor<256x16xf16>)
      -> tensor<2x256xf32>
  return %y : tensor<2x256xf32>
}

// GEMM: per K block of 128, four weight chunks (one per 8-column 

func.func @observe_stats_per_tensor(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{stats cover 2 channels, expected 1 (per-tensor observer)}}
  %0 = sparq.observe %x name("x")
      {stats = #sparq.stats<samples = 1, min = [0.0, 0.0], max = [1.0, 1.0], absmax = [1.0, 1.0]>}
      : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

8>,
                     %s: tensor<256x8xf32>) -> tensor<64x256xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si4)
      : (tensor<64x1024xf32>, tensor<256x512xi8>, tensor<256x8xf32>)
      -> tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}

// CHECK-LABEL: .entry __sparq_gpu_gemm_u8_g1024_m32_n256_k1024_zp_bias_f32_i8_f32_relu_sm_80(
// CHECK-COUNT-4: ld.global.nc.v4.b32
// CHECK-COUNT-16: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: ret;
func.func @gemm_int8(%x: tensor<32x1024xf32>, %w: tensor<256x1024xi8>,
                     %s: tensor<256x1xf32>, %z: tensor<256x1xi8>,
                     %b: tensor<256xf32>) -> tensor<32x256xf32> {
  %y = sparq.qmatmul %x, %w, %s zero_points(%z) bias(%b) storage(ui8)
      activation(relu)
      : (tensor<32x1024xf32>, tensor<256x1024xi8>, tensor<256x1xf32>,
         tensor<256x1xi8>, tensor<256xf32>) -> tensor<32x256xf32>
  return %y : tensor<32x256xf32>
}

// CHECK-LABEL: .entry __sparq_gpu_gemm_lut4_m16_n256_k1024_csr_f32_i32_i32_f32_sm_80(
// CHECK-COUNT-4: ld.global.nc.v4.b32
// CHECK-COUNT-32: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: ret;
func.func @gems(%rp, %ci, %v) bits(4)
      : (tensor<16x1024xf32>, tensor<256x512xi8>, tensor<256x16xf32>,
         tensor<257xi32>, tensor<1180xi32>, tensor<1180xf32>)
      -> tensor<16x256xf32>
  return %y : tensor<16x256xf32>
}
