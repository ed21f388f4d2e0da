//===- FuseSiblings.cpp - concatenate sibling quantized matmuls -----------===//
//
// Part of the sparq project.
//
// The `concat-siblings` family of sparq-fuse: quantized matmuls that read the
// same activation (Q/K/V, gate/up) with constant operands and the same
// quantization scheme become one matmul whose N is the sum of theirs. The
// packed weights, scales, zero points, codebooks and bias are [N, ...] row
// blocks, so they concatenate along N at compile time without repacking; CSR
// outliers concatenate row-wise with shifted row pointers. Each original
// result becomes a tensor.extract_slice of the wide result.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"
#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kPatternName = "concat-siblings";
constexpr llvm::StringLiteral kQuantInfo = "sparq.quant_info";

/// Whether two activations are the same value, looking through
/// tensor.collapse_shape: the importer collapses the same 3-D activation
/// separately for every MatMul that reads it.
bool isSameActivation(Value a, Value b) {
  if (a == b)
    return true;
  auto ca = a.getDefiningOp<tensor::CollapseShapeOp>();
  auto cb = b.getDefiningOp<tensor::CollapseShapeOp>();
  return ca && cb && ca.getSrc() == cb.getSrc() &&
         ca.getType() == cb.getType() &&
         ca.getReassociation() == cb.getReassociation();
}

/// The element size in bytes of a constant tensor's storage (sub-byte
/// integers are stored one per byte in dense attributes).
int64_t storageBytes(Type elementType) {
  unsigned bits = elementType.getIntOrFloatBitWidth();
  return bits <= 1 ? 0 : (bits + 7) / 8;
}

/// The bytes of a constant tensor operand in row-major order, or nullopt when
/// `value` is not a constant with readable data.
std::optional<std::vector<char>> readConstantBytes(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t elementBytes = storageBytes(type.getElementType());
  if (elementBytes == 0)
    return std::nullopt;
  size_t size = type.getNumElements() * elementBytes;
  std::vector<char> bytes(size);
  Attribute attr = constant.getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size)
      return std::nullopt;
    std::memcpy(bytes.data(), blob->getData().data(), size);
    return bytes;
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    if (raw.size() != static_cast<size_t>(elementBytes))
      return std::nullopt;
    for (size_t i = 0; i < size; i += elementBytes)
      std::memcpy(bytes.data() + i, raw.data(), elementBytes);
    return bytes;
  }
  if (raw.size() != size)
    return std::nullopt;
  std::memcpy(bytes.data(), raw.data(), size);
  return bytes;
}

/// One sparq.qmatmul or sparq.lut_matmul seen as a concatenation candidate:
/// its row-blocked operands and the scheme that must match its siblings'.
struct Sibling {
  Operation *op = nullptr;
  Value input;
  std::string layer;
  int64_t n = 0;
  /// [N, ...] operands, concatenated along dimension 0: weights/indices,
  /// scales/codebooks, zero points (may be null), bias (may be null).
  Value rows[4];
  Value rowPtr, colInd, values;
  /// Scheme fields, compared in this order to explain a mismatch. Bias and
  /// outliers are not part of it: members without them add zeros.
  SmallVector<std::pair<std::string, std::string>> scheme;
  /// Why this op cannot be concatenated at all, empty if it can.
  std::string unfusable;
};

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

std::string layerName(Operation *op) {
  if (auto info = op->getAttrOfType<DictionaryAttr>(kQuantInfo))
    if (auto layer = info.getAs<StringAttr>("layer"))
      return layer.str();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName() << " at " << op->getLoc();
  return text;
}

