//===- EntrySignature.cpp - the C signature of an entry point -------------===//

#include "compiler/EntrySignature.h"

#include "dialects/Attn/AttnOps.h"

#include "attn/abi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::attn;

int64_t mlir::attn::dtypeOf(Type t) {
  if (t.isF32())
    return ATTN_DTYPE_F32;
  if (t.isF16())
    return ATTN_DTYPE_F16;
  if (t.isBF16())
    return ATTN_DTYPE_BF16;
  if (t.isF64())
    return ATTN_DTYPE_F64;
  if (t.isSignlessInteger(8))
    return ATTN_DTYPE_I8;
  if (t.isSignlessInteger(32))
    return ATTN_DTYPE_I32;
  return ATTN_DTYPE_INVALID;
}

StringRef mlir::attn::dtypeName(Type t) {
  return attn_dtype_name_inline(static_cast<attn_dtype_t>(dtypeOf(t)));
}

std::string EntrySignature::namesString() const {
  std::string s = entryName + ":";
  for (size_t i = 0; i < args.size(); ++i)
    s += (i ? "," : "") + args[i].name;
  return s;
}

SmallVector<int64_t> EntrySignature::encode(int64_t isaLevel) const {
  SmallVector<int64_t> t = {ATTN_ABI_VERSION, isaLevel,
                            static_cast<int64_t>(args.size()),
                            static_cast<int64_t>(constraints.size())};
  for (const EntryArg &a : args) {
    t.append({a.dtype, a.type.getRank(), a.isOutput ? 1 : 0});
    t.append(a.dimCodes.begin(), a.dimCodes.end());
  }
  for (const EntryConstraint &c : constraints)
    t.append({c.kind, c.argA, c.dimA, c.argB, c.dimB});
  return t;
}

namespace {
/// A (slot, dimension) pair, packed for the union-find.
using DimKey = int64_t;
DimKey key(int64_t slot, int64_t dim) { return slot * ATTN_MAX_RANK + dim; }

/// Follows tensor.cast ops back to their source, collecting the static
/// sizes the casts assert along the way.
Value traceCasts(Value v, SmallVectorImpl<RankedTensorType> &seen) {
  while (auto cast = v.getDefiningOp<tensor::CastOp>()) {
    if (auto t = dyn_cast<RankedTensorType>(cast.getType()))
      seen.push_back(t);
    v = cast.getSource();
  }
  return v;
}

bool hasDynamicShape(Type t) {
  auto shaped = dyn_cast<ShapedType>(t);
  return shaped && shaped.hasRank() && !shaped.hasStaticShape();
}
} // namespace

