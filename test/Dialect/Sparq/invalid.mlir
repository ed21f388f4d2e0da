// RUN: sparq-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// sparq.pack / sparq.unpack
//===----------------------------------------------------------------------===//

func.func @pack_float(%x: tensor<4x8xf32>) -> tensor<4x4xi8> {
  // expected-error @+1 {{unpacked element type must be an integer or !quant type of 2 to 8 bits, got 'f32'}}
  %0 = sparq.pack %x : tensor<4x8xf32> -> tensor<4x4xi8>
  return %0 : tensor<4x4xi8>
}

// -----

func.func @pack_i1(%x: tensor<4x8xi1>) -> tensor<4x1xi8> {
  // expected-error @+1 {{unpacked element type must be an integer or !quant type of 2 to 8 bits, got 'i1'}}
  %0 = sparq.pack %x : tensor<4x8xi1> -> tensor<4x1xi8>
  return %0 : tensor<4x1xi8>
}

// -----

func.func @unpack_i16(%x: tensor<4x16xi8>) -> tensor<4x8xi16> {
  // expected-error @+1 {{unpacked element type must be an integer or !quant type of 2 to 8 bits, got 'i16'}}
  %0 = sparq.unpack %x : tensor<4x16xi8> -> tensor<4x8xi16>
  return %0 : tensor<4x8xi16>
}

// -----

func.func @pack_rank0(%x: tensor<i4>) -> tensor<i8> {
  // expected-error @+1 {{packed tensors need rank >= 1, got a rank-0 packed tensor}}
  %0 = sparq.pack %x : tensor<i4> -> tensor<i8>
  return %0 : tensor<i8>
}

// -----

func.func @pack_rank(%x: tensor<4x8xi4>) -> tensor<16xi8> {
  // expected-error @+1 {{packed tensor must have rank 2, got 1}}
  %0 = sparq.pack %x : tensor<4x8xi4> -> tensor<16xi8>
  return %0 : tensor<16xi8>
}

// -----

func.func @pack_leading_dim(%x: tensor<4x8xi4>) -> tensor<3x4xi8> {
  // expected-error @+1 {{packed tensor dim 0 must be 4, got 3}}
  %0 = sparq.pack %x : tensor<4x8xi4> -> tensor<3x4xi8>
  return %0 : tensor<3x4xi8>
}

// -----

func.func @pack_row_bytes(%x: tensor<4x7xi3>) -> tensor<4x4xi8> {
  // expected-error @+1 {{packed tensor last dim must be ceil(K * bits / 8) = 3 for K = 7 at 3 bits, got 4}}
  %0 = sparq.pack %x : tensor<4x7xi3> -> tensor<4x4xi8>
  return %0 : tensor<4x4xi8>
}

// -----

func.func @unpack_row_bytes(%x: tensor<4x3xi8>) -> tensor<4x8xi4> {
  // expected-error @+1 {{packed tensor last dim must be ceil(K * bits / 8) = 4 for K = 8 at 4 bits, got 3}}
  %0 = sparq.unpack %x : tensor<4x3xi8> -> tensor<4x8xi4>
  return %0 : tensor<4x8xi4>
}

// -----

func.func @unpack_quant_storage(%x: tensor<4x8xi8>) -> tensor<4x8x!quant.uniform<i16:f32, 1.0>> {
  // expected-error @+1 {{unpacked element type must be an integer or !quant type of 2 to 8 bits, got '!quant.uniform<i16:f32, 1.000000e+00>'}}
  %0 = sparq.unpack %x : tensor<4x8xi8> -> tensor<4x8x!quant.uniform<i16:f32, 1.0>>
  return %0 : tensor<4x8x!quant.uniform<i16:f32, 1.0>>
}

// -----

func.func @pack_result_not_bytes(%x: tensor<4x8xi4>) -> tensor<4x4xui8> {
  // expected-error @+1 {{result #0 must be ranked tensor of 8-bit signless integer values}}
  %0 = sparq.pack %x : tensor<4x8xi4> -> tensor<4x4xui8>
  return %0 : tensor<4x4xui8>
}

