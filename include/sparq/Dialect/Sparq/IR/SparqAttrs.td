//===- SparqAttrs.td - sparq attributes --------------------*- tablegen -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_IR_SPARQATTRS_TD
#define SPARQ_DIALECT_SPARQ_IR_SPARQATTRS_TD

include "sparq/Dialect/Sparq/IR/SparqDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/EnumAttr.td"

class Sparq_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Sparq_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Sparq_CalibrationStatsAttr : Sparq_Attr<"CalibrationStats", "stats"> {
  let summary = "Activation statistics gathered by calibration";
  let description = [{
    What `sparq-calibrate` recorded for one observed tensor over `samples`
    calibration inputs: the running minimum, maximum and absolute maximum,
    either one value (per-tensor) or one per channel along the observer's
    `axis`. `sparq-fold-calibration` and `sparq-smoothquant` read it.

    Example:

    ```mlir
    #sparq.stats<samples = 16, min = [-1.5, -0.25],
                 max = [2.0, 0.5], absmax = [2.0, 0.5]>
    ```
  }];
  let parameters = (ins
    "int64_t":$samples,
    "::mlir::DenseF32ArrayAttr":$min,
    "::mlir::DenseF32ArrayAttr":$max,
    "::mlir::DenseF32ArrayAttr":$absmax
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of channels the statistics cover (1 for per-tensor).
    int64_t getNumChannels() const { return getMin().size(); }
  }];
}

//===----------------------------------------------------------------------===//
// Matmul epilogue activation
//===----------------------------------------------------------------------===//

// An IntegerAttr-backed enum, so ops print it as a bare keyword:
// `activation(gelu)`.
def Sparq_ActivationAttr : I32EnumAttr<"Activation",
    "Elementwise activation applied in a matmul epilogue", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"relu", 1>,
      // 0.5 * x * (1 + erf(x / sqrt(2))).
      I32EnumAttrCase<"gelu", 2>,
      // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
      I32EnumAttrCase<"gelu_tanh", 3>,
      // x * sigmoid(x).
      I32EnumAttrCase<"silu", 4>,
    ]> {
  let cppNamespace = "::sparq";
}

#endif // SPARQ_DIALECT_SPARQ_IR_SPARQATTRS_TD
