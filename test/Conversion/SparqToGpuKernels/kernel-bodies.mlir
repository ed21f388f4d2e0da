// RUN: sparq-opt %s -split-input-file --generate-sparq-gpu-kernels --canonicalize --cse | FileCheck %s

// The GEMV launcher launches blocks of 256 threads = 8 warps of 2 rows
// (M = 2) each; the kernel lives in the gpu.module of its chip. Each lane
// walks its chunks, two per step (32 int4 weights per row, one invariant
// 16-byte load kept whole by a freeze; all 4 loads first), flips the sign bits once per word, turns fields
// into floats through the mantissa of 2^23 (0x4B000008 = 8388608 + 8 for
// signed int4), scales each chunk once, reduces with five butterfly
// shuffles per output, and lane 0 adds the bias and stores; the second row
// only if it is below N.
// CHECK-LABEL: func.func private @gemv_s4(
// CHECK-NOT: sparq.gpu_kernel
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: gpu.launch_func @sparq_kernels_sm_80::@gemv_s4 blocks in (%[[C4]], %{{.*}}, %{{.*}}) threads in (%[[C256]], %{{.*}}, %{{.*}}) args(%arg0 : memref<2x4096xf32, strided<[?, 1], offset: ?>>
// CHECK: gpu.module @sparq_kernels_sm_80 [#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">]
// CHECK: gpu.func @gemv_s4({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK-DAG: %[[MAGIC:.*]] = arith.constant 1258291200 : i32
// CHECK-DAG: %[[BIAS:.*]] = arith.constant 0x4B000008 : f32
// CHECK-DAG: %[[SIGNS:.*]] = arith.constant -2004318072 : i32
// CHECK: gpu.thread_id x
// CHECK: gpu.block_id x
// CHECK: scf.if
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32)
// CHECK: %[[LOAD:.*]] = llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK: %[[WORDS:.*]] = llvm.freeze %[[LOAD]] : vector<4xi32>
// CHECK: %[[W0:.*]] = vector.extract %[[WORDS]][0]
// CHECK: %[[B0:.*]] = arith.xori %[[W0]], %[[SIGNS]] : i32
// CHECK: memref.load %arg2{{.*}} : memref<64x32xf16
// CHECK-COUNT-3: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xf32>
// CHECK: %[[FIELD:.*]] = arith.andi %[[B0]], %{{.*}} : i32
// CHECK: %[[BITS:.*]] = arith.ori %[[FIELD]], %[[MAGIC]] : i32
// CHECK: %[[F:.*]] = arith.bitcast %[[BITS]] : i32 to f32
// CHECK: arith.subf %[[F]], %[[BIAS]] : f32
// CHECK: math.fma
// CHECK: scf.yield
// CHECK-COUNT-20: gpu.shuffle xor
// CHECK: scf.if
// CHECK: memref.load %arg3
// CHECK: memref.store %{{.*}}, %arg4
// CHECK: memref.store %{{.*}}, %arg4
// CHECK: %[[SECOND:.*]] = arith.cmpi ult, %{{.*}}, %{{.*}} : index
// CHECK: scf.if %[[SECOND]]
// CHECK: memref.store %{{.*}}, %arg4
// CHECK: memref.store %{{.*}}, %arg4
// CHECK: gpu.return
func.func private @gemv_s4(memref<2x4096xf32, strided<[?, 1], offset: ?>>, memref<64x2048xi8, strided<[?, 1], offset: ?>>, memref<64x32xf16, strided<[?, 1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>, memref<2x64xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = true, bits = 4 : i64, chip = "sm_80", family = "gemv", group_size = 128 : i64, k = 4096 : i64, m = 2 : i64, n = 64 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}

// -----

// Codebook GEMV, M = 1: 4 rows per warp, so 2 blocks for N = 64. Lane l
// holds entry l mod 16 of each row's codebook, codes
// are looked up with index shuffles; CSR outliers are spread over the
// lanes before the reduction.
// CHECK-LABEL: func.func private @gemv_lut4
// CHECK: gpu.launch_func @sparq_kernels_sm_90a::@gemv_lut4 blocks in (%c2,
// CHECK: gpu.func @gemv_lut4
// CHECK: %[[SLOT:.*]] = arith.andi %{{.*}}, %{{.*}} : index
// CHECK: %[[ENTRY:.*]] = memref.load %arg2[%{{.*}}, %[[SLOT]]] : memref<64x16xf32
// CHECK: scf.for
// CHECK: gpu.shuffle idx %[[ENTRY]], %{{.*}}, %{{.*}} : f32
// CHECK: scf.yield
// CHECK: memref.load %arg3
// CHECK: scf.for
// CHECK: memref.load %arg4
// CHECK: memref.load %arg5
// CHECK: math.fma
// CHECK: scf.yield
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK: gpu.return
func.func private @gemv_lut4(memref<1x4096xf32, strided<[?, 1], offset: ?>>, memref<64x2048xi8, strided<[?, 1], offset: ?>>, memref<64x16xf32, strided<[?, 1], offset: ?>>, memref<65xi32, strided<[1], offset: ?>>, memref<10xi32, strided<[1], offset: ?>>, memref<10xf32, strided<[1], offset: ?>>, memref<1x64xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 4 : i64, chip = "sm_90a", family = "gemv", group_size = 4096 : i64, k = 4096 : i64, m = 1 : i64, n = 64 : i64, outliers = true, residual = false, signed = false, weights = "codebook", zero_points = false}}