//===----------------------------------------------------------------------===//
// Storage types and block-wise parameters (sparq.quantize / sparq.dequantize)
//===----------------------------------------------------------------------===//

// -----

func.func @storage_signless(%w: tensor<4x8xf32>, %s: tensor<4x1xf32>) -> tensor<4x4xi8> {
  // expected-error @+1 {{storage type must be a signed or unsigned integer of 2 to 8 bits (si2..si8, ui2..ui8), got 'i4'}}
  %0 = sparq.quantize %w, %s storage(i4) : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x4xi8>
  return %0 : tensor<4x4xi8>
}

// -----

func.func @storage_too_wide(%p: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{storage type must be a signed or unsigned integer of 2 to 8 bits (si2..si8, ui2..ui8), got 'si16'}}
  %0 = sparq.dequantize %p, %s storage(si16) : (tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @storage_not_integer(%w: tensor<4x8xf32>, %s: tensor<4x1xf32>) -> tensor<4x4xi8> {
  // expected-error @+1 {{attribute 'storage_type' failed to satisfy constraint: type attribute of integer}}
  %0 = sparq.quantize %w, %s storage(f16) : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x4xi8>
  return %0 : tensor<4x4xi8>
}

// -----

func.func @quantize_packed_shape(%w: tensor<4x8xf32>, %s: tensor<4x1xf32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{packed tensor last dim must be ceil(K * bits / 8) = 4 for K = 8 at 4 bits, got 8}}
  %0 = sparq.quantize %w, %s storage(si4) : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xi8>
  return %0 : tensor<4x8xi8>
}

// -----

func.func @scales_rank(%w: tensor<4x8xf32>, %s: tensor<4xf32>) -> tensor<4x4xi8> {
  // expected-error @+1 {{scales must have rank 2 (that of the quantized tensor), got 1}}
  %0 = sparq.quantize %w, %s storage(si4) : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4x4xi8>
  return %0 : tensor<4x4xi8>
}

// -----

func.func @group_does_not_divide_k(%w: tensor<4x8xf32>, %s: tensor<4x3xf32>) -> tensor<4x4xi8> {
  // expected-error @+1 {{scales dim 1 (3) must divide the quantized dim 1 (8)}}
  %0 = sparq.quantize %w, %s storage(si4) : (tensor<4x8xf32>, tensor<4x3xf32>) -> tensor<4x4xi8>
  return %0 : tensor<4x4xi8>
}

// -----

