// Native code against the reference evaluator: a whole GPT-2-style block
// (layer_norm, q/k/v linears, heads split with tensor.expand_shape and
// linalg.transpose, causal attention, heads merged back, output linear,
// residual add, layer_norm, MLP with gelu, residual add) at odd sizes.
// RUN: icl-run %s --function gpt_block_t1 --random-inputs 1 --check | FileCheck %s --check-prefix=gpt_block_t1
// RUN: %if cuda-device %{ icl-run %s --function gpt_block_t1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gpt_block_t1 %}
// RUN: icl-run %s --function gpt_block_t13 --random-inputs 1 --check | FileCheck %s --check-prefix=gpt_block_t13
// RUN: %if cuda-device %{ icl-run %s --function gpt_block_t13 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gpt_block_t13 %}
// RUN: icl-run %s --function gpt_block_b2_t13 --random-inputs 1 --check | FileCheck %s --check-prefix=gpt_block_b2_t13
// RUN: %if cuda-device %{ icl-run %s --function gpt_block_b2_t13 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gpt_block_b2_t13 %}
// RUN: icl-run %s --function gpt_block_t37_d64 --random-inputs 1 --check | FileCheck %s --check-prefix=gpt_block_t37_d64
// RUN: %if cuda-device %{ icl-run %s --function gpt_block_t37_d64 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gpt_block_t37_d64 %}
// RUN: icl-run %s --function gpt_block_t13_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=gpt_block_t13_sliding
// RUN: %if cuda-device %{ icl-run %s --function gpt_block_t13_sliding --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gpt_block_t13_sliding %}

