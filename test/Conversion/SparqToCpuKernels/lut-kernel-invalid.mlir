// RUN: sparq-opt %s -split-input-file -verify-diagnostics --generate-sparq-cpu-kernels | FileCheck %s

// A kernel declaration whose spec asks for 5-bit codes has no body to get.
// expected-error @+1 {{'func.func' op has a malformed sparq.lut_kernel attribute or arguments that do not match it}}
func.func private @bad_bits(memref<1x32xf32>, memref<4x20xi8>, memref<4x32xf32>, memref<1x4xf32>) attributes {sparq.lut_kernel = {bias = false, bits = 5 : i64, k = 32 : i64, m = 1 : i64, n = 4 : i64, outliers = false, vbmi = false, vector_bits = 512 : i64}}

// -----

// VBMI unpacking exists for 512-bit kernels only.
// expected-error @+1 {{has a malformed sparq.lut_kernel attribute}}
func.func private @vbmi_256(memref<1x32xf32>, memref<4x12xi8>, memref<4x8xf32>, memref<1x4xf32>) attributes {sparq.lut_kernel = {bias = false, bits = 3 : i64, k = 32 : i64, m = 1 : i64, n = 4 : i64, outliers = false, vbmi = true, vector_bits = 256 : i64}}

// -----

// The spec says bias, the declaration has no bias argument.
// expected-error @+1 {{arguments that do not match it}}
func.func private @missing_bias(memref<1x32xf32>, memref<4x12xi8>, memref<4x8xf32>, memref<1x4xf32>) attributes {sparq.lut_kernel = {bias = true, bits = 3 : i64, k = 32 : i64, m = 1 : i64, n = 4 : i64, outliers = false, vbmi = false, vector_bits = 512 : i64}}

// -----

// Packed indices of the wrong width: 3-bit rows of 32 codes are 12 bytes.
// expected-error @+1 {{arguments that do not match it}}
func.func private @wrong_index_bytes(memref<1x32xf32>, memref<4x16xi8>, memref<4x8xf32>, memref<1x4xf32>) attributes {sparq.lut_kernel = {bias = false, bits = 3 : i64, k = 32 : i64, m = 1 : i64, n = 4 : i64, outliers = false, vbmi = false, vector_bits = 512 : i64}}

// -----

// K must be a multiple of 32 and the attribute complete.
// expected-error @+1 {{has a malformed sparq.lut_kernel attribute}}
func.func private @k_48(memref<1x48xf32>, memref<4x18xi8>, memref<4x8xf32>, memref<1x4xf32>) attributes {sparq.lut_kernel = {bias = false, bits = 3 : i64, k = 48 : i64, m = 1 : i64, n = 4 : i64, outliers = false, vbmi = false, vector_bits = 512 : i64}}

// -----

// expected-error @+1 {{has a malformed sparq.lut_kernel attribute}}
func.func private @no_vbmi_key(memref<1x32xf32>, memref<4x12xi8>, memref<4x8xf32>, memref<1x4xf32>) attributes {sparq.lut_kernel = {bias = false, bits = 3 : i64, k = 32 : i64, m = 1 : i64, n = 4 : i64, outliers = false, vector_bits = 512 : i64}}

// -----

// A well-formed declaration gets its body.
// CHECK-LABEL: func.func private @good
// CHECK-NOT: sparq.lut_kernel
// CHECK: scf.parallel
// CHECK: llvm.x86.avx512.permvar.sf.512
func.func private @good(memref<1x32xf32>, memref<4x12xi8>, memref<4x8xf32>, memref<1x4xf32>) attributes {sparq.lut_kernel = {bias = false, bits = 3 : i64, k = 32 : i64, m = 1 : i64, n = 4 : i64, outliers = false, vbmi = false, vector_bits = 512 : i64}}
