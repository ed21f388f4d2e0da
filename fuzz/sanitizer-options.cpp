//===- sanitizer-options.cpp - ASan defaults of the fuzz targets ----------===//
//
// Part of the sparq project.
//
// sparq's code is instrumented, Debian's libMLIR.so is not, and both inline
// LLVM's BumpPtrAllocator from the same header. The instrumented copy
// poisons the unused rest of each slab it allocates; the uninstrumented copy
// inside libMLIR.so hands out memory from such a slab without unpoisoning
// it (an attribute storage sparq allocated, then a location MLIR allocated
// next to it), which ASan reports as use-after-poison although the memory is
// valid. Manual poisoning is therefore turned off; redzones around heap
// objects, use-after-free and every other check stay on.
//
//===----------------------------------------------------------------------===//

extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}
