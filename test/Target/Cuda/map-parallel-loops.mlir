// RUN: sparq-opt %s --split-input-file --sparq-gpu-map-parallel-loops | FileCheck %s
// RUN: sparq-opt %s --split-input-file --sparq-gpu-map-parallel-loops --convert-parallel-loops-to-gpu --canonicalize | FileCheck %s --check-prefix=LAUNCH

// The innermost dimension goes to threads x in blocks of up to 256 and the
// tiles to blocks x; the next dimension to blocks y; a nested loop runs in
// each thread.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:     scf.if
// CHECK:       scf.for %{{.+}} = %c0 to %c2 step %c1
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = sequential, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// LAUNCH-LABEL: func.func @elementwise
// LAUNCH: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c4{{.*}}, %{{.+}} = %c3{{.*}}, %{{.+}} = %c1{{.*}}) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c256{{.*}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}})
func.func @elementwise(%a: memref<3x1000xf32>, %b: memref<3x1000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c1000 = arith.constant 1000 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c3, %c1000) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<3x1000xf32>
    scf.parallel (%k) = (%c0) to (%c2) step (%c1) {
      memref.store %v, %b[%i, %j] : memref<3x1000xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}

// -----

// A short innermost dimension gets blocks of its size (rounded up to a power
// of two) and no block index, so the long outer one takes blocks x.
// CHECK-LABEL: func.func @short_rows
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = sequential, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// LAUNCH-LABEL: func.func @short_rows
// LAUNCH: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c70000{{.*}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}}) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c8{{.*}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}})

func.func @short_rows(%a: memref<70000x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c70000 = arith.constant 70000 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c70000, %c5) step (%c1, %c1) {
    memref.store %zero, %a[%i, %j] : memref<70000x5xf32>
    scf.reduce
  }
  return
}

// -----

// Four dimensions: the outermost one has no block index left and runs in
// each thread.
// CHECK-LABEL: func.func @rank4
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = sequential, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_z, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
func.func @rank4(%a: memref<2x3x4x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c512 = arith.constant 512 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j, %k, %l) = (%c0, %c0, %c0, %c0) to (%c2, %c3, %c4, %c512) step (%c1, %c1, %c1, %c1) {
    memref.store %zero, %a[%i, %j, %k, %l] : memref<2x3x4x512xf32>
    scf.reduce
  }
  return
}
