// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels=activations=f32 | FileCheck %s
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels=activations=f32 --generate-sparq-cpu-kernels | FileCheck %s --check-prefix=BODY
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels="activations=f32 vector-bits=256" --generate-sparq-cpu-kernels | FileCheck %s --check-prefix=AVX2
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels="activations=f32 vbmi=true" --generate-sparq-cpu-kernels | FileCheck %s --check-prefix=VBMI
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels="activations=f32 vector-bits=256 vbmi=true" | FileCheck %s --check-prefix=AVX2-VBMI
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels="activations=f32 vector-bits=0" | FileCheck %s --check-prefix=NONE
// RUN: not sparq-opt %s -split-input-file --convert-sparq-to-cpu-kernels=vector-bits=128 2>&1 | FileCheck %s --check-prefix=BAD-OPTION
// BAD-OPTION: vector-bits must be 256 or 512 (0: no codebook kernels), got 128

// A decode-sized 3-bit codebook matmul with bias becomes a call on the
// operands' buffers; the kernel is declared with its spec.
// CHECK-LABEL: func @lut3_bias
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x64xf32> into tensor<2x64xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only : tensor<2x64xf32> to memref<2x64xf32, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<8x24xi8> to memref<8x24xi8, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<8x8xf32> to memref<8x8xf32, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<8xf32> to memref<8xf32, strided<[1], offset: ?>>
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x8xf32>
// CHECK: call @__sparq_lut_matmul_b3_m2_n8_k64_bias_f32_f32_v512(
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x8xf32>
// CHECK-NOT: sparq.lut_matmul
// CHECK: func.func private @__sparq_lut_matmul_b3_m2_n8_k64_bias_f32_f32_v512({{.*}}) attributes {sparq.lut_kernel = {bias = true, bits = 3 : i64, k = 64 : i64, m = 2 : i64, n = 8 : i64, outliers = false, vbmi = false, vector_bits = 512 : i64}}

// The body runs blocks of 16 output rows in parallel (the last one cut at
// N), keeps each row's 8 centroids in a zmm register (repeated to 16
// lanes), unpacks 32 codes per 16-byte load with byte shuffles and shifts
// (no mask: vpermps reads the low 4 index bits), and looks them up. The
// row's last step loads exactly its 12 bytes.
// BODY-LABEL: func.func private @__sparq_lut_matmul_b3_m2_n8_k64_bias_f32_f32_v512
// BODY-NOT: sparq.lut_kernel
// BODY: scf.parallel
// BODY: arith.minsi
// BODY: scf.for
// BODY: scf.for
// BODY: vector.load %{{.*}} : memref<8x8xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
// BODY: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7] : vector<8xf32>, vector<8xf32>
// BODY: scf.for
// BODY: %[[WIDE:.*]] = vector.load %{{.*}} : memref<8x24xi8, strided<[?, 1], offset: ?>>, vector<16xi8>
// BODY: vector.shuffle %[[WIDE]], %[[WIDE]] [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 2, 1, 1
// BODY: vector.bitcast {{.*}} : vector<64xi8> to vector<16xi32>
// BODY: arith.shrui
// BODY-NOT: arith.andi
// BODY: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// BODY: vector.fma
// BODY: vector.fma
// BODY: vector.shuffle %[[WIDE]], %[[WIDE]] [6, 7, 6, 6,
// BODY: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// BODY: vector.fma
// BODY: vector.fma
// BODY: scf.yield
// BODY: scf.for
// BODY: vector.load %{{.*}} : memref<8x24xi8, strided<[?, 1], offset: ?>>, vector<12xi8>
// BODY: scf.yield
// BODY: vector.reduction <add>, %{{.*}} fastmath<reassoc>
// BODY: vector.reduction <add>, %{{.*}} fastmath<reassoc>
// BODY: memref.load %{{.*}} : memref<8xf32
// BODY: arith.addf
// BODY: memref.store
// BODY: memref.load %{{.*}} : memref<8xf32
// BODY: arith.addf
// BODY: memref.store

// With 256-bit vectors, 8 codes per permute and 8 centroids in a ymm.
// AVX2-LABEL: func.func private @__sparq_lut_matmul_b3_m2_n8_k64_bias_f32_f32_v256
// AVX2: vector.shuffle {{.*}} : vector<16xi8>, vector<16xi8>
// AVX2: vector.bitcast {{.*}} : vector<32xi8> to vector<8xi32>
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.permps"
// AVX2-NOT: permvar.sf.512

