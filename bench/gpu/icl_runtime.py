"""The icl runtime (runtime/icl_runtime.h) from Python, through ctypes.

For benchmark scripts on machines that have the runtime and compiled model
libraries but no LLVM or MLIR. numpy and torch are imported only when a call
needs them.

    rt = Runtime("build/lib/libicl_runtime.so", device="cuda")
    module = rt.load("libmodel.so")
    fn = module["forward"]
    print(fn.signature)
    logits, = fn.invoke(ids)                      # numpy in, numpy out
    rt.set_stream(torch.cuda.current_stream())    # launch on PyTorch's stream
    fn.invoke_device([ids_gpu], [logits_gpu])     # torch CUDA tensors, asynchronous
    rt.synchronize()

bf16 has no numpy dtype: host bf16 arrays are ml_dtypes.bfloat16 arrays or
uint16 arrays of the raw bits, and bf16 results come back as uint16 unless
ml_dtypes is installed.
"""

import ctypes
import os

DTYPES = ("f16", "bf16", "f32", "f64", "i8", "i16", "i32", "i64", "u8", "bool")
_DEVICES = {"cpu": 0, "cuda": 1}
_NUMPY_NAMES = {"f16": "float16", "f32": "float32", "f64": "float64", "i8": "int8",
                "i16": "int16", "i32": "int32", "i64": "int64", "u8": "uint8", "bool": "bool"}
_TORCH_NAMES = {"f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64",
                "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "u8": "uint8",
                "bool": "bool"}


class _Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("data", ctypes.c_void_p)]