// -----

// The GEMM launcher: blocks of 128 threads over 16 x 128 tiles of y
// (N = 200: 2 blocks, M = 40: 3 blocks). Per K block of 128, each lane
// loads one chunk per tile, and per step of 16 k it feeds four
// mma.sync m16n8k16 with f16 fragments; the epilogue is guarded per
// element. The kernel may use 128 registers (ptxas would otherwise stop at
// 96 and spill).
// CHECK-LABEL: func.func private @gemm_u4
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch_func @sparq_kernels_sm_80::@gemm_u4 blocks in (%[[C2]], %[[C3]], %{{.*}}) threads in (%[[C128]], %{{.*}}, %{{.*}})
// CHECK: gpu.func @gemm_u4({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.maxnreg = 128 : i32}
// CHECK: gpu.block_id y
// CHECK: scf.for {{.*}} -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK-COUNT-4: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: scf.yield
// CHECK: arith.cmpi ult
// CHECK: scf.if
// CHECK: arith.maximumf
// CHECK: memref.store
// CHECK: gpu.return
func.func private @gemm_u4(memref<40x256xf32, strided<[?, 1], offset: ?>>, memref<200x128xi8, strided<[?, 1], offset: ?>>, memref<200x2xf32, strided<[?, 1], offset: ?>>, memref<200x2xi8, strided<[?, 1], offset: ?>>, memref<40x200xf32>) attributes {sparq.gpu_kernel = {activation = "relu", bias = false, bits = 4 : i64, chip = "sm_80", family = "gemm", group_size = 128 : i64, k = 256 : i64, m = 40 : i64, n = 200 : i64, outliers = false, residual = false, signed = false, weights = "uniform", zero_points = true}}

// -----

