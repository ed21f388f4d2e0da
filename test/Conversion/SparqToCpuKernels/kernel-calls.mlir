// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels | FileCheck %s
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels --generate-sparq-cpu-kernels | FileCheck %s --check-prefix=BODY
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels=activations=f32 --generate-sparq-cpu-kernels | FileCheck %s --check-prefix=EXACT
// RUN: not sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels=activations=f16 2>&1 | FileCheck %s --check-prefix=BAD-OPTION
// BAD-OPTION: activations must be int8 or f32, got 'f16'

// A decode-sized int4 matmul becomes a call on the operands' buffers; the
// kernel is declared with its spec.
// CHECK-LABEL: func @int4_groupwise
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x256xf32> into tensor<2x256xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only : tensor<2x256xf32> to memref<2x256xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x8xf32>
// CHECK: call @__sparq_qmatmul_s4_m2_n8_k256_g128_bias_f32_f32_x8(
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x8xf32>
// CHECK-NOT: sparq.qmatmul
// CHECK: func.func private @__sparq_qmatmul_s4_m2_n8_k256_g128_bias_f32_f32_x8({{.*}}) attributes {sparq.kernel = {bias = true, bits = 4 : i64, group_size = 128 : i64, int8_activations = true, k = 256 : i64, m = 2 : i64, n = 8 : i64, outliers = false, signed = true, zero_points = false}}

// The body streams packed weights through VNNI dot products: the low and
// high nibbles of one 64-byte load meet the even and odd activations.
// BODY-LABEL: func.func private @__sparq_qmatmul_s4_m2_n8_k256_g128_bias_f32_f32_x8
// BODY-NOT: sparq.kernel
// BODY: vector.shuffle
// BODY: scf.parallel
// BODY: vector.load %{{.*}} : memref<8x128xi8, strided<[?, 1], offset: ?>>, vector<64xi8>
// BODY: arith.xori
// BODY: arith.andi
// BODY: arith.shrui
// BODY: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// BODY: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// BODY: vector.fma
// BODY: vector.reduction <add>
// The exact kernel keeps f32 activations (in nibble order), widens the
// nibbles to f32 in registers and multiplies with FMAs; no intrinsics.
// EXACT-LABEL: func.func private @__sparq_qmatmul_s4_m2_n8_k256_g128_bias_f32_f32_xf32
// EXACT: vector.shuffle
// EXACT: scf.parallel
// EXACT: vector.load %{{.*}} : memref<8x128xi8, strided<[?, 1], offset: ?>>, vector<64xi8>
// EXACT: arith.xori
// EXACT: arith.uitofp %{{.*}} : vector<64xi8> to vector<64xf32>
// EXACT: vector.fma
// EXACT-NOT: llvm.call_intrinsic
// EXACT: vector.reduction <add>
func.func @int4_groupwise(%x: tensor<1x2x256xf32>, %w: tensor<8x128xi8>, %s: tensor<8x2xf32>, %b: tensor<8xf32>) -> tensor<1x2x8xf32> {
  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4) : (tensor<1x2x256xf32>, tensor<8x128xi8>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}

// -----