// With AVX-512 VBMI each vector of 16 codes is a qword (8-byte load,
// broadcast) and one vpmultishiftqb whose control selects the byte at bit
// 3i for lane i; the row's last step, whose 12 bytes end the row, still
// takes the shuffles.
// VBMI-LABEL: func.func private @__sparq_lut_matmul_b3_m2_n8_k64_bias_f32_f32_v512_vbmi
// VBMI: %[[CONTROL:.*]] = arith.constant dense<[0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 9, 0, 0, 0, 12,
// VBMI: scf.for
// VBMI: vector.load %{{.*}} : memref<8x24xi8, strided<[?, 1], offset: ?>>, vector<8xi8>
// VBMI: vector.broadcast %{{.*}} : i64 to vector<8xi64>
// VBMI: llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.512"(%[[CONTROL]], %{{.*}})
// VBMI-NOT: arith.shrui
// VBMI: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// VBMI: llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.512"
// VBMI: scf.yield
// VBMI: scf.for
// VBMI: vector.load %{{.*}} : memref<8x24xi8, strided<[?, 1], offset: ?>>, vector<12xi8>
// VBMI: vector.shuffle
// VBMI: arith.shrui
// VBMI: scf.yield
// The option only matters for 512-bit kernels.
// AVX2-VBMI: call @__sparq_lut_matmul_b3_m2_n8_k64_bias_f32_f32_v256(

// NONE-LABEL: func @lut3_bias
// NONE: sparq.lut_matmul
// NONE-NOT: call
func.func @lut3_bias(%x: tensor<1x2x64xf32>, %idx: tensor<8x24xi8>, %cb: tensor<8x8xf32>, %b: tensor<8xf32>) -> tensor<1x2x8xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb bias(%b) bits(3) : (tensor<1x2x64xf32>, tensor<8x24xi8>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}

// -----

// 4-bit codebooks with CSR outliers: the outlier buffers follow the
// codebooks; two matmuls of one spec share one kernel.
// CHECK-LABEL: func @lut4_outliers
// CHECK: call @__sparq_lut_matmul_b4_m1_n4_k32_csr_f32_i32_i32_f32_v512(
// CHECK: call @__sparq_lut_matmul_b4_m1_n4_k32_csr_f32_i32_i32_f32_v512(
// CHECK: func.func private @__sparq_lut_matmul_b4_m1_n4_k32_csr_f32_i32_i32_f32_v512(memref<1x32xf32, strided<[?, 1], offset: ?>>, memref<4x16xi8, strided<[?, 1], offset: ?>>, memref<4x16xf32, strided<[?, 1], offset: ?>>, memref<5xi32, strided<[1], offset: ?>>, memref<3xi32, strided<[1], offset: ?>>, memref<3xf32, strided<[1], offset: ?>>, memref<1x4xf32>) attributes {sparq.lut_kernel = {bias = false, bits = 4 : i64, k = 32 : i64, m = 1 : i64, n = 4 : i64, outliers = true, vbmi = false, vector_bits = 512 : i64}}
// CHECK-NOT: func.func private

// A single row uses two accumulators per 32 codes; the outliers are added
// after the horizontal sum, from the row's CSR range.
// BODY-LABEL: func.func private @__sparq_lut_matmul_b4_m1_n4_k32_csr_f32_i32_i32_f32_v512
// BODY: vector.load %{{.*}} : memref<4x16xf32, strided<[?, 1], offset: ?>>, vector<16xf32>
// BODY: vector.load %{{.*}} : memref<4x16xi8, strided<[?, 1], offset: ?>>, vector<16xi8>
// BODY: vector.shuffle {{.*}} [0, 1, 0, 0, 0, 1, 0, 0, 1, 2, 1, 1
// BODY: arith.shrui %{{.*}}, %{{.*}} : vector<16xi32>
// BODY-NOT: arith.andi
// BODY: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// BODY: %[[A0:.*]] = vector.fma
// BODY: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// BODY: %[[A1:.*]] = vector.fma
// BODY: scf.yield %[[A0]], %[[A1]]
// BODY: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// BODY: vector.reduction <add>
// BODY: scf.for
// BODY: math.fma
// BODY: memref.store

// A 16-entry table in 8-lane registers: two permutes of its halves and a
// select on the code's bit 3, shifted to the sign bit (vblendvps).
// AVX2-LABEL: func.func private @__sparq_lut_matmul_b4_m1_n4_k32_csr_f32_i32_i32_f32_v256
// AVX2: vector.load %{{.*}} : memref<4x16xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
// AVX2: vector.load %{{.*}} : memref<4x16xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
// AVX2: %[[CODES:.*]] = arith.shrui
// AVX2-NOT: arith.andi
// AVX2: %[[SIGN:.*]] = arith.shli %[[CODES]], %{{.*}} : vector<8xi32>
// AVX2: arith.cmpi slt, %[[SIGN]]
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.permps"
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.permps"
// AVX2: arith.select
func.func @lut4_outliers(%x: tensor<32xf32>, %idx: tensor<4x16xi8>, %cb: tensor<4x16xf32>, %rp: tensor<5xi32>, %ci: tensor<3xi32>, %v: tensor<3xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y = sparq.lut_matmul %x, %idx, %cb outliers(%rp, %ci, %v) bits(4) : (tensor<32xf32>, tensor<4x16xi8>, tensor<4x16xf32>, tensor<5xi32>, tensor<3xi32>, tensor<3xf32>) -> tensor<4xf32>
  %z = sparq.lut_matmul %x, %idx, %cb outliers(%rp, %ci, %v) bits(4) : (tensor<32xf32>, tensor<4x16xi8>, tensor<4x16xf32>, tensor<5xi32>, tensor<3xi32>, tensor<3xf32>) -> tensor<4xf32>
  return %y, %z : tensor<4xf32>, tensor<4xf32>
}