// W8A8 GEMV, M = 1: 4 rows per warp (2 blocks for N = 64). K = 1040 is 65
// chunks of 16 bytes: two per lane and step, the second step ragged (lanes
// past the end drop their products). Per step and chunk, one invariant
// 16-byte load per weight row and one of the activation row, then four
// dp4a per row; the i32 sums are reduced with butterfly shuffles and lane 0
// rescales in f32 (per-tensor activation scale, per-channel f16 weight
// scale), adds the bias and stores.
// CHECK-LABEL: func.func private @gemv_w8a8(
// CHECK: gpu.launch_func @sparq_kernels_sm_80::@gemv_w8a8 blocks in (%c2,
// CHECK: gpu.func @gemv_w8a8({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK: %[[C65:.*]] = arith.constant 65 : index
// CHECK: scf.if
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C65]] step %{{.*}} iter_args({{.*}}) -> (i32, i32, i32, i32)
// CHECK: %[[ACTIVE:.*]] = arith.cmpi ult, %{{.*}}, %[[C65]] : index
// CHECK: %[[W:.*]] = llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK: %[[WORDS:.*]] = llvm.freeze %[[W]] : vector<4xi32>
// CHECK: %[[W0:.*]] = vector.extract %[[WORDS]][0] : i32 from vector<4xi32>
// CHECK-COUNT-3: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK: %[[XL:.*]] = llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK: %[[XWORDS:.*]] = llvm.freeze %[[XL]] : vector<4xi32>
// CHECK: %[[X0:.*]] = vector.extract %[[XWORDS]][0] : i32 from vector<4xi32>
// CHECK-COUNT-5: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK: %[[XB:.*]] = llvm.bitcast %[[X0]] : i32 to vector<4xi8>
// CHECK: %[[WB:.*]] = llvm.bitcast %[[W0]] : i32 to vector<4xi8>
// CHECK: %[[D0:.*]] = nvvm.dot.accumulate.4way %[[XB]] <signed>, %[[WB]] <signed>, %{{.*}} : vector<4xi8>, vector<4xi8>
// CHECK-COUNT-3: nvvm.dot.accumulate.4way
// CHECK: arith.select %[[ACTIVE]], %{{.*}}, %{{.*}} : i32
// CHECK-COUNT-28: nvvm.dot.accumulate.4way
// CHECK-NOT: nvvm.dot.accumulate.4way
// CHECK: scf.yield %{{.*}} : i32, i32, i32, i32
// CHECK-COUNT-20: gpu.shuffle xor %{{.*}} : i32
// CHECK: scf.if
// CHECK: %[[ACC:.*]] = arith.sitofp %{{.*}} : i32 to f32
// CHECK: %[[SA:.*]] = memref.load %arg2[%{{.*}}, %{{.*}}] : memref<1x1xf32
// CHECK: %[[Y0:.*]] = arith.mulf %[[ACC]], %[[SA]] : f32
// CHECK: %[[SW:.*]] = memref.load %arg3[%{{.*}}, %{{.*}}] : memref<64x1xf16
// CHECK: %[[SW32:.*]] = arith.extf %[[SW]] : f16 to f32
// CHECK: %[[Y1:.*]] = arith.mulf %[[Y0]], %[[SW32]] : f32
// CHECK: %[[B:.*]] = memref.load %arg4
// CHECK: %[[Y2:.*]] = arith.addf %[[Y1]], %[[B]] : f32
// CHECK: memref.store %[[Y2]], %arg5
// CHECK: gpu.return
func.func private @gemv_w8a8(memref<1x1040xi8, strided<[?, 1], offset: ?>>, memref<64x1040xi8, strided<[?, 1], offset: ?>>, memref<1x1xf32, strided<[?, 1], offset: ?>>, memref<64x1xf16, strided<[?, 1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>, memref<1x64xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = true, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 1040 : i64, input_scales = "tensor", k = 1040 : i64, m = 1 : i64, n = 64 : i64, outliers = false, residual = false, signed = true, weight_scales = "channel", weights = "w8a8", zero_points = false}}

// -----

