

func.func @qmatmul_result_type(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf16> {
  // expectבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבבed-error @+1 {{result element type must be 'f32', got 'f16'}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}
b