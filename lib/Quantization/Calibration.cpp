//===- Calibration.cpp - Running a module on calibration inputs -----------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Calibration.h"
#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"
#include "sparq/Support/ModelLibrary.h"
#include "sparq/Support/TensorProto.h"
#include "sparq/Target/Cpu/CpuTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace mlir;
using namespace sparq;

//===----------------------------------------------------------------------===//
// Instrumentation
//===----------------------------------------------------------------------===//

namespace {
/// An activation operand to observe and the layer it feeds.
struct ObservedUse {
  OpOperand *operand;
  std::string layer;
};

std::string quantizedLayerName(Operation *op, unsigned index) {
  if (auto info = op->getAttrOfType<DictionaryAttr>("sparq.quant_info"))
    if (auto layer = info.getAs<StringAttr>("layer"))
      return layer.str();
  return llvm::formatv("{0}_{1}", op->getName().stripDialect(), index).str();
}
} // namespace

unsigned sparq::instrumentMatmulInputs(ModuleOp module) {
  std::vector<ObservedUse> uses;
  for (const ConstantWeightMatmul &target :
       collectConstantWeightMatmuls(module))
    uses.push_back({&target.matmul->getOpOperand(0), target.name});
  unsigned quantizedIndex = 0;
  module.walk([&](Operation *op) {
    if (isa<QMatmulOp, LutMatmulOp>(op))
      uses.push_back(
          {&op->getOpOperand(0), quantizedLayerName(op, quantizedIndex++)});
  });

  OpBuilder builder(module.getContext());
  llvm::DenseMap<Value, ObserveOp> observers;
  unsigned created = 0;
  for (const ObservedUse &use : uses) {
    Value activations = use.operand->get();
    if (activations.getDefiningOp<ObserveOp>())
      continue;
    auto type = dyn_cast<RankedTensorType>(activations.getType());
    if (!type || type.getRank() == 0 || !isa<FloatType>(type.getElementType()))
      continue;
    ObserveOp &observer = observers[activations];
    if (!observer) {
      if (Operation *producer = activations.getDefiningOp())
        builder.setInsertionPointAfter(producer);
      else
        builder.setInsertionPointToStart(
            cast<BlockArgument>(activations).getOwner());
      observer =
          ObserveOp::create(builder, activations.getLoc(), type, activations,
                            builder.getStringAttr(use.layer + ".input"),
                            builder.getI64IntegerAttr(type.getRank() - 1),
                            /*stats=*/CalibrationStatsAttr());
      ++created;
    }
    use.operand->set(observer.getResult());
  }
  return created;
}

//===----------------------------------------------------------------------===//
// Samples
//===----------------------------------------------------------------------===//

