//===- SupportTest.cpp - Tests of the host-array I/O library -------------===//
//
// HostArray conversions, .npy and .safetensors round trips, every validation
// error of the readers, and a seeded mutation test showing that corrupted
// files are either read with every tensor in bounds or rejected with an
// error, never crash.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/Files.h"
#include "lib/Support/HostArray.h"
#include "lib/Support/Npy.h"
#include "lib/Support/SafeTensors.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>

#include <sys/stat.h>

using namespace icl;
using llvm::Expected;
using llvm::StringRef;

namespace {

const DType kAllDTypes[] = {DType::F16, DType::BF16, DType::F32, DType::F64,
                            DType::I8,  DType::I16,  DType::I32, DType::I64,
                            DType::U8,  DType::Bool};

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// A fresh directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::error_code ec =
        llvm::sys::fs::createUniqueDirectory("icl-support-test", dir);
    ASSERT_FALSE(ec) << ec.message();
  }
  void TearDown() override {
    if (!dir.empty())
      llvm::sys::fs::remove_directories(dir);
  }

  std::string file(StringRef name) const {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }

  llvm::SmallString<256> dir;
};

void writeBytes(const std::string &path, StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  os << bytes;
}

std::string readBytes(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  EXPECT_TRUE(bool(buffer)) << path;
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

/// The message of a failed Expected, or "" (and a test failure) on success.
template <typename T> std::string errorOf(Expected<T> value) {
  if (value) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(value.takeError());
}

std::string errorOf(llvm::Error err) {
  if (!err) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(std::move(err));
}

#define EXPECT_CONTAINS(haystack, needle)                                      \
  do {                                                                         \
    std::string hay_ = (haystack);                                             \
    EXPECT_NE(hay_.find(needle), std::string::npos)                            \
        << "message: " << hay_ << "\n  missing: " << (needle);                 \
  } while (0)

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    llvm::Error err_ = (expr);                                                 \
    ASSERT_FALSE(bool(err_)) << llvm::toString(std::move(err_));               \
  } while (0)

template <typename T> T unwrap(Expected<T> value) {
  if (!value) {
    ADD_FAILURE() << llvm::toString(value.takeError());
    return T();
  }
  return std::move(*value);
}

std::string le64(uint64_t v) {
  char b[8];
  llvm::support::endian::write64le(b, v);
  return std::string(b, 8);
}

std::string le16(uint16_t v) {
  char b[2];
  llvm::support::endian::write16le(b, v);
  return std::string(b, 2);
}

std::string le32(uint32_t v) {
  char b[4];
  llvm::support::endian::write32le(b, v);
  return std::string(b, 4);
}

/// Bytes of `values` as little-endian f32.
std::string f32Bytes(std::initializer_list<float> values) {
  std::string s;
  for (float f : values)
    s += le32(llvm::bit_cast<uint32_t>(f));
  return s;
}

/// A .npy file with the given raw header text (length field computed).
std::string npyWithHeader(StringRef header, StringRef data,
                          unsigned major = 1) {
  std::string s("\x93NUMPY", 6);
  s.push_back(static_cast<char>(major));
  s.push_back(0);
  s += major == 1 ? le16(header.size()) : le32(header.size());
  s += header;
  s += data;
  return s;
}

/// A .safetensors file with the given JSON header and data section.
std::string safeTensorsWithHeader(StringRef header, StringRef data) {
  return le64(header.size()) + header.str() + data.str();
}

/// An array of `dtype` and `shape` with varied values (including negative
/// ones where the type allows them).
HostArray sampleArray(DType dtype, std::vector<int64_t> shape,
                      uint64_t seed = 1) {
  int64_t n = *checkedNumel(shape);
  std::mt19937_64 rng(seed);
  if (isFloat(dtype)) {
    std::vector<double> v(n);
    for (double &x : v)
      x = std::ldexp(
          static_cast<double>(static_cast<int64_t>(rng() % 2001) - 1000), -3);
    return HostArray::fromDouble(dtype, std::move(shape), v);
  }
  std::vector<int64_t> v(n);
  for (int64_t &x : v)
    x = static_cast<int64_t>(rng());
  return HostArray::fromInt64(dtype, std::move(shape), v);
}

void expectSameArray(const HostArray &a, const HostArray &b) {
  EXPECT_EQ(a.dtype, b.dtype);
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.bytes, b.bytes);
}

uint16_t bits16(const HostArray &a, size_t i = 0) {
  return llvm::support::endian::read16le(a.bytes.data() + 2 * i);
}

