// RUN: not sparq-opt %s --split-input-file --sparq-quant-report 2>&1 | FileCheck %s
// RUN: not sparq-opt %s --split-input-file --sparq-quant-report="inputs=%S" 2>&1 | FileCheck %s --check-prefix=NO-REFERENCE

// NO-REFERENCE: error: sparq-quant-report: inputs={{.*}} needs reference=FILE, the fp32 module to compare with

// CHECK: error: sparq.quant_info must be a dictionary with layer and scheme (strings) and bytes_before and bytes_after (integers), got {layer = "matmul_0"}
func.func @no_sizes(%x: tensor<1x4xf32>, %w: tensor<2x4xi8>, %s: tensor<2x1xf32>)
    -> tensor<1x2xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si8) {sparq.quant_info = {layer = "matmul_0"}}
      : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// CHECK: error: sparq.quant_info must be a dictionary with layer and scheme (strings) and bytes_before and bytes_after (integers), got "rtn"
func.func @not_a_dictionary(%x: tensor<1x4xf32>, %w: tensor<2x4xi8>, %s: tensor<2x1xf32>)
    -> tensor<1x2xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si8) {sparq.quant_info = "rtn"}
      : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
