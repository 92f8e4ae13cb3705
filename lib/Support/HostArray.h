//===- HostArray.h - Dense host arrays of a fixed element type --*- C++ -*-===//
//
// A HostArray is a dense, row-major (C order) array that lives in host memory
// as raw little-endian bytes, tagged with its element type. It is the common
// currency of the .npy and .safetensors readers and writers: they move bytes,
// and the conversions here turn those bytes into doubles or integers (and
// back, rounding to the element type) for code that computes on them.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_SUPPORT_HOSTARRAY_H
#define ICL_LIB_SUPPORT_HOSTARRAY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace icl {

/// Element types a HostArray can hold. All are stored little-endian; Bool is
/// one byte per element (0 or 1 when written by this library).
enum class DType { F16, BF16, F32, F64, I8, I16, I32, I64, U8, Bool };

/// Short lowercase name: "f16", "bf16", "f32", "f64", "i8", "i16", "i32",
/// "i64", "u8", "bool".
llvm::StringRef dtypeName(DType dtype);

/// Inverse of dtypeName; std::nullopt for an unknown name.
std::optional<DType> parseDTypeName(llvm::StringRef name);

/// Size of one element in bytes.
int64_t dtypeSize(DType dtype);

/// True for F16, BF16, F32 and F64.
bool isFloat(DType dtype);

/// Number of elements of `shape` (1 for a 0-d shape), or std::nullopt when a
/// dimension is negative or the product does not fit in int64_t. A shape with
/// a zero dimension has zero elements whatever its other dimensions are.
std::optional<int64_t> checkedNumel(llvm::ArrayRef<int64_t> shape);

/// numel(shape) * dtypeSize(dtype), or std::nullopt as for checkedNumel or
/// when the byte count overflows int64_t.
std::optional<int64_t> checkedByteSize(DType dtype,
                                       llvm::ArrayRef<int64_t> shape);

/// Formats a shape the way error messages print it: "[2, 3]", "[]".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// A dense row-major array of `dtype` elements stored as little-endian bytes.
struct HostArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  /// Product of the dimensions (1 for a 0-d array). Assumes a valid shape;
  /// see checkedNumel for untrusted ones.
  int64_t numel() const;

  /// Checks that the shape is valid and `bytes` holds exactly numel elements.
  llvm::Error verify() const;

  /// Every element converted to double (exact for every type except I64
  /// values beyond 2^53, which round to nearest). Bool elements become 0 or
  /// 1 (any nonzero byte is true).
  std::vector<double> toDouble() const;

  /// Every element converted to int64_t. Floats are truncated toward zero and
  /// saturated to the int64_t range; NaN becomes 0. Bool elements become 0
  /// or 1.
  std::vector<int64_t> toInt64() const;

  /// Builds an array from doubles, rounding each to `dtype`: floats round to
  /// nearest, ties to even (overflow gives infinity); integers are truncated
  /// toward zero and saturated to the type's range, NaN becoming 0; Bool is
  /// `value != 0` (NaN is true). values.size() must equal numel(shape).
  static HostArray fromDouble(DType dtype, std::vector<int64_t> shape,
                              llvm::ArrayRef<double> values);

  /// Builds an array from integers: floats round to nearest, ties to even;
  /// narrower integers keep the low bits (two's complement wrap, as numpy's
  /// astype does); Bool is `value != 0`. values.size() must equal
  /// numel(shape).
  static HostArray fromInt64(DType dtype, std::vector<int64_t> shape,
                             llvm::ArrayRef<int64_t> values);
};

/// Seeded random contents for an array: floats uniform in [-1, 1), integers
/// uniform in [0, intBound).
HostArray randomArray(DType dtype, std::vector<int64_t> shape, int64_t intBound,
                      std::mt19937_64 &rng);

} // namespace icl

#endif // ICL_LIB_SUPPORT_HOSTARRAY_H