uint16_t apfloatBits(double v, const llvm::fltSemantics &sem) {
  llvm::APFloat f(v);
  bool losesInfo;
  f.convert(sem, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
}

//===----------------------------------------------------------------------===//
// DType and HostArray
//===----------------------------------------------------------------------===//

TEST(DTypeTest, Tables) {
  for (DType d : kAllDTypes) {
    EXPECT_EQ(parseDTypeName(dtypeName(d)), d);
    EXPECT_FALSE(safeTensorsDTypeName(d).empty());
  }
  EXPECT_EQ(dtypeName(DType::BF16), "bf16");
  EXPECT_EQ(dtypeSize(DType::F16), 2);
  EXPECT_EQ(dtypeSize(DType::BF16), 2);
  EXPECT_EQ(dtypeSize(DType::F64), 8);
  EXPECT_EQ(dtypeSize(DType::Bool), 1);
  EXPECT_EQ(dtypeSize(DType::I32), 4);
  EXPECT_TRUE(isFloat(DType::BF16));
  EXPECT_FALSE(isFloat(DType::U8));
  EXPECT_FALSE(parseDTypeName("f128"));
  EXPECT_EQ(npyDescr(DType::BF16), "");
  EXPECT_EQ(npyDescr(DType::U8), "|u1");
}

TEST(DTypeTest, CheckedSizes) {
  EXPECT_EQ(checkedNumel({}), 1);
  EXPECT_EQ(checkedNumel({2, 3, 4}), 24);
  EXPECT_EQ(checkedNumel({INT64_MAX, 0}), 0);
  EXPECT_FALSE(checkedNumel({-1, 3}));
  EXPECT_FALSE(checkedNumel({int64_t(1) << 32, int64_t(1) << 32}));
  EXPECT_EQ(checkedNumel({int64_t(1) << 31, int64_t(1) << 31}), int64_t(1)
                                                                    << 62);
  EXPECT_FALSE(
      checkedByteSize(DType::F32, {int64_t(1) << 31, int64_t(1) << 31}));
  EXPECT_EQ(checkedByteSize(DType::F64, {3, 5}), 120);
  EXPECT_EQ(formatShape({2, 3}), "[2, 3]");
  EXPECT_EQ(formatShape({}), "[]");
}

TEST(HostArrayTest, HalfRounding) {
  auto h = [](double v) {
    return bits16(HostArray::fromDouble(DType::F16, {}, {v}));
  };
  EXPECT_EQ(h(1.0), 0x3C00);
  EXPECT_EQ(h(-2.0), 0xC000);
  EXPECT_EQ(h(0.0), 0x0000);
  EXPECT_EQ(h(-0.0), 0x8000);
  EXPECT_EQ(h(65504.0), 0x7BFF);
  EXPECT_EQ(h(65519.0), 0x7BFF);
  EXPECT_EQ(h(65520.0), 0x7C00); // Tie rounds to even: overflow to infinity.
  EXPECT_EQ(h(1e10), 0x7C00);
  EXPECT_EQ(h(-INFINITY), 0xFC00);
  EXPECT_EQ(h(1.0 + std::ldexp(1, -11)), 0x3C00);     // Tie, even stays.
  EXPECT_EQ(h(1.0 + 3 * std::ldexp(1, -11)), 0x3C02); // Tie, odd rounds up.
  EXPECT_EQ(h(1.0 + std::ldexp(1, -11) + std::ldexp(1, -40)), 0x3C01);
  EXPECT_EQ(h(std::ldexp(1, -24)), 0x0001); // Smallest subnormal.
  EXPECT_EQ(h(std::ldexp(1, -25)), 0x0000); // Tie to even: zero.
  EXPECT_EQ(h(std::ldexp(1.5, -25)), 0x0001);
  EXPECT_EQ(h(std::ldexp(3, -25)), 0x0002);      // 1.5 ulp ties to 2.
  EXPECT_EQ(h(std::ldexp(1023.5, -24)), 0x0400); // Rounds up to min normal.
  EXPECT_EQ(h(std::ldexp(1, -14)), 0x0400);
  EXPECT_EQ(h(1e-300), 0x0000);
  uint16_t nan = h(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(nan & 0x7C00, 0x7C00);
  EXPECT_NE(nan & 0x3FF, 0);

  HostArray a = HostArray::fromDouble(DType::F16, {3}, {0.1, 3.14159, -7.5});
  std::vector<double> back = a.toDouble();
  EXPECT_EQ(back[0], 0.0999755859375);
  EXPECT_EQ(back[1], 3.140625);
  EXPECT_EQ(back[2], -7.5);
}

TEST(HostArrayTest, BFloat16Rounding) {
  auto b = [](double v) {
    return bits16(HostArray::fromDouble(DType::BF16, {}, {v}));
  };
  EXPECT_EQ(b(1.0), 0x3F80);
  EXPECT_EQ(b(-1.0), 0xBF80);
  EXPECT_EQ(b(1.0 + std::ldexp(1, -8)), 0x3F80);     // Tie, even stays.
  EXPECT_EQ(b(1.0 + 3 * std::ldexp(1, -8)), 0x3F82); // Tie, odd rounds up.
  // Just above a tie: rounding through float first would land exactly on
  // the tie and round down; a single rounding goes up.
  EXPECT_EQ(b(1.0 + std::ldexp(1, -8) + std::ldexp(1, -30)), 0x3F81);
  EXPECT_EQ(b(3.4e38), 0x7F80); // Beyond bf16 max (rounds to inf).
  EXPECT_EQ(b(3.3895313892515355e38), 0x7F7F); // bf16 max.
  EXPECT_EQ(b(std::ldexp(1, -133)), 0x0001);   // Smallest subnormal.
  EXPECT_EQ(b(std::ldexp(1, -134)), 0x0000);   // Tie to zero.
  EXPECT_EQ(b(std::ldexp(1, -150)), 0x0000);
  HostArray a = HostArray::fromDouble(DType::BF16, {2}, {3.14159, -0.1});
  std::vector<double> back = a.toDouble();
  EXPECT_EQ(back[0], 3.140625);
  EXPECT_EQ(back[1], -0.10009765625);
}

TEST(HostArrayTest, SmallFloatsMatchAPFloat) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200000; ++i) {
    // Random doubles with exponents around the f16/bf16 ranges, and raw
    // random bit patterns.
    double v;
    if (i % 4 == 0) {
      v = llvm::bit_cast<double>(rng());
    } else {
      int exp = static_cast<int>(rng() % 320) - 160;
      v = std::ldexp(1.0 + static_cast<double>(rng() >> 12) * 0x1p-52, exp);
      if (rng() & 1)
        v = -v;
    }
    if (std::isnan(v))
      continue;
    uint16_t h = bits16(HostArray::fromDouble(DType::F16, {}, {v}));
    uint16_t b = bits16(HostArray::fromDouble(DType::BF16, {}, {v}));
    ASSERT_EQ(h, apfloatBits(v, llvm::APFloat::IEEEhalf())) << v;
    ASSERT_EQ(b, apfloatBits(v, llvm::APFloat::BFloat())) << v;
    // Decoding agrees with APFloat too.
    HostArray ha = HostArray::fromDouble(DType::F16, {}, {v});
    HostArray ba = HostArray::fromDouble(DType::BF16, {}, {v});
    llvm::APFloat hf(llvm::APFloat::IEEEhalf(), llvm::APInt(16, h));
    llvm::APFloat bf(llvm::APFloat::BFloat(), llvm::APInt(16, b));
    bool losesInfo;
    hf.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
               &losesInfo);
    bf.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
               &losesInfo);
    ASSERT_EQ(ha.toDouble()[0], hf.convertToDouble());
    ASSERT_EQ(ba.toDouble()[0], bf.convertToDouble());
  }
  // Every f16 and bf16 bit pattern decodes and re-encodes to itself.
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    for (DType d : {DType::F16, DType::BF16}) {
      HostArray a;
      a.dtype = d;
      a.bytes = {static_cast<uint8_t>(bits), static_cast<uint8_t>(bits >> 8)};
      double v = a.toDouble()[0];
      if (std::isnan(v))
        continue;
      ASSERT_EQ(bits16(HostArray::fromDouble(d, {}, {v})), bits)
          << dtypeName(d).str();
    }
  }
}

TEST(HostArrayTest, IntegerConversions) {
  HostArray i8 = HostArray::fromDouble(DType::I8, {6},
                                       {300.0, -300.0, 2.7, -2.7, NAN, -128.9});
  EXPECT_EQ(i8.toInt64(), (std::vector<int64_t>{127, -128, 2, -2, 0, -128}));
  HostArray u8 = HostArray::fromDouble(DType::U8, {4}, {-5.0, 255.9, 256.0, 7});
  EXPECT_EQ(u8.toInt64(), (std::vector<int64_t>{0, 255, 255, 7}));
  HostArray i64 =
      HostArray::fromDouble(DType::I64, {3}, {1e30, -1e30, 9007199254740993.0});
  EXPECT_EQ(i64.toInt64(),
            (std::vector<int64_t>{INT64_MAX, INT64_MIN, 9007199254740992}));
  HostArray wrap = HostArray::fromInt64(DType::I8, {2}, {300, -129});
  EXPECT_EQ(wrap.toInt64(), (std::vector<int64_t>{44, 127}));
  HostArray b = HostArray::fromInt64(DType::Bool, {3}, {0, 5, -1});
  EXPECT_EQ(b.bytes, (std::vector<uint8_t>{0, 1, 1}));
  HostArray bd = HostArray::fromDouble(DType::Bool, {2}, {0.0, 0.5});
  EXPECT_EQ(bd.toDouble(), (std::vector<double>{0.0, 1.0}));
  HostArray big = HostArray::fromInt64(DType::I64, {2}, {INT64_MAX, INT64_MIN});
  EXPECT_EQ(big.toInt64(), (std::vector<int64_t>{INT64_MAX, INT64_MIN}));
  HostArray f = HostArray::fromDouble(DType::F32, {3}, {1e300, -2.5, NAN});
  EXPECT_EQ(f.toInt64(), (std::vector<int64_t>{INT64_MAX, -2, 0}));
  // int64 -> bf16 rounds once, even beyond 2^53.
  int64_t v = (int64_t(1) << 60) + (int64_t(1) << 52) + 1; // Just above tie.
  HostArray bf = HostArray::fromInt64(DType::BF16, {}, {v});
  llvm::APFloat expect(llvm::APFloat::BFloat());
  expect.convertFromAPInt(llvm::APInt(64, v), true,
                          llvm::APFloat::rmNearestTiesToEven);
  EXPECT_EQ(bits16(bf), expect.bitcastToAPInt().getZExtValue());
  EXPECT_EQ(bits16(bf), 0x5D81);
  HostArray f32 = HostArray::fromInt64(DType::F32, {}, {16777217});
  EXPECT_EQ(f32.toDouble()[0], 16777216.0);
}

