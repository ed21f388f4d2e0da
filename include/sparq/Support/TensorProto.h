//===- TensorProto.h - Reading ONNX TensorProto files -----------*- C++ -*-===//
//
// Part of the sparq project.
//
// The input_N.pb / output_N.pb files of ONNX test data sets, read into the
// same host array .npy files give.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_SUPPORT_TENSORPROTO_H
#define SPARQ_SUPPORT_TENSORPROTO_H

#include "sparq/Support/Npy.h"

namespace sparq {

/// Reads a serialized onnx.TensorProto (raw_data or the common typed
/// fields); the array's name is the proto's. Errors name the file.
llvm::Expected<npy::Array> readTensorProtoFile(llvm::StringRef path);

/// Parses a serialized onnx.TensorProto held in memory; `path` names it in
/// errors. The data must match the shape: an array never holds fewer or more
/// bytes than its shape and type say.
llvm::Expected<npy::Array> parseTensorProto(llvm::StringRef bytes,
                                            llvm::StringRef path);

} // namespace sparq

#endif // SPARQ_SUPPORT_TENSORPROTO_H
