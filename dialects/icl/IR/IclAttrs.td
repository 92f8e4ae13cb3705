//===- IclAttrs.td - Enum attributes of the icl dialect ----*- tablegen -*-===//

#ifndef ICL_ATTRS_TD
#define ICL_ATTRS_TD

include "IclDialect.td"
include "mlir/IR/EnumAttr.td"

def Icl_Activation : I32EnumAttr<"Activation", "elementwise activation", [
  I32EnumAttrCase<"none", 0>,
  I32EnumAttrCase<"relu", 1>,
  I32EnumAttrCase<"gelu", 2>,
  I32EnumAttrCase<"gelu_tanh", 3>,
  I32EnumAttrCase<"silu", 4>,
  I32EnumAttrCase<"softplus", 5>,
  I32EnumAttrCase<"sigmoid", 6>,
  I32EnumAttrCase<"elu_plus_one", 7>
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::icl";
}
def Icl_ActivationAttr : EnumAttr<Icl_Dialect, Icl_Activation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Icl_MaskKind : I32EnumAttr<"MaskKind", "built-in attention mask", [
  I32EnumAttrCase<"none", 0>,
  I32EnumAttrCase<"causal", 1>,
  I32EnumAttrCase<"sliding_window", 2>
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::icl";
}
def Icl_MaskKindAttr : EnumAttr<Icl_Dialect, Icl_MaskKind, "mask"> {
  let assemblyFormat = "`<` $value `>`";
}

def Icl_RopeStyle : I32EnumAttr<"RopeStyle", "pairing of rotary channels", [
  I32EnumAttrCase<"half", 0>,
  I32EnumAttrCase<"interleaved", 1>
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::icl";
}
def Icl_RopeStyleAttr : EnumAttr<Icl_Dialect, Icl_RopeStyle, "rope_style"> {
  let assemblyFormat = "`<` $value `>`";
}

def Icl_FeatureMap : I32EnumAttr<"FeatureMap", "linear attention feature map", [
  I32EnumAttrCase<"identity", 0>,
  I32EnumAttrCase<"elu_plus_one", 1>,
  I32EnumAttrCase<"relu", 2>
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::icl";
}
def Icl_FeatureMapAttr : EnumAttr<Icl_Dialect, Icl_FeatureMap, "feature_map"> {
  let assemblyFormat = "`<` $value `>`";
}

def Icl_PoolKind : I32EnumAttr<"PoolKind", "segment pooling reduction", [
  I32EnumAttrCase<"mean", 0>,
  I32EnumAttrCase<"max", 1>
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::icl";
}
def Icl_PoolKindAttr : EnumAttr<Icl_Dialect, Icl_PoolKind, "pool"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // ICL_ATTRS_TD
