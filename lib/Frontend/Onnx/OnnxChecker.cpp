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

#include <algorithm>
#include <climits>
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

std::optional<std::string>
sparq::onnx_frontend::checkNodeArity(const onnx::NodeProto &node,
                                     int64_t opset) {
  // The latest schema libonnx has at or below the model's opset: inputs and
  // outputs of ai.onnx operators change rarely, and a node the schema allows
  // reaches converters that can then index their inputs safely.
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      node.op_type(), static_cast<int>(std::min<int64_t>(opset, INT32_MAX)),
      node.domain() == "ai.onnx" ? "" : node.domain());
  if (!schema)
    return std::nullopt;
  // For opsets newer than libonnx knows, only what an operator requires is
  // checked: later versions add optional inputs (ReduceMean's axes in 18),
  // they do not make required ones optional.
  const auto &known =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = known.find(schema->domain());
  bool newer = range == known.end() || opset > range->second.second;
  int maxInputs = newer ? INT32_MAX : schema->max_input();
  int maxOutputs = newer ? INT32_MAX : schema->max_output();
  int numInputs = node.input_size();
  // Trailing empty names are optional inputs left out.
  while (numInputs > 0 && node.input(numInputs - 1).empty())
    --numInputs;
  auto describe = [](int min, int max) {
    if (min == max)
      return std::to_string(min);
    if (max == INT32_MAX)
      return "at least " + std::to_string(min);
    return std::to_string(min) + " to " + std::to_string(max);
  };
  auto count = [](int n, const char *what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  if (numInputs < schema->min_input() || numInputs > maxInputs)
    return "has " + count(numInputs, "input") + "; " + node.op_type() +
           " takes " + describe(schema->min_input(), maxInputs);
  const auto &formal = schema->inputs();
  for (int i = 0; i < numInputs && i < static_cast<int>(formal.size()); ++i)
    if (node.input(i).empty() &&
        formal[i].GetOption() == onnx::OpSchema::Single)
      return "leaves out input " + std::to_string(i) + " ('" +
             formal[i].GetName() + "'), which " + node.op_type() + " requires";
  if (node.output_size() < schema->min_output() ||
      node.output_size() > maxOutputs)
    return "has " + count(node.output_size(), "output") + "; " +
           node.op_type() + " gives " +
           describe(schema->min_output(), maxOutputs);
  return std::nullopt;
}
