//===- OnnxChecker.cpp - libonnx's model checker, exceptions contained ----===//
//
// Part of the sparq project.
//
// libonnx reports checker failures by throwing; this file alone is compiled
// with exceptions and turns them into messages.
//
//===----------------------------------------------------------------------===//

#include "sparq/Frontend/Onnx/ModelLoader.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"

#include <exception>
#include <unordered_map>

std::optional<std::string>
sparq::onnx_frontend::runOnnxChecker(const onnx::ModelProto &model,
                                     llvm::StringRef modelDir,
                                     std::string &skippedWhy) {
  const auto &known =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  std::unordered_map<std::string, int> imports;
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    auto it = known.find(domain);
    if (it == known.end() || opset.version() > it->second.second) {
      skippedWhy = "libonnx " + std::string("1.12") + " does not know opset " +
                   (domain.empty() ? "ai.onnx" : domain) + " v" +
                   std::to_string(opset.version());
      return std::nullopt;
    }
    imports[domain] = static_cast<int>(opset.version());
  }
  try {
    onnx::checker::CheckerContext context;
    context.set_ir_version(static_cast<int>(model.ir_version()));
    context.set_opset_imports(imports);
    context.set_model_dir(modelDir.str());
    onnx::checker::LexicalScopeContext lexicalScope;
    onnx::checker::check_graph(model.graph(), context, lexicalScope);
  } catch (const std::exception &error) {
    return std::string(error.what());
  }
  return std::nullopt;
}