namespace {
llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string describeInput(const sparq_tensor_info *info) {
  return (llvm::Twine("'") + info->name + "' (" + npy::dtypeName(info->dtype) +
          " " + npy::formatShape(llvm::ArrayRef(info->shape, info->rank)) + ")")
      .str();
}

int32_t findInput(llvm::ArrayRef<const sparq_tensor_info *> inputs,
                  llvm::StringRef name) {
  for (auto [i, info] : llvm::enumerate(inputs))
    if (name == info->name)
      return i;
  return -1;
}

std::string inputNames(llvm::ArrayRef<const sparq_tensor_info *> inputs) {
  std::string names;
  for (auto [i, info] : llvm::enumerate(inputs))
    names += std::string(i ? ", " : "") + info->name;
  return names;
}

/// Puts `array` read from `file` in `sample` as input `index`, checking its
/// type and that no other file gave it already.
llvm::Error bindInput(CalibrationSample &sample,
                      llvm::ArrayRef<const sparq_tensor_info *> inputs,
                      int32_t index, npy::Array array, llvm::StringRef file) {
  const sparq_tensor_info *info = inputs[index];
  std::vector<int64_t> shape(info->shape, info->shape + info->rank);
  if (array.dtype != info->dtype || array.shape != shape)
    return makeError(llvm::formatv(
        "{0}: input '{1}' must be {2} {3}, got {4} {5}", file, info->name,
        npy::dtypeName(info->dtype), npy::formatShape(shape),
        npy::dtypeName(array.dtype), npy::formatShape(array.shape)));
  if (!sample.inputs[index].bytes.empty() ||
      !sample.inputs[index].shape.empty())
    return makeError(file + ": input '" + info->name + "' is given twice in " +
                     sample.source);
  sample.inputs[index] = std::move(array);
  sample.inputs[index].name = info->name;
  return llvm::Error::success();
}

llvm::Error checkComplete(const CalibrationSample &sample,
                          llvm::ArrayRef<const sparq_tensor_info *> inputs,
                          llvm::StringRef expectedFile) {
  for (auto [i, info] : llvm::enumerate(inputs))
    if (sample.inputs[i].name.empty())
      return makeError(sample.source + ": no " +
                       llvm::formatv(expectedFile.data(), info->name, i) +
                       " for input " + describeInput(info));
  return llvm::Error::success();
}

std::vector<std::string> listDirectory(llvm::StringRef directory,
                                       std::error_code &ec) {
  std::vector<std::string> entries;
  for (llvm::sys::fs::directory_iterator it(directory, ec), end;
       !ec && it != end; it.increment(ec))
    entries.push_back(it->path());
  llvm::sort(entries);
  return entries;
}

/// `<input name>.npy` files in `directory`.
llvm::Expected<CalibrationSample>
loadNpySample(llvm::StringRef directory,
              llvm::ArrayRef<const sparq_tensor_info *> inputs) {
  CalibrationSample sample{directory.str(), {}};
  sample.inputs.resize(inputs.size());
  std::error_code ec;
  std::vector<std::string> entries = listDirectory(directory, ec);
  if (ec)
    return makeError(directory + ": " + ec.message());
  for (const std::string &file : entries) {
    if (llvm::sys::path::extension(file) != ".npy")
      continue;
    llvm::StringRef name = llvm::sys::path::stem(file);
    int32_t index = findInput(inputs, name);
    if (index < 0)
      return makeError(file + ": the model has no input '" + name +
                       "' (inputs: " + inputNames(inputs) + ")");
    llvm::Expected<npy::Array> array = npy::read(file);
    if (!array)
      return array.takeError();
    if (llvm::Error err =
            bindInput(sample, inputs, index, std::move(*array), file))
      return std::move(err);
  }
  if (llvm::Error err = checkComplete(sample, inputs, "{0}.npy"))
    return std::move(err);
  return sample;
}

/// `input_<i>.pb` files in an ONNX test data set.
llvm::Expected<CalibrationSample>
loadTestDataSet(llvm::StringRef directory,
                llvm::ArrayRef<const sparq_tensor_info *> inputs) {
  CalibrationSample sample{directory.str(), {}};
  sample.inputs.resize(inputs.size());
  for (int32_t position = 0;; ++position) {
    llvm::SmallString<256> file(directory);
    llvm::sys::path::append(file,
                            llvm::formatv("input_{0}.pb", position).str());
    if (!llvm::sys::fs::exists(file))
      break;
    llvm::Expected<npy::Array> array = readTensorProtoFile(file);
    if (!array)
      return array.takeError();
    int32_t index = array->name.empty() ? -1 : findInput(inputs, array->name);
    if (index < 0)
      index = position;
    if (index >= static_cast<int32_t>(inputs.size()))
      return makeError(
          file + ": tensor '" + array->name +
          "' matches no model input by name or position (inputs: " +
          inputNames(inputs) + ")");
    if (llvm::Error err =
            bindInput(sample, inputs, index, std::move(*array), file))
      return std::move(err);
  }
  if (llvm::Error err = checkComplete(sample, inputs, "input_*.pb"))
    return std::move(err);
  return sample;
}
} // namespace

