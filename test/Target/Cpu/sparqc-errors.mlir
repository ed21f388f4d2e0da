// RUN: rm -rf %t && mkdir -p %t
// RUN: not sparqc %s --target=tpu -o %t/ 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: sparqc: error: --target=tpu is not one of cpu, cuda
// RUN: not sparqc %s --emit=exe -o %t/ 2>&1 | FileCheck %s --check-prefix=EMIT
// EMIT: sparqc: error: --emit=exe is not one of mlir, ptx, llvm, asm, obj, so
// RUN: not sparqc %s --emit=ptx -o %t/ 2>&1 | FileCheck %s --check-prefix=PTX
// PTX: sparqc: error: --emit=ptx needs --target=cuda
// RUN: not sparqc %t/missing.onnx -o %t/ 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: sparqc: error: {{.*}}missing.onnx: cannot read the model
// RUN: not sparqc %s.txt -o %t/ 2>&1 | FileCheck %s --check-prefix=KIND
// KIND: sparqc: error: '{{.*}}sparqc-errors.mlir.txt' is not an .onnx, .mlir or .mlirbc file
// RUN: not sparqc %s --quiet -o %t/out.so 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: sparqc: error: input 'x' has type 'tensor<?x4xf32>'; the compiled model needs tensors of static shape
// RUN: test ! -e %t/out.so

func.func @dynamic(%x: tensor<?x4xf32> {sparq.name = "x"}) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