// W8A8 GEMM, i32 result: the f16 GEMM's grid (N = 200: 2 blocks, M = 40: 3
// blocks), K blocks of 64, two per loop step (K = 256). Per K block a lane
// loads 16 bytes of A rows g and g + 8 and of each tile's weight row (all
// 12 loads of the step first), and feeds 2 steps x 4 tiles of mma.sync
// m16n8k32 (s8 operands, i32 accumulators) with the loaded words as
// fragments; the accumulators are stored as they are, guarded per
// element.
// CHECK-LABEL: func.func private @gemm_w8a8_i32
// CHECK: gpu.launch_func @sparq_kernels_sm_90a::@gemm_w8a8_i32 blocks in (%c2, %c3, %c1) threads in (%c128,
// CHECK: gpu.func @gemm_w8a8_i32({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
// CHECK: gpu.block_id y
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c128 iter_args({{.*}}) -> (vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>)
// CHECK-COUNT-12: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK-NOT: nvgpu.mma.sync
// CHECK-NOT: llvm.load
// CHECK-COUNT-16: nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 32]} : (vector<4x4xi8>, vector<2x4xi8>, vector<2x2xi32>) -> vector<2x2xi32>
// CHECK-NOT: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK-NOT: arith.sitofp
// CHECK: scf.if
// CHECK: %[[V:.*]] = vector.extract %{{.*}}[0, 0] : i32 from vector<2x2xi32>
// CHECK: memref.store %{{.*}}, %arg2[%{{.*}}, %{{.*}}] : memref<40x200xi32>
// CHECK: gpu.return
func.func private @gemm_w8a8_i32(memref<40x256xi8, strided<[?, 1], offset: ?>>, memref<200x256xi8, strided<[?, 1], offset: ?>>, memref<40x200xi32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 8 : i64, chip = "sm_90a", family = "gemm", group_size = 256 : i64, input_scales = "none", k = 256 : i64, m = 40 : i64, n = 200 : i64, outliers = false, residual = false, signed = true, weight_scales = "none", weights = "w8a8", zero_points = false}}

// -----

// A bf16 W8A8 result: rescaled in f32 (bf16 scales extended), rounded to
// bf16 for the store.
// CHECK-LABEL: func.func private @gemv_w8a8_bf16
// CHECK: gpu.func @gemv_w8a8_bf16
// CHECK: nvvm.dot.accumulate.4way
// CHECK: %[[ACC:.*]] = arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.mulf
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: %[[Y:.*]] = arith.mulf
// CHECK: %[[R:.*]] = arith.truncf %[[Y]] : f32 to bf16
// CHECK: memref.store %[[R]], %arg4[%{{.*}}, %{{.*}}] : memref<2x16xbf16>
func.func private @gemv_w8a8_bf16(memref<2x64xi8, strided<[?, 1], offset: ?>>, memref<16x64xi8, strided<[?, 1], offset: ?>>, memref<2x1xbf16, strided<[?, 1], offset: ?>>, memref<1x1xbf16, strided<[?, 1], offset: ?>>, memref<2x16xbf16>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 64 : i64, input_scales = "token", k = 64 : i64, m = 2 : i64, n = 16 : i64, outliers = false, residual = false, signed = true, weight_scales = "tensor", weights = "w8a8", zero_points = false}}

// -----

