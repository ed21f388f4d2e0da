/*===- sparq_cuda_runtime.c - The CUDA runtime of GPU model libraries -----===*
 *
 * Part of the sparq project.
 *
 * sparqc --target=cuda compiles this file into every model library. It
 * provides:
 *
 *  - the functions MLIR's `gpu-to-llvm` lowering calls (mgpuModuleLoad,
 *    mgpuLaunchKernel, mgpuStreamCreate, mgpuMemAlloc, ...; upstream ships
 *    them as CudaRuntimeWrappers, which Debian does not package) and the
 *    allocation functions of `finalize-memref-to-llvm{use-generic-functions}`
 *    (_mlir_memref_to_llvm_alloc, ...), which here allocate device memory:
 *    every buffer the generated host code allocates is only ever touched by
 *    kernels;
 *  - sparq_cuda_* functions the generated C ABI (sparq_model.h) uses to set
 *    up the device, move inputs and outputs, and collect errors.
 *
 * The driver (libcuda.so.1) is opened with dlopen on first use rather than
 * linked: a model library then loads on any machine, describes its inputs
 * and outputs, and reports a missing driver or GPU as an error of
 * sparq_context_create/sparq_run instead of failing to load at all.
 *
 * Errors never abort. A failing driver call inside a run is recorded in the
 * run's state (the thread's current run), later launches of that run are
 * skipped, and sparq_cuda_end_run returns the first message.
 *
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPARQ_HIDDEN __attribute__((visibility("hidden")))
#define SPARQ_EXPORT __attribute__((visibility("default")))

/* The subset of the driver API's types this file uses (cuda.h is not
 * needed to build a model). */
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_NO_DEVICE = 100,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115,
  CU_STREAM_NON_BLOCKING = 1,
  CU_MEM_ATTACH_GLOBAL = 1,
  CU_EVENT_DEFAULT = 0,
  CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4,
};

/* Driver entry points, resolved by their versioned symbol names. */
static struct {
  void *library;
  CUresult (*init)(unsigned);
  CUresult (*driverGetVersion)(int *);
  CUresult (*getErrorName)(CUresult, const char **);
  CUresult (*getErrorString)(CUresult, const char **);
  CUresult (*deviceGetCount)(int *);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*deviceGetName)(char *, int, CUdevice);
  CUresult (*deviceGetAttribute)(int *, int, CUdevice);
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*ctxSetCurrent)(CUcontext);
  CUresult (*moduleLoadData)(CUmodule *, const void *);
  CUresult (*moduleUnload)(CUmodule);
  CUresult (*moduleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*streamCreate)(CUstream *, unsigned);
  CUresult (*streamDestroy)(CUstream);
  CUresult (*streamSynchronize)(CUstream);
  CUresult (*streamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*eventCreate)(CUevent *, unsigned);
  CUresult (*eventDestroy)(CUevent);
  CUresult (*eventRecord)(CUevent, CUstream);
  CUresult (*eventSynchronize)(CUevent);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*memFree)(CUdeviceptr);
  /* Stream-ordered allocation (CUDA 11.2+); NULL when unsupported. */
  CUresult (*memAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*memFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*deviceGetDefaultMemPool)(void **, CUdevice);
  CUresult (*memPoolSetAttribute)(void *, int, void *);
  CUresult (*memcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*memcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*memcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*memsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*memsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
} driver;

static pthread_once_t initOnce = PTHREAD_ONCE_INIT;
static char initError[512];
static CUdevice device;
static CUcontext primaryContext;
static int computeMajor, computeMinor;
static char deviceName[128];

/* One sparq_run in progress on this thread: the stream every launch and
 * allocation goes to, and the first error. */
struct sparq_cuda_run {
  CUstream stream;
  bool failed;
  char error[384];
};
static __thread struct sparq_cuda_run *currentRun;

/* Errors of mgpu* calls made outside a run (none in generated models). */
static char strayError[384];

static const char *resultName(CUresult result) {
  const char *name = NULL;
  if (driver.getErrorName && driver.getErrorName(result, &name) == 0 && name)
    return name;
  return "unknown CUDA error";
}

