// sparqc --target=cuda at every stage on a small MLP: a 4-bit quantized
// matmul (the generated GEMV kernel, with the ReLU fused into it by sparqc),
// and a row sum (generic kernels).
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparqc %s --quiet --target=cuda --emit=mlir -o %t/kernels.mlir
// RUN: FileCheck %s --check-prefix=MLIR < %t/kernels.mlir
// The same stages in sparq-opt.
// RUN: sparq-opt %s --sparq-cuda-lowering="arch=sm_80 stop=kernels" | FileCheck %s --check-prefix=OPT
// RUN: sparq-opt %s --sparq-cuda-lowering="arch=sm_80" | FileCheck %s --check-prefix=OPTLLVM
// RUN: sparqc %s --quiet --target=cuda --emit=ptx -o %t/sm90a.ptx
// RUN: FileCheck %s --check-prefix=PTX90 < %t/sm90a.ptx
// RUN: sparqc %s --quiet --target=cuda --gpu-arch=sm_80 --emit=ptx -o %t/sm80.ptx
// RUN: FileCheck %s --check-prefix=PTX80 < %t/sm80.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t/sm90a.ptx -o %t/sm90a.cubin %}
// RUN: %if ptxas %{ %ptxas -arch=sm_80 %t/sm80.ptx -o %t/sm80.cubin %}
// RUN: sparqc %s --quiet --target=cuda --emit=llvm -o %t/host.ll
// RUN: FileCheck %s --check-prefix=LLVM < %t/host.ll
// RUN: sparqc %s --quiet --target=cuda -o %t/mlp.so
// RUN: llvm-nm -D --defined-only %t/mlp.so | FileCheck %s --check-prefix=SO
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', (np.arange(256, dtype=np.float32).reshape(4, 64) - 100) / 50)"
// RUN: %if !cuda %{ not sparq-run %t/mlp.so --target=cuda --input x=%t/x.npy 2>&1 | FileCheck %s --check-prefix=NOGPU %}
// RUN: %if !cuda %{ not sparq-run %t/mlp.so --target=cpu --input x=%t/x.npy 2>&1 | FileCheck %s --check-prefix=WRONG %}
// With a GPU: the same results as the CPU library.
// RUN: %if cuda %{ sparqc %s --quiet -o %t/cpu/mlp.so && sparq-run %t/cpu/mlp.so --input x=%t/x.npy --output-dir %t/cpu %}
// RUN: %if cuda %{ sparq-run %t/mlp.so --target=cuda --input x=%t/x.npy --expect %t/cpu --rtol 1e-5 --atol 1e-5 | FileCheck %s --check-prefix=GPU %}

// One gpu.module with the NVVM target holds every kernel; the host function
// launches them and takes the weights (hoisted constants) as arguments. The
// quantized matmul is a call of the launcher of a generated GEMV kernel,
// whose epilogue applies the ReLU.
// MLIR: module attributes {gpu.container_module}
// MLIR-DAG: memref.global constant @__sparq_const_{{[0-9]}} : memref<16x32xi8> = dense<51>
// MLIR-DAG: memref.global constant @__sparq_const_{{[0-9]}} : memref<16x2xf32> = dense<
// MLIR: func.func @mlp(%{{.*}}: memref<4x64xf32>, %{{.*}}: memref<4x16xf32>, %{{.*}}: memref<4x1xf32>, %{{.*}}: memref<16x2xf32>, %{{.*}}: memref<16x32xi8>)
// MLIR-SAME: llvm.emit_c_interface
// MLIR-NOT: memref.load
// MLIR-NOT: memref.store
// MLIR: call @[[GEMV:__sparq_gpu_gemv_s4_g32_m4_n16_k64_f32_relu_sm_90a]](
// MLIR: gpu.launch_func @sparq_kernels::@mlp_kernel blocks in
// MLIR: gpu.launch_func @sparq_kernels::@mlp_kernel_0 blocks in
// MLIR: return
// MLIR: gpu.module @sparq_kernels [#nvvm.target<O = 3, chip = "sm_90a">]
// MLIR: gpu.func @mlp_kernel({{.*}}) kernel
// MLIR: gpu.func @mlp_kernel_0({{.*}}) kernel
// MLIR: gpu.func @[[GEMV]]({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// MLIR: func.func private @[[GEMV]](
// MLIR: gpu.launch_func @sparq_kernels::@[[GEMV]] blocks in
// MLIR-NOT: gpu.module

// sparq-opt's lowering does not fuse: the ReLU is a kernel of its own.
// OPT: call @__sparq_gpu_gemv_s4_g32_m4_n16_k64_f32_sm_80(
// OPT: gpu.launch_func @sparq_kernels::@mlp_kernel blocks in
// OPT: gpu.module @sparq_kernels [#nvvm.target<O = 3, chip = "sm_80">]
// OPTLLVM: llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
// OPTLLVM: llvm.func @mlp(
// OPTLLVM: gpu.binary @sparq_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_80">, {{.*}}assembly = "

// PTX90: .target sm_90a
// PTX90: .visible .entry
// PTX90: ld.global.nc.v4
// PTX90: shfl.sync.bfly
// PTX80: .target sm_80
// PTX80: .visible .entry

// The host code launches through sparq's runtime, and the module is
// embedded with a constructor that registers it.
// LLVM-DAG: @llvm.global_ctors
// LLVM-DAG: define {{.*}}void @_mlir_ciface_mlp(
// LLVM-DAG: call {{.*}}@mgpuLaunchKernel(
// LLVM-DAG: declare {{.*}}@mgpuModuleLoad(

// The same C ABI as the CPU target, plus sparq_run_async; the runtime's
// functions stay inside.
// SO-NOT: mgpu
// SO: T sparq_abi_version
// SO: T sparq_context_create
// SO: T sparq_run
// SO: T sparq_run_async
// SO: T sparq_target
// SO-NOT: mgpu

// NOGPU: sparq-run: error: cuda:sm_90a: {{CUDA driver not found \(libcuda.so.1\): no NVIDIA driver on this machine|no CUDA device}}
// WRONG: sparq-run: error: {{.*}}mlp.so was compiled for cuda:sm_90a, not --target=cpu
// GPU: output 'y' matches
// GPU: output 'rowsum' matches

func.func @mlp(%x: tensor<4x64xf32> {sparq.name = "x"}) -> (tensor<4x16xf32> {sparq.name = "y"}, tensor<4x1xf32> {sparq.name = "rowsum"}) {
  %q = arith.constant dense<3> : tensor<16x64xi4>
  %w = sparq.pack %q : tensor<16x64xi4> -> tensor<16x32xi8>
  %s = arith.constant dense<[[0.2500, 0.5000], [0.3125, 0.4688], [0.3750, 0.4375], [0.4375, 0.4062], [0.5000, 0.3750], [0.2500, 0.3438], [0.3125, 0.3125], [0.3750, 0.5000], [0.4375, 0.4688], [0.5000, 0.4375], [0.2500, 0.4062], [0.3125, 0.3750], [0.3750, 0.3438], [0.4375, 0.3125], [0.5000, 0.5000], [0.2500, 0.4688]]> : tensor<16x2xf32>
  %h = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<16x32xi8>, tensor<16x2xf32>) -> tensor<4x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%h : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x16xf32>
  %init = tensor.empty() : tensor<4x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<4x1xf32>) -> tensor<4x1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%relu : tensor<4x16xf32>) outs(%acc : tensor<4x1xf32>) {
  ^bb0(%a: f32, %b: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<4x1xf32>
  return %relu, %sum : tensor<4x16xf32>, tensor<4x1xf32>
}
