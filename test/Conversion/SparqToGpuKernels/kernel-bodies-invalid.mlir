// RUN: sparq-opt %s -split-input-file -verify-diagnostics --generate-sparq-gpu-kernels

// A launcher whose spec cannot be read is an error naming it, not a crash.

// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @no_chip}}
func.func private @no_chip(memref<1x64xf32>, memref<8x32xi8>, memref<8x2xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 4 : i64, family = "gemv", group_size = 32 : i64, k = 64 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @group_not_chunked}}
func.func private @group_not_chunked(memref<1x64xf32>, memref<8x32xi8>, memref<8x4xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 4 : i64, chip = "sm_80", family = "gemv", group_size = 16 : i64, k = 64 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @old_chip}}
func.func private @old_chip(memref<1x64xf32>, memref<8x32xi8>, memref<8x2xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 4 : i64, chip = "sm_75", family = "gemv", group_size = 32 : i64, k = 64 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// expected-error @below {{launcher @missing_bias should take 5 memrefs and return nothing for its sparq.gpu_kernel spec}}
func.func private @missing_bias(memref<1x64xf32>, memref<8x32xi8>, memref<8x2xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = true, bits = 4 : i64, chip = "sm_80", family = "gemv", group_size = 32 : i64, k = 64 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// W8A8: a bias needs scales.
// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @w8a8_bias_without_scales}}
func.func private @w8a8_bias_without_scales(memref<1x64xi8>, memref<8x64xi8>, memref<8xf32>, memref<1x8xi32>) attributes {sparq.gpu_kernel = {activation = "none", bias = true, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 64 : i64, input_scales = "none", k = 64 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weight_scales = "none", weights = "w8a8", zero_points = false}}

// -----

// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @w8a8_no_scale_kinds}}
func.func private @w8a8_no_scale_kinds(memref<1x64xi8>, memref<8x64xi8>, memref<1x8xi32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 64 : i64, k = 64 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "w8a8", zero_points = false}}

// -----

// f32 activations where the spec says int8, and per-token scales of the
// wrong shape.
// expected-error @below {{launcher @w8a8_f32_activations should take i8 activations [1, 64] and weights [8, 64], float scales ([M or 1, 1], [N or 1, 1]) and bias [N], and write float y [1, 8] for its sparq.gpu_kernel spec}}
func.func private @w8a8_f32_activations(memref<1x64xf32>, memref<8x64xi8>, memref<1x1xf32>, memref<8x1xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 64 : i64, input_scales = "token", k = 64 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weight_scales = "channel", weights = "w8a8", zero_points = false}}

// -----

// expected-error @below {{launcher @w8a8_scale_shape should take i8 activations [2, 64] and weights [8, 64], float scales ([M or 1, 1], [N or 1, 1]) and bias [N], and write float y [2, 8] for its sparq.gpu_kernel spec}}
func.func private @w8a8_scale_shape(memref<2x64xi8>, memref<8x64xi8>, memref<1x1xf32>, memref<8x1xf32>, memref<2x8xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 64 : i64, input_scales = "token", k = 64 : i64, m = 2 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weight_scales = "channel", weights = "w8a8", zero_points = false}}

// -----

// Split-K: each split must be whole chunks (K = 64 is 2 chunks of 32 int4
// weights, not 3 splits), ...
// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @split_not_chunked}}
func.func private @split_not_chunked(memref<1x64xf32>, memref<8x32xi8>, memref<8x2xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 4 : i64, chip = "sm_80", family = "gemv", group_size = 32 : i64, k = 64 : i64, k_splits = 3 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// ... the epilogue linear (no activation on partial sums) ...
// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @split_with_activation}}
func.func private @split_with_activation(memref<1x64xf32>, memref<8x32xi8>, memref<8x2xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "relu", bias = false, bits = 4 : i64, chip = "sm_80", family = "gemv", group_size = 32 : i64, k = 64 : i64, k_splits = 2 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// ... and y f32, which the splits add into with atomics.
// expected-error @below {{launcher @split_f16_y should write f32 y [1, 8] for the split-K of its sparq.gpu_kernel spec}}
func.func private @split_f16_y(memref<1x64xf32>, memref<8x32xi8>, memref<8x2xf32>, memref<1x8xf16>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 4 : i64, chip = "sm_80", family = "gemv", group_size = 32 : i64, k = 64 : i64, k_splits = 2 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// A W8A8 result rounded to f16 has no atomic add to split into.
// expected-error @below {{launcher @w8a8_split_f16_y should write f32 y [1, 8] for the split-K of its sparq.gpu_kernel spec}}
func.func private @w8a8_split_f16_y(memref<1x2048xi8>, memref<8x2048xi8>, memref<1x1xf32>, memref<1x1xf32>, memref<1x8xf16>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 2048 : i64, input_scales = "tensor", k = 2048 : i64, k_splits = 2 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weight_scales = "tensor", weights = "w8a8", zero_points = false}}

// -----

// Only the GEMV pairs gate and up rows: a gated GEMM spec is malformed.
// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @gated_gemm}}
func.func private @gated_gemm(memref<16x128xf32>, memref<16x64xi8>, memref<16x4xf32>, memref<16x8xf32>) attributes {sparq.gpu_kernel = {activation = "silu", bias = false, bits = 4 : i64, chip = "sm_80", family = "gemm", gated = true, group_size = 32 : i64, k = 128 : i64, m = 16 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// A product of two sums is not linear in each split's part: no split-K.
// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @gated_split_k}}
func.func private @gated_split_k(memref<1x8192xf32>, memref<16x4096xi8>, memref<16x64xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 4 : i64, chip = "sm_80", family = "gemv", gated = true, group_size = 128 : i64, k = 8192 : i64, k_splits = 2 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// `gated` must be a boolean.
// expected-error @below {{malformed sparq.gpu_kernel attribute on launcher @gated_not_bool}}
func.func private @gated_not_bool(memref<1x128xf32>, memref<16x64xi8>, memref<16x4xf32>, memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "silu", bias = false, bits = 4 : i64, chip = "sm_80", family = "gemv", gated = 1 : i64, group_size = 32 : i64, k = 128 : i64, m = 1 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}