static const char *resultText(CUresult result) {
  const char *text = NULL;
  if (driver.getErrorString && driver.getErrorString(result, &text) == 0 &&
      text)
    return text;
  return "";
}

static void formatResult(char *buffer, size_t size, CUresult result,
                         const char *what) {
  snprintf(buffer, size, "%s failed: %s (%s)", what, resultName(result),
           resultText(result));
}

/* Records the first error of the current run. */
static void recordError(CUresult result, const char *what) {
  if (currentRun) {
    if (!currentRun->failed)
      formatResult(currentRun->error, sizeof currentRun->error, result, what);
    currentRun->failed = true;
    return;
  }
  formatResult(strayError, sizeof strayError, result, what);
}

static void recordMessage(const char *message) {
  char *buffer = currentRun ? currentRun->error : strayError;
  size_t size = currentRun ? sizeof currentRun->error : sizeof strayError;
  if (currentRun && currentRun->failed)
    return;
  snprintf(buffer, size, "%s", message);
  if (currentRun)
    currentRun->failed = true;
}

static bool runFailed(void) { return currentRun && currentRun->failed; }

static CUstream runStream(void) { return currentRun ? currentRun->stream : 0; }

#define RESOLVE(field, symbol)                                                 \
  do {                                                                         \
    *(void **)&driver.field = dlsym(driver.library, symbol);                   \
    if (!driver.field) {                                                       \
      snprintf(initError, sizeof initError,                                    \
               "the CUDA driver (libcuda.so.1) lacks %s; it is older than "    \
               "this model needs (CUDA 11.2 or newer)",                        \
               symbol);                                                        \
      return;                                                                  \
    }                                                                          \
  } while (0)

