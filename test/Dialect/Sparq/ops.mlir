// RUN: sparq-opt %s | FileCheck %s
// Round trip through the generic form must give the same module back.
// RUN: sparq-opt %s --mlir-print-op-generic | sparq-opt | FileCheck %s
// RUN: sparq-opt %s --emit-bytecode | sparq-opt | FileCheck %s

// CHECK-LABEL: func @pack_unpack
func.func @pack_unpack(%q3: tensor<4x7xi3>, %q4: tensor<2x3x128xi4>,
                       %q8: tensor<5xui8>) -> (tensor<4x3xi8>, tensor<4x7xi3>, tensor<2x3x64xi8>, tensor<5xi8>) {
  // CHECK: sparq.pack %{{.*}} : tensor<4x7xi3> -> tensor<4x3xi8>
  %p3 = sparq.pack %q3 : tensor<4x7xi3> -> tensor<4x3xi8>
  // CHECK: sparq.unpack %{{.*}} : tensor<4x3xi8> -> tensor<4x7xi3>
  %u3 = sparq.unpack %p3 : tensor<4x3xi8> -> tensor<4x7xi3>
  // CHECK: sparq.pack %{{.*}} : tensor<2x3x128xi4> -> tensor<2x3x64xi8>
  %p4 = sparq.pack %q4 : tensor<2x3x128xi4> -> tensor<2x3x64xi8>
  // CHECK: sparq.pack %{{.*}} : tensor<5xui8> -> tensor<5xi8>
  %p8 = sparq.pack %q8 : tensor<5xui8> -> tensor<5xi8>
  return %p3, %u3, %p4, %p8 : tensor<4x3xi8>, tensor<4x7xi3>, tensor<2x3x64xi8>, tensor<5xi8>
}

// CHECK-LABEL: func @pack_quant_types
func.func @pack_quant_types(%q: tensor<32x16x!quant.uniform<i4:f32, 5.000000e-01>>,
                            %p: tensor<8x3xi8>) -> (tensor<32x8xi8>, tensor<8x6x!quant.uniform<u4:f32:0, {1.0:8, 2.0:8, 3.0:8, 4.0:8, 5.0:8, 6.0:8, 7.0:8, 8.0:8}>>) {
  // CHECK: sparq.pack %{{.*}} : tensor<32x16x!quant.uniform<i4:f32, 5.000000e-01>> -> tensor<32x8xi8>
  %0 = sparq.pack %q : tensor<32x16x!quant.uniform<i4:f32, 5.000000e-01>> -> tensor<32x8xi8>
  // CHECK: sparq.unpack %{{.*}} : tensor<8x3xi8> -> tensor<8x6x!quant.uniform<u4:f32:0
  %1 = sparq.unpack %p : tensor<8x3xi8> -> tensor<8x6x!quant.uniform<u4:f32:0, {1.0:8, 2.0:8, 3.0:8, 4.0:8, 5.0:8, 6.0:8, 7.0:8, 8.0:8}>>
  return %0, %1 : tensor<32x8xi8>, tensor<8x6x!quant.uniform<u4:f32:0, {1.0:8, 2.0:8, 3.0:8, 4.0:8, 5.0:8, 6.0:8, 7.0:8, 8.0:8}>>
}

// CHECK-LABEL: func @dynamic_leading_dims
func.func @dynamic_leading_dims(%q: tensor<?x9xi2>) -> tensor<?x3xi8> {
  // CHECK: sparq.pack %{{.*}} : tensor<?x9xi2> -> tensor<?x3xi8>
  %0 = sparq.pack %q : tensor<?x9xi2> -> tensor<?x3xi8>
  return %0 : tensor<?x3xi8>
}

