//===- SparqAttrs.cpp - sparq attributes ----------------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqAttrs.h"

#include "sparq/Dialect/Sparq/IR/SparqDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sparq;

#include "sparq/Dialect/Sparq/IR/SparqEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sparq/Dialect/Sparq/IR/SparqAttrs.cpp.inc"

void SparqDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sparq/Dialect/Sparq/IR/SparqAttrs.cpp.inc"
      >();
}

LogicalResult
CalibrationStatsAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                             int64_t samples, DenseF32ArrayAttr min,
                             DenseF32ArrayAttr max, DenseF32ArrayAttr absmax) {
  if (samples < 1)
    return emitError() << "stats need at least one sample, got " << samples;
  if (min.size() != max.size() || min.size() != absmax.size())
    return emitError() << "stats min, max and absmax must cover the same "
                          "number of channels, got "
                       << min.size() << ", " << max.size() << " and "
                       << absmax.size();
  if (min.empty())
    return emitError() << "stats must cover at least one channel";
  for (int64_t c = 0, e = min.size(); c < e; ++c) {
    if (min[c] > max[c])
      return emitError() << "stats min (" << min[c] << ") exceeds max ("
                         << max[c] << ") at channel " << c;
    if (absmax[c] < 0)
      return emitError() << "stats absmax (" << absmax[c]
                         << ") is negative at channel " << c;
  }
  return success();
}
