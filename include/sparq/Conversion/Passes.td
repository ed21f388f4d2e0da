//===- Passes.td - sparq conversion passes -----------------*- tablegen -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_CONVERSION_PASSES_TD
#define SPARQ_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSparqToLinalg : Pass<"convert-sparq-to-linalg"> {
  let summary = "Lower sparq ops to reference linalg, tensor, arith and scf IR";
  let description = [{
    Rewrites every sparq op into upstream ops that state its semantics
    directly: unpacking reads bits with shifts, `sparq.dequantize` is a
    `linalg.generic` over the weights with block-indexed scales, the matmuls
    dequantize (or look up) the whole weight matrix, add the densified CSR
    outliers, and contract with a `linalg.generic`.

    This is the reference lowering: it makes any sparq program executable
    through upstream pipelines (bufferization, loops, LLVM), which is what
    numerical tests compare optimized kernels against. It materializes
    dequantized weight matrices, so it is never the path for a decoding hot
    loop; the CPU and GPU kernel lowerings are.

    Example:

    ```
    sparq-opt --convert-sparq-to-linalg model.mlir
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertSparqToCpuKernels : Pass<"convert-sparq-to-cpu-kernels",
                                    "::mlir::ModuleOp"> {
  let summary = "Lower quantized matmuls to vectorized, multithreaded CPU "
                "kernels";
  let description = [{
    Rewrites `sparq.qmatmul` ops whose weights are 4- or 8-bit (signed, or
    unsigned with integer zero points), whose activations are f32 with at
    most `max-rows` rows (decoding and short prefills; rows go in register
    tiles of up to 8), and whose group size the kernels tile, into calls of
    a kernel function generated next to the model:

    1. The activations of each group are quantized to int8 on the fly
       (symmetric, per row and group, round half to even) and, for 4-bit
       weights, stored in the order the packed nibbles come in: the even
       elements of each block, then the odd ones.
    2. Output rows run in parallel (`scf.parallel`, OpenMP after
       `convert-scf-to-openmp`). Each row streams its packed weights once:
       a vector load, a mask and a shift split the nibbles, and AVX-512 VNNI
       `vpdpbusd` multiplies them with the int8 activations into int32 lanes.
       Signed weights become unsigned by flipping their sign bits, which is
       a fixed zero point of 8 (4-bit) or 128 (8-bit).
    3. Per group, the int32 lanes are converted and scaled by the weight and
       activation scales into f32 lanes; the zero point term uses the
       group's activation sum. One horizontal sum per row, then the bias and
       the row's CSR outliers (in f32, against the original activations).

    No dequantized weight is ever stored. Ops the kernels do not cover are
    left for `convert-sparq-to-linalg`.

    With `activations=f32` the kernels stay exact instead: activations keep
    f32 (stored in nibble order for 4-bit weights), weights are widened to
    f32 in registers and multiplied in with FMAs, and each group's sum is
    scaled once; zero points use the group's activation sum.

    `sparq.lut_matmul` ops with 3- or 4-bit codebooks, f32 activations of
    at most `max-rows` rows and K a multiple of 32 become calls of codebook
    kernels (exact, f32): each output row keeps its 8 or 16 centroids in a
    vector register; per 32 codes one load of the packed indices (12 or 16
    bytes), per vector a constant byte shuffle, a per-lane shift and a mask
    unpack the codes, and `vpermps` looks them up, feeding FMAs for every
    activation row of a tile; bias and CSR outliers are added per output.
    `vector-bits` picks the registers: 512 (AVX-512, zmm) or 256 (AVX2, ymm;
    16-entry tables take two permutes and a blend); 0 leaves codebook
    matmuls to the reference lowering (CPUs without AVX2). With `vbmi`,
    512-bit kernels unpack each vector of codes with one `vpmultishiftqb`
    on a qword broadcast from memory instead.

    Example:

    ```
    sparq-opt --convert-sparq-to-cpu-kernels="activations=f32 vector-bits=256" \
        --one-shot-bufferize --generate-sparq-cpu-kernels model.mlir
    ```

    With `int8-matmuls`, W8A8 `sparq.int_matmul` ops with at most
    `max-rows` rows and K a multiple of 16 become calls of AVX-512 VNNI
    kernels: each weight byte gets its sign bit flipped (unsigned, w + 128)
    and `vpdpbusd` multiplies it with the signed int8 activations; `-128 *
    sum(x)` per activation row restores the exact int32 dot product. The
    rescale (`acc * input scale * weight scale + bias` in f32) is the
    reference lowering's, so results are bit-identical to it.

    This pass writes the calls and kernel declarations (marked with a
    `sparq.kernel`, `sparq.lut_kernel` or `sparq.int8_kernel` attribute);
    `generate-sparq-cpu-kernels` writes the bodies once the graph is
    bufferized. The int8 kernels need avx512vnni and avx512vl.
  }];
  let options = [
    Option<"maxRows", "max-rows", "int64_t", /*default=*/"64",
           "Largest M (product of the activations' leading dims) to lower">,
    Option<"activations", "activations", "std::string", /*default=*/"\"int8\"",
           "int8: quantize activations for VNNI dot products (needs "
           "avx512vnni and avx512vl; approximate); f32: keep them and "
           "dequantize weights in registers (exact, any x86-64 vector ISA)">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Vector register width of the codebook (lut_matmul) kernels: 512 "
           "(AVX-512), 256 (AVX2) or 0 (no codebook kernels)">,
    Option<"vbmi", "vbmi", "bool", /*default=*/"false",
           "The target has AVX-512 VBMI: 512-bit codebook kernels unpack "
           "codes with vpmultishiftqb">,
    Option<"int8Matmuls", "int8-matmuls", "bool", /*default=*/"false",
           "Lower W8A8 sparq.int_matmul to AVX-512 VNNI kernels (exact; "
           "needs avx512vnni and avx512vl)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def GenerateSparqCpuKernels : Pass<"generate-sparq-cpu-kernels",
                                   "::mlir::ModuleOp"> {
  let summary = "Write the bodies of the CPU kernels that "
                "convert-sparq-to-cpu-kernels declared";
  let description = [{
    Each function declaration with a `sparq.kernel` or `sparq.lut_kernel`
    attribute gets its body: scf loops, vector loads and arithmetic, an
    `scf.parallel` over output rows, and `llvm.call_intrinsic` of AVX-512
    VNNI dot products or of `vpermps` (codebook lookups). It runs
    after bufferization (and its deallocation analysis, which cannot see
    through LLVM intrinsics) and before `convert-scf-to-openmp`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvertSparqToGpuKernels : Pass<"convert-sparq-to-gpu-kernels",
                                    "::mlir::ModuleOp"> {
  let summary = "Lower quantized matmuls to launches of generated CUDA "
                "kernels";
  let description = [{
    Rewrites `sparq.qmatmul` ops with 4- or 8-bit weights (signed, or
    unsigned with zero points of any integer or float type), per-output-
    channel scales and a group size that is a multiple of 32 (per-channel
    included), and `sparq.lut_matmul` ops with 3- or 4-bit codebooks, whose
    activations are f32 with static shapes, into calls of launcher
    functions on the operands' buffers. Bias, CSR outliers and the
    activation / residual epilogue go into the same kernel. W8A8
    `sparq.int_matmul` ops (int8 activations and weights, K a multiple of
    16) get kernels of their own: i32 accumulation, and the per-tensor or
    per-token x per-tensor or per-channel rescale (and bias) in f32 in the
    epilogue, rounded to the float result type, or the i32 result.

    Ops with at most `gemv-max-rows` activation rows use the GEMV kernels:
    each warp owns an output row and streams its packed weights in 16-byte
    loads (48 bytes for 3-bit codes), unpacks and dequantizes them in
    registers, multiplies them with every activation row, adds the row's
    CSR outliers and reduces with warp shuffles. Larger M uses the
    tensor-core GEMM kernels (`mma.sync` m16n8k16, f16 operands, f32
    accumulation), which need K to be a multiple of 128 (64 for 8-bit
    weights) and have no 3-bit codebook variant. W8A8 GEMVs use `dp4a`
    (4-way int8 dot products) and W8A8 GEMMs `mma.sync` m16n8k32 with s8
    operands and s32 accumulators (K a multiple of 64).

    Split-K (`gemv-split-k`, on by default): when a GEMV's grid would be
    under about 4 waves of the chip's SMs (108 on sm_80, 84 on sm_86/sm_89,
    132 on sm_90/sm_90a) and its epilogue is linear (no activation) with an
    f32 result (or the i32 W8A8 result), its K range is cut into up to 8
    equal splits of whole chunks, at least 32 chunks each (`k_splits` in
    the spec, `_ks<S>` in the launcher name). The splits add into y with
    atomics, so f32 results are not bitwise reproducible run to run.

    Ops no kernel covers are left for `convert-sparq-to-linalg` with a
    remark that says why. `generate-sparq-gpu-kernels` writes the launcher
    bodies and the kernels after bufferization.

    Example:

    ```
    sparq-opt --convert-sparq-to-gpu-kernels=gpu-arch=sm_90a \
        --one-shot-bufferize --generate-sparq-gpu-kernels model.mlir
    ```
  }];
  let options = [
    Option<"gpuArch", "gpu-arch", "std::string", /*default=*/"\"sm_80\"",
           "Target GPU (sm_80, sm_86, sm_89, sm_90, sm_90a, ...); the "
           "kernels need sm_80 or newer">,
    Option<"gemvMaxRows", "gemv-max-rows", "int64_t", /*default=*/"8",
           "Largest M (product of the activations' leading dims) for the "
           "GEMV kernels; larger M uses the tensor-core GEMM kernels">,
    Option<"gemvSplitK", "gemv-split-k", "bool", /*default=*/"true",
           "Split K over grid rows (atomic adds into y) for GEMVs whose "
           "grid would leave SMs idle; false keeps one pass over K, with "
           "run-to-run reproducible results">,
  ];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def GenerateSparqGpuKernels : Pass<"generate-sparq-gpu-kernels",
                                   "::mlir::ModuleOp"> {
  let summary = "Write the CUDA kernels and launchers that "
                "convert-sparq-to-gpu-kernels declared";
  let description = [{
    Each function declaration with a `sparq.gpu_kernel` attribute gets a
    body that launches (`gpu.launch_func`) a kernel this pass builds in the
    `gpu.module` `@sparq_kernels_<chip>` (with an `#nvvm.target` for that
    chip) from gpu, arith, vector, memref, scf, nvgpu and llvm ops:

    - GEMV (M up to `gemv-max-rows`): 256 threads, 8 warps, one output row
      per warp; each lane reads 16-byte chunks of packed weights with
      invariant global loads (`ld.global.nc.v4`), unpacks and dequantizes
      them in registers (codebook entries are fetched from the lane that
      holds them with an index shuffle), multiplies them with each
      activation row, adds the row's CSR outliers, reduces the lanes with
      butterfly shuffles and lane 0 runs the epilogue. With `k_splits` > 1
      the launcher first zeroes y with a kernel of its own, grid y indexes
      the split, and lane 0 adds its partial sum to y with an atomic add
      (f32, or i32 for an unscaled W8A8 GEMV); split 0 adds the bias,
      residual and outliers.
    - GEMM: 128 threads, 4 warps side by side along N, a 16 x 32 output
      tile per warp (four `nvgpu.mma.sync` m16n8k16 tiles, f16 operands,
      f32 accumulators). K is permuted within each 4-lane group so that a
      lane's 16-byte weight chunk holds exactly the B fragment elements it
      needs; the activations are read in the same order.

    The module is marked `gpu.container_module`. Lower the kernels with
    `convert-gpu-to-nvvm`, `convert-nvgpu-to-nvvm` and
    `gpu-module-to-binary` (see `addSparqGpuModuleToBinaryPasses`).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvertStridedCopiesToLinalg : Pass<"convert-strided-copies-to-linalg"> {
  let summary = "Rewrite memref.copy between non-contiguous buffers as "
                "linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between contiguous
    buffers to an `llvm.memcpy` intrinsic, but one involving a strided
    buffer (a sliced or concatenated tensor returned as an output, for
    instance) to a call of the `memrefCopy` function of MLIR's runner
    library, which compiled models do not link. As `linalg.copy`, those
    copies become plain loops instead.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // SPARQ_CONVERSION_PASSES_TD
