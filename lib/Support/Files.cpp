//===- Files.cpp - Reading and writing the files icl is given -------------===//

#include "lib/Support/Files.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"

#include <unistd.h>

using namespace llvm;

namespace icl {

namespace {

/// What a file of type `type` is, for "it is ..., not a regular file".
StringRef describe(sys::fs::file_type type) {
  switch (type) {
  case sys::fs::file_type::directory_file: return "a directory";
  case sys::fs::file_type::fifo_file: return "a FIFO";
  case sys::fs::file_type::character_file: return "a character device";
  case sys::fs::file_type::block_file: return "a block device";
  case sys::fs::file_type::socket_file: return "a socket";
  default: return "of an unknown kind";
  }
}

Error readError(StringRef path, const Twine &reason) {
  return createStringError("cannot read '" + path + "': " + reason);
}

Error notRegular(StringRef path, sys::fs::file_type type) {
  return readError(path, "it is " + describe(type) + ", not a regular file");
}

} // namespace

Error checkRegularFile(StringRef path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return readError(path, ec.message());
  if (status.type() != sys::fs::file_type::regular_file)
    return notRegular(path, status.type());
  return Error::success();
}

Expected<std::unique_ptr<MemoryBuffer>> readFile(StringRef path, bool nullTerminated) {
  // Opening a FIFO blocks until someone writes to it: look before opening.
  if (Error err = checkRegularFile(path))
    return std::move(err);
  Expected<sys::fs::file_t> file = sys::fs::openNativeFileForRead(path);
  if (!file)
    return readError(path, toString(file.takeError()));
  scope_exit close([&] { sys::fs::closeFile(*file); });
  // What was opened may have replaced what was looked at; its size, taken
  // now, bounds the read either way.
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(*file, status))
    return readError(path, ec.message());
  if (status.type() != sys::fs::file_type::regular_file)
    return notRegular(path, status.type());
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getOpenFile(*file, path, status.getSize(), nullTerminated);
  if (!buffer)
    return readError(path, buffer.getError().message());
  return std::move(*buffer);
}

Error writeFile(StringRef path, function_ref<Error(raw_pwrite_stream &)> write) {
  auto writeError = [&](const Twine &reason) {
    return createStringError("cannot write '" + path + "': " + reason);
  };
  bool toStdout = path == "-";
  // Only a file this call creates or replaces is removed after a failure:
  // never a device such as /dev/full.
  sys::fs::file_status status;
  bool removable = !toStdout && (sys::fs::status(path, status) ||
                                 status.type() == sys::fs::file_type::regular_file);
  int fd = STDOUT_FILENO;
  if (!toStdout)
    if (std::error_code ec =
            sys::fs::openFileForWrite(path, fd, sys::fs::CD_CreateAlways, sys::fs::OF_None))
      return writeError(ec.message());
  if (removable)
    sys::RemoveFileOnSignal(path);
  scope_exit forget([&] {
    if (removable)
      sys::DontRemoveFileOnSignal(path);
  });

  raw_fd_ostream os(fd, /*shouldClose=*/!toStdout);
  Error written = write(os);
  if (toStdout)
    os.flush();
  else
    os.close();
  std::error_code ec = os.error();
  // Checked here, so the stream's destructor does not abort on it.
  os.clear_error();
  if (!written && !ec)
    return Error::success();
  if (removable)
    sys::fs::remove(path);
  return writeError(written ? toString(std::move(written)) : ec.message());
}

Error writeFile(StringRef path, StringRef contents) {
  return writeFile(path, [&](raw_pwrite_stream &os) {
    os << contents;
    return Error::success();
  });
}

Error flushStandardOutput() {
  raw_fd_ostream &os = outs();
  os.flush();
  if (!os.has_error())
    return Error::success();
  std::error_code ec = os.error();
  os.clear_error();
  return createStringError("cannot write standard output: " + ec.message());
}

} // namespace icl
