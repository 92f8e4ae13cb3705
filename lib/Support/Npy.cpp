//===- Npy.cpp - Reading and writing numpy .npy files ---------------------===//
//
// The header of a .npy file is a Python literal. A small recursive-descent
// parser below reads the subset numpy writes (dicts, tuples, lists, strings,
// integers, True/False/None) with a nesting limit, so hostile headers cannot
// overflow the stack; every access is bounds-checked.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/Npy.h"
#include "lib/Support/Files.h"

#include <cmath>

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace icl {

namespace {

const StringRef kMagic("\x93NUMPY", 6);
constexpr size_t kArrayAlign = 64;
/// numpy pads the header so that the first dimension can grow to this many
/// digits in place (numpy.lib.format.GROWTH_AXIS_MAX_DIGITS).
constexpr size_t kGrowthAxisMaxDigits = 21;
constexpr int kMaxNesting = 32;
const char *const kSupportedDescrs =
    "<f2, <f4, <f8, |i1, <i2, <i4, <i8, |u1, |b1";

/// A parsed Python literal.
struct PyValue {
  enum Kind { Str, Int, Bool, None, Tuple, List, Dict };
  Kind kind = None;
  std::string str;
  int64_t intValue = 0;
  bool boolValue = false;
  /// Elements of a Tuple or List; values of a Dict.
  std::vector<PyValue> items;
  /// Keys of a Dict, parallel to `items`.
  std::vector<std::string> keys;

  StringRef kindName() const {
    switch (kind) {
    case Str:
      return "a string";
    case Int:
      return "an integer";
    case Bool:
      return "a bool";
    case None:
      return "None";
    case Tuple:
      return "a tuple";
    case List:
      return "a list";
    case Dict:
      return "a dict";
    }
    return "a value";
  }
};

/// Parses one Python literal; on failure `error` says why.
class PyLiteralParser {
public:
  explicit PyLiteralParser(StringRef text) : text(text) {}

  bool parseTopLevel(PyValue &out) {
    skipSpace();
    if (!parseValue(out, 0))
      return false;
    skipSpace();
    if (pos != text.size())
      return fail("unexpected text after the literal");
    return true;
  }

  const std::string &getError() const { return error; }

private:
  StringRef text;
  size_t pos = 0;
  std::string error;

  bool fail(const Twine &msg) {
    error = (msg + " at offset " + Twine(pos)).str();
    return false;
  }

  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return atEnd() ? '\0' : text[pos]; }

  void skipSpace() {
    while (!atEnd() && (text[pos] == ' ' || text[pos] == '\t' ||
                        text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  bool parseValue(PyValue &out, int depth) {
    if (depth > kMaxNesting)
      return fail("literal nested too deeply");
    if (atEnd())
      return fail("unexpected end of header");
    char c = peek();
    if (c == '\'' || c == '"') {
      out.kind = PyValue::Str;
      return parseString(out.str);
    }
    if (c == '-' || c == '+' || isDigit(c))
      return parseInt(out);
    if (c == '(' || c == '[')
      return parseSequence(out, depth, c == '(' ? ')' : ']');
    if (c == '{')
      return parseDict(out, depth);
    if (isAlpha(c)) {
      size_t start = pos;
      while (!atEnd() && (isAlnum(peek()) || peek() == '_'))
        ++pos;
      StringRef word = text.slice(start, pos);
      if (word == "True" || word == "False") {
        out.kind = PyValue::Bool;
        out.boolValue = word == "True";
        return true;
      }
      if (word == "None") {
        out.kind = PyValue::None;
        return true;
      }
      pos = start;
      return fail("unsupported name '" + word + "'");
    }
    return fail("unexpected character '" + Twine(printableChar(c)) + "'");
  }

  static std::string printableChar(char c) {
    std::string s;
    raw_string_ostream os(s);
    printEscapedString(StringRef(&c, 1), os);
    return s;
  }

  bool parseString(std::string &out) {
    char quote = text[pos++];
    out.clear();
    while (true) {
      if (atEnd())
        return fail("unterminated string");
      char c = text[pos++];
      if (c == quote)
        return true;
      if (c == '\\') {
        if (atEnd())
          return fail("unterminated string");
        c = text[pos++];
      }
      out.push_back(c);
    }
  }

  bool parseInt(PyValue &out) {
    size_t start = pos;
    bool negative = false;
    if (peek() == '-' || peek() == '+') {
      negative = peek() == '-';
      ++pos;
    }
    if (!isDigit(peek()))
      return fail("expected digits");
    uint64_t magnitude = 0;
    bool overflow = false;
    while (!atEnd() && isDigit(peek())) {
      unsigned digit = peek() - '0';
      if (magnitude > (UINT64_MAX - digit) / 10)
        overflow = true;
      else
        magnitude = magnitude * 10 + digit;
      ++pos;
    }
    // Python 2 era numpy wrote longs as "3L".
    if (peek() == 'L' || peek() == 'l')
      ++pos;
    const uint64_t limit =
        negative ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX);
    if (overflow || magnitude > limit) {
      pos = start;
      return fail("integer out of range");
    }
    out.kind = PyValue::Int;
    out.intValue = negative ? static_cast<int64_t>(0 - magnitude)
                            : static_cast<int64_t>(magnitude);
    return true;
  }

  bool parseSequence(PyValue &out, int depth, char close) {
    out.kind = close == ')' ? PyValue::Tuple : PyValue::List;
    ++pos; // Opening bracket.
    skipSpace();
    while (true) {
      if (atEnd())
        return fail("unterminated " + Twine(close == ')' ? "tuple" : "list"));
      if (peek() == close) {
        ++pos;
        return true;
      }
      PyValue item;
      if (!parseValue(item, depth + 1))
        return false;
      out.items.push_back(std::move(item));
      skipSpace();
      if (peek() == ',') {
        ++pos;
        skipSpace();
        continue;
      }
      if (peek() != close)
        return fail("expected ',' or '" + Twine(close) + "'");
    }
  }

  bool parseDict(PyValue &out, int depth) {
    out.kind = PyValue::Dict;
    ++pos; // '{'
    skipSpace();
    while (true) {
      if (atEnd())
        return fail("unterminated dict");
      if (peek() == '}') {
        ++pos;
        return true;
      }
      if (peek() != '\'' && peek() != '"')
        return fail("dict key is not a string");
      std::string key;
      if (!parseString(key))
        return false;
      skipSpace();
      if (peek() != ':')
        return fail("expected ':' after dict key");
      ++pos;
      skipSpace();
      PyValue value;
      if (!parseValue(value, depth + 1))
        return false;
      for (const std::string &k : out.keys)
        if (k == key)
          return fail("duplicate dict key '" + key + "'");
      out.keys.push_back(std::move(key));
      out.items.push_back(std::move(value));
      skipSpace();
      if (peek() == ',') {
        ++pos;
        skipSpace();
        continue;
      }
      if (peek() != '}')
        return fail("expected ',' or '}'");
    }
  }
};

Error npyError(StringRef name, const Twine &what) {
  return createStringError(name + ": " + what);
}

/// At most `limit` characters of `s`, escaped for an error message.
std::string snippet(StringRef s, size_t limit = 80) {
  std::string out;
  raw_string_ostream os(out);
  printEscapedString(s.take_front(limit), os);
  if (s.size() > limit)
    os << "...";
  return out;
}

/// Maps a numpy descr to a DType.
Expected<DType> parseDescr(StringRef descr, StringRef name) {
  static const struct {
    StringRef code;
    DType dtype;
  } kTypes[] = {{"f2", DType::F16}, {"f4", DType::F32}, {"f8", DType::F64},
                {"i1", DType::I8},  {"i2", DType::I16}, {"i4", DType::I32},
                {"i8", DType::I64}, {"u1", DType::U8},  {"b1", DType::Bool}};
  auto unsupported = [&]() {
    return npyError(name, "unsupported dtype '" + snippet(descr) +
                              "' (supported: " + kSupportedDescrs + ")");
  };
  if (descr.size() < 2)
    return unsupported();
  char order = descr[0];
  StringRef code = descr.drop_front();
  for (const auto &t : kTypes) {
    if (code != t.code)
      continue;
    if (dtypeSize(t.dtype) == 1) {
      if (order == '<' || order == '>' || order == '|' || order == '=')
        return t.dtype;
      return unsupported();
    }
    if (order == '<')
      return t.dtype;
    if (order == '>')
      return npyError(name, "big-endian dtype '" + descr +
                                "' is not supported (only little-endian '<' "
                                "data; convert with arr.astype('<" +
                                code + "'))");
    return unsupported();
  }
  return unsupported();
}

std::string shapeRepr(ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  s += ")";
  return s;
}

} // namespace

StringRef npyDescr(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return "<f2";
  case DType::BF16:
    return "";
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::I8:
    return "|i1";
  case DType::I16:
    return "<i2";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::U8:
    return "|u1";
  case DType::Bool:
    return "|b1";
  }
  return "";
}

Expected<HostArray> parseNpy(StringRef bytes, StringRef name) {
  if (bytes.size() < kMagic.size() || !bytes.starts_with(kMagic))
    return npyError(name, "not a .npy file (bad magic; expected "
                          "\"\\x93NUMPY\", got \"" +
                              snippet(bytes.take_front(6)) + "\")");
  if (bytes.size() < 8)
    return npyError(name, "truncated: the file ends inside the version bytes");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    return npyError(name, "unsupported .npy format version " + Twine(major) +
                              "." + Twine(minor) +
                              " (supported: 1.0, 2.0, 3.0)");
  const size_t lenBytes = major == 1 ? 2 : 4;
  const size_t headerStart = 8 + lenBytes;
  if (bytes.size() < headerStart)
    return npyError(name,
                    "truncated: the file ends inside the header length field");
  const uint64_t headerLen = major == 1
                                 ? support::endian::read16le(bytes.data() + 8)
                                 : support::endian::read32le(bytes.data() + 8);
  if (headerLen > bytes.size() - headerStart)
    return npyError(name, "truncated header: the header length field says " +
                              Twine(headerLen) + " bytes but only " +
                              Twine(bytes.size() - headerStart) +
                              " bytes follow it");
  StringRef header = bytes.substr(headerStart, headerLen);

  PyValue dict;
  PyLiteralParser parser(header);
  if (!parser.parseTopLevel(dict))
    return npyError(name, "header is not a valid Python dict literal (" +
                              parser.getError() + "): \"" + snippet(header) +
                              "\"");
  if (dict.kind != PyValue::Dict)
    return npyError(name, "header is " + dict.kindName() + ", not a dict: \"" +
                              snippet(header) + "\"");

  const PyValue *descr = nullptr, *fortran = nullptr, *shapeValue = nullptr;
  for (size_t i = 0; i < dict.keys.size(); ++i) {
    StringRef key = dict.keys[i];
    if (key == "descr")
      descr = &dict.items[i];
    else if (key == "fortran_order")
      fortran = &dict.items[i];
    else if (key == "shape")
      shapeValue = &dict.items[i];
    else
      return npyError(name, "unexpected header key '" + snippet(key) +
                                "' (expected descr, fortran_order, shape)");
  }
  for (auto [value, key] :
       {std::pair(descr, "descr"), std::pair(fortran, "fortran_order"),
        std::pair(shapeValue, "shape")})
    if (!value)
      return npyError(name, Twine("header has no '") + key + "' key");

  if (descr->kind == PyValue::List)
    return npyError(name, "structured (record) dtypes are not supported");
  if (descr->kind != PyValue::Str)
    return npyError(name, "'descr' is " + descr->kindName() +
                              ", expected a string such as '<f4'");
  Expected<DType> dtype = parseDescr(descr->str, name);
  if (!dtype)
    return dtype.takeError();

  if (fortran->kind != PyValue::Bool)
    return npyError(name, "'fortran_order' is " + fortran->kindName() +
                              ", expected True or False");
  if (fortran->boolValue)
    return npyError(name, "fortran_order is True: Fortran-ordered "
                          "(column-major) arrays are not supported; save a "
                          "C-ordered array (np.ascontiguousarray)");

  if (shapeValue->kind != PyValue::Tuple && shapeValue->kind != PyValue::List)
    return npyError(name, "'shape' is " + shapeValue->kindName() +
                              ", expected a tuple of integers");
  std::vector<int64_t> shape;
  for (const PyValue &d : shapeValue->items) {
    if (d.kind != PyValue::Int)
      return npyError(name, "'shape' has an element that is " + d.kindName() +
                                ", expected integers");
    if (d.intValue < 0)
      return npyError(name,
                      "'shape' has a negative dimension " + Twine(d.intValue));
    shape.push_back(d.intValue);
  }
  std::optional<int64_t> needed = checkedByteSize(*dtype, shape);
  if (!needed)
    return npyError(name, "shape " + shapeRepr(shape) +
                              " is too large (the byte size overflows)");

  StringRef data = bytes.drop_front(headerStart + headerLen);
  if (data.size() != static_cast<uint64_t>(*needed)) {
    bool shorter = data.size() < static_cast<uint64_t>(*needed);
    return npyError(name, Twine("data is ") + (shorter ? "shorter" : "longer") +
                              " than the shape says: shape " +
                              shapeRepr(shape) + " of " + descr->str +
                              " needs " + Twine(*needed) +
                              " bytes but the file has " + Twine(data.size()) +
                              " data bytes" + (shorter ? " (truncated?)" : ""));
  }

  HostArray array;
  array.dtype = *dtype;
  array.shape = std::move(shape);
  array.bytes.assign(data.bytes_begin(), data.bytes_end());
  return array;
}

Expected<HostArray> readInput(StringRef spec) {
  auto [name, text] = spec.split('=');
  std::optional<DType> dtype = parseDTypeName(name);
  if (!dtype || text.empty() || llvm::sys::fs::exists(spec))
    return readNpy(spec);
  SmallVector<StringRef> items;
  text.split(items, ',');
  std::vector<double> values;
  for (StringRef item : items) {
    double v;
    if (item.trim().getAsDouble(v))
      return createStringError("input '" + spec + "': '" + item +
                               "' is not a number (a literal input reads DTYPE=V[,V...], "
                               "e.g. i64=5; otherwise give a .npy file)");
    if (!isFloat(*dtype) && v != std::trunc(v))
      return createStringError("input '" + spec + "': " + item + " is not an integer, as " +
                               name + " needs");
    values.push_back(v);
  }
  std::vector<int64_t> shape;
  if (values.size() > 1)
    shape.push_back(static_cast<int64_t>(values.size()));
  return HostArray::fromDouble(*dtype, shape, values);
}

Expected<HostArray> readNpy(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer =
      readFile(path, /*nullTerminated=*/false);
  if (!buffer)
    return buffer.takeError();
  return parseNpy((*buffer)->getBuffer(), path);
}

/// Everything writeNpy writes before the element bytes.
static Expected<std::string> buildNpyPrefix(const HostArray &array) {
  if (array.dtype == DType::BF16)
    return createStringError("bf16 has no .npy dtype; convert the array to "
                             "f32 before writing it as .npy");
  if (Error err = array.verify())
    return err;

  std::string dict =
      "{'descr': '" + npyDescr(array.dtype).str() +
      "', 'fortran_order': False, 'shape': " + shapeRepr(array.shape) + ", }";
  if (!array.shape.empty()) {
    size_t digits = std::to_string(array.shape[0]).size();
    if (digits < kGrowthAxisMaxDigits)
      dict.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  // As numpy's _wrap_header: the header ends in '\n' and is padded with
  // spaces so that magic + version + length + header is a multiple of 64.
  unsigned major = 1;
  size_t lenBytes = 2;
  size_t hlen = dict.size() + 1;
  size_t padLen = kArrayAlign - ((8 + lenBytes + hlen) % kArrayAlign);
  if (hlen + padLen > UINT16_MAX) {
    major = 2;
    lenBytes = 4;
    padLen = kArrayAlign - ((8 + lenBytes + hlen) % kArrayAlign);
    if (hlen + padLen > UINT32_MAX)
      return createStringError("npy header too large");
  }

  std::string out;
  out.reserve(8 + lenBytes + hlen + padLen);
  out += kMagic;
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  char lenField[4];
  if (lenBytes == 2)
    support::endian::write16le(lenField, static_cast<uint16_t>(hlen + padLen));
  else
    support::endian::write32le(lenField, static_cast<uint32_t>(hlen + padLen));
  out.append(lenField, lenBytes);
  out += dict;
  out.append(padLen, ' ');
  out.push_back('\n');
  return out;
}

Expected<std::string> serializeNpy(const HostArray &array) {
  Expected<std::string> out = buildNpyPrefix(array);
  if (!out)
    return out.takeError();
  out->append(reinterpret_cast<const char *>(array.bytes.data()),
              array.bytes.size());
  return out;
}

Error writeNpy(StringRef path, const HostArray &array) {
  Expected<std::string> prefix = buildNpyPrefix(array);
  if (!prefix)
    return createStringError("cannot write '" + path +
                             "': " + toString(prefix.takeError()));
  return writeFile(path, [&](raw_pwrite_stream &os) {
    os << *prefix;
    os.write(reinterpret_cast<const char *>(array.bytes.data()),
             array.bytes.size());
    return Error::success();
  });
}

} // namespace icl
