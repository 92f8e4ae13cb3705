//===- SafeTensors.h - Reading and writing .safetensors files ---*- C++ -*-===//
//
// The safetensors format: an 8-byte little-endian header length N, N bytes of
// JSON header, then the data section. The header is an object mapping each
// tensor name to {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]},
// with offsets relative to the start of the data section, plus an optional
// "__metadata__" object of string to string.
//
// SafeTensorsFile::open maps the file (MemoryBuffer mmaps large files) and
// validates the whole header up front, so every Entry it hands out refers to
// bytes inside the data section whose size matches its dtype and shape.
// Supported dtypes: F16, BF16, F32, F64, I8, I16, I32, I64, U8, BOOL.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_SUPPORT_SAFETENSORS_H
#define ICL_LIB_SUPPORT_SAFETENSORS_H

#include "lib/Support/HostArray.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace icl {

/// The safetensors dtype string of `dtype` ("F32", "BF16", "BOOL", ...).
llvm::StringRef safeTensorsDTypeName(DType dtype);

/// A validated, read-only view of a .safetensors file.
class SafeTensorsFile {
public:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    /// The tensor's bytes, inside the file's data section.
    llvm::ArrayRef<uint8_t> data;
  };

  /// Opens and validates the file at `path`.
  static llvm::Expected<std::unique_ptr<SafeTensorsFile>>
  open(llvm::StringRef path);

  /// Validates a file already in memory; the buffer identifier names the
  /// file in error messages.
  static llvm::Expected<std::unique_ptr<SafeTensorsFile>>
  fromBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer);

  /// The entry named `name`, or null.
  const Entry *lookup(llvm::StringRef name) const;

  /// All entries, ordered by their position in the data section.
  llvm::ArrayRef<Entry> entries() const { return entryList; }

  /// The "__metadata__" object (empty when absent).
  const std::map<std::string, std::string> &metadata() const {
    return metadataMap;
  }

  /// The file name given to open() (or the buffer identifier).
  llvm::StringRef path() const { return filePath; }

  /// The data section: everything after the header.
  llvm::ArrayRef<uint8_t> dataSection() const { return data; }

  /// Copies the tensor `name` into a HostArray. A missing name is an error
  /// that names the tensor and the file and lists some available names.
  llvm::Expected<HostArray> read(llvm::StringRef name) const;

private:
  SafeTensorsFile() = default;

  std::unique_ptr<llvm::MemoryBuffer> buffer;
  std::string filePath;
  llvm::ArrayRef<uint8_t> data;
  std::vector<Entry> entryList;
  llvm::StringMap<size_t> index;
  std::map<std::string, std::string> metadataMap;
};

/// Writes `tensors` (in the given order, data laid out back to back) and
/// `metadata` as a .safetensors file at `path`, replacing it. The JSON header
/// is padded with spaces to a multiple of 8 bytes. Tensor names must be
/// unique, non-empty and not "__metadata__".
llvm::Error
writeSafeTensors(llvm::StringRef path,
                 llvm::ArrayRef<std::pair<std::string, HostArray>> tensors,
                 const std::map<std::string, std::string> &metadata = {});

/// Serializes to the bytes writeSafeTensors would write.
llvm::Expected<std::string>
serializeSafeTensors(llvm::ArrayRef<std::pair<std::string, HostArray>> tensors,
                     const std::map<std::string, std::string> &metadata = {});

} // namespace icl

#endif // ICL_LIB_SUPPORT_SAFETENSORS_H