// -----

// Ops no kernel covers stay for the reference lowering: K not a multiple
// of 32, 2-bit codebooks, more rows than max-rows, dynamic shapes.
// CHECK-LABEL: func @not_covered
// CHECK-COUNT-4: sparq.lut_matmul
// CHECK-NOT: call
func.func @not_covered(%x: tensor<1x48xf32>, %idx: tensor<8x18xi8>, %cb: tensor<8x8xf32>,
                       %x2: tensor<1x64xf32>, %idx2: tensor<8x16xi8>, %cb2: tensor<8x4xf32>,
                       %x3: tensor<65x64xf32>, %idx3: tensor<8x24xi8>,
                       %x4: tensor<?x64xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<65x8xf32>, tensor<?x8xf32>) {
  %a = sparq.lut_matmul %x, %idx, %cb bits(3) : (tensor<1x48xf32>, tensor<8x18xi8>, tensor<8x8xf32>) -> tensor<1x8xf32>
  %b = sparq.lut_matmul %x2, %idx2, %cb2 bits(2) : (tensor<1x64xf32>, tensor<8x16xi8>, tensor<8x4xf32>) -> tensor<1x8xf32>
  %c = sparq.lut_matmul %x3, %idx3, %cb bits(3) : (tensor<65x64xf32>, tensor<8x24xi8>, tensor<8x8xf32>) -> tensor<65x8xf32>
  %d = sparq.lut_matmul %x4, %idx3, %cb bits(3) : (tensor<?x64xf32>, tensor<8x24xi8>, tensor<8x8xf32>) -> tensor<?x8xf32>
  return %a, %b, %c, %d : tensor<1x8xf32>, tensor<1x8xf32>, tensor<65x8xf32>, tensor<?x8xf32>
}

// -----

// 8 rows of K = 1024 activations would not stay in L1 while outputs stream
// past them: K goes in two chunks of 512. y starts as the bias, and each
// chunk adds its partial sums.
// CHECK-LABEL: func @lut4_chunks
// CHECK: call @__sparq_lut_matmul_b4_m8_n32_k1024_bias_f32_f32_v512(
// BODY-LABEL: func.func private @__sparq_lut_matmul_b4_m8_n32_k1024_bias_f32_f32_v512
// BODY: scf.parallel
// BODY-NOT: arith.minsi
// BODY: scf.for
// BODY: scf.for
// BODY: memref.load %{{.*}} : memref<32xf32
// BODY: memref.store
// BODY: scf.for %{{.*}} = %c0 to %c2{{(_[0-9]+)?}} step %c1
// BODY: arith.muli %{{.*}}, %c16
// BODY: arith.minsi %{{.*}}, %c32
// BODY: scf.for
// BODY: scf.for
// BODY-COUNT-8: vector.fma
// BODY: scf.yield
// BODY-COUNT-8: vector.reduction
// BODY: memref.load %{{.*}} : memref<8x32xf32>
// BODY: arith.addf
// BODY: memref.store
func.func @lut4_chunks(%x: tensor<8x1024xf32>, %idx: tensor<32x512xi8>, %cb: tensor<32x16xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb bias(%b) bits(4) : (tensor<8x1024xf32>, tensor<32x512xi8>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// The codebook kernel accumulates over K chunks, so its epilogue is one
// elementwise generic on the kernel's [M, N] result: tanh GELU, then the
// residual (collapsed to [M, N] like the result) is added.
// CHECK-LABEL: func @lut3_epilogue
// CHECK: call @__sparq_lut_matmul_b3_m2_n8_k64_f32_v512(
// CHECK: %[[Y:.*]] = bufferization.to_tensor
// CHECK: %[[R:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x8xf32> into tensor<2x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[Y]], %[[R]] : tensor<2x8xf32>, tensor<2x8xf32>)
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %[[RV:.*]]: f32, %{{.*}}: f32):
// CHECK: math.tanh
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[RV]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]]
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x8xf32>
func.func @lut3_epilogue(%x: tensor<1x2x64xf32>, %idx: tensor<8x24xi8>, %cb: tensor<8x8xf32>, %r: tensor<1x2x8xf32>) -> tensor<1x2x8xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb bits(3) activation(gelu_tanh) residual(%r) : (tensor<1x2x64xf32>, tensor<8x24xi8>, tensor<8x8xf32>, tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}
