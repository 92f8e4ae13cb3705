//===- icl_runtime.cpp - The icl runtime: CPU backend ---------------------===//
//
// Loads model libraries with dlopen, checks their format version, validates
// every call against the recorded signature, and calls the packed entry.
// Depends on libc and libstdc++ only.
//
//===----------------------------------------------------------------------===//

#include "runtime/icl_runtime.h"
#include "runtime/icl_library.h"

#include <dlfcn.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

struct icl_runtime {
  icl_device device;
  std::string error;
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
  bool same = t.dtype == want.dtype && t.rank == want.rank && t.data;
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

} // namespace

extern "C" {

const char *icl_dtype_name(icl_dtype dtype) {
  static const char *names[] = {"f16", "bf16", "f32", "f64", "i8", "i16", "i32", "i64", "u8", "bool"};
  return dtype >= 0 && dtype <= ICL_DTYPE_BOOL ? names[dtype] : "unknown";
}

int icl_runtime_create(icl_device device, icl_runtime **out) {
  *out = new icl_runtime{device, {}};
  if (device == ICL_DEVICE_CUDA)
    return fail(*out, "the CUDA backend is not in this build yet; use ICL_DEVICE_CPU");
  return 0;
}

void icl_runtime_destroy(icl_runtime *runtime) { delete runtime; }

const char *icl_runtime_error(const icl_runtime *runtime) { return runtime->error.c_str(); }

int icl_module_load(icl_runtime *rt, const char *path, icl_module **out) {
  *out = nullptr;
  if (rt->device != ICL_DEVICE_CPU)
    return fail(rt, "cannot load modules: this runtime has no usable device");
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
  if (info->format_version != ICL_LIBRARY_FORMAT_VERSION) {
    std::string message = std::string(path) + " has library format version " +
                          std::to_string(info->format_version) + " (built by " +
                          info->compiler_version + ") but this runtime reads format version " +
                          std::to_string(ICL_LIBRARY_FORMAT_VERSION) +
                          "; recompile the model with a matching icl-compile";
    dlclose(handle);
    return fail(rt, message);
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
  // Token ids outside the vocabulary would index past the embedding table.
  for (int i = 0; i < numArgs; ++i) {
    int64_t limit = d.args[i].id_limit;
    if (limit < 0)
      continue;
    int64_t n = 1;
    for (int32_t k = 0; k < args[i].rank; ++k)
      n *= args[i].shape[k];
    for (int64_t k = 0; k < n; ++k)
      if (int64_t id = intAt(args[i], k); id < 0 || id >= limit)
        return fail(rt, "argument " + std::to_string(i) + " of '" + d.name + "' holds token id " +
                            std::to_string(id) + " at flat position " + std::to_string(k) +
                            ", outside the vocabulary [0, " + std::to_string(limit) + ")");
  }
  std::vector<std::vector<int64_t>> descriptors;
  for (int i = 0; i < numArgs; ++i)
    descriptors.push_back(descriptor(args[i]));
  for (int i = 0; i < numResults; ++i)
    descriptors.push_back(descriptor(results[i]));
  std::vector<void *> pointers;
  for (auto &desc : descriptors)
    pointers.push_back(desc.data());
  std::vector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  d.packed(packed.data());
  rt->error.clear();
  return 0;
}

} // extern "C"