TEST(HostArrayTest, Verify) {
  HostArray a = sampleArray(DType::F32, {2, 3});
  EXPECT_FALSE(bool(a.verify()));
  EXPECT_EQ(a.numel(), 6);
  a.bytes.pop_back();
  EXPECT_CONTAINS(errorOf(a.verify()), "needs 24 bytes but holds 23");
  a.shape = {-1};
  EXPECT_CONTAINS(errorOf(a.verify()), "invalid shape");
  HostArray scalar = sampleArray(DType::I16, {});
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.bytes.size(), 2u);
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

class NpyTest : public TempDirTest {};

TEST_F(NpyTest, RoundTripEveryDTypeAndShape) {
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {0}, {1}, {5}, {2, 3}, {2, 0, 3}, {1, 1, 7}, {3, 1, 4, 2}, {130}};
  int n = 0;
  for (DType d : kAllDTypes) {
    if (d == DType::BF16)
      continue;
    for (const auto &shape : shapes) {
      HostArray a = sampleArray(d, shape, ++n);
      std::string path = file("a" + std::to_string(n) + ".npy");
      ASSERT_OK(writeNpy(path, a));
      HostArray b = unwrap(readNpy(path));
      expectSameArray(a, b);
      // numpy's layout: data starts at a multiple of 64, header ends in \n.
      std::string bytes = readBytes(path);
      size_t dataStart = bytes.size() - a.bytes.size();
      EXPECT_EQ(dataStart % 64, 0u);
      EXPECT_EQ(bytes[dataStart - 1], '\n');
      EXPECT_EQ(bytes[6], 1);
      EXPECT_EQ(bytes[7], 0);
      EXPECT_EQ(llvm::support::endian::read16le(bytes.data() + 8),
                dataStart - 10);
    }
  }
}

TEST_F(NpyTest, NumpyWrittenFixture) {
  // The exact bytes np.save writes for
  //   np.arange(6, dtype='<f4').reshape(2, 3)
  // (numpy 1.x and 2.x agree: 118 header bytes, data at offset 128).
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  header.append(58, ' ');
  header += '\n';
  ASSERT_EQ(header.size(), 118u);
  std::string fixture = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + header +
                        f32Bytes({0, 1, 2, 3, 4, 5});
  ASSERT_EQ(fixture.size(), 128u + 24u);

  HostArray a = unwrap(parseNpy(fixture, "fixture.npy"));
  EXPECT_EQ(a.dtype, DType::F32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.toDouble(), (std::vector<double>{0, 1, 2, 3, 4, 5}));

  // Writing produces the same bytes, via the file and in memory.
  EXPECT_EQ(unwrap(serializeNpy(a)), fixture);
  std::string path = file("fixture.npy");
  ASSERT_OK(writeNpy(path, a));
  EXPECT_EQ(readBytes(path), fixture);

  // 0-d array as numpy writes np.float64(2.5) through np.save.
  std::string scalarHeader =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
  scalarHeader.append(128 - 10 - scalarHeader.size() - 1, ' ');
  scalarHeader += '\n';
  std::string scalarBytes =
      npyWithHeader(scalarHeader, le64(0x4004000000000000));
  HostArray s = unwrap(parseNpy(scalarBytes, "scalar.npy"));
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.toDouble(), (std::vector<double>{2.5}));
  EXPECT_EQ(unwrap(serializeNpy(s)), scalarBytes);

  // 1-d bool array: '|b1' with the growth-axis padding after "(3,)".
  HostArray bools = HostArray::fromInt64(DType::Bool, {3}, {1, 0, 1});
  std::string boolHeader =
      "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }";
  boolHeader.append(20, ' ');
  boolHeader.append(128 - 10 - boolHeader.size() - 1, ' ');
  boolHeader += '\n';
  EXPECT_EQ(unwrap(serializeNpy(bools)),
            npyWithHeader(boolHeader, StringRef("\x01\x00\x01", 3)));
}

TEST_F(NpyTest, OtherWritersAndVersions) {
  std::string data = f32Bytes({1.5f, -2});
  // Old numpy: 16-byte alignment.
  std::string old = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  old.append(80 - 10 - old.size() - 1, ' ');
  old += '\n';
  HostArray a = unwrap(parseNpy(npyWithHeader(old, data), "old.npy"));
  EXPECT_EQ(a.toDouble(), (std::vector<double>{1.5, -2}));
  // Versions 2.0 and 3.0 have a 4-byte header length.
  for (unsigned major : {2u, 3u}) {
    HostArray b = unwrap(parseNpy(npyWithHeader(old, data, major), "v.npy"));
    expectSameArray(a, b);
  }
  // Python 2 longs, double quotes, keys in another order, no trailing comma,
  // list shape, '<i1' and '<u1' spellings.
  HostArray c = unwrap(
      parseNpy(npyWithHeader("{\"shape\": (1L, 2L), \"fortran_order\": False, "
                             "\"descr\": \"<i1\"}\n",
                             StringRef("\xff\x02", 2)),
               "py2.npy"));
  EXPECT_EQ(c.dtype, DType::I8);
  EXPECT_EQ(c.toInt64(), (std::vector<int64_t>{-1, 2}));
  HostArray d = unwrap(parseNpy(
      npyWithHeader("{'descr': '<u1', 'fortran_order': False, 'shape': [2]}",
                    StringRef("\xff\x02", 2)),
      "u1.npy"));
  EXPECT_EQ(d.toInt64(), (std::vector<int64_t>{255, 2}));
  // Every supported descr maps to the expected dtype.
  const std::pair<const char *, DType> descrs[] = {
      {"<f2", DType::F16}, {"<f4", DType::F32}, {"<f8", DType::F64},
      {"|i1", DType::I8},  {"<i2", DType::I16}, {"<i4", DType::I32},
      {"<i8", DType::I64}, {"|u1", DType::U8},  {"|b1", DType::Bool}};
  for (auto [descr, dtype] : descrs) {
    std::string h = std::string("{'descr': '") + descr +
                    "', 'fortran_order': False, 'shape': (), }";
    HostArray e = unwrap(parseNpy(
        npyWithHeader(h, std::string(dtypeSize(dtype), '\0')), "d.npy"));
    EXPECT_EQ(e.dtype, dtype) << descr;
  }
}

