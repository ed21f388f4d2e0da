// Bad inputs to sparq-import-onnx: every message names the file and the
// node, tensor, dimension or option at fault, the exit status is nonzero and
// no output file is left behind.

// RUN: rm -rf %t && %python %S/Inputs/errors.py %t

// Unsupported operators: one diagnostic lists each (domain, op, opset) with
// its nodes, across domains, and domains the model never imports.
// RUN: not sparq-import-onnx %t/unsupported.onnx -o %t/unsupported.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN-OPS
// RUN: test ! -e %t/unsupported.mlir
// UNKNOWN-OPS: error: {{.*}}unsupported.onnx: 4 unsupported operators (domain, op_type, opset):
// UNKNOWN-OPS-NEXT: (ai.onnx, LSTM, opset 17) in 2 nodes: 'lstm0', 'lstm1'
// UNKNOWN-OPS-NEXT: (com.example, FancyNorm, opset 3) in 1 node: 'fancy'
// UNKNOWN-OPS-NEXT: (ai.onnx.ml, TreeEnsembleRegressor, opset 3) in 1 node: 'trees'
// UNKNOWN-OPS-NEXT: (org.unknown, Mystery, opset not imported) in 1 node: '<unnamed>'
// UNKNOWN-OPS-NOT: Identity

// An operator sparq supports, at an opset older than its converter.
// RUN: not sparq-import-onnx %t/old_opset.onnx -o %t/old_opset.mlir 2>&1 | FileCheck %s --check-prefix=OLD-OPSET
// RUN: test ! -e %t/old_opset.mlir
// OLD-OPSET: error: {{.*}}old_opset.onnx: 1 unsupported operator (domain, op_type, opset):
// OLD-OPSET-NEXT: (ai.onnx, Add, opset 11) in 1 node: 'add'

// RUN: not sparq-import-onnx %t/no_default_opset.onnx -o %t/no_default_opset.mlir 2>&1 | FileCheck %s --check-prefix=NO-OPSET
// RUN: test ! -e %t/no_default_opset.mlir
// NO-OPSET: error: {{.*}}no_default_opset.onnx: the model imports no ai.onnx opset

// Nodes whose inputs disagree with the operator's schema: refused with the
// counts before a converter reads them, also where libonnx's checker does
// not run (opset 21 is newer than it knows).
// RUN: not sparq-import-onnx %t/arity_add.onnx -o %t/arity_add.mlir 2>&1 | FileCheck %s --check-prefix=ARITY
// RUN: test ! -e %t/arity_add.mlir
// ARITY: error: {{.*}}arity_add.onnx: node 'add' (Add): has 1 input; Add takes at least 2
// RUN: not sparq-import-onnx %t/arity_empty.onnx -o %t/arity_empty.mlir 2>&1 | FileCheck %s --check-prefix=EMPTY-NAME
// EMPTY-NAME: error: {{.*}}arity_empty.onnx: node 'relu' (Relu): has 0 inputs; Relu takes at least 1
// RUN: not sparq-import-onnx %t/arity_gap.onnx -o %t/arity_gap.mlir 2>&1 | FileCheck %s --check-prefix=INPUT-GAP
// INPUT-GAP: error: {{.*}}arity_gap.onnx: node 'add' (Add): leaves out input 0 ('A'), which Add requires

// Files that are not ONNX models.
// RUN: not sparq-import-onnx %t/truncated.onnx -o %t/truncated.mlir 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: test ! -e %t/truncated.mlir
// TRUNCATED: error: {{.*}}truncated.onnx: not a valid ONNX model (truncated or corrupt protobuf, {{[0-9]+}} bytes)

// RUN: not sparq-import-onnx %t/corrupt.onnx -o %t/corrupt.mlirbc 2>&1 | FileCheck %s --check-prefix=CORRUPT
// RUN: test ! -e %t/corrupt.mlirbc
// CORRUPT: error: {{.*}}corrupt.onnx: not a valid ONNX model (truncated or corrupt protobuf, 64 bytes)

// RUN: not sparq-import-onnx %t/nothere.onnx -o %t/nothere.mlir 2>&1 | FileCheck %s --check-prefix=NO-MODEL
// RUN: test ! -e %t/nothere.mlir
// NO-MODEL: error: {{.*}}nothere.onnx: cannot read the model: No such file or directory

