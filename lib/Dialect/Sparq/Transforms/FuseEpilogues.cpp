//===- FuseEpilogues.cpp - sparq-fuse epilogue family (placeholder) -------===//
//
// Part of the sparq project.
//
// Placeholder so that sparq-fuse links on this branch; the epilogue family
// is implemented on its own branch and replaces this file when merged.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/Fusion.h"

void sparq::populateSparqEpilogueFusionPatterns(mlir::RewritePatternSet &,
                                                FusionStats &) {}
