// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels="int8-matmuls=true" | FileCheck %s
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels="int8-matmuls=true" --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --generate-sparq-cpu-kernels | FileCheck %s --check-prefix=BODY
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels | FileCheck %s --check-prefix=OFF

// A W8A8 matmul with per-token and per-channel scales and a bias: the
// [1, 3, 128] codes and [1, 3, 1] scales go in as [3, 128] and [3, 1].
// CHECK-LABEL: func @token_channel_bias
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x3x128xi8> into tensor<3x128xi8>
// CHECK: %[[SA:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x3x1xf32> into tensor<3x1xf32>
// CHECK: call @__sparq_int8_matmul_m3_n40_k128_token_channel_f32_f32_f32_f32(
// CHECK: tensor.expand_shape {{.*}} into tensor<1x3x40xf32>
// CHECK: func.func private @__sparq_int8_matmul_m3_n40_k128_token_channel_f32_f32_f32_f32({{.*}}) attributes {sparq.int8_kernel = {bias = true, k = 128 : i64, m = 3 : i64, n = 40 : i64, per_channel = true, per_token = true, rescaled = true}}
// OFF-LABEL: func @token_channel_bias
// OFF: sparq.int_matmul
// Signed weights get their sign bits flipped, two accumulator chains of
// 64-byte vpdpbusd cover K = 128, and -128 * sum(x) restores the signed
// product before the f32 rescale.
// BODY-LABEL: func.func private @__sparq_int8_matmul_m3_n40_k128_token_channel
// BODY: %[[FLIP:.*]] = arith.constant dense<-128> : vector<64xi8>
// BODY: arith.muli %{{.*}}, %c-128_i32 : i32
// BODY: scf.parallel
// BODY: %[[W:.*]] = vector.load %arg1[%{{.*}}, %{{.*}}] : memref<40x128xi8, strided<[?, 1], offset: ?>>, vector<64xi8>
// BODY: %[[U:.*]] = arith.xori %[[W]], %[[FLIP]] : vector<64xi8>
// BODY: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %[[U]], %{{.*}})
// BODY: vector.reduction <add>, %{{.*}} : vector<16xi32> into i32
// BODY: arith.sitofp %{{.*}} : i32 to f32
// BODY: arith.mulf
// BODY: arith.mulf
// BODY: arith.addf
// BODY: memref.store %{{.*}}, %arg5
func.func @token_channel_bias(%a: tensor<1x3x128xi8>, %w: tensor<40x128xi8>, %sa: tensor<1x3x1xf32>, %sw: tensor<40x1xf32>, %b: tensor<40xf32>) -> tensor<1x3x40xf32> {
  %y = sparq.int_matmul %a, %w scales(%sa, %sw) bias(%b) : (tensor<1x3x128xi8>, tensor<40x128xi8>, tensor<1x3x1xf32>, tensor<40x1xf32>, tensor<40xf32>) -> tensor<1x3x40xf32>
  return %y : tensor<1x3x40xf32>
}

// -----

// No scales: the exact i32 accumulation; K = 48 takes 16-byte steps.
// CHECK-LABEL: func @i32_result
// CHECK: call @__sparq_int8_matmul_m2_n8_k48_i32(
// BODY-LABEL: func.func private @__sparq_int8_matmul_m2_n8_k48_i32
// BODY: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"
// BODY-NOT: arith.sitofp
// BODY: memref.store %{{.*}} : memref<2x8xi32>
func.func @i32_result(%a: tensor<2x48xi8>, %w: tensor<8x48xi8>) -> tensor<2x8xi32> {
  %y = sparq.int_matmul %a, %w : (tensor<2x48xi8>, tensor<8x48xi8>) -> tensor<2x8xi32>
  return %y : tensor<2x8xi32>
}
