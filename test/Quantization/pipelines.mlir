// The named quantization pipelines and what they expand to. (On this empty
// module the passes may succeed or fail; only the expansion is checked.)
// RUN: (sparq-opt %s --sparq-w4a16 --dump-pass-pipeline -o /dev/null || true) 2>&1 | FileCheck %s --check-prefix=W4A16
// RUN: (sparq-opt %s --sparq-w4a16="group-size=64 skip=lm_head*" --dump-pass-pipeline -o /dev/null || true) 2>&1 | FileCheck %s --check-prefix=W4A16-OPTS
// RUN: (sparq-opt %s --pass-pipeline="builtin.module(sparq-squeezellm{bits=4 fraction=0.01})" --dump-pass-pipeline -o /dev/null || true) 2>&1 | FileCheck %s --check-prefix=SQUEEZELLM
// RUN: (sparq-opt %s --sparq-w8a8-smoothquant="calibration=%S alpha=0.75" --dump-pass-pipeline -o /dev/null || true) 2>&1 | FileCheck %s --check-prefix=W8A8

// W4A16: {{^}}builtin.module(
// W4A16-NEXT: sparq-quantize-weights{bits=4 group-size=128 symmetric=true}
// W4A16-NEXT: )

// W4A16-OPTS: sparq-quantize-weights{bits=4 group-size=64 skip={lm_head*} symmetric=true}

// SQUEEZELLM: {{^}}builtin.module(
// SQUEEZELLM-NEXT: sparq-decompose-outliers{bits=4 dense=codebook fraction=1.000000e-02 {{.*}}}
// SQUEEZELLM-NEXT: )

// W8A8: {{^}}builtin.module(
// W8A8-NEXT: sparq-calibrate{inputs={{.*}}Quantization percentile=1.000000e+02 stats-file=},
// W8A8-NEXT: sparq-smoothquant{alpha=7.500000e-01},
// W8A8-NEXT: sparq-fold-calibration{activations=static}
// W8A8-NEXT: )

module {
}
