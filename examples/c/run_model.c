/*===- run_model.c - Running a sparqc-compiled model from C ---------------===*
 *
 * Part of the sparq project.
 *
 *   run_model out/model.so [input_0.bin input_1.bin ...]
 *
 * Loads a model library written by `sparqc --target=cpu`, binds each input
 * to the raw bytes of the matching file (exactly sparq_input_info(i)->bytes,
 * in the model's dtype, row-major) or, without a file, to a ramp
 * (element j = j / 2 for float inputs, j for integer ones), runs it once
 * and prints every output, one line each:
 *
 *   logits float32 [1, 4]: 0.5 1.5 2.5 3.5
 *
 * The C ABI is include/sparq/Runtime/sparq_model.h (docs/c-abi.md). This
 * program opens the library with dlopen; a program made for one model can
 * instead link it (cc app.c -Iinclude out/model.so) and call the functions
 * directly.
 *
 *===----------------------------------------------------------------------===*/

#include "sparq/Runtime/sparq_model.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The C ABI's entry points, looked up in the library. */
struct sparq_api {
  int32_t (*abi_version)(void);
  int32_t (*num_inputs)(void);
  int32_t (*num_outputs)(void);
  const sparq_tensor_info *(*input_info)(int32_t);
  const sparq_tensor_info *(*output_info)(int32_t);
  sparq_context *(*context_create)(void);
  void (*context_destroy)(sparq_context *);
  int (*set_input)(sparq_context *, int32_t, const void *, size_t);
  int (*run)(sparq_context *);
  const void *(*get_output)(sparq_context *, int32_t, size_t *);
  const char *(*last_error)(const sparq_context *);
};

static int lookup(void *library, const char *name, void **function) {
  *function = dlsym(library, name);
  if (!*function)
    fprintf(stderr,
            "run_model: the library does not export %s: not a sparq "
            "model\n",
            name);
  return *function != NULL;
}

static int load_api(void *library, struct sparq_api *api) {
  return lookup(library, "sparq_abi_version", (void **)&api->abi_version) &&
         lookup(library, "sparq_num_inputs", (void **)&api->num_inputs) &&
         lookup(library, "sparq_num_outputs", (void **)&api->num_outputs) &&
         lookup(library, "sparq_input_info", (void **)&api->input_info) &&
         lookup(library, "sparq_output_info", (void **)&api->output_info) &&
         lookup(library, "sparq_context_create",
                (void **)&api->context_create) &&
         lookup(library, "sparq_context_destroy",
                (void **)&api->context_destroy) &&
         lookup(library, "sparq_set_input", (void **)&api->set_input) &&
         lookup(library, "sparq_run", (void **)&api->run) &&
         lookup(library, "sparq_get_output", (void **)&api->get_output) &&
         lookup(library, "sparq_last_error", (void **)&api->last_error);
}

static const char *dtype_name(int32_t dtype) {
  switch (dtype) {
  case SPARQ_FLOAT:
    return "float32";
  case SPARQ_INT32:
    return "int32";
  case SPARQ_INT64:
    return "int64";
  case SPARQ_INT8:
    return "int8";
  case SPARQ_UINT8:
    return "uint8";
  case SPARQ_BOOL:
    return "bool";
  default:
    return "other";
  }
}

static size_t element_size(int32_t dtype) {
  switch (dtype) {
  case SPARQ_FLOAT:
  case SPARQ_INT32:
  case SPARQ_UINT32:
    return 4;
  case SPARQ_INT64:
  case SPARQ_UINT64:
  case SPARQ_DOUBLE:
    return 8;
  case SPARQ_FLOAT16:
  case SPARQ_BFLOAT16:
  case SPARQ_INT16:
  case SPARQ_UINT16:
    return 2;
  default:
    return 1;
  }
}

/* The ramp for inputs without a file; 8-bit and 16-bit types get raw
 * bytes j mod 256. */
