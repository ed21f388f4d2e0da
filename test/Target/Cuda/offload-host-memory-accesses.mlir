// RUN: sparq-opt %s --split-input-file --verify-diagnostics --sparq-gpu-offload-host-memory-accesses | FileCheck %s

// A copy becomes a parallel loop of loads and stores; parallel loops stay.
// CHECK-LABEL: func.func @copy
// CHECK-NOT: memref.copy
// CHECK: scf.parallel (%[[I:.+]], %[[J:.+]]) = (%c0, %c0) to (%{{.+}}, %{{.+}}) step (%c1, %c1)
// CHECK:   %[[V:.+]] = memref.load %arg0[%[[I]], %[[J]]]
// CHECK:   memref.store %[[V]], %arg1[%[[I]], %[[J]]]
// CHECK: scf.parallel
// CHECK:   arith.negf
func.func @copy(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %b[%i, %c0] : memref<4x8xf32>
    %n = arith.negf %v : f32
    memref.store %n, %b[%i, %c0] : memref<4x8xf32>
    scf.reduce
  }
  return
}

// -----

// A sequential reduction at the top of a host function runs as a kernel of
// one iteration; allocation and deallocation stay on the host, and so does
// index arithmetic that later ops use.
// CHECK-LABEL: func.func @serial
// CHECK: %[[BUF:.+]] = memref.alloc
// CHECK: scf.parallel (%{{.+}}) = (%[[Z:.+]]) to (%[[ONE:.+]]) step (%[[ONE]])
// CHECK:   memref.store %{{.+}}, %arg1[]
// CHECK:   scf.for
// CHECK:     memref.load %arg0
// CHECK:   memref.store %{{.+}}, %[[BUF]][]
// CHECK: memref.dealloc %[[BUF]]
func.func @serial(%a: memref<16xf32>, %sum: memref<f32>) {
  %buf = memref.alloc() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %sum[] : memref<f32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%i] : memref<16xf32>
    %s = memref.load %sum[] : memref<f32>
    %t = arith.addf %s, %v : f32
    memref.store %t, %sum[] : memref<f32>
  }
  memref.store %zero, %buf[] : memref<f32>
  memref.dealloc %buf : memref<f32>
  return
}

// -----

// The host cannot branch on a value in device memory.
func.func @host_needs_value(%flag: memref<i1>, %out: memref<f32>) {
  // expected-error @+1 {{reads device memory into a value the host code needs; the CUDA target cannot run it on the host}}
  %f = memref.load %flag[] : memref<i1>
  scf.if %f {
    %one = arith.constant 1.0 : f32
    memref.store %one, %out[] : memref<f32>
  }
  return
}