// Group size 32: 16-byte dot products.
// BODY-LABEL: func.func private @__sparq_qmatmul_u4_m1_n4_k64_g32_zp_f16_i8_x8
// BODY: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"
// CHECK-LABEL: func @int4_group32_zero_points
// CHECK: call @__sparq_qmatmul_u4_m1_n4_k64_g32_zp_f16_i8_x8
func.func @int4_group32_zero_points(%x: tensor<64xf32>, %w: tensor<4x32xi8>, %s: tensor<4x2xf16>, %z: tensor<4x2xi8>) -> tensor<4xf32> {
  %y = sparq.qmatmul %x, %w, %s zero_points(%z) storage(ui4) : (tensor<64xf32>, tensor<4x32xi8>, tensor<4x2xf16>, tensor<4x2xi8>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// 8-bit per channel: one dot product per 64 bytes, no nibble split.
// BODY-LABEL: func.func private @__sparq_qmatmul_s8_m1_n4_k128_g128_f32_x8
// BODY-NOT: arith.shrui
// BODY: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK-LABEL: func @int8_per_channel
func.func @int8_per_channel(%x: tensor<1x128xf32>, %w: tensor<4x128xi8>, %s: tensor<4x1xf32>) -> tensor<1x4xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si8) : (tensor<1x128xf32>, tensor<4x128xi8>, tensor<4x1xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// An epilogue runs over the finished outputs while they are in cache, 16
// lanes at a time: GELU (erf expanded into a polynomial, no libm call), then
// the residual read at the same [row, n] is added. Kernels of different
// epilogues get different names.
// CHECK-LABEL: func @int8_gelu_residual
// CHECK: %[[R:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x32xf32> into tensor<2x32xf32>
// CHECK: %[[RB:.*]] = bufferization.to_buffer %[[R]] read_only
// CHECK: call @__sparq_qmatmul_s8_m2_n32_k128_g128_f32_f32_x8_gelu_res(%{{.*}}, %{{.*}}, %{{.*}}, %[[RB]], %{{.*}})
// CHECK: call @__sparq_qmatmul_s8_m2_n32_k128_g128_f32_x8_silu(
// CHECK: func.func private @__sparq_qmatmul_s8_m2_n32_k128_g128_f32_f32_x8_gelu_res({{.*}}) attributes {sparq.kernel = {activation = "gelu", {{.*}}residual = true
// BODY-LABEL: func.func private @__sparq_qmatmul_s8_m2_n32_k128_g128_f32_f32_x8_gelu_res
// BODY-NOT: math.erf
// BODY: vector.reduction <add>
// BODY: memref.dealloc
// BODY: scf.for
// BODY: %[[Y:.*]] = vector.load %arg4[%{{.*}}, %{{.*}}] : memref<2x32xf32>, vector<16xf32>
// BODY: math.fma %{{.*}} : vector<16xf32>
// BODY: %[[RES:.*]] = vector.load %arg3[%{{.*}}, %{{.*}}] : {{.*}}, vector<16xf32>
// BODY: %[[SUM:.*]] = arith.addf %{{.*}}, %[[RES]] : vector<16xf32>
// BODY: vector.store %[[SUM]], %arg4
// BODY: return
// BODY-LABEL: func.func private @__sparq_qmatmul_s8_m2_n32_k128_g128_f32_x8_silu
// BODY-NOT: math.exp
// BODY: vector.load %arg3
// BODY: arith.divf %{{.*}} : vector<16xf32>
// BODY: vector.store
// EXACT-LABEL: func.func private @__sparq_qmatmul_s8_m2_n32_k128_g128_f32_f32_xf32_gelu_res
// EXACT-NOT: math.erf
// EXACT: vector.fma
// EXACT: vector.store
func.func @int8_gelu_residual(%x: tensor<1x2x128xf32>, %w: tensor<32x128xi8>, %s: tensor<32x1xf32>, %r: tensor<1x2x32xf32>) -> (tensor<1x2x32xf32>, tensor<1x2x32xf32>) {
  %y = sparq.qmatmul %x, %w, %s storage(si8) activation(gelu) residual(%r) : (tensor<1x2x128xf32>, tensor<32x128xi8>, tensor<32x1xf32>, tensor<1x2x32xf32>) -> tensor<1x2x32xf32>
  %z = sparq.qmatmul %x, %w, %s storage(si8) activation(silu) : (tensor<1x2x128xf32>, tensor<32x128xi8>, tensor<32x1xf32>) -> tensor<1x2x32xf32>
  return %y, %z : tensor<1x2x32xf32>, tensor<1x2x32xf32>
}

// -----

// A gated kernel: 32 weight rows, gate rows 0..15 then up rows 16..31, and
// 16 outputs per row. Each parallel step computes the gate sum of row n and
// the up sum of row n + 16, and stores silu(g) * u + residual: the 32-wide
// pre-activation result is never allocated.
// CHECK-LABEL: func @int4_gated_silu
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x16xf32>
// CHECK: call @__sparq_qmatmul_s4_m2_n32_k128_g64_f32_f32_x8_silu_gated_res(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[OUT]])
// CHECK: func.func private @__sparq_qmatmul_s4_m2_n32_k128_g64_f32_f32_x8_silu_gated_res({{.*}}memref<2x16xf32>) attributes {sparq.kernel = {activation = "silu", {{.*}}gated = true
// BODY-LABEL: func.func private @__sparq_qmatmul_s4_m2_n32_k128_g64_f32_f32_x8_silu_gated_res
// BODY-NOT: math.exp
// BODY: scf.parallel (%[[COL:.*]]) = (%{{.*}}) to (%c16) step
// BODY: %[[UP:.*]] = arith.addi %[[COL]], %c16
// BODY: vector.load %arg1[%[[UP]], %{{.*}}] : memref<32x64xi8
// BODY: %[[G:.*]] = arith.divf
// BODY: %[[P:.*]] = arith.mulf %[[G]], %{{.*}} : f32
// BODY: %[[RES:.*]] = memref.load %arg3[%{{.*}}, %[[COL]]]
// BODY: %[[Y:.*]] = arith.addf %[[P]], %[[RES]] : f32
// BODY: memref.store %[[Y]], %arg4[%{{.*}}, %[[COL]]]
// BODY-NOT: vector.load %arg4
// BODY: return
// EXACT-LABEL: func.func private @__sparq_qmatmul_s4_m2_n32_k128_g64_f32_f32_xf32_silu_gated_res
// EXACT-NOT: math.exp
// EXACT: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c16)
// EXACT: arith.mulf %{{.*}} : f32
// EXACT: memref.store
func.func @int4_gated_silu(%x: tensor<1x2x128xf32>, %w: tensor<32x64xi8>, %s: tensor<32x2xf32>, %r: tensor<1x2x16xf32>) -> tensor<1x2x16xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si4) activation(silu) gated residual(%r) : (tensor<1x2x128xf32>, tensor<32x64xi8>, tensor<32x2xf32>, tensor<1x2x16xf32>) -> tensor<1x2x16xf32>
  return %y : tensor<1x2x16xf32>
}

