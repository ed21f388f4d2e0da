//===- PackFoldTest.cpp - constant folding of sparq.pack/unpack -----------===//
//
// Part of the sparq project.
//
// Folds sparq.pack and sparq.unpack of constants through the canonicalizer
// and checks every packed byte against bits extracted by a plain loop that
// reads the layout's definition directly (bit t of a row's bitstream is bit
// t % 8 of byte t / 8).
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqDialect.h"
#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FormatVariadic.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace mlir;

namespace {

class PackFoldTest : public ::testing::TestWithParam<unsigned> {
protected:
  PackFoldTest() {
    context.loadDialect<sparq::SparqDialect, arith::ArithDialect,
                        func::FuncDialect>();
  }

  /// Parses `source`, canonicalizes it and returns the constant the function
  /// returns, or a null attribute.
  DenseIntElementsAttr foldToConstant(const std::string &source) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return {};
    PassManager pm(&context);
    pm.addPass(createCanonicalizerPass());
    if (failed(pm.run(*module)))
      return {};
    DenseIntElementsAttr result;
    module->walk([&](func::ReturnOp ret) {
      auto constant = ret.getOperand(0).getDefiningOp<arith::ConstantOp>();
      if (constant)
        result = dyn_cast<DenseIntElementsAttr>(constant.getValue());
    });
    return result;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

/// Deterministic pseudo-random `bits`-bit values.
std::vector<uint32_t> makeValues(int64_t count, unsigned bits) {
  std::vector<uint32_t> values(count);
  uint32_t state = 12345u + bits;
  for (uint32_t &v : values) {
    state = state * 1664525u + 1013904223u;
    v = (state >> 16) & ((1u << bits) - 1);
  }
  return values;
}

std::string joinValues(const std::vector<uint32_t> &values) {
  std::string text;
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : "") + std::to_string(values[i]);
  return text;
}

TEST_P(PackFoldTest, PackedBytesFollowTheBitLayout) {
  const unsigned bits = GetParam();
  const int64_t rows = 3, k = 13; // odd K leaves padding bits in each row
  const int64_t rowBytes = (k * bits + 7) / 8;
  std::vector<uint32_t> values = makeValues(rows * k, bits);

  // Build the 2-D constant literal row by row.
  std::string literal;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<uint32_t> row(values.begin() + r * k,
                              values.begin() + (r + 1) * k);
    literal += (r ? ", [" : "[") + joinValues(row) + "]";
  }
  std::string source = llvm::formatv(R"mlir(
    func.func @f() -> tensor<{0}x{1}xi8> {{
      %c = arith.constant dense<[{2}]> : tensor<{0}x{3}xi{4}>
      %p = sparq.pack %c : tensor<{0}x{3}xi{4}> -> tensor<{0}x{1}xi8>
      return %p : tensor<{0}x{1}xi8>
    })mlir",
                                     rows, rowBytes, literal, k, bits);

  DenseIntElementsAttr packed = foldToConstant(source);
  ASSERT_TRUE(packed) << "sparq.pack of a constant did not fold:\n" << source;
  std::vector<uint8_t> bytes;
  for (const APInt &b : packed.getValues<APInt>())
    bytes.push_back(static_cast<uint8_t>(b.getZExtValue()));
  ASSERT_EQ(bytes.size(), static_cast<size_t>(rows * rowBytes));

  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < k; ++j) {
      uint32_t decoded = 0;
      for (unsigned bit = 0; bit < bits; ++bit) {
        int64_t t = j * bits + bit;
        uint8_t byte = bytes[r * rowBytes + t / 8];
        decoded |= ((byte >> (t % 8)) & 1u) << bit;
      }
      EXPECT_EQ(decoded, values[r * k + j])
          << "row " << r << " element " << j << " at " << bits << " bits";
    }
    // Padding bits past element K-1 stay zero.
    for (int64_t t = k * bits; t < rowBytes * 8; ++t)
      EXPECT_EQ((bytes[r * rowBytes + t / 8] >> (t % 8)) & 1u, 0u)
          << "padding bit " << t << " of row " << r;
  }
}

TEST_P(PackFoldTest, UnpackOfConstantBytesDecodesTheBitLayout) {
  const unsigned bits = GetParam();
  const int64_t k = 21;
  const int64_t rowBytes = (k * bits + 7) / 8;
  std::vector<uint32_t> values = makeValues(k, bits);
  // Encode by the layout's definition, one bit at a time.
  std::vector<uint32_t> bytes(rowBytes, 0);
  for (int64_t j = 0; j < k; ++j)
    for (unsigned bit = 0; bit < bits; ++bit) {
      int64_t t = j * bits + bit;
      bytes[t / 8] |= ((values[j] >> bit) & 1u) << (t % 8);
    }
  // i8 literals are signed: write bytes >= 128 as negative numbers.
  std::string byteText;
  for (size_t i = 0; i < bytes.size(); ++i)
    byteText += (i ? ", " : "") +
                std::to_string(static_cast<int>(static_cast<int8_t>(bytes[i])));
  std::string source = llvm::formatv(R"mlir(
    func.func @f() -> tensor<{0}xi{1}> {{
      %c = arith.constant dense<[{2}]> : tensor<{3}xi8>
      %u = sparq.unpack %c : tensor<{3}xi8> -> tensor<{0}xi{1}>
      return %u : tensor<{0}xi{1}>
    })mlir",
                                     k, bits, byteText, rowBytes);
  DenseIntElementsAttr unpacked = foldToConstant(source);
  ASSERT_TRUE(unpacked) << "sparq.unpack of a constant did not fold:\n"
                        << source;
  std::vector<uint32_t> decoded;
  for (const APInt &v : unpacked.getValues<APInt>())
    decoded.push_back(static_cast<uint32_t>(v.getZExtValue()));
  EXPECT_EQ(decoded, values);
}

INSTANTIATE_TEST_SUITE_P(AllBitWidths, PackFoldTest, ::testing::Range(2u, 9u),
                         [](const ::testing::TestParamInfo<unsigned> &info) {
                           return std::to_string(info.param) + "bits";
                         });

} // namespace
