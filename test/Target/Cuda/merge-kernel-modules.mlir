// RUN: sparq-opt %s --sparq-gpu-merge-kernel-modules | FileCheck %s

// Kernels of all modules land in one; a kernel whose name is taken gets its
// module's name; the helper both modules hold is kept once; launches follow.
// CHECK: func.func @host
// CHECK: gpu.launch_func @sparq_kernels::@kernel blocks
// CHECK: gpu.launch_func @sparq_kernels::@k_b blocks
// CHECK: gpu.launch_func @sparq_kernels::@other blocks
// CHECK: gpu.module @sparq_kernels [#nvvm.target<chip = "sm_80">]
// CHECK: func.func @helper
// CHECK: gpu.func @kernel() kernel
// CHECK-NOT: func.func @helper
// CHECK: gpu.func @k_b() kernel
// CHECK: gpu.func @other() kernel
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @host() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k_a::@kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @k_b::@kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @k_b::@other blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @k_a [#nvvm.target<chip = "sm_80">] {
    func.func @helper() {
      return
    }
    gpu.func @kernel() kernel {
      func.call @helper() : () -> ()
      gpu.return
    }
  }
  gpu.module @k_b [#nvvm.target<chip = "sm_80">] {
    func.func @helper() {
      return
    }
    gpu.func @kernel() kernel {
      func.call @helper() : () -> ()
      gpu.return
    }
    gpu.func @other() kernel {
      gpu.return
    }
  }
}
