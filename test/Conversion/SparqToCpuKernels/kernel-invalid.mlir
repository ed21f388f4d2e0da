// RUN: sparq-opt %s -split-input-file -verify-diagnostics --generate-sparq-cpu-kernels

// A gated kernel pairs weight rows j and N/2 + j: N must be even.
// expected-error @+1 {{'func.func' op has a malformed sparq.kernel attribute}}
func.func private @gated_odd_n(memref<1x128xf32>, memref<5x64xi8>, memref<5x2xf32>, memref<1x2xf32>) attributes {sparq.kernel = {activation = "silu", bias = false, bits = 4 : i64, gated = true, group_size = 64 : i64, int8_activations = false, k = 128 : i64, m = 1 : i64, n = 5 : i64, outliers = false, signed = true, zero_points = false}}

// -----

// `gated` must be a boolean.
// expected-error @+1 {{'func.func' op has a malformed sparq.kernel attribute}}
func.func private @gated_not_bool(memref<1x128xf32>, memref<4x64xi8>, memref<4x2xf32>, memref<1x2xf32>) attributes {sparq.kernel = {activation = "silu", bias = false, bits = 4 : i64, gated = 1 : i64, group_size = 64 : i64, int8_activations = false, k = 128 : i64, m = 1 : i64, n = 4 : i64, outliers = false, signed = true, zero_points = false}}

// -----

// An unknown activation name.
// expected-error @+1 {{'func.func' op has a malformed sparq.kernel attribute}}
func.func private @bad_activation(memref<1x128xf32>, memref<4x64xi8>, memref<4x2xf32>, memref<1x4xf32>) attributes {sparq.kernel = {activation = "swish", bias = false, bits = 4 : i64, group_size = 64 : i64, int8_activations = false, k = 128 : i64, m = 1 : i64, n = 4 : i64, outliers = false, signed = true, zero_points = false}}

// -----

// A W8A8 kernel with a bias but no rescale has no f32 result to add it to.
// expected-error @+1 {{'func.func' op has a malformed sparq.int8_kernel attribute or arguments that do not match it}}
func.func private @int8_bias_without_scales(memref<1x64xi8>, memref<8x64xi8>, memref<8xf32>, memref<1x8xi32>) attributes {sparq.int8_kernel = {bias = true, k = 64 : i64, m = 1 : i64, n = 8 : i64, per_channel = false, per_token = false, rescaled = false}}

// -----

// Per-token scales are [M, 1]: [1, 1] does not match the spec.
// expected-error @+1 {{'func.func' op has a malformed sparq.int8_kernel attribute or arguments that do not match it}}
func.func private @int8_scales_shape(memref<2x64xi8>, memref<8x64xi8>, memref<1x1xf32>, memref<8x1xf32>, memref<2x8xf32>) attributes {sparq.int8_kernel = {bias = false, k = 64 : i64, m = 2 : i64, n = 8 : i64, per_channel = true, per_token = true, rescaled = true}}

// -----

// K must be a multiple of 16 (the narrowest vpdpbusd).
// expected-error @+1 {{'func.func' op has a malformed sparq.int8_kernel attribute or arguments that do not match it}}
func.func private @int8_k_40(memref<1x40xi8>, memref<8x40xi8>, memref<1x8xi32>) attributes {sparq.int8_kernel = {bias = false, k = 40 : i64, m = 1 : i64, n = 8 : i64, per_channel = false, per_token = false, rescaled = false}}
