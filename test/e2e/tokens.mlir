// Native code against the reference evaluator: the token-reduction family.
// token_merge with and without sizes (sizes are positive: sigmoids of random
// inputs), protect_first, r = 0, r beyond (T − protected) / 2, odd and even T
// (1, 2, 7, 10, 11, 197), and exact ties (relu metrics with K = 1 give
// cosines of exactly 0 or 1); token_unmerge after token_merge and of random
// in-range i64 and i32 indices; token_prune with keep, keep_ratio,
// protect_first, fuse and tied (relu) scores; token_pool mean and max with T
// not divisible by the segment, and token_unpool, alone and after token_pool.
// RUN: icl-run %s --function merge_t10 --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t10
// RUN: %if cuda-device %{ icl-run %s --function merge_t10 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t10 %}
// RUN: icl-run %s --function merge_t7_sizes --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t7_sizes
// RUN: %if cuda-device %{ icl-run %s --function merge_t7_sizes --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t7_sizes %}
// RUN: icl-run %s --function merge_t7_protect --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t7_protect
// RUN: %if cuda-device %{ icl-run %s --function merge_t7_protect --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t7_protect %}
// RUN: icl-run %s --function merge_t10_protect_sizes --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t10_protect_sizes
// RUN: %if cuda-device %{ icl-run %s --function merge_t10_protect_sizes --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t10_protect_sizes %}
// RUN: icl-run %s --function merge_t10_r_too_large --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t10_r_too_large
// RUN: %if cuda-device %{ icl-run %s --function merge_t10_r_too_large --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t10_r_too_large %}
// RUN: icl-run %s --function merge_t7_r_too_large --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t7_r_too_large
// RUN: %if cuda-device %{ icl-run %s --function merge_t7_r_too_large --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t7_r_too_large %}
// RUN: icl-run %s --function merge_t10_protect_r_too_large --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t10_protect_r_too_large
// RUN: %if cuda-device %{ icl-run %s --function merge_t10_protect_r_too_large --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t10_protect_r_too_large %}
// RUN: icl-run %s --function merge_r0 --random-inputs 1 --check | FileCheck %s --check-prefix=merge_r0
// RUN: %if cuda-device %{ icl-run %s --function merge_r0 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_r0 %}
// RUN: icl-run %s --function merge_r0_sizes --random-inputs 1 --check | FileCheck %s --check-prefix=merge_r0_sizes
// RUN: %if cuda-device %{ icl-run %s --function merge_r0_sizes --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_r0_sizes %}
// RUN: icl-run %s --function merge_t1 --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t1
// RUN: %if cuda-device %{ icl-run %s --function merge_t1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t1 %}
// RUN: icl-run %s --function merge_t2 --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t2
// RUN: %if cuda-device %{ icl-run %s --function merge_t2 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t2 %}
// RUN: icl-run %s --function merge_t2_protect --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t2_protect
// RUN: %if cuda-device %{ icl-run %s --function merge_t2_protect --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t2_protect %}
// RUN: icl-run %s --function merge_ties --random-inputs 1 --check | FileCheck %s --check-prefix=merge_ties
// RUN: %if cuda-device %{ icl-run %s --function merge_ties --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_ties %}
// RUN: icl-run %s --function merge_ties_protect --random-inputs 1 --check | FileCheck %s --check-prefix=merge_ties_protect
// RUN: %if cuda-device %{ icl-run %s --function merge_ties_protect --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_ties_protect %}
// RUN: icl-run %s --function merge_t197 --random-inputs 1 --check | FileCheck %s --check-prefix=merge_t197
// RUN: %if cuda-device %{ icl-run %s --function merge_t197 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=merge_t197 %}
// RUN: icl-run %s --function unmerge_t10 --random-inputs 1 --check | FileCheck %s --check-prefix=unmerge_t10
// RUN: %if cuda-device %{ icl-run %s --function unmerge_t10 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=unmerge_t10 %}
// RUN: icl-run %s --function unmerge_t7_protect_sizes --random-inputs 1 --check | FileCheck %s --check-prefix=unmerge_t7_protect_sizes
// RUN: %if cuda-device %{ icl-run %s --function unmerge_t7_protect_sizes --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=unmerge_t7_protect_sizes %}
// RUN: icl-run %s --function unmerge_r0 --random-inputs 1 --check | FileCheck %s --check-prefix=unmerge_r0
// RUN: %if cuda-device %{ icl-run %s --function unmerge_r0 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=unmerge_r0 %}
// RUN: icl-run %s --function unmerge_index_i64 --random-inputs 1 --check | FileCheck %s --check-prefix=unmerge_index_i64
// RUN: %if cuda-device %{ icl-run %s --function unmerge_index_i64 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=unmerge_index_i64 %}
// RUN: icl-run %s --function unmerge_index_i32 --random-inputs 1 --check | FileCheck %s --check-prefix=unmerge_index_i32
// RUN: %if cuda-device %{ icl-run %s --function unmerge_index_i32 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=unmerge_index_i32 %}
// RUN: icl-run %s --function prune_keep --random-inputs 1 --check | FileCheck %s --check-prefix=prune_keep
// RUN: %if cuda-device %{ icl-run %s --function prune_keep --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_keep %}
// RUN: icl-run %s --function prune_keep_ratio --random-inputs 1 --check | FileCheck %s --check-prefix=prune_keep_ratio
// RUN: %if cuda-device %{ icl-run %s --function prune_keep_ratio --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_keep_ratio %}
// RUN: icl-run %s --function prune_keep_ratio_small --random-inputs 1 --check | FileCheck %s --check-prefix=prune_keep_ratio_small
// RUN: %if cuda-device %{ icl-run %s --function prune_keep_ratio_small --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_keep_ratio_small %}
// RUN: icl-run %s --function prune_protect --random-inputs 1 --check | FileCheck %s --check-prefix=prune_protect
// RUN: %if cuda-device %{ icl-run %s --function prune_protect --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_protect %}
// RUN: icl-run %s --function prune_protect_keep1 --random-inputs 1 --check | FileCheck %s --check-prefix=prune_protect_keep1
// RUN: %if cuda-device %{ icl-run %s --function prune_protect_keep1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_protect_keep1 %}
// RUN: icl-run %s --function prune_fuse --random-inputs 1 --check | FileCheck %s --check-prefix=prune_fuse
// RUN: %if cuda-device %{ icl-run %s --function prune_fuse --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_fuse %}
// RUN: icl-run %s --function prune_fuse_keep_all --random-inputs 1 --check | FileCheck %s --check-prefix=prune_fuse_keep_all
// RUN: %if cuda-device %{ icl-run %s --function prune_fuse_keep_all --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_fuse_keep_all %}
// RUN: icl-run %s --function prune_protect_fuse_ratio --random-inputs 1 --check | FileCheck %s --check-prefix=prune_protect_fuse_ratio
// RUN: %if cuda-device %{ icl-run %s --function prune_protect_fuse_ratio --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_protect_fuse_ratio %}
// RUN: icl-run %s --function prune_ties --random-inputs 1 --check | FileCheck %s --check-prefix=prune_ties
// RUN: %if cuda-device %{ icl-run %s --function prune_ties --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_ties %}
// RUN: icl-run %s --function prune_ties_protect_fuse --random-inputs 1 --check | FileCheck %s --check-prefix=prune_ties_protect_fuse
// RUN: %if cuda-device %{ icl-run %s --function prune_ties_protect_fuse --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_ties_protect_fuse %}
// RUN: icl-run %s --function prune_t1 --random-inputs 1 --check | FileCheck %s --check-prefix=prune_t1
// RUN: %if cuda-device %{ icl-run %s --function prune_t1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=prune_t1 %}
// RUN: icl-run %s --function pool_mean --random-inputs 1 --check | FileCheck %s --check-prefix=pool_mean
// RUN: %if cuda-device %{ icl-run %s --function pool_mean --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_mean %}
// RUN: icl-run %s --function pool_max --random-inputs 1 --check | FileCheck %s --check-prefix=pool_max
// RUN: %if cuda-device %{ icl-run %s --function pool_max --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_max %}
// RUN: icl-run %s --function pool_mean_divisible --random-inputs 1 --check | FileCheck %s --check-prefix=pool_mean_divisible
// RUN: %if cuda-device %{ icl-run %s --function pool_mean_divisible --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_mean_divisible %}
// RUN: icl-run %s --function pool_max_divisible --random-inputs 1 --check | FileCheck %s --check-prefix=pool_max_divisible
// RUN: %if cuda-device %{ icl-run %s --function pool_max_divisible --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_max_divisible %}
// RUN: icl-run %s --function pool_mean_segment1 --random-inputs 1 --check | FileCheck %s --check-prefix=pool_mean_segment1
// RUN: %if cuda-device %{ icl-run %s --function pool_mean_segment1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_mean_segment1 %}
// RUN: icl-run %s --function pool_max_segment_beyond --random-inputs 1 --check | FileCheck %s --check-prefix=pool_max_segment_beyond
// RUN: %if cuda-device %{ icl-run %s --function pool_max_segment_beyond --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_max_segment_beyond %}
// RUN: icl-run %s --function pool_mean_segment_beyond --random-inputs 1 --check | FileCheck %s --check-prefix=pool_mean_segment_beyond
// RUN: %if cuda-device %{ icl-run %s --function pool_mean_segment_beyond --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_mean_segment_beyond %}
// RUN: icl-run %s --function unpool --random-inputs 1 --check | FileCheck %s --check-prefix=unpool
// RUN: %if cuda-device %{ icl-run %s --function unpool --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=unpool %}
// RUN: icl-run %s --function unpool_divisible --random-inputs 1 --check | FileCheck %s --check-prefix=unpool_divisible
// RUN: %if cuda-device %{ icl-run %s --function unpool_divisible --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=unpool_divisible %}
// RUN: icl-run %s --function unpool_segment1 --random-inputs 1 --check | FileCheck %s --check-prefix=unpool_segment1
// RUN: %if cuda-device %{ icl-run %s --function unpool_segment1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=unpool_segment1 %}
// RUN: icl-run %s --function pool_unpool_mean --random-inputs 1 --check | FileCheck %s --check-prefix=pool_unpool_mean
// RUN: %if cuda-device %{ icl-run %s --function pool_unpool_mean --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_unpool_mean %}
// RUN: icl-run %s --function pool_unpool_max --random-inputs 1 --check | FileCheck %s --check-prefix=pool_unpool_max
// RUN: %if cuda-device %{ icl-run %s --function pool_unpool_max --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=pool_unpool_max %}