def _declare(lib):
    p, i, u64 = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint64
    tensors = ctypes.POINTER(_Tensor)
    signatures = {
        "icl_runtime_create": (i, [i, ctypes.POINTER(p)]),
        "icl_runtime_destroy": (None, [p]),
        "icl_runtime_error": (ctypes.c_char_p, [p]),
        "icl_runtime_synchronize": (i, [p]),
        "icl_runtime_set_stream": (None, [p, p]),
        "icl_runtime_device_alloc": (p, [p, u64]),
        "icl_runtime_device_free": (None, [p, p]),
        "icl_runtime_copy": (i, [p, p, p, u64]),
        "icl_module_load": (i, [p, ctypes.c_char_p, ctypes.POINTER(p)]),
        "icl_module_unload": (None, [p]),
        "icl_module_function_count": (i, [p]),
        "icl_module_function_name": (ctypes.c_char_p, [p, i]),
        "icl_module_lookup": (i, [p, ctypes.c_char_p, ctypes.POINTER(p)]),
        "icl_function_arg_count": (i, [p]),
        "icl_function_result_count": (i, [p]),
        "icl_function_arg": (_Tensor, [p, i]),
        "icl_function_result": (_Tensor, [p, i]),
        "icl_function_arg_id_limit": (ctypes.c_int64, [p, i]),
        "icl_function_invoke": (i, [p, tensors, i, tensors, i]),
        "icl_function_invoke_device": (i, [p, tensors, i, tensors, i]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


class TensorType:
    """A dtype name (one of DTYPES), a shape, and for token-id arguments the
    vocabulary size (ids must be in [0, id_limit); None otherwise)."""

    def __init__(self, dtype, shape, id_limit=None):
        self.dtype, self.shape, self.id_limit = dtype, tuple(shape), id_limit

    def __repr__(self):
        ids = f" ids<{self.id_limit}" if self.id_limit is not None else ""
        return f"{self.dtype}[{', '.join(map(str, self.shape))}]{ids}"


class Signature:
    def __init__(self, args, results):
        self.args, self.results = args, results

    def __repr__(self):
        return f"({', '.join(map(repr, self.args))}) -> ({', '.join(map(repr, self.results))})"


def _tensor_type(t, id_limit=None):
    return TensorType(DTYPES[t.dtype], [t.shape[k] for k in range(t.rank)], id_limit)


def _struct(dtype, shape, data):
    """An icl_tensor; its shape array is kept alive on the struct."""
    shape_array = (ctypes.c_int64 * max(len(shape), 1))(*shape)
    t = _Tensor(DTYPES.index(dtype), len(shape), shape_array, data)
    t._keep = shape_array
    return t


def _array_of(tensors):
    array = (_Tensor * max(len(tensors), 1))(*tensors)
    array._keep = tensors
    return array


def _numpy_dtype(dtype):
    import numpy as np
    if dtype == "bf16":
        try:
            import ml_dtypes
            return np.dtype(ml_dtypes.bfloat16)
        except ImportError:
            return np.dtype(np.uint16)
    return np.dtype(_NUMPY_NAMES[dtype])


class Function:
    """One function of a loaded module."""

    def __init__(self, module, handle, name):
        self.module, self._handle, self.name = module, handle, name
        lib = module.runtime._lib
        args = [_tensor_type(lib.icl_function_arg(handle, i),
                             self._limit(lib.icl_function_arg_id_limit(handle, i)))
                for i in range(lib.icl_function_arg_count(handle))]
        results = [_tensor_type(lib.icl_function_result(handle, i))
                   for i in range(lib.icl_function_result_count(handle))]
        self.signature = Signature(args, results)

    @staticmethod
    def _limit(limit):
        return limit if limit >= 0 else None

    def _call(self, entry, args, results):
        rt = self.module.runtime
        status = entry(self._handle, _array_of(args), len(args), _array_of(results), len(results))
        if status:
            rt._raise()

    def invoke(self, *arrays):
        """Runs on host data: numpy arrays (or anything np.asarray takes) in,
        a list of new numpy arrays out. Dtypes and shapes must match the
        signature exactly; token ids are checked against the vocabulary."""
        import numpy as np
        if len(arrays) != len(self.signature.args):
            raise TypeError(f"'{self.name}' takes {len(self.signature.args)} arguments "
                            f"{self.signature}, got {len(arrays)}")
        inputs = []
        for i, (a, want) in enumerate(zip(arrays, self.signature.args)):
            a = np.ascontiguousarray(a)
            expected = _numpy_dtype(want.dtype)
            raw_bf16 = want.dtype == "bf16" and a.dtype == np.uint16
            if (a.dtype != expected and not raw_bf16) or a.shape != want.shape:
                raise TypeError(f"argument {i} of '{self.name}' must be {want!r} "
                                f"(numpy {expected}), got {a.dtype}{list(a.shape)}")
            inputs.append(a)
        outputs = [np.empty(r.shape, _numpy_dtype(r.dtype)) for r in self.signature.results]
        self._call(self.module.runtime._lib.icl_function_invoke,
                   [_struct(t.dtype, t.shape, a.ctypes.data)
                    for t, a in zip(self.signature.args, inputs)],
                   [_struct(t.dtype, t.shape, a.ctypes.data)
                    for t, a in zip(self.signature.results, outputs)])
        return outputs

    def _device_tensors(self, what, tensors, types):
        if len(tensors) != len(types):
            raise TypeError(f"'{self.name}' takes {len(types)} {what}s {self.signature}, "
                            f"got {len(tensors)}")
        import torch
        structs = []
        for i, (t, want) in enumerate(zip(tensors, types)):
            if (t.dtype != getattr(torch, _TORCH_NAMES[want.dtype])
                    or tuple(t.shape) != want.shape):
                raise TypeError(f"{what} {i} of '{self.name}' must be {want!r}, got "
                                f"{t.dtype}{list(t.shape)}")
            if self.module.runtime.device == "cuda" and not t.is_cuda:
                raise TypeError(f"{what} {i} of '{self.name}' must be a CUDA tensor, got one "
                                f"on {t.device}")
            if not t.is_contiguous():
                raise TypeError(f"{what} {i} of '{self.name}' must be contiguous")
            structs.append(_struct(want.dtype, want.shape, t.data_ptr()))
        return structs

    def invoke_device(self, inputs, outputs):
        """Runs on torch tensors (contiguous, on the runtime's device) without
        copies and, on CUDA, without waiting: the work is queued on the
        runtime's stream (set_stream). The caller guarantees token ids are in
        range. Results are written into `outputs`."""
        self._call(self.module.runtime._lib.icl_function_invoke_device,
                   self._device_tensors("argument", inputs, self.signature.args),
                   self._device_tensors("result", outputs, self.signature.results))

    def empty_results(self, device="cuda"):
        """New torch tensors shaped like the results, for invoke_device."""
        import torch
        return [torch.empty(r.shape, dtype=getattr(torch, _TORCH_NAMES[r.dtype]), device=device)
                for r in self.signature.results]

    def __repr__(self):
        return f"{self.name}{self.signature}"


class Module:
    """A loaded model library; `functions` names its functions."""

    def __init__(self, runtime, handle):
        self.runtime, self._handle = runtime, handle
        lib = runtime._lib
        self.functions = [lib.icl_module_function_name(handle, i).decode()
                          for i in range(lib.icl_module_function_count(handle))]
        self._looked_up = {}

    def __getitem__(self, name):
        if name not in self._looked_up:
            fn = ctypes.c_void_p()
            if self.runtime._lib.icl_module_lookup(self._handle, name.encode(),
                                                   ctypes.byref(fn)):
                self.runtime._raise(KeyError)
            self._looked_up[name] = Function(self, fn.value, name)
        return self._looked_up[name]

    def close(self):
        if self._handle:
            self.runtime._lib.icl_module_unload(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Runtime:
    """An icl runtime for `device` ('cuda' or 'cpu'). `lib_path` is
    libicl_runtime.so; by default $ICL_RUNTIME_LIB, else the build tree's."""

    def __init__(self, lib_path=None, device="cuda"):
        if device not in _DEVICES:
            raise ValueError(f"device must be one of {sorted(_DEVICES)}, got {device!r}")
        if lib_path is None:
            here = os.path.dirname(os.path.abspath(__file__))
            lib_path = os.environ.get("ICL_RUNTIME_LIB",
                                      os.path.join(here, "..", "..", "build", "lib",
                                                   "libicl_runtime.so"))
        self._lib = _declare(ctypes.CDLL(os.path.abspath(lib_path)))
        self.device = device
        self._handle = ctypes.c_void_p()
        status = self._lib.icl_runtime_create(_DEVICES[device], ctypes.byref(self._handle))
        if status:
            message = self.error()
            self.close()
            raise RuntimeError(message)

    def error(self):
        """The message of the runtime's last failure ("" if none)."""
        return self._lib.icl_runtime_error(self._handle).decode(errors="replace")

    def _raise(self, kind=RuntimeError):
        raise kind(self.error())

    def load(self, path):
        handle = ctypes.c_void_p()
        if self._lib.icl_module_load(self._handle, os.fspath(path).encode(),
                                     ctypes.byref(handle)):
            self._raise()
        return Module(self, handle.value)

    def synchronize(self):
        """Waits for the work queued on the GPU; kernel failures show here."""
        if self._lib.icl_runtime_synchronize(self._handle):
            self._raise()

    def set_stream(self, stream):
        """The CUDA stream later calls use: a torch.cuda.Stream, its
        cuda_stream handle, or None for the legacy default stream."""
        handle = getattr(stream, "cuda_stream", stream)
        self._lib.icl_runtime_set_stream(self._handle, handle or None)

    def close(self):
        if self._handle:
            self._lib.icl_runtime_destroy(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