TEST_F(NpyTest, MalformedInputs) {
  const std::string data6 = f32Bytes({0, 1, 2, 3, 4, 5});
  auto header = [](StringRef descr, StringRef fortran, StringRef shape) {
    return ("{'descr': '" + descr + "', 'fortran_order': " + fortran +
            ", 'shape': " + shape + ", }\n")
        .str();
  };
  const std::string good = header("<f4", "False", "(2, 3)");
  ASSERT_TRUE(bool(parseNpy(npyWithHeader(good, data6), "x.npy")));

  struct Case {
    std::string bytes;
    const char *expected;
  } cases[] = {
      {"", "bad magic"},
      {"PK\x03\x04 this is a zip", "bad magic"},
      {std::string("\x93NUMPX\x01\x00", 8), "bad magic"},
      {std::string("\x93NUMPY\x01", 7), "ends inside the version bytes"},
      {std::string("\x93NUMPY\x04\x00\x10\x00", 10), "version 4.0"},
      {std::string("\x93NUMPY\x01\x01\x10\x00", 10), "version 1.1"},
      {std::string("\x93NUMPY\x01\x00\x10", 9), "inside the header length"},
      {std::string("\x93NUMPY\x02\x00\x10\x00", 10),
       "inside the header length"},
      {std::string("\x93NUMPY\x01\x00\x40\x00{'descr'", 17),
       "truncated header: the header length field says 64 bytes but only 7"},
      {npyWithHeader("[1, 2, 3]\n", ""), "header is a list, not a dict"},
      {npyWithHeader("'descr'\n", ""), "not a dict"},
      {npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
                     data6),
       "not a valid Python dict literal"},
      {npyWithHeader("{'descr': '<f4' 'shape': (2, 3)}", data6),
       "expected ',' or '}'"},
      {npyWithHeader("{'descr': '<f4', 'fortran_order': False}", data6),
       "no 'shape' key"},
      {npyWithHeader("{'fortran_order': False, 'shape': ()}", data6),
       "no 'descr' key"},
      {npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), "
                     "'extra': 1}",
                     data6),
       "unexpected header key 'extra'"},
      {npyWithHeader("{'descr': '<f4', 'descr': '<f4'}", data6),
       "duplicate dict key"},
      {npyWithHeader(header("<c8", "False", "(3,)"), data6),
       "unsupported dtype '<c8'"},
      {npyWithHeader(header("<u2", "False", "(3,)"), data6),
       "unsupported dtype '<u2'"},
      {npyWithHeader(header("|f4", "False", "(3,)"), data6),
       "unsupported dtype '|f4'"},
      {npyWithHeader(header(">f4", "False", "(2, 3)"), data6),
       "big-endian dtype '>f4' is not supported"},
      {npyWithHeader(header("<f4", "True", "(2, 3)"), data6),
       "fortran_order is True"},
      {npyWithHeader(header("<f4", "1", "(2, 3)"), data6),
       "'fortran_order' is an integer"},
      {npyWithHeader(header("<f4", "False", "(2, -3)"), data6),
       "negative dimension -3"},
      {npyWithHeader(header("<f4", "False", "(2, 'a')"), data6),
       "element that is a string"},
      {npyWithHeader(header("<f4", "False", "7"), data6),
       "'shape' is an integer"},
      {npyWithHeader(header("<f4", "False", "(99999999999999999999,)"), data6),
       "integer out of range"},
      {npyWithHeader(header("<f4", "False", "(4611686018427387904, 4)"), data6),
       "too large"},
      {npyWithHeader("{'descr': [('x', '<f4')], 'fortran_order': False, "
                     "'shape': (1,)}",
                     data6),
       "structured (record) dtypes are not supported"},
      {npyWithHeader(header("<f4", "False", "(2, 3)"), data6.substr(0, 20)),
       "data is shorter than the shape says: shape (2, 3) of <f4 needs 24 "
       "bytes but the file has 20 data bytes"},
      {npyWithHeader(header("<f4", "False", "(2, 3)"), data6 + "xx"),
       "data is longer than the shape says"},
      {npyWithHeader(header("<f4", "False", "()"), ""), "data is shorter"},
      {npyWithHeader(std::string(1000, '(') + std::string(1000, ')'), ""),
       "nested too deeply"},
      {npyWithHeader("{'descr': '<f4', 'fortran_order': Maybe}", ""),
       "unsupported name 'Maybe'"},
      {npyWithHeader("{'descr': 'abc", ""), "unterminated string"},
  };
  for (const Case &c : cases) {
    std::string msg = errorOf(parseNpy(c.bytes, "bad.npy"));
    EXPECT_CONTAINS(msg, "bad.npy: ");
    EXPECT_CONTAINS(msg, c.expected);
  }

  // Through the file system: the message names the path.
  std::string path = file("truncated.npy");
  writeBytes(path, npyWithHeader(good, data6.substr(0, 5)));
  std::string msg = errorOf(readNpy(path));
  EXPECT_CONTAINS(msg, path);
  EXPECT_CONTAINS(msg, "data is shorter");
  EXPECT_CONTAINS(errorOf(readNpy(file("missing.npy"))), "cannot read");
  EXPECT_CONTAINS(errorOf(readNpy(file("missing.npy"))), "missing.npy");

  // Writing errors.
  HostArray bf = sampleArray(DType::BF16, {2});
  EXPECT_CONTAINS(errorOf(writeNpy(file("bf.npy"), bf)), "bf16 has no .npy");
  HostArray broken = sampleArray(DType::F32, {2});
  broken.bytes.resize(3);
  EXPECT_CONTAINS(errorOf(writeNpy(file("broken.npy"), broken)), "needs 8");
  EXPECT_CONTAINS(errorOf(writeNpy(file("no/such/dir/a.npy"),
                                   sampleArray(DType::F32, {2}))),
                  "cannot write");
}

//===----------------------------------------------------------------------===//
// .safetensors
//===----------------------------------------------------------------------===//

class SafeTensorsTest : public TempDirTest {};

