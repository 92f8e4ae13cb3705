// RUN: icl-opt %s --split-input-file --verify-diagnostics

// One case per verifier message of dialects/icl/IR/IclOps.cpp, plus the
// ODS-generated checks (operand constraints, attribute constraints, inferred
// result types) that guard the ops.

//===----------------------------------------------------------------------===//
// icl.weight
//===----------------------------------------------------------------------===//

module attributes {icl.weights_file = "model.safetensors"} {
  func.func @weight_empty_name() -> tensor<4xf32> {
    // expected-error @+1 {{'icl.weight' op expects a non-empty weight name}}
    %w = icl.weight "" : tensor<4xf32>
    return %w : tensor<4xf32>
  }
}

// -----

func.func @weight_no_file() -> tensor<4xf32> {
  // expected-error @+1 {{'icl.weight' op has no weights file: give it `from "file.safetensors"` or set the module attribute 'icl.weights_file'}}
  %w = icl.weight "w" : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

func.func @weight_dynamic_shape() -> tensor<?xf32> {
  // expected-error @+1 {{'icl.weight' op result #0 must be statically shaped tensor of any type values, but got 'tensor<?xf32>'}}
  %w = icl.weight "w" from "model.safetensors" : tensor<?xf32>
  return %w : tensor<?xf32>
}

// -----

//===----------------------------------------------------------------------===//
// icl.embedding
//===----------------------------------------------------------------------===//

func.func @embedding_int_table(%t: tensor<512x256xi32>, %ids: tensor<8x128xi64>) {
  // expected-error @+1 {{'icl.embedding' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<512x256xi32>'}}
  %e = icl.embedding %t, %ids : (tensor<512x256xi32>, tensor<8x128xi64>) -> tensor<8x128x256xf32>
  return
}

// -----

func.func @embedding_float_ids(%t: tensor<512x256xf32>, %ids: tensor<8x128xf32>) {
  // expected-error @+1 {{'icl.embedding' op operand #1 must be ranked tensor of signless integer or index values, but got 'tensor<8x128xf32>'}}
  %e = icl.embedding %t, %ids : (tensor<512x256xf32>, tensor<8x128xf32>) -> tensor<8x128x256xf32>
  return
}

// -----

func.func @embedding_table_rank(%t: tensor<512x256x2xf32>, %ids: tensor<8x128xi64>) {
  // expected-error @+1 {{'icl.embedding' op expects table of rank 2, got 'tensor<512x256x2xf32>'}}
  %e = icl.embedding %t, %ids : (tensor<512x256x2xf32>, tensor<8x128xi64>) -> tensor<8x128x256xf32>
  return
}

// -----

func.func @embedding_result_type(%t: tensor<512x256xf32>, %ids: tensor<8x128xi64>) {
  // expected-error @+2 {{'icl.embedding' op inferred type(s) 'tensor<8x128x256xf32>' are incompatible with return type(s) of operation 'tensor<8x128x512xf32>'}}
  // expected-error @+1 {{'icl.embedding' op failed to infer returned types}}
  %e = icl.embedding %t, %ids : (tensor<512x256xf32>, tensor<8x128xi64>) -> tensor<8x128x512xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.linear
//===----------------------------------------------------------------------===//

func.func @linear_input_rank(%x: tensor<f32>, %w: tensor<768x256xf32>) {
  // expected-error @+1 {{'icl.linear' op expects input of rank >= 1, got 'tensor<f32>'}}
  %y = icl.linear %x, %w : (tensor<f32>, tensor<768x256xf32>) -> tensor<768xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<8x256xf32>, %w: tensor<256xf32>) {
  // expected-error @+1 {{'icl.linear' op expects weight of rank 2, got 'tensor<256xf32>'}}
  %y = icl.linear %x, %w : (tensor<8x256xf32>, tensor<256xf32>) -> tensor<8x256xf32>
  return
}

// -----

func.func @linear_bias_rank(%x: tensor<8x256xf32>, %w: tensor<768x256xf32>, %b: tensor<1x768xf32>) {
  // expected-error @+1 {{'icl.linear' op expects bias of rank 1, got 'tensor<1x768xf32>'}}
  %y = icl.linear %x, %w bias(%b) : (tensor<8x256xf32>, tensor<768x256xf32>, tensor<1x768xf32>) -> tensor<8x768xf32>
  return
}

// -----

func.func @linear_features(%x: tensor<8x128xf32>, %w: tensor<768x256xf32>) {
  // expected-error @+1 {{'icl.linear' op input features of input (128) does not match weight (256)}}
  %y = icl.linear %x, %w : (tensor<8x128xf32>, tensor<768x256xf32>) -> tensor<8x768xf32>
  return
}

// -----

func.func @linear_bias_size(%x: tensor<8x256xf32>, %w: tensor<768x256xf32>, %b: tensor<256xf32>) {
  // expected-error @+1 {{'icl.linear' op size of bias (256) does not match weight output features (768)}}
  %y = icl.linear %x, %w bias(%b) : (tensor<8x256xf32>, tensor<768x256xf32>, tensor<256xf32>) -> tensor<8x768xf32>
  return
}

// -----

func.func @linear_element_type(%x: tensor<8x256xf32>, %w: tensor<768x256xf16>) {
  // expected-error @+1 {{'icl.linear' op expects all float operands and results to have element type 'f32', got 'tensor<768x256xf16>'}}
  %y = icl.linear %x, %w : (tensor<8x256xf32>, tensor<768x256xf16>) -> tensor<8x768xf32>
  return
}

// -----

func.func @linear_result_type(%x: tensor<8x256xf32>, %w: tensor<768x256xf32>) {
  // expected-error @+2 {{'icl.linear' op inferred type(s) 'tensor<8x768xf32>' are incompatible with return type(s) of operation 'tensor<8x256xf32>'}}
  // expected-error @+1 {{'icl.linear' op failed to infer returned types}}
  %y = icl.linear %x, %w : (tensor<8x256xf32>, tensor<768x256xf32>) -> tensor<8x256xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.layer_norm
//===----------------------------------------------------------------------===//

func.func @layer_norm_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'icl.layer_norm' op expects input of rank >= 1, got 'tensor<f32>'}}
  %y = icl.layer_norm %x : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @layer_norm_gamma_rank(%x: tensor<8x256xf32>, %g: tensor<1x256xf32>) {
  // expected-error @+1 {{'icl.layer_norm' op expects gamma of rank 1, got 'tensor<1x256xf32>'}}
  %y = icl.layer_norm %x gamma(%g) : (tensor<8x256xf32>, tensor<1x256xf32>) -> tensor<8x256xf32>
  return
}

// -----

func.func @layer_norm_gamma_size(%x: tensor<8x256xf32>, %g: tensor<128xf32>) {
  // expected-error @+1 {{'icl.layer_norm' op size of gamma (128) does not match the input's last dimension (256)}}
  %y = icl.layer_norm %x gamma(%g) : (tensor<8x256xf32>, tensor<128xf32>) -> tensor<8x256xf32>
  return
}

// -----

func.func @layer_norm_beta_rank(%x: tensor<8x256xf32>, %g: tensor<256xf32>, %b: tensor<2x256xf32>) {
  // expected-error @+1 {{'icl.layer_norm' op expects beta of rank 1, got 'tensor<2x256xf32>'}}
  %y = icl.layer_norm %x gamma(%g) beta(%b) : (tensor<8x256xf32>, tensor<256xf32>, tensor<2x256xf32>) -> tensor<8x256xf32>
  return
}

// -----

func.func @layer_norm_beta_size(%x: tensor<8x256xf32>, %b: tensor<255xf32>) {
  // expected-error @+1 {{'icl.layer_norm' op size of beta (255) does not match the input's last dimension (256)}}
  %y = icl.layer_norm %x beta(%b) : (tensor<8x256xf32>, tensor<255xf32>) -> tensor<8x256xf32>
  return
}

// -----

func.func @layer_norm_eps(%x: tensor<8x256xf32>) {
  // expected-error @+1 {{'icl.layer_norm' op expects eps >= 0}}
  %y = icl.layer_norm %x {eps = -1.0e-05 : f64} : (tensor<8x256xf32>) -> tensor<8x256xf32>
  return
}

// -----

func.func @layer_norm_result_type(%x: tensor<8x256xf32>) {
  // expected-error @+2 {{'icl.layer_norm' op inferred type(s) 'tensor<8x256xf32>' are incompatible with return type(s) of operation 'tensor<8x?xf32>'}}
  // expected-error @+1 {{'icl.layer_norm' op failed to infer returned types}}
  %y = icl.layer_norm %x : (tensor<8x256xf32>) -> tensor<8x?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.rms_norm
//===----------------------------------------------------------------------===//

func.func @rms_norm_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'icl.rms_norm' op expects input of rank >= 1, got 'tensor<f32>'}}
  %y = icl.rms_norm %x : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @rms_norm_gamma_rank(%x: tensor<1x16x64xf32>, %g: tensor<16x64xf32>) {
  // expected-error @+1 {{'icl.rms_norm' op expects gamma of rank 1, got 'tensor<16x64xf32>'}}
  %y = icl.rms_norm %x gamma(%g) : (tensor<1x16x64xf32>, tensor<16x64xf32>) -> tensor<1x16x64xf32>
  return
}

