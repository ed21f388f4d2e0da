// Bad inputs to sparq-run: each message names the input, file or directory
// at fault, the exit status is 1, and nothing is read past the end of a file.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/bad_tensors.py %t
// RUN: sparqc %s --quiet -o %t/model.so
// RUN: sparq-run %t/model.so --input x=%t/x.npy --output-dir %t/out
// RUN: %python -c "import numpy as np; np.testing.assert_array_equal(np.load('%t/out/y.npy'), 2 * np.arange(6, dtype=np.float32).reshape(2, 3))"

// RUN: not sparq-run 2>&1 | FileCheck %s --check-prefix=NO-LIBRARY
// NO-LIBRARY: sparq-run: error: no model library (usage: sparq-run out/model.so --input name=x.npy)
// RUN: not sparq-run %t/nothere.so 2>&1 | FileCheck %s --check-prefix=NO-FILE
// NO-FILE: sparq-run: error: {{.*}}nothere.so: {{.*}}No such file or directory
// RUN: not sparq-run %t/x.npy 2>&1 | FileCheck %s --check-prefix=NOT-A-LIBRARY
// NOT-A-LIBRARY: sparq-run: error: {{.*}}x.npy: {{.*}}x.npy: invalid ELF header
// RUN: not sparq-run /lib/x86_64-linux-gnu/libz.so.1 2>&1 | FileCheck %s --check-prefix=NOT-SPARQ
// NOT-SPARQ: sparq-run: error: /lib/x86_64-linux-gnu/libz.so.1: missing symbol sparq_abi_version (not a library written by sparqc?)

// Wrong input name, type and shape; no input at all; too many inputs.
// RUN: not sparq-run %t/model.so --input z=%t/x.npy 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: sparq-run: error: the model has no input 'z' (inputs: x)
// RUN: not sparq-run %t/model.so --input x=%t/x_f64.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: sparq-run: error: input 'x' must be float32 [2, 3], got float64 [2, 3]
// RUN: not sparq-run %t/model.so --input x=%t/x_shape.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: sparq-run: error: input 'x' must be float32 [2, 3], got float32 [3, 2]
// RUN: not sparq-run %t/model.so 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: sparq-run: error: input 'x' (float32 [2, 3]) is not given
// RUN: not sparq-run %t/model.so --input %t/x.npy --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=TOO-MANY
// TOO-MANY: sparq-run: error: more inputs given than the model's 1

// Files that are not what they claim.
// RUN: not sparq-run %t/model.so --input x=%t/x_complex.npy 2>&1 | FileCheck %s --check-prefix=COMPLEX
// COMPLEX: sparq-run: error: {{.*}}x_complex.npy: unsupported .npy dtype in header {'descr': '<c8'
// RUN: not sparq-run %t/model.so --input x=%t/truncated.npy 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: sparq-run: error: {{.*}}truncated.npy: holds 19 data bytes, shape [2, 3] needs 24
// RUN: not sparq-run %t/model.so --input x=%t/overflow.npy 2>&1 | FileCheck %s --check-prefix=OVERFLOW
// OVERFLOW: sparq-run: error: {{.*}}overflow.npy: shape [4611686018427387904, 8] in the header has too many elements
// RUN: not sparq-run %t/model.so --input x=%t/text.npy 2>&1 | FileCheck %s --check-prefix=TEXT
// TEXT: sparq-run: error: {{.*}}text.npy: not a .npy file
// RUN: not sparq-run %t/model.so --input x=%t/empty.npy 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: sparq-run: error: {{.*}}empty.npy: not a .npy file
// RUN: not sparq-run %t/model.so --input x=%t/nothere.npy 2>&1 | FileCheck %s --check-prefix=NO-NPY
// NO-NPY: sparq-run: error: {{.*}}nothere.npy: No such file or directory

// ONNX test data: an expected output with less data than its shape, and an
// input whose shape overflows.
// RUN: not sparq-run %t/model.so --inputs-from %t/data_set --expect %t/short_expect 2>&1 | FileCheck %s --check-prefix=SHORT-PB
// SHORT-PB: sparq-run: error: {{.*}}output_0.pb: tensor 'y' holds 8 data bytes, but its shape [2, 3] of float32 needs 24
// RUN: not sparq-run %t/model.so --inputs-from %t/huge_set 2>&1 | FileCheck %s --check-prefix=HUGE-PB
// HUGE-PB: sparq-run: error: {{.*}}input_0.pb: tensor 'x' of shape [4611686018427387904, 4611686018427387904] has too many elements

// An output directory that cannot be made (a file is in the way), and one
// whose output file cannot be written (a directory is in the way): nothing
// else is written, no temporary is left behind.
// RUN: touch %t/blocker
// RUN: not sparq-run %t/model.so --input x=%t/x.npy --output-dir %t/blocker/out 2>&1 | FileCheck %s --check-prefix=OUT-DIR
// OUT-DIR: sparq-run: error: cannot create --output-dir '{{.*}}blocker/out': Not a directory
// RUN: mkdir -p %t/taken/y.npy
// RUN: not sparq-run %t/model.so --input x=%t/x.npy --output-dir %t/taken 2>&1 | FileCheck %s --check-prefix=OUT-FILE
// OUT-FILE: sparq-run: error: output 'y': cannot write {{.*}}taken/y.npy: {{.*}}
// RUN: ls %t/taken | FileCheck %s --check-prefix=OUT-FILE-LEFT --implicit-check-not=partial
// OUT-FILE-LEFT: y.npy

func.func @double(%x: tensor<2x3xf32> {sparq.name = "x"}) -> (tensor<2x3xf32> {sparq.name = "y"}) {
  %y = arith.addf %x, %x : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
