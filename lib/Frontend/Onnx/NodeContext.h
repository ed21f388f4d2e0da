//===- NodeContext.h - What an ONNX node converter sees ---------*- C++ -*-===//
//
// Part of the sparq project.
//
// Each ONNX operator has a converter: a function from a NodeContext to IR in
// upstream dialects (func, tensor, linalg, arith, math) and sparq ops. The
// context gives the node's inputs (with their ONNX element types, since MLIR
// integer types are signless), attributes and opset, and takes its outputs.
// Values known at compile time carry their contents, so converters of shape
// computations (Shape -> Gather -> Concat -> Reshape) fold them to constants.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_FRONTEND_ONNX_NODECONTEXT_H
#define SPARQ_LIB_FRONTEND_ONNX_NODECONTEXT_H

#include "sparq/Frontend/Onnx/Importer.h"
#include "sparq/Frontend/Onnx/ModelLoader.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>
#include <string>

namespace onnx {
class NodeProto;
class AttributeProto;
class TensorProto;
} // namespace onnx

namespace sparq::onnx_frontend {

/// A tensor of the imported graph.
struct ImportedValue {
  /// The SSA value: always a ranked tensor with a static shape.
  mlir::Value value;
  /// The ONNX element type (DType). MLIR integer types are signless, so
  /// whether i8 means INT8 or UINT8 lives here.
  int32_t dtype = 0;
  /// Contents, when the value is known at compile time and small (shape
  /// computations, scalars, small initializers); null otherwise.
  mlir::DenseElementsAttr constant;
  /// For 2..8-bit integer constants: the same data in sparq's packed layout
  /// (`tensor<...xPxi8>`), so quantized ops can use it without unpacking.
  mlir::Value packed;

  mlir::RankedTensorType getType() const {
    return mlir::cast<mlir::RankedTensorType>(value.getType());
  }
  llvm::ArrayRef<int64_t> getShape() const { return getType().getShape(); }
  int64_t getRank() const { return getType().getRank(); }
};

class GraphImporter;

/// The view a converter has of one node.
class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
              int64_t opset);

  // Identity.
  llvm::StringRef getOpType() const;
  llvm::StringRef getDomain() const;
  llvm::StringRef getName() const;
  int64_t getOpset() const { return opset; }
  mlir::MLIRContext *getContext() const;
  mlir::OpBuilder &getBuilder();
  mlir::Location getLoc() const { return loc; }

  // Inputs. Optional inputs may be absent (index past the end or empty name).
  unsigned getNumInputs() const;
  bool hasInput(unsigned index) const;
  const ImportedValue &getInput(unsigned index) const;
  mlir::Value getInputValue(unsigned index) const {
    return getInput(index).value;
  }
  mlir::RankedTensorType getInputType(unsigned index) const {
    return getInput(index).getType();
  }
  int32_t getInputDType(unsigned index) const { return getInput(index).dtype; }
  /// The input's contents if known at compile time, else null.
  mlir::DenseElementsAttr getInputConstant(unsigned index) const {
    return getInput(index).constant;
  }
  /// The input's contents as integers if it is a known integer tensor.
  std::optional<llvm::SmallVector<int64_t>> getInputInts(unsigned index) const;

  // Attributes.
  bool hasAttr(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t defaultValue) const;
  std::optional<int64_t> getOptionalInt(llvm::StringRef name) const;
  float getFloat(llvm::StringRef name, float defaultValue) const;
  std::string getString(llvm::StringRef name,
                        llvm::StringRef defaultValue) const;
  std::optional<llvm::SmallVector<int64_t>> getInts(llvm::StringRef name) const;
  std::optional<llvm::SmallVector<float>> getFloats(llvm::StringRef name) const;
  /// A tensor-valued attribute, converted to a constant (null if absent; an
  /// error is emitted and failure returned if it cannot be read).
  mlir::FailureOr<ImportedValue> getTensorAttr(llvm::StringRef name);

  // Outputs.
  unsigned getNumOutputs() const;
  bool hasOutput(unsigned index) const;
  void setOutput(unsigned index, mlir::Value value, int32_t dtype,
                 mlir::DenseElementsAttr constant = {});
  void setOutput(unsigned index, const ImportedValue &value);
  /// Materializes `contents` as an arith.constant and records it as known.
  mlir::Value setConstantOutput(unsigned index,
                                mlir::DenseElementsAttr contents,
                                int32_t dtype);

  /// Starts an error about this node: "node 'name' (OpType): ...".
  mlir::InFlightDiagnostic emitError() const;

  /// MLIR element type for an ONNX data type (signless for integers), or
  /// null if sparq does not support it.
  mlir::Type getElementType(int32_t dtype) const;

  GraphImporter &getImporter() { return importer; }

private:
  const onnx::AttributeProto *findAttr(llvm::StringRef name) const;

  GraphImporter &importer;
  const onnx::NodeProto &node;
  int64_t opset;
  mlir::Location loc;
};

/// Converts one node. Returns failure after emitting an error.
using ConvertFn = std::function<mlir::LogicalResult(NodeContext &)>;

/// The operators sparq imports, keyed by (domain, op type); each converter
/// handles opsets from `minOpset` on.
class ConverterRegistry {
public:
  void add(llvm::StringRef domain, llvm::StringRef opType, int64_t minOpset,
           ConvertFn fn);
  /// The converter for a node, or null if unsupported at this opset.
  const ConvertFn *lookup(llvm::StringRef domain, llvm::StringRef opType,
                          int64_t opset) const;
  /// Every registered operator, sorted, for documentation.
  std::vector<SupportedOperator> listOperators() const;

private:
  struct Entry {
    int64_t minOpset;
    ConvertFn fn;
  };
  llvm::StringMap<Entry> entries; // key: domain + "::" + opType
};

/// The default ONNX domain is "" (also spelled "ai.onnx").
constexpr llvm::StringLiteral kMicrosoftDomain = "com.microsoft";

/// numpy.matmul of `a` and `b` (same element type, accumulated in it), with
/// linalg.matmul when B is a matrix and linalg.batch_matmul otherwise. The
/// result keeps the unit dims 1-D operands were promoted with ([batch..., M,
/// N]); `resultShape` receives numpy's result shape for the final reshape.
/// Shared by MatMul and the integer matmuls (Matmul.cpp, Quantized.cpp).
mlir::FailureOr<mlir::Value>
buildNumpyMatmul(NodeContext &node, mlir::Value a, mlir::Value b,
                 llvm::SmallVectorImpl<int64_t> &resultShape);

// Each family of converters lives in its own file.
void registerElementwiseConverters(ConverterRegistry &registry);
void registerShapeConverters(ConverterRegistry &registry);
void registerReductionConverters(ConverterRegistry &registry);
void registerMatmulConverters(ConverterRegistry &registry);
void registerQuantizedConverters(ConverterRegistry &registry);

} // namespace sparq::onnx_frontend

#endif // SPARQ_LIB_FRONTEND_ONNX_NODECONTEXT_H