Sibling describe(Operation *op) {
  Sibling s;
  s.op = op;
  s.layer = layerName(op);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  s.n = resultType.getShape().back();
  auto addScheme = [&](StringRef field, std::string value) {
    s.scheme.push_back({field.str(), std::move(value)});
  };
  addScheme("op", op->getName().getStringRef().str());
  if (auto q = dyn_cast<sparq::QMatmulOp>(op)) {
    s.input = q.getInput();
    s.rows[0] = q.getWeights();
    s.rows[1] = q.getScales();
    s.rows[2] = q.getZeroPoints();
    s.rows[3] = q.getBias();
    s.rowPtr = q.getOutlierRowPtr();
    s.colInd = q.getOutlierColInd();
    s.values = q.getOutlierValues();
    auto scales = cast<RankedTensorType>(q.getScales().getType());
    int64_t k =
        cast<RankedTensorType>(q.getInput().getType()).getShape().back();
    addScheme("storage", typeString(q.getStorageType()));
    addScheme("group size", scales.getShape()[1] > 0
                                ? std::to_string(k / scales.getShape()[1])
                                : "?");
    addScheme("rows per scale", scales.getShape()[0] > 0
                                    ? std::to_string(s.n / scales.getShape()[0])
                                    : "?");
    addScheme("scale type", typeString(scales.getElementType()));
    addScheme("zero points", q.getZeroPoints()
                                 ? typeString(cast<RankedTensorType>(
                                                  q.getZeroPoints().getType())
                                                  .getElementType())
                                 : "none");
  } else {
    auto lut = cast<sparq::LutMatmulOp>(op);
    s.input = lut.getInput();
    s.rows[0] = lut.getIndices();
    s.rows[1] = lut.getCodebooks();
    s.rows[3] = lut.getBias();
    s.rowPtr = lut.getOutlierRowPtr();
    s.colInd = lut.getOutlierColInd();
    s.values = lut.getOutlierValues();
    addScheme("bits", std::to_string(lut.getBits()));
    addScheme("codebook type",
              typeString(cast<RankedTensorType>(lut.getCodebooks().getType())
                             .getElementType()));
  }
  addScheme("result type", typeString(resultType.getElementType()));
  // Epilogues and other annotations change what the op computes; only the
  // quantization record is understood here.
  for (NamedAttribute attr : op->getDiscardableAttrs())
    if (attr.getName() != kQuantInfo) {
      s.unfusable = ("carries " + attr.getName().strref() +
                     ", which sibling concatenation does not merge")
                        .str();
      return s;
    }
  // An epilogue (activation, residual) applies per member; the wide op
  // would need one per column block.
  bool hasEpilogue = false;
  if (auto q = dyn_cast<sparq::QMatmulOp>(op))
    hasEpilogue = q.getActivationAttr() || q.getResidual() || q.getGated();
  else if (auto l = dyn_cast<sparq::LutMatmulOp>(op))
    hasEpilogue = l.getActivationAttr() || l.getResidual() || l.getGated();
  if (hasEpilogue) {
    s.unfusable = "it has an epilogue, which sibling concatenation does not "
                  "merge";
    return s;
  }
  if (ShapedType::isDynamic(s.n)) {
    s.unfusable = "its output width is dynamic";
    return s;
  }
  for (OpOperand &operand : op->getOpOperands().drop_front())
    if (!operand.get().getDefiningOp<arith::ConstantOp>()) {
      s.unfusable = "operand #" + std::to_string(operand.getOperandNumber()) +
                    " is not a constant";
      return s;
    }
  return s;
}

/// The first scheme field where `a` and `b` differ, as a reason.
std::string schemeMismatch(const Sibling &a, const Sibling &b) {
  // Outlier types only matter when both have outliers.
  for (const auto &field : a.scheme) {
    auto it = llvm::find_if(
        b.scheme, [&](const auto &f) { return f.first == field.first; });
    if (it == b.scheme.end())
      continue;
    if (it->second != field.second)
      return field.first + " " + field.second + " differs from " + b.layer +
             "'s " + it->second;
  }
  return "";
}

