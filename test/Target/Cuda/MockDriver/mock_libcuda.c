/*===- mock_libcuda.c - A stand-in CUDA driver for tests without a GPU ---===*
 *
 * Part of the sparq project.
 *
 * Built as libcuda.so.1 in a directory of its own; tests put it first on
 * LD_LIBRARY_PATH to exercise sparq's CUDA runtime on machines without a
 * GPU. "Device memory" is host memory, so copies, allocations and the
 * model's C ABI work end to end; kernels cannot run: a launch only checks
 * that the kernel exists in the loaded image and, with SPARQ_MOCK_CUDA_TRACE
 * set, prints its name and geometry to stderr.
 *
 *   SPARQ_MOCK_CUDA=sm_90 (default) | sm_80 | no-device
 *   SPARQ_MOCK_CUDA_LAUNCH=ok (default) | fail
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum {
  SUCCESS = 0,
  ERROR_INVALID_VALUE = 1,
  ERROR_NO_DEVICE = 100,
  ERROR_INVALID_IMAGE = 200,
  ERROR_NOT_FOUND = 500,
  ERROR_LAUNCH_FAILED = 719,
};

struct function {
  char name[256];
  struct function *next;
};

/* As with the driver, a module owns its function handles: the same handle
 * for a name every time, freed when the module is unloaded. */
struct module {
  const char *image;
  size_t size;
  struct function *functions;
};

static const char *mode(void) {
  const char *value = getenv("SPARQ_MOCK_CUDA");
  return value && *value ? value : "sm_90";
}

static int tracing(void) { return getenv("SPARQ_MOCK_CUDA_TRACE") != NULL; }

CUresult cuInit(unsigned flags) {
  (void)flags;
  return strcmp(mode(), "no-device") == 0 ? ERROR_NO_DEVICE : SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
  *version = 13000;
  return SUCCESS;
}

CUresult cuGetErrorName(CUresult result, const char **name) {
  switch (result) {
  case ERROR_NO_DEVICE:
    *name = "CUDA_ERROR_NO_DEVICE";
    return SUCCESS;
  case ERROR_INVALID_IMAGE:
    *name = "CUDA_ERROR_INVALID_IMAGE";
    return SUCCESS;
  case ERROR_NOT_FOUND:
    *name = "CUDA_ERROR_NOT_FOUND";
    return SUCCESS;
  case ERROR_LAUNCH_FAILED:
    *name = "CUDA_ERROR_LAUNCH_FAILED";
    return SUCCESS;
  default:
    *name = "CUDA_ERROR_UNKNOWN";
    return SUCCESS;
  }
}

CUresult cuGetErrorString(CUresult result, const char **text) {
  *text = result == ERROR_LAUNCH_FAILED ? "the mock driver runs no kernels"
                                        : "mock driver error";
  return SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return SUCCESS;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return SUCCESS;
}

CUresult cuDeviceGetName(char *name, int size, int device) {
  (void)device;
  snprintf(name, size, "Mock GPU %s", mode());
  return SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  int sm80 = strcmp(mode(), "sm_80") == 0;
  switch (attribute) {
  case 75: /* compute capability major */
    *value = sm80 ? 8 : 9;
    return SUCCESS;
  case 76: /* minor */
    *value = 0;
    return SUCCESS;
  case 115: /* memory pools */
    *value = 1;
    return SUCCESS;
  default:
    *value = 0;
    return SUCCESS;
  }
}

static int context;

CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  (void)device;
  *ctx = &context;
  return SUCCESS;
}

CUresult cuCtxSetCurrent(void *ctx) {
  return ctx == &context ? SUCCESS : ERROR_INVALID_VALUE;
}

/* Size of a fatbinary (header: magic, version, header size, body size) or
 * of NUL-terminated PTX; 0 for anything else. */
static size_t imageSize(const char *image) {
  uint32_t magic;
  memcpy(&magic, image, 4);
  if (magic == 0xBA55ED50u) {
    uint16_t headerSize;
    uint64_t bodySize;
    memcpy(&headerSize, image + 6, 2);
    memcpy(&bodySize, image + 8, 8);
    return headerSize + bodySize;
  }
  if (strncmp(image, "//", 2) == 0 || strncmp(image, ".version", 8) == 0)
    return strlen(image);
  return 0;
}

CUresult cuModuleLoadData(void **module, const void *image) {
  size_t size = imageSize(image);
  if (!size)
    return ERROR_INVALID_IMAGE;
  struct module *m = calloc(1, sizeof *m);
  m->image = image;
  m->size = size;
  *module = m;
  if (tracing())
    fprintf(stderr, "mock-cuda: loaded a %s image of %zu bytes\n",
            strncmp(image, "//", 2) == 0 ? "PTX" : "fatbin", size);
  return SUCCESS;
}

