//===- FuzzSupport.cpp - What the fuzz targets share ----------------------===//

#include "tools/fuzz/FuzzSupport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace icl::fuzz {

namespace {
void die(const llvm::Twine &what) {
  llvm::errs() << "fuzz harness: " << what << "\n";
  std::abort();
}

struct Scratch {
  std::string path;
  Scratch() {
    llvm::SmallString<128> dir;
    if (llvm::sys::fs::createUniqueDirectory("icl-fuzz", dir))
      die("cannot make a scratch directory");
    path = std::string(dir);
  }
  ~Scratch() { llvm::sys::fs::remove_directories(path); }
};
} // namespace

const std::string &scratchDir() {
  static Scratch scratch;
  return scratch.path;
}

void writeBytes(const std::string &path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    die("cannot write " + path + ": " + ec.message());
  os << bytes;
  os.close();
  if (os.has_error())
    die("cannot write " + path);
}

void copyDir(const std::string &from, const std::string &to) {
  if (llvm::sys::fs::create_directories(to))
    die("cannot make " + to);
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(from, ec), end; it != end && !ec; it.increment(ec)) {
    if (it->type() != llvm::sys::fs::file_type::regular_file)
      continue;
    llvm::SmallString<256> target(to);
    llvm::sys::path::append(target, llvm::sys::path::filename(it->path()));
    if (llvm::sys::fs::copy_file(it->path(), target))
      die("cannot copy " + it->path());
  }
  if (ec)
    die("cannot list " + from + ": " + ec.message());
}

void expectMessage(llvm::Error error) {
  std::string message = llvm::toString(std::move(error));
  if (message.empty())
    die("a reader failed without a message");
}

} // namespace icl::fuzz