func.func @merge_t10(%x: tensor<2x10x16xf32>, %k: tensor<2x10x8xf32>) -> (tensor<2x7x16xf32>, tensor<2x7xf32>, tensor<2x10xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 3 : i64} : (tensor<2x10x16xf32>, tensor<2x10x8xf32>) -> (tensor<2x7x16xf32>, tensor<2x7xf32>, tensor<2x10xi64>)
  return %m, %ms, %idx : tensor<2x7x16xf32>, tensor<2x7xf32>, tensor<2x10xi64>
}
// merge_t10: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t10: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t10: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t7_sizes(%x: tensor<2x7x12xf32>, %k: tensor<2x7x5xf32>, %s: tensor<2x7xf32>) -> (tensor<2x5x12xf32>, tensor<2x5xf32>, tensor<2x7xi64>) {
  %sz = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x7xf32>
  %m, %ms, %idx = icl.token_merge %x, %k sizes(%sz) {r = 2 : i64} : (tensor<2x7x12xf32>, tensor<2x7x5xf32>, tensor<2x7xf32>) -> (tensor<2x5x12xf32>, tensor<2x5xf32>, tensor<2x7xi64>)
  return %m, %ms, %idx : tensor<2x5x12xf32>, tensor<2x5xf32>, tensor<2x7xi64>
}
// merge_t7_sizes: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t7_sizes: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t7_sizes: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t7_protect(%x: tensor<2x7x12xf32>, %k: tensor<2x7x5xf32>) -> (tensor<2x4x12xf32>, tensor<2x4xf32>, tensor<2x7xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 3 : i64, protect_first} : (tensor<2x7x12xf32>, tensor<2x7x5xf32>) -> (tensor<2x4x12xf32>, tensor<2x4xf32>, tensor<2x7xi64>)
  return %m, %ms, %idx : tensor<2x4x12xf32>, tensor<2x4xf32>, tensor<2x7xi64>
}
// merge_t7_protect: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t7_protect: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t7_protect: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t10_protect_sizes(%x: tensor<3x10x9xf32>, %k: tensor<3x10x6xf32>, %s: tensor<3x10xf32>) -> (tensor<3x6x9xf32>, tensor<3x6xf32>, tensor<3x10xi64>) {
  %sz = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<3x10xf32>
  %m, %ms, %idx = icl.token_merge %x, %k sizes(%sz) {r = 4 : i64, protect_first} : (tensor<3x10x9xf32>, tensor<3x10x6xf32>, tensor<3x10xf32>) -> (tensor<3x6x9xf32>, tensor<3x6xf32>, tensor<3x10xi64>)
  return %m, %ms, %idx : tensor<3x6x9xf32>, tensor<3x6xf32>, tensor<3x10xi64>
}
// merge_t10_protect_sizes: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t10_protect_sizes: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t10_protect_sizes: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t10_r_too_large(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xf32>) -> (tensor<2x5x8xf32>, tensor<2x5xf32>, tensor<2x10xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 100 : i64} : (tensor<2x10x8xf32>, tensor<2x10x4xf32>) -> (tensor<2x5x8xf32>, tensor<2x5xf32>, tensor<2x10xi64>)
  return %m, %ms, %idx : tensor<2x5x8xf32>, tensor<2x5xf32>, tensor<2x10xi64>
}
// merge_t10_r_too_large: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t10_r_too_large: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t10_r_too_large: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t7_r_too_large(%x: tensor<2x7x8xf32>, %k: tensor<2x7x4xf32>, %s: tensor<2x7xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x7xi64>) {
  %sz = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x7xf32>
  %m, %ms, %idx = icl.token_merge %x, %k sizes(%sz) {r = 100 : i64} : (tensor<2x7x8xf32>, tensor<2x7x4xf32>, tensor<2x7xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x7xi64>)
  return %m, %ms, %idx : tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x7xi64>
}
// merge_t7_r_too_large: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t7_r_too_large: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t7_r_too_large: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t10_protect_r_too_large(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xf32>) -> (tensor<2x6x8xf32>, tensor<2x6xf32>, tensor<2x10xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 100 : i64, protect_first} : (tensor<2x10x8xf32>, tensor<2x10x4xf32>) -> (tensor<2x6x8xf32>, tensor<2x6xf32>, tensor<2x10xi64>)
  return %m, %ms, %idx : tensor<2x6x8xf32>, tensor<2x6xf32>, tensor<2x10xi64>
}
// merge_t10_protect_r_too_large: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t10_protect_r_too_large: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t10_protect_r_too_large: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_r0(%x: tensor<2x10x8xf32>, %k: tensor<2x10x4xf32>) -> (tensor<2x10x8xf32>, tensor<2x10xf32>, tensor<2x10xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 0 : i64} : (tensor<2x10x8xf32>, tensor<2x10x4xf32>) -> (tensor<2x10x8xf32>, tensor<2x10xf32>, tensor<2x10xi64>)
  return %m, %ms, %idx : tensor<2x10x8xf32>, tensor<2x10xf32>, tensor<2x10xi64>
}
// merge_r0: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_r0: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_r0: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_r0_sizes(%x: tensor<2x7x8xf32>, %k: tensor<2x7x4xf32>, %s: tensor<2x7xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x7xi64>) {
  %sz = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x7xf32>
  %m, %ms, %idx = icl.token_merge %x, %k sizes(%sz) {r = 0 : i64} : (tensor<2x7x8xf32>, tensor<2x7x4xf32>, tensor<2x7xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x7xi64>)
  return %m, %ms, %idx : tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x7xi64>
}
// merge_r0_sizes: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_r0_sizes: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_r0_sizes: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t1(%x: tensor<2x1x8xf32>, %k: tensor<2x1x4xf32>) -> (tensor<2x1x8xf32>, tensor<2x1xf32>, tensor<2x1xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 1 : i64} : (tensor<2x1x8xf32>, tensor<2x1x4xf32>) -> (tensor<2x1x8xf32>, tensor<2x1xf32>, tensor<2x1xi64>)
  return %m, %ms, %idx : tensor<2x1x8xf32>, tensor<2x1xf32>, tensor<2x1xi64>
}
// merge_t1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t1: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t1: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t2(%x: tensor<2x2x8xf32>, %k: tensor<2x2x4xf32>) -> (tensor<2x1x8xf32>, tensor<2x1xf32>, tensor<2x2xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 1 : i64} : (tensor<2x2x8xf32>, tensor<2x2x4xf32>) -> (tensor<2x1x8xf32>, tensor<2x1xf32>, tensor<2x2xi64>)
  return %m, %ms, %idx : tensor<2x1x8xf32>, tensor<2x1xf32>, tensor<2x2xi64>
}
// merge_t2: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t2: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t2: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t2_protect(%x: tensor<2x2x8xf32>, %k: tensor<2x2x4xf32>, %s: tensor<2x2xf32>) -> (tensor<2x2x8xf32>, tensor<2x2xf32>, tensor<2x2xi64>) {
  %sz = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x2xf32>
  %m, %ms, %idx = icl.token_merge %x, %k sizes(%sz) {r = 1 : i64, protect_first} : (tensor<2x2x8xf32>, tensor<2x2x4xf32>, tensor<2x2xf32>) -> (tensor<2x2x8xf32>, tensor<2x2xf32>, tensor<2x2xi64>)
  return %m, %ms, %idx : tensor<2x2x8xf32>, tensor<2x2xf32>, tensor<2x2xi64>
}
// merge_t2_protect: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t2_protect: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t2_protect: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_ties(%x: tensor<2x10x8xf32>, %k: tensor<2x10x1xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x10xi64>) {
  %km = icl.activation %k {kind = #icl.activation<relu>} : tensor<2x10x1xf32>
  %m, %ms, %idx = icl.token_merge %x, %km {r = 3 : i64} : (tensor<2x10x8xf32>, tensor<2x10x1xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x10xi64>)
  return %m, %ms, %idx : tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x10xi64>
}
// merge_ties: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_ties: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_ties: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_ties_protect(%x: tensor<2x11x8xf32>, %k: tensor<2x11x1xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x11xi64>) {
  %km = icl.activation %k {kind = #icl.activation<relu>} : tensor<2x11x1xf32>
  %m, %ms, %idx = icl.token_merge %x, %km {r = 4 : i64, protect_first} : (tensor<2x11x8xf32>, tensor<2x11x1xf32>) -> (tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x11xi64>)
  return %m, %ms, %idx : tensor<2x7x8xf32>, tensor<2x7xf32>, tensor<2x11xi64>
}
// merge_ties_protect: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_ties_protect: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_ties_protect: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @merge_t197(%x: tensor<2x197x32xf32>, %k: tensor<2x197x16xf32>, %s: tensor<2x197xf32>) -> (tensor<2x189x32xf32>, tensor<2x189xf32>, tensor<2x197xi64>) {
  %sz = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x197xf32>
  %m, %ms, %idx = icl.token_merge %x, %k sizes(%sz) {r = 8 : i64, protect_first} : (tensor<2x197x32xf32>, tensor<2x197x16xf32>, tensor<2x197xf32>) -> (tensor<2x189x32xf32>, tensor<2x189xf32>, tensor<2x197xi64>)
  return %m, %ms, %idx : tensor<2x189x32xf32>, tensor<2x189xf32>, tensor<2x197xi64>
}
// merge_t197: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t197: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// merge_t197: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @unmerge_t10(%x: tensor<2x10x16xf32>, %k: tensor<2x10x8xf32>) -> (tensor<2x10x16xf32>, tensor<2x7xf32>, tensor<2x10xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 3 : i64} : (tensor<2x10x16xf32>, tensor<2x10x8xf32>) -> (tensor<2x7x16xf32>, tensor<2x7xf32>, tensor<2x10xi64>)
  %u = icl.token_unmerge %m, %idx : (tensor<2x7x16xf32>, tensor<2x10xi64>) -> tensor<2x10x16xf32>
  return %u, %ms, %idx : tensor<2x10x16xf32>, tensor<2x7xf32>, tensor<2x10xi64>
}
// unmerge_t10: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// unmerge_t10: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// unmerge_t10: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @unmerge_t7_protect_sizes(%x: tensor<2x7x12xf32>, %k: tensor<2x7x5xf32>, %s: tensor<2x7xf32>) -> (tensor<2x7x12xf32>, tensor<2x5xf32>, tensor<2x7xi64>) {
  %sz = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x7xf32>
  %m, %ms, %idx = icl.token_merge %x, %k sizes(%sz) {r = 2 : i64, protect_first} : (tensor<2x7x12xf32>, tensor<2x7x5xf32>, tensor<2x7xf32>) -> (tensor<2x5x12xf32>, tensor<2x5xf32>, tensor<2x7xi64>)
  %u = icl.token_unmerge %m, %idx : (tensor<2x5x12xf32>, tensor<2x7xi64>) -> tensor<2x7x12xf32>
  return %u, %ms, %idx : tensor<2x7x12xf32>, tensor<2x5xf32>, tensor<2x7xi64>
}
// unmerge_t7_protect_sizes: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// unmerge_t7_protect_sizes: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// unmerge_t7_protect_sizes: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @unmerge_r0(%x: tensor<2x7x12xf32>, %k: tensor<2x7x5xf32>) -> (tensor<2x7x12xf32>, tensor<2x7xf32>, tensor<2x7xi64>) {
  %m, %ms, %idx = icl.token_merge %x, %k {r = 0 : i64} : (tensor<2x7x12xf32>, tensor<2x7x5xf32>) -> (tensor<2x7x12xf32>, tensor<2x7xf32>, tensor<2x7xi64>)
  %u = icl.token_unmerge %m, %idx : (tensor<2x7x12xf32>, tensor<2x7xi64>) -> tensor<2x7x12xf32>
  return %u, %ms, %idx : tensor<2x7x12xf32>, tensor<2x7xf32>, tensor<2x7xi64>
}
// unmerge_r0: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// unmerge_r0: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// unmerge_r0: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @unmerge_index_i64(%x: tensor<2x5x8xf32>, %idx: tensor<2x13xi64>) -> tensor<2x13x8xf32> {
  %0 = icl.token_unmerge %x, %idx : (tensor<2x5x8xf32>, tensor<2x13xi64>) -> tensor<2x13x8xf32>
  return %0 : tensor<2x13x8xf32>
}
// unmerge_index_i64: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @unmerge_index_i32(%x: tensor<3x4x6xf32>, %idx: tensor<3x9xi32>) -> tensor<3x9x6xf32> {
  %0 = icl.token_unmerge %x, %idx : (tensor<3x4x6xf32>, tensor<3x9xi32>) -> tensor<3x9x6xf32>
  return %0 : tensor<3x9x6xf32>
}
// unmerge_index_i32: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_keep(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) -> tensor<2x5x8xf32> {
  %0 = icl.token_prune %x, %s {keep = 5 : i64} : (tensor<2x12x8xf32>, tensor<2x12xf32>) -> tensor<2x5x8xf32>
  return %0 : tensor<2x5x8xf32>
}
// prune_keep: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_keep_ratio(%x: tensor<2x10x8xf32>, %s: tensor<2x10xf32>) -> tensor<2x3x8xf32> {
  %0 = icl.token_prune %x, %s {keep_ratio = 0.25} : (tensor<2x10x8xf32>, tensor<2x10xf32>) -> tensor<2x3x8xf32>
  return %0 : tensor<2x3x8xf32>
}
// prune_keep_ratio: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_keep_ratio_small(%x: tensor<2x7x8xf32>, %s: tensor<2x7xf32>) -> tensor<2x1x8xf32> {
  %0 = icl.token_prune %x, %s {keep_ratio = 0.01} : (tensor<2x7x8xf32>, tensor<2x7xf32>) -> tensor<2x1x8xf32>
  return %0 : tensor<2x1x8xf32>
}
// prune_keep_ratio_small: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_protect(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) -> tensor<2x4x8xf32> {
  %0 = icl.token_prune %x, %s {keep = 4 : i64, protect_first} : (tensor<2x12x8xf32>, tensor<2x12xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}
