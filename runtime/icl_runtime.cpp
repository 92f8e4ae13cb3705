//===- icl_runtime.cpp - The icl runtime: library loading and calls -------===//
//
// Loads model libraries with dlopen, checks their format version and device,
// validates every call against the recorded signature, and calls the packed
// entry: on the caller's buffers for CPU libraries, on device buffers for CUDA
// libraries (icl_cuda.c moves host data there and back). Depends on libc,
// libstdc++, libdl and pthreads only.
//
//===----------------------------------------------------------------------===//

#include "runtime/icl_runtime.h"
#include "runtime/icl_cuda.h"
#include "runtime/icl_errors.h"
#include "runtime/icl_library.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct icl_runtime {
  icl_device device;
  std::string error;
  /* The CUstream of the runtime's CUDA work (NULL: the legacy default). */
  void *stream = nullptr;
};

struct icl_function {
  icl_module *module;
  const icl_library_function *desc;
};

struct icl_module {
  icl_runtime *runtime;
  void *handle;
  const icl_library_info *info;
  std::vector<icl_function> functions;
};

namespace {

int fail(icl_runtime *rt, std::string message) {
  rt->error = std::move(message);
  return 1;
}

/// Moves the CUDA backend's pending error into the runtime's message, so the
/// backend works again for the next call.
int failCuda(icl_runtime *rt, const std::string &context = "") {
  std::string message = icl_cuda_error();
  icl_cuda_clear_error();
  return fail(rt, context + (message.empty() ? "the CUDA backend failed without a message" : message));
}

/// Why a library built for `device` cannot run on a runtime of the other one.
/// What is wrong with a library's descriptor, or "" when it can be used:
/// the runtime trusts nothing a library hands it before reading through it.
std::string badDescriptor(const icl_library_info *info) {
  constexpr int32_t kMaxFunctions = 1 << 16, kMaxOperands = 1 << 12, kMaxRank = 64;
  if (!info)
    return "its icl_library_get_info returned NULL";
  if (!info->compiler_version)
    return "its descriptor has no compiler version";
  if (info->num_functions < 0 || info->num_functions > kMaxFunctions)
    return "its descriptor claims " + std::to_string(info->num_functions) +
           " functions (at most " + std::to_string(kMaxFunctions) + ")";
  if (info->num_functions > 0 && !info->functions)
    return "its descriptor has no function table";
  auto badTensors = [](const icl_library_tensor *tensors, int32_t count) -> std::string {
    if (count < 0 || count > kMaxOperands)
      return std::to_string(count) + " operands (at most " + std::to_string(kMaxOperands) + ")";
    if (count > 0 && !tensors)
      return "no operand table";
    for (int32_t i = 0; i < count; ++i)
      if (tensors[i].rank < 0 || tensors[i].rank > kMaxRank ||
          (tensors[i].rank > 0 && !tensors[i].shape))
        return "operand " + std::to_string(i) + " with an invalid rank or shape";
    return "";
  };
  for (int32_t i = 0; i < info->num_functions; ++i) {
    const icl_library_function &f = info->functions[i];
    if (!f.name || !f.packed)
      return "function " + std::to_string(i) + " of its descriptor has no name or entry point";
    std::string problem = badTensors(f.args, f.num_args);
    if (problem.empty())
      problem = badTensors(f.results, f.num_results);
    if (!problem.empty())
      return "function '" + std::string(f.name) + "' of its descriptor has " + problem;
  }
  return "";
}

std::string wrongDevice(const std::string &path, int32_t device) {
  if (device == ICL_DEVICE_CPU)
    return path + " was compiled for the CPU (--target=x86); load it with a CPU runtime "
                  "(ICL_DEVICE_CPU) or recompile it with --target=cuda";
  if (device == ICL_DEVICE_CUDA)
    return path + " was compiled for CUDA (--target=cuda); load it with a CUDA runtime "
                  "(ICL_DEVICE_CUDA) or recompile it with --target=x86";
  return path + " was compiled for an unknown device " + std::to_string(device) +
         "; recompile it with a matching icl-compile";
}

std::string shapeString(int32_t rank, const int64_t *shape) {
  std::string s = "[";
  for (int32_t i = 0; i < rank; ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

int64_t dtypeSize(int32_t dtype) {
  switch (dtype) {
  case ICL_DTYPE_F16:
  case ICL_DTYPE_BF16:
  case ICL_DTYPE_I16:
    return 2;
  case ICL_DTYPE_F32:
  case ICL_DTYPE_I32:
    return 4;
  case ICL_DTYPE_F64:
  case ICL_DTYPE_I64:
    return 8;
  default:
    return 1;
  }
}

/// Checks one caller tensor against the library's description of it.
bool matches(icl_runtime *rt, const char *what, int index, const icl_tensor &t,
             const icl_library_tensor &want, const char *fn) {
  // A tensor without elements needs no data pointer.
  bool empty = false;
  for (int32_t i = 0; i < want.rank; ++i)
    empty = empty || want.shape[i] == 0;
  bool same = t.dtype == want.dtype && t.rank == want.rank && (t.data || empty);
  for (int32_t i = 0; same && i < t.rank; ++i)
    same = t.shape && t.shape[i] == want.shape[i];
  if (same)
    return true;
  fail(rt, std::string(what) + " " + std::to_string(index) + " of '" + fn + "' must be " +
               icl_dtype_name(static_cast<icl_dtype>(want.dtype)) +
               shapeString(want.rank, want.shape) + ", got " +
               (t.data ? std::string(icl_dtype_name(t.dtype)) + shapeString(t.rank, t.shape)
                       : std::string("no data")));
  return false;
}

/// Reads integer element `i` of a tensor of an integer dtype.
int64_t intAt(const icl_tensor &t, int64_t i) {
  switch (t.dtype) {
  case ICL_DTYPE_I8:
    return static_cast<const int8_t *>(t.data)[i];
  case ICL_DTYPE_I16:
    return static_cast<const int16_t *>(t.data)[i];
  case ICL_DTYPE_I32:
    return static_cast<const int32_t *>(t.data)[i];
  case ICL_DTYPE_U8:
  case ICL_DTYPE_BOOL:
    return static_cast<const uint8_t *>(t.data)[i];
  default:
    return static_cast<const int64_t *>(t.data)[i];
  }
}

int64_t numel(const icl_tensor &t) {
  int64_t n = 1;
  for (int32_t k = 0; k < t.rank; ++k)
    n *= t.shape[k];
  return n;
}

/// {allocated, aligned, offset, sizes..., strides...} of a contiguous tensor.
std::vector<int64_t> descriptor(const icl_tensor &t) {
  std::vector<int64_t> d = {reinterpret_cast<int64_t>(t.data), reinterpret_cast<int64_t>(t.data), 0};
  d.insert(d.end(), t.shape, t.shape + t.rank);
  std::vector<int64_t> strides(t.rank, 1);
  for (int32_t i = t.rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * t.shape[i + 1];
  d.insert(d.end(), strides.begin(), strides.end());
  return d;
}

/// Checks the counts and every tensor of a call against the signature.
int validate(icl_runtime *rt, const icl_library_function &d, const icl_tensor *args, int numArgs,
             const icl_tensor *results, int numResults) {
  if (numArgs != d.num_args || numResults != d.num_results)
    return fail(rt, std::string("'") + d.name + "' takes " + std::to_string(d.num_args) +
                        " arguments and " + std::to_string(d.num_results) + " results, got " +
                        std::to_string(numArgs) + " and " + std::to_string(numResults));
  for (int i = 0; i < numArgs; ++i)
    if (!matches(rt, "argument", i, args[i], d.args[i], d.name))
      return 1;
  for (int i = 0; i < numResults; ++i)
    if (!matches(rt, "result", i, results[i], d.results[i], d.name))
      return 1;
  return 0;
}

/// Token ids outside the vocabulary, checked on the host for CUDA libraries
/// (CPU code checks its ids itself), with the message compiled code gives.
int checkIds(icl_runtime *rt, const icl_library_function &d, const icl_tensor *args) {
  for (int i = 0; i < d.num_args; ++i) {
    int64_t limit = d.args[i].id_limit;
    if (limit < 0)
      continue;
    for (int64_t k = 0, n = numel(args[i]); k < n; ++k)
      if (int64_t id = intAt(args[i], k); id < 0 || id >= limit) {
        char message[1024];
        std::string where = "argument " + std::to_string(i);
        icl_format_index_error(message, sizeof message, ICL_INDEX_TOKEN_ID, where.c_str(),
                               args[i].shape, args[i].rank, id, k, limit);
        return fail(rt, std::string("run-time error: ") + message);
      }
  }
  return 0;
}

/// Calls the packed entry on descriptors of the tensors' buffers.
void callPacked(const icl_library_function &d, const icl_tensor *args, const icl_tensor *results) {
  std::vector<std::vector<int64_t>> descriptors;
  for (int i = 0; i < d.num_args; ++i)
    descriptors.push_back(descriptor(args[i]));
  for (int i = 0; i < d.num_results; ++i)
    descriptors.push_back(descriptor(results[i]));
  std::vector<void *> pointers;
  for (auto &desc : descriptors)
    pointers.push_back(desc.data());
  std::vector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  d.packed(packed.data());
}

/// Points the runtime's CUDA work, and that of a CUDA library, at the
/// runtime's stream (both are per thread).
int useStream(icl_runtime *rt, const icl_library_info *info) {
  icl_cuda_set_stream(rt->stream);
  if (!info || info->device != ICL_DEVICE_CUDA)
    return 0;
  if (info->set_stream)
    info->set_stream(rt->stream);
  else if (rt->stream)
    return fail(rt, "the library runs on the legacy default stream only (it has no set_stream); "
                    "leave the runtime's stream NULL or recompile it with a matching icl-compile");
  return 0;
}

/// A library's pending error (a CUDA failure, an id out of range), moved
/// into the runtime's message: "'<function>' failed on the GPU: ..." for a
/// call of `function` on the GPU, else "run-time error: ...". The message is
/// built only when there is an error.
bool libraryFailed(icl_runtime *rt, const icl_library_info *info, const char *gpuFunction) {
  const char *message = info->last_error ? info->last_error() : "";
  if (!*message)
    return false;
  // CUDA libraries mark the run-time errors of their host code so.
  std::string_view text(message);
  if (text.rfind("run-time error: ", 0) == 0)
    fail(rt, message);
  else
    fail(rt, gpuFunction ? std::string("'") + gpuFunction + "' failed on the GPU: " + message
                         : std::string("run-time error: ") + message);
  if (info->clear_error)
    info->clear_error();
  return true;
}

/// Device buffers of one call, back to the pool when the call ends (the
/// pool orders their reuse after the call's work).
struct DeviceBuffers {
  std::vector<void *> ptrs;
  ~DeviceBuffers() {
    for (void *p : ptrs)
      icl_cuda_free(p);
  }
};

/// icl_function_invoke on a CUDA runtime: host data through device buffers.
int invokeOnGpu(icl_function *f, const icl_tensor *args, icl_tensor *results) {
  icl_runtime *rt = f->module->runtime;
  const icl_library_info *info = f->module->info;
  const icl_library_function &d = *f->desc;
  if (useStream(rt, info))
    return 1;
  DeviceBuffers buffers;
  std::vector<icl_tensor> onGpu;
  auto place = [&](const char *what, int i, const icl_tensor &t, bool upload) {
    uint64_t bytes = static_cast<uint64_t>(numel(t) * dtypeSize(t.dtype));
    void *p = icl_cuda_alloc(bytes);
    if (p)
      buffers.ptrs.push_back(p);
    if (!p || (upload && icl_cuda_copy(p, t.data, bytes)))
      return failCuda(rt, std::string(what) + " " + std::to_string(i) + " of '" + d.name + "': ");
    onGpu.push_back({t.dtype, t.rank, t.shape, p});
    return 0;
  };
  for (int i = 0; i < d.num_args; ++i)
    if (place("argument", i, args[i], true))
      return 1;
  for (int i = 0; i < d.num_results; ++i)
    if (place("result", i, results[i], false))
      return 1;
  callPacked(d, onGpu.data(), onGpu.data() + d.num_args);
  bool finished = icl_cuda_synchronize() == 0;
  if (libraryFailed(rt, info, d.name)) {
    icl_cuda_clear_error();
    return 1;
  }
  if (!finished)
    return failCuda(rt, std::string("running '") + d.name + "': ");
  for (int i = 0; i < d.num_results; ++i) {
    uint64_t bytes = static_cast<uint64_t>(numel(results[i]) * dtypeSize(results[i].dtype));
    if (icl_cuda_copy(results[i].data, onGpu[d.num_args + i].data, bytes))
      return failCuda(rt, "result " + std::to_string(i) + " of '" + d.name + "': ");
  }
  return 0;
}

} // namespace

extern "C" {

const char *icl_dtype_name(icl_dtype dtype) {
  static const char *names[] = {"f16", "bf16", "f32", "f64", "i8", "i16", "i32", "i64", "u8", "bool"};
  return dtype >= 0 && dtype <= ICL_DTYPE_BOOL ? names[dtype] : "unknown";
}

int icl_runtime_create(icl_device device, icl_runtime **out) {
  *out = new icl_runtime{device, {}};
  if (device != ICL_DEVICE_CPU && device != ICL_DEVICE_CUDA)
    return fail(*out, "unknown device " + std::to_string(device) +
                          "; use ICL_DEVICE_CPU or ICL_DEVICE_CUDA");
  if (device == ICL_DEVICE_CUDA && icl_cuda_init() != 0)
    return failCuda(*out);
  return 0;
}

void icl_runtime_destroy(icl_runtime *runtime) { delete runtime; }

const char *icl_runtime_error(const icl_runtime *runtime) { return runtime->error.c_str(); }

int icl_module_load(icl_runtime *rt, const char *path, icl_module **out) {
  *out = nullptr;
  if (rt->device != ICL_DEVICE_CPU && rt->device != ICL_DEVICE_CUDA)
    return fail(rt, "cannot load modules: this runtime has no usable device");
  if (rt->device == ICL_DEVICE_CUDA && icl_cuda_init() != 0)
    return failCuda(rt, std::string("cannot load ") + path + ": ");
  // A bare file name means the file here, not a search of the library path.
  std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return fail(rt, std::string("cannot load model library: ") + dlerror());
  auto getInfo = reinterpret_cast<icl_library_get_info_fn>(dlsym(handle, "icl_library_get_info"));
  if (!getInfo) {
    dlclose(handle);
    return fail(rt, std::string(path) +
                        " is not an icl model library (it has no icl_library_get_info symbol); "
                        "build it with icl-compile --target=x86");
  }
  const icl_library_info *info = getInfo();
  // The version first: another format's fields are not ours to read.
  if (info && info->format_version != ICL_LIBRARY_FORMAT_VERSION) {
    std::string message = std::string(path) + " has library format version " +
                          std::to_string(info->format_version) + " (built by " +
                          (info->compiler_version ? info->compiler_version : "an unknown compiler") +
                          ") but this runtime reads format version " +
                          std::to_string(ICL_LIBRARY_FORMAT_VERSION) +
                          "; recompile the model with a matching icl-compile";
    dlclose(handle);
    return fail(rt, message);
  }
  if (std::string problem = badDescriptor(info); !problem.empty()) {
    dlclose(handle);
    return fail(rt, std::string(path) + " is not a valid icl model library: " + problem +
                        "; recompile it with icl-compile");
  }
  if (info->device != rt->device) {
    std::string message = wrongDevice(path, info->device);
    dlclose(handle);
    return fail(rt, message);
  }
  // The library's constructor JIT-compiled its PTX for the GPU.
  if (info->device == ICL_DEVICE_CUDA) {
    std::string message =
        !info->last_error ? std::string("it has no last_error entry; recompile it with a matching "
                                        "icl-compile")
                          : info->last_error();
    if (!message.empty()) {
      dlclose(handle);
      return fail(rt, std::string(path) + ": its GPU code did not load: " + message);
    }
  }
  auto *module = new icl_module{rt, handle, info, {}};
  for (int32_t i = 0; i < info->num_functions; ++i)
    module->functions.push_back({module, &info->functions[i]});
  *out = module;
  return 0;
}

void icl_module_unload(icl_module *module) {
  if (!module)
    return;
  // Queued kernels of the library must finish before its code goes away.
  if (module->info->device == ICL_DEVICE_CUDA && icl_cuda_synchronize())
    icl_cuda_clear_error();
  dlclose(module->handle);
  delete module;
}

int icl_module_function_count(const icl_module *module) {
  return static_cast<int>(module->functions.size());
}

const char *icl_module_function_name(const icl_module *module, int index) {
  return module->functions[index].desc->name;
}

int icl_module_lookup(icl_module *module, const char *name, icl_function **out) {
  for (icl_function &f : module->functions)
    if (std::strcmp(f.desc->name, name) == 0) {
      *out = &f;
      return 0;
    }
  std::string names;
  for (icl_function &f : module->functions)
    names += (names.empty() ? "" : ", ") + std::string(f.desc->name);
  return fail(module->runtime,
              std::string("the module has no function '") + name + "' (it has: " + names + ")");
}

int icl_function_arg_count(const icl_function *f) { return f->desc->num_args; }
int icl_function_result_count(const icl_function *f) { return f->desc->num_results; }

static icl_tensor describe(const icl_library_tensor &t) {
  return {static_cast<icl_dtype>(t.dtype), t.rank, t.shape, nullptr};
}
icl_tensor icl_function_arg(const icl_function *f, int i) { return describe(f->desc->args[i]); }
icl_tensor icl_function_result(const icl_function *f, int i) {
  return describe(f->desc->results[i]);
}

int64_t icl_function_arg_id_limit(const icl_function *f, int i) { return f->desc->args[i].id_limit; }

int icl_function_invoke(icl_function *f, const icl_tensor *args, int numArgs, icl_tensor *results,
                        int numResults) {
  icl_runtime *rt = f->module->runtime;
  const icl_library_function &d = *f->desc;
  if (validate(rt, d, args, numArgs, results, numResults))
    return 1;
  if (rt->device == ICL_DEVICE_CUDA) {
    if (checkIds(rt, d, args) || invokeOnGpu(f, args, results))
      return 1;
  } else {
    // Libraries of earlier compilers report no ids out of range themselves.
    const icl_library_info *info = f->module->info;
    if (!info->last_error && checkIds(rt, d, args))
      return 1;
    // An error a typed entry point left pending is not this call's.
    if (info->clear_error)
      info->clear_error();
    callPacked(d, args, results);
    if (libraryFailed(rt, info, nullptr))
      return 1;
  }
  rt->error.clear();
  return 0;
}

int icl_function_invoke_device(icl_function *f, const icl_tensor *args, int numArgs,
                               icl_tensor *results, int numResults) {
  icl_runtime *rt = f->module->runtime;
  if (rt->device != ICL_DEVICE_CUDA)
    return icl_function_invoke(f, args, numArgs, results, numResults);
  const icl_library_function &d = *f->desc;
  if (validate(rt, d, args, numArgs, results, numResults) || useStream(rt, f->module->info))
    return 1;
  callPacked(d, args, results);
  if (libraryFailed(rt, f->module->info, d.name))
    return 1;
  rt->error.clear();
  return 0;
}

int icl_runtime_synchronize(icl_runtime *rt) {
  if (rt->device != ICL_DEVICE_CUDA)
    return 0;
  return icl_cuda_synchronize() ? failCuda(rt) : 0;
}

void icl_runtime_set_stream(icl_runtime *rt, void *cudaStream) { rt->stream = cudaStream; }

void *icl_runtime_device_alloc(icl_runtime *rt, uint64_t bytes) {
  if (rt->device != ICL_DEVICE_CUDA) {
    // Host memory, aligned like the vectors compiled code loads.
    void *p = std::aligned_alloc(64, (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64);
    if (!p)
      fail(rt, "out of memory: cannot allocate " + std::to_string(bytes) + " bytes");
    return p;
  }
  icl_cuda_set_stream(rt->stream);
  void *p = icl_cuda_alloc(bytes);
  if (!p)
    failCuda(rt);
  return p;
}

void icl_runtime_device_free(icl_runtime *rt, void *ptr) {
  if (rt->device != ICL_DEVICE_CUDA) {
    std::free(ptr);
    return;
  }
  icl_cuda_set_stream(rt->stream);
  icl_cuda_free(ptr);
  if (*icl_cuda_error())
    failCuda(rt);
}

int icl_runtime_copy(icl_runtime *rt, void *dst, const void *src, uint64_t bytes) {
  if (rt->device != ICL_DEVICE_CUDA) {
    if (bytes)
      std::memcpy(dst, src, bytes);
    return 0;
  }
  icl_cuda_set_stream(rt->stream);
  return icl_cuda_copy(dst, src, bytes) ? failCuda(rt) : 0;
}

} // extern "C"