// CHECK-LABEL: func @quantize_dequantize
func.func @quantize_dequantize(%w: tensor<256x512xf32>, %s: tensor<256x4xf32>,
                               %zp: tensor<256x4xi8>, %s1: tensor<256x1xf16>,
                               %w16: tensor<256x512xf16>, %fzp: tensor<1x1xf32>)
    -> (tensor<256x256xi8>, tensor<256x512xf16>, tensor<256x192xi8>, tensor<256x512xf32>) {
  // CHECK: sparq.quantize %{{.*}}, %{{.*}} zero_points(%{{.*}}) storage(ui4) : (tensor<256x512xf32>, tensor<256x4xf32>, tensor<256x4xi8>) -> tensor<256x256xi8>
  %p = sparq.quantize %w, %s zero_points(%zp) storage(ui4)
      : (tensor<256x512xf32>, tensor<256x4xf32>, tensor<256x4xi8>) -> tensor<256x256xi8>
  // CHECK: sparq.quantize %{{.*}}, %{{.*}} storage(si8) : (tensor<256x512xf16>, tensor<256x1xf16>) -> tensor<256x512xi8>
  %p8 = sparq.quantize %w16, %s1 storage(si8)
      : (tensor<256x512xf16>, tensor<256x1xf16>) -> tensor<256x512xi8>
  // CHECK: sparq.dequantize %{{.*}}, %{{.*}} storage(si8) : (tensor<256x512xi8>, tensor<256x1xf16>) -> tensor<256x512xf16>
  %d8 = sparq.dequantize %p8, %s1 storage(si8)
      : (tensor<256x512xi8>, tensor<256x1xf16>) -> tensor<256x512xf16>
  // Per-tensor parameters with a fractional float zero point, 3 bits.
  %s11 = arith.constant dense<0.25> : tensor<1x1xf32>
  // CHECK: sparq.quantize %{{.*}}, %{{.*}} zero_points(%{{.*}}) storage(ui3) : (tensor<256x512xf32>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<256x192xi8>
  %p3 = sparq.quantize %w, %s11 zero_points(%fzp) storage(ui3)
      : (tensor<256x512xf32>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<256x192xi8>
  // CHECK: sparq.dequantize %{{.*}}, %{{.*}} zero_points(%{{.*}}) storage(ui3) : (tensor<256x192xi8>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<256x512xf32>
  %d3 = sparq.dequantize %p3, %s11 zero_points(%fzp) storage(ui3)
      : (tensor<256x192xi8>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<256x512xf32>
  return %p, %d8, %p3, %d3 : tensor<256x256xi8>, tensor<256x512xf16>, tensor<256x192xi8>, tensor<256x512xf32>
}

// CHECK-LABEL: func @qmatmul
func.func @qmatmul(%x: tensor<1x512xf16>, %w: tensor<256x256xi8>,
                   %s: tensor<256x4xf16>, %zp: tensor<256x4xi8>,
                   %b: tensor<256xf16>, %rp: tensor<257xi32>,
                   %ci: tensor<655xi32>, %v: tensor<655xf16>,
                   %x3: tensor<2x16x512xf32>, %w8: tensor<256x512xi8>,
                   %s8: tensor<256x1xf32>) -> (tensor<1x256xf16>, tensor<2x16x256xf32>) {
  // CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} zero_points(%{{.*}}) bias(%{{.*}}) outliers(%{{.*}}, %{{.*}}, %{{.*}}) storage(ui4)
  // CHECK-SAME: -> tensor<1x256xf16>
  %y = sparq.qmatmul %x, %w, %s zero_points(%zp) bias(%b)
      outliers(%rp, %ci, %v) storage(ui4)
      : (tensor<1x512xf16>, tensor<256x256xi8>, tensor<256x4xf16>,
         tensor<256x4xi8>, tensor<256xf16>, tensor<257xi32>,
         tensor<655xi32>, tensor<655xf16>) -> tensor<1x256xf16>
  // CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} storage(si8) : (tensor<2x16x512xf32>, tensor<256x512xi8>, tensor<256x1xf32>) -> tensor<2x16x256xf32>
  %y8 = sparq.qmatmul %x3, %w8, %s8 storage(si8)
      : (tensor<2x16x512xf32>, tensor<256x512xi8>, tensor<256x1xf32>) -> tensor<2x16x256xf32>
  return %y, %y8 : tensor<1x256xf16>, tensor<2x16x256xf32>
}

// CHECK-LABEL: func @qmatmul_outliers_only
func.func @qmatmul_outliers_only(%x: tensor<512xf32>, %w: tensor<8x256xi8>,
                                 %s: tensor<8x1xf32>, %rp: tensor<9xi32>,
                                 %ci: tensor<?xi32>, %v: tensor<?xf32>) -> tensor<8xf32> {
  // CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} outliers(%{{.*}}, %{{.*}}, %{{.*}}) storage(si4)
  %y = sparq.qmatmul %x, %w, %s outliers(%rp, %ci, %v) storage(si4)
      : (tensor<512xf32>, tensor<8x256xi8>, tensor<8x1xf32>, tensor<9xi32>,
         tensor<?xi32>, tensor<?xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// CHECK-LABEL: func @lut_matmul
func.func @lut_matmul(%x: tensor<4x512xf32>, %idx: tensor<256x192xi8>,
                      %cb: tensor<256x8xf32>, %b: tensor<256xf32>,
                      %rp: tensor<257xi32>, %ci: tensor<600xi32>,
                      %v: tensor<600xf32>) -> (tensor<4x256xf32>, tensor<4x256xf32>) {
  // CHECK: sparq.lut_matmul %{{.*}}, %{{.*}}, %{{.*}} bits(3) : (tensor<4x512xf32>, tensor<256x192xi8>, tensor<256x8xf32>) -> tensor<4x256xf32>
  %0 = sparq.lut_matmul %x, %idx, %cb bits(3)
      : (tensor<4x512xf32>, tensor<256x192xi8>, tensor<256x8xf32>) -> tensor<4x256xf32>
  // CHECK: sparq.lut_matmul %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) outliers(%{{.*}}, %{{.*}}, %{{.*}}) bits(3)
  %1 = sparq.lut_matmul %x, %idx, %cb bias(%b) outliers(%rp, %ci, %v) bits(3)
      : (tensor<4x512xf32>, tensor<256x192xi8>, tensor<256x8xf32>,
         tensor<256xf32>, tensor<257xi32>, tensor<600xi32>, tensor<600xf32>)
      -> tensor<4x256xf32>
  return %0, %1 : tensor<4x256xf32>, tensor<4x256xf32>
}

// CHECK-LABEL: func @matmul_epilogues
func.func @matmul_epilogues(%x: tensor<1x4x512xf32>, %w: tensor<256x256xi8>,
                            %s: tensor<256x4xf32>, %b: tensor<256xf32>,
                            %r: tensor<1x4x256xf32>, %idx: tensor<256x192xi8>,
                            %cb: tensor<256x8xf32>)
    -> (tensor<1x4x256xf32>, tensor<1x4x256xf32>, tensor<1x4x256xf32>,
        tensor<1x4x256xf32>) {
  // CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) storage(si4) activation(gelu) residual(%{{.*}}) : (tensor<1x4x512xf32>, tensor<256x256xi8>, tensor<256x4xf32>, tensor<256xf32>, tensor<1x4x256xf32>) -> tensor<1x4x256xf32>
  %0 = sparq.qmatmul %x, %w, %s bias(%b) storage(si4) activation(gelu)
      residual(%r)
      : (tensor<1x4x512xf32>, tensor<256x256xi8>, tensor<256x4xf32>,
         tensor<256xf32>, tensor<1x4x256xf32>) -> tensor<1x4x256xf32>
  // CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} storage(si4) residual(%{{.*}}) :
  %1 = sparq.qmatmul %x, %w, %s storage(si4) residual(%r)
      : (tensor<1x4x512xf32>, tensor<256x256xi8>, tensor<256x4xf32>,
         tensor<1x4x256xf32>) -> tensor<1x4x256xf32>
  // CHECK: sparq.lut_matmul %{{.*}}, %{{.*}}, %{{.*}} bits(3) activation(silu) :
  %2 = sparq.lut_matmul %x, %idx, %cb bits(3) activation(silu)
      : (tensor<1x4x512xf32>, tensor<256x192xi8>, tensor<256x8xf32>)
      -> tensor<1x4x256xf32>
  // CHECK: sparq.lut_matmul %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) bits(3) activation(gelu_tanh) residual(%{{.*}}) :
  %3 = sparq.lut_matmul %x, %idx, %cb bias(%b) bits(3) activation(gelu_tanh)
      residual(%r)
      : (tensor<1x4x512xf32>, tensor<256x192xi8>, tensor<256x8xf32>,
         tensor<256xf32>, tensor<1x4x256xf32>) -> tensor<1x4x256xf32>
  return %0, %1, %2, %3 : tensor<1x4x256xf32>, tensor<1x4x256xf32>,
      tensor<1x4x256xf32>, tensor<1x4x256xf32>
}

// Gated outputs: 256 weight rows (gate, then up) give 128 columns.
// CHECK-LABEL: func @gated_matmuls
func.func @gated_matmuls(%x: tensor<1x4x512xf32>, %w: tensor<256x256xi8>,
                         %s: tensor<256x4xf32>, %b: tensor<256xf32>,
                         %r: tensor<1x4x128xf32>, %idx: tensor<256x192xi8>,
                         %cb: tensor<256x8xf32>)
    -> (tensor<1x4x128xf32>, tensor<1x4x128xf32>) {
  // CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) storage(si4) activation(silu) gated residual(%{{.*}}) : (tensor<1x4x512xf32>, tensor<256x256xi8>, tensor<256x4xf32>, tensor<256xf32>, tensor<1x4x128xf32>) -> tensor<1x4x128xf32>
  %0 = sparq.qmatmul %x, %w, %s bias(%b) storage(si4) activation(silu) gated
      residual(%r)
      : (tensor<1x4x512xf32>, tensor<256x256xi8>, tensor<256x4xf32>,
         tensor<256xf32>, tensor<1x4x128xf32>) -> tensor<1x4x128xf32>
  // CHECK: sparq.lut_matmul %{{.*}}, %{{.*}}, %{{.*}} bits(3) activation(gelu) gated :
  %1 = sparq.lut_matmul %x, %idx, %cb bits(3) activation(gelu) gated
      : (tensor<1x4x512xf32>, tensor<256x192xi8>, tensor<256x8xf32>)
      -> tensor<1x4x128xf32>
  return %0, %1 : tensor<1x4x128xf32>, tensor<1x4x128xf32>
}

// CHECK-LABEL: func @int_matmul
func.func @int_matmul(%a: tensor<16x512xi8>, %w: tensor<256x512xi8>,
                      %sa: tensor<16x1xf32>, %sw: tensor<256x1xf32>,
                      %st: tensor<1x1xf32>, %b: tensor<256xf16>,
                      %sa16: tensor<16x1xf16>, %sw16: tensor<256x1xf16>)
    -> (tensor<16x256xi32>, tensor<16x256xf32>, tensor<16x256xf16>) {
  // CHECK: sparq.int_matmul %{{.*}}, %{{.*}} : (tensor<16x512xi8>, tensor<256x512xi8>) -> tensor<16x256xi32>
  %acc = sparq.int_matmul %a, %w : (tensor<16x512xi8>, tensor<256x512xi8>) -> tensor<16x256xi32>
  // CHECK: sparq.int_matmul %{{.*}}, %{{.*}} scales(%{{.*}}, %{{.*}}) : (tensor<16x512xi8>, tensor<256x512xi8>, tensor<16x1xf32>, tensor<256x1xf32>) -> tensor<16x256xf32>
  %y = sparq.int_matmul %a, %w scales(%sa, %sw)
      : (tensor<16x512xi8>, tensor<256x512xi8>, tensor<16x1xf32>, tensor<256x1xf32>) -> tensor<16x256xf32>
  // CHECK: sparq.int_matmul %{{.*}}, %{{.*}} scales(%{{.*}}, %{{.*}}) bias(%{{.*}})
  %y16 = sparq.int_matmul %a, %w scales(%sa16, %sw16) bias(%b)
      : (tensor<16x512xi8>, tensor<256x512xi8>, tensor<16x1xf16>, tensor<256x1xf16>, tensor<256xf16>) -> tensor<16x256xf16>
  return %acc, %y, %y16 : tensor<16x256xi32>, tensor<16x256xf32>, tensor<16x256xf16>
}

// CHECK-LABEL: func @int_matmul_per_tensor
func.func @int_matmul_per_tensor(%a: tensor<2x8x64xi8>, %w: tensor<32x64xi8>,
                                 %sa: tensor<1x1x1xf32>, %sw: tensor<1x1xf32>) -> tensor<2x8x32xf32> {
  // CHECK: sparq.int_matmul %{{.*}}, %{{.*}} scales(%{{.*}}, %{{.*}}) : (tensor<2x8x64xi8>, tensor<32x64xi8>, tensor<1x1x1xf32>, tensor<1x1xf32>) -> tensor<2x8x32xf32>
  %y = sparq.int_matmul %a, %w scales(%sa, %sw)
      : (tensor<2x8x64xi8>, tensor<32x64xi8>, tensor<1x1x1xf32>, tensor<1x1xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// CHECK-LABEL: func @observe_and_smooth
func.func @observe_and_smooth(%x: tensor<1x16x2xf32>, %s: tensor<2xf32>) -> (tensor<1x16x2xf32>, tensor<1x16x2xf32>, tensor<1x16x2xf32>) {
  // CHECK: sparq.observe %{{.*}} name("blk0.attn_norm") : tensor<1x16x2xf32>
  %0 = sparq.observe %x name("blk0.attn_norm") : tensor<1x16x2xf32>
  // CHECK: sparq.observe %{{.*}} name("blk0.attn_norm.channels") axis(2) {stats = #sparq.stats<samples = 8, min = [-1.000000e+00, 0.000000e+00], max = [1.000000e+00, 2.000000e+00], absmax = [1.000000e+00, 2.000000e+00]>} : tensor<1x16x2xf32>
  %1 = sparq.observe %x name("blk0.attn_norm.channels") axis(2)
      {stats = #sparq.stats<samples = 8, min = [-1.0, 0.0],
                            max = [1.0, 2.0],
                            absmax = [1.0, 2.0]>}
      : tensor<1x16x2xf32>
  // CHECK: sparq.smooth %{{.*}}, %{{.*}} : tensor<1x16x2xf32>, tensor<2xf32>
  %2 = sparq.smooth %x, %s : tensor<1x16x2xf32>, tensor<2xf32>
  return %0, %1, %2 : tensor<1x16x2xf32>, tensor<1x16x2xf32>, tensor<1x16x2xf32>
}

// -----

// CHECK-LABEL: func @softmax
func.func @softmax(%x: tensor<1x4x8x8xf32>, %allowed: tensor<8x8xi1>, %bias: tensor<1x1x8xf32>)
    -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  // CHECK: sparq.softmax %{{.*}} : tensor<1x4x8x8xf32>
  %0 = sparq.softmax %x : tensor<1x4x8x8xf32>
  // CHECK: sparq.softmax %{{.*}} scale(1.250000e-01) mask(%{{.*}} : tensor<8x8xi1>) fill(-3.40282347E+38) : tensor<1x4x8x8xf32>
  %1 = sparq.softmax %x scale(0.125) mask(%allowed : tensor<8x8xi1>) fill(-3.40282347E+38) : tensor<1x4x8x8xf32>
  // CHECK: sparq.softmax %{{.*}} mask(%{{.*}} : tensor<1x1x8xf32>) : tensor<1x4x8x8xf32>
  %2 = sparq.softmax %x mask(%bias : tensor<1x1x8xf32>) : tensor<1x4x8x8xf32>
  return %0, %1, %2 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}

// -----

// CHECK-LABEL: func @rms_norm_quantize
func.func @rms_norm_quantize(%x: tensor<16x64xf32>, %g: tensor<64xf32>, %s: tensor<1x1xf32>, %z: tensor<1x1xi8>)
    -> (tensor<16x64xi8>, tensor<16x32xi8>) {
  // CHECK: sparq.rms_norm_quantize %{{.*}}, %{{.*}} scales(%{{.*}}) epsilon(9.99999974E-6) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  %0 = sparq.rms_norm_quantize %x, %g scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  // CHECK: sparq.rms_norm_quantize %{{.*}}, %{{.*}} scales(%{{.*}}) zero_points(%{{.*}}) epsilon(0.000000e+00) storage(ui4)
  %1 = sparq.rms_norm_quantize %x, %g scales(%s) zero_points(%z) epsilon(0.0) storage(ui4) : (tensor<16x64xf32>, tensor<64xf32>, tensor<1x1xf32>, tensor<1x1xi8>) -> tensor<16x32xi8>
  return %0, %1 : tensor<16x64xi8>, tensor<16x32xi8>
}

// -----

// CHECK-LABEL: func @layer_norm_quantize
func.func @layer_norm_quantize(%x: tensor<16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %s: tensor<1x1xf32>)
    -> (tensor<16x64xi8>, tensor<16x64xi8>) {
  // CHECK: sparq.layer_norm_quantize %{{.*}}, %{{.*}} beta(%{{.*}}) scales(%{{.*}}) epsilon(9.99999974E-6) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  %0 = sparq.layer_norm_quantize %x, %g beta(%b) scales(%s) epsilon(1.0e-05) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  // CHECK: sparq.layer_norm_quantize %{{.*}}, %{{.*}} scales(%{{.*}}) epsilon(0.000000e+00) storage(si8)
  %1 = sparq.layer_norm_quantize %x, %g scales(%s) epsilon(0.0) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  return %0, %1 : tensor<16x64xi8>, tensor<16x64xi8>
}

// -----

// Dynamic (per-token) quantization: no scales operand; the scales are a
// second result.
// CHECK-LABEL: func @norm_quantize_dynamic
func.func @norm_quantize_dynamic(%x: tensor<16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>)
    -> (tensor<16x64xi8>, tensor<16x1xf32>, tensor<16x64xi8>, tensor<16x1xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = sparq.rms_norm_quantize %{{.*}}, %{{.*}} epsilon(9.99999974E-6) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>) -> (tensor<16x64xi8>, tensor<16x1xf32>)
  %q, %s = sparq.rms_norm_quantize %x, %g epsilon(1.0e-05) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>) -> (tensor<16x64xi8>, tensor<16x1xf32>)
  // CHECK: %{{.*}}, %{{.*}} = sparq.layer_norm_quantize %{{.*}}, %{{.*}} beta(%{{.*}}) epsilon(9.99999974E-6) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<16x64xi8>, tensor<16x1xf32>)
  %q2, %s2 = sparq.layer_norm_quantize %x, %g beta(%b) epsilon(1.0e-05) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<16x64xi8>, tensor<16x1xf32>)
  return %q, %s, %q2, %s2 : tensor<16x64xi8>, tensor<16x1xf32>, tensor<16x64xi8>, tensor<16x1xf32>
}
