// Function names become C symbols and are written into generated C glue: a
// name that is not a C identifier is refused before any C is written (it
// could otherwise inject preprocessor lines into the glue).
// RUN: rm -rf %t && mkdir -p %t
// RUN: not icl-compile %s -o %t/lib.so 2>&1 | FileCheck %s
// RUN: not ls %t/lib.so
// RUN: not icl-run %s --random-inputs 0 2>&1 | FileCheck %s
// CHECK: function name 'f\0A#include \22/etc/hostname\22\0A' is not a C identifier
func.func @"f\0A#include \22/etc/hostname\22\0A"(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