llvm::Expected<std::vector<CalibrationSample>> sparq::loadCalibrationSamples(
    llvm::StringRef directory,
    llvm::ArrayRef<const sparq_tensor_info *> inputs) {
  if (!llvm::sys::fs::exists(directory))
    return makeError("calibration inputs '" + directory + "' do not exist");
  if (!llvm::sys::fs::is_directory(directory))
    return makeError("calibration inputs '" + directory +
                     "' is not a directory");
  std::error_code ec;
  std::vector<std::string> entries = listDirectory(directory, ec);
  if (ec)
    return makeError(directory + ": " + ec.message());

  std::vector<std::string> testDataSets, subdirectories;
  bool hasNpyFiles = false;
  for (const std::string &entry : entries) {
    llvm::StringRef name = llvm::sys::path::filename(entry);
    if (llvm::sys::fs::is_directory(entry))
      (name.starts_with("test_data_set_") ? testDataSets : subdirectories)
          .push_back(entry);
    else if (llvm::sys::path::extension(name) == ".npy")
      hasNpyFiles = true;
  }

  std::vector<CalibrationSample> samples;
  auto add = [&](llvm::Expected<CalibrationSample> sample) -> llvm::Error {
    if (!sample)
      return sample.takeError();
    samples.push_back(std::move(*sample));
    return llvm::Error::success();
  };
  if (!testDataSets.empty()) {
    for (const std::string &set : testDataSets)
      if (llvm::Error err = add(loadTestDataSet(set, inputs)))
        return std::move(err);
  } else if (hasNpyFiles) {
    if (llvm::Error err = add(loadNpySample(directory, inputs)))
      return std::move(err);
  } else {
    for (const std::string &sampleDirectory : subdirectories)
      if (llvm::Error err = add(loadNpySample(sampleDirectory, inputs)))
        return std::move(err);
  }
  if (samples.empty())
    return makeError(
        "calibration inputs '" + directory +
        "' hold no samples (expected test_data_set_*/input_<i>.pb, "
        "<sample>/<input name>.npy or <input name>.npy; inputs: " +
        inputNames(inputs) + ")");
  return samples;
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

namespace {
/// The model's entry: its one public function with a body. Errors are
/// emitted on `module` only when `report` is set.
FailureOr<func::FuncOp> findEntry(ModuleOp module, bool report = true) {
  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    if (entry) {
      if (report)
        module.emitError()
            << "the model needs exactly one public function, found @"
            << entry.getSymName() << " and @" << func.getSymName();
      return failure();
    }
    entry = func;
  }
  if (!entry) {
    if (report)
      module.emitError() << "the model has no public function to run";
    return failure();
  }
  return entry;
}
} // namespace

SmallVector<ObserveOp> sparq::getEntryObservers(ModuleOp module) {
  SmallVector<ObserveOp> observers;
  FailureOr<func::FuncOp> entry = findEntry(module, /*report=*/false);
  if (succeeded(entry))
    entry->walk([&](ObserveOp op) { observers.push_back(op); });
  return observers;
}

