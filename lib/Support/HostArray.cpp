//===- HostArray.cpp - Dense host arrays of a fixed element type ---------===//
//
// Element type tables and the conversions between raw little-endian element
// bytes and double / int64_t values.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/HostArray.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cmath>
#include <limits>

using namespace llvm;

namespace icl {

//===----------------------------------------------------------------------===//
// Element type tables
//===----------------------------------------------------------------------===//

StringRef dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I8:
    return "i8";
  case DType::I16:
    return "i16";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::U8:
    return "u8";
  case DType::Bool:
    return "bool";
  }
  llvm_unreachable("unknown DType");
}

std::optional<DType> parseDTypeName(StringRef name) {
  for (DType d : {DType::F16, DType::BF16, DType::F32, DType::F64, DType::I8,
                  DType::I16, DType::I32, DType::I64, DType::U8, DType::Bool})
    if (dtypeName(d) == name)
      return d;
  return std::nullopt;
}

int64_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  case DType::F16:
  case DType::BF16:
  case DType::I16:
    return 2;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  }
  llvm_unreachable("unknown DType");
}

bool isFloat(DType dtype) {
  switch (dtype) {
  case DType::F16:
  case DType::BF16:
  case DType::F32:
  case DType::F64:
    return true;
  default:
    return false;
  }
}

std::optional<int64_t> checkedNumel(ArrayRef<int64_t> shape) {
  bool hasZero = false;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    hasZero |= d == 0;
  }
  if (hasZero)
    return 0;
  int64_t n = 1;
  for (int64_t d : shape)
    if (MulOverflow(n, d, n))
      return std::nullopt;
  return n;
}

std::optional<int64_t> checkedByteSize(DType dtype, ArrayRef<int64_t> shape) {
  std::optional<int64_t> n = checkedNumel(shape);
  if (!n)
    return std::nullopt;
  int64_t bytes;
  if (MulOverflow(*n, dtypeSize(dtype), bytes))
    return std::nullopt;
  return bytes;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  raw_string_ostream os(s);
  os << '[';
  llvm::interleaveComma(shape, os);
  os << ']';
  return s;
}

//===----------------------------------------------------------------------===//
// Scalar conversions
//===----------------------------------------------------------------------===//

