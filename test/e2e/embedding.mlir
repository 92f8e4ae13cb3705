// Native code against the reference evaluator: icl.embedding with ids of
// rank 1 and 2 (random ids lie within the table's vocabulary).
// RUN: icl-run %s --function embedding_ids_rank1 --random-inputs 1 --check | FileCheck %s --check-prefix=embedding_ids_rank1
// RUN: %if cuda-device %{ icl-run %s --function embedding_ids_rank1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=embedding_ids_rank1 %}
// RUN: icl-run %s --function embedding_ids_rank1_t1 --random-inputs 1 --check | FileCheck %s --check-prefix=embedding_ids_rank1_t1
// RUN: %if cuda-device %{ icl-run %s --function embedding_ids_rank1_t1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=embedding_ids_rank1_t1 %}
// RUN: icl-run %s --function embedding_ids_rank2 --random-inputs 1 --check | FileCheck %s --check-prefix=embedding_ids_rank2
// RUN: %if cuda-device %{ icl-run %s --function embedding_ids_rank2 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=embedding_ids_rank2 %}
// RUN: icl-run %s --function embedding_ids_rank2_t1 --random-inputs 1 --check | FileCheck %s --check-prefix=embedding_ids_rank2_t1
// RUN: %if cuda-device %{ icl-run %s --function embedding_ids_rank2_t1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=embedding_ids_rank2_t1 %}
// RUN: icl-run %s --function embedding_vocab1 --random-inputs 1 --check | FileCheck %s --check-prefix=embedding_vocab1
// RUN: %if cuda-device %{ icl-run %s --function embedding_vocab1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=embedding_vocab1 %}
// RUN: icl-run %s --function embedding_c1 --random-inputs 1 --check | FileCheck %s --check-prefix=embedding_c1
// RUN: %if cuda-device %{ icl-run %s --function embedding_c1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=embedding_c1 %}
// RUN: icl-run %s --function embedding_then_linear --random-inputs 1 --check | FileCheck %s --check-prefix=embedding_then_linear
// RUN: %if cuda-device %{ icl-run %s --function embedding_then_linear --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=embedding_then_linear %}

func.func @embedding_ids_rank1(%table: tensor<50x40xf32>, %ids: tensor<37xi64>) -> tensor<37x40xf32> {
  %0 = icl.embedding %table, %ids : (tensor<50x40xf32>, tensor<37xi64>) -> tensor<37x40xf32>
  return %0 : tensor<37x40xf32>
}
// embedding_ids_rank1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @embedding_ids_rank1_t1(%table: tensor<97x33xf32>, %ids: tensor<1xi64>) -> tensor<1x33xf32> {
  %0 = icl.embedding %table, %ids : (tensor<97x33xf32>, tensor<1xi64>) -> tensor<1x33xf32>
  return %0 : tensor<1x33xf32>
}
// embedding_ids_rank1_t1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @embedding_ids_rank2(%table: tensor<50x40xf32>, %ids: tensor<2x13xi64>) -> tensor<2x13x40xf32> {
  %0 = icl.embedding %table, %ids : (tensor<50x40xf32>, tensor<2x13xi64>) -> tensor<2x13x40xf32>
  return %0 : tensor<2x13x40xf32>
}
// embedding_ids_rank2: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @embedding_ids_rank2_t1(%table: tensor<1000x64xf32>, %ids: tensor<3x1xi64>) -> tensor<3x1x64xf32> {
  %0 = icl.embedding %table, %ids : (tensor<1000x64xf32>, tensor<3x1xi64>) -> tensor<3x1x64xf32>
  return %0 : tensor<3x1x64xf32>
}
// embedding_ids_rank2_t1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @embedding_vocab1(%table: tensor<1x7xf32>, %ids: tensor<2x5xi64>) -> tensor<2x5x7xf32> {
  %0 = icl.embedding %table, %ids : (tensor<1x7xf32>, tensor<2x5xi64>) -> tensor<2x5x7xf32>
  return %0 : tensor<2x5x7xf32>
}
// embedding_vocab1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @embedding_c1(%table: tensor<11x1xf32>, %ids: tensor<2x9xi64>) -> tensor<2x9x1xf32> {
  %0 = icl.embedding %table, %ids : (tensor<11x1xf32>, tensor<2x9xi64>) -> tensor<2x9x1xf32>
  return %0 : tensor<2x9x1xf32>
}
// embedding_c1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @embedding_then_linear(%table: tensor<64x40xf32>, %ids: tensor<2x13xi64>, %w: tensor<24x40xf32>) -> tensor<2x13x24xf32> {
  %e = icl.embedding %table, %ids : (tensor<64x40xf32>, tensor<2x13xi64>) -> tensor<2x13x40xf32>
  %0 = icl.linear %e, %w : (tensor<2x13x40xf32>, tensor<24x40xf32>) -> tensor<2x13x24xf32>
  return %0 : tensor<2x13x24xf32>
}
// embedding_then_linear: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