static void initializeDriver(void) {
  driver.library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver.library) {
    snprintf(initError, sizeof initError,
             "CUDA driver not found (libcuda.so.1): no NVIDIA driver on this "
             "machine (%s)",
             dlerror());
    return;
  }
  RESOLVE(init, "cuInit");
  RESOLVE(driverGetVersion, "cuDriverGetVersion");
  RESOLVE(getErrorName, "cuGetErrorName");
  RESOLVE(getErrorString, "cuGetErrorString");
  RESOLVE(deviceGetCount, "cuDeviceGetCount");
  RESOLVE(deviceGet, "cuDeviceGet");
  RESOLVE(deviceGetName, "cuDeviceGetName");
  RESOLVE(deviceGetAttribute, "cuDeviceGetAttribute");
  RESOLVE(primaryCtxRetain, "cuDevicePrimaryCtxRetain");
  RESOLVE(ctxSetCurrent, "cuCtxSetCurrent");
  RESOLVE(moduleLoadData, "cuModuleLoadData");
  RESOLVE(moduleUnload, "cuModuleUnload");
  RESOLVE(moduleGetFunction, "cuModuleGetFunction");
  RESOLVE(launchKernel, "cuLaunchKernel");
  RESOLVE(streamCreate, "cuStreamCreate");
  RESOLVE(streamDestroy, "cuStreamDestroy_v2");
  RESOLVE(streamSynchronize, "cuStreamSynchronize");
  RESOLVE(streamWaitEvent, "cuStreamWaitEvent");
  RESOLVE(eventCreate, "cuEventCreate");
  RESOLVE(eventDestroy, "cuEventDestroy_v2");
  RESOLVE(eventRecord, "cuEventRecord");
  RESOLVE(eventSynchronize, "cuEventSynchronize");
  RESOLVE(memAlloc, "cuMemAlloc_v2");
  RESOLVE(memAllocManaged, "cuMemAllocManaged");
  RESOLVE(memFree, "cuMemFree_v2");
  RESOLVE(memAllocAsync, "cuMemAllocAsync");
  RESOLVE(memFreeAsync, "cuMemFreeAsync");
  RESOLVE(deviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool");
  RESOLVE(memPoolSetAttribute, "cuMemPoolSetAttribute");
  RESOLVE(memcpyAsync, "cuMemcpyAsync");
  RESOLVE(memcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  RESOLVE(memcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  RESOLVE(memsetD32Async, "cuMemsetD32Async");
  RESOLVE(memsetD16Async, "cuMemsetD16Async");

  CUresult result = driver.init(0);
  if (result == CUDA_ERROR_NO_DEVICE) {
    snprintf(initError, sizeof initError,
             "no CUDA device: the NVIDIA driver is installed but sees no GPU "
             "(cuInit: CUDA_ERROR_NO_DEVICE)");
    return;
  }
  if (result != CUDA_SUCCESS) {
    formatResult(initError, sizeof initError, result,
                 "initializing the CUDA driver (cuInit)");
    return;
  }
  /* SPARQ_CUDA_DEVICE picks a device other than the first. */
  int ordinal = 0, count = 0;
  const char *requested = getenv("SPARQ_CUDA_DEVICE");
  if (requested && *requested)
    ordinal = atoi(requested);
  if ((result = driver.deviceGetCount(&count)) != CUDA_SUCCESS) {
    formatResult(initError, sizeof initError, result, "cuDeviceGetCount");
    return;
  }
  if (ordinal < 0 || ordinal >= count) {
    snprintf(initError, sizeof initError,
             "SPARQ_CUDA_DEVICE=%d is not a device of this machine (it has "
             "%d)",
             ordinal, count);
    return;
  }
  if ((result = driver.deviceGet(&device, ordinal)) != CUDA_SUCCESS ||
      (result = driver.deviceGetAttribute(
           &computeMajor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
           device)) != CUDA_SUCCESS ||
      (result = driver.deviceGetAttribute(
           &computeMinor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
           device)) != CUDA_SUCCESS) {
    formatResult(initError, sizeof initError, result,
                 "querying the CUDA device");
    return;
  }
  if (driver.deviceGetName(deviceName, sizeof deviceName, device) !=
      CUDA_SUCCESS)
    snprintf(deviceName, sizeof deviceName, "CUDA device %d", ordinal);
  int pools = 0;
  if (driver.deviceGetAttribute(&pools,
                                CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                                device) != CUDA_SUCCESS ||
      !pools) {
    driver.memAllocAsync = NULL;
    driver.memFreeAsync = NULL;
  } else {
    /* The pool keeps what runs free instead of returning it to the driver
     * at every synchronization (its default), so the next run's
     * intermediate buffers cost no new allocations. */
    void *pool = NULL;
    uint64_t keepAll = UINT64_MAX;
    if (driver.deviceGetDefaultMemPool(&pool, device) == CUDA_SUCCESS)
      driver.memPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                                 &keepAll);
  }
  if ((result = driver.primaryCtxRetain(&primaryContext, device)) !=
      CUDA_SUCCESS) {
    formatResult(initError, sizeof initError, result,
                 "creating the CUDA context (cuDevicePrimaryCtxRetain)");
    return;
  }
}

/* Whether code compiled for `arch` ("sm_90a", "sm_80") runs on the device:
 * cubins need the same major version and at most the device's minor one,
 * and arch-specific ("a") code the exact version; the PTX embedded next to
 * a cubin may be JIT-compiled for a newer device, which the driver decides
 * when it loads the module. */
static bool archRuns(const char *arch, bool hasPtx) {
  int major = 0, minor = 0;
  const char *digits = arch + 3;
  if (strncmp(arch, "sm_", 3) != 0 || strlen(digits) < 2)
    return true;
  major = digits[0] - '0';
  if (digits[1] >= '0' && digits[1] <= '9' && digits[2] >= '0' &&
      digits[2] <= '9') {
    major = (digits[0] - '0') * 10 + (digits[1] - '0');
    minor = digits[2] - '0';
  } else {
    minor = digits[1] - '0';
  }
  bool archSpecific = arch[strlen(arch) - 1] == 'a';
  if (archSpecific)
    return major == computeMajor && minor == computeMinor;
  if (major == computeMajor && minor <= computeMinor)
    return true;
  return hasPtx && (major < computeMajor ||
                    (major == computeMajor && minor <= computeMinor));
}

SPARQ_HIDDEN int sparq_cuda_initialize(const char *arch, bool hasPtx,
                                       char *error, size_t errorSize) {
  pthread_once(&initOnce, initializeDriver);
  if (initError[0]) {
    snprintf(error, errorSize, "%s", initError);
    return 1;
  }
  if (!archRuns(arch, hasPtx)) {
    snprintf(error, errorSize,
             "the model was compiled for %s, which %s (compute capability "
             "%d.%d) cannot run; compile it with --gpu-arch=sm_%d%d",
             arch, deviceName, computeMajor, computeMinor, computeMajor,
             computeMinor);
    return 1;
  }
  CUresult result = driver.ctxSetCurrent(primaryContext);
  if (result != CUDA_SUCCESS) {
    formatResult(error, errorSize, result, "cuCtxSetCurrent");
    return 1;
  }
  return 0;
}

SPARQ_HIDDEN const char *sparq_cuda_device_name(void) { return deviceName; }

/* A context may run on any thread: make the device's context current on
 * this one. */
static void makeCurrent(void) {
  if (primaryContext)
    driver.ctxSetCurrent(primaryContext);
}

SPARQ_HIDDEN int sparq_cuda_stream_create(void **stream, char *error,
                                          size_t errorSize) {
  makeCurrent();
  CUresult result =
      driver.streamCreate((CUstream *)stream, CU_STREAM_NON_BLOCKING);
  if (result != CUDA_SUCCESS) {
    formatResult(error, errorSize, result, "cuStreamCreate");
    return 1;
  }
  return 0;
}

SPARQ_HIDDEN void sparq_cuda_stream_destroy(void *stream) {
  if (stream && driver.streamDestroy) {
    makeCurrent();
    driver.streamDestroy((CUstream)stream);
  }
}

/* Device buffers owned by a context (inputs, outputs, constants). */
SPARQ_HIDDEN int sparq_cuda_alloc(void **pointer, size_t bytes, char *error,
                                  size_t errorSize) {
  makeCurrent();
  CUdeviceptr address = 0;
  CUresult result = driver.memAlloc(&address, bytes ? bytes : 256);
  if (result != CUDA_SUCCESS) {
    char what[96];
    snprintf(what, sizeof what, "allocating %zu bytes of device memory", bytes);
    formatResult(error, errorSize, result, what);
    return 1;
  }
  *pointer = (void *)(uintptr_t)address;
  return 0;
}

SPARQ_HIDDEN void sparq_cuda_free(void *pointer) {
  if (pointer && driver.memFree) {
    makeCurrent();
    driver.memFree((CUdeviceptr)(uintptr_t)pointer);
  }
}

SPARQ_HIDDEN int sparq_cuda_copy_to_device(void *device, const void *host,
                                           size_t bytes, void *stream,
                                           char *error, size_t errorSize) {
  makeCurrent();
  if (!bytes)
    return 0;
  CUresult result = driver.memcpyHtoDAsync((CUdeviceptr)(uintptr_t)device, host,
                                           bytes, (CUstream)stream);
  if (result != CUDA_SUCCESS) {
    formatResult(error, errorSize, result, "copying an input to the device");
    return 1;
  }
  return 0;
}

SPARQ_HIDDEN int sparq_cuda_copy_to_host(void *host, const void *device,
                                         size_t bytes, void *stream,
                                         char *error, size_t errorSize) {
  makeCurrent();
  if (!bytes)
    return 0;
  CUresult result = driver.memcpyDtoHAsync(host, (CUdeviceptr)(uintptr_t)device,
                                           bytes, (CUstream)stream);
  if (result != CUDA_SUCCESS) {
    formatResult(error, errorSize, result, "copying an output to the host");
    return 1;
  }
  return 0;
}

SPARQ_HIDDEN int sparq_cuda_synchronize(void *stream, char *error,
                                        size_t errorSize) {
  makeCurrent();
  CUresult result = driver.streamSynchronize((CUstream)stream);
  if (result != CUDA_SUCCESS) {
    formatResult(error, errorSize, result,
                 "running the model's kernels (cuStreamSynchronize)");
    return 1;
  }
  return 0;
}

/* The generated entry function runs between begin and end on this thread;
 * everything it enqueues goes to `stream`. */
SPARQ_HIDDEN struct sparq_cuda_run *sparq_cuda_begin_run(void *stream) {
  makeCurrent();
  struct sparq_cuda_run *run = calloc(1, sizeof *run);
  if (!run)
    return NULL;
  run->stream = (CUstream)stream;
  currentRun = run;
  return run;
}

/* Ends the run; 0, or 1 with the first error of the run in `error`. */
SPARQ_HIDDEN int sparq_cuda_end_run(struct sparq_cuda_run *run, char *error,
                                    size_t errorSize) {
  currentRun = NULL;
  int status = run->failed;
  if (status)
    snprintf(error, errorSize, "%s", run->error);
  free(run);
  return status;
}

/*===----------------------------------------------------------------------===*
 * What gpu-to-llvm and finalize-memref-to-llvm call.
 *===----------------------------------------------------------------------===*/

/* A kernel module embedded in the library. The global constructor the
 * lowering emits registers it when the library is loaded, before any
 * context exists, so it is loaded into the device on first use. */
struct sparq_cuda_function {
  const char *name;
  CUfunction function;
};

struct sparq_cuda_module {
  const void *image;
  CUmodule module;
  pthread_mutex_t lock;
  /* The host code asks for a kernel's handle before every launch (a model
   * makes hundreds per run); handles found once are kept here, keyed by the
   * name's address (a constant of the library) and then by its text. */
  struct sparq_cuda_function *functions;
  size_t numFunctions, capacity;
};

/* The cached handle of `name`, or NULL; call with the module's lock held. */
static CUfunction findCachedFunction(struct sparq_cuda_module *handle,
                                     const char *name) {
  for (size_t i = 0; i < handle->numFunctions; ++i)
    if (handle->functions[i].name == name)
      return handle->functions[i].function;
  for (size_t i = 0; i < handle->numFunctions; ++i)
    if (strcmp(handle->functions[i].name, name) == 0)
      return handle->functions[i].function;
  return NULL;
}

/* Remembers `function` for `name` (the name outlives the module: it is a
 * constant of the library that registered it); a full cache just stays
 * as it is. Call with the module's lock held. */
static void cacheFunction(struct sparq_cuda_module *handle, const char *name,
                          CUfunction function) {
  if (handle->numFunctions == handle->capacity) {
    size_t capacity = handle->capacity ? 2 * handle->capacity : 64;
    struct sparq_cuda_function *grown =
        realloc(handle->functions, capacity * sizeof *grown);
    if (!grown)
      return;
    handle->functions = grown;
    handle->capacity = capacity;
  }
  handle->functions[handle->numFunctions].name = name;
  handle->functions[handle->numFunctions].function = function;
  ++handle->numFunctions;
}

SPARQ_EXPORT void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  struct sparq_cuda_module *handle = calloc(1, sizeof *handle);
  if (!handle)
    return NULL;
  handle->image = data;
  pthread_mutex_init(&handle->lock, NULL);
  return handle;
}