// Split-K (k_splits = 2): the launcher first zeroes y with a kernel of its
// own (one element per thread, 64 elements: one block), then launches the
// GEMV with the splits along grid y. Grid row `split` walks the 128 chunks
// from split * 128 on; outliers are added by split 0 only, and lane 0 adds
// the bias and residual in split 0 only (a select), then adds its partial
// sum to y with an atomic f32 add instead of a store.
// CHECK-LABEL: func.func private @gemv_s4_split_k(
// CHECK-NOT: sparq.gpu_kernel
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: gpu.launch_func @sparq_kernels_sm_90a::@gemv_s4_split_k_zero_fill blocks in (%[[C1]], %[[C1]], %[[C1]]) threads in (%[[C256]], %[[C1]], %[[C1]]) args(%arg8 : memref<1x64xf32>)
// CHECK-NEXT: gpu.launch_func @sparq_kernels_sm_90a::@gemv_s4_split_k blocks in (%[[C2]], %[[C2]], %[[C1]]) threads in (%[[C256]], %[[C1]], %[[C1]])
// CHECK: gpu.func @gemv_s4_split_k(
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[SPLIT:.*]] = gpu.block_id y
// CHECK: %[[FIRST_CHUNK:.*]] = arith.muli %[[SPLIT]], %[[C128]] : index
// CHECK: %[[IS_FIRST:.*]] = arith.cmpi eq, %[[SPLIT]], %{{.*}} : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C128]] step
// CHECK: %[[CHUNK:.*]] = arith.addi %{{.*}}, %[[FIRST_CHUNK]] : index
// CHECK: arith.muli %[[CHUNK]], %[[C32]] : index
// CHECK: scf.yield
// CHECK: scf.if %[[IS_FIRST]] -> (f32)
// CHECK: memref.load %arg4
// CHECK: scf.for
// CHECK: } else {
// CHECK: gpu.shuffle xor
// CHECK: memref.load %arg3
// CHECK: memref.load %arg7
// CHECK: %[[LINEAR:.*]] = arith.addf
// CHECK: %[[FIRST_TERMS:.*]] = arith.select %[[IS_FIRST]], %[[LINEAR]], %{{.*}} : f32
// CHECK: %[[PARTIAL:.*]] = arith.addf %{{.*}}, %[[FIRST_TERMS]] : f32
// CHECK: llvm.atomicrmw fadd %{{.*}}, %[[PARTIAL]] monotonic : !llvm.ptr<1>, f32
// CHECK-NOT: memref.store
// CHECK: gpu.return
// CHECK: gpu.func @gemv_s4_split_k_zero_fill(%[[Y:.*]]: memref<1x64xf32>) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK: %[[I:.*]] = arith.addi
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[I]], %{{.*}} : index
// CHECK: scf.if %[[IN]]
// CHECK: memref.store %{{.*}}, %[[Y]]
func.func private @gemv_s4_split_k(memref<1x8192xf32, strided<[?, 1], offset: ?>>, memref<64x4096xi8, strided<[?, 1], offset: ?>>, memref<64x64xf32, strided<[?, 1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>, memref<65xi32, strided<[1], offset: ?>>, memref<5xi32, strided<[1], offset: ?>>, memref<5xf32, strided<[1], offset: ?>>, memref<1x64xf32, strided<[?, 1], offset: ?>>, memref<1x64xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = true, bits = 4 : i64, chip = "sm_90a", family = "gemv", group_size = 128 : i64, k = 8192 : i64, k_splits = 2 : i64, m = 1 : i64, n = 64 : i64, outliers = true, residual = true, signed = true, weights = "uniform", zero_points = false}}

// -----

// W8A8 split-K with the i32 result: the zero fill writes i32 zeros, and
// each of the 4 splits adds its exact dp4a sum with an integer atomic.
// CHECK-LABEL: func.func private @gemv_w8a8_i32_split_k(
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: gpu.launch_func @sparq_kernels_sm_80::@gemv_w8a8_i32_split_k_zero_fill blocks in (%[[C1]], %[[C1]], %[[C1]])
// CHECK-NEXT: gpu.launch_func @sparq_kernels_sm_80::@gemv_w8a8_i32_split_k blocks in (%[[C1]], %[[C4]], %[[C1]])
// CHECK: gpu.func @gemv_w8a8_i32_split_k(
// CHECK: gpu.block_id y
// CHECK: nvvm.dot.accumulate.4way
// CHECK: gpu.shuffle xor
// CHECK: llvm.atomicrmw add %{{.*}}, %{{.*}} monotonic : !llvm.ptr<1>, i32
// CHECK-NOT: memref.store
// CHECK: gpu.return
// CHECK: gpu.func @gemv_w8a8_i32_split_k_zero_fill(
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: memref.store %[[ZERO]]
func.func private @gemv_w8a8_i32_split_k(memref<1x2048xi8, strided<[?, 1], offset: ?>>, memref<20x2048xi8, strided<[?, 1], offset: ?>>, memref<1x20xi32>) attributes {sparq.gpu_kernel = {activation = "none", bias = false, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 2048 : i64, input_scales = "none", k = 2048 : i64, k_splits = 4 : i64, m = 1 : i64, n = 20 : i64, outliers = false, residual = false, signed = true, weight_scales = "none", weights = "w8a8", zero_points = false}}
