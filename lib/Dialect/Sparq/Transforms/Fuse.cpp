//===- Fuse.cpp - sparq-fuse: run the fusion pattern families -------------===//
//
// Part of the sparq project.
//
// Runs the selected fusion families (docs/fusion.md) greedily over the module
// and, with `stats=true`, prints what each fusion candidate became.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"
#include "sparq/Dialect/Sparq/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQFUSE
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

void sparq::FusionStats::add(llvm::StringRef pattern, llvm::StringRef subject,
                             llvm::StringRef outcome) {
  // The greedy driver may match a candidate more than once; report it once.
  for (const FusionRecord &record : records)
    if (record.pattern == pattern && record.subject == subject &&
        record.outcome == outcome)
      return;
  records.push_back({pattern.str(), subject.str(), outcome.str()});
}

std::string sparq::describeLocation(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (isa<NameLoc>(inner)) {
        loc = inner;
        break;
      }
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

namespace {

struct FusionFamily {
  llvm::StringLiteral name;
  void (*populate)(RewritePatternSet &, sparq::FusionStats &);
};

void populateDequantizeMatmul(RewritePatternSet &patterns,
                              sparq::FusionStats &stats) {
  sparq::populateSparqDequantizeMatmulFusionPatterns(patterns, &stats);
}

void populateEpilogue(RewritePatternSet &patterns, sparq::FusionStats &stats) {
  sparq::populateSparqEpilogueFusionPatterns(patterns, stats);
}

constexpr FusionFamily kFamilies[] = {
    {"dequantize-matmul", populateDequantizeMatmul},
    {"concat-siblings", sparq::populateSparqSiblingFusionPatterns},
    {"gated-mlp", sparq::populateSparqGatedMlpFusionPatterns},
    {"epilogue", populateEpilogue},
    {"softmax", sparq::populateSparqSoftmaxFusionPatterns},
    {"norm-quantize", sparq::populateSparqNormQuantizeFusionPatterns},
};

struct SparqFusePass : public sparq::impl::SparqFuseBase<SparqFusePass> {
  using Base::Base;

  void runOnOperation() override {
    for (const std::string &name : patterns) {
      if (llvm::any_of(kFamilies, [&](const FusionFamily &family) {
            return family.name == name;
          }))
        continue;
      SmallVector<StringRef> valid;
      for (const FusionFamily &family : kFamilies)
        valid.push_back(family.name);
      getOperation().emitError("sparq-fuse: unknown fusion family '")
          << name << "' in patterns=; valid: " << llvm::join(valid, ", ");
      return signalPassFailure();
    }

    // Families run one after another in kFamilies order: dequantized
    // weights become quantized matmuls first, then siblings are
    // concatenated, gated products go into the gate/up matmuls, then
    // epilogues are folded into the (wider) matmuls.
    sparq::FusionStats fusionStats;
    auto selected = [&](StringRef name) {
      return patterns.empty() || llvm::is_contained(patterns, name.str());
    };
    for (const FusionFamily &family : kFamilies) {
      if (!selected(family.name))
        continue;
      // Siblings concatenate with their biases but not with activations or
      // residual adds, so bias adds are folded first: Q/K/V biases then
      // end up in the wide matmul rather than as adds on its slices.
      if (family.name == "concat-siblings" && selected("epilogue")) {
        RewritePatternSet biasSet(&getContext());
        sparq::populateSparqEpilogueFusionPatterns(biasSet, fusionStats,
                                                   /*biasOnly=*/true);
        if (failed(applyPatternsGreedily(getOperation(), std::move(biasSet)))) {
          getOperation().emitError(
              "sparq-fuse: the bias epilogue patterns did not converge");
          return signalPassFailure();
        }
      }
      RewritePatternSet set(&getContext());
      family.populate(set, fusionStats);
      if (failed(applyPatternsGreedily(getOperation(), std::move(set)))) {
        getOperation().emitError("sparq-fuse: the ")
            << family.name << " patterns did not converge";
        return signalPassFailure();
      }
    }

    if (stats)
      for (const sparq::FusionRecord &record : fusionStats.records)
        llvm::errs() << "sparq-fuse: " << record.pattern << ": "
                     << record.subject << ": " << record.outcome << "\n";
  }
};

} // namespace
