//===- Fusion.h - sparq-fuse pattern families -------------------*- C++ -*-===//
//
// Part of the sparq project.
//
// The pattern families of sparq-fuse (docs/fusion.md) and the record of what
// each fusion candidate became.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_TRANSFORMS_FUSION_H
#define SPARQ_DIALECT_SPARQ_TRANSFORMS_FUSION_H

#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace sparq {

/// One fusion candidate: family, subject (layer or op) and outcome ("fused"
/// or "not fused: <why>").
struct FusionRecord {
  std::string pattern, subject, outcome;
};

/// What the families found, in the order they found it.
struct FusionStats {
  std::vector<FusionRecord> records;
  void add(llvm::StringRef pattern, llvm::StringRef subject,
           llvm::StringRef outcome);
};

/// How the stats name an op without a layer name: the ONNX node it came from
/// (the NameLoc in its location), else the printed location.
std::string describeLocation(mlir::Location loc);

/// `dequantize-matmul`: linalg.matmul of sparq.dequantize'd constant codes
/// -> sparq.qmatmul (or W8A8 sparq.int_matmul). `stats` may be null.
void populateSparqDequantizeMatmulFusionPatterns(
    mlir::RewritePatternSet &patterns, FusionStats *stats);

/// Rewrites `matmul` (weight = `dequantize`) into a quantized matmul on the
/// codes named `name`; on failure, `whyNot` (if given) says why and nothing
/// changed.
mlir::FailureOr<mlir::Operation *>
fuseDequantizeIntoMatmul(mlir::RewriterBase &rewriter,
                         mlir::linalg::MatmulOp matmul, DequantizeOp dequantize,
                         llvm::StringRef name, std::string *whyNot = nullptr);

/// `concat-siblings`: quantized matmuls reading one activation -> one wide
/// matmul and slices.
void populateSparqSiblingFusionPatterns(mlir::RewritePatternSet &patterns,
                                        FusionStats &stats);

/// `epilogue`: bias, activation and residual after a quantized matmul ->
/// the op's epilogue; with `biasOnly`, a bias add alone (what sibling
/// concatenation can merge).
void populateSparqEpilogueFusionPatterns(mlir::RewritePatternSet &patterns,
                                         FusionStats &stats,
                                         bool biasOnly = false);

/// `gated-mlp`: act(gate) * up over the two halves of a concatenated
/// gate/up matmul -> that matmul, `gated`.
void populateSparqGatedMlpFusionPatterns(mlir::RewritePatternSet &patterns,
                                         FusionStats &stats);

/// `softmax`: the importer's Softmax with the scale and mask before it ->
/// sparq.softmax.
void populateSparqSoftmaxFusionPatterns(mlir::RewritePatternSet &patterns,
                                        FusionStats &stats);

/// `norm-quantize`: the importer's RMSNorm or LayerNormalization whose only
/// readers are sparq.quantize ops with static parameters ->
/// sparq.rms_norm_quantize / sparq.layer_norm_quantize.
void populateSparqNormQuantizeFusionPatterns(mlir::RewritePatternSet &patterns,
                                             FusionStats &stats);

} // namespace sparq

#endif // SPARQ_DIALECT_SPARQ_TRANSFORMS_FUSION_H