TEST_F(SafeTensorsTest, RoundTrip) {
  std::vector<std::pair<std::string, HostArray>> tensors;
  int seed = 0;
  for (DType d : kAllDTypes)
    tensors.push_back(
        {"t." + dtypeName(d).str(), sampleArray(d, {3, 2}, ++seed)});
  tensors.push_back({"scalar", sampleArray(DType::F32, {}, 99)});
  tensors.push_back({"empty", sampleArray(DType::I32, {0, 4}, 98)});
  tensors.push_back({"odd", sampleArray(DType::I8, {1, 3, 1, 5}, 97)});
  // bf16/f16 values whose rounding is known.
  tensors.push_back(
      {"bf", HostArray::fromDouble(DType::BF16, {3},
                                   {3.14159, 1.0 + std::ldexp(1, -8), 1e-3})});
  tensors.push_back(
      {"half", HostArray::fromDouble(DType::F16, {3}, {3.14159, 70000, 1e-5})});
  std::map<std::string, std::string> metadata = {{"format", "pt"},
                                                 {"model", "tiny \"test\""}};

  std::string path = file("model.safetensors");
  ASSERT_OK(writeSafeTensors(path, tensors, metadata));
  auto fileOr = SafeTensorsFile::open(path);
  ASSERT_TRUE(bool(fileOr)) << llvm::toString(fileOr.takeError());
  const SafeTensorsFile &f = **fileOr;
  EXPECT_EQ(f.path(), path);
  EXPECT_EQ(f.metadata(), metadata);
  ASSERT_EQ(f.entries().size(), tensors.size());
  for (const auto &[name, array] : tensors) {
    const SafeTensorsFile::Entry *e = f.lookup(name);
    ASSERT_NE(e, nullptr) << name;
    EXPECT_EQ(e->name, name);
    EXPECT_EQ(e->dtype, array.dtype);
    EXPECT_EQ(e->shape, array.shape);
    expectSameArray(unwrap(f.read(name)), array);
  }
  EXPECT_EQ(f.lookup("nope"), nullptr);
  // Entries come in data order, which is the order written.
  for (size_t i = 1; i < f.entries().size(); ++i)
    EXPECT_LE(f.entries()[i - 1].data.end(), f.entries()[i].data.begin());
  EXPECT_EQ(f.entries()[0].name, "t.f16");

  EXPECT_EQ(unwrap(f.read("bf")).toDouble(),
            (std::vector<double>{3.140625, 1.0, 0.00099945068359375}));
  std::vector<double> half = unwrap(f.read("half")).toDouble();
  EXPECT_EQ(half[0], 3.140625);
  EXPECT_TRUE(std::isinf(half[1]));
  EXPECT_EQ(half[2], std::ldexp(168, -24)); // 1e-5 -> nearest subnormal.

  // Layout: 8-byte length, header padded with spaces to a multiple of 8,
  // then the data, offsets back to back in the order given.
  std::string bytes = readBytes(path);
  uint64_t headerLen = llvm::support::endian::read64le(bytes.data());
  EXPECT_EQ(headerLen % 8, 0u);
  StringRef header = StringRef(bytes).substr(8, headerLen);
  EXPECT_EQ(header.front(), '{');
  auto json = llvm::json::parse(header);
  ASSERT_TRUE(bool(json));
  const llvm::json::Object *root = json->getAsObject();
  int64_t expectBegin = 0;
  for (const auto &[name, array] : tensors) {
    const llvm::json::Array *offsets =
        root->getObject(name)->getArray("data_offsets");
    EXPECT_EQ((*offsets)[0].getAsInteger(), expectBegin);
    expectBegin += array.bytes.size();
    EXPECT_EQ((*offsets)[1].getAsInteger(), expectBegin);
  }
  EXPECT_EQ(bytes.size(), 8 + headerLen + expectBegin);
  EXPECT_EQ(unwrap(serializeSafeTensors(tensors, metadata)), bytes);

  // No metadata: no "__metadata__" key; no tensors at all is valid too.
  std::string empty = file("empty.safetensors");
  ASSERT_OK(writeSafeTensors(empty, {}));
  auto e = unwrap(SafeTensorsFile::open(empty));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->entries().empty());
  EXPECT_TRUE(e->metadata().empty());
  EXPECT_EQ(readBytes(empty).substr(8), "{}      ");
}

TEST_F(SafeTensorsTest, LargeFileIsMapped) {
  std::vector<double> values(1 << 20);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<double>(i % 1000) - 500;
  std::vector<std::pair<std::string, HostArray>> tensors = {
      {"big", HostArray::fromDouble(DType::F32, {1024, 1024}, values)},
      {"small", sampleArray(DType::BF16, {7})}};
  std::string path = file("big.safetensors");
  ASSERT_OK(writeSafeTensors(path, tensors));
  auto f = unwrap(SafeTensorsFile::open(path));
  ASSERT_TRUE(f);
  HostArray big = unwrap(f->read("big"));
  EXPECT_EQ(big.toDouble(), values);
  expectSameArray(unwrap(f->read("small")), tensors[1].second);
}

TEST_F(SafeTensorsTest, WriteErrors) {
  HostArray a = sampleArray(DType::F32, {2});
  EXPECT_CONTAINS(
      errorOf(writeSafeTensors(file("d.safetensors"), {{"x", a}, {"x", a}})),
      "duplicate tensor name 'x'");
  EXPECT_CONTAINS(
      errorOf(writeSafeTensors(file("m.safetensors"), {{"__metadata__", a}})),
      "cannot name a tensor");
  EXPECT_CONTAINS(errorOf(writeSafeTensors(file("e.safetensors"), {{"", a}})),
                  "must not be empty");
  HostArray broken = a;
  broken.bytes.push_back(0);
  EXPECT_CONTAINS(
      errorOf(writeSafeTensors(file("b.safetensors"), {{"w", broken}})),
      "tensor 'w': array of shape [2] and f32 needs 8 bytes but holds 9");
  EXPECT_CONTAINS(errorOf(writeSafeTensors(file("u.safetensors"),
                                           {{std::string("\xff\xfe"), a}})),
                  "not valid UTF-8");
  EXPECT_CONTAINS(
      errorOf(writeSafeTensors(file("no/such/dir/x.safetensors"), {{"w", a}})),
      "cannot write");
}

