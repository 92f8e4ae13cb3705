// Step counts K for looped models, written as .npy files by
// `icl-run --reference --output`: 3, -1 (refused: K >= 0) and 9 (beyond
// --max-steps 8).
func.func @step_counts() -> (tensor<i64>, tensor<i64>, tensor<i64>) {
  %three = arith.constant dense<3> : tensor<i64>
  %negative = arith.constant dense<-1> : tensor<i64>
  %nine = arith.constant dense<9> : tensor<i64>
  return %three, %negative, %nine : tensor<i64>, tensor<i64>, tensor<i64>
}
