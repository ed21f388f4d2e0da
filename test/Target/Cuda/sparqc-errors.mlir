// sparqc --target=cuda refuses bad options and kernels it cannot complete,
// naming the problem, and leaves no output behind.
// RUN: rm -rf %t && mkdir -p %t
// RUN: not sparqc %s --target=cuda --gpu-arch=gfx90a -o %t/ 2>&1 | FileCheck %s --check-prefix=ARCH
// ARCH: sparqc: error: --gpu-arch=gfx90a is not an NVIDIA architecture such as sm_80, sm_89 or sm_90a
// RUN: not sparqc %s --target=cuda --cuda-path=%t/no-toolkit -o %t/ 2>&1 | FileCheck %s --check-prefix=TOOLKIT
// TOOLKIT: sparqc: error: --cuda-path='{{.*}}no-toolkit' is not a CUDA toolkit (it has no bin/ptxas)
// RUN: not sparqc %s --target=cuda --gpu-block-size=2048 -o %t/ 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: sparqc: error: --gpu-block-size=2048 is not in 1..1024
// Without libdevice, a kernel calling expf cannot be completed.
// RUN: not sparqc %s --quiet --target=cuda --cuda-path=none -o %t/out.so 2>&1 | FileCheck %s --check-prefix=LIBDEVICE
// LIBDEVICE: sparqc: error: the kernels call __nv_expf from libdevice, which needs the CUDA toolkit (nvvm/libdevice/libdevice.10.bc); none was found
// RUN: test ! -e %t/out.so
// --emit=ptx still writes the PTX, with a warning.
// RUN: sparqc %s --quiet --target=cuda --cuda-path=none --emit=ptx -o %t/exp.ptx 2>&1 | FileCheck %s --check-prefix=WARN
// WARN: sparqc: warning: the kernels call __nv_expf from libdevice
// RUN: FileCheck %s --check-prefix=EXTERN < %t/exp.ptx
// EXTERN: .extern .func {{.*}}__nv_expf
// With the toolkit, libdevice is linked in.
// RUN: %if ptxas %{ sparqc %s --quiet --target=cuda --emit=ptx -o %t/linked.ptx %}
// RUN: %if ptxas %{ FileCheck %s --check-prefix=LINKED < %t/linked.ptx %}
// LINKED-NOT: .extern
// LINKED: .visible .entry

func.func @exp(%x: tensor<3x1000xf32> {sparq.name = "x"}) -> (tensor<3x1000xf32> {sparq.name = "y"}) {
  %e = tensor.empty() : tensor<3x1000xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<3x1000xf32>) outs(%e : tensor<3x1000xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = math.exp %a : f32
    linalg.yield %m : f32
  } -> tensor<3x1000xf32>
  return %y : tensor<3x1000xf32>
}