/// The fused op's sparq.quant_info: `layer` names the members joined by
/// "+", bytes are summed, weight SQNR is the members' minimum (the per-layer
/// signal energies needed for the exact figure are gone), and `layers`
/// keeps each member's record.
DictionaryAttr mergedQuantInfo(Builder &b, ArrayRef<Sibling> members) {
  SmallVector<std::string> names;
  SmallVector<Attribute> records;
  int64_t before = 0, after = 0;
  std::optional<double> sqnr;
  std::optional<std::string> scheme;
  bool sameScheme = true;
  for (const Sibling &m : members) {
    names.push_back(m.layer);
    auto info = m.op->getAttrOfType<DictionaryAttr>(kQuantInfo);
    if (!info)
      continue;
    records.push_back(info);
    if (auto v = info.getAs<IntegerAttr>("bytes_before"))
      before += v.getInt();
    if (auto v = info.getAs<IntegerAttr>("bytes_after"))
      after += v.getInt();
    if (auto v = info.getAs<FloatAttr>("weight_sqnr_db"))
      sqnr =
          sqnr ? std::min(*sqnr, v.getValueAsDouble()) : v.getValueAsDouble();
    if (auto v = info.getAs<StringAttr>("scheme")) {
      if (scheme && *scheme != v.str())
        sameScheme = false;
      if (!scheme)
        scheme = v.str();
    }
  }
  SmallVector<NamedAttribute> fields;
  fields.push_back(
      b.getNamedAttr("layer", b.getStringAttr(llvm::join(names, "+"))));
  fields.push_back(b.getNamedAttr("layers", b.getArrayAttr(records)));
  if (records.empty())
    return b.getDictionaryAttr(fields);
  if (scheme)
    fields.push_back(b.getNamedAttr(
        "scheme", b.getStringAttr(sameScheme ? *scheme : "mixed")));
  fields.push_back(b.getNamedAttr("bytes_before", b.getI64IntegerAttr(before)));
  fields.push_back(b.getNamedAttr("bytes_after", b.getI64IntegerAttr(after)));
  if (sqnr)
    fields.push_back(
        b.getNamedAttr("weight_sqnr_db", b.getF64FloatAttr(*sqnr)));
  return b.getDictionaryAttr(fields);
}

/// Rooted on one op kind (one instance per kind); the group it looks at
/// holds both kinds so that a mismatch is reported.
struct ConcatenateSiblings : public RewritePattern {
  ConcatenateSiblings(StringRef rootName, MLIRContext *context,
                      sparq::FusionStats &stats)
      : RewritePattern(rootName, /*benefit=*/1, context), stats(stats) {}

  static bool isCandidate(Operation *op) {
    return isa<sparq::QMatmulOp, sparq::LutMatmulOp>(op);
  }

