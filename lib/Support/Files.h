//===- Files.h - Reading and writing the files icl is given -----*- C++ -*-===//
//
// Every file icl reads (.mlir modules, .npy arrays, safetensors, config.json
// and index files, ONNX models and their external data, RASP programs) goes
// through readFile, and every file it writes (.npy results, compiled output,
// --dump-phases, RASP modules) through writeFile, so that bad paths get one
// message naming the file (docs/security.md):
//
// - readFile refuses anything but a regular file: a FIFO, /dev/zero or a
//   directory could otherwise be read without end;
// - writeFile checks every write and the final close, so a full device gives
//   "cannot write FILE: No space left on device" instead of LLVM's fatal
//   "IO failure on output stream", and removes a partly written file.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_SUPPORT_FILES_H
#define ICL_LIB_SUPPORT_FILES_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace icl {

/// The whole of the regular file at `path`, named `path` (large files are
/// mapped, not copied). Errors read "cannot read 'PATH': REASON"; a path that
/// is not a regular file (a directory, FIFO, socket or device) is refused
/// before it is opened. `nullTerminated` asks for a NUL after the contents
/// (parsers that stop at one, such as MLIR's).
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> readFile(llvm::StringRef path,
                                                             bool nullTerminated = true);

/// Succeeds when `path` names a regular file; fails as readFile would
/// otherwise. For files that another library opens by itself (the input of
/// MLIR's icl-opt driver, a transform schedule).
llvm::Error checkRegularFile(llvm::StringRef path);

/// Creates or replaces `path` ("-" for standard output) with what `write`
/// writes to the stream it is given. An error from `write`, or from writing
/// or closing the file, is returned as "cannot write 'PATH': REASON"; the
/// partly written file is then removed, unless `path` existed as something
/// other than a regular file (such as /dev/null or /dev/full).
llvm::Error writeFile(llvm::StringRef path,
                      llvm::function_ref<llvm::Error(llvm::raw_pwrite_stream &)> write);

/// Same for contents held in memory.
llvm::Error writeFile(llvm::StringRef path, llvm::StringRef contents);

/// Flushes llvm::outs() and returns a write error on it (standard output on
/// a full device) as "cannot write standard output: REASON", clearing it so
/// that LLVM does not abort at exit. Tools call it before they return.
llvm::Error flushStandardOutput();

} // namespace icl

#endif // ICL_LIB_SUPPORT_FILES_H