/* PTX-only modules (no ptxas when compiling) are JIT-compiled by
 * cuModuleLoadData like any other image. */
SPARQ_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  (void)optLevel;
  return mgpuModuleLoad(data, 0);
}

SPARQ_EXPORT void mgpuModuleUnload(void *module) {
  struct sparq_cuda_module *handle = module;
  if (!handle)
    return;
  /* Runs from the library's destructor; the driver may already be gone at
   * process exit, and its own teardown releases the module then. */
  if (handle->module && driver.moduleUnload && primaryContext &&
      driver.ctxSetCurrent(primaryContext) == CUDA_SUCCESS)
    driver.moduleUnload(handle->module);
  pthread_mutex_destroy(&handle->lock);
  free(handle->functions);
  free(handle);
}

SPARQ_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  struct sparq_cuda_module *handle = module;
  if (!handle) {
    recordMessage("a kernel module could not be registered (out of memory)");
    return NULL;
  }
  if (runFailed())
    return NULL;
  pthread_mutex_lock(&handle->lock);
  CUresult result = CUDA_SUCCESS;
  if (!handle->module)
    result = driver.moduleLoadData(&handle->module, handle->image);
  CUfunction function = NULL;
  if (result != CUDA_SUCCESS) {
    pthread_mutex_unlock(&handle->lock);
    recordError(result, "loading the model's kernels (cuModuleLoadData)");
    return NULL;
  }
  function = findCachedFunction(handle, name);
  if (!function) {
    result = driver.moduleGetFunction(&function, handle->module, name);
    if (result == CUDA_SUCCESS)
      cacheFunction(handle, name, function);
  }
  pthread_mutex_unlock(&handle->lock);
  if (result != CUDA_SUCCESS) {
    char what[160];
    snprintf(what, sizeof what, "finding kernel %s", name);
    recordError(result, what);
    return NULL;
  }
  return function;
}