  LogicalResult matchAndRewrite(Operation *root,
                                PatternRewriter &rewriter) const override {
    Value rootInput = root->getOperand(0);
    // The group: every candidate in the block reading the same activation,
    // in block order; only its first member drives the rewrite.
    SmallVector<Value> activations{rootInput};
    if (auto collapse = rootInput.getDefiningOp<tensor::CollapseShapeOp>())
      for (Operation *user : collapse.getSrc().getUsers())
        if (user != collapse && isa<tensor::CollapseShapeOp>(user) &&
            isSameActivation(user->getResult(0), rootInput))
          activations.push_back(user->getResult(0));
    SmallVector<Operation *> group;
    for (Value activation : activations)
      for (OpOperand &use : activation.getUses())
        if (use.getOperandNumber() == 0 && isCandidate(use.getOwner()) &&
            use.getOwner()->getBlock() == root->getBlock() &&
            !llvm::is_contained(group, use.getOwner()))
          group.push_back(use.getOwner());
    llvm::sort(group, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    if (group.size() < 2 || group.front() != root)
      return failure();

    SmallVector<Sibling> siblings = llvm::map_to_vector(group, describe);
    // Classes of fusable members with identical schemes, in first-seen order.
    SmallVector<SmallVector<unsigned>> classes;
    for (unsigned i = 0; i < siblings.size(); ++i) {
      if (!siblings[i].unfusable.empty())
        continue;
      auto it = llvm::find_if(classes, [&](const SmallVector<unsigned> &c) {
        return siblings[c.front()].scheme == siblings[i].scheme;
      });
      if (it == classes.end())
        classes.push_back({i});
      else
        it->push_back(i);
    }
    bool anyFusion = llvm::any_of(
        classes, [](const SmallVector<unsigned> &c) { return c.size() > 1; });

    // Records: a fused group's leftovers were reported when it fused.
    bool alreadyFused = llvm::any_of(siblings, [](const Sibling &s) {
      auto info = s.op->getAttrOfType<DictionaryAttr>(kQuantInfo);
      return info && info.get("layers");
    });
    if (!alreadyFused) {
      const SmallVector<unsigned> *largest = nullptr;
      for (const SmallVector<unsigned> &c : classes)
        if (!largest || c.size() > largest->size())
          largest = &c;
      for (unsigned i = 0; i < siblings.size(); ++i) {
        const Sibling &s = siblings[i];
        if (!s.unfusable.empty()) {
          stats.add(kPatternName, s.layer, "not fused: " + s.unfusable);
          continue;
        }
        auto cls = llvm::find_if(classes, [&](const SmallVector<unsigned> &c) {
          return llvm::is_contained(c, i);
        });
        if (cls->size() > 1)
          continue;
        // Explain against a member of the largest class (or any other
        // fusable sibling).
        const Sibling *other = nullptr;
        if (largest && largest->front() != i)
          other = &siblings[largest->front()];
        for (unsigned j = 0; !other && j < siblings.size(); ++j)
          if (j != i && siblings[j].unfusable.empty())
            other = &siblings[j];
        stats.add(kPatternName, s.layer,
                  other ? "not fused: " + schemeMismatch(s, *other)
                        : "not fused: no sibling with constant operands");
      }
    }
    if (!anyFusion)
      return rewriter.notifyMatchFailure(root, "no siblings share a scheme");

    // A group whose constants cannot be read is reported and skipped; the
    // pattern succeeds if any group changed the IR.
    bool changed = false;
    for (const SmallVector<unsigned> &c : classes) {
      if (c.size() < 2)
        continue;
      SmallVector<Sibling> members =
          llvm::map_to_vector(c, [&](unsigned i) { return siblings[i]; });
      changed |= succeeded(fuse(members, rewriter));
    }
    return success(changed);
  }

  LogicalResult fuse(ArrayRef<Sibling> members,
                     PatternRewriter &rewriter) const {
    const Sibling &first = members.front();
    SmallVector<std::string> names =
        llvm::map_to_vector(members, [](const Sibling &s) { return s.layer; });
    std::string subject = llvm::join(names, "+");

    // Read every operand first so nothing is created when one is unreadable.
    SmallVector<std::vector<char>> concatenated(4);
    SmallVector<RankedTensorType> rowTypes(4);
    int64_t totalN = 0;
    for (const Sibling &m : members)
      totalN += m.n;
    for (unsigned role = 0; role < 4; ++role) {
      bool present = llvm::any_of(
          members, [&](const Sibling &m) { return bool(m.rows[role]); });
      if (!present)
        continue;
      // Bias may be absent on some members: they add zeros. Every other
      // role is present in all or none (it is part of the scheme).
      const Sibling *withRole = llvm::find_if(
          members, [&](const Sibling &m) { return bool(m.rows[role]); });
      auto type = cast<RankedTensorType>(withRole->rows[role].getType());
      int64_t rowsTotal = 0;
      for (const Sibling &m : members) {
        if (!m.rows[role]) {
          int64_t bytes = m.n * storageBytes(type.getElementType());
          concatenated[role].insert(concatenated[role].end(), bytes, 0);
          rowsTotal += m.n;
          continue;
        }
        std::optional<std::vector<char>> bytes =
            readConstantBytes(m.rows[role]);
        if (!bytes) {
          stats.add(kPatternName, subject,
                    "not fused: cannot read the constant data of " + m.layer);
          return failure();
        }
        llvm::append_range(concatenated[role], *bytes);
        rowsTotal +=
            cast<RankedTensorType>(m.rows[role].getType()).getShape()[0];
      }
      SmallVector<int64_t> shape(type.getShape());
      shape[0] = rowsTotal;
      rowTypes[role] = RankedTensorType::get(shape, type.getElementType());
    }

    // CSR outliers: row pointers shift by the nonzeros before each member;
    // members without outliers contribute empty rows.
    bool hasOutliers =
        llvm::any_of(members, [](const Sibling &m) { return bool(m.rowPtr); });
    std::vector<int32_t> rowPtr{0};
    std::vector<char> colInd, values;
    Type valueType;
    for (const Sibling &m : members) {
      if (!hasOutliers)
        break;
      int32_t offset = rowPtr.back();
      if (!m.rowPtr) {
        rowPtr.insert(rowPtr.end(), m.n, offset);
        continue;
      }
      auto ptrBytes = readConstantBytes(m.rowPtr);
      auto colBytes = readConstantBytes(m.colInd);
      auto valBytes = readConstantBytes(m.values);
      if (!ptrBytes || !colBytes || !valBytes ||
          ptrBytes->size() != (m.n + 1) * sizeof(int32_t)) {
        stats.add(kPatternName, subject,
                  "not fused: cannot read the outliers of " + m.layer);
        return failure();
      }
      const int32_t *ptr = reinterpret_cast<const int32_t *>(ptrBytes->data());
      for (int64_t r = 1; r <= m.n; ++r)
        rowPtr.push_back(offset + ptr[r]);
      llvm::append_range(colInd, *colBytes);
      llvm::append_range(values, *valBytes);
      Type memberValueType =
          cast<RankedTensorType>(m.values.getType()).getElementType();
      if (valueType && valueType != memberValueType) {
        stats.add(kPatternName, subject,
                  "not fused: outlier value types differ");
        return failure();
      }
      valueType = memberValueType;
    }

    Location loc = rewriter.getFusedLoc(llvm::map_to_vector(
        members, [](const Sibling &s) { return s.op->getLoc(); }));
    rewriter.setInsertionPoint(first.op);
    std::string resourceBase = first.layer + ".siblings";
    Value rows[4];
    static constexpr const char *kRoleNames[] = {"weights", "scales",
                                                 "zero_points", "bias"};
    for (unsigned role = 0; role < 4; ++role)
      if (rowTypes[role])
        rows[role] = sparq::createConstantTensor(
            rewriter, loc, rowTypes[role], concatenated[role],
            resourceBase + "." + kRoleNames[role]);
    Value ptrValue, colValue, valValue;
    if (hasOutliers) {
      int64_t nnz = colInd.size() / sizeof(int32_t);
      Type i32 = rewriter.getI32Type();
      ArrayRef<char> ptrBytes(reinterpret_cast<const char *>(rowPtr.data()),
                              rowPtr.size() * sizeof(int32_t));
      ptrValue = sparq::createConstantTensor(
          rewriter, loc,
          RankedTensorType::get({static_cast<int64_t>(rowPtr.size())}, i32),
          ptrBytes, resourceBase + ".outlier_row_ptr");
      colValue = sparq::createConstantTensor(
          rewriter, loc, RankedTensorType::get({nnz}, i32), colInd,
          resourceBase + ".outlier_col_ind");
      valValue = sparq::createConstantTensor(
          rewriter, loc, RankedTensorType::get({nnz}, valueType), values,
          resourceBase + ".outlier_values");
    }

    auto firstType = cast<RankedTensorType>(first.op->getResult(0).getType());
    SmallVector<int64_t> shape(firstType.getShape());
    shape.back() = totalN;
    auto wideType = RankedTensorType::get(shape, firstType.getElementType());
    Operation *wide;
    if (auto q = dyn_cast<sparq::QMatmulOp>(first.op))
      wide = sparq::QMatmulOp::create(
          rewriter, loc, wideType, first.input, rows[0], rows[1], rows[2],
          rows[3], ptrValue, colValue, valValue, q.getStorageTypeAttr());
    else
      wide = sparq::LutMatmulOp::create(
          rewriter, loc, wideType, first.input, rows[0], rows[1], rows[3],
          ptrValue, colValue, valValue,
          cast<sparq::LutMatmulOp>(first.op).getBits());
    wide->setAttr(kQuantInfo, mergedQuantInfo(rewriter, members));

    // Each member's result is its column block of the wide result.
    int64_t rank = shape.size();
    int64_t column = 0;
    for (const Sibling &m : members) {
      auto type = cast<RankedTensorType>(m.op->getResult(0).getType());
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      rewriter.setInsertionPoint(m.op);
      for (auto [dim, size] : llvm::enumerate(type.getShape()))
        sizes.push_back(
            ShapedType::isDynamic(size)
                ? OpFoldResult(tensor::DimOp::create(rewriter, m.op->getLoc(),
                                                     wide->getResult(0), dim)
                                   .getResult())
                : rewriter.getIndexAttr(size));
      offsets.back() = rewriter.getIndexAttr(column);
      Value slice = tensor::ExtractSliceOp::create(rewriter, m.op->getLoc(),
                                                   type, wide->getResult(0),
                                                   offsets, sizes, strides);
      rewriter.replaceOp(m.op, slice);
      column += m.n;
    }
    stats.add(kPatternName, subject, "fused");
    return success();
  }

  sparq::FusionStats &stats;
};

} // namespace

void sparq::populateSparqSiblingFusionPatterns(RewritePatternSet &patterns,
                                               FusionStats &stats) {
  patterns.add<ConcatenateSiblings>(QMatmulOp::getOperationName(),
                                    patterns.getContext(), stats);
  patterns.add<ConcatenateSiblings>(LutMatmulOp::getOperationName(),
                                    patterns.getContext(), stats);
}
