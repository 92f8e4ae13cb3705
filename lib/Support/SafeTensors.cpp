//===- SafeTensors.cpp - Reading and writing .safetensors files ----------===//
//
// All validation happens in fromBuffer: after it succeeds every Entry's bytes
// lie inside the data section, match its dtype and shape, and no two entries
// overlap. Sizes are computed with overflow checks, since the header is
// untrusted input.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/SafeTensors.h"
#include "lib/Support/Files.h"
#include "lib/Support/Json.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace icl {

namespace {

constexpr StringRef kMetadataKey = "__metadata__";
constexpr size_t kMaxListedNames = 5;

const struct {
  StringRef name;
  DType dtype;
} kDTypes[] = {{"F16", DType::F16},  {"BF16", DType::BF16}, {"F32", DType::F32},
               {"F64", DType::F64},  {"I8", DType::I8},     {"I16", DType::I16},
               {"I32", DType::I32},  {"I64", DType::I64},   {"U8", DType::U8},
               {"BOOL", DType::Bool}};

std::optional<DType> parseSafeTensorsDType(StringRef name) {
  for (const auto &t : kDTypes)
    if (t.name == name)
      return t.dtype;
  return std::nullopt;
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

/// A JSON value printed compactly and shortened for an error message.
std::string jsonSnippet(const json::Value &v) {
  std::string s;
  raw_string_ostream os(s);
  os << v;
  return snippet(s);
}

/// A JSON number that should be a non-negative integer.
struct JsonUInt {
  enum Kind { Ok, NotInteger, Negative, TooLarge } kind;
  uint64_t value = 0;
  double asDouble = 0; // For Negative: the value, for messages.
};

/// Classifies `v` without json::Value::getAsInteger, whose double path
/// converts 2^63 to int64_t.
JsonUInt classifyUInt(const json::Value &v) {
  if (std::optional<uint64_t> u = v.getAsUINT64())
    return {JsonUInt::Ok, *u};
  std::optional<double> d = v.getAsNumber();
  if (!d || !std::isfinite(*d))
    return {JsonUInt::NotInteger};
  double intPart;
  if (std::modf(*d, &intPart) != 0.0)
    return {JsonUInt::NotInteger};
  if (*d < 0)
    return {JsonUInt::Negative, 0, *d};
  if (*d >= 18446744073709551616.0) // 2^64
    return {JsonUInt::TooLarge};
  return {JsonUInt::Ok, static_cast<uint64_t>(*d)};
}

Error fileError(StringRef path, const Twine &what) {
  return createStringError(path + ": " + what);
}

} // namespace

StringRef safeTensorsDTypeName(DType dtype) {
  for (const auto &t : kDTypes)
    if (t.dtype == dtype)
      return t.name;
  return "";
}

Expected<std::unique_ptr<SafeTensorsFile>>
SafeTensorsFile::open(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer =
      readFile(path, /*nullTerminated=*/false);
  if (!buffer)
    return buffer.takeError();
  // readFile names the buffer after `path`, so errors name the file.
  return fromBuffer(std::move(*buffer));
}

Expected<std::unique_ptr<SafeTensorsFile>>
SafeTensorsFile::fromBuffer(std::unique_ptr<MemoryBuffer> buffer) {
  std::unique_ptr<SafeTensorsFile> file(new SafeTensorsFile());
  file->filePath = buffer->getBufferIdentifier().str();
  StringRef path = file->filePath;
  StringRef bytes = buffer->getBuffer();

  if (bytes.size() < 8)
    return fileError(path, "file is only " + Twine(bytes.size()) +
                               " bytes; a safetensors file starts with an "
                               "8-byte header length");
  const uint64_t headerLen = support::endian::read64le(bytes.data());
  const uint64_t available = bytes.size() - 8;
  if (headerLen > available)
    return fileError(path, "header length " + Twine(headerLen) +
                               " is larger than the file (only " +
                               Twine(available) +
                               " bytes follow the 8-byte length field)");
  StringRef header = bytes.substr(8, headerLen);
  StringRef dataBytes = bytes.drop_front(8 + headerLen);
  const uint64_t dataSize = dataBytes.size();

  Expected<json::Value> parsed = parseJson(header);
  if (!parsed)
    return fileError(path, "header is not valid JSON: " +
                               toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return fileError(path,
                     "header is not a JSON object: " + jsonSnippet(*parsed));

  // Validate in name order so the first error reported is deterministic.
  std::vector<StringRef> names;
  for (const auto &kv : *root)
    names.push_back(kv.first);
  llvm::sort(names);

  struct Range {
    uint64_t begin, end;
  };
  std::vector<Range> ranges;
  for (StringRef name : names) {
    const json::Value &value = *root->get(name);
    if (name == kMetadataKey) {
      const json::Object *meta = value.getAsObject();
      if (!meta)
        return fileError(path, "\"__metadata__\" is not a JSON object: " +
                                   jsonSnippet(value));
      for (const auto &kv : *meta) {
        std::optional<StringRef> s = kv.second.getAsString();
        if (!s)
          return fileError(path,
                           "metadata value for key '" + snippet(kv.first) +
                               "' is not a string: " + jsonSnippet(kv.second));
        file->metadataMap[kv.first.str()] = s->str();
      }
      continue;
    }

    std::string quoted = "tensor '" + snippet(name) + "'";
    const json::Object *desc = value.getAsObject();
    if (!desc)
      return fileError(path, quoted + " is not described by a JSON object: " +
                                 jsonSnippet(value));
    const json::Value *dtypeValue = desc->get("dtype");
    const json::Value *shapeValue = desc->get("shape");
    const json::Value *offsetsValue = desc->get("data_offsets");
    for (auto [field, fieldName] :
         {std::pair(dtypeValue, "dtype"), std::pair(shapeValue, "shape"),
          std::pair(offsetsValue, "data_offsets")})
      if (!field)
        return fileError(path, quoted + " has no \"" + fieldName + "\"");

    std::optional<StringRef> dtypeName = dtypeValue->getAsString();
    if (!dtypeName)
      return fileError(path, quoted +
                                 " has a \"dtype\" that is not a string: " +
                                 jsonSnippet(*dtypeValue));
    std::optional<DType> dtype = parseSafeTensorsDType(*dtypeName);
    if (!dtype)
      return fileError(path, quoted + " has unsupported dtype '" +
                                 snippet(*dtypeName) +
                                 "' (supported: F16, BF16, F32, F64, I8, I16, "
                                 "I32, I64, U8, BOOL)");

    const json::Array *shapeArray = shapeValue->getAsArray();
    if (!shapeArray)
      return fileError(path, quoted +
                                 " has a \"shape\" that is not an array: " +
                                 jsonSnippet(*shapeValue));
    std::vector<int64_t> shape;
    for (const json::Value &dim : *shapeArray) {
      JsonUInt d = classifyUInt(dim);
      switch (d.kind) {
      case JsonUInt::Ok:
        if (d.value > static_cast<uint64_t>(INT64_MAX))
          return fileError(
              path, quoted + " has a dimension too large: " + jsonSnippet(dim));
        shape.push_back(static_cast<int64_t>(d.value));
        continue;
      case JsonUInt::Negative:
        return fileError(path, quoted + " has a negative dimension " +
                                   jsonSnippet(dim) + " in its shape");
      case JsonUInt::TooLarge:
        return fileError(
            path, quoted + " has a dimension too large: " + jsonSnippet(dim));
      case JsonUInt::NotInteger:
        return fileError(path, quoted +
                                   " has a shape element that is not "
                                   "an integer: " +
                                   jsonSnippet(dim));
      }
    }

    const json::Array *offsets = offsetsValue->getAsArray();
    JsonUInt begin{JsonUInt::NotInteger}, end{JsonUInt::NotInteger};
    if (offsets && offsets->size() == 2) {
      begin = classifyUInt((*offsets)[0]);
      end = classifyUInt((*offsets)[1]);
    }
    if (begin.kind != JsonUInt::Ok || end.kind != JsonUInt::Ok ||
        begin.value > end.value)
      return fileError(path, quoted + " has \"data_offsets\" " +
                                 jsonSnippet(*offsetsValue) +
                                 "; expected [begin, end] with 0 <= begin <= "
                                 "end");

    std::optional<int64_t> byteSize = checkedByteSize(*dtype, shape);
    if (!byteSize)
      return fileError(path, quoted + " has shape " + formatShape(shape) +
                                 " whose size in bytes overflows");
    if (end.value > dataSize)
      return fileError(path, "truncated: " + quoted + " needs bytes [" +
                                 Twine(begin.value) + ", " + Twine(end.value) +
                                 ") but the data section has only " +
                                 Twine(dataSize) + " bytes");
    if (end.value - begin.value != static_cast<uint64_t>(*byteSize))
      return fileError(
          path, quoted + ": the header says shape " + formatShape(shape) +
                    " of " + *dtypeName + " (" + Twine(*byteSize) +
                    " bytes) but data_offsets [" + Twine(begin.value) + ", " +
                    Twine(end.value) + ") span " +
                    Twine(end.value - begin.value) + " bytes");

    Entry entry;
    entry.name = name.str();
    entry.dtype = *dtype;
    entry.shape = std::move(shape);
    entry.data = ArrayRef<uint8_t>(dataBytes.bytes_begin() + begin.value,
                                   end.value - begin.value);
    file->entryList.push_back(std::move(entry));
    ranges.push_back({begin.value, end.value});
  }

  // Order entries by position and reject overlapping (non-empty) ranges.
  std::vector<size_t> order(file->entryList.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    return std::make_pair(ranges[a].begin, ranges[a].end) <
           std::make_pair(ranges[b].begin, ranges[b].end);
  });
  std::optional<size_t> furthest; // The non-empty range reaching furthest.
  for (size_t i : order) {
    if (ranges[i].begin == ranges[i].end)
      continue;
    if (furthest && ranges[i].begin < ranges[*furthest].end) {
      const Range &a = ranges[*furthest], &b = ranges[i];
      return fileError(
          path, "tensors '" + snippet(file->entryList[*furthest].name) + "' [" +
                    Twine(a.begin) + ", " + Twine(a.end) + ") and '" +
                    snippet(file->entryList[i].name) + "' [" + Twine(b.begin) +
                    ", " + Twine(b.end) + ") overlap");
    }
    if (!furthest || ranges[i].end > ranges[*furthest].end)
      furthest = i;
  }
  std::vector<Entry> sorted;
  sorted.reserve(order.size());
  for (size_t i : order)
    sorted.push_back(std::move(file->entryList[i]));
  file->entryList = std::move(sorted);
  for (size_t i = 0; i < file->entryList.size(); ++i)
    file->index[file->entryList[i].name] = i;

  file->data = ArrayRef<uint8_t>(dataBytes.bytes_begin(), dataBytes.size());
  file->buffer = std::move(buffer);
  return Expected<std::unique_ptr<SafeTensorsFile>>(std::move(file));
}

const SafeTensorsFile::Entry *SafeTensorsFile::lookup(StringRef name) const {
  auto it = index.find(name);
  return it == index.end() ? nullptr : &entryList[it->second];
}

Expected<HostArray> SafeTensorsFile::read(StringRef name) const {
  if (const Entry *entry = lookup(name)) {
    HostArray array;
    array.dtype = entry->dtype;
    array.shape = entry->shape;
    array.bytes.assign(entry->data.begin(), entry->data.end());
    return array;
  }
  std::string message;
  raw_string_ostream os(message);
  os << "tensor '" << snippet(name) << "' not found in '" << filePath << "'";
  if (entryList.empty()) {
    os << " (the file has no tensors)";
  } else {
    // List the names closest to the one asked for.
    std::vector<std::pair<unsigned, StringRef>> byDistance;
    for (const Entry &e : entryList)
      byDistance.push_back(
          {name.edit_distance(e.name, /*AllowReplacements=*/true), e.name});
    llvm::sort(byDistance);
    os << " (" << entryList.size() << " tensor"
       << (entryList.size() == 1 ? "" : "s") << "; available: ";
    size_t shown = std::min(kMaxListedNames, byDistance.size());
    for (size_t i = 0; i < shown; ++i)
      os << (i ? ", " : "") << "'" << snippet(byDistance[i].second) << "'";
    if (shown < byDistance.size())
      os << ", ...";
    os << ")";
  }
  return createStringError(message);
}

namespace {

/// Checks the tensors and builds the padded JSON header for them.
Expected<std::string>
buildHeader(ArrayRef<std::pair<std::string, HostArray>> tensors,
            const std::map<std::string, std::string> &metadata) {
  StringMap<bool> seen;
  for (const auto &[name, array] : tensors) {
    if (name.empty())
      return createStringError("tensor names must not be empty");
    if (name == kMetadataKey)
      return createStringError("'__metadata__' cannot name a tensor");
    if (!json::isUTF8(name))
      return createStringError("tensor name '" + snippet(name) +
                               "' is not valid UTF-8");
    if (!seen.try_emplace(name, true).second)
      return createStringError("duplicate tensor name '" + snippet(name) + "'");
    if (Error err = array.verify())
      return createStringError("tensor '" + snippet(name) +
                               "': " + toString(std::move(err)));
  }
  for (const auto &[key, value] : metadata)
    if (!json::isUTF8(key) || !json::isUTF8(value))
      return createStringError("metadata entry '" + snippet(key) +
                               "' is not valid UTF-8");

  std::string header;
  raw_string_ostream hos(header);
  json::OStream json(hos);
  json.object([&] {
    if (!metadata.empty())
      json.attributeObject(kMetadataKey, [&] {
        for (const auto &[key, value] : metadata)
          json.attribute(key, value);
      });
    int64_t offset = 0;
    for (const auto &tensor : tensors) {
      const HostArray &array = tensor.second;
      int64_t size = static_cast<int64_t>(array.bytes.size());
      json.attributeObject(tensor.first, [&] {
        json.attribute("dtype", safeTensorsDTypeName(array.dtype));
        json.attributeArray("shape", [&] {
          for (int64_t d : array.shape)
            json.value(d);
        });
        json.attributeArray("data_offsets", [&] {
          json.value(offset);
          json.value(offset + size);
        });
      });
      offset += size;
    }
  });
  hos.flush();
  header.append((8 - header.size() % 8) % 8, ' ');
  return header;
}

/// Writes the length field, `header` and the tensor bytes to `out`.
void emit(raw_ostream &out, StringRef header,
          ArrayRef<std::pair<std::string, HostArray>> tensors) {
  char length[8];
  support::endian::write64le(length, header.size());
  out.write(length, sizeof(length));
  out << header;
  for (const auto &t : tensors)
    out.write(reinterpret_cast<const char *>(t.second.bytes.data()),
              t.second.bytes.size());
}

size_t totalSize(StringRef header,
                 ArrayRef<std::pair<std::string, HostArray>> tensors) {
  size_t size = 8 + header.size();
  for (const auto &t : tensors)
    size += t.second.bytes.size();
  return size;
}

} // namespace

Expected<std::string>
serializeSafeTensors(ArrayRef<std::pair<std::string, HostArray>> tensors,
                     const std::map<std::string, std::string> &metadata) {
  Expected<std::string> header = buildHeader(tensors, metadata);
  if (!header)
    return header.takeError();
  std::string out;
  out.reserve(totalSize(*header, tensors));
  raw_string_ostream os(out);
  emit(os, *header, tensors);
  return out;
}

Error writeSafeTensors(StringRef path,
                       ArrayRef<std::pair<std::string, HostArray>> tensors,
                       const std::map<std::string, std::string> &metadata) {
  Expected<std::string> header = buildHeader(tensors, metadata);
  if (!header)
    return createStringError("cannot write '" + path +
                             "': " + toString(header.takeError()));
  // Tensor bytes go straight to the file, without an intermediate copy of
  // the whole file in memory.
  return writeFile(path, [&](raw_pwrite_stream &os) {
    emit(os, *header, tensors);
    return Error::success();
  });
}

} // namespace icl