SPARQ_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                   intptr_t gridY, intptr_t gridZ,
                                   intptr_t blockX, intptr_t blockY,
                                   intptr_t blockZ, int32_t sharedBytes,
                                   void *stream, void **params, void **extra,
                                   size_t paramCount) {
  (void)paramCount;
  if (!function || runFailed())
    return;
  if (gridX <= 0 || gridY <= 0 || gridZ <= 0 || blockX <= 0 || blockY <= 0 ||
      blockZ <= 0)
    return; /* an empty loop: nothing to do */
  CUresult result = driver.launchKernel(
      (CUfunction)function, (unsigned)gridX, (unsigned)gridY, (unsigned)gridZ,
      (unsigned)blockX, (unsigned)blockY, (unsigned)blockZ,
      (unsigned)sharedBytes, (CUstream)stream, params, extra);
  if (result != CUDA_SUCCESS) {
    char what[160];
    snprintf(what, sizeof what,
             "launching a kernel on %ldx%ldx%ld blocks of %ldx%ldx%ld threads",
             (long)gridX, (long)gridY, (long)gridZ, (long)blockX, (long)blockY,
             (long)blockZ);
    recordError(result, what);
  }
}

/* Every launch of a run goes to the run's stream, in order: the lowering's
 * per-launch stream is that stream, and synchronizing it is left to the end
 * of the run (the host code never reads device memory in between). */