// A node reading a tensor nothing defines: sparq's own message, and the
// ONNX checker's when it runs.
// RUN: not sparq-import-onnx %t/missing_initializer.onnx --no-checker -o %t/missing_initializer.mlir 2>&1 | FileCheck %s --check-prefix=UNDEFINED
// RUN: test ! -e %t/missing_initializer.mlir
// UNDEFINED: error: {{.*}}missing_initializer.onnx: node 'add' (Add) reads 'ghost', which no input, initializer or earlier node defines
// RUN: not sparq-import-onnx %t/missing_initializer.onnx -o %t/missing_initializer.mlir 2>&1 | FileCheck %s --check-prefix=UNDEFINED-CHECKER
// RUN: test ! -e %t/missing_initializer.mlir
// UNDEFINED-CHECKER: error: {{.*}}missing_initializer.onnx: the ONNX checker rejects the model: {{.*}}input 'ghost' of node:
// UNDEFINED-CHECKER-NEXT: name: add OpType: Add

// External data. The checker (opset 17) refuses some of these first; sparq's
// own messages are checked with --no-checker.
// RUN: not sparq-import-onnx %t/missing_file.onnx --no-checker -o %t/missing_file.mlir 2>&1 | FileCheck %s --check-prefix=MISSING-FILE
// RUN: test ! -e %t/missing_file.mlir
// MISSING-FILE: error: {{.*}}missing_file.onnx: tensor 'w': cannot open external data file '{{.*}}nothere.bin': No such file or directory
// RUN: not sparq-import-onnx %t/missing_file.onnx -o %t/missing_file.mlir 2>&1 | FileCheck %s --check-prefix=MISSING-FILE-CHECKER
// RUN: test ! -e %t/missing_file.mlir
// MISSING-FILE-CHECKER: error: {{.*}}missing_file.onnx: the ONNX checker rejects the model: {{.*}}tensor name: w{{.*}}nothere.bin

// RUN: not sparq-import-onnx %t/absolute.onnx --no-checker -o %t/absolute.mlir 2>&1 | FileCheck %s --check-prefix=ABSOLUTE
// RUN: test ! -e %t/absolute.mlir
// ABSOLUTE: error: {{.*}}absolute.onnx: tensor 'w': external data location '/etc/passwd' is an absolute path; it must be relative to the model's directory

// RUN: not sparq-import-onnx %t/dotdot.onnx --no-checker -o %t/dotdot.mlir 2>&1 | FileCheck %s --check-prefix=DOTDOT
// RUN: test ! -e %t/dotdot.mlir
// DOTDOT: error: {{.*}}dotdot.onnx: tensor 'w': external data location 'sub/../../data.bin' leaves the model's directory

// RUN: not sparq-import-onnx %t/length_mismatch.onnx -o %t/length_mismatch.mlir 2>&1 | FileCheck %s --check-prefix=LENGTH
// RUN: test ! -e %t/length_mismatch.mlir
// LENGTH: error: {{.*}}length_mismatch.onnx: tensor 'w': external data length 12 does not match the 16 bytes of its 4 elements of FLOAT

// RUN: not sparq-import-onnx %t/too_short.onnx -o %t/too_short.mlir 2>&1 | FileCheck %s --check-prefix=TOO-SHORT
// RUN: test ! -e %t/too_short.mlir
// TOO-SHORT: error: {{.*}}too_short.onnx: tensor 'w': external data wants bytes [0, 16) of '{{.*}}data.bin', which has 8 bytes

// RUN: not sparq-import-onnx %t/bad_offset.onnx -o %t/bad_offset.mlir 2>&1 | FileCheck %s --check-prefix=BAD-OFFSET
// RUN: test ! -e %t/bad_offset.mlir
// BAD-OFFSET: error: {{.*}}bad_offset.onnx: tensor 'w': external data offset 'x12' is not a number

// Inline data of the wrong size.
// RUN: not sparq-import-onnx %t/raw_size.onnx -o %t/raw_size.mlir 2>&1 | FileCheck %s --check-prefix=RAW-SIZE
// RUN: test ! -e %t/raw_size.mlir
// RAW-SIZE: error: {{.*}}raw_size.onnx: tensor 'w': raw data has 12 bytes, but its 4 elements of FLOAT need 16

// Node inputs that disagree.
// RUN: not sparq-import-onnx %t/type_mismatch.onnx -o %t/type_mismatch.mlir 2>&1 | FileCheck %s --check-prefix=TYPES
// RUN: test ! -e %t/type_mismatch.mlir
// TYPES: error: {{.*}}type_mismatch.onnx: node 'add' (Add): input element types differ: 'f32' and 'f16'

// RUN: not sparq-import-onnx %t/shape_mismatch.onnx -o %t/shape_mismatch.mlir 2>&1 | FileCheck %s --check-prefix=SHAPES
// RUN: test ! -e %t/shape_mismatch.mlir
// SHAPES: error: {{.*}}shape_mismatch.onnx: node 'add' (Add): shapes [2, 3] and [4] do not broadcast

