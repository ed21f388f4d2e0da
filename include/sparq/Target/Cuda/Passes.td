//===- Passes.td - Passes of the CUDA back end -------------*- tablegen -*-===//
//
// Part of the sparq project.
//
// What the CUDA pipeline (sparq-cuda-lowering) needs between bufferization
// and upstream's GPU passes: the host code of a model must never read
// device memory, constants must reach the device, parallel loops need a
// mapping to blocks and threads, and the outlined kernels go into one
// module.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_TARGET_CUDA_PASSES_TD
#define SPARQ_TARGET_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def SparqGpuOffloadHostMemoryAccesses
    : Pass<"sparq-gpu-offload-host-memory-accesses", "::mlir::ModuleOp"> {
  let summary = "Move every memory access of host functions into parallel "
                "loops that become kernels";
  let description = [{
    On the GPU every buffer the host code allocates lives in device memory,
    which the host cannot read or write. After bufferization and
    `convert-linalg-to-parallel-loops`, host functions (those outside
    `gpu.module`) still hold `memref.copy` ops and the odd load, store or
    sequential loop (a reduction without parallel dimensions, a scalar
    read). This pass rewrites each `memref.copy` as an `scf.parallel` copy
    loop; a value loaded on the host only for parallel loops (a scalar
    input, a reduction's result used by the next elementwise loop) is loaded
    inside each of those loops instead, with the pure ops computing from it,
    unless something in between writes the buffer; every run of
    consecutive other ops that touch memory is wrapped in a one-iteration
    `scf.parallel`, which becomes a kernel of one thread. An op whose result
    the host needs (a loaded value deciding control flow) cannot move; the
    pass reports it and fails.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def SparqGpuHoistConstants
    : Pass<"sparq-gpu-hoist-constants", "::mlir::ModuleOp"> {
  let summary = "Turn the constants a public function reads into arguments";
  let description = [{
    Weights are `memref.global` constants in the library's read-only data,
    in host memory. The model's C ABI copies them to the device once per
    context and passes the device copies to the entry function. This pass
    makes that possible: every constant global a public function reads
    becomes a new trailing argument of that function (attribute
    `sparq.constant = @name`), and the global is renamed
    `__sparq_const_<i>` and made public so the ABI's C code can refer to
    its data. A private function that reads a constant is an error.
  }];
}

def SparqGpuMapParallelLoops
    : Pass<"sparq-gpu-map-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Tile outermost scf.parallel loops of host functions and "
                "map them to GPU blocks and threads";
  let description = [{
    Each outermost `scf.parallel` of a host function is tiled by
    `block-size` along its innermost dimension; the loop over tiles maps
    innermost dimension first to blocks x, y, z and the loop within a tile
    to threads x, so consecutive threads touch consecutive elements; a
    dimension of a single tile takes no block index. A dimension beyond the
    third or too large for blocks y and z (65535) runs sequentially in each
    thread, and nested parallel loops become `scf.for` nests. The result is
    ready for `convert-parallel-loops-to-gpu`.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block along the innermost dimension">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def SparqGpuMergeKernelModules
    : Pass<"sparq-gpu-merge-kernel-modules", "::mlir::ModuleOp"> {
  let summary = "Move every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` puts each kernel in a `gpu.module` of its own.
    One module per model means one PTX file, one `ptxas` run and one module
    load at run time. Kernels and the symbols they use move into the module
    `name`; a symbol copied into several modules (a helper function, a
    global) is kept once. `gpu.launch_func` ops are updated.
  }];
  let options = [
    Option<"moduleName", "name", "std::string", /*default=*/"\"sparq_kernels\"",
           "Name of the merged gpu.module">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // SPARQ_TARGET_CUDA_PASSES_TD
