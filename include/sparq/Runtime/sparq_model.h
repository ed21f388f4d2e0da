/*===- sparq_model.h - C ABI of models compiled by sparqc ---------*- C -*-===*
 *
 * Part of the sparq project.
 *
 * Every shared library that `sparqc` writes (--target=cpu or cuda) exports
 * exactly these functions. A model has fixed inputs and outputs (static shapes);
 * a context holds one set of output buffers and the pointers bound to the
 * inputs, so separate contexts may run concurrently from different threads.
 * One context must not be used by two threads at once.
 *
 *   sparq_context *ctx = sparq_context_create();
 *   sparq_set_input(ctx, 0, tokens, sizeof tokens);   // bound, not copied
 *   if (sparq_run(ctx) != SPARQ_OK) puts(sparq_last_error(ctx));
 *   const float *logits = sparq_get_output(ctx, 0, &bytes);
 *   sparq_context_destroy(ctx);
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARQ_RUNTIME_SPARQ_MODEL_H
#define SPARQ_RUNTIME_SPARQ_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPARQ_ABI_VERSION 1

/* Element types use ONNX's TensorProto.DataType codes. */
enum sparq_dtype {
  SPARQ_FLOAT = 1,
  SPARQ_UINT8 = 2,
  SPARQ_INT8 = 3,
  SPARQ_UINT16 = 4,
  SPARQ_INT16 = 5,
  SPARQ_INT32 = 6,
  SPARQ_INT64 = 7,
  SPARQ_BOOL = 9, /* one byte per element */
  SPARQ_FLOAT16 = 10,
  SPARQ_DOUBLE = 11,
  SPARQ_UINT32 = 12,
  SPARQ_UINT64 = 13,
  SPARQ_BFLOAT16 = 16
};

enum sparq_status {
  SPARQ_OK = 0,
  SPARQ_ERROR_INVALID_ARGUMENT = 1, /* bad index, size or null pointer */
  SPARQ_ERROR_MISSING_INPUT = 2,    /* sparq_run before every input is set */
  SPARQ_ERROR_OUT_OF_MEMORY = 3,
  /* GPU libraries: no usable driver or GPU, or a failing CUDA call (the
   * message says which). */
  SPARQ_ERROR_DEVICE = 4
};

/* A model input or output: name, element type, rank, shape (row-major,
 * densely packed) and size in bytes. Owned by the library. */
typedef struct sparq_tensor_info {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const int64_t *shape;
  size_t bytes;
} sparq_tensor_info;

typedef struct sparq_context sparq_context;

/* SPARQ_ABI_VERSION of the library. */
int32_t sparq_abi_version(void);

/* What the library was compiled for: "cpu", or "cuda:<arch>" such as
 * "cuda:sm_90a". (Libraries built before this function existed are CPU
 * libraries.) */
const char *sparq_target(void);

int32_t sparq_num_inputs(void);
int32_t sparq_num_outputs(void);
/* NULL for an index out of range. */
const sparq_tensor_info *sparq_input_info(int32_t index);
const sparq_tensor_info *sparq_output_info(int32_t index);

/* A new context with its output buffers; NULL if memory runs out.
 * GPU libraries also set up the device here and copy the weights to it. If
 * that fails (no driver, no GPU, a GPU the code was not compiled for), the
 * context is still returned: sparq_last_error says why, and sparq_run fails
 * with SPARQ_ERROR_DEVICE. */
sparq_context *sparq_context_create(void);
void sparq_context_destroy(sparq_context *context);

/* Binds input `index` to `data` (exactly sparq_input_info(index)->bytes
 * bytes, suitably aligned for the element type). The data is read, not
 * copied, by each sparq_run until it is bound again. */
int sparq_set_input(sparq_context *context, int32_t index, const void *data,
                    size_t bytes);

/* Computes every output from the bound inputs (on a GPU: copies the inputs
 * to the device, runs the kernels, copies the outputs back). */
int sparq_run(sparq_context *context);

/* GPU libraries only (absent from CPU ones; look it up with dlsym): runs
 * the model on device buffers the caller owns (device_inputs[i] and
 * device_outputs[i] hold sparq_*_info(i)->bytes bytes), enqueued on the
 * CUstream `stream` (NULL: the context's own) without waiting for it.
 * Failures to enqueue are returned; faults of the enqueued kernels surface
 * when the caller synchronizes the stream. Bound inputs and the context's
 * output buffers are not used. */
int sparq_run_async(sparq_context *context, void *stream,
                    const void *const *device_inputs,
                    void *const *device_outputs);

/* Output `index` of the last run (owned by the context, valid until the next
 * run or destroy); its size in bytes goes to *bytes when bytes is not NULL.
 * NULL for an index out of range. */
const void *sparq_get_output(sparq_context *context, int32_t index,
                             size_t *bytes);

/* Message of the last failing call on this context ("" if none). */
const char *sparq_last_error(const sparq_context *context);

#ifdef __cplusplus
}
#endif

#endif /* SPARQ_RUNTIME_SPARQ_MODEL_H */