namespace {

/// Decodes IEEE binary16 bits.
double halfToDouble(uint16_t h) {
  bool neg = h & 0x8000;
  int exp = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(static_cast<double>(mant), -24);
  else if (exp == 0x1f)
    v = mant ? std::numeric_limits<double>::quiet_NaN()
             : std::numeric_limits<double>::infinity();
  else
    v = std::ldexp(static_cast<double>(mant | 0x400), exp - 25);
  return neg ? -v : v;
}

/// Decodes bfloat16 bits (the top half of an IEEE binary32).
double bf16ToDouble(uint16_t h) {
  return static_cast<double>(bit_cast<float>(static_cast<uint32_t>(h) << 16));
}

/// Rounds a double to a binary floating-point format with `expBits` exponent
/// bits and `mantBits` stored mantissa bits (IEEE layout with subnormals,
/// infinities and NaNs), to nearest with ties to even, in one rounding step.
/// Returns the bit pattern in the low 1 + expBits + mantBits bits.
uint32_t roundDoubleToSmallFloat(double value, int expBits, int mantBits) {
  const uint64_t bits = bit_cast<uint64_t>(value);
  const uint32_t sign = static_cast<uint32_t>(bits >> 63)
                        << (expBits + mantBits);
  const int exp = static_cast<int>((bits >> 52) & 0x7ff);
  const uint64_t mant = bits & ((uint64_t(1) << 52) - 1);
  const int32_t maxExpField = (1 << expBits) - 1;
  const uint32_t inf = static_cast<uint32_t>(maxExpField) << mantBits;

  if (exp == 0x7ff) {
    if (mant == 0)
      return sign | inf;
    // NaN: keep it quiet and carry the top payload bits along.
    uint32_t payload = static_cast<uint32_t>(mant >> (52 - mantBits));
    return sign | inf | (uint32_t(1) << (mantBits - 1)) | payload;
  }
  // Zero, and double subnormals (< 2^-1022), are far below half of the
  // smallest subnormal of any format this is used for.
  if (exp == 0)
    return sign;

  const int bias = (1 << (expBits - 1)) - 1;
  const int targetExp = exp - 1023 + bias; // Biased exponent in the target.
  if (targetExp >= maxExpField)
    return sign | inf;

  const uint64_t sig = mant | (uint64_t(1) << 52); // 53 significant bits.
  // Number of low bits of `sig` dropped; subnormal results drop more.
  int shift = 52 - mantBits + (targetExp < 1 ? 1 - targetExp : 0);
  if (shift >= 54)
    return sign; // Below half of the smallest subnormal.
  uint64_t rounded = sig >> shift;
  const uint64_t rem = sig & ((uint64_t(1) << shift) - 1);
  const uint64_t half = uint64_t(1) << (shift - 1);
  if (rem > half || (rem == half && (rounded & 1)))
    ++rounded;

  uint64_t result;
  if (targetExp >= 1)
    // `rounded` carries the implicit leading bit, which adds one to the
    // exponent field; a carry out of the mantissa bumps the exponent too.
    result = (static_cast<uint64_t>(targetExp - 1) << mantBits) + rounded;
  else
    // Subnormal; a carry into bit `mantBits` yields the smallest normal.
    result = rounded;
  if (result >= inf)
    return sign | inf;
  return sign | static_cast<uint32_t>(result);
}

uint16_t doubleToHalf(double v) {
  return static_cast<uint16_t>(roundDoubleToSmallFloat(v, 5, 10));
}

uint16_t doubleToBF16(double v) {
  return static_cast<uint16_t>(roundDoubleToSmallFloat(v, 8, 7));
}

/// Rounds an int64_t to `sem` in one step (int64 -> double first could round
/// twice for values beyond 2^53).
uint16_t int64ToSmallFloatBits(int64_t v, const fltSemantics &sem) {
  APFloat f(sem);
  f.convertFromAPInt(APInt(64, static_cast<uint64_t>(v), /*isSigned=*/true),
                     /*IsSigned=*/true, APFloat::rmNearestTiesToEven);
  return static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
}

/// Truncates toward zero and saturates to T's range; NaN becomes 0.
template <typename T> T saturatingCast(double v) {
  if (std::isnan(v))
    return 0;
  constexpr int bits = std::numeric_limits<T>::digits +
                       (std::numeric_limits<T>::is_signed ? 1 : 0);
  const double hi = std::numeric_limits<T>::is_signed
                        ? std::ldexp(1.0, bits - 1)
                        : std::ldexp(1.0, bits);
  const double lo =
      std::numeric_limits<T>::is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
  if (v >= hi)
    return std::numeric_limits<T>::max();
  if (v <= lo)
    return std::numeric_limits<T>::min();
  return static_cast<T>(v);
}

double loadDouble(DType dtype, const uint8_t *p) {
  switch (dtype) {
  case DType::F16:
    return halfToDouble(support::endian::read16le(p));
  case DType::BF16:
    return bf16ToDouble(support::endian::read16le(p));
  case DType::F32:
    return static_cast<double>(bit_cast<float>(support::endian::read32le(p)));
  case DType::F64:
    return bit_cast<double>(support::endian::read64le(p));
  case DType::I8:
    return static_cast<double>(static_cast<int8_t>(*p));
  case DType::I16:
    return static_cast<double>(
        static_cast<int16_t>(support::endian::read16le(p)));
  case DType::I32:
    return static_cast<double>(
        static_cast<int32_t>(support::endian::read32le(p)));
  case DType::I64:
    return static_cast<double>(
        static_cast<int64_t>(support::endian::read64le(p)));
  case DType::U8:
    return static_cast<double>(*p);
  case DType::Bool:
    return *p ? 1.0 : 0.0;
  }
  llvm_unreachable("unknown DType");
}

int64_t loadInt64(DType dtype, const uint8_t *p) {
  switch (dtype) {
  case DType::F16:
  case DType::BF16:
  case DType::F32:
  case DType::F64:
    return saturatingCast<int64_t>(loadDouble(dtype, p));
  case DType::I8:
    return static_cast<int8_t>(*p);
  case DType::I16:
    return static_cast<int16_t>(support::endian::read16le(p));
  case DType::I32:
    return static_cast<int32_t>(support::endian::read32le(p));
  case DType::I64:
    return static_cast<int64_t>(support::endian::read64le(p));
  case DType::U8:
    return *p;
  case DType::Bool:
    return *p ? 1 : 0;
  }
  llvm_unreachable("unknown DType");
}

void storeDouble(DType dtype, double v, uint8_t *p) {
  switch (dtype) {
  case DType::F16:
    support::endian::write16le(p, doubleToHalf(v));
    return;
  case DType::BF16:
    support::endian::write16le(p, doubleToBF16(v));
    return;
  case DType::F32:
    support::endian::write32le(p, bit_cast<uint32_t>(static_cast<float>(v)));
    return;
  case DType::F64:
    support::endian::write64le(p, bit_cast<uint64_t>(v));
    return;
  case DType::I8:
    *p = static_cast<uint8_t>(saturatingCast<int8_t>(v));
    return;
  case DType::I16:
    support::endian::write16le(
        p, static_cast<uint16_t>(saturatingCast<int16_t>(v)));
    return;
  case DType::I32:
    support::endian::write32le(
        p, static_cast<uint32_t>(saturatingCast<int32_t>(v)));
    return;
  case DType::I64:
    support::endian::write64le(
        p, static_cast<uint64_t>(saturatingCast<int64_t>(v)));
    return;
  case DType::U8:
    *p = saturatingCast<uint8_t>(v);
    return;
  case DType::Bool:
    *p = v != 0.0 ? 1 : 0;
    return;
  }
  llvm_unreachable("unknown DType");
}

void storeInt64(DType dtype, int64_t v, uint8_t *p) {
  const uint64_t u = static_cast<uint64_t>(v);
  switch (dtype) {
  case DType::F16:
    // Every int64_t beyond 2^53 overflows f16, so rounding via double is
    // exact here.
    support::endian::write16le(p, doubleToHalf(static_cast<double>(v)));
    return;
  case DType::BF16: {
    constexpr int64_t exactLimit = int64_t(1) << 53;
    uint16_t bits = (v > -exactLimit && v < exactLimit)
                        ? doubleToBF16(static_cast<double>(v))
                        : int64ToSmallFloatBits(v, APFloat::BFloat());
    support::endian::write16le(p, bits);
    return;
  }
  case DType::F32:
    // int64 -> float conversion is a single correctly rounded step.
    support::endian::write32le(p, bit_cast<uint32_t>(static_cast<float>(v)));
    return;
  case DType::F64:
    support::endian::write64le(p, bit_cast<uint64_t>(static_cast<double>(v)));
    return;
  case DType::I8:
  case DType::U8:
    *p = static_cast<uint8_t>(u);
    return;
  case DType::I16:
    support::endian::write16le(p, static_cast<uint16_t>(u));
    return;
  case DType::I32:
    support::endian::write32le(p, static_cast<uint32_t>(u));
    return;
  case DType::I64:
    support::endian::write64le(p, u);
    return;
  case DType::Bool:
    *p = v != 0 ? 1 : 0;
    return;
  }
  llvm_unreachable("unknown DType");
}

} // namespace

