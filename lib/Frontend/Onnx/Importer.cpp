//===- Importer.cpp - ONNX to MLIR importer -------------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Frontend/Onnx/Importer.h"

#include "Builders.h"
#include "NodeContext.h"

#include "sparq/Dialect/Sparq/IR/SparqDialect.h"
#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Frontend/Onnx/ModelLoader.h"
#include "sparq/Reference/Packing.h"
#include "sparq/Support/Npy.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <limits>
#include <tuple>

using namespace mlir;
using namespace sparq::onnx_frontend;

namespace {
/// Tensors up to this many elements become plain dense literals whose
/// contents converters can fold; larger ones become dense_resource blobs.
constexpr int64_t kMaxFoldableElements = 1024;

std::string canonicalDomain(llvm::StringRef domain) {
  return domain == "ai.onnx" ? std::string() : domain.str();
}

std::string displayDomain(llvm::StringRef domain) {
  return domain.empty() ? "ai.onnx" : domain.str();
}

/// Names mapped to lists of names, in first-seen order (for diagnostics).
using NamedLists =
    std::vector<std::pair<std::string, SmallVector<std::string>>>;

SmallVector<std::string> &entryFor(NamedLists &lists, const std::string &key) {
  for (auto &entry : lists)
    if (entry.first == key)
      return entry.second;
  return lists.emplace_back(key, SmallVector<std::string>()).second;
}

/// dense_resource keys are identifiers: keep letters, digits, '_' and '.'.
/// Whether a tensor of `shape` has few enough elements that its size in
/// bytes (up to 8 per element) fits in int64, as buffers and the C ABI need.
/// A hostile model can declare dimensions of 2^62.
bool isAddressable(llvm::ArrayRef<int64_t> shape) {
  int64_t limit = std::numeric_limits<int64_t>::max() / 8;
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return false;
    if (dim != 0 && count > limit / dim)
      return false;
    count *= dim;
  }
  return true;
}

std::string resourceKey(llvm::StringRef name) {
  std::string key;
  for (char c : name)
    key.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (key.empty() || llvm::isDigit(key.front()))
    key.insert(key.begin(), 'w');
  return key;
}
} // namespace

namespace sparq::onnx_frontend {

/// Walks one ONNX graph and builds the function.
class GraphImporter {
public:
  GraphImporter(MLIRContext &context, LoadedModel &model,
                const ImportOptions &options, const ConverterRegistry &registry)
      : context(context), builder(&context), model(model), options(options),
        registry(registry),
        fileLoc(NameLoc::get(StringAttr::get(&context, model.path()))) {}

  OwningOpRef<ModuleOp> run();

  /// Imports an initializer or tensor attribute as a constant.
  FailureOr<ImportedValue> importTensor(onnx::TensorProto &tensor,
                                        Location loc);
  Type getElementType(int32_t dtype) const;
  InFlightDiagnostic emitModelError() { return emitError(fileLoc); }

  MLIRContext &context;
  OpBuilder builder;
  LoadedModel &model;
  const ImportOptions &options;
  const ConverterRegistry &registry;
  Location fileLoc;
  llvm::StringMap<ImportedValue> values;
  llvm::StringMap<int64_t> opsets;

private:
  LogicalResult collectOpsets();
  LogicalResult bindInputs();
  LogicalResult checkOperatorsSupported();
  FailureOr<SmallVector<std::pair<std::string, RankedTensorType>>>
  collectInputs(const llvm::StringSet<> &initializerNames);
  FailureOr<RankedTensorType> convertValueType(const onnx::ValueInfoProto &info,
                                               NamedLists &unboundDims);
  LogicalResult checkDeclaredOutput(const onnx::ValueInfoProto &info,
                                    const ImportedValue &value);
  int64_t opsetOf(llvm::StringRef domain) const {
    auto it = opsets.find(canonicalDomain(domain));
    return it == opsets.end() ? -1 : it->second;
  }
};

} // namespace sparq::onnx_frontend

//===----------------------------------------------------------------------===//
// Element types and tensors
//===----------------------------------------------------------------------===//

