//===- ModelLibrary.cpp - Loading a model library through its C ABI -------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Support/ModelLibrary.h"

#include <dlfcn.h>
#include <type_traits>

using namespace sparq;

ModelLibrary::~ModelLibrary() {
  if (handle)
    dlclose(handle);
}

bool ModelLibrary::load(llvm::StringRef path, std::string &error) {
  // A bare file name is a file here, not a library for dlopen to search.
  std::string file = path.contains('/') ? path.str() : "./" + path.str();
  handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    error = dlerror();
    return false;
  }
  bool ok = true;
  auto get = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(handle, name));
    if (!fn && ok) {
      error = std::string("missing symbol ") + name +
              " (not a library written by sparqc?)";
      ok = false;
    }
  };
  get(abiVersion, "sparq_abi_version");
  get(numInputs, "sparq_num_inputs");
  get(numOutputs, "sparq_num_outputs");
  get(inputInfo, "sparq_input_info");
  get(outputInfo, "sparq_output_info");
  get(createContext, "sparq_context_create");
  get(destroyContext, "sparq_context_destroy");
  get(setInput, "sparq_set_input");
  get(run, "sparq_run");
  get(getOutput, "sparq_get_output");
  get(lastError, "sparq_last_error");
  target = reinterpret_cast<const char *(*)()>(dlsym(handle, "sparq_target"));
  if (ok && abiVersion() != SPARQ_ABI_VERSION) {
    error = "ABI version " + std::to_string(abiVersion()) + ", expected " +
            std::to_string(SPARQ_ABI_VERSION);
    ok = false;
  }
  return ok;
}

int32_t ModelLibrary::findInput(llvm::StringRef name) const {
  for (int32_t i = 0, e = numInputs(); i < e; ++i)
    if (name == inputInfo(i)->name)
      return i;
  return -1;
}

std::string ModelLibrary::inputNames() const {
  std::string names;
  for (int32_t i = 0, e = numInputs(); i < e; ++i)
    names += std::string(i ? ", " : "") + inputInfo(i)->name;
  return names;
}

std::string ModelLibrary::targetName() const {
  return target ? target() : "cpu";
}