TEST_F(SafeTensorsTest, ValidationErrors) {
  const std::string data24 = std::string(24, '\0');
  auto tensor = [](StringRef name, StringRef body) {
    return ("\"" + name + "\": {" + body + "}").str();
  };
  auto wrap = [](std::initializer_list<std::string> entries) {
    std::string s = "{";
    bool first = true;
    for (const std::string &e : entries) {
      s += (first ? "" : ", ") + e;
      first = false;
    }
    return s + "}";
  };
  const std::string okBody =
      "\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]";
  ASSERT_TRUE(bool(SafeTensorsFile::fromBuffer(llvm::MemoryBuffer::getMemBuffer(
      safeTensorsWithHeader(wrap({tensor("w", okBody)}), data24), "ok",
      false))));

  struct Case {
    std::string bytes;
    const char *expected;
  } cases[] = {
      {"", "file is only 0 bytes"},
      {std::string("\x10\0\0\0\0", 5), "file is only 5 bytes"},
      {le64(100) + "{}", "header length 100 is larger than the file (only 2 "
                         "bytes follow the 8-byte length field)"},
      {le64(~uint64_t(0)) + "{}", "header length 18446744073709551615"},
      {safeTensorsWithHeader("{\"w\": ", ""), "header is not valid JSON"},
      {safeTensorsWithHeader("{'w': 1}", ""), "header is not valid JSON"},
      {safeTensorsWithHeader(std::string("{\"\xff\": 1}"), ""),
       "header is not valid JSON"},
      {safeTensorsWithHeader("[1, 2]", ""), "header is not a JSON object"},
      {safeTensorsWithHeader(std::string(5000, '[') + std::string(5000, ']'),
                             ""),
       "nested more than 64 levels"},
      {safeTensorsWithHeader(wrap({tensor("w", "\"shape\": [2, 3], "
                                               "\"data_offsets\": [0, 24]")}),
                             data24),
       "tensor 'w' has no \"dtype\""},
      {safeTensorsWithHeader(wrap({tensor("w", "\"dtype\": \"F32\", "
                                               "\"data_offsets\": [0, 24]")}),
                             data24),
       "tensor 'w' has no \"shape\""},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, 3]")}),
           data24),
       "tensor 'w' has no \"data_offsets\""},
      {safeTensorsWithHeader("{\"w\": [1]}", data24),
       "tensor 'w' is not described by a JSON object"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F8_E4M3\", \"shape\": [2, 3], "
                             "\"data_offsets\": [0, 6]")}),
           data24),
       "tensor 'w' has unsupported dtype 'F8_E4M3' (supported: F16, BF16"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": 4, \"shape\": [2, 3], "
                             "\"data_offsets\": [0, 24]")}),
           data24),
       "\"dtype\" that is not a string"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, -3], "
                             "\"data_offsets\": [0, 24]")}),
           data24),
       "tensor 'w' has a negative dimension -3"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2.5], "
                             "\"data_offsets\": [0, 24]")}),
           data24),
       "not an integer"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": 6, "
                             "\"data_offsets\": [0, 24]")}),
           data24),
       "\"shape\" that is not an array"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", "
                             "\"shape\": [18446744073709551615], "
                             "\"data_offsets\": [0, 24]")}),
           data24),
       "dimension too large"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", "
                             "\"shape\": [9.223372036854775808e18], "
                             "\"data_offsets\": [0, 24]")}),
           data24),
       "dimension too large"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, 3], "
                             "\"data_offsets\": [24, 0]")}),
           data24),
       "\"data_offsets\" [24,0]; expected [begin, end] with 0 <= begin <= end"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, 3], "
                             "\"data_offsets\": [0]")}),
           data24),
       "expected [begin, end]"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, 3], "
                             "\"data_offsets\": [-8, 16]")}),
           data24),
       "expected [begin, end]"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, 3], "
                             "\"data_offsets\": \"0-24\"")}),
           data24),
       "expected [begin, end]"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, 3], "
                             "\"data_offsets\": [0, 20]")}),
           data24),
       "tensor 'w': the header says shape [2, 3] of F32 (24 bytes) but "
       "data_offsets [0, 20) span 20 bytes"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", "
                             "\"shape\": [4611686018427387904, 4], "
                             "\"data_offsets\": [0, 16]")}),
           data24),
       "whose size in bytes overflows"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"I8\", "
                             "\"shape\": [3037000500, 3037000500], "
                             "\"data_offsets\": [0, 16]")}),
           data24),
       "whose size in bytes overflows"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, 3], "
                             "\"data_offsets\": [8, 32]")}),
           data24),
       "truncated: tensor 'w' needs bytes [8, 32) but the data section has "
       "only 24 bytes"},
      {safeTensorsWithHeader(
           wrap({tensor("w", "\"dtype\": \"F32\", \"shape\": [2, 3], "
                             "\"data_offsets\": [18446744073709551000, "
                             "18446744073709551024]")}),
           data24),
       "truncated: tensor 'w' needs bytes"},
      {safeTensorsWithHeader(
           wrap({tensor("a", "\"dtype\": \"F32\", \"shape\": [4], "
                             "\"data_offsets\": [0, 16]"),
                 tensor("b", "\"dtype\": \"I16\", \"shape\": [4], "
                             "\"data_offsets\": [8, 16]")}),
           data24),
       "tensors 'a' [0, 16) and 'b' [8, 16) overlap"},
      {safeTensorsWithHeader(
           wrap({tensor("a", "\"dtype\": \"U8\", \"shape\": [20], "
                             "\"data_offsets\": [0, 20]"),
                 tensor("b", "\"dtype\": \"U8\", \"shape\": [4], "
                             "\"data_offsets\": [4, 8]")}),
           data24),
       "tensors 'a' [0, 20) and 'b' [4, 8) overlap"},
      {safeTensorsWithHeader("{\"__metadata__\": {\"k\": 1}}", ""),
       "metadata value for key 'k' is not a string"},
      {safeTensorsWithHeader("{\"__metadata__\": [\"k\"]}", ""),
       "\"__metadata__\" is not a JSON object"},
  };
  for (const Case &c : cases) {
    std::string msg = errorOf(SafeTensorsFile::fromBuffer(
        llvm::MemoryBuffer::getMemBuffer(c.bytes, "bad.safetensors", false)));
    EXPECT_CONTAINS(msg, "bad.safetensors: ");
    EXPECT_CONTAINS(msg, c.expected);
  }

  // Valid corner cases: empty tensors anywhere, huge dims times zero, gaps
  // and unused trailing data.
  auto ok = SafeTensorsFile::fromBuffer(llvm::MemoryBuffer::getMemBuffer(
      safeTensorsWithHeader(
          wrap({tensor("a", "\"dtype\": \"U8\", \"shape\": [20], "
                            "\"data_offsets\": [0, 20]"),
                tensor("z", "\"dtype\": \"F64\", "
                            "\"shape\": [9223372036854775807, 0], "
                            "\"data_offsets\": [4, 4]"),
                tensor("s", "\"dtype\": \"BOOL\", \"shape\": [], "
                            "\"data_offsets\": [22, 23]")}),
          data24),
      "ok.safetensors", false));
  ASSERT_TRUE(bool(ok)) << llvm::toString(ok.takeError());
  EXPECT_EQ((*ok)->entries().size(), 3u);
  EXPECT_EQ((*ok)->entries()[1].name, "z");
  EXPECT_EQ((*ok)->dataSection().size(), 24u);
}

