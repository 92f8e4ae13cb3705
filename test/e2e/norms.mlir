// Native code against the reference evaluator: icl.layer_norm (with and
// without gamma/beta), icl.rms_norm and icl.gated_rms_norm (one group and
// group_size dividing C), at odd sizes.
// RUN: icl-run %s --function layer_norm_gamma_beta --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_gamma_beta
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_gamma_beta --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_gamma_beta %}
// RUN: icl-run %s --function layer_norm_gamma --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_gamma
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_gamma --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_gamma %}
// RUN: icl-run %s --function layer_norm_beta --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_beta
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_beta --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_beta %}
// RUN: icl-run %s --function layer_norm_plain --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_plain
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_plain --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_plain %}
// RUN: icl-run %s --function layer_norm_t1 --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_t1
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_t1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_t1 %}
// RUN: icl-run %s --function layer_norm_rank2 --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_rank2
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_rank2 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_rank2 %}
// RUN: icl-run %s --function layer_norm_rank4 --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_rank4
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_rank4 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_rank4 %}
// RUN: icl-run %s --function layer_norm_c1 --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_c1
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_c1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_c1 %}
// layer_norm_offset normalises 50 + x, which native code rounds to f32 (the reference
// keeps it exact): centring amplifies that rounding by |mean|/std ~ 86, ~5e-6 relative.
// RUN: icl-run %s --function layer_norm_offset --random-inputs 1 --check --tolerance 3e-5 | FileCheck %s --check-prefix=layer_norm_offset
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_offset --random-inputs 1 --check --tolerance 3e-5 --device=cuda | FileCheck %s --check-prefix=layer_norm_offset %}
// RUN: icl-run %s --function rms_norm_gamma --random-inputs 1 --check | FileCheck %s --check-prefix=rms_norm_gamma
// RUN: %if cuda-device %{ icl-run %s --function rms_norm_gamma --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rms_norm_gamma %}
// RUN: icl-run %s --function rms_norm_plain --random-inputs 1 --check | FileCheck %s --check-prefix=rms_norm_plain
// RUN: %if cuda-device %{ icl-run %s --function rms_norm_plain --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rms_norm_plain %}
// RUN: icl-run %s --function rms_norm_t1 --random-inputs 1 --check | FileCheck %s --check-prefix=rms_norm_t1
// RUN: %if cuda-device %{ icl-run %s --function rms_norm_t1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rms_norm_t1 %}
// RUN: icl-run %s --function rms_norm_rank2 --random-inputs 1 --check | FileCheck %s --check-prefix=rms_norm_rank2
// RUN: %if cuda-device %{ icl-run %s --function rms_norm_rank2 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rms_norm_rank2 %}
// RUN: icl-run %s --function gated_rms_norm_group0_gamma --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_group0_gamma
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_group0_gamma --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_group0_gamma %}
// RUN: icl-run %s --function gated_rms_norm_group0_plain --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_group0_plain
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_group0_plain --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_group0_plain %}
// RUN: icl-run %s --function gated_rms_norm_group0_explicit --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_group0_explicit
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_group0_explicit --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_group0_explicit %}
// RUN: icl-run %s --function gated_rms_norm_group16_gamma --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_group16_gamma
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_group16_gamma --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_group16_gamma %}
// RUN: icl-run %s --function gated_rms_norm_group16_plain --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_group16_plain
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_group16_plain --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_group16_plain %}
// RUN: icl-run %s --function gated_rms_norm_group1 --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_group1
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_group1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_group1 %}
// RUN: icl-run %s --function gated_rms_norm_group_full --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_group_full
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_group_full --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_group_full %}
// RUN: icl-run %s --function gated_rms_norm_rank4 --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_rank4
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_rank4 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_rank4 %}
// bf16/f16 are computed in f32 and rounded once (the default bound of their dtype).
// RUN: icl-run %s --function layer_norm_bf16 --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_bf16
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_bf16 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_bf16 %}
// RUN: icl-run %s --function rms_norm_f16 --random-inputs 1 --check | FileCheck %s --check-prefix=rms_norm_f16
// RUN: %if cuda-device %{ icl-run %s --function rms_norm_f16 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rms_norm_f16 %}
// RUN: icl-run %s --function gated_rms_norm_bf16 --random-inputs 1 --check | FileCheck %s --check-prefix=gated_rms_norm_bf16
// RUN: %if cuda-device %{ icl-run %s --function gated_rms_norm_bf16 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gated_rms_norm_bf16 %}

