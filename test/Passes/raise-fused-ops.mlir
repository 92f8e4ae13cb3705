// RUN: icl-opt %s --split-input-file --icl-raise-fused-ops | FileCheck %s
// RUN: icl-opt %s --split-input-file --icl-raise-fused-ops="attention=false gelu=false norms=false linear-bias=false" | FileCheck %s --check-prefix=OFF

// Attention as ONNX exports spell it: q·kᵀ through a transpose of k, a
// division by √D, a constant causal mask, softmax over keys, times v.
// CHECK-LABEL: func.func @causal_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x8xf32>, %[[K:.*]]: tensor<1x2x4x8xf32>, %[[V:.*]]: tensor<1x2x4x8xf32>)
// CHECK: %[[O:.*]] = icl.attention %[[Q]], %[[K]], %[[V]] {mask_kind = #icl.mask<causal>, scale = 0.353553{{[0-9]+}} : f64}
// CHECK-NOT: icl.softmax
// CHECK: return %[[O]]
// OFF-LABEL: func.func @causal_attention
// OFF: icl.softmax
func.func @causal_attention(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %e1 = tensor.empty() : tensor<2x4x4xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %c = arith.constant dense<2.82842712> : tensor<1x2x4x4xf32>
  %l = arith.divf %s, %c : tensor<1x2x4x4xf32>
  %mask2 = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %e2 = tensor.empty() : tensor<1x2x4x4xf32>
  %mask = linalg.broadcast ins(%mask2 : tensor<4x4xf32>) outs(%e2 : tensor<1x2x4x4xf32>) dimensions = [0, 1]
  %m = arith.addf %l, %mask : tensor<1x2x4x4xf32>
  %p = icl.softmax %m {axis = -1 : i64} : tensor<1x2x4x4xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e3 = tensor.empty() : tensor<2x4x8xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o3 = linalg.batch_matmul ins(%p3, %v3 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A mask that is not causal stays an additive mask operand; kᵀ given
// directly is transposed back; no scale means scale 1.
// CHECK-LABEL: func.func @masked_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x8xf32>, %[[KT:.*]]: tensor<1x2x8x4xf32>, %[[V:.*]]: tensor<1x2x4x8xf32>, %[[M:.*]]: tensor<1x2x4x4xf32>)
// CHECK: %[[K:.*]] = linalg.transpose ins(%[[KT]] {{.*}} permutation = [0, 1, 3, 2]
// CHECK: icl.attention %[[Q]], %[[K]], %[[V]] mask(%[[M]]) {scale = 1.000000e+00 : f64}
func.func @masked_attention(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>, %v: tensor<1x2x4x8xf32>, %mask: tensor<1x2x4x4xf32>) -> tensor<1x2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %e1 = tensor.empty() : tensor<2x4x4xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %m = arith.addf %mask, %s : tensor<1x2x4x4xf32>
  %p = icl.softmax %m {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e3 = tensor.empty() : tensor<2x4x8xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o3 = linalg.batch_matmul ins(%p3, %v3 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// Near miss: the softmax runs over the query axis, which attention does not
// compute. Nothing changes.
// CHECK-LABEL: func.func @softmax_over_queries
// CHECK-NOT: icl.attention
// CHECK: icl.softmax {{.*}} {axis = 2 : i64}
// CHECK: linalg.batch_matmul
func.func @softmax_over_queries(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %e1 = tensor.empty() : tensor<2x4x4xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %p = icl.softmax %s {axis = 2 : i64} : tensor<1x2x4x4xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e3 = tensor.empty() : tensor<2x4x8xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o3 = linalg.batch_matmul ins(%p3, %v3 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// Near miss: the probabilities are returned too, so they must stay.
// CHECK-LABEL: func.func @probabilities_used_twice
// CHECK-NOT: icl.attention
func.func @probabilities_used_twice(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>, %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %e1 = tensor.empty() : tensor<2x4x4xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %p = icl.softmax %s {axis = -1 : i64} : tensor<1x2x4x4xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e3 = tensor.empty() : tensor<2x4x8xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o3 = linalg.batch_matmul ins(%p3, %v3 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %o, %p : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// Grouped-query attention: keys and values of 1 head broadcast to 2.
// CHECK-LABEL: func.func @grouped_query_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x8xf32>, %[[K:.*]]: tensor<1x1x4x8xf32>, %[[V:.*]]: tensor<1x1x4x8xf32>)
// CHECK: icl.attention %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f64} : (tensor<1x2x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x2x4x8xf32>
func.func @grouped_query_attention(%q: tensor<1x2x4x8xf32>, %k1: tensor<1x1x4x8xf32>, %v1: tensor<1x1x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %eb = tensor.empty() : tensor<1x1x2x4x8xf32>
  %kb = linalg.broadcast ins(%k1 : tensor<1x1x4x8xf32>) outs(%eb : tensor<1x1x2x4x8xf32>) dimensions = [2]
  %k = tensor.collapse_shape %kb [[0], [1, 2], [3], [4]] : tensor<1x1x2x4x8xf32> into tensor<1x2x4x8xf32>
  %vb = linalg.broadcast ins(%v1 : tensor<1x1x4x8xf32>) outs(%eb : tensor<1x1x2x4x8xf32>) dimensions = [2]
  %v = tensor.collapse_shape %vb [[0], [1, 2], [3], [4]] : tensor<1x1x2x4x8xf32> into tensor<1x2x4x8xf32>
  %e = tensor.empty() : tensor<1x2x8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %e1 = tensor.empty() : tensor<2x4x4xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %c = arith.constant dense<0.125> : tensor<1x2x4x4xf32>
  %l = arith.mulf %c, %s : tensor<1x2x4x4xf32>
  %p = icl.softmax %l {axis = -1 : i64} : tensor<1x2x4x4xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e3 = tensor.empty() : tensor<2x4x8xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o3 = linalg.batch_matmul ins(%p3, %v3 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f3 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// GELU, erf form as PyTorch exports it: (x · (erf(x / √2) + 1)) · 0.5.
// CHECK-LABEL: func.func @gelu_erf
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[G:.*]] = icl.activation %[[X]] {kind = #icl.activation<gelu>}
// CHECK-NOT: math.erf
// CHECK: return %[[G]]
func.func @gelu_erf(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %sqrt2 = arith.constant dense<1.41421354> : tensor<4x8xf32>
  %one = arith.constant dense<1.0> : tensor<4x8xf32>
  %half = arith.constant dense<0.5> : tensor<4x8xf32>
  %d = arith.divf %x, %sqrt2 : tensor<4x8xf32>
  %e = math.erf %d : tensor<4x8xf32>
  %a = arith.addf %e, %one : tensor<4x8xf32>
  %m = arith.mulf %x, %a : tensor<4x8xf32>
  %y = arith.mulf %m, %half : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// GELU, tanh form: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
// CHECK-LABEL: func.func @gelu_tanh
// CHECK: icl.activation %{{.*}} {kind = #icl.activation<gelu_tanh>}
// CHECK-NOT: math.tanh
func.func @gelu_tanh(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %three = arith.constant dense<3.0> : tensor<4x8xf32>
  %k = arith.constant dense<0.044715> : tensor<4x8xf32>
  %c = arith.constant dense<0.797884583> : tensor<4x8xf32>
  %one = arith.constant dense<1.0> : tensor<4x8xf32>
  %half = arith.constant dense<0.5> : tensor<4x8xf32>
  %x3 = math.powf %x, %three : tensor<4x8xf32>
  %kx3 = arith.mulf %k, %x3 : tensor<4x8xf32>
  %in = arith.addf %x, %kx3 : tensor<4x8xf32>
  %arg = arith.mulf %c, %in : tensor<4x8xf32>
  %t = math.tanh %arg : tensor<4x8xf32>
  %a = arith.addf %one, %t : tensor<4x8xf32>
  %hx = arith.mulf %half, %x : tensor<4x8xf32>
  %y = arith.mulf %hx, %a : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Near miss: erf(x / 2) is not GELU.
// CHECK-LABEL: func.func @not_gelu
// CHECK-NOT: icl.activation
// CHECK: math.erf
func.func @not_gelu(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %two = arith.constant dense<2.0> : tensor<4x8xf32>
  %one = arith.constant dense<1.0> : tensor<4x8xf32>
  %half = arith.constant dense<0.5> : tensor<4x8xf32>
  %d = arith.divf %x, %two : tensor<4x8xf32>
  %e = math.erf %d : tensor<4x8xf32>
  %a = arith.addf %e, %one : tensor<4x8xf32>
  %m = arith.mulf %x, %a : tensor<4x8xf32>
  %y = arith.mulf %m, %half : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Layer norm decomposed as ONNX ops with keepdims, then γ and β.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[Y:.*]] = icl.layer_norm %[[X]] gamma(%[[G]]) beta(%[[B]]) {eps = 9.9999997473787516E-6 : f64}
// CHECK-NOT: linalg.reduce
// CHECK: return %[[Y]]
func.func @layer_norm(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant dense<8.0> : tensor<2xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<2x1xf32>
  %e2 = tensor.empty() : tensor<2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  %sum = linalg.reduce ins(%x : tensor<2x8xf32>) outs(%z : tensor<2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  %mean = arith.divf %sum, %n : tensor<2xf32>
  %ek = tensor.empty() : tensor<2x8xf32>
  %meanb = linalg.broadcast ins(%mean : tensor<2xf32>) outs(%ek : tensor<2x8xf32>) dimensions = [1]
  %d = arith.subf %x, %meanb : tensor<2x8xf32>
  %sq = arith.mulf %d, %d : tensor<2x8xf32>
  %sum2 = linalg.reduce ins(%sq : tensor<2x8xf32>) outs(%z : tensor<2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  %var = arith.divf %sum2, %n : tensor<2xf32>
  %var1 = tensor.expand_shape %var [[0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
  %ve = arith.addf %var1, %eps : tensor<2x1xf32>
  %std = math.sqrt %ve : tensor<2x1xf32>
  %std0 = tensor.collapse_shape %std [[0, 1]] : tensor<2x1xf32> into tensor<2xf32>
  %stdb = linalg.broadcast ins(%std0 : tensor<2xf32>) outs(%ek : tensor<2x8xf32>) dimensions = [1]
  %y = arith.divf %d, %stdb : tensor<2x8xf32>
  %gb = linalg.broadcast ins(%g : tensor<8xf32>) outs(%ek : tensor<2x8xf32>) dimensions = [0]
  %yg = arith.mulf %y, %gb : tensor<2x8xf32>
  %bb = linalg.broadcast ins(%b : tensor<8xf32>) outs(%ek : tensor<2x8xf32>) dimensions = [0]
  %out = arith.addf %yg, %bb : tensor<2x8xf32>
  return %out : tensor<2x8xf32>
}

// -----

// RMS norm: γ · (x · 1/sqrt(mean(x²) + eps)).
// CHECK-LABEL: func.func @rms_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>, %[[G:.*]]: tensor<8xf32>)
// CHECK: %[[Y:.*]] = icl.rms_norm %[[X]] gamma(%[[G]]) {eps = 9.9999999747524271E-7 : f64}
// CHECK: return %[[Y]]
func.func @rms_norm(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant dense<8.0> : tensor<2xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<2xf32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %e2 = tensor.empty() : tensor<2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  %sq = arith.mulf %x, %x : tensor<2x8xf32>
  %sum = linalg.reduce ins(%sq : tensor<2x8xf32>) outs(%z : tensor<2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  %ms = arith.divf %sum, %n : tensor<2xf32>
  %ve = arith.addf %ms, %eps : tensor<2xf32>
  %std = math.sqrt %ve : tensor<2xf32>
  %r = arith.divf %one, %std : tensor<2xf32>
  %ek = tensor.empty() : tensor<2x8xf32>
  %rb = linalg.broadcast ins(%r : tensor<2xf32>) outs(%ek : tensor<2x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<2x8xf32>
  %gb = linalg.broadcast ins(%g : tensor<8xf32>) outs(%ek : tensor<2x8xf32>) dimensions = [0]
  %out = arith.mulf %gb, %y : tensor<2x8xf32>
  return %out : tensor<2x8xf32>
}

// -----

// Near miss: the mean is over the first dimension, not the channels.
// CHECK-LABEL: func.func @rms_over_rows
// CHECK-NOT: icl.rms_norm
// CHECK: linalg.reduce
func.func @rms_over_rows(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant dense<2.0> : tensor<8xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<8xf32>
  %e2 = tensor.empty() : tensor<8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8xf32>) -> tensor<8xf32>
  %sq = arith.mulf %x, %x : tensor<2x8xf32>
  %sum = linalg.reduce ins(%sq : tensor<2x8xf32>) outs(%z : tensor<8xf32>) dimensions = [0]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  %ms = arith.divf %sum, %n : tensor<8xf32>
  %ve = arith.addf %ms, %eps : tensor<8xf32>
  %r = math.rsqrt %ve : tensor<8xf32>
  %ek = tensor.empty() : tensor<2x8xf32>
  %rb = linalg.broadcast ins(%r : tensor<8xf32>) outs(%ek : tensor<2x8xf32>) dimensions = [0]
  %y = arith.mulf %x, %rb : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// A bias added to a linear (ONNX MatMul + Add) becomes its bias.
// CHECK-LABEL: func.func @linear_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>, %[[W:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[Y:.*]] = icl.linear %[[X]], %[[W]] bias(%[[B]])
// CHECK: return %[[Y]]
func.func @linear_bias(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %y = icl.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %bb = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e : tensor<2x4xf32>) dimensions = [0]
  %out = arith.addf %bb, %y : tensor<2x4xf32>
  return %out : tensor<2x4xf32>
}

// -----

// The Mamba gate after the scan moves into the scan.
// CHECK-LABEL: func.func @scan_gate
// CHECK-SAME:    (%[[U:.*]]: tensor<1x4x6xf32>, %[[DT:.*]]: tensor<1x4x6xf32>, %[[A:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<1x1x2x6xf32>, %[[C:.*]]: tensor<1x1x2x6xf32>, %[[Z:.*]]: tensor<1x4x6xf32>)
// CHECK:         %[[Y:.*]] = icl.selective_scan %[[U]], %[[DT]], %[[A]], %[[B]], %[[C]] z(%[[Z]])
// CHECK-NOT:     arith.mulf
// CHECK:         return %[[Y]]
func.func @scan_gate(%u: tensor<1x4x6xf32>, %dt: tensor<1x4x6xf32>, %a: tensor<4x2xf32>, %b: tensor<1x1x2x6xf32>, %c: tensor<1x1x2x6xf32>, %z: tensor<1x4x6xf32>) -> tensor<1x4x6xf32> {
  %y = icl.selective_scan %u, %dt, %a, %b, %c : (tensor<1x4x6xf32>, tensor<1x4x6xf32>, tensor<4x2xf32>, tensor<1x1x2x6xf32>, tensor<1x1x2x6xf32>) -> tensor<1x4x6xf32>
  %g = icl.activation %z {kind = #icl.activation<silu>} : tensor<1x4x6xf32>
  %o = arith.mulf %y, %g : tensor<1x4x6xf32>
  return %o : tensor<1x4x6xf32>
}

// -----

// A gate other than SiLU stays outside.
// CHECK-LABEL: func.func @scan_relu_gate
// CHECK:         icl.selective_scan
// CHECK-NOT:     z(
// CHECK:         arith.mulf
func.func @scan_relu_gate(%u: tensor<1x4x6xf32>, %dt: tensor<1x4x6xf32>, %a: tensor<4x2xf32>, %b: tensor<1x1x2x6xf32>, %c: tensor<1x1x2x6xf32>, %z: tensor<1x4x6xf32>) -> tensor<1x4x6xf32> {
  %y = icl.selective_scan %u, %dt, %a, %b, %c : (tensor<1x4x6xf32>, tensor<1x4x6xf32>, tensor<4x2xf32>, tensor<1x1x2x6xf32>, tensor<1x1x2x6xf32>) -> tensor<1x4x6xf32>
  %g = icl.activation %z {kind = #icl.activation<relu>} : tensor<1x4x6xf32>
  %o = arith.mulf %y, %g : tensor<1x4x6xf32>
  return %o : tensor<1x4x6xf32>
}