Type GraphImporter::getElementType(int32_t dtype) const {
  MLIRContext *ctx = &context;
  switch (static_cast<DType>(dtype)) {
  case DType::Float:
    return Float32Type::get(ctx);
  case DType::Float16:
    return Float16Type::get(ctx);
  case DType::BFloat16:
    return BFloat16Type::get(ctx);
  case DType::Double:
    return Float64Type::get(ctx);
  case DType::Bool:
    return IntegerType::get(ctx, 1);
  case DType::Int4:
  case DType::UInt4:
    return IntegerType::get(ctx, 4);
  case DType::Int8:
  case DType::UInt8:
    return IntegerType::get(ctx, 8);
  case DType::Int16:
  case DType::UInt16:
    return IntegerType::get(ctx, 16);
  case DType::Int32:
  case DType::UInt32:
    return IntegerType::get(ctx, 32);
  case DType::Int64:
  case DType::UInt64:
    return IntegerType::get(ctx, 64);
  default:
    return nullptr;
  }
}

namespace {
/// A plain dense attribute from raw little-endian bytes.
DenseElementsAttr denseFromBytes(RankedTensorType type, int32_t dtype,
                                 ArrayRef<char> bytes) {
  if (dtype == static_cast<int32_t>(DType::Bool)) {
    SmallVector<bool> bools =
        llvm::map_to_vector(bytes, [](char c) { return c != 0; });
    return DenseElementsAttr::get(type, bools);
  }
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}

/// A dense_resource attribute that shares `data` (kept alive by `owner`).
ElementsAttr resourceFromBytes(RankedTensorType type, llvm::StringRef name,
                               const TensorBytes &data, size_t alignment) {
  AsmResourceBlob blob;
  if (reinterpret_cast<uintptr_t>(data.bytes.data()) % alignment == 0) {
    std::shared_ptr<const void> owner = data.owner;
    blob = UnmanagedAsmResourceBlob::allocateWithAlign(
        data.bytes, alignment,
        [owner](void *, size_t, size_t) mutable { owner.reset(); });
  } else {
    // External data at an offset that is not a multiple of the element size.
    blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(data.bytes, alignment);
  }
  return DenseResourceElementsAttr::get(type, resourceKey(name),
                                        std::move(blob));
}
} // namespace

FailureOr<ImportedValue> GraphImporter::importTensor(onnx::TensorProto &tensor,
                                                     Location loc) {
  int32_t dtype = tensor.data_type();
  Type elementType = getElementType(dtype);
  if (!elementType)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has unsupported element type "
                          << dtypeName(dtype);
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  llvm::Expected<TensorBytes> data = model.takeTensorBytes(tensor);
  if (!data)
    return emitError(loc) << model.path() << ": "
                          << llvm::toString(data.takeError());
  auto type = RankedTensorType::get(shape, elementType);
  int64_t count = type.getNumElements();
  ImportedValue result;
  result.dtype = dtype;

  unsigned bits = dtypeBits(dtype);
  if (bits < 8) {
    // ONNX packs 4-bit tensors along the flattened tensor; sparq packs each
    // row. The two agree unless rows have an odd length.
    int64_t k = shape.empty() ? 1 : shape.back();
    int64_t rows = k == 0 ? 0 : count / k;
    bool isSigned = dtype == static_cast<int32_t>(DType::Int4);
    std::vector<int32_t> elements(count);
    for (int64_t i = 0; i < count; ++i) {
      int32_t nibble =
          (static_cast<uint8_t>(data->bytes[i / 2]) >> (4 * (i % 2))) & 0xF;
      elements[i] = isSigned && nibble >= 8 ? nibble - 16 : nibble;
    }
    SmallVector<APInt> values = llvm::map_to_vector(
        elements, [](int32_t v) { return APInt(4, v, /*isSigned=*/true); });
    if (count <= kMaxFoldableElements)
      result.constant = DenseElementsAttr::get(type, values);
    if (shape.empty()) {
      result.value = createConstant(builder, loc, result.constant);
      return result;
    }
    SmallVector<int64_t> packedShape(shape);
    packedShape.back() = ::sparq::ref::packedRowBytes(k, bits);
    auto packedType = RankedTensorType::get(packedShape, builder.getI8Type());
    ElementsAttr packedAttr;
    if (k % 2 == 0) {
      packedAttr = count <= kMaxFoldableElements
                       ? ElementsAttr(DenseElementsAttr::getFromRawBuffer(
                             packedType, data->bytes))
                       : resourceFromBytes(packedType, tensor.name(), *data, 1);
    } else {
      std::vector<uint8_t> repacked =
          ::sparq::ref::pack(elements, rows, k, bits);
      auto owner = std::make_shared<std::vector<uint8_t>>(std::move(repacked));
      TensorBytes bytes{ArrayRef<char>(reinterpret_cast<char *>(owner->data()),
                                       owner->size()),
                        owner};
      packedAttr = resourceFromBytes(packedType, tensor.name(), bytes, 1);
    }
    result.packed = createConstant(builder, loc, packedAttr);
    result.value = sparq::UnpackOp::create(builder, loc, type, result.packed);
    return result;
  }

  bool foldable = count <= kMaxFoldableElements ||
                  dtype == static_cast<int32_t>(DType::Bool);
  if (foldable) {
    result.constant = denseFromBytes(type, dtype, data->bytes);
    result.value = createConstant(builder, loc, result.constant);
    return result;
  }
  result.value = createConstant(
      builder, loc, resourceFromBytes(type, tensor.name(), *data, bits / 8));
  return result;
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
                         int64_t opset)
    : importer(importer), node(node), opset(opset),
      loc(NameLoc::get(StringAttr::get(&importer.context, node.name().empty()
                                                              ? node.op_type()
                                                              : node.name()),
                       importer.fileLoc)) {}

