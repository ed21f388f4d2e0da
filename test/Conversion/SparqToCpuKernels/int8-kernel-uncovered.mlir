// RUN: sparq-opt %s --convert-sparq-to-cpu-kernels="int8-matmuls=true" | FileCheck %s

// Not covered, left for the reference lowering: K not a multiple of 16,
// and more rows than max-rows (64).
// CHECK-LABEL: func @not_covered
// CHECK: sparq.int_matmul {{.*}} -> tensor<2x8xi32>
// CHECK: sparq.int_matmul {{.*}} -> tensor<65x8xi32>
func.func @not_covered(%a: tensor<2x40xi8>, %w: tensor<8x40xi8>, %b: tensor<65x64xi8>, %v: tensor<8x64xi8>) -> (tensor<2x8xi32>, tensor<65x8xi32>) {
  %y = sparq.int_matmul %a, %w : (tensor<2x40xi8>, tensor<8x40xi8>) -> tensor<2x8xi32>
  %z = sparq.int_matmul %b, %v : (tensor<65x64xi8>, tensor<8x64xi8>) -> tensor<65x8xi32>
  return %y, %z : tensor<2x8xi32>, tensor<65x8xi32>
}
