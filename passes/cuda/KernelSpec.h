//===- KernelSpec.h - Kernels built as IR and how the host launches them -*- C++ -*-===//
//
// What every kernel builder of passes/cuda/ shares: a kernel is a gpu.func
// added to a gpu.module, and its builder returns a KernelLaunchSpec that the
// host side reads to launch it (block size, shared memory, argument order);
// nothing about a launch is restated by the passes that launch it.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_CUDA_KERNELSPEC_H
#define ICL_PASSES_CUDA_KERNELSPEC_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mlir::icl {

/// How the host launches one kernel: block = (threads, 1, 1) with
/// `sharedBytes` of dynamic shared memory, and the values of `arguments`, in
/// that order.
struct KernelLaunchSpec {
  /// The kernel.
  gpu::GPUFuncOp func;
  /// Threads of a block, exactly (the kernel's known_block_size).
  int64_t threads = 0;
  /// Rows one block computes (the prefill attention grid is ceil(Sq / rows)
  /// x Hq x B; a row kernel's grid is ceil(rows / rowsPerBlock)).
  int64_t rowsPerBlock = 0;
  /// Bytes of dynamic shared memory of a launch.
  int64_t sharedBytes = 0;
  /// The names of the kernel's arguments, in order (also the names of the
  /// locations of the func's arguments).
  SmallVector<std::string> arguments;
};

/// A kernel argument: the launch passes its value by this name.
struct KernelArgument {
  StringRef name;
  Type type;
};

/// Adds kernel `name` of `arguments` and workgroup buffers `workgroup` to
/// `module`, for blocks of exactly `threads` threads (known_block_size, which
/// becomes .maxntid; `attributes` are added to the func), and moves `b` to its
/// entry. Returns its launch spec, with no shared memory and no rows yet.
KernelLaunchSpec createKernel(OpBuilder &b, gpu::GPUModuleOp module, StringRef name,
                              ArrayRef<KernelArgument> arguments, TypeRange workgroup,
                              int64_t threads, ArrayRef<NamedAttribute> attributes = {});

/// A kernel's arguments by name, inside its body.
class NamedArguments {
public:
  NamedArguments(gpu::GPUFuncOp func, ArrayRef<std::string> names);
  Value operator[](StringRef name) const;

private:
  llvm::StringMap<Value> values;
};

/// A new gpu.module at the end of `module` for the kernels of `instance`,
/// tagged `icl.kernel` with it (named after it, or after it with a suffix
/// when a symbol of the user's has that name); marks `module` as a GPU
/// container.
gpu::GPUModuleOp createKernelModule(ModuleOp module, StringRef instance);

/// Host side: launches `spec` over `grid` with the values of its arguments,
/// by name. Fails with an error at `loc` naming `pass` when a value is
/// missing or of another type (a compiler bug).
LogicalResult launchKernel(OpBuilder &b, Location loc, StringRef pass,
                           const KernelLaunchSpec &spec, gpu::KernelDim3 grid,
                           const llvm::StringMap<Value> &args);

/// Host side: a contiguous buffer as memref<?xT>.
Value flatBuffer(OpBuilder &b, Location loc, Value buffer);

/// Host side: a ranked tensor read by a kernel, as a read-only
/// memref<?xT> (bufferization.to_buffer, then flatBuffer).
Value flatTensorBuffer(OpBuilder &b, Location loc, Value tensor);

} // namespace mlir::icl

#endif // ICL_PASSES_CUDA_KERNELSPEC_H