SPARQ_EXPORT void *mgpuStreamCreate(void) {
  if (currentRun)
    return currentRun->stream;
  CUstream stream = NULL;
  CUresult result = driver.streamCreate
                        ? driver.streamCreate(&stream, CU_STREAM_NON_BLOCKING)
                        : CUDA_ERROR_NO_DEVICE;
  if (result != CUDA_SUCCESS)
    recordError(result, "cuStreamCreate");
  return stream;
}

SPARQ_EXPORT void mgpuStreamDestroy(void *stream) {
  if (currentRun && stream == (void *)currentRun->stream)
    return;
  sparq_cuda_stream_destroy(stream);
}

SPARQ_EXPORT void mgpuStreamSynchronize(void *stream) {
  if (currentRun && stream == (void *)currentRun->stream)
    return;
  CUresult result = driver.streamSynchronize((CUstream)stream);
  if (result != CUDA_SUCCESS)
    recordError(result, "cuStreamSynchronize");
}

SPARQ_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  CUresult result = driver.streamWaitEvent((CUstream)stream, (CUevent)event, 0);
  if (result != CUDA_SUCCESS)
    recordError(result, "cuStreamWaitEvent");
}

SPARQ_EXPORT void *mgpuEventCreate(void) {
  CUevent event = NULL;
  CUresult result = driver.eventCreate(&event, CU_EVENT_DEFAULT);
  if (result != CUDA_SUCCESS)
    recordError(result, "cuEventCreate");
  return event;
}

SPARQ_EXPORT void mgpuEventDestroy(void *event) {
  if (event)
    driver.eventDestroy((CUevent)event);
}

