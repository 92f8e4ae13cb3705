//===- KernelSpec.cpp - Kernels built as IR and how the host launches them -===//

#include "passes/cuda/KernelSpec.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::icl;

KernelLaunchSpec mlir::icl::createKernel(OpBuilder &b, gpu::GPUModuleOp module, StringRef name,
                                         ArrayRef<KernelArgument> arguments, TypeRange workgroup,
                                         int64_t threads, ArrayRef<NamedAttribute> attributes) {
  Location loc = module.getLoc();
  auto types = llvm::map_to_vector(arguments, [](const KernelArgument &a) { return a.type; });
  b.setInsertionPointToEnd(module.getBody());
  auto func = gpu::GPUFuncOp::create(b, loc, name, b.getFunctionType(types, {}), workgroup,
                                     /*privateAttributions=*/{}, attributes);
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
  KernelLaunchSpec spec;
  spec.func = func;
  spec.threads = threads;
  for (auto [i, argument] : llvm::enumerate(arguments)) {
    func.getArgument(i).setLoc(NameLoc::get(b.getStringAttr(argument.name), loc));
    spec.arguments.push_back(argument.name.str());
  }
  b.setInsertionPointToStart(&func.front());
  return spec;
}

NamedArguments::NamedArguments(gpu::GPUFuncOp func, ArrayRef<std::string> names) {
  for (auto [i, name] : llvm::enumerate(names))
    values[name] = func.getArgument(i);
}

Value NamedArguments::operator[](StringRef name) const {
  Value value = values.lookup(name);
  assert(value && "no kernel argument of this name");
  return value;
}

gpu::GPUModuleOp mlir::icl::createKernelModule(ModuleOp module, StringRef instance) {
  std::string name = instance.str();
  for (int i = 1; module.lookupSymbol(name); ++i)
    name = (instance + "_" + Twine(i)).str();
  auto builder = OpBuilder::atBlockEnd(module.getBody());
  auto kernels = gpu::GPUModuleOp::create(builder, module.getLoc(), name);
  kernels->setAttr("icl.kernel", builder.getStringAttr(instance));
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), builder.getUnitAttr());
  return kernels;
}

LogicalResult mlir::icl::launchKernel(OpBuilder &b, Location loc, StringRef pass,
                                      const KernelLaunchSpec &spec, gpu::KernelDim3 grid,
                                      const llvm::StringMap<Value> &args) {
  gpu::GPUFuncOp kernel = spec.func;
  SmallVector<Value> operands;
  for (auto [name, type] : llvm::zip_equal(spec.arguments, kernel.getArgumentTypes())) {
    Value value = args.lookup(name);
    if (!value || value.getType() != type)
      return emitError(loc) << pass << " has no " << type << " for argument '" << name << "' of @"
                            << kernel.getName() << " (a compiler bug)";
    operands.push_back(value);
  }
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  gpu::KernelDim3 block{arith::ConstantIndexOp::create(b, loc, spec.threads), one, one};
  Value sharedBytes = arith::ConstantIntOp::create(b, loc, b.getI32Type(), spec.sharedBytes);
  gpu::LaunchFuncOp::create(b, loc, kernel, grid, block, sharedBytes, operands);
  return success();
}

Value mlir::icl::flatBuffer(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < type.getRank(); ++i)
    all[0].push_back(i);
  Value flat = type.getRank() == 1 ? buffer : memref::CollapseShapeOp::create(b, loc, buffer, all);
  auto dynamic = MemRefType::get({ShapedType::kDynamic}, type.getElementType());
  return flat.getType() == dynamic ? flat : memref::CastOp::create(b, loc, dynamic, flat);
}

Value mlir::icl::flatTensorBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value buffer = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor, /*readOnly=*/true);
  return flatBuffer(b, loc, buffer);
}