func.func @layer_norm_gamma_beta(%x: tensor<2x13x40xf32>, %g: tensor<40xf32>, %b: tensor<40xf32>) -> tensor<2x13x40xf32> {
  %0 = icl.layer_norm %x gamma(%g) beta(%b) : (tensor<2x13x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  return %0 : tensor<2x13x40xf32>
}
// layer_norm_gamma_beta: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_gamma(%x: tensor<2x13x40xf32>, %g: tensor<40xf32>) -> tensor<2x13x40xf32> {
  %0 = icl.layer_norm %x gamma(%g) : (tensor<2x13x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  return %0 : tensor<2x13x40xf32>
}
// layer_norm_gamma: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_beta(%x: tensor<2x13x40xf32>, %b: tensor<40xf32>) -> tensor<2x13x40xf32> {
  %0 = icl.layer_norm %x beta(%b) : (tensor<2x13x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  return %0 : tensor<2x13x40xf32>
}
// layer_norm_beta: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_plain(%x: tensor<2x13x40xf32>) -> tensor<2x13x40xf32> {
  %0 = icl.layer_norm %x {eps = 1.0e-12 : f64} : (tensor<2x13x40xf32>) -> tensor<2x13x40xf32>
  return %0 : tensor<2x13x40xf32>
}
// layer_norm_plain: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_t1(%x: tensor<1x1x40xf32>, %g: tensor<40xf32>, %b: tensor<40xf32>) -> tensor<1x1x40xf32> {
  %0 = icl.layer_norm %x gamma(%g) beta(%b) : (tensor<1x1x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<1x1x40xf32>
  return %0 : tensor<1x1x40xf32>
}
// layer_norm_t1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_rank2(%x: tensor<37x129xf32>, %g: tensor<129xf32>, %b: tensor<129xf32>) -> tensor<37x129xf32> {
  %0 = icl.layer_norm %x gamma(%g) beta(%b) : (tensor<37x129xf32>, tensor<129xf32>, tensor<129xf32>) -> tensor<37x129xf32>
  return %0 : tensor<37x129xf32>
}
// layer_norm_rank2: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_rank4(%x: tensor<2x3x5x7xf32>, %g: tensor<7xf32>, %b: tensor<7xf32>) -> tensor<2x3x5x7xf32> {
  %0 = icl.layer_norm %x gamma(%g) beta(%b) : (tensor<2x3x5x7xf32>, tensor<7xf32>, tensor<7xf32>) -> tensor<2x3x5x7xf32>
  return %0 : tensor<2x3x5x7xf32>
}
// layer_norm_rank4: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_c1(%x: tensor<5x1xf32>, %b: tensor<1xf32>) -> tensor<5x1xf32> {
  %0 = icl.layer_norm %x beta(%b) : (tensor<5x1xf32>, tensor<1xf32>) -> tensor<5x1xf32>
  return %0 : tensor<5x1xf32>
}
// layer_norm_c1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_offset(%x: tensor<3x40xf32>, %g: tensor<40xf32>, %b: tensor<40xf32>) -> tensor<3x40xf32> {
  %c = arith.constant dense<50.0> : tensor<3x40xf32>
  %y = arith.addf %x, %c : tensor<3x40xf32>
  %0 = icl.layer_norm %y gamma(%g) beta(%b) : (tensor<3x40xf32>, tensor<40xf32>, tensor<40xf32>) -> tensor<3x40xf32>
  return %0 : tensor<3x40xf32>
}
// layer_norm_offset: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rms_norm_gamma(%x: tensor<2x13x40xf32>, %g: tensor<40xf32>) -> tensor<2x13x40xf32> {
  %0 = icl.rms_norm %x gamma(%g) : (tensor<2x13x40xf32>, tensor<40xf32>) -> tensor<2x13x40xf32>
  return %0 : tensor<2x13x40xf32>
}
// rms_norm_gamma: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rms_norm_plain(%x: tensor<2x13x40xf32>) -> tensor<2x13x40xf32> {
  %0 = icl.rms_norm %x {eps = 1.0e-05 : f64} : (tensor<2x13x40xf32>) -> tensor<2x13x40xf32>
  return %0 : tensor<2x13x40xf32>
}
// rms_norm_plain: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rms_norm_t1(%x: tensor<1x1x64xf32>, %g: tensor<64xf32>) -> tensor<1x1x64xf32> {
  %0 = icl.rms_norm %x gamma(%g) : (tensor<1x1x64xf32>, tensor<64xf32>) -> tensor<1x1x64xf32>
  return %0 : tensor<1x1x64xf32>
}
// rms_norm_t1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rms_norm_rank2(%x: tensor<37x129xf32>, %g: tensor<129xf32>) -> tensor<37x129xf32> {
  %0 = icl.rms_norm %x gamma(%g) : (tensor<37x129xf32>, tensor<129xf32>) -> tensor<37x129xf32>
  return %0 : tensor<37x129xf32>
}
// rms_norm_rank2: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_group0_gamma(%y: tensor<2x13x48xf32>, %z: tensor<2x13x48xf32>, %g: tensor<48xf32>) -> tensor<2x13x48xf32> {
  %0 = icl.gated_rms_norm %y, %z gamma(%g) : (tensor<2x13x48xf32>, tensor<2x13x48xf32>, tensor<48xf32>) -> tensor<2x13x48xf32>
  return %0 : tensor<2x13x48xf32>
}
// gated_rms_norm_group0_gamma: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_group0_plain(%y: tensor<2x13x48xf32>, %z: tensor<2x13x48xf32>) -> tensor<2x13x48xf32> {
  %0 = icl.gated_rms_norm %y, %z : (tensor<2x13x48xf32>, tensor<2x13x48xf32>) -> tensor<2x13x48xf32>
  return %0 : tensor<2x13x48xf32>
}
// gated_rms_norm_group0_plain: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_group0_explicit(%y: tensor<2x13x48xf32>, %z: tensor<2x13x48xf32>, %g: tensor<48xf32>) -> tensor<2x13x48xf32> {
  %0 = icl.gated_rms_norm %y, %z gamma(%g) {group_size = 0 : i64} : (tensor<2x13x48xf32>, tensor<2x13x48xf32>, tensor<48xf32>) -> tensor<2x13x48xf32>
  return %0 : tensor<2x13x48xf32>
}
// gated_rms_norm_group0_explicit: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_group16_gamma(%y: tensor<2x13x48xf32>, %z: tensor<2x13x48xf32>, %g: tensor<48xf32>) -> tensor<2x13x48xf32> {
  %0 = icl.gated_rms_norm %y, %z gamma(%g) {group_size = 16 : i64, eps = 1.0e-05 : f64} : (tensor<2x13x48xf32>, tensor<2x13x48xf32>, tensor<48xf32>) -> tensor<2x13x48xf32>
  return %0 : tensor<2x13x48xf32>
}
// gated_rms_norm_group16_gamma: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_group16_plain(%y: tensor<2x13x48xf32>, %z: tensor<2x13x48xf32>) -> tensor<2x13x48xf32> {
  %0 = icl.gated_rms_norm %y, %z {group_size = 16 : i64} : (tensor<2x13x48xf32>, tensor<2x13x48xf32>) -> tensor<2x13x48xf32>
  return %0 : tensor<2x13x48xf32>
}
// gated_rms_norm_group16_plain: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_group1(%y: tensor<3x10xf32>, %z: tensor<3x10xf32>, %g: tensor<10xf32>) -> tensor<3x10xf32> {
  %0 = icl.gated_rms_norm %y, %z gamma(%g) {group_size = 1 : i64} : (tensor<3x10xf32>, tensor<3x10xf32>, tensor<10xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}