FailureOr<EntrySignature> mlir::attn::analyzeEntrySignature(func::FuncOp fn) {
  EntrySignature sig;
  sig.entryName = fn.getSymName().str();
  FunctionType type = fn.getFunctionType();
  if (!fn.getBody().hasOneBlock())
    return fn.emitError() << "entry point '" << sig.entryName
                          << "' must have a single block";
  auto returnOp = cast<func::ReturnOp>(fn.getBody().front().getTerminator());

  int64_t numInputs = type.getNumInputs();
  auto addArg = [&](Type t, Location loc, bool isOutput,
                    int64_t index) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(t);
    const char *what = isOutput ? "result" : "argument";
    if (!tensor)
      return emitError(loc)
             << "entry point '" << sig.entryName << "' " << what << " #"
             << index << " must be a ranked tensor, found " << t;
    if (tensor.getRank() > ATTN_MAX_RANK)
      return emitError(loc) << "entry point '" << sig.entryName << "' " << what
                            << " #" << index << " has rank " << tensor.getRank()
                            << "; at most " << ATTN_MAX_RANK << " is supported";
    int64_t dtype = dtypeOf(tensor.getElementType());
    if (dtype == ATTN_DTYPE_INVALID)
      return emitError(loc)
             << "entry point '" << sig.entryName << "' " << what << " #"
             << index << " has element type " << tensor.getElementType()
             << ", which the runtime has no dtype for";
    EntryArg arg;
    arg.type = tensor;
    arg.dtype = dtype;
    arg.isOutput = isOutput;
    sig.args.push_back(std::move(arg));
    return success();
  };
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (failed(addArg(t, fn.getArgument(i).getLoc(), false, i)))
      return failure();
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (failed(addArg(t, returnOp.getLoc(), true, i)))
      return failure();

  // Slots of values: entry block arguments are inputs, returned values are
  // outputs (through casts on either side).
  llvm::EquivalenceClasses<DimKey> classes;
  DenseMap<DimKey, int64_t> staticSize;
  LogicalResult status = success();
  auto noteStatic = [&](int64_t slot, RankedTensorType t) {
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (!t.isDynamicDim(d))
        staticSize[key(slot, d)] = t.getDimSize(d);
  };
  DenseMap<Value, int64_t> slotOf;
  for (int64_t i = 0; i < numInputs; ++i) {
    slotOf[fn.getArgument(i)] = i;
    noteStatic(i, sig.args[i].type);
  }
  for (auto [i, v] : llvm::enumerate(returnOp.getOperands())) {
    int64_t slot = numInputs + i;
    noteStatic(slot, sig.args[slot].type);
    SmallVector<RankedTensorType> casts;
    Value src = traceCasts(v, casts);
    for (RankedTensorType t : casts)
      noteStatic(slot, t);
    if (auto it = slotOf.find(src); it != slotOf.end()) {
      // A returned input: the output has the input's shape.
      for (int64_t d = 0; d < sig.args[slot].type.getRank(); ++d)
        classes.unionSets(key(slot, d), key(it->second, d));
    } else {
      slotOf.try_emplace(src, slot);
    }
  }
  auto slotFor = [&](Value v) -> std::optional<int64_t> {
    SmallVector<RankedTensorType> casts;
    Value src = traceCasts(v, casts);
    auto it = slotOf.find(src);
    if (it == slotOf.end())
      return std::nullopt;
    for (RankedTensorType t : casts)
      noteStatic(it->second, t);
    return it->second;
  };

  // Shape relations of each attn op whose operands are entry arguments:
  // equal dimensions share a symbol, the others become constraints.
  enum Relation { Same, Divides, Twice };
  struct Rel {
    int a;
    int64_t da;
    Relation kind;
    int b;
    int64_t db;
  };
  auto relate = [&](Operation *op, ArrayRef<Value> operands,
                    ArrayRef<const char *> roles,
                    ArrayRef<Rel> relations) -> LogicalResult {
    SmallVector<int64_t> slots;
    for (auto [operand, role] : llvm::zip(operands, roles)) {
      std::optional<int64_t> s = operand ? slotFor(operand) : std::nullopt;
      if (!s && operand && hasDynamicShape(operand.getType()))
        return op->emitOpError()
               << role << " has a dynamic shape but is not an "
               << (operand == op->getResult(0) ? "entry point result"
                                               : "entry point argument")
               << ", so attnc cannot check it at entry";
      slots.push_back(s ? *s : -1);
    }
    for (const Rel &r : relations) {
      int64_t sa = slots[r.a], sb = slots[r.b];
      if (sa < 0 || sb < 0)
        continue;
      if (r.kind == Same)
        classes.unionSets(key(sa, r.da), key(sb, r.db));
      else
        sig.constraints.push_back({r.kind == Divides
                                       ? ATTN_ABI_CONSTRAINT_DIVISIBLE
                                       : ATTN_ABI_CONSTRAINT_TWICE,
                                   sa, r.da, sb, r.db});
    }
    return success();
  };
  fn.walk([&](Operation *op) {
    if (auto sdpa = dyn_cast<SdpaOp>(op)) {
      enum { Q, K, V, O, Bias, KvLen, QLen, Docs, KScales, VScales };
      SmallVector<Rel> rels = {
          {Q, 0, Same, K, 0},    {Q, 0, Same, V, 0},     {Q, 0, Same, O, 0},
          {K, 1, Same, V, 1},    {K, 2, Same, V, 2},     {Q, 1, Same, O, 1},
          {Q, 2, Same, O, 2},    {Q, 1, Divides, K, 1},  {Bias, 2, Same, Q, 2},
          {Bias, 3, Same, K, 2}, {KvLen, 0, Same, Q, 0}, {QLen, 0, Same, Q, 0},
          {Docs, 0, Same, Q, 0}, {Docs, 1, Same, K, 2}};
      // Packed K/V rows count bytes (static, checked by the verifier): their
      // last dimension relates to no other.
      if (!sdpa.hasPackedKey())
        rels.push_back({Q, 3, Same, K, 3});
      if (!sdpa.hasPackedValue())
        rels.push_back({V, 3, Same, O, 3});
      // A bias broadcasts over batch and heads where its size is a static 1;
      // any other size must match.
      if (Value bias = sdpa.getBias()) {
        auto type = cast<RankedTensorType>(bias.getType());
        if (type.getDimSize(0) != 1)
          rels.push_back({Bias, 0, Same, Q, 0});
        if (type.getDimSize(1) != 1)
          rels.push_back({Bias, 1, Same, Q, 1});
      }
      // int8 K/V scales: each dimension that is not a static 1 is the
      // operand's, except rows of blocks of T > 1 keys (static, checked by
      // the verifier).
      auto scaleRels = [&](int scales, int kv, Value t, int64_t block) {
        if (!t)
          return;
        auto type = cast<RankedTensorType>(t.getType());
        for (int64_t d = 0; d < 4; ++d)
          if (type.getDimSize(d) != 1 && !(d == 2 && block > 1))
            rels.push_back({scales, d, Same, kv, d});
      };
      scaleRels(KScales, K, sdpa.getKeyScales(), sdpa.getKeyScaleBlockSize());
      scaleRels(VScales, V, sdpa.getValueScales(),
                sdpa.getValueScaleBlockSize());
      if (failed(
              relate(op,
                     {sdpa.getQuery(), sdpa.getKey(), sdpa.getValue(),
                      sdpa.getResult(), sdpa.getBias(), sdpa.getKvLengths(),
                      sdpa.getQLengths(), sdpa.getDocIds(), sdpa.getKeyScales(),
                      sdpa.getValueScales()},
                     {"query", "key", "value", "result", "bias", "kv_lengths",
                      "q_lengths", "documents", "key_scales", "value_scales"},
                     rels))) {
        status = failure();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    }
    // Low-rank ops: Q/K/V/O as attn.sdpa, plus their own inputs.
    enum { Q, K, V, O, X, Y };
    SmallVector<Rel> qkvo = {{Q, 0, Same, K, 0}, {Q, 0, Same, V, 0},
                             {Q, 0, Same, O, 0}, {K, 1, Same, V, 1},
                             {K, 2, Same, V, 2}, {Q, 3, Same, K, 3},
                             {Q, 1, Same, O, 1}, {Q, 2, Same, O, 2},
                             {V, 3, Same, O, 3}, {Q, 1, Divides, K, 1}};
    auto lowRank = [&](Operation *o, Value q, Value k, Value v, Value x,
                       Value y, const char *xName, const char *yName,
                       ArrayRef<Rel> extra) {
      SmallVector<Rel> rels = qkvo;
      rels.append(extra.begin(), extra.end());
      if (failed(relate(o, {q, k, v, o->getResult(0), x, y},
                        {"query", "key", "value", "result", xName, yName},
                        rels))) {
        status = failure();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    };
    if (auto lin = dyn_cast<LinformerOp>(op)) {
      // e, f: [k, Lk] or [Hkv, k, Lk].
      int64_t rank = cast<RankedTensorType>(lin.getE().getType()).getRank();
      SmallVector<Rel> extra = {{X, rank - 1, Same, K, 2},
                                {Y, rank - 1, Same, K, 2},
                                {Y, rank - 2, Same, X, rank - 2}};
      if (rank == 3)
        extra.append({{X, 0, Same, K, 1}, {Y, 0, Same, K, 1}});
      return lowRank(op, lin.getQuery(), lin.getKey(), lin.getValue(),
                     lin.getE(), lin.getF(), "e", "f", extra);
    }
    if (auto perf = dyn_cast<PerformerOp>(op))
      return lowRank(op, perf.getQuery(), perf.getKey(), perf.getValue(),
                     Value(), Value(), "", "", {});
    if (auto nys = dyn_cast<NystromOp>(op)) {
      // Both lengths split into `landmarks` equal segments.
      for (auto [operand, dim] :
           {std::pair{nys.getQuery(), 2}, std::pair{nys.getKey(), 2}})
        if (std::optional<int64_t> s = slotFor(operand))
          sig.constraints.push_back({ATTN_ABI_CONSTRAINT_MULTIPLE, *s, dim,
                                     static_cast<int64_t>(nys.getLandmarks()),
                                     0});
      SmallVector<Rel> extra = {{X, 0, Same, Q, 1}};
      if (nys.getConv())
        extra.push_back({Q, 2, Same, K, 2});
      return lowRank(op, nys.getQuery(), nys.getKey(), nys.getValue(),
                     nys.getConv(), Value(), "conv", "", extra);
    }
    if (auto diff = dyn_cast<DiffOp>(op)) {
      // Q [B, 2H, Lq, d], K [B, 2Hkv, Lk, d], V [B, Hkv, Lk, 2d],
      // O [B, H, Lq, 2d], lambda vectors [d], gain [2d].
      enum { Q, K, V, O, LQ1, LK1, LQ2, LK2, Gain };
      if (failed(
              relate(op,
                     {diff.getQuery(), diff.getKey(), diff.getValue(),
                      diff.getResult(), diff.getLambdaQ1(), diff.getLambdaK1(),
                      diff.getLambdaQ2(), diff.getLambdaK2(), diff.getGain()},
                     {"query", "key", "value", "result", "lambda_q1",
                      "lambda_k1", "lambda_q2", "lambda_k2", "gain"},
                     {{Q, 0, Same, K, 0},
                      {Q, 0, Same, V, 0},
                      {Q, 0, Same, O, 0},
                      {Q, 2, Same, O, 2},
                      {K, 2, Same, V, 2},
                      {Q, 3, Same, K, 3},
                      {V, 3, Same, O, 3},
                      {LQ1, 0, Same, Q, 3},
                      {LK1, 0, Same, Q, 3},
                      {LQ2, 0, Same, Q, 3},
                      {LK2, 0, Same, Q, 3},
                      {Gain, 0, Same, O, 3},
                      {Q, 1, Twice, O, 1},
                      {K, 1, Twice, V, 1},
                      {O, 3, Twice, Q, 3},
                      {O, 1, Divides, V, 1}}))) {
        status = failure();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    }
    if (isa<tensor::CastOp, func::ReturnOp, func::FuncOp>(op) ||
        op->hasTrait<OpTrait::ConstantLike>())
      return WalkResult::advance();
    if (llvm::any_of(op->getOperandTypes(), hasDynamicShape) ||
        llvm::any_of(op->getResultTypes(), hasDynamicShape)) {
      status = op->emitOpError()
               << "has dynamic shapes that attnc cannot check at entry; "
                  "use static shapes or only attn ops in entry points";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (failed(status))
    return failure();

  // One symbol per class of dynamic dimensions with no static member.
  DenseMap<DimKey, int64_t> classCode;
  for (auto [slot, arg] : llvm::enumerate(sig.args)) {
    for (int64_t d = 0; d < arg.type.getRank(); ++d) {
      DimKey leader = classes.getOrInsertLeaderValue(key(slot, d));
      auto it = classCode.find(leader);
      if (it == classCode.end()) {
        int64_t code = -1;
        for (auto m = classes.findLeader(leader); m != classes.member_end();
             ++m)
          if (auto s = staticSize.find(*m); s != staticSize.end()) {
            if (code >= 0 && code != s->second)
              return fn.emitError()
                     << "entry point '" << sig.entryName
                     << "': dimensions that must be equal have static sizes "
                     << code << " and " << s->second;
            code = s->second;
          }
        if (code < 0)
          code = -1 - sig.numSymbols++;
        it = classCode.try_emplace(leader, code).first;
      }
      arg.dimCodes.push_back(it->second);
    }
  }

  // Names: the role an argument plays in the function's attn op when it is
  // unambiguous, argN otherwise; "out" for a single result.
  DenseMap<int64_t, std::string> roleNames;
  llvm::StringSet<> taken;
  auto nameRoles = [&](ArrayRef<Value> operands, ArrayRef<const char *> roles) {
    for (auto [operand, role] : llvm::zip(operands, roles))
      if (operand)
        if (std::optional<int64_t> s = slotFor(operand))
          if (*s < numInputs && !roleNames.count(*s) &&
              taken.insert(role).second)
            roleNames[*s] = role;
  };
  fn.walk([&](DiffOp diff) {
    nameRoles({diff.getQuery(), diff.getKey(), diff.getValue(),
               diff.getLambdaQ1(), diff.getLambdaK1(), diff.getLambdaQ2(),
               diff.getLambdaK2(), diff.getGain()},
              {"query", "key", "value", "lambda_q1", "lambda_k1", "lambda_q2",
               "lambda_k2", "gain"});
  });
  fn.walk([&](SdpaOp sdpa) {
    nameRoles({sdpa.getQuery(), sdpa.getKey(), sdpa.getValue(), sdpa.getBias(),
               sdpa.getKvLengths(), sdpa.getQLengths(), sdpa.getDocIds(),
               sdpa.getKeyScales(), sdpa.getValueScales()},
              {"query", "key", "value", "bias", "kv_lengths", "q_lengths",
               "documents", "key_scales", "value_scales"});
  });
  int64_t numOutputs = type.getNumResults();
  for (auto [slot, arg] : llvm::enumerate(sig.args)) {
    int64_t s = slot;
    if (s < numInputs)
      arg.name = roleNames.count(s) ? roleNames[s] : "arg" + std::to_string(s);
    else
      arg.name = numOutputs == 1 ? std::string("out")
                                 : "out" + std::to_string(s - numInputs);
  }
  return sig;
}