TEST_F(SafeTensorsTest, CorruptedFiles) {
  std::vector<std::pair<std::string, HostArray>> tensors = {
      {"a", sampleArray(DType::F32, {2, 3})},
      {"b", sampleArray(DType::F32, {2, 3}, 2)}};
  std::string path = file("model.safetensors");
  ASSERT_OK(writeSafeTensors(path, tensors));
  std::string bytes = readBytes(path);

  // Truncated on disk: the second tensor no longer fits.
  std::string truncated = file("truncated.safetensors");
  writeBytes(truncated, StringRef(bytes).drop_back(18));
  std::string msg = errorOf(SafeTensorsFile::open(truncated));
  EXPECT_CONTAINS(msg, truncated + ": truncated: tensor 'b' needs bytes "
                                   "[24, 48) but the data section has only "
                                   "30 bytes");

  // Cut inside the header and inside the length field.
  writeBytes(truncated, StringRef(bytes).take_front(20));
  EXPECT_CONTAINS(errorOf(SafeTensorsFile::open(truncated)),
                  "is larger than the file");
  writeBytes(truncated, StringRef(bytes).take_front(5));
  EXPECT_CONTAINS(errorOf(SafeTensorsFile::open(truncated)),
                  "file is only 5 bytes");

  // A header length that points into the middle of the JSON.
  std::string shortened = bytes;
  llvm::support::endian::write64le(
      &shortened[0], llvm::support::endian::read64le(bytes.data()) - 16);
  writeBytes(truncated, shortened);
  EXPECT_CONTAINS(errorOf(SafeTensorsFile::open(truncated)),
                  "header is not valid JSON");

  // The header lies about a size.
  std::string lying = bytes;
  size_t pos = lying.find("[2,3]");
  ASSERT_NE(pos, std::string::npos);
  lying.replace(pos, 5, "[3,3]");
  writeBytes(truncated, lying);
  EXPECT_CONTAINS(errorOf(SafeTensorsFile::open(truncated)),
                  "shape [3, 3] of F32 (36 bytes) but data_offsets [0, 24) "
                  "span 24 bytes");

  EXPECT_CONTAINS(errorOf(SafeTensorsFile::open(file("absent.safetensors"))),
                  "cannot read");
}

TEST_F(SafeTensorsTest, MissingTensorMessage) {
  std::vector<std::pair<std::string, HostArray>> tensors;
  for (const char *name :
       {"encoder.layer.0.weight", "encoder.layer.0.bias", "decoder.weight",
        "decoder.bias", "embed.weight", "head.weight", "norm.weight"})
    tensors.push_back({name, sampleArray(DType::F16, {2})});
  std::string path = file("names.safetensors");
  ASSERT_OK(writeSafeTensors(path, tensors));
  auto f = unwrap(SafeTensorsFile::open(path));
  ASSERT_TRUE(f);
  std::string msg = errorOf(f->read("decoder.weights"));
  EXPECT_CONTAINS(msg, "tensor 'decoder.weights' not found in '" + path + "'");
  EXPECT_CONTAINS(msg, "7 tensors; available: 'decoder.weight'");
  EXPECT_CONTAINS(msg, ", ...)");

  std::string empty = file("none.safetensors");
  ASSERT_OK(writeSafeTensors(empty, {}));
  auto g = unwrap(SafeTensorsFile::open(empty));
  ASSERT_TRUE(g);
  EXPECT_CONTAINS(errorOf(g->read("x")), "the file has no tensors");
}

//===----------------------------------------------------------------------===//
// Robustness: seeded random mutations never crash or read out of bounds.
//===----------------------------------------------------------------------===//

/// Applies one random mutation to `bytes`. `lengthFieldSize` is the size of
/// the header length field at `lengthFieldOffset`.
void mutate(std::string &bytes, std::mt19937_64 &rng, size_t lengthFieldOffset,
            size_t lengthFieldSize) {
  auto pick = [&](uint64_t n) { return n ? rng() % n : 0; };
  switch (pick(8)) {
  case 0: // Flip a bit.
    if (!bytes.empty())
      bytes[pick(bytes.size())] ^= static_cast<char>(1 << pick(8));
    break;
  case 1: // Overwrite a byte, mostly within the header.
    if (!bytes.empty())
      bytes[pick(std::min<size_t>(bytes.size(), 200))] =
          static_cast<char>(rng());
    break;
  case 2: // Truncate.
    bytes.resize(pick(bytes.size() + 1));
    break;
  case 3: // Append garbage.
    for (uint64_t i = 0, n = pick(40); i < n; ++i)
      bytes.push_back(static_cast<char>(rng()));
    break;
  case 4: { // Change the header length field.
    if (bytes.size() < lengthFieldOffset + lengthFieldSize)
      break;
    uint64_t old =
        lengthFieldSize == 8
            ? llvm::support::endian::read64le(&bytes[lengthFieldOffset])
            : llvm::support::endian::read16le(&bytes[lengthFieldOffset]);
    const uint64_t choices[] = {0,
                                old + 1,
                                old - 1,
                                old + pick(64),
                                old - pick(64),
                                bytes.size(),
                                bytes.size() - lengthFieldOffset -
                                    lengthFieldSize,
                                rng(),
                                ~uint64_t(0),
                                uint64_t(1) << 63};
    uint64_t v = choices[pick(std::size(choices))];
    if (lengthFieldSize == 8)
      llvm::support::endian::write64le(&bytes[lengthFieldOffset], v);
    else
      llvm::support::endian::write16le(&bytes[lengthFieldOffset],
                                       static_cast<uint16_t>(v));
    break;
  }
  case 5: { // Replace a number in the header with an extreme one.
    std::vector<size_t> starts;
    size_t limit = std::min<size_t>(bytes.size(), 400);
    for (size_t i = 0; i < limit; ++i)
      if (isdigit(static_cast<unsigned char>(bytes[i])) &&
          (i == 0 || !isdigit(static_cast<unsigned char>(bytes[i - 1]))))
        starts.push_back(i);
    if (starts.empty())
      break;
    size_t s = starts[pick(starts.size())], e = s;
    while (e < bytes.size() && isdigit(static_cast<unsigned char>(bytes[e])))
      ++e;
    const char *numbers[] = {"0",
                             "1",
                             "-1",
                             "7",
                             "48",
                             "4294967296",
                             "9223372036854775807",
                             "9223372036854775808",
                             "18446744073709551615",
                             "18446744073709551616",
                             "99999999999999999999999",
                             "3037000500",
                             "1e300",
                             "2.5",
                             "-9223372036854775808",
                             "9.223372036854775808e18"};
    bytes.replace(s, e - s, numbers[pick(std::size(numbers))]);
    break;
  }
  case 6: // Delete a byte.
    if (!bytes.empty())
      bytes.erase(pick(bytes.size()), 1);
    break;
  case 7: { // Insert a structural character.
    const char chars[] = "{}[](),:'\" \\\n0-";
    bytes.insert(bytes.begin() + pick(bytes.size() + 1),
                 chars[pick(sizeof(chars) - 1)]);
    break;
  }
  }
}

/// A heap copy of exactly `bytes.size()` bytes, so that reads past the end
/// are caught by AddressSanitizer.
std::unique_ptr<char[]> exactCopy(StringRef bytes) {
  std::unique_ptr<char[]> copy(new char[bytes.size() ? bytes.size() : 1]);
  if (!bytes.empty())
    std::memcpy(copy.get(), bytes.data(), bytes.size());
  return copy;
}