SPARQ_EXPORT void mgpuEventSynchronize(void *event) {
  CUresult result = driver.eventSynchronize((CUevent)event);
  if (result != CUDA_SUCCESS)
    recordError(result, "cuEventSynchronize");
}

SPARQ_EXPORT void mgpuEventRecord(void *event, void *stream) {
  CUresult result = driver.eventRecord((CUevent)event, (CUstream)stream);
  if (result != CUDA_SUCCESS)
    recordError(result, "cuEventRecord");
}

static void *allocateOnStream(size_t bytes, CUstream stream) {
  CUdeviceptr address = 0;
  if (runFailed())
    return NULL;
  if (!bytes)
    bytes = 1;
  CUresult result = driver.memAllocAsync
                        ? driver.memAllocAsync(&address, bytes, stream)
                        : driver.memAlloc(&address, bytes);
  if (result != CUDA_SUCCESS) {
    char what[96];
    snprintf(what, sizeof what, "allocating %zu bytes of device memory", bytes);
    recordError(result, what);
    return NULL;
  }
  return (void *)(uintptr_t)address;
}

static void freeOnStream(void *pointer, CUstream stream) {
  if (!pointer)
    return;
  CUresult result =
      driver.memFreeAsync
          ? driver.memFreeAsync((CUdeviceptr)(uintptr_t)pointer, stream)
          : driver.memFree((CUdeviceptr)(uintptr_t)pointer);
  if (result != CUDA_SUCCESS)
    recordError(result, "freeing device memory");
}

SPARQ_EXPORT void *mgpuMemAlloc(uint64_t bytes, void *stream,
                                bool isHostShared) {
  if (!isHostShared)
    return allocateOnStream(bytes, (CUstream)stream);
  CUdeviceptr address = 0;
  CUresult result =
      driver.memAllocManaged(&address, bytes ? bytes : 1, CU_MEM_ATTACH_GLOBAL);
  if (result != CUDA_SUCCESS) {
    recordError(result, "allocating managed memory");
    return NULL;
  }
  return (void *)(uintptr_t)address;
}

SPARQ_EXPORT void mgpuMemFree(void *pointer, void *stream) {
  freeOnStream(pointer, (CUstream)stream);
}

SPARQ_EXPORT void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (runFailed() || !bytes)
    return;
  CUresult result =
      driver.memcpyAsync((CUdeviceptr)(uintptr_t)dst,
                         (CUdeviceptr)(uintptr_t)src, bytes, (CUstream)stream);
  if (result != CUDA_SUCCESS)
    recordError(result, "cuMemcpyAsync");
}

SPARQ_EXPORT void mgpuMemset32(void *dst, unsigned value, size_t count,
                               void *stream) {
  if (runFailed())
    return;
  CUresult result = driver.memsetD32Async((CUdeviceptr)(uintptr_t)dst, value,
                                          count, (CUstream)stream);
  if (result != CUDA_SUCCESS)
    recordError(result, "cuMemsetD32Async");
}

SPARQ_EXPORT void mgpuMemset16(void *dst, unsigned short value, size_t count,
                               void *stream) {
  if (runFailed())
    return;
  CUresult result = driver.memsetD16Async((CUdeviceptr)(uintptr_t)dst, value,
                                          count, (CUstream)stream);
  if (result != CUDA_SUCCESS)
    recordError(result, "cuMemsetD16Async");
}

SPARQ_EXPORT void mgpuSetDefaultDevice(int32_t ordinal) { (void)ordinal; }

/* memref.alloc/dealloc in the host code: device buffers, ordered on the
 * run's stream. */
SPARQ_EXPORT void *_mlir_memref_to_llvm_alloc(size_t bytes) {
  return allocateOnStream(bytes, runStream());
}

SPARQ_EXPORT void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                      size_t bytes) {
  /* Device allocations are aligned to at least 256 bytes. */
  (void)alignment;
  return allocateOnStream(bytes, runStream());
}

SPARQ_EXPORT void _mlir_memref_to_llvm_free(void *pointer) {
  freeOnStream(pointer, runStream());
}
