//===- KernelBodyUtils.h - helpers of the CPU kernel bodies -----*- C++ -*-===//
//
// Part of the sparq project.
//
// Small builders every generated CPU kernel body uses: index constants,
// float widening, the row tiling, and AVX-512 VNNI dot products.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_KERNELBODYUTILS_H
#define SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_KERNELBODYUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <string>

namespace sparq::cpu_kernels {

inline mlir::Value idx(mlir::OpBuilder &b, mlir::Location loc, int64_t v) {
  return mlir::arith::ConstantIndexOp::create(b, loc, v);
}

/// `v` (a float scalar or vector) with `element` elements: extended or
/// truncated.
inline mlir::Value castFloat(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value v, mlir::FloatType element) {
  mlir::Type from = mlir::getElementTypeOrSelf(v.getType());
  if (from == element)
    return v;
  mlir::Type type = element;
  if (auto vectorType = llvm::dyn_cast<mlir::VectorType>(v.getType()))
    type = vectorType.clone(element);
  if (from.getIntOrFloatBitWidth() < element.getWidth())
    return mlir::arith::ExtFOp::create(b, loc, type, v);
  return mlir::arith::TruncFOp::create(b, loc, type, v);
}

/// `v` (a float scalar or vector) with f32 elements.
inline mlir::Value toF32(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value v) {
  return castFloat(b, loc, v, b.getF32Type());
}

/// The largest divisor of `rows` up to 8: rows of one tile share the
/// weight loads (or unpacked weights) and keep their accumulators in
/// registers.
inline int64_t rowsPerTile(int64_t rows) {
  for (int64_t tile = std::min<int64_t>(rows, 8); tile > 1; --tile)
    if (rows % tile == 0)
      return tile;
  return 1;
}

/// acc + sum over groups of 4 bytes of unsigned(a) * signed(s8)
/// (vpdpbusd; 128-, 256- or 512-bit by the accumulator's width).
inline mlir::Value dotU8S8(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value acc, mlir::Value a, mlir::Value s8) {
  auto accType = llvm::cast<mlir::VectorType>(acc.getType());
  int64_t bitsWide = accType.getNumElements() * 32;
  std::string name = "llvm.x86.avx512.vpdpbusd." + std::to_string(bitsWide);
  return mlir::LLVM::CallIntrinsicOp::create(b, loc, accType,
                                             b.getStringAttr(name),
                                             mlir::ValueRange{acc, a, s8})
      .getResult(0);
}

} // namespace sparq::cpu_kernels

#endif // SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_KERNELBODYUTILS_H
