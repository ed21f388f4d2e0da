// Outputs that cannot be written. Every tool writes to a temporary next to
// the destination and renames it when complete, so a failure leaves neither
// half a file nor the temporary, and a file already there stays as it was.
// Running as root ignores permissions, so the destinations are made
// unwritable by putting a directory (or a file) where a file (or a directory)
// must go.

// RUN: rm -rf %t && mkdir -p %t/taken/model.mlirbc %t/taken/model.ll %t/taken/model.s %t/taken/model.o %t/taken/model.so %t/taken/report.txt %t/taken/stats.json %t/calib
// RUN: touch %t/file
// RUN: %python -c "import numpy as np; np.save('%t/calib/x.npy', np.ones((2, 3), np.float32))"

// sparqc, each --emit kind.
// RUN: not sparqc %s --quiet --emit=mlir -o %t/taken/model.mlirbc 2>&1 | FileCheck %s --check-prefix=MLIR
// MLIR: sparqc: error: cannot write {{.*}}taken/model.mlirbc: {{.*}}
// RUN: not sparqc %s --quiet --emit=llvm -o %t/taken/model.ll 2>&1 | FileCheck %s --check-prefix=LLVM
// LLVM: sparqc: error: cannot write {{.*}}taken/model.ll: {{.*}}
// RUN: not sparqc %s --quiet --emit=asm -o %t/taken/model.s 2>&1 | FileCheck %s --check-prefix=ASM
// ASM: sparqc: error: cannot write {{.*}}taken/model.s: {{.*}}
// RUN: not sparqc %s --quiet --emit=obj -o %t/taken/model.o 2>&1 | FileCheck %s --check-prefix=OBJ
// OBJ: sparqc: error: cannot write {{.*}}taken/model.o: {{.*}}
// RUN: not sparqc %s --quiet -o %t/taken/model.so 2>&1 | FileCheck %s --check-prefix=SO
// SO: sparqc: error: cannot write {{.*}}taken/model.so: {{.*}}
// An output directory that cannot be made.
// RUN: not sparqc %s --quiet -o %t/file/out 2>&1 | FileCheck %s --check-prefix=DIR
// DIR: sparqc: error: cannot create output directory '{{.*}}file/out': Not a directory

// The quantization report, and sparq-calibrate's statistics.
// RUN: not sparqc %s --quiet --quant="sparq-calibrate{inputs=%t/calib}" --calibration=%t/calib --report=%t/taken/report.txt -o %t/model.so 2>&1 | FileCheck %s --check-prefix=REPORT
// REPORT: error: cannot write the quantization report: cannot write {{.*}}taken/report.txt: {{.*}}
// RUN: not sparq-opt %s --sparq-calibrate="inputs=%t/calib stats-file=%t/taken/stats.json" 2>&1 | FileCheck %s --check-prefix=STATS
// STATS: error: sparq-calibrate: cannot write stats-file='{{.*}}taken/stats.json': cannot write {{.*}}taken/stats.json: {{.*}}

// sparq-import-onnx -o (the model is made by sparqc's test above: any .onnx
// works; a missing one must fail before anything is written).
// RUN: %python -c "from sparq.onnx_testing import single_node, value_info; single_node('%t/m.onnx', 'Identity', [value_info('x', 'float', [2])], [value_info('y', 'float', [2])])"
// RUN: mkdir -p %t/taken/m.mlir
// RUN: not sparq-import-onnx %t/m.onnx -o %t/taken/m.mlir 2>&1 | FileCheck %s --check-prefix=IMPORT
// IMPORT: sparq-import-onnx: cannot write {{.*}}taken/m.mlir: {{.*}}
// RUN: not sparq-import-onnx %t/m.onnx -o %t/file/m.mlir 2>&1 | FileCheck %s --check-prefix=IMPORT-DIR
// IMPORT-DIR: sparq-import-onnx: cannot write {{.*}}file/m.mlir: {{.*}}

// Nothing but the directories in the way is left.
// RUN: find %t/taken -mindepth 1 | sort | FileCheck %s --check-prefix=LEFT --implicit-check-not=partial
// LEFT: taken/m.mlir
// LEFT-NEXT: taken/model.ll
// LEFT-NEXT: taken/model.mlirbc
// LEFT-NEXT: taken/model.o
// LEFT-NEXT: taken/model.s
// LEFT-NEXT: taken/model.so
// LEFT-NEXT: taken/report.txt
// LEFT-NEXT: taken/stats.json
// LEFT-EMPTY:

// A failing compile leaves an earlier output untouched.
// RUN: echo previous > %t/kept.so
// RUN: not sparqc %S/sparqc-errors.mlir --quiet -o %t/kept.so
// RUN: FileCheck %s --check-prefix=KEPT < %t/kept.so
// KEPT: previous

func.func @linear(%x: tensor<2x3xf32> {sparq.name = "x"}) -> (tensor<2x2xf32> {sparq.name = "y"}) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>)
                     outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