TEST_F(SafeTensorsTest, RandomMutationsNeverCrash) {
  std::vector<std::pair<std::string, HostArray>> tensors = {
      {"embed", sampleArray(DType::BF16, {4, 3})},
      {"w", sampleArray(DType::F32, {3, 2})},
      {"b", sampleArray(DType::I64, {2})},
      {"mask", sampleArray(DType::Bool, {5})},
      {"scalar", sampleArray(DType::F16, {})},
      {"none", sampleArray(DType::U8, {0})}};
  const std::string valid =
      unwrap(serializeSafeTensors(tensors, {{"format", "pt"}}));
  std::mt19937_64 rng(20240611);
  int accepted = 0, rejected = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string bytes = valid;
    for (uint64_t m = 0, n = 1 + rng() % 3; m < n; ++m)
      mutate(bytes, rng, 0, 8);
    std::unique_ptr<char[]> copy = exactCopy(bytes);
    const char *lo = copy.get(), *hi = copy.get() + bytes.size();
    Expected<std::unique_ptr<SafeTensorsFile>> f =
        iter % 20 == 0
            ? [&] {
                std::string p = file("mutant.safetensors");
                writeBytes(p, bytes);
                return SafeTensorsFile::open(p);
              }()
            : SafeTensorsFile::fromBuffer(llvm::MemoryBuffer::getMemBuffer(
                  StringRef(copy.get(), bytes.size()), "mutant", false));
    if (!f) {
      std::string msg = llvm::toString(f.takeError());
      EXPECT_CONTAINS(msg, "mutant");
      ++rejected;
      continue;
    }
    ++accepted;
    llvm::ArrayRef<uint8_t> section = (*f)->dataSection();
    if (iter % 20 != 0) {
      ASSERT_GE(reinterpret_cast<const char *>(section.begin()), lo);
      ASSERT_LE(reinterpret_cast<const char *>(section.end()), hi);
    }
    const uint8_t *prevEnd = section.begin();
    for (const SafeTensorsFile::Entry &e : (*f)->entries()) {
      ASSERT_GE(e.data.begin(), section.begin());
      ASSERT_LE(e.data.end(), section.end());
      std::optional<int64_t> size = checkedByteSize(e.dtype, e.shape);
      ASSERT_TRUE(size.has_value());
      ASSERT_EQ(static_cast<uint64_t>(*size), e.data.size());
      if (!e.data.empty()) {
        ASSERT_GE(e.data.begin(), prevEnd) << "overlapping entries accepted";
        prevEnd = e.data.end();
      }
      HostArray a = unwrap((*f)->read(e.name));
      ASSERT_EQ(a.toDouble().size(),
                static_cast<size_t>(*size) / dtypeSize(e.dtype));
    }
  }
  // The mutations must exercise both outcomes.
  RecordProperty("accepted", accepted);
  RecordProperty("rejected", rejected);
  EXPECT_GT(accepted, 50);
  EXPECT_GT(rejected, 1000);
}

TEST_F(NpyTest, RandomMutationsNeverCrash) {
  const std::string valid =
      unwrap(serializeNpy(sampleArray(DType::I16, {3, 4, 2})));
  std::mt19937_64 rng(77);
  int accepted = 0, rejected = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string bytes = valid;
    for (uint64_t m = 0, n = 1 + rng() % 3; m < n; ++m)
      mutate(bytes, rng, 8, 2);
    // Sometimes switch to format 2.0 (4-byte length) to mutate that path.
    if (iter % 7 == 0 && bytes.size() > 8)
      bytes[6] = static_cast<char>(1 + rng() % 3);
    Expected<HostArray> a = [&]() -> Expected<HostArray> {
      if (iter % 20 == 0) {
        std::string p = file("mutant.npy");
        writeBytes(p, bytes);
        return readNpy(p);
      }
      std::unique_ptr<char[]> copy = exactCopy(bytes);
      return parseNpy(StringRef(copy.get(), bytes.size()), "mutant.npy");
    }();
    if (!a) {
      EXPECT_CONTAINS(llvm::toString(a.takeError()), "mutant.npy");
      ++rejected;
      continue;
    }
    ++accepted;
    std::optional<int64_t> size = checkedByteSize(a->dtype, a->shape);
    ASSERT_TRUE(size.has_value());
    ASSERT_EQ(static_cast<uint64_t>(*size), a->bytes.size());
    ASSERT_EQ(a->toDouble().size(), a->bytes.size() / dtypeSize(a->dtype));
  }
  RecordProperty("accepted", accepted);
  RecordProperty("rejected", rejected);
  EXPECT_GT(accepted, 50);
  EXPECT_GT(rejected, 1000);
}

//===----------------------------------------------------------------------===//
// Reading and writing files
//===----------------------------------------------------------------------===//

using FilesTest = TempDirTest;

TEST_F(FilesTest, ReadsRegularFilesOnly) {
  std::string path = file("a.txt");
  writeBytes(path, "abc");
  std::unique_ptr<llvm::MemoryBuffer> buffer = unwrap(readFile(path));
  ASSERT_TRUE(buffer);
  EXPECT_EQ(buffer->getBuffer(), "abc");
  EXPECT_EQ(buffer->getBufferIdentifier(), path);
  EXPECT_EQ(*buffer->getBufferEnd(), '\0');

  // A FIFO would block, /dev/zero never end: both are refused unopened,
  // whichever reader meets them.
  std::string fifo = file("fifo.npy");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(errorOf(readFile(fifo)),
            "cannot read '" + fifo + "': it is a FIFO, not a regular file");
  EXPECT_CONTAINS(errorOf(readNpy(fifo)), "it is a FIFO, not a regular file");
  EXPECT_CONTAINS(errorOf(SafeTensorsFile::open(fifo)), "it is a FIFO");
  EXPECT_EQ(errorOf(readFile("/dev/zero")),
            "cannot read '/dev/zero': it is a character device, not a regular file");
  EXPECT_EQ(errorOf(readFile(dir)),
            "cannot read '" + std::string(dir) + "': it is a directory, not a regular file");
  EXPECT_CONTAINS(errorOf(readFile(file("absent"))), "No such file or directory");
}

TEST_F(FilesTest, WriteErrorsNameTheFile) {
  std::string path = file("out.npy");
  ASSERT_OK(writeFile(path, "abc"));
  EXPECT_EQ(readBytes(path), "abc");

  // A failing writer leaves nothing behind.
  EXPECT_EQ(errorOf(writeFile(path,
                              [](llvm::raw_pwrite_stream &os) {
                                os << "partial";
                                return llvm::createStringError("the writer failed");
                              })),
            "cannot write '" + path + "': the writer failed");
  EXPECT_FALSE(llvm::sys::fs::exists(path));

  // A full device: the reason instead of LLVM's fatal "IO failure", and the
  // device (here behind a link) is left in place.
  if (!llvm::sys::fs::exists("/dev/full"))
    GTEST_SKIP() << "no /dev/full";
  EXPECT_EQ(errorOf(writeFile("/dev/full", "abc")),
            "cannot write '/dev/full': No space left on device");
  std::string link = file("full.npy");
  ASSERT_FALSE(llvm::sys::fs::create_link("/dev/full", link));
  EXPECT_CONTAINS(errorOf(writeNpy(link, sampleArray(DType::F32, {2}))),
                  "cannot write '" + link + "': No space left on device");
  EXPECT_CONTAINS(errorOf(writeSafeTensors(link, {{"w", sampleArray(DType::F32, {2})}})),
                  "No space left on device");
  EXPECT_TRUE(llvm::sys::fs::exists(link));
}

} // namespace
