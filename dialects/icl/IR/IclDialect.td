//===- IclDialect.td - The icl dialect ---------------------*- tablegen -*-===//
//
// The icl dialect: attention, state-space and token-reduction ops with value
// semantics on ranked tensors. design/OPS.md is the reference for their math.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_DIALECT_TD
#define ICL_DIALECT_TD

include "mlir/IR/OpBase.td"

def Icl_Dialect : Dialect {
  let name = "icl";
  let cppNamespace = "::mlir::icl";
  let summary = "Attention, state-space and token-reduction ops";
  let description = [{
    The hub of the icl compiler. Every frontend (RASP, checkpoints, ONNX,
    hand-written IR) produces these ops; every backend consumes them. Ops have
    value semantics on ranked tensors (static or dynamic sizes) and a precise
    reference semantics, implemented by the reference evaluator.

    Weights are either dense resources owned by the module
    (`arith.constant dense_resource<...>`) or `icl.weight` ops that name a
    tensor in an external safetensors file.
  }];
  let useDefaultAttributePrinterParser = 1;
  // Affine: the index arithmetic of tiles (IclTiling.cpp).
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let extraClassDeclaration = [{
    /// Module attribute naming the default safetensors file of icl.weight ops.
    static constexpr ::llvm::StringLiteral kWeightsFileAttrName = "icl.weights_file";
  }];
}

class Icl_Op<string mnemonic, list<Trait> traits = []>
    : Op<Icl_Dialect, mnemonic, traits>;

#endif // ICL_DIALECT_TD