CUresult cuModuleUnload(void *module) {
  struct module *m = module;
  while (m->functions) {
    struct function *next = m->functions->next;
    free(m->functions);
    m->functions = next;
  }
  free(m);
  return SUCCESS;
}

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  struct module *m = module;
  if (!memmem(m->image, m->size, name, strlen(name)))
    return ERROR_NOT_FOUND;
  if (tracing())
    fprintf(stderr, "mock-cuda: get function %s\n", name);
  for (struct function *f = m->functions; f; f = f->next)
    if (strcmp(f->name, name) == 0) {
      *function = f;
      return SUCCESS;
    }
  struct function *f = calloc(1, sizeof *f);
  snprintf(f->name, sizeof f->name, "%s", name);
  f->next = m->functions;
  m->functions = f;
  *function = f;
  return SUCCESS;
}

CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, void **params, void **extra) {
  (void)shared, (void)stream, (void)extra;
  const char *launch = getenv("SPARQ_MOCK_CUDA_LAUNCH");
  if (launch && strcmp(launch, "fail") == 0)
    return ERROR_LAUNCH_FAILED;
  if (!params)
    return ERROR_INVALID_VALUE;
  if (tracing())
    fprintf(stderr, "mock-cuda: launch %s grid %ux%ux%u block %ux%ux%u\n",
            ((struct function *)function)->name, gx, gy, gz, bx, by, bz);
  return SUCCESS;
}

static int streams;

CUresult cuStreamCreate(void **stream, unsigned flags) {
  (void)flags;
  *stream = &streams;
  return SUCCESS;
}

CUresult cuStreamDestroy_v2(void *stream) {
  (void)stream;
  return SUCCESS;
}

CUresult cuStreamSynchronize(void *stream) {
  (void)stream;
  return SUCCESS;
}

CUresult cuStreamWaitEvent(void *stream, void *event, unsigned flags) {
  (void)stream, (void)event, (void)flags;
  return SUCCESS;
}

static int events;

CUresult cuEventCreate(void **event, unsigned flags) {
  (void)flags;
  *event = &events;
  return SUCCESS;
}

CUresult cuEventDestroy_v2(void *event) {
  (void)event;
  return SUCCESS;
}

CUresult cuEventRecord(void *event, void *stream) {
  (void)event, (void)stream;
  return SUCCESS;
}

CUresult cuEventSynchronize(void *event) {
  (void)event;
  return SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  void *memory = calloc(1, bytes ? bytes : 1);
  *pointer = (CUdeviceptr)(uintptr_t)memory;
  return memory ? SUCCESS : ERROR_INVALID_VALUE;
}

CUresult cuMemAllocManaged(CUdeviceptr *pointer, size_t bytes, unsigned flags) {
  (void)flags;
  return cuMemAlloc_v2(pointer, bytes);
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  free((void *)(uintptr_t)pointer);
  return SUCCESS;
}

CUresult cuMemAllocAsync(CUdeviceptr *pointer, size_t bytes, void *stream) {
  (void)stream;
  return cuMemAlloc_v2(pointer, bytes);
}

CUresult cuMemFreeAsync(CUdeviceptr pointer, void *stream) {
  (void)stream;
  return cuMemFree_v2(pointer);
}

static int pool;

CUresult cuDeviceGetDefaultMemPool(void **out, int device) {
  (void)device;
  *out = &pool;
  return SUCCESS;
}

CUresult cuMemPoolSetAttribute(void *memoryPool, int attribute, void *value) {
  (void)value;
  return memoryPool == &pool && attribute == 4 ? SUCCESS : ERROR_INVALID_VALUE;
}

CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                       void *stream) {
  (void)stream;
  memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  return SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes,
                              void *stream) {
  (void)stream;
  memcpy((void *)(uintptr_t)dst, src, bytes);
  return SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes,
                              void *stream) {
  (void)stream;
  memcpy(dst, (const void *)(uintptr_t)src, bytes);
  return SUCCESS;
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count,
                          void *stream) {
  (void)stream;
  for (size_t i = 0; i < count; ++i)
    memcpy((char *)(uintptr_t)dst + 4 * i, &value, 4);
  return SUCCESS;
}

CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count,
                          void *stream) {
  (void)stream;
  for (size_t i = 0; i < count; ++i)
    memcpy((char *)(uintptr_t)dst + 2 * i, &value, 2);
  return SUCCESS;
}
