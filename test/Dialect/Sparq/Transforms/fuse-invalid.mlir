// RUN: not sparq-opt %s --sparq-fuse="patterns=concat-siblings,bogus" 2>&1 | FileCheck %s

// CHECK: error: sparq-fuse: unknown fusion family 'bogus' in patterns=; valid: dequantize-matmul, concat-siblings, gated-mlp, epilogue
func.func @f() {
  return
}