static void fill_ramp(const sparq_tensor_info *info, void *data) {
  size_t count = info->bytes / element_size(info->dtype);
  for (size_t j = 0; j < count; ++j) {
    if (info->dtype == SPARQ_FLOAT)
      ((float *)data)[j] = (float)j / 2;
    else if (info->dtype == SPARQ_INT64)
      ((int64_t *)data)[j] = (int64_t)j;
    else if (info->dtype == SPARQ_INT32)
      ((int32_t *)data)[j] = (int32_t)j;
    else
      memset((char *)data + j * element_size(info->dtype), (int)(j & 255),
             element_size(info->dtype));
  }
}

static int read_input(const char *path, const sparq_tensor_info *info,
                      void *data) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "run_model: cannot open '%s' for input '%s'\n", path,
            info->name);
    return 0;
  }
  size_t got = fread(data, 1, info->bytes, file);
  int extra = fgetc(file) != EOF;
  fclose(file);
  if (got != info->bytes || extra) {
    fprintf(stderr,
            "run_model: input '%s' needs exactly %zu bytes; '%s' "
            "has %s\n",
            info->name, info->bytes, path, extra ? "more" : "fewer");
    return 0;
  }
  return 1;
}

static void print_output(const sparq_tensor_info *info, const void *data) {
  printf("%s %s [", info->name, dtype_name(info->dtype));
  for (int32_t d = 0; d < info->rank; ++d)
    printf("%s%" PRId64, d ? ", " : "", info->shape[d]);
  printf("]:");
  size_t count = info->bytes / element_size(info->dtype);
  for (size_t j = 0; j < count; ++j) {
    if (info->dtype == SPARQ_FLOAT)
      printf(" %g", ((const float *)data)[j]);
    else if (info->dtype == SPARQ_INT64)
      printf(" %" PRId64, ((const int64_t *)data)[j]);
    else if (info->dtype == SPARQ_INT32)
      printf(" %" PRId32, ((const int32_t *)data)[j]);
    else
      printf(" 0x%02x", ((const unsigned char *)data)[j]);
  }
  printf("\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: run_model model.so [input files...]\n");
    return 2;
  }
  /* dlopen searches the library path for a name without a slash. */
  char path[4096];
  snprintf(path, sizeof path, "%s%s", strchr(argv[1], '/') ? "" : "./",
           argv[1]);
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "run_model: cannot load '%s': %s\n", argv[1], dlerror());
    return 1;
  }
  struct sparq_api api;
  if (!load_api(library, &api))
    return 1;
  if (api.abi_version() != SPARQ_ABI_VERSION) {
    fprintf(stderr, "run_model: '%s' has ABI version %d, not %d\n", argv[1],
            api.abi_version(), SPARQ_ABI_VERSION);
    return 1;
  }
  int32_t inputs = api.num_inputs();
  if (argc - 2 > inputs) {
    fprintf(stderr, "run_model: the model has %d inputs, got %d files\n",
            inputs, argc - 2);
    return 1;
  }

  int status = 1;
  sparq_context *context = api.context_create();
  void **data = calloc((size_t)inputs + 1, sizeof(void *));
  if (!context || !data) {
    fprintf(stderr, "run_model: out of memory\n");
    goto done;
  }
  for (int32_t i = 0; i < inputs; ++i) {
    const sparq_tensor_info *info = api.input_info(i);
    /* Aligned for any element type; the model reads, never copies, it. */
    data[i] = aligned_alloc(64, (info->bytes + 63) / 64 * 64 + 64);
    if (!data[i])
      goto done;
    if (i + 2 < argc) {
      if (!read_input(argv[i + 2], info, data[i]))
        goto done;
    } else {
      fill_ramp(info, data[i]);
    }
    if (api.set_input(context, i, data[i], info->bytes) != SPARQ_OK) {
      fprintf(stderr, "run_model: %s\n", api.last_error(context));
      goto done;
    }
  }
  if (api.run(context) != SPARQ_OK) {
    fprintf(stderr, "run_model: %s\n", api.last_error(context));
    goto done;
  }
  for (int32_t i = 0; i < api.num_outputs(); ++i) {
    size_t bytes = 0;
    const void *output = api.get_output(context, i, &bytes);
    print_output(api.output_info(i), output);
  }
  status = 0;

done:
  if (data)
    for (int32_t i = 0; i < inputs; ++i)
      free(data[i]);
  free(data);
  if (context)
    api.context_destroy(context);
  dlclose(library);
  return status;
}