LogicalResult sparq::runOnCalibrationInputs(ModuleOp module,
                                            llvm::StringRef inputsDirectory,
                                            SampleCallback onSample) {
  OwningOpRef<ModuleOp> clone = module.clone();
  FailureOr<func::FuncOp> entry = findEntry(*clone);
  if (failed(entry))
    return failure();
  MLIRContext *context = module.getContext();
  context->loadDialect<linalg::LinalgDialect, tensor::TensorDialect>();

  // Observed tensors become results of the entry, after its own.
  SmallVector<ObserveOp> observers;
  WalkResult walk = clone->walk([&](ObserveOp op) {
    if (op->getParentOp() != entry->getOperation()) {
      op.emitError() << "observer '" << op.getName()
                     << "' must be in the body of the entry function @"
                     << entry->getSymName() << " to be calibrated";
      return WalkResult::interrupt();
    }
    if (!op.getType().getElementType().isF32()) {
      op.emitError() << "observer '" << op.getName() << "' observes "
                     << op.getType() << "; calibration reads f32 tensors only";
      return WalkResult::interrupt();
    }
    observers.push_back(op);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  if (!entry->getBody().hasOneBlock())
    return entry->emitError() << "the entry function must have one block to "
                                 "return observed tensors";
  auto terminator =
      cast<func::ReturnOp>(entry->getBody().front().getTerminator());
  unsigned numOutputs = terminator.getNumOperands();
  SmallVector<Value> results(terminator.getOperands());
  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0; i < numOutputs; ++i)
    resultAttrs.push_back(entry->getResultAttrDict(i)
                              ? entry->getResultAttrDict(i)
                              : DictionaryAttr::get(context));
  // Each observed tensor is returned as a copy: once observers lower to
  // their inputs, a tensor returned twice (or a returned argument) would
  // make two results share a buffer, which buffer-results-to-out-params
  // cannot express.
  OpBuilder builder(terminator);
  for (ObserveOp observer : observers) {
    Value observed = observer.getResult();
    RankedTensorType type = observer.getType();
    Value destination = tensor::EmptyOp::create(
        builder, observer.getLoc(), type.getShape(), type.getElementType());
    results.push_back(linalg::CopyOp::create(builder, observer.getLoc(),
                                             observed, destination)
                          .getResult(0));
    resultAttrs.push_back(DictionaryAttr::get(
        context,
        {NamedAttribute(
            StringAttr::get(context, "sparq.name"),
            StringAttr::get(context, "observe:" + observer.getName()))}));
  }
  terminator->setOperands(results);
  entry->setType(FunctionType::get(context, entry->getArgumentTypes(),
                                   ValueRange(results).getTypes()));
  entry->setAllResultAttrs(resultAttrs);

  // Compile into a temporary directory, removed on the way out.
  llvm::SmallString<128> directory;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("sparq-calibration", directory))
    return module.emitError()
           << "cannot create a temporary directory: " << ec.message();
  llvm::scope_exit removeDirectory(
      [&] { llvm::sys::fs::remove_directories(directory); });
  llvm::SmallString<128> libraryPath(directory);
  llvm::sys::path::append(libraryPath, "model.so");
  std::string error;
  if (!cpu::compileModuleToSharedLibrary(*entry, cpu::CpuPipelineOptions(),
                                         cpu::CpuCodegenOptions(), libraryPath,
                                         error))
    return module.emitError()
           << "cannot compile the model for calibration: " << error;
  ModelLibrary library;
  if (!library.load(libraryPath, error))
    return module.emitError()
           << "cannot load the model compiled for calibration: " << error;

  SmallVector<const sparq_tensor_info *> inputInfos;
  for (int32_t i = 0, e = library.numInputs(); i < e; ++i)
    inputInfos.push_back(library.inputInfo(i));
  llvm::Expected<std::vector<CalibrationSample>> samples =
      loadCalibrationSamples(inputsDirectory, inputInfos);
  if (!samples)
    return module.emitError() << llvm::toString(samples.takeError());

  sparq_context *runContext = library.createContext();
  if (!runContext)
    return module.emitError() << "cannot create a model context (out of "
                                 "memory)";
  llvm::scope_exit destroyContext([&] { library.destroyContext(runContext); });
  for (auto [index, sample] : llvm::enumerate(*samples)) {
    for (auto [i, input] : llvm::enumerate(sample.inputs))
      if (library.setInput(runContext, i, input.bytes.data(),
                           input.bytes.size()) != SPARQ_OK)
        return module.emitError()
               << sample.source << ": input '" << inputInfos[i]->name
               << "': " << library.lastError(runContext);
    if (library.run(runContext) != SPARQ_OK)
      return module.emitError()
             << sample.source
             << ": the run failed: " << library.lastError(runContext);
    SmallVector<RunTensor> tensors;
    for (int32_t i = 0, e = library.numOutputs(); i < e; ++i)
      tensors.push_back(
          {library.outputInfo(i), library.getOutput(runContext, i, nullptr)});
    if (failed(onSample(index, ArrayRef(tensors).drop_front(numOutputs),
                        ArrayRef(tensors).take_front(numOutputs))))
      return failure();
  }
  return success();
}
