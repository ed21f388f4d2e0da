//===- Calibration.h - Running a module on calibration inputs ---*- C++ -*-===//
//
// Part of the sparq project.
//
// What sparq-calibrate and the quantization report share: observers on the
// inputs of weight matmuls, calibration samples read from a directory, and
// running a module (compiled for the host CPU, in process) on every sample
// with the observed tensors as extra outputs.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_CALIBRATION_H
#define SPARQ_QUANTIZATION_CALIBRATION_H

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Runtime/sparq_model.h"
#include "sparq/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace sparq {

/// Puts a `sparq.observe` named `<weight name>.input` (per channel along the
/// last axis) on the floating-point activation input of every constant-weight
/// linalg.matmul and every sparq.qmatmul / sparq.lut_matmul, unless the input
/// already comes from an observer. Matmuls sharing an input share its
/// observer. Quantized ops are named by their `sparq.quant_info` layer.
/// Returns the number of observers created.
unsigned instrumentMatmulInputs(mlir::ModuleOp module);

/// One calibration sample: the model's inputs in its input order.
struct CalibrationSample {
  /// Where it came from (a directory or file), for messages.
  std::string source;
  std::vector<npy::Array> inputs;
};

/// Reads the samples in `directory` for a model with these inputs. The
/// directory holds ONNX test data sets (`test_data_set_*/input_<i>.pb`,
/// matched to inputs by the TensorProto's name, else by position `i`),
/// sample directories (`<sample>/<input name>.npy`), or the `.npy` files of
/// one sample (`<input name>.npy`). Names, dtypes and shapes are checked;
/// errors name the file.
llvm::Expected<std::vector<CalibrationSample>>
loadCalibrationSamples(llvm::StringRef directory,
                       llvm::ArrayRef<const sparq_tensor_info *> inputs);

/// A tensor of one run: its ABI description and data.
struct RunTensor {
  const sparq_tensor_info *info;
  const void *data;
};

/// Called once per sample with the observed tensors (in the order of
/// `sparq.observe` ops in the entry function) and the model's outputs.
using SampleCallback = llvm::function_ref<mlir::LogicalResult(
    unsigned sample, llvm::ArrayRef<RunTensor> observed,
    llvm::ArrayRef<RunTensor> outputs)>;

/// Compiles a copy of `module` for the host CPU with each `sparq.observe`
/// of the entry function (its one public function) as an extra result, into
/// a temporary directory, loads it, and runs it on every sample of
/// `inputsDirectory`. `module` is left unchanged. Errors are emitted on
/// `module` and name what is at fault.
mlir::LogicalResult runOnCalibrationInputs(mlir::ModuleOp module,
                                           llvm::StringRef inputsDirectory,
                                           SampleCallback onSample);

/// The observers of `module`'s entry function, in the order
/// runOnCalibrationInputs reports them.
llvm::SmallVector<ObserveOp> getEntryObservers(mlir::ModuleOp module);

} // namespace sparq

#endif // SPARQ_QUANTIZATION_CALIBRATION_H
