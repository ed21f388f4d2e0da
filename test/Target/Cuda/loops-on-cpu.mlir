// The loop nests the CUDA pipeline hands to convert-parallel-loops-to-gpu
// (after bufferization, sparq-gpu-offload-host-memory-accesses,
// sparq-gpu-hoist-constants and sparq-gpu-map-parallel-loops), run on the
// CPU instead: tiles with bounds guards (1000 is not a multiple of 256), row
// reductions, a full reduction offloaded as a serial loop, a strided copy
// of a slice. The input is x[i, j] = 1000 i + j, so every result is an
// integer that f32 holds exactly: y = 2 x, row sums 2 (1000^2 i + 499500),
// total 2 * 2999 * 3000 / 2, and y[1..2, 990..996].
// RUN: sparq-opt %s --sparq-cuda-lowering="stop=buffers" --sparq-gpu-map-parallel-loops \
// RUN:   | mlir-opt --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:       --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm \
// RUN:       --convert-cf-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils \
// RUN:   | FileCheck %s

// CHECK: sizes = [3]
// CHECK-NEXT: [999000,  2.999e+06,  4.999e+06]
// CHECK: sizes = []
// CHECK-NEXT: [8.997e+06]
// CHECK: sizes = [2, 7]
// CHECK-NEXT: {{\[\[}}3980,   3982,   3984,   3986,   3988,   3990,   3992],
// CHECK-NEXT:  [5980,   5982,   5984,   5986,   5988,   5990,   5992]]

func.func @compute(%x: tensor<3x1000xf32>) -> (tensor<3x1000xf32>, tensor<3xf32>, tensor<f32>, tensor<2x7xf32>) {
  %e = tensor.empty() : tensor<3x1000xf32>
  %two = arith.constant 2.0 : f32
  %zero = arith.constant 0.0 : f32
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<3x1000xf32>) outs(%e : tensor<3x1000xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } -> tensor<3x1000xf32>
  %re = tensor.empty() : tensor<3xf32>
  %racc = linalg.fill ins(%zero : f32) outs(%re : tensor<3xf32>) -> tensor<3xf32>
  %rows = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<3x1000xf32>) outs(%racc : tensor<3xf32>) {
  ^bb0(%a: f32, %b: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<3xf32>
  %te = tensor.empty() : tensor<f32>
  %tacc = linalg.fill ins(%zero : f32) outs(%te : tensor<f32>) -> tensor<f32>
  %total = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y : tensor<3x1000xf32>) outs(%tacc : tensor<f32>) {
  ^bb0(%a: f32, %b: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<f32>
  %slice = tensor.extract_slice %y[1, 990] [2, 7] [1, 1] : tensor<3x1000xf32> to tensor<2x7xf32>
  return %y, %rows, %total, %slice : tensor<3x1000xf32>, tensor<3xf32>, tensor<f32>, tensor<2x7xf32>
}

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %e = tensor.empty() : tensor<3x1000xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<3x1000xf32>) {
  ^bb0(%b: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c1000 = arith.constant 1000 : index
    %k = arith.muli %i, %c1000 : index
    %l = arith.addi %k, %j : index
    %li = arith.index_cast %l : index to i32
    %f = arith.sitofp %li : i32 to f32
    linalg.yield %f : f32
  } -> tensor<3x1000xf32>
  %y, %rows, %total, %slice = func.call @compute(%x) : (tensor<3x1000xf32>) -> (tensor<3x1000xf32>, tensor<3xf32>, tensor<f32>, tensor<2x7xf32>)
  %rm = bufferization.to_buffer %rows : tensor<3xf32> to memref<3xf32>
  %ru = memref.cast %rm : memref<3xf32> to memref<*xf32>
  func.call @printMemrefF32(%ru) : (memref<*xf32>) -> ()
  %tm = bufferization.to_buffer %total : tensor<f32> to memref<f32>
  %tu = memref.cast %tm : memref<f32> to memref<*xf32>
  func.call @printMemrefF32(%tu) : (memref<*xf32>) -> ()
  %sm = bufferization.to_buffer %slice : tensor<2x7xf32> to memref<2x7xf32>
  %su = memref.cast %sm : memref<2x7xf32> to memref<*xf32>
  func.call @printMemrefF32(%su) : (memref<*xf32>) -> ()
  return
}