llvm::StringRef NodeContext::getOpType() const { return node.op_type(); }
llvm::StringRef NodeContext::getDomain() const { return node.domain(); }
llvm::StringRef NodeContext::getName() const { return node.name(); }
MLIRContext *NodeContext::getContext() const { return &importer.context; }
OpBuilder &NodeContext::getBuilder() { return importer.builder; }

unsigned NodeContext::getNumInputs() const { return node.input_size(); }

bool NodeContext::hasInput(unsigned index) const {
  return index < static_cast<unsigned>(node.input_size()) &&
         !node.input(index).empty();
}

const ImportedValue &NodeContext::getInput(unsigned index) const {
  assert(hasInput(index) && "absent input");
  return importer.values.find(node.input(index))->second;
}

std::optional<SmallVector<int64_t>>
NodeContext::getInputInts(unsigned index) const {
  if (!hasInput(index))
    return std::nullopt;
  DenseElementsAttr constant = getInputConstant(index);
  if (!constant || !isa<IntegerType>(constant.getElementType()))
    return std::nullopt;
  bool isUnsigned = isUnsignedDType(getInputDType(index)) ||
                    constant.getElementType().isInteger(1);
  return llvm::map_to_vector(constant.getValues<APInt>(), [&](const APInt &v) {
    return isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                      : v.getSExtValue();
  });
}