// gated_rms_norm_group1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_group_full(%y: tensor<3x10xf32>, %z: tensor<3x10xf32>, %g: tensor<10xf32>) -> tensor<3x10xf32> {
  %0 = icl.gated_rms_norm %y, %z gamma(%g) {group_size = 10 : i64} : (tensor<3x10xf32>, tensor<3x10xf32>, tensor<10xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}
// gated_rms_norm_group_full: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_rank4(%y: tensor<1x3x5x24xf32>, %z: tensor<1x3x5x24xf32>, %g: tensor<24xf32>) -> tensor<1x3x5x24xf32> {
  %0 = icl.gated_rms_norm %y, %z gamma(%g) {group_size = 8 : i64} : (tensor<1x3x5x24xf32>, tensor<1x3x5x24xf32>, tensor<24xf32>) -> tensor<1x3x5x24xf32>
  return %0 : tensor<1x3x5x24xf32>
}
// gated_rms_norm_rank4: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @layer_norm_bf16(%x: tensor<3x5x1000xbf16>, %g: tensor<1000xbf16>, %b: tensor<1000xbf16>) -> tensor<3x5x1000xbf16> {
  %0 = icl.layer_norm %x gamma(%g) beta(%b) : (tensor<3x5x1000xbf16>, tensor<1000xbf16>, tensor<1000xbf16>) -> tensor<3x5x1000xbf16>
  return %0 : tensor<3x5x1000xbf16>
}
// layer_norm_bf16: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rms_norm_f16(%x: tensor<7x777xf16>, %g: tensor<777xf16>) -> tensor<7x777xf16> {
  %0 = icl.rms_norm %x gamma(%g) : (tensor<7x777xf16>, tensor<777xf16>) -> tensor<7x777xf16>
  return %0 : tensor<7x777xf16>
}
// rms_norm_f16: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @gated_rms_norm_bf16(%y: tensor<2x13x480xbf16>, %z: tensor<2x13x480xbf16>, %g: tensor<480xbf16>) -> tensor<2x13x480xbf16> {
  %0 = icl.gated_rms_norm %y, %z gamma(%g) : (tensor<2x13x480xbf16>, tensor<2x13x480xbf16>, tensor<480xbf16>) -> tensor<2x13x480xbf16>
  return %0 : tensor<2x13x480xbf16>
}
// gated_rms_norm_bf16: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
