//===- Pipelines.cpp - Named quantization pipelines -----------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Passes.h"

// TODO(issue 6): register sparq-w8a8-smoothquant, sparq-w4a16 and
// sparq-squeezellm.
void sparq::registerQuantizationPipelines() {}
