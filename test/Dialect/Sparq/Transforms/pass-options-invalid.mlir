// Pass options that do not parse: an option the pass does not have, and a
// value of the wrong kind. (Values out of range are each pass's own
// *-invalid.mlir test; sparqc's flags are in Target/Cpu/sparqc-errors.mlir.)

// RUN: not sparq-opt %s --sparq-quantize-weights="bitz=4" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: <Pass-Options-Parser>: no such option bitz

// RUN: not sparq-opt %s --sparq-quantize-weights="bits=abc" 2>&1 | FileCheck %s --check-prefix=MALFORMED
// MALFORMED: for the --bits option: 'abc' value invalid for uint argument!

// RUN: not sparqc %s --quiet --quant="bogus-pass" -o %t.so 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: test ! -e %t.so
// PIPELINE: sparqc: error: --quant=bogus-pass is not w4a16, squeezellm, w8a8-smoothquant or a pass pipeline: {{.*}}'bogus-pass' does not refer to a registered pass or pass pipeline

// RUN: not sparqc %s --quiet --threads=x -o %t.so 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: sparqc: error: --threads='x' is not a number

func.func @f(%x: tensor<2xf32> {sparq.name = "x"}) -> (tensor<2xf32> {sparq.name = "y"}) {
  return %x : tensor<2xf32>
}
