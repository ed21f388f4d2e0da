// RUN: rm -rf %t && mkdir -p %t
// RUN: sparqc %s --quiet --emit=mlir -o %t/stage.mlirbc
// RUN: sparq-opt %t/stage.mlirbc | FileCheck %s --check-prefix=MLIR
// RUN: sparqc %s --quiet --emit=llvm -o %t/ && FileCheck %s --check-prefix=LLVM < %t/sparqc-stages.ll
// RUN: sparqc %s --quiet --emit=asm --cpu=x86-64-v3 -o %t/model.s && FileCheck %s --check-prefix=ASM < %t/model.s
// RUN: sparqc %s --quiet --emit=obj -o %t/model.o && test -s %t/model.o
// RUN: sparqc %s --quiet -o %t/model.so && llvm-nm -D --defined-only %t/model.so | FileCheck %s --check-prefix=SO

// MLIR: func.func @linear
// MLIR: sparq.qmatmul

// The entry gets a C wrapper; sparq ops are gone.
// LLVM: define {{.*}}void @_mlir_ciface_linear(
// LLVM-NOT: sparq.

// x86-64-v3 has AVX2 and FMA.
// ASM: linear:
// ASM: {{v[a-z0-9]+}} {{.*}}%ymm

// Only the C ABI is exported.
// SO-NOT: linear
// SO: T sparq_abi_version
// SO: T sparq_context_create
// SO: T sparq_context_destroy
// SO: T sparq_get_output
// SO: T sparq_input_info
// SO: T sparq_last_error
// SO: T sparq_num_inputs
// SO: T sparq_num_outputs
// SO: T sparq_output_info
// SO: T sparq_run
// SO: T sparq_set_input
// SO: T sparq_target
// SO-NOT: linear

func.func @linear(%x: tensor<4x64xf32> {sparq.name = "x"}) -> (tensor<4x16xf32> {sparq.name = "y"}) {
  %q = arith.constant dense<3> : tensor<16x64xi4>
  %w = sparq.pack %q : tensor<16x64xi4> -> tensor<16x32xi8>
  %s = arith.constant dense<0.5> : tensor<16x2xf32>
  %y = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<16x32xi8>, tensor<16x2xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