// -----

// What the kernels do not cover stays for the reference lowering.
// CHECK-LABEL: func @not_covered
// CHECK: sparq.qmatmul {{.*}} storage(si3)
// CHECK: sparq.qmatmul {{.*}} storage(si4) : (tensor<2x64xf16>
// CHECK: sparq.qmatmul {{.*}} storage(si4) : (tensor<80x64xf32>
// CHECK: sparq.qmatmul {{.*}} storage(si4) : (tensor<2x48xf32>
func.func @not_covered(%x: tensor<2x64xf32>, %w3: tensor<4x24xi8>, %s: tensor<4x1xf32>,
                       %xh: tensor<2x64xf16>, %w4: tensor<4x32xi8>,
                       %xm: tensor<80x64xf32>, %x48: tensor<2x48xf32>, %w48: tensor<4x24xi8>)
    -> (tensor<2x4xf32>, tensor<2x4xf16>, tensor<80x4xf32>, tensor<2x4xf32>) {
  // 3-bit weights.
  %0 = sparq.qmatmul %x, %w3, %s storage(si3) : (tensor<2x64xf32>, tensor<4x24xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  // f16 activations.
  %1 = sparq.qmatmul %xh, %w4, %s storage(si4) : (tensor<2x64xf16>, tensor<4x32xi8>, tensor<4x1xf32>) -> tensor<2x4xf16>
  // More rows than max-rows (64).
  %2 = sparq.qmatmul %xm, %w4, %s storage(si4) : (tensor<80x64xf32>, tensor<4x32xi8>, tensor<4x1xf32>) -> tensor<80x4xf32>
  // Group size 48 does not tile into 16-byte dot products.
  %3 = sparq.qmatmul %x48, %w48, %s storage(si4) : (tensor<2x48xf32>, tensor<4x24xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<2x4xf16>, tensor<80x4xf32>, tensor<2x4xf32>
}