func.func @zero_points_shape(%p: tensor<4x4xi8>, %s: tensor<4x2xf32>, %z: tensor<4x1xi8>) -> tensor<4x8xf32> {
  // expected-error @+1 {{zero points shape [4, 1] must match scales shape [4, 2]}}
  %0 = sparq.dequantize %p, %s zero_points(%z) storage(ui4) : (tensor<4x4xi8>, tensor<4x2xf32>, tensor<4x1xi8>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @zero_points_type(%p: tensor<4x4xi8>, %s: tensor<4x2xf32>, %z: tensor<4x2xf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{zero points must be integers or have the scales' element type 'f32', got 'f16'}}
  %0 = sparq.dequantize %p, %s zero_points(%z) storage(ui4) : (tensor<4x4xi8>, tensor<4x2xf32>, tensor<4x2xf16>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

//===----------------------------------------------------------------------===//
// sparq.qmatmul
//===----------------------------------------------------------------------===//

// -----

func.func @qmatmul_weights_rank(%x: tensor<1x8xf32>, %w: tensor<2x4x4xi8>, %s: tensor<4x1xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{weights must be a 2-D packed [N, K] matrix, got rank 3}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<1x8xf32>, tensor<2x4x4xi8>, tensor<4x1xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @qmatmul_rank0(%x: tensor<f32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input must have rank >= 1 (its last dim is K)}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<f32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @qmatmul_result_shape(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{result shape [2, 8] must be the input's leading dims followed by N: [2, 4]}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @qmatmul_result_type(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf16> {
  // expected-error @+1 {{result element type must be 'f32', got 'f16'}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

func.func @qmatmul_k_mismatch(%x: tensor<2x16xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{weights last dim must be ceil(K * bits / 8) = 8 for K = 16 at 4 bits, got 4}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<2x16xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qmatmul_group(%x: tensor<2x12xf32>, %w: tensor<4x6xi8>, %s: tensor<4x5xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{scales dim 1 (5) must divide the quantized dim 1 (12)}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<2x12xf32>, tensor<4x6xi8>, tensor<4x5xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qmatmul_bias(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>, %b: tensor<8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{bias must be [N] = [4], got [8]}}
  %0 = sparq.qmatmul %x, %w, %s bias(%b) storage(si4) : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qmatmul_row_ptr(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>,
                           %rp: tensor<4xi32>, %ci: tensor<3xi32>, %v: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{outlier row_ptr must have N + 1 = 5 elements, got 4}}
  %0 = sparq.qmatmul %x, %w, %s outliers(%rp, %ci, %v) storage(si4)
      : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<4xi32>, tensor<3xi32>, tensor<3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qmatmul_nnz(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>,
                       %rp: tensor<5xi32>, %ci: tensor<3xi32>, %v: tensor<2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{outlier col_ind (3) and values (2) must have the same length}}
  %0 = sparq.qmatmul %x, %w, %s outliers(%rp, %ci, %v) storage(si4)
      : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<5xi32>, tensor<3xi32>, tensor<2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// The custom syntax always gives all three CSR operands; the generic form can
// leave some out.
func.func @qmatmul_partial_outliers(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>,
                                    %rp: tensor<5xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{outliers need row_ptr, col_ind and values together}}
  %0 = "sparq.qmatmul"(%x, %w, %s, %rp) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1, 0, 0, 0>, storage_type = si4}>
      : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<5xi32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qmatmul_col_ind_type(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>,
                                %rp: tensor<5xi32>, %ci: tensor<3xi64>, %v: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{operand #4 must be 1D tensor of 32-bit signless integer values}}
  %0 = sparq.qmatmul %x, %w, %s outliers(%rp, %ci, %v) storage(si4)
      : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<5xi32>, tensor<3xi64>, tensor<3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

//===----------------------------------------------------------------------===//
// sparq.lut_matmul
//===----------------------------------------------------------------------===//

// -----

func.func @lut_bits(%x: tensor<2x8xf32>, %i: tensor<4x1xi8>, %cb: tensor<4x2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{bits must be between 2 and 8, got 1}}
  %0 = sparq.lut_matmul %x, %i, %cb bits(1) : (tensor<2x8xf32>, tensor<4x1xi8>, tensor<4x2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @lut_indices_rank(%x: tensor<2x8xf32>, %i: tensor<12xi8>, %cb: tensor<4x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{indices must be a 2-D packed [N, K] matrix, got rank 1}}
  %0 = sparq.lut_matmul %x, %i, %cb bits(3) : (tensor<2x8xf32>, tensor<12xi8>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @lut_indices_bytes(%x: tensor<2x8xf32>, %i: tensor<4x4xi8>, %cb: tensor<4x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{indices last dim must be ceil(K * bits / 8) = 3 for K = 8 at 3 bits, got 4}}
  %0 = sparq.lut_matmul %x, %i, %cb bits(3) : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @lut_codebook_length(%x: tensor<2x8xf32>, %i: tensor<4x3xi8>, %cb: tensor<4x16xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{codebooks must be [N, 2^bits] = [4, 8], got [4, 16]}}
  %0 = sparq.lut_matmul %x, %i, %cb bits(3) : (tensor<2x8xf32>, tensor<4x3xi8>, tensor<4x16xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @lut_codebook_rows(%x: tensor<2x8xf32>, %i: tensor<4x3xi8>, %cb: tensor<1x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{codebooks must be [N, 2^bits] = [4, 8], got [1, 8]}}
  %0 = sparq.lut_matmul %x, %i, %cb bits(3) : (tensor<2x8xf32>, tensor<4x3xi8>, tensor<1x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @lut_outliers(%x: tensor<2x8xf32>, %i: tensor<4x3xi8>, %cb: tensor<4x8xf32>,
                        %rp: tensor<6xi32>, %ci: tensor<3xi32>, %v: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{outlier row_ptr must have N + 1 = 5 elements, got 6}}
  %0 = sparq.lut_matmul %x, %i, %cb outliers(%rp, %ci, %v) bits(3)
      : (tensor<2x8xf32>, tensor<4x3xi8>, tensor<4x8xf32>, tensor<6xi32>, tensor<3xi32>, tensor<3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @lut_residual_type(%x: tensor<2x8xf32>, %i: tensor<4x3xi8>, %cb: tensor<4x8xf32>,
                             %r: tensor<2x4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{residual must have the result type 'tensor<2x4xf32>', got 'tensor<2x4xf16>'}}
  %0 = sparq.lut_matmul %x, %i, %cb bits(3) residual(%r)
      : (tensor<2x8xf32>, tensor<4x3xi8>, tensor<4x8xf32>, tensor<2x4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qmatmul_gated_odd_rows(%x: tensor<2x8xf32>, %w: tensor<5x4xi8>, %s: tensor<5x1xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{gated weights must have an even number of rows (gate rows, then as many up rows), got N = 5}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) activation(silu) gated
      : (tensor<2x8xf32>, tensor<5x4xi8>, tensor<5x1xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @qmatmul_gated_result_shape(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result shape [2, 4] must be the input's leading dims followed by N / 2 (gated): [2, 2]}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) activation(silu) gated
      : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @lut_gated_residual_type(%x: tensor<2x8xf32>, %i: tensor<4x3xi8>, %cb: tensor<4x8xf32>,
                                   %r: tensor<2x4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{residual must have the result type 'tensor<2x2xf32>', got 'tensor<2x4xf32>'}}
  %0 = sparq.lut_matmul %x, %i, %cb bits(3) activation(gelu) gated residual(%r)
      : (tensor<2x8xf32>, tensor<4x3xi8>, tensor<4x8xf32>, tensor<2x4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @qmatmul_residual_shape(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>,
                                  %r: tensor<1x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{residual must have the result type 'tensor<2x4xf32>', got 'tensor<1x4xf32>'}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) residual(%r)
      : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qmatmul_unknown_activation(%x: tensor<2x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'activation' [none, relu, gelu, gelu_tanh, silu]}}
  %0 = sparq.qmatmul %x, %w, %s storage(si4) activation(tanh)
      : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

//===----------------------------------------------------------------------===//
// sparq.int_matmul
//===----------------------------------------------------------------------===//

// -----

func.func @int_weights_rank(%a: tensor<2x8xi8>, %w: tensor<32xi8>) -> tensor<2x4xi32> {
  // expected-error @+1 {{weights must be a 2-D [N, K] matrix, got rank 1}}
  %0 = sparq.int_matmul %a, %w : (tensor<2x8xi8>, tensor<32xi8>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

func.func @int_one_scale(%a: tensor<2x8xi8>, %w: tensor<4x8xi8>, %sa: tensor<2x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{input_scales and weight_scales go together}}
  %0 = "sparq.int_matmul"(%a, %w, %sa) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}>
      : (tensor<2x8xi8>, tensor<4x8xi8>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @int_float_without_scales(%a: tensor<2x8xi8>, %w: tensor<4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result element type must be i32 without scales and a float type with them, got 'f32'}}
  %0 = sparq.int_matmul %a, %w : (tensor<2x8xi8>, tensor<4x8xi8>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @int_i32_with_scales(%a: tensor<2x8xi8>, %w: tensor<4x8xi8>, %sa: tensor<2x1xf32>, %sw: tensor<4x1xf32>) -> tensor<2x4xi32> {
  // expected-error @+1 {{result element type must be i32 without scales and a float type with them, got 'i32'}}
  %0 = sparq.int_matmul %a, %w scales(%sa, %sw) : (tensor<2x8xi8>, tensor<4x8xi8>, tensor<2x1xf32>, tensor<4x1xf32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

func.func @int_bias_without_scales(%a: tensor<2x8xi8>, %w: tensor<4x8xi8>, %b: tensor<4xf32>) -> tensor<2x4xi32> {
  // expected-error @+1 {{bias needs scales: an i32 result is not rescaled}}
  %0 = sparq.int_matmul %a, %w bias(%b) : (tensor<2x8xi8>, tensor<4x8xi8>, tensor<4xf32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

func.func @int_result_shape(%a: tensor<2x8xi8>, %w: tensor<4x8xi8>) -> tensor<2x8xi32> {
  // expected-error @+1 {{result shape [2, 8] must be the input's leading dims followed by N: [2, 4]}}
  %0 = sparq.int_matmul %a, %w : (tensor<2x8xi8>, tensor<4x8xi8>) -> tensor<2x8xi32>
  return %0 : tensor<2x8xi32>
}

// -----

func.func @int_k_mismatch(%a: tensor<2x8xi8>, %w: tensor<4x16xi8>) -> tensor<2x4xi32> {
  // expected-error @+1 {{weights last dim must be ceil(K * bits / 8) = 8 for K = 8 at 8 bits, got 16}}
  %0 = sparq.int_matmul %a, %w : (tensor<2x8xi8>, tensor<4x16xi8>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

func.func @int_input_scales(%a: tensor<2x8xi8>, %w: tensor<4x8xi8>, %sa: tensor<2x8xf32>, %sw: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{input_scales must be [1, 1] (per-tensor) or [2, 1] (per-token), got [2, 8]}}
  %0 = sparq.int_matmul %a, %w scales(%sa, %sw) : (tensor<2x8xi8>, tensor<4x8xi8>, tensor<2x8xf32>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @int_weight_scales(%a: tensor<2x8xi8>, %w: tensor<4x8xi8>, %sa: tensor<2x1xf32>, %sw: tensor<4x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{weight_scales must be [1, 1] (per-tensor) or [4, 1] (per-channel), got [4, 8]}}
  %0 = sparq.int_matmul %a, %w scales(%sa, %sw) : (tensor<2x8xi8>, tensor<4x8xi8>, tensor<2x1xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

//===----------------------------------------------------------------------===//
// sparq.observe / #sparq.stats / sparq.smooth
//===----------------------------------------------------------------------===//

// -----

func.func @observe_empty_name(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{name must not be empty: calibration results are keyed by it}}
  %0 = sparq.observe %x name("") : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @observe_axis(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for a rank-2 input}}
  %0 = sparq.observe %x name("x") axis(2) : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @observe_stats_channels(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{stats cover 2 channels, expected 4 (the size of the observed axis)}}
  %0 = sparq.observe %x name("x") axis(1)
      {stats = #sparq.stats<samples = 1, min = [0.0, 0.0], max = [1.0, 1.0], absmax = [1.0, 1.0]>}
      : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @observe_stats_per_tensor(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{stats cover 2 channels, expected 1 (per-tensor observer)}}
  %0 = sparq.observe %x name("x")
      {stats = #sparq.stats<samples = 1, min = [0.0, 0.0], max = [1.0, 1.0], absmax = [1.0, 1.0]>}
      : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// expected-error @+1 {{stats need at least one sample, got 0}}
#no_samples = #sparq.stats<samples = 0, min = [0.0], max = [1.0], absmax = [1.0]>

// -----

// expected-error @+1 {{stats min, max and absmax must cover the same number of channels, got 1, 2 and 1}}
#ragged = #sparq.stats<samples = 1, min = [0.0], max = [1.0, 2.0], absmax = [1.0]>

// -----

// expected-error @+1 {{stats must cover at least one channel}}
#empty = #sparq.stats<samples = 1, min = [], max = [], absmax = []>

// -----

// expected-error @+1 {{stats min (2.000000e+00) exceeds max (1.000000e+00) at channel 1}}
#inverted = #sparq.stats<samples = 1, min = [0.0, 2.0], max = [1.0, 1.0], absmax = [1.0, 2.0]>

// -----

// expected-error @+1 {{stats absmax (-1.000000e+00) is negative at channel 0}}
#negative = #sparq.stats<samples = 1, min = [0.0], max = [1.0], absmax = [-1.0]>

// -----

func.func @smooth_rank0(%x: tensor<f32>, %s: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{input must have rank >= 1 (channels are its last dim)}}
  %0 = sparq.smooth %x, %s : tensor<f32>, tensor<1xf32>
  return %0 : tensor<f32>
}

// -----

func.func @smooth_channels(%x: tensor<2x64xf32>, %s: tensor<32xf32>) -> tensor<2x64xf32> {
  // expected-error @+1 {{has 32 scales but the input's last dim is 64}}
  %0 = sparq.smooth %x, %s : tensor<2x64xf32>, tensor<32xf32>
  return %0 : tensor<2x64xf32>
}

// -----

func.func @softmax_rank0(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{input must have rank >= 1 (softmax runs along its last dim)}}
  %0 = sparq.softmax %x : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @softmax_zero_scale(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{scale must be finite and non-zero, got 0.000000e+00}}
  %0 = sparq.softmax %x scale(0.0) : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @softmax_fill_without_mask(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{fill(...) needs an i1 mask}}
  %0 = sparq.softmax %x fill(-1.0e+30) : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @softmax_select_without_fill(%x: tensor<2x8xf32>, %m: tensor<2x8xi1>) -> tensor<2x8xf32> {
  // expected-error @+1 {{an i1 mask needs fill(...), the score of masked positions}}
  %0 = sparq.softmax %x mask(%m : tensor<2x8xi1>) : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @softmax_mask_type(%x: tensor<2x8xf32>, %m: tensor<2x8xf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{mask element type 'f16' is neither i1 nor the input's 'f32'}}
  %0 = sparq.softmax %x mask(%m : tensor<2x8xf16>) : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @softmax_additive_fill(%x: tensor<2x8xf32>, %m: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{fill(...) applies to an i1 mask only; an additive mask of 'f32' has none}}
  %0 = sparq.softmax %x mask(%m : tensor<2x8xf32>) fill(0.0) : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @softmax_mask_shape(%x: tensor<2x8xf32>, %m: tensor<3x8xi1>) -> tensor<2x8xf32> {
  // expected-error @+1 {{mask of type 'tensor<3x8xi1>' does not broadcast to the input's type 'tensor<2x8xf32>'}}
  %0 = sparq.softmax %x mask(%m : tensor<3x8xi1>) fill(-1.0e+30) : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @softmax_mask_rank(%x: tensor<8xf32>, %m: tensor<2x8xi1>) -> tensor<8xf32> {
  // expected-error @+1 {{mask of type 'tensor<2x8xi1>' does not broadcast to the input's type 'tensor<8xf32>'}}
  %0 = sparq.softmax %x mask(%m : tensor<2x8xi1>) fill(-1.0e+30) : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @rms_norm_quantize_rank0(%x: tensor<f32>, %g: tensor<1xf32>, %s: tensor<f32>) -> tensor<i8> {
  // expected-error @+1 {{input must have rank >= 1 (the norm runs along its last dim)}}
  %0 = sparq.rms_norm_quantize %x, %g scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<f32>, tensor<1xf32>, tensor<f32>) -> tensor<i8>
  return %0 : tensor<i8>
}

// -----

func.func @rms_norm_quantize_gamma_shape(%x: tensor<4x64xf32>, %g: tensor<32xf32>, %s: tensor<1x1xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{gamma must be 1-D with the input's last dim (64), got 'tensor<32xf32>'}}
  %0 = sparq.rms_norm_quantize %x, %g scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<32xf32>, tensor<1x1xf32>) -> tensor<4x64xi8>
  return %0 : tensor<4x64xi8>
}

// -----

func.func @rms_norm_quantize_gamma_type(%x: tensor<4x64xf32>, %g: tensor<64xf16>, %s: tensor<1x1xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{gamma element type 'f16' differs from the input's 'f32'}}
  %0 = sparq.rms_norm_quantize %x, %g scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<64xf16>, tensor<1x1xf32>) -> tensor<4x64xi8>
  return %0 : tensor<4x64xi8>
}

// -----

func.func @rms_norm_quantize_epsilon(%x: tensor<4x64xf32>, %g: tensor<64xf32>, %s: tensor<1x1xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{epsilon must be finite and >= 0, got -1.000000e+00}}
  %0 = sparq.rms_norm_quantize %x, %g scales(%s) epsilon(-1.0) storage(si8) : (tensor<4x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<4x64xi8>
  return %0 : tensor<4x64xi8>
}

// -----

func.func @rms_norm_quantize_result_shape(%x: tensor<4x64xf32>, %g: tensor<64xf32>, %s: tensor<1x1xf32>) -> tensor<4x32xi8> {
  // expected-error @+1 {{packed tensor}}
  %0 = sparq.rms_norm_quantize %x, %g scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<4x32xi8>
  return %0 : tensor<4x32xi8>
}

// -----

func.func @rms_norm_quantize_static_token_scales(%x: tensor<4x64xf32>, %g: tensor<64xf32>, %s: tensor<1x1xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{returns token_scales, which only dynamic quantization (no scales operand) computes}}
  %0, %1 = sparq.rms_norm_quantize %x, %g scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> (tensor<4x64xi8>, tensor<4x1xf32>)
  return %0 : tensor<4x64xi8>
}

// -----

func.func @rms_norm_quantize_dynamic_no_scales_result(%x: tensor<4x64xf32>, %g: tensor<64xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{without scales (dynamic quantization) must also return the per-token scales 'tensor<4x1xf32>'}}
  %0 = sparq.rms_norm_quantize %x, %g epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xi8>
  return %0 : tensor<4x64xi8>
}

// -----

func.func @rms_norm_quantize_dynamic_zero_points(%x: tensor<4x64xf32>, %g: tensor<64xf32>, %z: tensor<1x1xi8>) -> tensor<4x64xi8> {
  // expected-error @+1 {{has zero_points but no scales; dynamic quantization is symmetric}}
  %0, %1 = sparq.rms_norm_quantize %x, %g zero_points(%z) epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<64xf32>, tensor<1x1xi8>) -> (tensor<4x64xi8>, tensor<4x1xf32>)
  return %0 : tensor<4x64xi8>
}

// -----

func.func @rms_norm_quantize_dynamic_unsigned(%x: tensor<4x64xf32>, %g: tensor<64xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{dynamic (per-token, symmetric) quantization needs signed storage, got 'ui8'}}
  %0, %1 = sparq.rms_norm_quantize %x, %g epsilon(1.0e-05) storage(ui8) : (tensor<4x64xf32>, tensor<64xf32>) -> (tensor<4x64xi8>, tensor<4x1xf32>)
  return %0 : tensor<4x64xi8>
}

// -----

func.func @layer_norm_quantize_dynamic_scales_shape(%x: tensor<4x64xf32>, %g: tensor<64xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{token_scales must be 'tensor<4x1xf32>' (the input's shape with a last dim of 1), got 'tensor<1x1xf32>'}}
  %0, %1 = sparq.layer_norm_quantize %x, %g epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<64xf32>) -> (tensor<4x64xi8>, tensor<1x1xf32>)
  return %0 : tensor<4x64xi8>
}

// -----

func.func @layer_norm_quantize_beta_shape(%x: tensor<4x64xf32>, %g: tensor<64xf32>, %b: tensor<4x64xf32>, %s: tensor<1x1xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{beta must be 1-D with the input's last dim (64), got 'tensor<4x64xf32>'}}
  %0 = sparq.layer_norm_quantize %x, %g beta(%b) scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<64xf32>, tensor<4x64xf32>, tensor<1x1xf32>) -> tensor<4x64xi8>
  return %0 : tensor<4x64xi8>
}

// -----

func.func @layer_norm_quantize_beta_type(%x: tensor<4x64xf32>, %g: tensor<64xf32>, %b: tensor<64xbf16>, %s: tensor<1x1xf32>) -> tensor<4x64xi8> {
  // expected-error @+1 {{beta element type 'bf16' differs from the input's 'f32'}}
  %0 = sparq.layer_norm_quantize %x, %g beta(%b) scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<4x64xf32>, tensor<64xf32>, tensor<64xbf16>, tensor<1x1xf32>) -> tensor<4x64xi8>
  return %0 : tensor<4x64xi8>
}
