//===- Fusion.h - sparq-fuse pattern families -------------------*- C++ -*-===//
//
// Part of the sparq project.
//
// The pattern families of sparq-fuse and the record of what each fusion
// candidate became.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_TRANSFORMS_FUSION_H
#define SPARQ_DIALECT_SPARQ_TRANSFORMS_FUSION_H

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace sparq {

struct FusionRecord { std::string pattern, subject, outcome; }; // outcome: "fused" or "not fused: <why>"
struct FusionStats { std::vector<FusionRecord> records; void add(llvm::StringRef pattern, llvm::StringRef subject, llvm::StringRef outcome); };
void populateSparqSiblingFusionPatterns(mlir::RewritePatternSet &patterns, FusionStats &stats);
void populateSparqEpilogueFusionPatterns(mlir::RewritePatternSet &patterns, FusionStats &stats);

// --- sibling fusion ---

// --- epilogue fusion ---

} // namespace sparq

#endif // SPARQ_DIALECT_SPARQ_TRANSFORMS_FUSION_H
