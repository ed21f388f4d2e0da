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