func.func @gpt_block_t1(%x: tensor<1x1x40xf32>,
    %ln1_g: tensor<40xf32>, %ln1_b: tensor<40xf32>,
    %wq: tensor<40x40xf32>, %bq: tensor<40xf32>, %wk: tensor<40x40xf32>, %bk: tensor<40xf32>, %wv: tensor<40x40xf32>, %bv: tensor<40xf32>,
    %wo: tensor<40x40xf32>, %bo: tensor<40xf32>,
    %ln2_g: tensor<40xf32>, %ln2_b: tensor<40xf32>,
    %w1: tensor<160x40xf32>, %b1: tensor<160xf32>, %w2: tensor<40x160xf32>, %b2: tensor<40xf32>) -> tensor<1x1x40xf32> {
  %h = icl.layer_norm %x gamma(%ln1_g) beta(%ln1_b) : (tensor<1x1x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<1x1x40xf32>
  %q = icl.linear %h, %wq bias(%bq) : (tensor<1x1x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x1x40xf32>
  %k = icl.linear %h, %wk bias(%bk) : (tensor<1x1x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x1x40xf32>
  %v = icl.linear %h, %wv bias(%bv) : (tensor<1x1x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x1x40xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [1, 1, 4, 10] : tensor<1x1x40xf32> into tensor<1x1x4x10xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [1, 1, 4, 10] : tensor<1x1x40xf32> into tensor<1x1x4x10xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [1, 1, 4, 10] : tensor<1x1x40xf32> into tensor<1x1x4x10xf32>
  %eq = tensor.empty() : tensor<1x4x1x10xf32>
  %qh = linalg.transpose ins(%q4 : tensor<1x1x4x10xf32>) outs(%eq : tensor<1x4x1x10xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<1x4x1x10xf32>
  %kh = linalg.transpose ins(%k4 : tensor<1x1x4x10xf32>) outs(%ek : tensor<1x4x1x10xf32>) permutation = [0, 2, 1, 3]
  %ev = tensor.empty() : tensor<1x4x1x10xf32>
  %vh = linalg.transpose ins(%v4 : tensor<1x1x4x10xf32>) outs(%ev : tensor<1x4x1x10xf32>) permutation = [0, 2, 1, 3]
  %a = icl.attention %qh, %kh, %vh {mask_kind = #icl.mask<causal>} : (tensor<1x4x1x10xf32>, tensor<1x4x1x10xf32>, tensor<1x4x1x10xf32>) -> tensor<1x4x1x10xf32>
  %eo = tensor.empty() : tensor<1x1x4x10xf32>
  %at = linalg.transpose ins(%a : tensor<1x4x1x10xf32>) outs(%eo : tensor<1x1x4x10xf32>) permutation = [0, 2, 1, 3]
  %ao = tensor.collapse_shape %at [[0], [1], [2, 3]] : tensor<1x1x4x10xf32> into tensor<1x1x40xf32>
  %o = icl.linear %ao, %wo bias(%bo) : (tensor<1x1x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x1x40xf32>
  %r1 = arith.addf %x, %o : tensor<1x1x40xf32>
  %h2 = icl.layer_norm %r1 gamma(%ln2_g) beta(%ln2_b) : (tensor<1x1x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<1x1x40xf32>
  %f1 = icl.linear %h2, %w1 bias(%b1) : (tensor<1x1x40xf32>, tensor<160x40xf32>, tensor<160xf32>) -> tensor<1x1x160xf32>
  %g = icl.activation %f1 {kind = #icl.activation<gelu>} : tensor<1x1x160xf32>
  %f2 = icl.linear %g, %w2 bias(%b2) : (tensor<1x1x160xf32>, tensor<40x160xf32>, tensor<40xf32>) -> tensor<1x1x40xf32>
  %r2 = arith.addf %r1, %f2 : tensor<1x1x40xf32>
  return %r2 : tensor<1x1x40xf32>
}
// gpt_block_t1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gpt_block_t13(%x: tensor<1x13x40xf32>,
    %ln1_g: tensor<40xf32>, %ln1_b: tensor<40xf32>,
    %wq: tensor<40x40xf32>, %bq: tensor<40xf32>, %wk: tensor<40x40xf32>, %bk: tensor<40xf32>, %wv: tensor<40x40xf32>, %bv: tensor<40xf32>,
    %wo: tensor<40x40xf32>, %bo: tensor<40xf32>,
    %ln2_g: tensor<40xf32>, %ln2_b: tensor<40xf32>,
    %w1: tensor<160x40xf32>, %b1: tensor<160xf32>, %w2: tensor<40x160xf32>, %b2: tensor<40xf32>) -> tensor<1x13x40xf32> {
  %h = icl.layer_norm %x gamma(%ln1_g) beta(%ln1_b) : (tensor<1x13x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<1x13x40xf32>
  %q = icl.linear %h, %wq bias(%bq) : (tensor<1x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x13x40xf32>
  %k = icl.linear %h, %wk bias(%bk) : (tensor<1x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x13x40xf32>
  %v = icl.linear %h, %wv bias(%bv) : (tensor<1x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x13x40xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [1, 13, 4, 10] : tensor<1x13x40xf32> into tensor<1x13x4x10xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [1, 13, 4, 10] : tensor<1x13x40xf32> into tensor<1x13x4x10xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [1, 13, 4, 10] : tensor<1x13x40xf32> into tensor<1x13x4x10xf32>
  %eq = tensor.empty() : tensor<1x4x13x10xf32>
  %qh = linalg.transpose ins(%q4 : tensor<1x13x4x10xf32>) outs(%eq : tensor<1x4x13x10xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<1x4x13x10xf32>
  %kh = linalg.transpose ins(%k4 : tensor<1x13x4x10xf32>) outs(%ek : tensor<1x4x13x10xf32>) permutation = [0, 2, 1, 3]
  %ev = tensor.empty() : tensor<1x4x13x10xf32>
  %vh = linalg.transpose ins(%v4 : tensor<1x13x4x10xf32>) outs(%ev : tensor<1x4x13x10xf32>) permutation = [0, 2, 1, 3]
  %a = icl.attention %qh, %kh, %vh {mask_kind = #icl.mask<causal>} : (tensor<1x4x13x10xf32>, tensor<1x4x13x10xf32>, tensor<1x4x13x10xf32>) -> tensor<1x4x13x10xf32>
  %eo = tensor.empty() : tensor<1x13x4x10xf32>
  %at = linalg.transpose ins(%a : tensor<1x4x13x10xf32>) outs(%eo : tensor<1x13x4x10xf32>) permutation = [0, 2, 1, 3]
  %ao = tensor.collapse_shape %at [[0], [1], [2, 3]] : tensor<1x13x4x10xf32> into tensor<1x13x40xf32>
  %o = icl.linear %ao, %wo bias(%bo) : (tensor<1x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x13x40xf32>
  %r1 = arith.addf %x, %o : tensor<1x13x40xf32>
  %h2 = icl.layer_norm %r1 gamma(%ln2_g) beta(%ln2_b) : (tensor<1x13x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<1x13x40xf32>
  %f1 = icl.linear %h2, %w1 bias(%b1) : (tensor<1x13x40xf32>, tensor<160x40xf32>, tensor<160xf32>) -> tensor<1x13x160xf32>
  %g = icl.activation %f1 {kind = #icl.activation<gelu>} : tensor<1x13x160xf32>
  %f2 = icl.linear %g, %w2 bias(%b2) : (tensor<1x13x160xf32>, tensor<40x160xf32>, tensor<40xf32>) -> tensor<1x13x40xf32>
  %r2 = arith.addf %r1, %f2 : tensor<1x13x40xf32>
  return %r2 : tensor<1x13x40xf32>
}
// gpt_block_t13: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gpt_block_b2_t13(%x: tensor<2x13x40xf32>,
    %ln1_g: tensor<40xf32>, %ln1_b: tensor<40xf32>,
    %wq: tensor<40x40xf32>, %bq: tensor<40xf32>, %wk: tensor<40x40xf32>, %bk: tensor<40xf32>, %wv: tensor<40x40xf32>, %bv: tensor<40xf32>,
    %wo: tensor<40x40xf32>, %bo: tensor<40xf32>,
    %ln2_g: tensor<40xf32>, %ln2_b: tensor<40xf32>,
    %w1: tensor<96x40xf32>, %b1: tensor<96xf32>, %w2: tensor<40x96xf32>, %b2: tensor<40xf32>) -> tensor<2x13x40xf32> {
  %h = icl.layer_norm %x gamma(%ln1_g) beta(%ln1_b) : (tensor<2x13x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %q = icl.linear %h, %wq bias(%bq) : (tensor<2x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %k = icl.linear %h, %wk bias(%bk) : (tensor<2x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %v = icl.linear %h, %wv bias(%bv) : (tensor<2x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [2, 13, 5, 8] : tensor<2x13x40xf32> into tensor<2x13x5x8xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [2, 13, 5, 8] : tensor<2x13x40xf32> into tensor<2x13x5x8xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [2, 13, 5, 8] : tensor<2x13x40xf32> into tensor<2x13x5x8xf32>
  %eq = tensor.empty() : tensor<2x5x13x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<2x13x5x8xf32>) outs(%eq : tensor<2x5x13x8xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<2x5x13x8xf32>
  %kh = linalg.transpose ins(%k4 : tensor<2x13x5x8xf32>) outs(%ek : tensor<2x5x13x8xf32>) permutation = [0, 2, 1, 3]
  %ev = tensor.empty() : tensor<2x5x13x8xf32>
  %vh = linalg.transpose ins(%v4 : tensor<2x13x5x8xf32>) outs(%ev : tensor<2x5x13x8xf32>) permutation = [0, 2, 1, 3]
  %a = icl.attention %qh, %kh, %vh {mask_kind = #icl.mask<causal>} : (tensor<2x5x13x8xf32>, tensor<2x5x13x8xf32>, tensor<2x5x13x8xf32>) -> tensor<2x5x13x8xf32>
  %eo = tensor.empty() : tensor<2x13x5x8xf32>
  %at = linalg.transpose ins(%a : tensor<2x5x13x8xf32>) outs(%eo : tensor<2x13x5x8xf32>) permutation = [0, 2, 1, 3]
  %ao = tensor.collapse_shape %at [[0], [1], [2, 3]] : tensor<2x13x5x8xf32> into tensor<2x13x40xf32>
  %o = icl.linear %ao, %wo bias(%bo) : (tensor<2x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %r1 = arith.addf %x, %o : tensor<2x13x40xf32>
  %h2 = icl.layer_norm %r1 gamma(%ln2_g) beta(%ln2_b) : (tensor<2x13x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %f1 = icl.linear %h2, %w1 bias(%b1) : (tensor<2x13x40xf32>, tensor<96x40xf32>, tensor<96xf32>) -> tensor<2x13x96xf32>
  %g = icl.activation %f1 {kind = #icl.activation<gelu>} : tensor<2x13x96xf32>
  %f2 = icl.linear %g, %w2 bias(%b2) : (tensor<2x13x96xf32>, tensor<40x96xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %r2 = arith.addf %r1, %f2 : tensor<2x13x40xf32>
  return %r2 : tensor<2x13x40xf32>
}
// gpt_block_b2_t13: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gpt_block_t37_d64(%x: tensor<1x37x64xf32>,
    %ln1_g: tensor<64xf32>, %ln1_b: tensor<64xf32>,
    %wq: tensor<64x64xf32>, %bq: tensor<64xf32>, %wk: tensor<64x64xf32>, %bk: tensor<64xf32>, %wv: tensor<64x64xf32>, %bv: tensor<64xf32>,
    %wo: tensor<64x64xf32>, %bo: tensor<64xf32>,
    %ln2_g: tensor<64xf32>, %ln2_b: tensor<64xf32>,
    %w1: tensor<256x64xf32>, %b1: tensor<256xf32>, %w2: tensor<64x256xf32>, %b2: tensor<64xf32>) -> tensor<1x37x64xf32> {
  %h = icl.layer_norm %x gamma(%ln1_g) beta(%ln1_b) : (tensor<1x37x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x37x64xf32>
  %q = icl.linear %h, %wq bias(%bq) : (tensor<1x37x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<1x37x64xf32>
  %k = icl.linear %h, %wk bias(%bk) : (tensor<1x37x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<1x37x64xf32>
  %v = icl.linear %h, %wv bias(%bv) : (tensor<1x37x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<1x37x64xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [1, 37, 2, 32] : tensor<1x37x64xf32> into tensor<1x37x2x32xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [1, 37, 2, 32] : tensor<1x37x64xf32> into tensor<1x37x2x32xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [1, 37, 2, 32] : tensor<1x37x64xf32> into tensor<1x37x2x32xf32>
  %eq = tensor.empty() : tensor<1x2x37x32xf32>
  %qh = linalg.transpose ins(%q4 : tensor<1x37x2x32xf32>) outs(%eq : tensor<1x2x37x32xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<1x2x37x32xf32>
  %kh = linalg.transpose ins(%k4 : tensor<1x37x2x32xf32>) outs(%ek : tensor<1x2x37x32xf32>) permutation = [0, 2, 1, 3]
  %ev = tensor.empty() : tensor<1x2x37x32xf32>
  %vh = linalg.transpose ins(%v4 : tensor<1x37x2x32xf32>) outs(%ev : tensor<1x2x37x32xf32>) permutation = [0, 2, 1, 3]
  %a = icl.attention %qh, %kh, %vh {mask_kind = #icl.mask<causal>} : (tensor<1x2x37x32xf32>, tensor<1x2x37x32xf32>, tensor<1x2x37x32xf32>) -> tensor<1x2x37x32xf32>
  %eo = tensor.empty() : tensor<1x37x2x32xf32>
  %at = linalg.transpose ins(%a : tensor<1x2x37x32xf32>) outs(%eo : tensor<1x37x2x32xf32>) permutation = [0, 2, 1, 3]
  %ao = tensor.collapse_shape %at [[0], [1], [2, 3]] : tensor<1x37x2x32xf32> into tensor<1x37x64xf32>
  %o = icl.linear %ao, %wo bias(%bo) : (tensor<1x37x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<1x37x64xf32>
  %r1 = arith.addf %x, %o : tensor<1x37x64xf32>
  %h2 = icl.layer_norm %r1 gamma(%ln2_g) beta(%ln2_b) : (tensor<1x37x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x37x64xf32>
  %f1 = icl.linear %h2, %w1 bias(%b1) : (tensor<1x37x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<1x37x256xf32>
  %g = icl.activation %f1 {kind = #icl.activation<gelu>} : tensor<1x37x256xf32>
  %f2 = icl.linear %g, %w2 bias(%b2) : (tensor<1x37x256xf32>, tensor<64x256xf32>, tensor<64xf32>) -> tensor<1x37x64xf32>
  %r2 = arith.addf %r1, %f2 : tensor<1x37x64xf32>
  return %r2 : tensor<1x37x64xf32>
}
// gpt_block_t37_d64: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gpt_block_t13_sliding(%x: tensor<2x13x40xf32>,
    %ln1_g: tensor<40xf32>, %ln1_b: tensor<40xf32>,
    %wq: tensor<40x40xf32>, %bq: tensor<40xf32>, %wk: tensor<40x40xf32>, %bk: tensor<40xf32>, %wv: tensor<40x40xf32>, %bv: tensor<40xf32>,
    %wo: tensor<40x40xf32>, %bo: tensor<40xf32>,
    %ln2_g: tensor<40xf32>, %ln2_b: tensor<40xf32>,
    %w1: tensor<160x40xf32>, %b1: tensor<160xf32>, %w2: tensor<40x160xf32>, %b2: tensor<40xf32>) -> tensor<2x13x40xf32> {
  %h = icl.layer_norm %x gamma(%ln1_g) beta(%ln1_b) : (tensor<2x13x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %q = icl.linear %h, %wq bias(%bq) : (tensor<2x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %k = icl.linear %h, %wk bias(%bk) : (tensor<2x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %v = icl.linear %h, %wv bias(%bv) : (tensor<2x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [2, 13, 2, 20] : tensor<2x13x40xf32> into tensor<2x13x2x20xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [2, 13, 2, 20] : tensor<2x13x40xf32> into tensor<2x13x2x20xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [2, 13, 2, 20] : tensor<2x13x40xf32> into tensor<2x13x2x20xf32>
  %eq = tensor.empty() : tensor<2x2x13x20xf32>
  %qh = linalg.transpose ins(%q4 : tensor<2x13x2x20xf32>) outs(%eq : tensor<2x2x13x20xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<2x2x13x20xf32>
  %kh = linalg.transpose ins(%k4 : tensor<2x13x2x20xf32>) outs(%ek : tensor<2x2x13x20xf32>) permutation = [0, 2, 1, 3]
  %ev = tensor.empty() : tensor<2x2x13x20xf32>
  %vh = linalg.transpose ins(%v4 : tensor<2x13x2x20xf32>) outs(%ev : tensor<2x2x13x20xf32>) permutation = [0, 2, 1, 3]
  %a = icl.attention %qh, %kh, %vh {mask_kind = #icl.mask<sliding_window>, window = 4 : i64} : (tensor<2x2x13x20xf32>, tensor<2x2x13x20xf32>, tensor<2x2x13x20xf32>) -> tensor<2x2x13x20xf32>
  %eo = tensor.empty() : tensor<2x13x2x20xf32>
  %at = linalg.transpose ins(%a : tensor<2x2x13x20xf32>) outs(%eo : tensor<2x13x2x20xf32>) permutation = [0, 2, 1, 3]
  %ao = tensor.collapse_shape %at [[0], [1], [2, 3]] : tensor<2x13x2x20xf32> into tensor<2x13x40xf32>
  %o = icl.linear %ao, %wo bias(%bo) : (tensor<2x13x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %r1 = arith.addf %x, %o : tensor<2x13x40xf32>
  %h2 = icl.layer_norm %r1 gamma(%ln2_g) beta(%ln2_b) : (tensor<2x13x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %f1 = icl.linear %h2, %w1 bias(%b1) : (tensor<2x13x40xf32>, tensor<160x40xf32>, tensor<160xf32>) -> tensor<2x13x160xf32>
  %g = icl.activation %f1 {kind = #icl.activation<gelu>} : tensor<2x13x160xf32>
  %f2 = icl.linear %g, %w2 bias(%b2) : (tensor<2x13x160xf32>, tensor<40x160xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  %r2 = arith.addf %r1, %f2 : tensor<2x13x40xf32>
  return %r2 : tensor<2x13x40xf32>
}
// gpt_block_t13_sliding: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