// -----

func.func @rms_norm_gamma_size(%x: tensor<1x16x64xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{'icl.rms_norm' op size of gamma (16) does not match the input's last dimension (64)}}
  %y = icl.rms_norm %x gamma(%g) : (tensor<1x16x64xf32>, tensor<16xf32>) -> tensor<1x16x64xf32>
  return
}

// -----

func.func @rms_norm_eps(%x: tensor<1x16x64xf32>) {
  // expected-error @+1 {{'icl.rms_norm' op expects eps >= 0}}
  %y = icl.rms_norm %x {eps = -1.0 : f64} : (tensor<1x16x64xf32>) -> tensor<1x16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.gated_rms_norm
//===----------------------------------------------------------------------===//

func.func @gated_rms_norm_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'icl.gated_rms_norm' op expects input of rank >= 1, got 'tensor<f32>'}}
  %y = icl.gated_rms_norm %x, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @gated_rms_norm_gate_type(%x: tensor<2x32x256xf32>, %z: tensor<2x32x256xf16>) {
  // expected-error @+1 {{'icl.gated_rms_norm' op expects input and gate of the same type}}
  %y = icl.gated_rms_norm %x, %z : (tensor<2x32x256xf32>, tensor<2x32x256xf16>) -> tensor<2x32x256xf32>
  return
}

// -----

func.func @gated_rms_norm_gamma_rank(%x: tensor<2x32x256xf32>, %g: tensor<2x256xf32>) {
  // expected-error @+1 {{'icl.gated_rms_norm' op expects gamma of rank 1, got 'tensor<2x256xf32>'}}
  %y = icl.gated_rms_norm %x, %x gamma(%g) : (tensor<2x32x256xf32>, tensor<2x32x256xf32>, tensor<2x256xf32>) -> tensor<2x32x256xf32>
  return
}

// -----

func.func @gated_rms_norm_gamma_size(%x: tensor<2x32x256xf32>, %g: tensor<32xf32>) {
  // expected-error @+1 {{'icl.gated_rms_norm' op size of gamma (32) does not match the input's last dimension (256)}}
  %y = icl.gated_rms_norm %x, %x gamma(%g) : (tensor<2x32x256xf32>, tensor<2x32x256xf32>, tensor<32xf32>) -> tensor<2x32x256xf32>
  return
}

// -----

func.func @gated_rms_norm_negative_group(%x: tensor<2x32x256xf32>) {
  // expected-error @+1 {{'icl.gated_rms_norm' op expects group_size >= 0}}
  %y = icl.gated_rms_norm %x, %x {group_size = -64 : i64} : (tensor<2x32x256xf32>, tensor<2x32x256xf32>) -> tensor<2x32x256xf32>
  return
}

// -----

func.func @gated_rms_norm_group_divides(%x: tensor<2x32x256xf32>) {
  // expected-error @+1 {{'icl.gated_rms_norm' op expects group_size (96) to divide the channel count (256)}}
  %y = icl.gated_rms_norm %x, %x {group_size = 96 : i64} : (tensor<2x32x256xf32>, tensor<2x32x256xf32>) -> tensor<2x32x256xf32>
  return
}

// -----

func.func @gated_rms_norm_eps(%x: tensor<2x32x256xf32>) {
  // expected-error @+1 {{'icl.gated_rms_norm' op expects eps >= 0}}
  %y = icl.gated_rms_norm %x, %x {eps = -1.0e-06 : f64} : (tensor<2x32x256xf32>, tensor<2x32x256xf32>) -> tensor<2x32x256xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.activation, icl.softmax
//===----------------------------------------------------------------------===//

func.func @activation_missing_kind(%x: tensor<8x768xf32>) {
  // expected-error @+1 {{'icl.activation' op requires attribute 'kind'}}
  %y = icl.activation %x : tensor<8x768xf32>
  return
}

// -----

func.func @activation_result_type(%x: tensor<8x768xf32>) {
  // expected-error @+1 {{'icl.activation' op requires the same type for all operands and results}}
  %y = "icl.activation"(%x) <{kind = #icl.activation<relu>}> : (tensor<8x768xf32>) -> tensor<8x768xf16>
  return
}

// -----

func.func @activation_int(%x: tensor<8x768xi32>) {
  // expected-error @+1 {{'icl.activation' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<8x768xi32>'}}
  %y = icl.activation %x {kind = #icl.activation<relu>} : tensor<8x768xi32>
  return
}

// -----

func.func @softmax_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'icl.softmax' op expects an input of rank >= 1}}
  %y = icl.softmax %x {axis = 0 : i64} : tensor<f32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'icl.softmax' op axis 2 is out of range for rank 2}}
  %y = icl.softmax %x {axis = 2 : i64} : tensor<4x10xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.rope
//===----------------------------------------------------------------------===//

func.func @rope_input_rank(%q: tensor<8x16x64xf32>, %pos: tensor<16xi64>) {
  // expected-error @+1 {{'icl.rope' op expects input of rank 4, got 'tensor<8x16x64xf32>'}}
  %r = icl.rope %q, %pos : (tensor<8x16x64xf32>, tensor<16xi64>) -> tensor<8x16x64xf32>
  return
}

// -----