//===----------------------------------------------------------------------===//
// HostArray
//===----------------------------------------------------------------------===//

int64_t HostArray::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Error HostArray::verify() const {
  std::optional<int64_t> size = checkedByteSize(dtype, shape);
  if (!size)
    return createStringError("invalid shape " + formatShape(shape) + " for " +
                             dtypeName(dtype) +
                             " (negative or overflowing dimensions)");
  if (static_cast<uint64_t>(*size) != bytes.size())
    return createStringError("array of shape " + formatShape(shape) + " and " +
                             dtypeName(dtype) + " needs " + Twine(*size) +
                             " bytes but holds " + Twine(bytes.size()));
  return Error::success();
}

std::vector<double> HostArray::toDouble() const {
  const int64_t size = dtypeSize(dtype);
  const size_t n = bytes.size() / size;
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = loadDouble(dtype, bytes.data() + i * size);
  return out;
}

std::vector<int64_t> HostArray::toInt64() const {
  const int64_t size = dtypeSize(dtype);
  const size_t n = bytes.size() / size;
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = loadInt64(dtype, bytes.data() + i * size);
  return out;
}

HostArray HostArray::fromDouble(DType dtype, std::vector<int64_t> shape,
                                ArrayRef<double> values) {
  HostArray a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  assert(checkedNumel(a.shape) &&
         static_cast<size_t>(*checkedNumel(a.shape)) == values.size() &&
         "value count does not match the shape");
  const int64_t size = dtypeSize(dtype);
  a.bytes.resize(values.size() * size);
  for (size_t i = 0, e = values.size(); i < e; ++i)
    storeDouble(dtype, values[i], a.bytes.data() + i * size);
  return a;
}

HostArray HostArray::fromInt64(DType dtype, std::vector<int64_t> shape,
                               ArrayRef<int64_t> values) {
  HostArray a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  assert(checkedNumel(a.shape) &&
         static_cast<size_t>(*checkedNumel(a.shape)) == values.size() &&
         "value count does not match the shape");
  const int64_t size = dtypeSize(dtype);
  a.bytes.resize(values.size() * size);
  for (size_t i = 0, e = values.size(); i < e; ++i)
    storeInt64(dtype, values[i], a.bytes.data() + i * size);
  return a;
}

HostArray randomArray(DType dtype, std::vector<int64_t> shape, int64_t intBound,
                      std::mt19937_64 &rng) {
  int64_t numel = checkedNumel(shape).value_or(0);
  if (isFloat(dtype)) {
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    std::vector<double> values(numel);
    for (double &v : values)
      v = dist(rng);
    return HostArray::fromDouble(dtype, std::move(shape), values);
  }
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(intBound, 1) - 1);
  std::vector<int64_t> values(numel);
  for (int64_t &v : values)
    v = dist(rng);
  return HostArray::fromInt64(dtype, std::move(shape), values);
}

} // namespace icl
