//===- Npy.h - Reading and writing numpy .npy files -------------*- C++ -*-===//
//
// The .npy format (numpy.lib.format): the magic "\x93NUMPY", a major and
// minor version byte, a little-endian header length (2 bytes in version 1.0,
// 4 bytes in 2.0 and 3.0), a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, and then the raw element bytes.
//
// Reading accepts versions 1.0, 2.0 and 3.0 with the little-endian descrs
// '<f2', '<f4', '<f8', '|i1' ('<i1'), '<i2', '<i4', '<i8', '|u1' ('<u1') and
// '|b1' ('<b1'), C order only. Writing produces version 1.0 exactly as
// numpy.save does (header padded so the data starts on a 64-byte boundary).
// BF16 has no numpy descr and cannot be written.
//
// Every malformed input yields an llvm::Error whose message starts with the
// file name and says what is wrong; the parser never reads out of bounds.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_SUPPORT_NPY_H
#define ICL_LIB_SUPPORT_NPY_H

#include "lib/Support/HostArray.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace icl {

/// Reads the .npy file at `path`.
llvm::Expected<HostArray> readNpy(llvm::StringRef path);

/// An input given on a command line: the .npy file at `spec`, or, when no
/// file has that name and it reads `DTYPE=V[,V...]` (`i64=5`,
/// `f32=0.5,1,2`), a literal: one value is a scalar (rank 0), several a
/// vector. Looped models take their step count so.
llvm::Expected<HostArray> readInput(llvm::StringRef spec);

/// Parses the contents of a .npy file held in memory; `nameForErrors` starts
/// every error message.
llvm::Expected<HostArray> parseNpy(llvm::StringRef bytes,
                                   llvm::StringRef nameForErrors);

/// Writes `array` as a version 1.0 .npy file at `path` (replacing it).
llvm::Error writeNpy(llvm::StringRef path, const HostArray &array);

/// Serializes `array` to the bytes writeNpy would write.
llvm::Expected<std::string> serializeNpy(const HostArray &array);

/// The numpy descr for `dtype` ("<f4", "|u1", ...); empty for BF16.
llvm::StringRef npyDescr(DType dtype);

} // namespace icl

#endif // ICL_LIB_SUPPORT_NPY_H