const onnx::AttributeProto *NodeContext::findAttr(llvm::StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

bool NodeContext::hasAttr(llvm::StringRef name) const {
  return findAttr(name) != nullptr;
}

int64_t NodeContext::getInt(llvm::StringRef name, int64_t defaultValue) const {
  return getOptionalInt(name).value_or(defaultValue);
}

std::optional<int64_t> NodeContext::getOptionalInt(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return std::nullopt;
  return attr->i();
}

float NodeContext::getFloat(llvm::StringRef name, float defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeContext::getString(llvm::StringRef name,
                                   llvm::StringRef defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>>
NodeContext::getInts(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<SmallVector<float>>
NodeContext::getFloats(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

FailureOr<ImportedValue> NodeContext::getTensorAttr(llvm::StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr || !attr->has_t()) {
    emitError() << "attribute '" << name << "' is not a tensor";
    return failure();
  }
  // Tensor attributes are read once, like initializers; the node owns them.
  auto &tensor = const_cast<onnx::TensorProto &>(attr->t());
  return importer.importTensor(tensor, loc);
}

unsigned NodeContext::getNumOutputs() const { return node.output_size(); }

bool NodeContext::hasOutput(unsigned index) const {
  return index < static_cast<unsigned>(node.output_size()) &&
         !node.output(index).empty();
}

void NodeContext::setOutput(unsigned index, const ImportedValue &value) {
  if (!hasOutput(index))
    return;
  importer.values[node.output(index)] = value;
}

void NodeContext::setOutput(unsigned index, Value value, int32_t dtype,
                            DenseElementsAttr constant) {
  ImportedValue imported;
  imported.value = value;
  imported.dtype = dtype;
  imported.constant = constant;
  setOutput(index, imported);
}

Value NodeContext::setConstantOutput(unsigned index, DenseElementsAttr contents,
                                     int32_t dtype) {
  Value value = createConstant(getBuilder(), loc, contents);
  setOutput(index, value, dtype, contents);
  return value;
}

InFlightDiagnostic NodeContext::emitError() const {
  InFlightDiagnostic diag = mlir::emitError(loc);
  diag << importer.model.path() << ": node '" << node.name() << "' ("
       << node.op_type() << "): ";
  return diag;
}

Type NodeContext::getElementType(int32_t dtype) const {
  return importer.getElementType(dtype);
}

//===----------------------------------------------------------------------===//
// ConverterRegistry
//===----------------------------------------------------------------------===//

void ConverterRegistry::add(llvm::StringRef domain, llvm::StringRef opType,
                            int64_t minOpset, ConvertFn fn) {
  entries[canonicalDomain(domain) + "::" + opType.str()] =
      Entry{minOpset, std::move(fn)};
}

const ConvertFn *ConverterRegistry::lookup(llvm::StringRef domain,
                                           llvm::StringRef opType,
                                           int64_t opset) const {
  auto it = entries.find(canonicalDomain(domain) + "::" + opType.str());
  if (it == entries.end() || opset < it->second.minOpset)
    return nullptr;
  return &it->second.fn;
}

std::vector<SupportedOperator> ConverterRegistry::listOperators() const {
  std::vector<SupportedOperator> ops;
  for (const auto &entry : entries) {
    auto [domain, opType] = entry.getKey().split("::");
    ops.push_back(
        {displayDomain(domain), opType.str(), entry.getValue().minOpset});
  }
  llvm::sort(ops, [](const SupportedOperator &a, const SupportedOperator &b) {
    return std::tie(a.domain, a.opType) < std::tie(b.domain, b.opType);
  });
  return ops;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::collectOpsets() {
  for (const onnx::OperatorSetIdProto &opset : model.proto().opset_import())
    opsets[canonicalDomain(opset.domain())] = opset.version();
  if (!opsets.count(""))
    return emitModelError()
           << model.path() << ": the model imports no ai.onnx opset";
  return success();
}

LogicalResult GraphImporter::checkOperatorsSupported() {
  // (domain, op type, opset) -> node names, in first-seen order.
  NamedLists unsupported;
  for (const onnx::NodeProto &node : model.proto().graph().node()) {
    int64_t opset = opsetOf(node.domain());
    if (opset >= 0 && registry.lookup(node.domain(), node.op_type(), opset))
      continue;
    std::string key =
        llvm::formatv("({0}, {1}, opset {2})", displayDomain(node.domain()),
                      node.op_type(),
                      opset >= 0 ? std::to_string(opset) : "not imported")
            .str();
    entryFor(unsupported, key)
        .push_back(node.name().empty() ? "<unnamed>" : node.name());
  }
  if (unsupported.empty())
    return success();
  InFlightDiagnostic diag = emitModelError();
  diag << model.path() << ": " << unsupported.size() << " unsupported operator"
       << (unsupported.size() == 1 ? "" : "s") << " (domain, op_type, opset):";
  for (auto &[key, nodes] : unsupported) {
    diag << "\n  " << key << " in " << nodes.size() << " node"
         << (nodes.size() == 1 ? "" : "s") << ": ";
    llvm::interleaveComma(
        llvm::ArrayRef(nodes).take_front(8), diag,
        [&](const std::string &n) { diag << "'" << n << "'"; });
    if (nodes.size() > 8)
      diag << ", ...";
  }
  return failure();
}

LogicalResult GraphImporter::bindInputs() {
  onnx::GraphProto &graph = *model.proto().mutable_graph();
  for (const auto &binding : options.boundInputs) {
    StringRef name = binding.getKey();
    StringRef path = binding.getValue();
    const onnx::ValueInfoProto *info = nullptr;
    for (const onnx::ValueInfoProto &input : graph.input())
      if (input.name() == name)
        info = &input;
    if (!info) {
      InFlightDiagnostic diag = emitModelError();
      diag << model.path() << ": --bind-input names '" << name
           << "', which is not an input of the model (inputs: ";
      llvm::interleaveComma(graph.input(), diag,
                            [&](const onnx::ValueInfoProto &input) {
                              diag << "'" << input.name() << "'";
                            });
      return diag << ")";
    }
    onnx::TensorProto tensor;
    if (path.ends_with(".npy")) {
      llvm::Expected<::sparq::npy::Array> array = ::sparq::npy::read(path);
      if (!array)
        return emitModelError() << llvm::toString(array.takeError());
      tensor.set_data_type(array->dtype);
      for (int64_t dim : array->shape)
        tensor.add_dims(dim);
      tensor.set_raw_data(array->bytes.data(), array->bytes.size());
    } else {
      auto buffer = llvm::MemoryBuffer::getFile(path);
      if (!buffer)
        return emitModelError() << path << ": " << buffer.getError().message();
      if (!tensor.ParseFromArray((*buffer)->getBufferStart(),
                                 (*buffer)->getBufferSize()))
        return emitModelError() << path
                                << ": neither a .npy file nor an ONNX "
                                   "TensorProto";
    }
    tensor.set_name(name.str());
    const onnx::TypeProto_Tensor &declared = info->type().tensor_type();
    if (declared.elem_type() != tensor.data_type())
      return emitModelError()
             << "--bind-input " << name << ": input '" << name << "' is "
             << dtypeName(declared.elem_type()) << " but " << path << " holds "
             << dtypeName(tensor.data_type());
    bool shapeAgrees = !declared.has_shape() ||
                       declared.shape().dim_size() == tensor.dims_size();
    for (int i = 0;
         shapeAgrees && declared.has_shape() && i < declared.shape().dim_size();
         ++i)
      if (declared.shape().dim(i).has_dim_value() &&
          declared.shape().dim(i).dim_value() != tensor.dims(i))
        shapeAgrees = false;
    if (!shapeAgrees)
      return emitModelError()
             << "--bind-input " << name << ": " << path << " holds shape "
             << formatShape(SmallVector<int64_t>(tensor.dims().begin(),
                                                 tensor.dims().end()))
             << ", which input '" << name << "' does not accept";
    *graph.add_initializer() = std::move(tensor);
  }
  return success();
}

FailureOr<RankedTensorType>
GraphImporter::convertValueType(const onnx::ValueInfoProto &info,
                                NamedLists &unboundDims) {
  if (!info.type().has_tensor_type())
    return emitModelError()
           << model.path() << ": input '" << info.name() << "' is not a tensor";
  const onnx::TypeProto_Tensor &tensorType = info.type().tensor_type();
  Type elementType = getElementType(tensorType.elem_type());
  if (!elementType)
    return emitModelError() << model.path() << ": input '" << info.name()
                            << "' has unsupported element type "
                            << dtypeName(tensorType.elem_type());
  if (!tensorType.has_shape())
    return emitModelError() << model.path() << ": input '" << info.name()
                            << "' has no shape; sparq compiles static shapes";
  SmallVector<int64_t> shape;
  bool bound = true;
  for (auto [i, dim] : llvm::enumerate(tensorType.shape().dim())) {
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0)
        return emitModelError()
               << model.path() << ": input '" << info.name() << "' dim " << i
               << " is " << dim.dim_value() << "; sizes must be >= 0";
      shape.push_back(dim.dim_value());
      continue;
    }
    if (dim.has_dim_param()) {
      auto it = options.dimBindings.find(dim.dim_param());
      if (it != options.dimBindings.end()) {
        shape.push_back(it->second);
        continue;
      }
      SmallVector<std::string> &users = entryFor(unboundDims, dim.dim_param());
      if (!llvm::is_contained(users, info.name()))
        users.push_back(info.name());
      bound = false;
      continue;
    }
    return emitModelError()
           << model.path() << ": input '" << info.name() << "' dim " << i
           << " has neither a size nor a name";
  }
  if (!bound)
    return RankedTensorType(); // reported together by the caller
  if (!isAddressable(shape))
    return emitModelError() << model.path() << ": input '" << info.name()
                            << "' has shape " << formatShape(shape)
                            << ", whose size in bytes does not fit in 64 bits";
  return RankedTensorType::get(shape, elementType);
}

FailureOr<SmallVector<std::pair<std::string, RankedTensorType>>>
GraphImporter::collectInputs(const llvm::StringSet<> &initializerNames) {
  SmallVector<std::pair<std::string, RankedTensorType>> inputs;
  NamedLists unboundDims;
  for (const onnx::ValueInfoProto &info : model.proto().graph().input()) {
    // Older exporters list initializers among the inputs too.
    if (initializerNames.contains(info.name()))
      continue;
    FailureOr<RankedTensorType> type = convertValueType(info, unboundDims);
    if (failed(type))
      return failure();
    inputs.emplace_back(info.name(), *type);
  }
  if (unboundDims.empty())
    return inputs;
  InFlightDiagnostic diag = emitModelError();
  diag << model.path() << ": unbound symbolic dimension"
       << (unboundDims.size() == 1 ? "" : "s") << ":";
  for (auto &[name, users] : unboundDims) {
    diag << "\n  '" << name << "' (used by input"
         << (users.size() == 1 ? " " : "s ");
    llvm::interleaveComma(
        users, diag, [&](const std::string &u) { diag << "'" << u << "'"; });
    diag << "): bind it with --dim " << name << "=N";
  }
  return failure();
}

LogicalResult
GraphImporter::checkDeclaredOutput(const onnx::ValueInfoProto &info,
                                   const ImportedValue &value) {
  if (!info.type().has_tensor_type())
    return success();
  const onnx::TypeProto_Tensor &declared = info.type().tensor_type();
  if (declared.elem_type() != 0 && declared.elem_type() != value.dtype)
    return emitModelError()
           << model.path() << ": output '" << info.name() << "' is declared "
           << dtypeName(declared.elem_type()) << " but computes "
           << dtypeName(value.dtype);
  if (!declared.has_shape())
    return success();
  ArrayRef<int64_t> shape = value.getShape();
  bool shapeMismatch = declared.shape().dim_size() != value.getRank();
  for (int i = 0, e = declared.shape().dim_size(); !shapeMismatch && i < e;
       ++i) {
    const onnx::TensorShapeProto_Dimension &dim = declared.shape().dim(i);
    if (dim.has_dim_value() && dim.dim_value() != shape[i])
      shapeMismatch = true;
  }
  if (!shapeMismatch)
    return success();
  // Name the declared shape (symbolic dims by name) next to the computed one.
  std::string declaredShape;
  llvm::raw_string_ostream os(declaredShape);
  os << "[";
  llvm::interleaveComma(declared.shape().dim(), os,
                        [&](const onnx::TensorShapeProto_Dimension &dim) {
                          if (dim.has_dim_value())
                            os << dim.dim_value();
                          else if (dim.has_dim_param())
                            os << dim.dim_param();
                          else
                            os << "?";
                        });
  os << "]";
  return emitModelError() << model.path() << ": output '" << info.name()
                          << "' is declared with shape " << declaredShape
                          << " but computes " << formatShape(shape);
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  const onnx::GraphProto &graph = model.proto().graph();
  if (failed(collectOpsets()) || failed(checkOperatorsSupported()))
    return nullptr;

  if (options.runChecker) {
    std::string skipped;
    if (std::optional<std::string> problem =
            runOnnxChecker(model.proto(), model.directory(), skipped)) {
      emitModelError() << model.path() << ": the ONNX checker rejects the "
                       << "model: " << *problem;
      return nullptr;
    }
  }

  if (failed(bindInputs()))
    return nullptr;
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &init : graph.initializer())
    initializerNames.insert(init.name());
  auto inputs = collectInputs(initializerNames);
  if (failed(inputs))
    return nullptr;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> argTypes;
  for (auto &[name, type] : *inputs)
    argTypes.push_back(type);
  auto func = func::FuncOp::create(builder, fileLoc, options.functionName,
                                   builder.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);

  for (auto [index, input] : llvm::enumerate(*inputs)) {
    const onnx::ValueInfoProto *info = nullptr;
    for (const onnx::ValueInfoProto &candidate : graph.input())
      if (candidate.name() == input.first)
        info = &candidate;
    ImportedValue value;
    value.value = body->getArgument(index);
    value.dtype = info->type().tensor_type().elem_type();
    values[input.first] = value;
    func.setArgAttr(index, "sparq.name", builder.getStringAttr(input.first));
    if (isUnsignedDType(value.dtype))
      func.setArgAttr(index, "sparq.unsigned", builder.getUnitAttr());
  }

  // Initializers: the graph owns them; their data moves into the blobs.
  auto *mutableGraph = model.proto().mutable_graph();
  for (onnx::TensorProto &init : *mutableGraph->mutable_initializer()) {
    Location loc = NameLoc::get(builder.getStringAttr(init.name()), fileLoc);
    FailureOr<ImportedValue> value = importTensor(init, loc);
    if (failed(value))
      return nullptr;
    values[init.name()] = *value;
  }

  for (const onnx::NodeProto &node : graph.node()) {
    for (const std::string &input : node.input())
      if (!input.empty() && !values.count(input)) {
        emitModelError() << model.path() << ": node '" << node.name() << "' ("
                         << node.op_type() << ") reads '" << input
                         << "', which no input, initializer or earlier node "
                            "defines";
        return nullptr;
      }
    int64_t opset = opsetOf(node.domain());
    const ConvertFn *convert =
        registry.lookup(node.domain(), node.op_type(), opset);
    NodeContext nodeContext(*this, node, opset);
    if (std::optional<std::string> problem = checkNodeArity(node, opset)) {
      nodeContext.emitError() << *problem;
      return nullptr;
    }
    if (failed((*convert)(nodeContext)))
      return nullptr;
    for (int i = 0, e = node.output_size(); i < e; ++i) {
      if (node.output(i).empty())
        continue;
      auto it = values.find(node.output(i));
      if (it == values.end()) {
        nodeContext.emitError() << "output " << i << " ('" << node.output(i)
                                << "') is not produced by sparq's converter";
        return nullptr;
      }
      if (!isAddressable(it->second.getShape())) {
        nodeContext.emitError()
            << "output " << i << " ('" << node.output(i) << "') has shape "
            << formatShape(it->second.getShape())
            << ", whose size in bytes does not fit in 64 bits";
        return nullptr;
      }
    }
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end()) {
      emitModelError() << model.path() << ": graph output '" << output.name()
                       << "' is never computed";
      return nullptr;
    }
    if (failed(checkDeclaredOutput(output, it->second)))
      return nullptr;
    results.push_back(it->second.value);
    resultTypes.push_back(it->second.value.getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [index, output] : llvm::enumerate(graph.output())) {
    func.setResultAttr(index, "sparq.name",
                       builder.getStringAttr(output.name()));
    if (isUnsignedDType(values[output.name()].dtype))
      func.setResultAttr(index, "sparq.unsigned", builder.getUnitAttr());
  }

  if (failed(verify(*module))) {
    emitModelError() << model.path()
                     << ": internal error: the imported IR does not verify";
    return nullptr;
  }
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

static const ConverterRegistry &getRegistry() {
  static const ConverterRegistry registry = [] {
    ConverterRegistry r;
    registerElementwiseConverters(r);
    registerShapeConverters(r);
    registerReductionConverters(r);
    registerMatmulConverters(r);
    registerQuantizedConverters(r);
    return r;
  }();
  return registry;
}

void sparq::onnx_frontend::registerImportedDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, quant::QuantDialect, tensor::TensorDialect,
                  sparq::SparqDialect>();
}

std::vector<SupportedOperator> sparq::onnx_frontend::listSupportedOperators() {
  return getRegistry().listOperators();
}

static OwningOpRef<ModuleOp>
importLoadedModel(llvm::Expected<LoadedModel> model, llvm::StringRef path,
                  MLIRContext &context, const ImportOptions &options) {
  DialectRegistry registry;
  registerImportedDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();

  if (!model) {
    emitError(FileLineColLoc::get(&context, path, 0, 0))
        << llvm::toString(model.takeError());
    return nullptr;
  }
  GraphImporter importer(context, *model, options, getRegistry());
  return importer.run();
}

OwningOpRef<ModuleOp>
sparq::onnx_frontend::importModel(llvm::StringRef path, MLIRContext &context,
                                  const ImportOptions &options) {
  return importLoadedModel(loadModel(path), path, context, options);
}

OwningOpRef<ModuleOp> sparq::onnx_frontend::importModelFromBuffer(
    llvm::StringRef bytes, llvm::StringRef path, MLIRContext &context,
    const ImportOptions &options) {
  return importLoadedModel(parseModel(bytes, path), path, context, options);
}
