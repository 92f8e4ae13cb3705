//===- CheckIndices.cpp - Report out-of-range ids at run time -------------===//
//
// Decomposed, icl.embedding and icl.token_unmerge clamp their ids so that no
// read leaves the table; OPS.md makes an id outside the table a run-time
// error. This pass puts a scan of the ids in front of each op and, for the
// first id out of range, a call of the runtime's icl_index_error
// (runtime/icl_errors.c), which keeps it for the caller to report.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/RuntimeCalls.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <limits>

namespace mlir::icl {
#define GEN_PASS_DEF_CHECKINDICES
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

/// The runtime's entry, as runtime/icl_errors.c declares it.
constexpr llvm::StringLiteral kReport = "icl_index_error";

/// The kinds of index icl_index_error words its message for.
enum class IndexKind : int32_t { TokenId = 0, SourceToken = 1 };

/// The ids `op` reads, the tensor they index and their kind.
std::tuple<Value, Value, IndexKind> idsOf(Operation *op) {
  if (auto embedding = dyn_cast<mlir::icl::EmbeddingOp>(op))
    return {embedding.getIds(), embedding.getTable(), IndexKind::TokenId};
  auto unmerge = cast<mlir::icl::TokenUnmergeOp>(op);
  return {unmerge.getIndex(), unmerge.getInput(), IndexKind::SourceToken};
}

/// `ids` as an argument of its function, or null when it is computed.
BlockArgument functionArgument(Value ids) {
  auto arg = dyn_cast<BlockArgument>(ids);
  return arg && isa<func::FuncOp>(arg.getOwner()->getParentOp()) ? arg : BlockArgument();
}

/// What the ids are, for the message: "argument 0" when they are an argument
/// of the function, else the op and its source location.
std::string describeIds(Operation *op, Value ids) {
  if (BlockArgument arg = functionArgument(ids))
    return "argument " + std::to_string(arg.getArgNumber());
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "the " << (isa<mlir::icl::EmbeddingOp>(op) ? "ids" : "index") << " of '" << op->getName() << "'";
  if (std::string at = mlir::icl::sourcePosition(op->getLoc()); !at.empty())
    os << " at " << at;
  return text;
}

struct CheckIndicesPass : public mlir::icl::impl::CheckIndicesBase<CheckIndicesPass> {
  using CheckIndicesBase::CheckIndicesBase;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<mlir::icl::EmbeddingOp, mlir::icl::TokenUnmergeOp>(op))
        ops.push_back(op);
    });
    if (computedOnly)
      llvm::erase_if(ops, [](Operation *op) { return functionArgument(std::get<0>(idsOf(op))); });
    for (auto [site, op] : llvm::enumerate(ops)) {
      auto [ids, table, kind] = idsOf(op);
      check(op, ids, table, kind, site);
    }
  }

  /// In front of `op`: the first flat position of `ids` outside
  /// [0, dim 0 or 1 of `table`) (the row count of an embedding table, the
  /// merged tokens of token_unmerge), and the report if there is one.
  void check(Operation *op, Value ids, Value table, IndexKind kind, unsigned site) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    auto idsType = cast<RankedTensorType>(ids.getType());
    int64_t rank = idsType.getRank();
    Type index = b.getIndexType(), i64 = b.getI64Type();
    // Ids become indices as the decompositions read them (signed).
    auto toIndex = [&](OpBuilder &nb, Location l, Value id) -> Value {
      return id.getType().isIndex() ? id : arith::IndexCastOp::create(nb, l, index, id);
    };
    auto constant = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
    auto dim = [&](Value tensor, int64_t d) -> Value {
      int64_t size = cast<RankedTensorType>(tensor.getType()).getDimSize(d);
      return ShapedType::isDynamic(size) ? tensor::DimOp::create(b, loc, tensor, d).getResult()
                                         : constant(size);
    };
    Value limit = dim(table, kind == IndexKind::TokenId ? 0 : 1);
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(dim(ids, d));

    // min over the ids of (id outside [0, limit) ? flat position : none);
    // an unsigned comparison also catches negative ids.
    Value none = constant(std::numeric_limits<int64_t>::max());
    Value init = linalg::FillOp::create(b, loc, none, tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, index).getResult())
                     .getResult(0);
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank), AffineMap::get(rank, 0, b.getContext())};
    SmallVector<utils::IteratorType> loops(rank, utils::IteratorType::reduction);
    auto first = linalg::GenericOp::create(
        b, loc, init.getType(), ids, init, maps, loops, [&](OpBuilder &nb, Location l, ValueRange args) {
          Value bad = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::uge, toIndex(nb, l, args[0]), limit);
          Value flat = rank ? linalg::IndexOp::create(nb, l, 0).getResult() : constant(0);
          for (int64_t d = 1; d < rank; ++d)
            flat = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, flat, sizes[d]),
                                         linalg::IndexOp::create(nb, l, d));
          Value candidate = arith::SelectOp::create(nb, l, bad, flat, none);
          linalg::YieldOp::create(nb, l, ValueRange{arith::MinSIOp::create(nb, l, candidate, args[1])});
        });
    Value position = tensor::ExtractOp::create(b, loc, first.getResult(0), ValueRange{});
    Value found = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, position, none);
    auto ifOp = scf::IfOp::create(b, loc, found, /*withElseRegion=*/false);

    b.setInsertionPointToStart(ifOp.thenBlock());
    SmallVector<Value> at(rank);
    Value rest = position;
    for (int64_t d = rank - 1; d >= 0; --d) {
      at[d] = arith::RemUIOp::create(b, loc, rest, sizes[d]);
      rest = arith::DivUIOp::create(b, loc, rest, sizes[d]);
    }
    auto asI64 = [&](Value v) -> Value { return arith::IndexCastOp::create(b, loc, i64, v); };
    Value id = asI64(toIndex(b, loc, tensor::ExtractOp::create(b, loc, ids, at)));
    // The shape turns the flat position into an index; without a static one
    // the message gives the flat position.
    std::string name = "icl_index_site" + std::to_string(site);
    bool shaped = rank > 0 && idsType.hasStaticShape();
    Value shape = shaped ? shapeGlobal(b, loc, name + "_shape", idsType.getShape())
                         : LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext())).getResult();
    Value where = LLVM::createGlobalString(loc, b, name + "_where", describeIds(op, ids) + '\0',
                                           LLVM::Linkage::Private);
    SmallVector<Value> operands = {arith::ConstantIntOp::create(b, loc, static_cast<int32_t>(kind), 32),
                                   where,
                                   shape,
                                   arith::ConstantIntOp::create(b, loc, shaped ? rank : 0, 64),
                                   id,
                                   asI64(position),
                                   asI64(limit)};
    func::CallOp::create(b, loc, reportFunction(operands), operands);
  }

  /// The address of a constant global holding `shape`.
  Value shapeGlobal(OpBuilder &b, Location loc, StringRef name, ArrayRef<int64_t> shape) {
    ModuleOp module = getOperation();
    auto type = LLVM::LLVMArrayType::get(b.getI64Type(), shape.size());
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module.getBody());
      LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true, LLVM::Linkage::Private, name,
                             b.getI64TensorAttr(shape));
    }
    return LLVM::AddressOfOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()), name);
  }

  /// The declaration of the runtime's icl_index_error, added once.
  func::FuncOp reportFunction(ValueRange operands) {
    return mlir::icl::declareRuntimeFunction(
        getOperation(), kReport, FunctionType::get(&getContext(), TypeRange(operands), {}));
  }
};

} // namespace