func.func @rope_positions_rank(%q: tensor<1x8x16x64xf32>, %pos: tensor<1x1x16xi64>) {
  // expected-error @+1 {{'icl.rope' op expects positions of shape [T] or [B, T]}}
  %r = icl.rope %q, %pos : (tensor<1x8x16x64xf32>, tensor<1x1x16xi64>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @rope_positions_float(%q: tensor<1x8x16x64xf32>, %pos: tensor<16xf32>) {
  // expected-error @+1 {{'icl.rope' op operand #1 must be ranked tensor of signless integer or index values, but got 'tensor<16xf32>'}}
  %r = icl.rope %q, %pos : (tensor<1x8x16x64xf32>, tensor<16xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @rope_sequence_length(%q: tensor<1x8x16x64xf32>, %pos: tensor<1x17xi64>) {
  // expected-error @+1 {{'icl.rope' op sequence length of positions (17) does not match input (16)}}
  %r = icl.rope %q, %pos : (tensor<1x8x16x64xf32>, tensor<1x17xi64>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @rope_batch(%q: tensor<2x8x16x64xf32>, %pos: tensor<3x16xi64>) {
  // expected-error @+1 {{'icl.rope' op batch size of positions (3) does not match input (2)}}
  %r = icl.rope %q, %pos : (tensor<2x8x16x64xf32>, tensor<3x16xi64>) -> tensor<2x8x16x64xf32>
  return
}

// -----

func.func @rope_odd_rotary_dim(%q: tensor<1x8x16x64xf32>, %pos: tensor<16xi64>) {
  // expected-error @+1 {{'icl.rope' op expects an even, positive rotary_dim}}
  %r = icl.rope %q, %pos {rotary_dim = 31 : i64} : (tensor<1x8x16x64xf32>, tensor<16xi64>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @rope_zero_rotary_dim(%q: tensor<1x8x16x64xf32>, %pos: tensor<16xi64>) {
  // expected-error @+1 {{'icl.rope' op expects an even, positive rotary_dim}}
  %r = icl.rope %q, %pos {rotary_dim = 0 : i64} : (tensor<1x8x16x64xf32>, tensor<16xi64>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @rope_rotary_dim_too_large(%q: tensor<1x8x16x64xf32>, %pos: tensor<16xi64>) {
  // expected-error @+1 {{'icl.rope' op rotary_dim (128) exceeds the head dim (64)}}
  %r = icl.rope %q, %pos {rotary_dim = 128 : i64} : (tensor<1x8x16x64xf32>, tensor<16xi64>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @rope_odd_head_dim(%q: tensor<1x8x16x63xf32>, %pos: tensor<16xi64>) {
  // expected-error @+1 {{'icl.rope' op expects an even head dim when rotary_dim is not given}}
  %r = icl.rope %q, %pos : (tensor<1x8x16x63xf32>, tensor<16xi64>) -> tensor<1x8x16x63xf32>
  return
}

// -----

func.func @rope_base(%q: tensor<1x8x16x64xf32>, %pos: tensor<16xi64>) {
  // expected-error @+1 {{'icl.rope' op expects a finite base > 0}}
  %r = icl.rope %q, %pos {base = 0.0 : f64} : (tensor<1x8x16x64xf32>, tensor<16xi64>) -> tensor<1x8x16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.causal_conv1d
//===----------------------------------------------------------------------===//

func.func @conv_input_rank(%x: tensor<64x100xf32>, %w: tensor<64x4xf32>) {
  // expected-error @+1 {{'icl.causal_conv1d' op expects input of rank 3, got 'tensor<64x100xf32>'}}
  %y = icl.causal_conv1d %x, %w : (tensor<64x100xf32>, tensor<64x4xf32>) -> tensor<64x100xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<2x64x100xf32>, %w: tensor<64x1x4xf32>) {
  // expected-error @+1 {{'icl.causal_conv1d' op expects weight of rank 2, got 'tensor<64x1x4xf32>'}}
  %y = icl.causal_conv1d %x, %w : (tensor<2x64x100xf32>, tensor<64x1x4xf32>) -> tensor<2x64x100xf32>
  return
}

// -----

func.func @conv_bias_rank(%x: tensor<2x64x100xf32>, %w: tensor<64x4xf32>, %b: tensor<64x1xf32>) {
  // expected-error @+1 {{'icl.causal_conv1d' op expects bias of rank 1, got 'tensor<64x1xf32>'}}
  %y = icl.causal_conv1d %x, %w bias(%b) : (tensor<2x64x100xf32>, tensor<64x4xf32>, tensor<64x1xf32>) -> tensor<2x64x100xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<2x64x100xf32>, %w: tensor<32x4xf32>) {
  // expected-error @+1 {{'icl.causal_conv1d' op channel count of weight (32) does not match input (64)}}
  %y = icl.causal_conv1d %x, %w : (tensor<2x64x100xf32>, tensor<32x4xf32>) -> tensor<2x64x100xf32>
  return
}

// -----

func.func @conv_bias_size(%x: tensor<2x64x100xf32>, %w: tensor<64x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'icl.causal_conv1d' op size of bias (4) does not match the input's channel count (64)}}
  %y = icl.causal_conv1d %x, %w bias(%b) : (tensor<2x64x100xf32>, tensor<64x4xf32>, tensor<4xf32>) -> tensor<2x64x100xf32>
  return
}

// -----

func.func @conv_element_type(%x: tensor<2x64x100xf32>, %w: tensor<64x4xbf16>) {
  // expected-error @+1 {{'icl.causal_conv1d' op expects all float operands and results to have element type 'f32', got 'tensor<64x4xbf16>'}}
  %y = icl.causal_conv1d %x, %w : (tensor<2x64x100xf32>, tensor<64x4xbf16>) -> tensor<2x64x100xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.attention
//===----------------------------------------------------------------------===//

func.func @attention_query_rank(%q: tensor<8x16x64xf32>, %k: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op expects query of rank 4, got 'tensor<8x16x64xf32>'}}
  %o = icl.attention %q, %k, %k : (tensor<8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<8x16x64xf32>
  return
}

// -----

func.func @attention_key_rank(%q: tensor<1x8x16x64xf32>, %k: tensor<2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op expects key of rank 4, got 'tensor<2x16x64xf32>'}}
  %o = icl.attention %q, %k, %v : (tensor<1x8x16x64xf32>, tensor<2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_value_rank(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op expects value of rank 4, got 'tensor<2x16x64xf32>'}}
  %o = icl.attention %q, %k, %v : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_key_sizes_rank(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %s: tensor<16xf32>) {
  // expected-error @+1 {{'icl.attention' op expects key_sizes of rank 2, got 'tensor<16xf32>'}}
  %o = icl.attention %q, %k, %k key_sizes(%s) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, tensor<16xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_key_batch(%q: tensor<1x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op batch size of key (2) does not match query (1)}}
  %o = icl.attention %q, %k, %v : (tensor<1x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_value_batch(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<3x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op batch size of value (3) does not match query (1)}}
  %o = icl.attention %q, %k, %v : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<3x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_value_heads(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op head count of value (4) does not match key (2)}}
  %o = icl.attention %q, %k, %v : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x4x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_value_length(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x15x64xf32>) {
  // expected-error @+1 {{'icl.attention' op sequence length of value (15) does not match key (16)}}
  %o = icl.attention %q, %k, %v : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x15x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_head_dim(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op head dim of key (32) does not match query (64)}}
  %o = icl.attention %q, %k, %v : (tensor<1x8x16x64xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_gqa(%q: tensor<1x8x16x64xf32>, %k: tensor<1x3x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op query heads (8) must be a multiple of key/value heads (3)}}
  %o = icl.attention %q, %k, %k : (tensor<1x8x16x64xf32>, tensor<1x3x16x64xf32>, tensor<1x3x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_key_sizes_batch(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %s: tensor<2x16xf32>) {
  // expected-error @+1 {{'icl.attention' op batch size of key_sizes (2) does not match query (1)}}
  %o = icl.attention %q, %k, %k key_sizes(%s) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, tensor<2x16xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_key_sizes_length(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %s: tensor<1x8xf32>) {
  // expected-error @+1 {{'icl.attention' op length of key_sizes (8) does not match the key sequence (16)}}
  %o = icl.attention %q, %k, %k key_sizes(%s) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x8xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_element_type(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %m: tensor<16x16xf16>) {
  // expected-error @+1 {{'icl.attention' op expects all float operands and results to have element type 'f32', got 'tensor<16x16xf16>'}}
  %o = icl.attention %q, %k, %k mask(%m) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, tensor<16x16xf16>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_mask_broadcast(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %m: tensor<4x16x16xf32>) {
  // expected-error @+1 {{'icl.attention' op mask of type tensor<4x16x16xf32> does not broadcast to [batch, query heads, query length, key length]}}
  %o = icl.attention %q, %k, %k mask(%m) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, tensor<4x16x16xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_mask_rank(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %m: tensor<1x1x1x16x16xf32>) {
  // expected-error @+1 {{'icl.attention' op mask of type tensor<1x1x1x16x16xf32> does not broadcast to [batch, query heads, query length, key length]}}
  %o = icl.attention %q, %k, %k mask(%m) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x1x1x16x16xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_window_without_sliding(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op expects a 'window' attribute exactly when mask_kind is sliding_window}}
  %o = icl.attention %q, %k, %k {mask_kind = #icl.mask<causal>, window = 4 : i64} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_sliding_without_window(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op expects a 'window' attribute exactly when mask_kind is sliding_window}}
  %o = icl.attention %q, %k, %k {mask_kind = #icl.mask<sliding_window>} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_window_zero(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op expects window >= 1}}
  %o = icl.attention %q, %k, %k {mask_kind = #icl.mask<sliding_window>, window = 0 : i64} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_scale(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'icl.attention' op expects a finite scale}}
  %o = icl.attention %q, %k, %k {scale = 0x7FF8000000000000 : f64} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

func.func @attention_result_type(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x32xf32>) {
  // expected-error @+2 {{'icl.attention' op inferred type(s) 'tensor<1x8x16x32xf32>' are incompatible with return type(s) of operation 'tensor<1x8x16x64xf32>'}}
  // expected-error @+1 {{'icl.attention' op failed to infer returned types}}
  %o = icl.attention %q, %k, %v : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x32xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.attention_partial
//===----------------------------------------------------------------------===//

func.func @partial_one_position(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>, %i: index) {
  // expected-error @+1 {{'icl.attention_partial' op expects positions(offset, length): two index values}}
  %o, %m, %l = icl.attention_partial %q, %k, %k positions(%i)
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>, index)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_positions_and_attrs(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>, %i: index) {
  // expected-error @+1 {{'icl.attention_partial' op expects either positions(...) or the kv_offset and kv_length attributes, not both}}
  %o, %m, %l = icl.attention_partial %q, %k, %k positions(%i, %i) {kv_length = 1024 : i64}
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>, index, index)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_state_count(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>, %m0: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'icl.attention_partial' op expects state(o, m, l): three tensors}}
  %o, %m, %l = icl.attention_partial %q, %k, %k state(%m0, %m0)
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_state_rows(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>, %o0: tensor<1x8x1x64xf32>, %m0: tensor<1x8x2xf32>) {
  // expected-error @+1 {{'icl.attention_partial' op query length of state max (2) does not match query (1)}}
  %o, %m, %l = icl.attention_partial %q, %k, %k state(%o0, %m0, %m0)
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x1x64xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>)
  return
}

// -----

func.func @partial_state_width(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>, %o0: tensor<1x8x1x32xf32>, %m0: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'icl.attention_partial' op value width of state output (32) does not match value (64)}}
  %o, %m, %l = icl.attention_partial %q, %k, %k state(%o0, %m0, %m0)
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x1x32xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
      -> (tensor<1x8x1x32xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_shared_checks(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>) {
  // expected-error @+1 {{'icl.attention_partial' op expects window >= 1}}
  %o, %m, %l = icl.attention_partial %q, %k, %k {mask_kind = #icl.mask<sliding_window>, window = -1 : i64, kv_offset = 0 : i64, kv_length = 1024 : i64}
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_negative_offset(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>) {
  // expected-error @+1 {{'icl.attention_partial' op expects kv_offset >= 0 and kv_length >= 0}}
  %o, %m, %l = icl.attention_partial %q, %k, %k {kv_offset = -512 : i64, kv_length = 1024 : i64}
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_negative_length(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>) {
  // expected-error @+1 {{'icl.attention_partial' op expects kv_offset >= 0 and kv_length >= 0}}
  %o, %m, %l = icl.attention_partial %q, %k, %k {kv_length = -1 : i64}
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_offset_without_length(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>) {
  // expected-error @+1 {{'icl.attention_partial' op expects kv_length when kv_offset is set}}
  %o, %m, %l = icl.attention_partial %q, %k, %k {kv_offset = 512 : i64}
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_past_length(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>) {
  // expected-error @+1 {{'icl.attention_partial' op keys [600, 600 + 512) extend past kv_length (1024)}}
  %o, %m, %l = icl.attention_partial %q, %k, %k {kv_offset = 600 : i64, kv_length = 1024 : i64}
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

func.func @partial_result_type(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x512x64xf32>) {
  // expected-error @+2 {{'icl.attention_partial' op inferred type(s) 'tensor<1x8x1x64xf32>', 'tensor<1x8x1xf32>', 'tensor<1x8x1xf32>' are incompatible with return type(s) of operation 'tensor<1x8x1x64xf32>', 'tensor<1x8x1x1xf32>', 'tensor<1x8x1xf32>'}}
  // expected-error @+1 {{'icl.attention_partial' op failed to infer returned types}}
  %o, %m, %l = icl.attention_partial %q, %k, %k
      : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>)
      -> (tensor<1x8x1x64xf32>, tensor<1x8x1x1xf32>, tensor<1x8x1xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.attention_combine
//===----------------------------------------------------------------------===//

func.func @combine_output_rank(%o: tensor<4xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{'icl.attention_combine' op expects output of rank >= 2, got 'tensor<4xf32>'}}
  %r = icl.attention_combine %o, %m, %m : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @combine_max_rank(%o: tensor<4x1x8x1x64xf32>, %m: tensor<4x1x8xf32>, %l: tensor<4x1x8x1xf32>) {
  // expected-error @+1 {{'icl.attention_combine' op expects max of rank 4, got 'tensor<4x1x8xf32>'}}
  %r = icl.attention_combine %o, %m, %l : (tensor<4x1x8x1x64xf32>, tensor<4x1x8xf32>, tensor<4x1x8x1xf32>) -> tensor<1x8x1x64xf32>
  return
}

// -----

func.func @combine_sum_rank(%o: tensor<4x1x8x1x64xf32>, %m: tensor<4x1x8x1xf32>, %l: tensor<4x1x8x1x64xf32>) {
  // expected-error @+1 {{'icl.attention_combine' op expects sum of rank 4, got 'tensor<4x1x8x1x64xf32>'}}
  %r = icl.attention_combine %o, %m, %l : (tensor<4x1x8x1x64xf32>, tensor<4x1x8x1xf32>, tensor<4x1x8x1x64xf32>) -> tensor<1x8x1x64xf32>
  return
}

// -----

func.func @combine_max_size(%o: tensor<4x1x8x1x64xf32>, %m: tensor<2x1x8x1xf32>, %l: tensor<4x1x8x1xf32>) {
  // expected-error @+1 {{'icl.attention_combine' op size 0 of max (2) does not match output (4)}}
  %r = icl.attention_combine %o, %m, %l : (tensor<4x1x8x1x64xf32>, tensor<2x1x8x1xf32>, tensor<4x1x8x1xf32>) -> tensor<1x8x1x64xf32>
  return
}

// -----

func.func @combine_sum_size(%o: tensor<4x1x8x1x64xf32>, %m: tensor<4x1x8x1xf32>, %l: tensor<4x1x4x1xf32>) {
  // expected-error @+1 {{'icl.attention_combine' op size 2 of sum (4) does not match output (8)}}
  %r = icl.attention_combine %o, %m, %l : (tensor<4x1x8x1x64xf32>, tensor<4x1x8x1xf32>, tensor<4x1x4x1xf32>) -> tensor<1x8x1x64xf32>
  return
}

// -----

func.func @combine_element_type(%o: tensor<4x1x8x1x64xf32>, %m: tensor<4x1x8x1xf32>, %l: tensor<4x1x8x1xf64>) {
  // expected-error @+1 {{'icl.attention_combine' op expects all float operands and results to have element type 'f32', got 'tensor<4x1x8x1xf64>'}}
  %r = icl.attention_combine %o, %m, %l : (tensor<4x1x8x1x64xf32>, tensor<4x1x8x1xf32>, tensor<4x1x8x1xf64>) -> tensor<1x8x1x64xf32>
  return
}

// -----

func.func @combine_result_type(%o: tensor<4x1x8x1x64xf32>, %m: tensor<4x1x8x1xf32>) {
  // expected-error @+2 {{'icl.attention_combine' op inferred type(s) 'tensor<1x8x1x64xf32>' are incompatible with return type(s) of operation 'tensor<4x1x8x1x64xf32>'}}
  // expected-error @+1 {{'icl.attention_combine' op failed to infer returned types}}
  %r = icl.attention_combine %o, %m, %m : (tensor<4x1x8x1x64xf32>, tensor<4x1x8x1xf32>, tensor<4x1x8x1xf32>) -> tensor<4x1x8x1x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.linear_attention
//===----------------------------------------------------------------------===//

func.func @la_query_rank(%q: tensor<4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op expects query of rank 4, got 'tensor<4x8x16xf32>'}}
  %o = icl.linear_attention %q, %k, %v : (tensor<4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_key_rank(%q: tensor<2x4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op expects key of rank 4, got 'tensor<4x8x16xf32>'}}
  %o = icl.linear_attention %q, %k, %v : (tensor<2x4x8x16xf32>, tensor<4x8x16xf32>, tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_value_rank(%q: tensor<2x4x8x16xf32>, %v: tensor<4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op expects value of rank 4, got 'tensor<4x8x32xf32>'}}
  %o = icl.linear_attention %q, %q, %v : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_state_rank(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %s: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op expects initial_state of rank 4, got 'tensor<4x16x32xf32>'}}
  %o = icl.linear_attention %q, %q, %v initial_state(%s) : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<4x16x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_decay_rank(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %g: tensor<2x4xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op expects decay of shape [B, H, T] or [B, H, T, K]}}
  %o = icl.linear_attention %q, %q, %v decay(%g) : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<2x4xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_key_batch(%q: tensor<2x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op batch size of key (1) does not match query (2)}}
  %o = icl.linear_attention %q, %k, %v : (tensor<2x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_value_batch(%q: tensor<2x4x8x16xf32>, %v: tensor<3x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op batch size of value (3) does not match query (2)}}
  %o = icl.linear_attention %q, %q, %v : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<3x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_key_heads(%q: tensor<2x4x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op head count of key (2) does not match query (4)}}
  %o = icl.linear_attention %q, %k, %v : (tensor<2x4x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_value_heads(%q: tensor<2x4x8x16xf32>, %v: tensor<2x1x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op head count of value (1) does not match query (4)}}
  %o = icl.linear_attention %q, %q, %v : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x1x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_key_dim(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x8xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op key dim of key (8) does not match query (16)}}
  %o = icl.linear_attention %q, %k, %v : (tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_value_length(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x9x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op sequence length of value (9) does not match key (8)}}
  %o = icl.linear_attention %q, %q, %v : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x9x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_decay_size(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %g: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op size 3 of decay (32) does not match key (16)}}
  %o = icl.linear_attention %q, %q, %v decay(%g) : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_state_batch(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %s: tensor<1x4x16x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op batch size of initial_state (1) does not match query (2)}}
  %o = icl.linear_attention %q, %q, %v initial_state(%s) : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<1x4x16x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_state_heads(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %s: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op head count of initial_state (8) does not match query (4)}}
  %o = icl.linear_attention %q, %q, %v initial_state(%s) : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<2x8x16x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_state_key_dim(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %s: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op key dim of initial_state (32) does not match key (16)}}
  %o = icl.linear_attention %q, %q, %v initial_state(%s) : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<2x4x32x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_state_value_dim(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %s: tensor<2x4x16x16xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op value dim of initial_state (16) does not match value (32)}}
  %o = icl.linear_attention %q, %q, %v initial_state(%s) : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<2x4x16x16xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_causal_length(%q: tensor<2x4x1x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op sequence length of query (1) does not match key (causal) (8)}}
  %o = icl.linear_attention %q, %k, %v : (tensor<2x4x1x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>) -> tensor<2x4x1x32xf32>
  return
}

// -----

func.func @la_noncausal_decay(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %g: tensor<2x4x8xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op non-causal linear attention takes no decay and no state}}
  %o = icl.linear_attention %q, %q, %v decay(%g) {causal = false} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_noncausal_state(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op non-causal linear attention takes no decay and no state}}
  %o, %s = icl.linear_attention %q, %q, %v {causal = false, return_final_state} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>) -> (tensor<2x4x8x32xf32>, tensor<2x4x16x32xf32>)
  return
}

// -----

func.func @la_element_type(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf16>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op expects all float operands and results to have element type 'f32', got 'tensor<2x4x8x16xf16>'}}
  %o = icl.linear_attention %q, %k, %v : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf16>, tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_missing_final_state(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op expects a final-state result exactly when 'return_final_state' is set}}
  %o = icl.linear_attention %q, %q, %v {return_final_state} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32>
  return
}

// -----

func.func @la_unexpected_final_state(%q: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>) {
  // expected-error @+1 {{'icl.linear_attention' op expects a final-state result exactly when 'return_final_state' is set}}
  %o, %s = icl.linear_attention %q, %q, %v : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>) -> (tensor<2x4x8x32xf32>, tensor<2x4x16x32xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.selective_scan
//===----------------------------------------------------------------------===//

func.func @scan_u_rank(%u: tensor<8x10xf32>, %dt: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects u of rank 3, got 'tensor<8x10xf32>'}}
  %y = icl.selective_scan %u, %dt, %A, %B, %B : (tensor<8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>) -> tensor<8x10xf32>
  return
}

// -----

func.func @scan_A_rank(%u: tensor<2x8x10xf32>, %A: tensor<8xf32>, %B: tensor<2x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects A of rank 2, got 'tensor<8xf32>'}}
  %y = icl.selective_scan %u, %u, %A, %B, %B : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_delta_rank(%u: tensor<2x8x10xf32>, %dt: tensor<8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects delta of rank 3, got 'tensor<8x10xf32>'}}
  %y = icl.selective_scan %u, %dt, %A, %B, %B : (tensor<2x8x10xf32>, tensor<8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_B_rank(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x10xf32>, %C: tensor<2x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects B of rank 4, got 'tensor<2x4x10xf32>'}}
  %y = icl.selective_scan %u, %u, %A, %B, %C : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x4x10xf32>, tensor<2x2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_C_rank(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %C: tensor<2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects C of rank 4, got 'tensor<2x4x10xf32>'}}
  %y = icl.selective_scan %u, %u, %A, %B, %C : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_D_rank(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %D: tensor<1x8xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects D of rank 1, got 'tensor<1x8xf32>'}}
  %y = icl.selective_scan %u, %u, %A, %B, %B D(%D) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<1x8xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_z_rank(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %z: tensor<8x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects z of rank 3, got 'tensor<8x10xf32>'}}
  %y = icl.selective_scan %u, %u, %A, %B, %B z(%z) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<8x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_delta_bias_rank(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %db: tensor<f32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects delta_bias of rank 1, got 'tensor<f32>'}}
  %y = icl.selective_scan %u, %u, %A, %B, %B delta_bias(%db) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<f32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_state_rank(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %s: tensor<8x4xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects initial_state of rank 3, got 'tensor<8x4xf32>'}}
  %y = icl.selective_scan %u, %u, %A, %B, %B initial_state(%s) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<8x4xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_delta_type(%u: tensor<2x8x10xf32>, %dt: tensor<2x8x9xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects delta of the same type as u}}
  %y = icl.selective_scan %u, %dt, %A, %B, %B : (tensor<2x8x10xf32>, tensor<2x8x9xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_z_type(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %z: tensor<2x8x10xf16>) {
  // expected-error @+1 {{'icl.selective_scan' op expects z of the same type as u}}
  %y = icl.selective_scan %u, %u, %A, %B, %B z(%z) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<2x8x10xf16>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_A_channels(%u: tensor<2x8x10xf32>, %A: tensor<16x4xf32>, %B: tensor<2x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op channel count of A (16) does not match u (8)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<16x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_B_C_type(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %C: tensor<2x1x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects B and C of the same type}}
  %y = icl.selective_scan %u, %u, %A, %B, %C : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x1x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_B_batch(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<1x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op batch size of B (1) does not match u (2)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<1x2x4x10xf32>, tensor<1x2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_B_state(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x16x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op state size of B (16) does not match A (4)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x16x10xf32>, tensor<2x2x16x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_B_length(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x5xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op length of B (5) does not match u (10)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x5xf32>, tensor<2x2x4x5xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_groups(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x3x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op the group count of B (3) must divide the channel count (8)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x3x4x10xf32>, tensor<2x3x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_D_size(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %D: tensor<4xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op size of D (4) does not match the channel count (8)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B D(%D) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<4xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_delta_bias_size(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %db: tensor<10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op size of delta_bias (10) does not match the channel count (8)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B delta_bias(%db) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_state_batch(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %s: tensor<1x8x4xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op batch size of initial_state (1) does not match u (2)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B initial_state(%s) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<1x8x4xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_state_channels(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %s: tensor<2x4x4xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op channel count of initial_state (4) does not match u (8)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B initial_state(%s) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<2x4x4xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_state_size(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>, %s: tensor<2x8x8xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op state size of initial_state (8) does not match A (4)}}
  %y = icl.selective_scan %u, %u, %A, %B, %B initial_state(%s) : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>, tensor<2x8x8xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_element_type(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf16>, %B: tensor<2x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects all float operands and results to have element type 'f32', got 'tensor<8x4xf16>'}}
  %y = icl.selective_scan %u, %u, %A, %B, %B : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf16>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_missing_final_state(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>) {
  // expected-error @+1 {{'icl.selective_scan' op expects a final-state result exactly when 'return_final_state' is set}}
  %y = icl.selective_scan %u, %u, %A, %B, %B {return_final_state} : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>) -> tensor<2x8x10xf32>
  return
}

// -----

func.func @scan_final_state_type(%u: tensor<2x8x10xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x10xf32>) {
  // expected-error @+2 {{'icl.selective_scan' op inferred type(s) 'tensor<2x8x10xf32>', 'tensor<2x8x4xf32>' are incompatible with return type(s) of operation 'tensor<2x8x10xf32>', 'tensor<2x8x10xf32>'}}
  // expected-error @+1 {{'icl.selective_scan' op failed to infer returned types}}
  %y, %h = icl.selective_scan %u, %u, %A, %B, %B {return_final_state} : (tensor<2x8x10xf32>, tensor<2x8x10xf32>, tensor<8x4xf32>, tensor<2x2x4x10xf32>, tensor<2x2x4x10xf32>) -> (tensor<2x8x10xf32>, tensor<2x8x10xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.ssd
//===----------------------------------------------------------------------===//

func.func @ssd_x_rank(%x: tensor<10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects x of rank 4, got 'tensor<10x8x16xf32>'}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<10x8x16xf32>
  return
}

// -----

func.func @ssd_dt_rank(%x: tensor<1x10x8x16xf32>, %dt: tensor<10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects dt of rank 3, got 'tensor<10x8xf32>'}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_A_rank(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8x1xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects A of rank 1, got 'tensor<8x1xf32>'}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8x1xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_B_rank(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x4xf32>, %C: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects B of rank 4, got 'tensor<1x10x4xf32>'}}
  %y = icl.ssd %x, %dt, %A, %B, %C : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_C_rank(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %C: tensor<1x10x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects C of rank 4, got 'tensor<1x10x4xf32>'}}
  %y = icl.ssd %x, %dt, %A, %B, %C : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_D_rank(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %D: tensor<8x16xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects D of rank 1, got 'tensor<8x16xf32>'}}
  %y = icl.ssd %x, %dt, %A, %B, %B D(%D) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<8x16xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_dt_bias_rank(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %db: tensor<1x8xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects dt_bias of rank 1, got 'tensor<1x8xf32>'}}
  %y = icl.ssd %x, %dt, %A, %B, %B dt_bias(%db) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<1x8xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_state_rank(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %s: tensor<8x16x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects initial_state of rank 4, got 'tensor<8x16x4xf32>'}}
  %y = icl.ssd %x, %dt, %A, %B, %B initial_state(%s) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<8x16x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_dt_batch(%x: tensor<1x10x8x16xf32>, %dt: tensor<2x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op batch size of dt (2) does not match x (1)}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<2x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_dt_length(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x11x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op length of dt (11) does not match x (10)}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<1x11x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_dt_heads(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x4xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op head count of dt (4) does not match x (8)}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<1x10x4xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_A_size(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<16xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op size of A (16) does not match the head count (8)}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<16xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_B_C_type(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %C: tensor<1x10x2x8xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects B and C of the same type}}
  %y = icl.ssd %x, %dt, %A, %B, %C : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x8xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_B_batch(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<2x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op batch size of B (2) does not match x (1)}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<2x10x2x4xf32>, tensor<2x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_B_length(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x5x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op length of B (5) does not match x (10)}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x5x2x4xf32>, tensor<1x5x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_groups(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x3x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op the group count of B (3) must divide the head count (8)}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x3x4xf32>, tensor<1x10x3x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_D_size(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %D: tensor<16xf32>) {
  // expected-error @+1 {{'icl.ssd' op size of D (16) does not match the head count (8)}}
  %y = icl.ssd %x, %dt, %A, %B, %B D(%D) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<16xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_dt_bias_size(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %db: tensor<4xf32>) {
  // expected-error @+1 {{'icl.ssd' op size of dt_bias (4) does not match the head count (8)}}
  %y = icl.ssd %x, %dt, %A, %B, %B dt_bias(%db) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_state_batch(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %s: tensor<2x8x16x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op batch size of initial_state (2) does not match x (1)}}
  %y = icl.ssd %x, %dt, %A, %B, %B initial_state(%s) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<2x8x16x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_state_heads(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %s: tensor<1x4x16x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op head count of initial_state (4) does not match x (8)}}
  %y = icl.ssd %x, %dt, %A, %B, %B initial_state(%s) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<1x4x16x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_state_head_dim(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %s: tensor<1x8x4x16xf32>) {
  // expected-error @+1 {{'icl.ssd' op head dim of initial_state (4) does not match x (16)}}
  %y = icl.ssd %x, %dt, %A, %B, %B initial_state(%s) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<1x8x4x16xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_state_size(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>, %s: tensor<1x8x16x8xf32>) {
  // expected-error @+1 {{'icl.ssd' op state size of initial_state (8) does not match B (4)}}
  %y = icl.ssd %x, %dt, %A, %B, %B initial_state(%s) : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>, tensor<1x8x16x8xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_dt_range(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects dt_min <= dt_max}}
  %y = icl.ssd %x, %dt, %A, %B, %B {dt_min = 0.1 : f64, dt_max = 0.01 : f64} : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_element_type(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf16>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects all float operands and results to have element type 'f32', got 'tensor<1x10x8xf16>'}}
  %y = icl.ssd %x, %dt, %A, %B, %B : (tensor<1x10x8x16xf32>, tensor<1x10x8xf16>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

func.func @ssd_missing_final_state(%x: tensor<1x10x8x16xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8xf32>, %B: tensor<1x10x2x4xf32>) {
  // expected-error @+1 {{'icl.ssd' op expects a final-state result exactly when 'return_final_state' is set}}
  %y = icl.ssd %x, %dt, %A, %B, %B {return_final_state} : (tensor<1x10x8x16xf32>, tensor<1x10x8xf32>, tensor<8xf32>, tensor<1x10x2x4xf32>, tensor<1x10x2x4xf32>) -> tensor<1x10x8x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.token_merge, icl.token_unmerge
//===----------------------------------------------------------------------===//

func.func @merge_input_rank(%x: tensor<10x8xf32>, %k: tensor<2x10x4xf32>) {
  // expected-error @+1 {{'icl.token_merge' op expects input of rank 3, got 'tensor<10x8xf32>'}}
  %m, %s, %i = icl.token_merge %x, %k {r = 2 : i64} : (tensor<10x8xf32>, tensor<2x10x4xf32>) -> (tensor<8x8xf32>, tensor<8xf32>, tensor<10xi64>)
  return
}

// -----

func.func @merge_metric_rank(%x: tensor<2x10x8xf32>, %k: tensor<2x10xf32>) {
  // expected-error @+1 {{'icl.token_merge' op expects metric of rank 3, got 'tensor<2x10xf32>'}}
  %m, %s, %i = icl.token_merge %x, %k {r = 2 : i64} : (tensor<2x10x8xf32>, tensor<2x10xf32>) -> (tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @merge_sizes_rank(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xf32>, %sz: tensor<2x10x1xf32>) {
  // expected-error @+1 {{'icl.token_merge' op expects sizes of rank 2, got 'tensor<2x10x1xf32>'}}
  %m, %s, %i = icl.token_merge %x, %k sizes(%sz) {r = 2 : i64} : (tensor<2x10x8xf32>, tensor<2x10x4xf32>, tensor<2x10x1xf32>) -> (tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @merge_metric_batch(%x: tensor<2x10x8xf32>, %k: tensor<1x10x4xf32>) {
  // expected-error @+1 {{'icl.token_merge' op batch size of metric (1) does not match input (2)}}
  %m, %s, %i = icl.token_merge %x, %k {r = 2 : i64} : (tensor<2x10x8xf32>, tensor<1x10x4xf32>) -> (tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @merge_metric_tokens(%x: tensor<2x10x8xf32>, %k: tensor<2x12x4xf32>) {
  // expected-error @+1 {{'icl.token_merge' op token count of metric (12) does not match input (10)}}
  %m, %s, %i = icl.token_merge %x, %k {r = 2 : i64} : (tensor<2x10x8xf32>, tensor<2x12x4xf32>) -> (tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @merge_sizes_batch(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xf32>, %sz: tensor<4x10xf32>) {
  // expected-error @+1 {{'icl.token_merge' op batch size of sizes (4) does not match input (2)}}
  %m, %s, %i = icl.token_merge %x, %k sizes(%sz) {r = 2 : i64} : (tensor<2x10x8xf32>, tensor<2x10x4xf32>, tensor<4x10xf32>) -> (tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @merge_sizes_tokens(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xf32>, %sz: tensor<2x8xf32>) {
  // expected-error @+1 {{'icl.token_merge' op token count of sizes (8) does not match input (10)}}
  %m, %s, %i = icl.token_merge %x, %k sizes(%sz) {r = 2 : i64} : (tensor<2x10x8xf32>, tensor<2x10x4xf32>, tensor<2x8xf32>) -> (tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @merge_element_type(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xbf16>) {
  // expected-error @+1 {{'icl.token_merge' op expects all float operands and results to have element type 'f32', got 'tensor<2x10x4xbf16>'}}
  %m, %s, %i = icl.token_merge %x, %k {r = 2 : i64} : (tensor<2x10x8xf32>, tensor<2x10x4xbf16>) -> (tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @merge_negative_r(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xf32>) {
  // expected-error @+1 {{'icl.token_merge' op attribute 'r' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %m, %s, %i = icl.token_merge %x, %k {r = -1 : i64} : (tensor<2x10x8xf32>, tensor<2x10x4xf32>) -> (tensor<2x10x8xf32>, tensor<2x10xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @merge_result_type(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xf32>) {
  // expected-error @+2 {{'icl.token_merge' op inferred type(s) 'tensor<2x5x8xf32>', 'tensor<2x5xf32>', 'tensor<2x10xi64>' are incompatible with return type(s) of operation 'tensor<2x2x8xf32>', 'tensor<2x2xf32>', 'tensor<2x10xi64>'}}
  // expected-error @+1 {{'icl.token_merge' op failed to infer returned types}}
  %m, %s, %i = icl.token_merge %x, %k {r = 8 : i64} : (tensor<2x10x8xf32>, tensor<2x10x4xf32>) -> (tensor<2x2x8xf32>, tensor<2x2xf32>, tensor<2x10xi64>)
  return
}

// -----

func.func @unmerge_input_rank(%x: tensor<8x8xf32>, %i: tensor<2x10xi64>) {
  // expected-error @+1 {{'icl.token_unmerge' op expects input of rank 3, got 'tensor<8x8xf32>'}}
  %u = icl.token_unmerge %x, %i : (tensor<8x8xf32>, tensor<2x10xi64>) -> tensor<2x10x8xf32>
  return
}

// -----

func.func @unmerge_index_rank(%x: tensor<2x8x8xf32>, %i: tensor<20xi64>) {
  // expected-error @+1 {{'icl.token_unmerge' op expects index of rank 2, got 'tensor<20xi64>'}}
  %u = icl.token_unmerge %x, %i : (tensor<2x8x8xf32>, tensor<20xi64>) -> tensor<2x10x8xf32>
  return
}

// -----

func.func @unmerge_batch(%x: tensor<2x8x8xf32>, %i: tensor<3x10xi64>) {
  // expected-error @+1 {{'icl.token_unmerge' op batch size of index (3) does not match input (2)}}
  %u = icl.token_unmerge %x, %i : (tensor<2x8x8xf32>, tensor<3x10xi64>) -> tensor<2x10x8xf32>
  return
}

// -----

func.func @unmerge_float_index(%x: tensor<2x8x8xf32>, %i: tensor<2x10xf32>) {
  // expected-error @+1 {{'icl.token_unmerge' op operand #1 must be ranked tensor of signless integer or index values, but got 'tensor<2x10xf32>'}}
  %u = icl.token_unmerge %x, %i : (tensor<2x8x8xf32>, tensor<2x10xf32>) -> tensor<2x10x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.token_prune
//===----------------------------------------------------------------------===//

func.func @prune_input_rank(%x: tensor<64x32xf32>, %s: tensor<2x64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op expects input of rank 3, got 'tensor<64x32xf32>'}}
  %p = icl.token_prune %x, %s {keep = 16 : i64} : (tensor<64x32xf32>, tensor<2x64xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @prune_scores_rank(%x: tensor<2x64x32xf32>, %s: tensor<64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op expects scores of rank 2, got 'tensor<64xf32>'}}
  %p = icl.token_prune %x, %s {keep = 16 : i64} : (tensor<2x64x32xf32>, tensor<64xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

func.func @prune_scores_batch(%x: tensor<2x64x32xf32>, %s: tensor<1x64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op batch size of scores (1) does not match input (2)}}
  %p = icl.token_prune %x, %s {keep = 16 : i64} : (tensor<2x64x32xf32>, tensor<1x64xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

func.func @prune_scores_tokens(%x: tensor<2x64x32xf32>, %s: tensor<2x32xf32>) {
  // expected-error @+1 {{'icl.token_prune' op token count of scores (32) does not match input (64)}}
  %p = icl.token_prune %x, %s {keep = 16 : i64} : (tensor<2x64x32xf32>, tensor<2x32xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

func.func @prune_keep_and_ratio(%x: tensor<2x64x32xf32>, %s: tensor<2x64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op expects exactly one of 'keep' and 'keep_ratio'}}
  %p = icl.token_prune %x, %s {keep = 16 : i64, keep_ratio = 2.5e-01 : f64} : (tensor<2x64x32xf32>, tensor<2x64xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

// Neither 'keep' nor 'keep_ratio'.
func.func @prune_neither(%x: tensor<2x64x32xf32>, %s: tensor<2x64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op expects exactly one of 'keep' and 'keep_ratio'}}
  %p = icl.token_prune %x, %s : (tensor<2x64x32xf32>, tensor<2x64xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

func.func @prune_ratio_zero(%x: tensor<2x64x32xf32>, %s: tensor<2x64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op expects keep_ratio in (0, 1]}}
  %p = icl.token_prune %x, %s {keep_ratio = 0.0 : f64} : (tensor<2x64x32xf32>, tensor<2x64xf32>) -> tensor<2x1x32xf32>
  return
}

// -----

func.func @prune_ratio_above_one(%x: tensor<2x64x32xf32>, %s: tensor<2x64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op expects keep_ratio in (0, 1]}}
  %p = icl.token_prune %x, %s {keep_ratio = 1.5 : f64} : (tensor<2x64x32xf32>, tensor<2x64xf32>) -> tensor<2x64x32xf32>
  return
}

// -----

func.func @prune_keep_too_many(%x: tensor<2x64x32xf32>, %s: tensor<2x64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op keeps 65 tokens of only 64}}
  %p = icl.token_prune %x, %s {keep = 65 : i64} : (tensor<2x64x32xf32>, tensor<2x64xf32>) -> tensor<2x65x32xf32>
  return
}

// -----

func.func @prune_keep_zero(%x: tensor<2x64x32xf32>, %s: tensor<2x64xf32>) {
  // expected-error @+1 {{'icl.token_prune' op attribute 'keep' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %p = icl.token_prune %x, %s {keep = 0 : i64} : (tensor<2x64x32xf32>, tensor<2x64xf32>) -> tensor<2x0x32xf32>
  return
}

// -----

func.func @prune_element_type(%x: tensor<2x64x32xf32>, %s: tensor<2x64xf16>) {
  // expected-error @+1 {{'icl.token_prune' op expects all float operands and results to have element type 'f32', got 'tensor<2x64xf16>'}}
  %p = icl.token_prune %x, %s {keep = 16 : i64} : (tensor<2x64x32xf32>, tensor<2x64xf16>) -> tensor<2x16x32xf32>
  return
}

// -----

func.func @prune_result_type(%x: tensor<2x64x32xf32>, %s: tensor<2x64xf32>) {
  // expected-error @+2 {{'icl.token_prune' op inferred type(s) 'tensor<2x17x32xf32>' are incompatible with return type(s) of operation 'tensor<2x16x32xf32>'}}
  // expected-error @+1 {{'icl.token_prune' op failed to infer returned types}}
  %p = icl.token_prune %x, %s {keep = 16 : i64, fuse} : (tensor<2x64x32xf32>, tensor<2x64xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// icl.token_pool, icl.token_unpool
//===----------------------------------------------------------------------===//

func.func @pool_input_rank(%x: tensor<10x8xf32>) {
  // expected-error @+1 {{'icl.token_pool' op expects input of rank 3, got 'tensor<10x8xf32>'}}
  %p = icl.token_pool %x {segment = 4 : i64} : (tensor<10x8xf32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @pool_segment_zero(%x: tensor<2x10x8xf32>) {
  // expected-error @+1 {{'icl.token_pool' op attribute 'segment' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %p = icl.token_pool %x {segment = 0 : i64} : (tensor<2x10x8xf32>) -> tensor<2x10x8xf32>
  return
}

// -----

func.func @pool_result_type(%x: tensor<2x10x8xf32>) {
  // expected-error @+2 {{'icl.token_pool' op inferred type(s) 'tensor<2x3x8xf32>' are incompatible with return type(s) of operation 'tensor<2x2x8xf32>'}}
  // expected-error @+1 {{'icl.token_pool' op failed to infer returned types}}
  %p = icl.token_pool %x {segment = 4 : i64, kind = #icl.pool<max>} : (tensor<2x10x8xf32>) -> tensor<2x2x8xf32>
  return
}

// -----

func.func @unpool_input_rank(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{'icl.token_unpool' op expects input of rank 3, got 'tensor<3x8xf32>'}}
  %u = icl.token_unpool %x {segment = 4 : i64, length = 10 : i64} : (tensor<3x8xf32>) -> tensor<10x8xf32>
  return
}

// -----

func.func @unpool_segments(%x: tensor<2x3x8xf32>) {
  // expected-error @+1 {{'icl.token_unpool' op segment count of input (3) does not match ceil(length / segment) (4)}}
  %u = icl.token_unpool %x {segment = 4 : i64, length = 16 : i64} : (tensor<2x3x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

func.func @unpool_length_zero(%x: tensor<2x3x8xf32>) {
  // expected-error @+1 {{'icl.token_unpool' op attribute 'length' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %u = icl.token_unpool %x {segment = 4 : i64, length = 0 : i64} : (tensor<2x3x8xf32>) -> tensor<2x0x8xf32>
  return
}
