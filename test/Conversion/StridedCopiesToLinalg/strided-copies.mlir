// RUN: sparq-opt %s -split-input-file --convert-strided-copies-to-linalg | FileCheck %s

// CHECK-LABEL: func @strided_source
// CHECK: linalg.copy ins(%{{.*}} : memref<4x2xf32, strided<[8, 2]>>) outs(%{{.*}} : memref<4x2xf32>)
// CHECK-NOT: memref.copy
func.func @strided_source(%src: memref<4x2xf32, strided<[8, 2]>>, %dst: memref<4x2xf32>) {
  memref.copy %src, %dst : memref<4x2xf32, strided<[8, 2]>> to memref<4x2xf32>
  return
}

// -----

// Contiguous copies stay: they lower to llvm.memcpy.
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%src: memref<4x2xf32>, %dst: memref<4x2xf32>) {
  memref.copy %src, %dst : memref<4x2xf32> to memref<4x2xf32>
  return
}

// -----

// CHECK-LABEL: func @strided_target
// CHECK: linalg.copy
func.func @strided_target(%src: memref<2x3xf32>, %dst: memref<2x3xf32, strided<[6, 1], offset: 3>>) {
  memref.copy %src, %dst : memref<2x3xf32> to memref<2x3xf32, strided<[6, 1], offset: 3>>
  return
}
