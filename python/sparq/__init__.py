"""sparq from Python: compile ONNX models, run them, read the quantization
report.

    import sparq
    result = sparq.compile("model.onnx", quant="w4a16",
                           dims={"batch": 1, "seq": 16})
    logits = result.load().run(input_ids=ids)["logits"]
    print(sparq.report("model.onnx", quant="squeezellm",
                       dims={"batch": 1, "seq": 16}))

The package also holds the NumPy reference numerics (sparq.reference) and
the test model generators (sparq.models). docs/user-guide.md is the guide.
"""

from sparq.compiler import (CompileError, CompileResult, compile,
                            find_sparqc, report)
from sparq.reports import LayerReport, ModelError, Report
from sparq.runtime import (Context, InputError, Model, SparqError,
                           TensorInfo, load)

# Not `compile`: a star import would shadow the builtin. Use sparq.compile.
__all__ = ["CompileError", "CompileResult", "Context", "InputError",
           "LayerReport", "Model", "ModelError", "Report", "SparqError",
           "TensorInfo", "find_sparqc", "load", "report"]
