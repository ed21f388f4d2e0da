// RUN: sparq-opt %s --split-input-file --verify-diagnostics --sparq-gpu-hoist-constants | FileCheck %s

// Each constant a public function reads becomes a trailing argument naming
// the (renamed, public) global; a global read twice is one argument; mutable
// globals stay.
// CHECK: memref.global constant @__sparq_const_0 : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK: memref.global constant @__sparq_const_1 : memref<3xi8> = dense<[1, 2, 3]>
// CHECK: memref.global "private" @state
// CHECK-LABEL: func.func @entry(
// CHECK-SAME: %[[X:.+]]: memref<2xf32>, %[[W:.+]]: memref<2xf32> {sparq.constant = @__sparq_const_0}, %[[B:.+]]: memref<3xi8> {sparq.constant = @__sparq_const_1})
// CHECK-NOT: memref.get_global @__sparq_const
// CHECK: memref.get_global @state
// CHECK: memref.copy %[[W]], %[[X]]
// CHECK: memref.load %[[B]]
// CHECK: memref.load %[[W]]
memref.global "private" constant @weights : memref<2xf32> = dense<[1.0, 2.0]>
memref.global "private" constant @bytes : memref<3xi8> = dense<[1, 2, 3]>
memref.global "private" @state : memref<2xf32> = dense<0.0>
func.func @entry(%x: memref<2xf32>) {
  %w = memref.get_global @weights : memref<2xf32>
  %s = memref.get_global @state : memref<2xf32>
  memref.copy %w, %x : memref<2xf32> to memref<2xf32>
  %b = memref.get_global @bytes : memref<3xi8>
  %c0 = arith.constant 0 : index
  %v = memref.load %b[%c0] : memref<3xi8>
  %w2 = memref.get_global @weights : memref<2xf32>
  %u = memref.load %w2[%c0] : memref<2xf32>
  return
}

// -----

memref.global "private" constant @weights : memref<2xf32> = dense<[1.0, 2.0]>
func.func private @helper() {
  // expected-error @+1 {{private function @helper reads constant @weights; on the GPU only public (entry) functions may, which receive the device copies}}
  %w = memref.get_global @weights : memref<2xf32>
  return
}
