// The generated transformer on a GPU gives the CPU library's logits (which
// python/tests check against the NumPy reference). Needs a GPU.
// REQUIRES: cuda
// RUN: rm -rf %t && mkdir -p %t/cpu %t/gpu
// RUN: %python -m sparq.models --variant fp32 -o %t/model.onnx
// RUN: %python -c "import numpy as np; from sparq import models; np.save('%t/ids.npy', models.default_inputs(models.Config()))"
// RUN: sparqc %t/model.onnx --quiet --dim batch=1 --dim seq=16 -o %t/cpu/model.so
// RUN: sparq-run %t/cpu/model.so --input input_ids=%t/ids.npy --output-dir %t/cpu
// RUN: sparqc %t/model.onnx --quiet --target=cuda --dim batch=1 --dim seq=16 -o %t/gpu/model.so
// RUN: sparq-run %t/gpu/model.so --target=cuda --input input_ids=%t/ids.npy --expect %t/cpu --rtol 1e-3 --atol 1e-3 --bench 20 | FileCheck %s
// CHECK: output 'logits' matches
// CHECK: p50
