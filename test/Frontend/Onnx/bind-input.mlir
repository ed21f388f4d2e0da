// Inputs that decide shapes become constants with --bind-input.
// RUN: rm -rf %t && %python %S/Inputs/bind_input.py %t

// RUN: sparq-import-onnx %t/reshape.onnx --bind-input shape=%t/shape.npy | FileCheck %s --check-prefix=NPY
// NPY: func.func @main(%{{.*}}: tensor<2x6xf32> {sparq.name = "data"}) -> (tensor<3x4xf32> {sparq.name = "y"})
// RUN: sparq-import-onnx %t/reshape.onnx --bind-input shape=%t/shape.pb | FileCheck %s --check-prefix=PB
// PB: -> (tensor<4x3xf32> {sparq.name = "y"})

// Without the binding, the shape is unknown at compile time.
// RUN: not sparq-import-onnx %t/reshape.onnx 2>&1 | FileCheck %s --check-prefix=UNBOUND
// UNBOUND: node 'reshape' (Reshape): input 'shape' must be a compile-time constant

// RUN: not sparq-import-onnx %t/reshape.onnx --bind-input size=%t/shape.npy 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: --bind-input names 'size', which is not an input of the model (inputs: 'data', 'shape')
// RUN: not sparq-import-onnx %t/reshape.onnx --bind-input shape=%t/shape_i32.npy 2>&1 | FileCheck %s --check-prefix=TYPE
// TYPE: --bind-input shape: input 'shape' is INT64 but {{.*}}shape_i32.npy holds INT32
// RUN: not sparq-import-onnx %t/reshape.onnx --bind-input shape=%t/shape_3.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: --bind-input shape: {{.*}}shape_3.npy holds shape [3], which input 'shape' does not accept
// RUN: not sparq-import-onnx %t/reshape.onnx --bind-input shape=%t/garbage.pb 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: garbage.pb: neither a .npy file nor an ONNX TensorProto
// RUN: not sparq-import-onnx %t/reshape.onnx --bind-input shape=%t/missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: missing.npy: No such file or directory
// RUN: not sparq-import-onnx %t/reshape.onnx --bind-input shape 2>&1 | FileCheck %s --check-prefix=SYNTAX
// SYNTAX: --bind-input 'shape' is not name=file
