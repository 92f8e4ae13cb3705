//===- OnnxExternalDataTest.cpp - External data stays in the model dir ---===//
//
// A weight stored outside an ONNX model is read only from inside the model's
// directory (as ONNX's checker requires): absolute locations, '..' and
// symbolic links out are refused, and offsets and lengths are checked.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporter.h"

#include "dialects/icl/IR/IclDialect.h"

#include "mlir/IR/MLIRContext.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <fstream>
#include <map>

using namespace icl;

namespace {

/// A directory holding model.onnx: y = x + w, w (float[2]) stored externally
/// at `location` with the given extra entries (offset, length).
class ExternalData : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("icl-onnx-external", root));
    dir = root;
    llvm::sys::path::append(dir, "model");
    ASSERT_FALSE(llvm::sys::fs::create_directory(dir));
    // Eight bytes: the floats 1 and 2.
    float w[2] = {1, 2};
    writeFile(path(dir, "weights.bin"), std::string(reinterpret_cast<char *>(w), sizeof w));
    writeFile(path(root, "outside.bin"), std::string(reinterpret_cast<char *>(w), sizeof w));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(root); }

  static std::string path(llvm::StringRef base, llvm::StringRef name) {
    llvm::SmallString<256> p(base);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  static void writeFile(const std::string &p, const std::string &bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }

  /// Imports the model; the error message, or "" when it imports.
  std::string import(const std::string &location,
                     const std::map<std::string, std::string> &extra = {}) {
    onnx::ModelProto model;
    model.set_ir_version(8);
    model.add_opset_import()->set_version(17);
    onnx::GraphProto *g = model.mutable_graph();
    g->set_name("g");
    onnx::TensorProto *w = g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(2);
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    auto entry = [&](const std::string &key, const std::string &value) {
      onnx::StringStringEntryProto *e = w->add_external_data();
      e->set_key(key);
      e->set_value(value);
    };
    entry("location", location);
    for (auto &[key, value] : extra)
      entry(key, value);
    for (const char *name : {"x", "y"}) {
      onnx::ValueInfoProto *v = name[0] == 'x' ? g->add_input() : g->add_output();
      v->set_name(name);
      onnx::TypeProto::Tensor *t = v->mutable_type()->mutable_tensor_type();
      t->set_elem_type(onnx::TensorProto::FLOAT);
      t->mutable_shape()->add_dim()->set_dim_value(2);
    }
    onnx::NodeProto *add = g->add_node();
    add->set_op_type("Add");
    add->add_input("x");
    add->add_input("w");
    add->add_output("y");
    std::string file = path(dir, "model.onnx");
    {
      std::ofstream out(file, std::ios::binary);
      model.SerializeToOstream(&out);
    }
    mlir::MLIRContext context;
    llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> module = importOnnx(file, context);
    return module ? "" : llvm::toString(module.takeError());
  }

  llvm::SmallString<128> root, dir;
};

TEST_F(ExternalData, InsideTheDirectoryIsRead) {
  EXPECT_EQ(import("weights.bin"), "");
  EXPECT_EQ(import("weights.bin", {{"offset", "0"}, {"length", "8"}}), "");
}

TEST_F(ExternalData, ParentDirectoriesAreRefused) {
  std::string error = import("../outside.bin");
  EXPECT_NE(error.find("leaves the directory through '..'"), std::string::npos) << error;
  error = import("sub/../../outside.bin");
  EXPECT_NE(error.find("leaves the directory through '..'"), std::string::npos) << error;
}

TEST_F(ExternalData, AbsolutePathsAreRefused) {
  std::string error = import(path(root, "outside.bin"));
  EXPECT_NE(error.find("is absolute"), std::string::npos) << error;
  error = import("/etc/passwd");
  EXPECT_NE(error.find("is absolute"), std::string::npos) << error;
}

TEST_F(ExternalData, SymbolicLinksOutAreRefused) {
  ASSERT_FALSE(llvm::sys::fs::create_link(path(root, "outside.bin"), path(dir, "link.bin")));
  std::string error = import("link.bin");
  EXPECT_NE(error.find("leads out of it through a symbolic link"), std::string::npos) << error;
}

TEST_F(ExternalData, OffsetsAndLengthsAreChecked) {
  std::string error = import("weights.bin", {{"offset", "abc"}});
  EXPECT_NE(error.find("has offset 'abc'"), std::string::npos) << error;
  error = import("weights.bin", {{"length", "-8"}});
  EXPECT_NE(error.find("has length '-8'"), std::string::npos) << error;
  error = import("weights.bin", {{"offset", "4"}, {"length", "8"}});
  EXPECT_NE(error.find("lies beyond the end"), std::string::npos) << error;
  error = import("weights.bin", {{"offset", "9223372036854775807"}, {"length", "8"}});
  EXPECT_NE(error.find("lies beyond the end"), std::string::npos) << error;
  error = import("", {});
  EXPECT_NE(error.find("names no location"), std::string::npos) << error;
}

} // namespace
