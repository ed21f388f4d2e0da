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
