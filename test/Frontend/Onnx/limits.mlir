// Hostile models: sizes no buffer can have, data claims that disagree with
// the bytes present, and subgraphs nested deeper than protobuf allows. Each
// is refused with a message naming the input, node or tensor; no output file
// is left behind.

// RUN: rm -rf %t && %python %S/Inputs/limits.py %t

// RUN: not sparq-import-onnx %t/huge_input.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=HUGE-INPUT
// RUN: test ! -e %t/out.mlir
// HUGE-INPUT: error: {{.*}}huge_input.onnx: input 'x' has shape [4611686018427387904, 4], whose size in bytes does not fit in 64 bits

// RUN: not sparq-import-onnx %t/negative_dim.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: test ! -e %t/out.mlir
// NEGATIVE: error: {{.*}}negative_dim.onnx: input 'x' dim 1 is -3; sizes must be >= 0

// RUN: not sparq-import-onnx %t/huge_broadcast.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=BROADCAST
// RUN: test ! -e %t/out.mlir
// BROADCAST: error: {{.*}}huge_broadcast.onnx: node 'add' (Add): output 0 ('y') has shape [1073741824, 1073741824], whose size in bytes does not fit in 64 bits

// RUN: not sparq-import-onnx %t/overflow_initializer.onnx --no-checker -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=OVERFLOW
// RUN: test ! -e %t/out.mlir
// OVERFLOW: error: {{.*}}overflow_initializer.onnx: tensor 'w' has too many elements

// RUN: not sparq-import-onnx %t/claim_initializer.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=CLAIM
// RUN: test ! -e %t/out.mlir
// CLAIM: error: {{.*}}claim_initializer.onnx: tensor 'w': raw data has 16 bytes, but its 1000000000 elements of FLOAT need 4000000000

// RUN: not sparq-import-onnx %t/huge_constant.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=CONSTANT
// RUN: test ! -e %t/out.mlir
// CONSTANT: error: {{.*}}huge_constant.onnx: tensor 'v' has too many elements

// Subgraphs: sparq converts no control flow, and protobuf (which parses
// recursively) stops at 100 levels of messages, about 33 nested If nodes.
// RUN: not sparq-import-onnx %t/nested_if_20.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=NESTED-20
// RUN: test ! -e %t/out.mlir
// NESTED-20: error: {{.*}}nested_if_20.onnx: 1 unsupported operator (domain, op_type, opset):
// NESTED-20-NEXT: (ai.onnx, If, opset 17) in 1 node: 'if0'
// RUN: not sparq-import-onnx %t/nested_if_1000.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=NESTED-1000
// RUN: test ! -e %t/out.mlir
// NESTED-1000: error: {{.*}}nested_if_1000.onnx: the model nests graphs deeper than protobuf's limit of 100 levels of messages

// Files that hold no model.
// RUN: not sparq-import-onnx %t/empty.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: test ! -e %t/out.mlir
// EMPTY: error: {{.*}}empty.onnx: the model file is empty
// RUN: not sparq-import-onnx %t/text.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=TEXT
// RUN: test ! -e %t/out.mlir
// TEXT: error: {{.*}}text.onnx: not a valid ONNX model (truncated or corrupt protobuf, 34 bytes)