// Symbolic dimensions: every unbound one, with every input using it.
// RUN: not sparq-import-onnx %t/symbolic.onnx -o %t/symbolic.mlir 2>&1 | FileCheck %s --check-prefix=UNBOUND
// RUN: test ! -e %t/symbolic.mlir
// UNBOUND: error: {{.*}}symbolic.onnx: unbound symbolic dimensions:
// UNBOUND-NEXT: 'batch' (used by input 'a'): bind it with --dim batch=N
// UNBOUND-NEXT: 'seq' (used by inputs 'a', 'b'): bind it with --dim seq=N

// RUN: not sparq-import-onnx %t/symbolic.onnx --dim batch=2 -o %t/symbolic.mlir 2>&1 | FileCheck %s --check-prefix=UNBOUND-SEQ
// RUN: test ! -e %t/symbolic.mlir
// UNBOUND-SEQ: error: {{.*}}symbolic.onnx: unbound symbolic dimension:
// UNBOUND-SEQ-NEXT: 'seq' (used by inputs 'a', 'b'): bind it with --dim seq=N
// UNBOUND-SEQ-NOT: batch

// Bound, the same model imports.
// RUN: sparq-import-onnx %t/symbolic.onnx --dim batch=2 --dim seq=3 | FileCheck %s --check-prefix=BOUND
// BOUND: func.func @main(%arg0: tensor<2x3xf32> {sparq.name = "a"}, %arg1: tensor<3xf32> {sparq.name = "b"}) -> (tensor<2x3xf32> {sparq.name = "y"})

// --dim syntax.
// RUN: not sparq-import-onnx %t/symbolic.onnx --dim seq -o %t/dim.mlir 2>&1 | FileCheck %s --check-prefix=DIM-NO-VALUE
// RUN: test ! -e %t/dim.mlir
// DIM-NO-VALUE: sparq-import-onnx: --dim 'seq' is not name=N with N >= 0
// RUN: not sparq-import-onnx %t/symbolic.onnx --dim =3 -o %t/dim.mlir 2>&1 | FileCheck %s --check-prefix=DIM-NO-NAME
// RUN: test ! -e %t/dim.mlir
// DIM-NO-NAME: sparq-import-onnx: --dim '=3' is not name=N with N >= 0
// RUN: not sparq-import-onnx %t/symbolic.onnx --dim batch=2 --dim seq=-1 -o %t/dim.mlir 2>&1 | FileCheck %s --check-prefix=DIM-NEGATIVE
// RUN: test ! -e %t/dim.mlir
// DIM-NEGATIVE: sparq-import-onnx: --dim 'seq=-1' is not name=N with N >= 0
// RUN: not sparq-import-onnx %t/symbolic.onnx --dim batch=2 --dim seq=3x -o %t/dim.mlir 2>&1 | FileCheck %s --check-prefix=DIM-GARBAGE
// RUN: test ! -e %t/dim.mlir
// DIM-GARBAGE: sparq-import-onnx: --dim 'seq=3x' is not name=N with N >= 0

// Graph outputs.
// RUN: not sparq-import-onnx %t/uncomputed_output.onnx -o %t/uncomputed_output.mlir 2>&1 | FileCheck %s --check-prefix=UNCOMPUTED
// RUN: test ! -e %t/uncomputed_output.mlir
// UNCOMPUTED: error: {{.*}}uncomputed_output.onnx: graph output 'z' is never computed

// RUN: not sparq-import-onnx %t/output_type.onnx -o %t/output_type.mlir 2>&1 | FileCheck %s --check-prefix=OUTPUT-TYPE
// RUN: test ! -e %t/output_type.mlir
// OUTPUT-TYPE: error: {{.*}}output_type.onnx: output 'y' is declared FLOAT16 but computes FLOAT

// RUN: not sparq-import-onnx %t/output_shape.onnx -o %t/output_shape.mlir 2>&1 | FileCheck %s --check-prefix=OUTPUT-SHAPE
// RUN: test ! -e %t/output_shape.mlir
// OUTPUT-SHAPE: error: {{.*}}output_shape.onnx: output 'y' is declared with shape [3, 2] but computes [2, 3]

// No model at all.
// RUN: not sparq-import-onnx -o %t/none.mlir 2>&1 | FileCheck %s --check-prefix=NO-INPUT
// RUN: test ! -e %t/none.mlir
// NO-INPUT: sparq-import-onnx: no input model (usage: sparq-import-onnx model.onnx -o model.mlirbc)