// prune_protect: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_protect_keep1(%x: tensor<2x6x8xf32>, %s: tensor<2x6xf32>) -> tensor<2x1x8xf32> {
  %0 = icl.token_prune %x, %s {keep = 1 : i64, protect_first} : (tensor<2x6x8xf32>, tensor<2x6xf32>) -> tensor<2x1x8xf32>
  return %0 : tensor<2x1x8xf32>
}
// prune_protect_keep1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_fuse(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) -> tensor<2x6x8xf32> {
  %0 = icl.token_prune %x, %s {keep = 5 : i64, fuse} : (tensor<2x12x8xf32>, tensor<2x12xf32>) -> tensor<2x6x8xf32>
  return %0 : tensor<2x6x8xf32>
}
// prune_fuse: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_fuse_keep_all(%x: tensor<2x9x8xf32>, %s: tensor<2x9xf32>) -> tensor<2x10x8xf32> {
  %0 = icl.token_prune %x, %s {keep = 9 : i64, fuse} : (tensor<2x9x8xf32>, tensor<2x9xf32>) -> tensor<2x10x8xf32>
  return %0 : tensor<2x10x8xf32>
}
// prune_fuse_keep_all: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_protect_fuse_ratio(%x: tensor<3x10x7xf32>, %s: tensor<3x10xf32>) -> tensor<3x6x7xf32> {
  %0 = icl.token_prune %x, %s {keep_ratio = 0.5, protect_first, fuse} : (tensor<3x10x7xf32>, tensor<3x10xf32>) -> tensor<3x6x7xf32>
  return %0 : tensor<3x6x7xf32>
}
// prune_protect_fuse_ratio: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_ties(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) -> tensor<2x9x8xf32> {
  %sa = icl.activation %s {kind = #icl.activation<relu>} : tensor<2x12xf32>
  %0 = icl.token_prune %x, %sa {keep = 9 : i64} : (tensor<2x12x8xf32>, tensor<2x12xf32>) -> tensor<2x9x8xf32>
  return %0 : tensor<2x9x8xf32>
}
// prune_ties: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_ties_protect_fuse(%x: tensor<2x12x8xf32>, %s: tensor<2x12xf32>) -> tensor<2x10x8xf32> {
  %sa = icl.activation %s {kind = #icl.activation<relu>} : tensor<2x12xf32>
  %0 = icl.token_prune %x, %sa {keep = 9 : i64, protect_first, fuse} : (tensor<2x12x8xf32>, tensor<2x12xf32>) -> tensor<2x10x8xf32>
  return %0 : tensor<2x10x8xf32>
}
// prune_ties_protect_fuse: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @prune_t1(%x: tensor<2x1x8xf32>, %s: tensor<2x1xf32>) -> tensor<2x2x8xf32> {
  %0 = icl.token_prune %x, %s {keep = 1 : i64, protect_first, fuse} : (tensor<2x1x8xf32>, tensor<2x1xf32>) -> tensor<2x2x8xf32>
  return %0 : tensor<2x2x8xf32>
}
// prune_t1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_mean(%x: tensor<2x10x8xf32>) -> tensor<2x3x8xf32> {
  %0 = icl.token_pool %x {segment = 4 : i64, kind = #icl.pool<mean>} : (tensor<2x10x8xf32>) -> tensor<2x3x8xf32>
  return %0 : tensor<2x3x8xf32>
}
// pool_mean: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_max(%x: tensor<2x10x8xf32>) -> tensor<2x3x8xf32> {
  %0 = icl.token_pool %x {segment = 4 : i64, kind = #icl.pool<max>} : (tensor<2x10x8xf32>) -> tensor<2x3x8xf32>
  return %0 : tensor<2x3x8xf32>
}
// pool_max: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_mean_divisible(%x: tensor<2x12x8xf32>) -> tensor<2x3x8xf32> {
  %0 = icl.token_pool %x {segment = 4 : i64, kind = #icl.pool<mean>} : (tensor<2x12x8xf32>) -> tensor<2x3x8xf32>
  return %0 : tensor<2x3x8xf32>
}
// pool_mean_divisible: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_max_divisible(%x: tensor<2x12x8xf32>) -> tensor<2x4x8xf32> {
  %0 = icl.token_pool %x {segment = 3 : i64, kind = #icl.pool<max>} : (tensor<2x12x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}
// pool_max_divisible: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_mean_segment1(%x: tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
  %0 = icl.token_pool %x {segment = 1 : i64, kind = #icl.pool<mean>} : (tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %0 : tensor<2x5x8xf32>
}
// pool_mean_segment1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_max_segment_beyond(%x: tensor<2x10x8xf32>) -> tensor<2x1x8xf32> {
  %0 = icl.token_pool %x {segment = 16 : i64, kind = #icl.pool<max>} : (tensor<2x10x8xf32>) -> tensor<2x1x8xf32>
  return %0 : tensor<2x1x8xf32>
}
// pool_max_segment_beyond: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_mean_segment_beyond(%x: tensor<2x10x8xf32>) -> tensor<2x1x8xf32> {
  %0 = icl.token_pool %x {segment = 16 : i64, kind = #icl.pool<mean>} : (tensor<2x10x8xf32>) -> tensor<2x1x8xf32>
  return %0 : tensor<2x1x8xf32>
}
// pool_mean_segment_beyond: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @unpool(%x: tensor<2x3x8xf32>) -> tensor<2x10x8xf32> {
  %0 = icl.token_unpool %x {segment = 4 : i64, length = 10 : i64} : (tensor<2x3x8xf32>) -> tensor<2x10x8xf32>
  return %0 : tensor<2x10x8xf32>
}
// unpool: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @unpool_divisible(%x: tensor<2x4x8xf32>) -> tensor<2x12x8xf32> {
  %0 = icl.token_unpool %x {segment = 3 : i64, length = 12 : i64} : (tensor<2x4x8xf32>) -> tensor<2x12x8xf32>
  return %0 : tensor<2x12x8xf32>
}
// unpool_divisible: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @unpool_segment1(%x: tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
  %0 = icl.token_unpool %x {segment = 1 : i64, length = 5 : i64} : (tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %0 : tensor<2x5x8xf32>
}
// unpool_segment1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_unpool_mean(%x: tensor<2x10x8xf32>) -> tensor<2x10x8xf32> {
  %0 = icl.token_pool %x {segment = 3 : i64, kind = #icl.pool<mean>} : (tensor<2x10x8xf32>) -> tensor<2x4x8xf32>
  %1 = icl.token_unpool %0 {segment = 3 : i64, length = 10 : i64} : (tensor<2x4x8xf32>) -> tensor<2x10x8xf32>
  return %1 : tensor<2x10x8xf32>
}
// pool_unpool_mean: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @pool_unpool_max(%x: tensor<2x10x8xf32>) -> tensor<2x10x8xf32> {
  %0 = icl.token_pool %x {segment = 4 : i64, kind = #icl.pool<max>} : (tensor<2x10x8xf32>) -> tensor<2x3x8xf32>
  %1 = icl.token_unpool %0 {segment = 4 : i64, length = 10 : i64} : (tensor<2x3x8xf32>) -> tensor<2x10x8xf32>
  return %1 : tensor<2x10x8xf32>
}
// pool_unpool_max: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
