//===- attn-check.cpp - compile, run, and compare with the fp64 reference -===//
//
//   attn-check model.json [--target=host] [--seed=N] [--tol=T]
//   attn-check layer.mlir --dynamic-size=33 --layout=bshd
//
// Compiles every entry point of the input for a target, links the object
// into a shared library with lld, and runs each entry point on seeded random
// inputs with attn-run, which compares the output against the fp64
// reference. Prints one PASS/FAIL line per entry point and a summary; exits
// non-zero if any entry point is past tolerance or fails to run.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver.h"
#include "compiler/EntrySignature.h"
#include "dialects/Attn/AttnOps.h"

#include "attn/abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::attn;
namespace cl = llvm::cl;

static cl::OptionCategory checkCategory("attn-check options");
static cl::opt<std::string>
    inputPath(cl::Positional,
              cl::desc("<model.json | model.onnx | input.mlir>"), cl::Required,
              cl::cat(checkCategory));
static cl::opt<std::string> targetName("target", cl::init("host"),
                                       cl::desc("Target to compile for"),
                                       cl::cat(checkCategory));
static cl::opt<std::string>
    tileSpec("tile",
             cl::desc("Override the target's attention block sizes, "
                      "QxK (query rows x key rows)"),
             cl::value_desc("QxK"), cl::cat(checkCategory));
static cl::opt<std::string> qkPolicy("qk", cl::desc(mlir::attn::kQkPolicyHelp),
                                     cl::value_desc("int8|bf16|f32"),
                                     cl::cat(checkCategory));
static cl::opt<std::string> pvPolicy("pv", cl::desc(mlir::attn::kPvPolicyHelp),
                                     cl::value_desc("int8|bf16|f32"),
                                     cl::cat(checkCategory));
static cl::opt<std::string> smoothK("smooth-k", cl::ValueOptional,
                                    cl::desc(mlir::attn::kSmoothKHelp),
                                    cl::value_desc("true|false"),
                                    cl::cat(checkCategory));
static cl::opt<std::string>
    diffLowering("diff", cl::init("fused"),
                 cl::desc("Differential attention lowering: fused or unfused"),
                 cl::value_desc("fused|unfused"), cl::cat(checkCategory));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("Check only these entry points, comma-separated "
                       "(default: all)"),
              cl::cat(checkCategory));
static cl::opt<std::string>
    values("values", cl::init("uniform"),
           cl::desc("Input values: uniform in [-1, 1], or ternary (-1, 0, 1: "
                    "integer scores with many ties)"),
           cl::cat(checkCategory));
static cl::opt<double> keyOffset(
    "key-offset", cl::init(0),
    cl::desc("Add a seeded offset in [-X, X] per channel to the float keys, "
             "shared by every position (the structure smooth_k removes)"),
    cl::value_desc("X"), cl::cat(checkCategory));
static cl::list<std::string> numerics(
    "numerics", cl::CommaSeparated,
    cl::desc("Non-finite or extreme inputs, checked against the reference's "
             "defined answer (docs/Numerics.md), comma-separated cases: "
             "q-nan, q-inf, k-nan, k-inf, v-nan, v-inf, large, extreme, "
             "denormal; each entry point runs once per case"),
    cl::cat(checkCategory));
static cl::opt<std::string> documentOrder(
    "documents", cl::init("sorted"),
    cl::desc("Document ids for ops with run-time document masks: sorted "
             "(packed sequences) or unsorted (random ids)"),
    cl::cat(checkCategory));
static cl::opt<unsigned> seed("seed", cl::init(1),
                              cl::desc("Seed of the random inputs"),
                              cl::cat(checkCategory));
static cl::opt<double> tolerance(
    "tol", cl::init(-1),
    cl::desc("Max abs error allowed (default: SEMANTICS.md's for the dtype)"),
    cl::cat(checkCategory));
static cl::opt<int64_t>
    dynamicSize("dynamic-size", cl::init(5),
                cl::desc("Size used for every dynamic dimension"),
                cl::cat(checkCategory));
static cl::opt<unsigned> threads("num-threads", cl::init(0),
                                 cl::desc("Runtime threads (0: all cores)"),
                                 cl::cat(checkCategory));
static cl::opt<std::string>
    layout("layout", cl::init("contiguous"),
           cl::desc("Memory layout of the tensors: contiguous ([B,H,L,D]) or "
                    "bshd ([B,L,H,D] in memory, passed with strides)"),
           cl::cat(checkCategory));
static cl::opt<std::string>
    runnerPath("runner",
               cl::desc("attn-run executable (default: beside attn-check)"),
               cl::cat(checkCategory));
static cl::opt<std::string>
    runPrefix("run-prefix",
              cl::desc("Command to run the runner under, e.g. an emulator"),
              cl::cat(checkCategory));
static cl::opt<std::string> dumpDir(
    "dump-dir",
    cl::desc("Write each entry's inputs and output to DIR/<entry>/ (attn-run "
             "--dump: float64 files in [B, H, L, D] order, shapes.txt)"),
    cl::value_desc("DIR"), cl::cat(checkCategory));
static cl::list<int64_t> scratchLimits(
    "scratch-limit", cl::CommaSeparated,
    cl::desc("First call each entry once with each of these scratch limits "
             "(bytes, comma-separated) and print the status and what stays "
             "allocated (attn-run --scratch-limit); then check without a "
             "limit"),
    cl::value_desc("BYTES[,BYTES...]"), cl::cat(checkCategory));
static cl::opt<std::string> sanitizeName(
    "sanitize", cl::init("none"),
    cl::desc("Instrument the kernels (attnc --sanitize): address or thread "
             "(the runner must be built with the same sanitizer), or none"),
    cl::value_desc("address|thread|none"), cl::cat(checkCategory));
static cl::opt<bool> keepTemps("keep-temps",
                               cl::desc("Keep the object and library"),
                               cl::cat(checkCategory));

namespace {

/// The reference's text form of the op's named modifiers and score_mod
/// region (Reference.h, ScoreMod). A region is user code the reference
/// cannot read: a test states what it computes with a string attribute
/// `attn.reference_score_mod` on the op, in the same text form.
FailureOr<std::string> modsSpec(SdpaOp op) {
  std::string spec;
  auto num = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.9g", x);
    return std::string(buf);
  };
  auto join = [&](std::string item) {
    spec += (spec.empty() ? "" : ";") + item;
  };
  if (std::optional<ArrayAttr> mods = op.getModifiers())
    for (Attribute a : *mods) {
      if (auto sc = dyn_cast<SoftcapAttr>(a)) {
        join("softcap(" + num(sc.getCap().convertToDouble()) + ")");
      } else if (auto al = dyn_cast<AlibiAttr>(a)) {
        std::string s = "alibi(";
        for (auto [i, x] : llvm::enumerate(al.getSlopes().getValues<APFloat>()))
          s += (i ? "," : "") + num(x.convertToDouble());
        join(s + ")");
      } else if (auto rb = dyn_cast<RelativeBiasAttr>(a)) {
        auto type = cast<ShapedType>(rb.getTable().getType());
        std::string s = "relbias(" + std::to_string(rb.getMaxDistance()) + "," +
                        std::to_string(type.getDimSize(0));
        for (APFloat x : rb.getTable().getValues<APFloat>())
          s += "," + num(x.convertToDouble());
        join(s + ")");
      } else {
        return op.emitError("attn-check's reference does not know the "
                            "modifier ")
               << a;
      }
    }
  if (!op.getScoreMod().empty()) {
    auto stated = op->getAttrOfType<StringAttr>("attn.reference_score_mod");
    if (!stated)
      return op.emitError("attn-check's reference cannot evaluate a "
                          "score_mod region: state what it computes with "
                          "attn.reference_score_mod = \"...\" on the op");
    join(stated.str());
  }
  return spec;
}

/// The reference's text form of a mask pattern (Reference.h, Mask).
FailureOr<std::string> maskSpec(MaskAttrInterface mask) {
  auto list = [](StringRef name,
                 ArrayRef<MaskAttrInterface> masks) -> FailureOr<std::string> {
    std::string s = name.str() + "(";
    for (auto [i, m] : llvm::enumerate(masks)) {
      FailureOr<std::string> child = maskSpec(m);
      if (failed(child))
        return failure();
      s += (i ? "," : "") + *child;
    }
    return s + ")";
  };
  if (isa<CausalAttr>(mask))
    return std::string("causal");
  if (auto w = dyn_cast<WindowAttr>(mask))
    return "window(" + std::to_string(w.getSize()) +
           (w.getBidirectional() ? ",bidirectional)" : ")");
  if (auto st = dyn_cast<StridedAttr>(mask))
    return "strided(" + std::to_string(st.getStride()) + ")";
  if (auto g = dyn_cast<GlobalAttr>(mask))
    return "global(" + std::to_string(g.getTokens()) + ")";
  if (auto bs = dyn_cast<BlockSparseAttr>(mask)) {
    ArrayRef<int64_t> shape =
        cast<ShapedType>(bs.getLayout().getType()).getShape();
    int64_t heads = shape.size() == 3 ? shape[0] : 1;
    std::string bits;
    for (const APInt &v : bs.getLayout().getValues<APInt>())
      bits += v.isZero() ? '0' : '1';
    return "block_sparse(" + std::to_string(bs.getBlockQ()) + "," +
           std::to_string(bs.getBlockK()) + "," + std::to_string(heads) + "," +
           std::to_string(shape[shape.size() - 2]) + "," +
           std::to_string(shape.back()) + "," + bits + ")";
  }
  if (auto a = dyn_cast<AndAttr>(mask))
    return list("and", a.getMasks());
  if (auto o = dyn_cast<OrAttr>(mask))
    return list("or", o.getMasks());
  return failure();
}

/// One entry point to run: its attn.sdpa and the runner's shape arguments.
struct Check {
  std::string entry;
  std::string q, k, v, bias, dtype, mask, mods;
  /// Block formats of packed K / V ("q8_0", "q4_0"; empty: floats).
  std::string kFormat, vFormat;
  /// int8 K / V with scales: attn-run's --k-scales / --v-scales value
  /// (the scales' shape, ":f16" for f16) and the scale block; empty: none.
  std::string kScales, vScales;
  int64_t kScaleBlock = 1, vScaleBlock = 1;
  /// qk_precision = int8: the reference quantizes the query as the kernel.
  bool qkInt8 = false;
  /// pv_precision = int8: the reference quantizes the values as the kernel.
  bool pvInt8 = false;
  /// #attn.precision<bf16>: the reference rounds the factors to bf16.
  bool qkBf16 = false, pvBf16 = false;
  /// smooth_k: the reference subtracts the keys' mean first.
  bool smoothK = false;
  int64_t topK = 0;
  bool kvLengths = false, qLengths = false, documents = false;
  /// attn.diff: lambda_init and epsilon for the reference.
  bool diff = false;
  double lambdaInit = 0, epsilon = 0;
  /// Embedded λq1;λk1;λq2;λk2;gain values, comma-separated; empty when
  /// they are inputs.
  std::string diffWeights;
  /// Low-rank ops: attn-run's --linformer / --performer / --nystrom value.
  std::string lowRankFlag, lowRankSpec;
  std::optional<double> scale;
};

int fail(const llvm::Twine &message) {
  llvm::errs() << "attn-check: error: " << message << "\n";
  return 2;
}

/// Finds the single attn.sdpa of `fn` and the concrete shapes to run it at.
FailureOr<Check> describe(func::FuncOp fn) {
  SmallVector<Operation *> ops;
  fn.walk([&](Operation *o) {
    if (isa<SdpaOp, DiffOp, LinformerOp, PerformerOp, NystromOp>(o))
      ops.push_back(o);
  });
  if (ops.size() != 1)
    return fn.emitError() << "attn-check runs entry points with exactly one "
                             "attn.sdpa or attn.diff; '"
                          << fn.getSymName() << "' has " << ops.size();
  Operation *root = ops.front();
  FailureOr<EntrySignature> sig = analyzeEntrySignature(fn);
  if (failed(sig))
    return failure();
  auto argIndex = [&](Value v) -> std::optional<unsigned> {
    while (auto cast = v.getDefiningOp<tensor::CastOp>())
      v = cast.getSource();
    if (auto arg = dyn_cast<BlockArgument>(v))
      if (arg.getOwner() == &fn.getBody().front())
        return arg.getArgNumber();
    return std::nullopt;
  };
  // Every symbol (class of equal dynamic sizes) gets --dynamic-size, except
  // where a constraint needs another value: a dynamic divisor
  // becomes the largest divisor of its dividend not above --dynamic-size, a
  // dynamic dividend the next multiple of its divisor.
  DenseMap<int64_t, int64_t> symbolValue;
  auto valueOf = [&](int64_t code) {
    if (code >= 0)
      return code;
    auto [it, inserted] = symbolValue.try_emplace(code, dynamicSize.getValue());
    return it->second;
  };
  // A "twice" constraint (attn.diff's head pairs) sets its dynamic side
  // from the other. A few rounds settle chains of constraints.
  for (int round = 0; round < 3; ++round)
    for (const EntryConstraint &c : sig->constraints) {
      int64_t lhsCode = sig->args[c.argA].dimCodes[c.dimA];
      if (c.kind == ATTN_ABI_CONSTRAINT_MULTIPLE) {
        // The next multiple of the constant (kept in argB).
        int64_t lhs = valueOf(lhsCode);
        if (lhsCode < 0 && lhs % c.argB != 0)
          symbolValue[lhsCode] = (lhs + c.argB - 1) / c.argB * c.argB;
        continue;
      }
      int64_t rhsCode = sig->args[c.argB].dimCodes[c.dimB];
      int64_t lhs = valueOf(lhsCode), rhs = valueOf(rhsCode);
      if (c.kind == ATTN_ABI_CONSTRAINT_TWICE) {
        if (lhs == 2 * rhs)
          continue;
        if (lhsCode < 0)
          symbolValue[lhsCode] = 2 * rhs;
        else if (rhsCode < 0 && lhs % 2 == 0)
          symbolValue[rhsCode] = lhs / 2;
        continue;
      }
      if (rhs > 0 && lhs % rhs == 0)
        continue;
      if (rhsCode < 0) {
        int64_t d = std::min(rhs, lhs);
        while (d > 1 && lhs % d != 0)
          --d;
        symbolValue[rhsCode] = std::max<int64_t>(d, 1);
      } else if (lhsCode < 0) {
        symbolValue[lhsCode] = (lhs + rhs - 1) / rhs * rhs;
      }
    }
  auto shape = [&](Value v) -> FailureOr<std::string> {
    std::optional<unsigned> idx = argIndex(v);
    if (!idx)
      return root->emitError("attn-check needs the operands of the attn op "
                             "to be entry point arguments");
    std::string s;
    for (int64_t code : sig->args[*idx].dimCodes)
      s += (s.empty() ? "" : ",") + std::to_string(valueOf(code));
    return s;
  };
  Check c;
  c.entry = fn.getSymName().str();
  auto maskText = [&](std::optional<MaskAttrInterface> mask) -> LogicalResult {
    c.mask = "none";
    if (!mask)
      return success();
    FailureOr<std::string> spec = maskSpec(*mask);
    if (failed(spec))
      return root->emitError("attn-check's reference does not know the mask ")
             << *mask;
    c.mask = *spec;
    return success();
  };
  auto inOrder = [&](ArrayRef<Value> inputs, StringRef order) -> LogicalResult {
    for (auto [i, in] : llvm::enumerate(inputs))
      if (argIndex(in) != i)
        return root->emitError("attn-check needs the entry point's arguments "
                               "to be (")
               << order << ") in this order";
    if (fn.getNumArguments() != inputs.size())
      return root->emitError("attn-check needs every entry point argument to "
                             "be an operand of the attn op");
    return success();
  };

  if (auto diff = dyn_cast<DiffOp>(root)) {
    FailureOr<std::string> q = shape(diff.getQuery()), k = shape(diff.getKey()),
                           v = shape(diff.getValue());
    if (failed(q) || failed(k) || failed(v))
      return failure();
    c.q = *q, c.k = *k, c.v = *v;
    // λ vectors and gain: constants embedded in the kernel are handed to
    // the reference as values; the others are inputs after value.
    SmallVector<Value> inputs = {diff.getQuery(), diff.getKey(),
                                 diff.getValue()};
    Value params[] = {diff.getLambdaQ1(), diff.getLambdaK1(),
                      diff.getLambdaQ2(), diff.getLambdaK2(), diff.getGain()};
    std::string weights;
    bool constant = false, input = false;
    for (auto [i, param] : llvm::enumerate(params)) {
      DenseFPElementsAttr values;
      if (matchPattern(param, m_Constant(&values))) {
        constant = true;
        weights += i ? ";" : "";
        for (auto [j, x] : llvm::enumerate(values.getValues<APFloat>())) {
          char buf[32];
          std::snprintf(buf, sizeof(buf), "%.9g", x.convertToDouble());
          weights += (j ? "," : "") + std::string(buf);
        }
      } else {
        input = true;
        inputs.push_back(param);
      }
    }
    if (constant && input)
      return root->emitError("attn-check needs attn.diff's lambdas and gain "
                             "to be all constants or all inputs");
    c.diffWeights = weights;
    if (failed(inOrder(inputs, "query, key, value[, lambda_q1, lambda_k1, "
                               "lambda_q2, lambda_k2, gain]")))
      return failure();
    c.diff = true;
    c.lambdaInit = diff.getLambdaInitValue();
    c.epsilon = diff.getEpsilonValue();
    c.dtype =
        dtypeName(cast<ShapedType>(diff.getQuery().getType()).getElementType())
            .str();
    if (failed(maskText(diff.getMask())))
      return failure();
    if (std::optional<APFloat> s = diff.getScale())
      c.scale = s->convertToDouble();
    return c;
  }

  // Low-rank ops: query, key, value, then the op's own inputs.
  auto lowRank = [&](Value query, Value key, Value value, ArrayRef<Value> extra,
                     StringRef order,
                     std::optional<APFloat> scale) -> LogicalResult {
    FailureOr<std::string> q = shape(query), k = shape(key), v = shape(value);
    if (failed(q) || failed(k) || failed(v))
      return failure();
    c.q = *q, c.k = *k, c.v = *v;
    SmallVector<Value> inputs = {query, key, value};
    inputs.append(extra.begin(), extra.end());
    if (failed(inOrder(inputs, order)))
      return failure();
    c.dtype =
        dtypeName(cast<ShapedType>(query.getType()).getElementType()).str();
    c.mask = "none";
    if (scale)
      c.scale = scale->convertToDouble();
    return success();
  };
  if (auto lin = dyn_cast<LinformerOp>(root)) {
    SmallVector<Value> extra = {lin.getE()};
    if (lin.getF())
      extra.push_back(lin.getF());
    if (failed(lowRank(lin.getQuery(), lin.getKey(), lin.getValue(), extra,
                       "query, key, value, e[, f]", lin.getScale())))
      return failure();
    auto e = cast<RankedTensorType>(lin.getE().getType());
    FailureOr<std::string> es = shape(lin.getE());
    if (failed(es))
      return failure();
    // Rows of the projection: the second-to-last size of its shape.
    SmallVector<StringRef> dims;
    StringRef(*es).split(dims, ',');
    c.lowRankFlag = "--linformer";
    c.lowRankSpec = dims[dims.size() - 2].str() +
                    (e.getRank() == 3 ? ",perhead" : "") +
                    (lin.getF() ? ",separate" : "");
    return c;
  }
  if (auto perf = dyn_cast<PerformerOp>(root)) {
    if (failed(lowRank(perf.getQuery(), perf.getKey(), perf.getValue(), {},
                       "query, key, value", perf.getScale())))
      return failure();
    c.lowRankFlag = "--performer";
    c.lowRankSpec = std::to_string(perf.getFeatureCount()) + "," +
                    stringifyFeatureKernel(perf.getKernel()).str() + "," +
                    (perf.getOrthogonal() ? "orthogonal" : "iid") + "," +
                    (perf.getConstantNorms() ? "constant" : "chi") + "," +
                    std::to_string(perf.getSeed()) +
                    (perf.getCausal() ? ",causal" : "");
    return c;
  }
  if (auto nys = dyn_cast<NystromOp>(root)) {
    SmallVector<Value> extra;
    if (nys.getConv())
      extra.push_back(nys.getConv());
    if (failed(lowRank(nys.getQuery(), nys.getKey(), nys.getValue(), extra,
                       "query, key, value[, conv]", nys.getScale())))
      return failure();
    c.lowRankFlag = "--nystrom";
    c.lowRankSpec = std::to_string(nys.getLandmarks()) + "," +
                    std::to_string(nys.getPinvIterations());
    if (Value conv = nys.getConv())
      c.lowRankSpec +=
          "," +
          std::to_string(cast<RankedTensorType>(conv.getType()).getDimSize(1));
    return c;
  }

  SdpaOp op = cast<SdpaOp>(root);
  FailureOr<std::string> q = shape(op.getQuery()), k = shape(op.getKey()),
                         v = shape(op.getValue());
  if (failed(q) || failed(k) || failed(v))
    return failure();
  c.q = *q, c.k = *k, c.v = *v;
  // Packed K/V: attn-run takes shapes in values (the static D / Dv the
  // verifier checked) and the format, and packs the rows itself.
  auto inValues = [](std::string &shape, int64_t width) {
    shape = shape.substr(0, shape.rfind(',') + 1) + std::to_string(width);
  };
  if (BlockFormatAttr f = op.getKeyFormatAttr()) {
    inValues(c.k, op.getHeadDim());
    c.kFormat = stringifyBlockFormat(f.getValue()).str();
  }
  c.qkInt8 = op.getQkPrecision() == Precision::int8;
  c.pvInt8 = op.getPvPrecision() == Precision::int8;
  c.qkBf16 = op.getQkPrecision() == Precision::bf16;
  c.pvBf16 = op.getPvPrecision() == Precision::bf16;
  c.smoothK = op.getSmoothK();
  if (BlockFormatAttr f = op.getValueFormatAttr()) {
    inValues(c.v, op.getValueDim());
    c.vFormat = stringifyBlockFormat(f.getValue()).str();
  }
  // attn-run passes query, key, value (and bias) as the entry's inputs in
  // that order.
  SmallVector<Value> inputs = {op.getQuery(), op.getKey(), op.getValue()};
  if (Value bias = op.getBias()) {
    FailureOr<std::string> b = shape(bias);
    if (failed(b))
      return failure();
    c.bias = *b;
    inputs.push_back(bias);
  }
  for (Value runtimeMask :
       {op.getKvLengths(), op.getQLengths(), op.getDocIds()})
    if (runtimeMask)
      inputs.push_back(runtimeMask);
  for (auto [scales, spec] : {std::pair{op.getKeyScales(), &c.kScales},
                              std::pair{op.getValueScales(), &c.vScales}}) {
    if (!scales)
      continue;
    FailureOr<std::string> s = shape(scales);
    if (failed(s))
      return failure();
    *spec = *s;
    if (cast<RankedTensorType>(scales.getType()).getElementType().isF16())
      *spec += ":f16";
    inputs.push_back(scales);
  }
  c.kScaleBlock = op.getKeyScaleBlockSize();
  c.vScaleBlock = op.getValueScaleBlockSize();
  c.kvLengths = static_cast<bool>(op.getKvLengths());
  c.qLengths = static_cast<bool>(op.getQLengths());
  c.documents = static_cast<bool>(op.getDocIds());
  if (failed(inOrder(inputs, "query, key, value[, bias][, kv_lengths]"
                             "[, q_lengths][, documents][, key_scales]"
                             "[, value_scales]")))
    return failure();
  FailureOr<std::string> mods = modsSpec(op);
  if (failed(mods))
    return failure();
  c.mods = *mods;
  c.topK = op.getTopK().value_or(0);
  c.dtype = dtypeName(op.getQueryType().getElementType()).str();
  if (failed(maskText(op.getMask())))
    return failure();
  if (std::optional<APFloat> s = op.getScale())
    c.scale = s->convertToDouble();
  return c;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(checkCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "attn-check: run compiled attention against "
                              "the fp64 reference\n");
  if (layout != "contiguous" && layout != "bshd")
    return fail("--layout must be contiguous or bshd");
  std::string error;
  std::optional<TargetDescription> target = configureTarget(
      targetName, tileSpec, diffLowering, error, qkPolicy, pvPolicy,
      smoothK.getNumOccurrences() && smoothK.empty() ? "true"
                                                     : smoothK.getValue());
  if (!target)
    return fail(error);

  std::unique_ptr<MLIRContext> context = createAttncContext();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, context.get());
  OwningOpRef<ModuleOp> module = loadInput(*context, inputPath, llvm::errs());
  if (!module || failed(runPhases(*module, Phase::Attn, *target)))
    return 2;

  llvm::SmallVector<llvm::StringRef> wanted;
  llvm::StringRef(entryName).split(wanted, ',', -1, /*KeepEmpty=*/false);
  std::vector<Check> checks;
  for (auto fn : module->getOps<func::FuncOp>()) {
    if (!fn.isPublic() || fn.isExternal())
      continue;
    if (!wanted.empty() && !llvm::is_contained(wanted, fn.getSymName()))
      continue;
    FailureOr<Check> c = describe(fn);
    if (failed(c))
      return 2;
    checks.push_back(*c);
  }
  if (checks.empty())
    return fail(entryName.empty() ? "the input has no entry points"
                                  : "no entry point named '" + entryName + "'");

  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("attn-check", dir))
    return fail("cannot create a temporary directory: " + ec.message());
  std::optional<Sanitizer> sanitizer = parseSanitizer(
      sanitizeName == "none" ? std::string() : sanitizeName.getValue());
  if (!sanitizer)
    return fail("--sanitize must be address, thread or none");
  FailureOr<std::string> so =
      compileToSharedLibrary(*module, *target, dir, *sanitizer);
  if (failed(so))
    return 2;
  std::string soPath = *so, objPath = (dir + "/kernel.o").str();

  std::string runner = runnerPath;
  if (runner.empty()) {
    std::string self = llvm::sys::fs::getMainExecutable(argv[0], (void *)&fail);
    runner = (llvm::sys::path::parent_path(self) + "/attn-run").str();
  }

  int failures = 0;
  std::vector<std::string> cases(numerics.begin(), numerics.end());
  if (cases.empty())
    cases.push_back("");
  for (const Check &c : checks)
    for (const std::string &numericsCase : cases) {
      std::vector<std::string> args;
      llvm::SmallVector<llvm::StringRef> prefix;
      llvm::StringRef(runPrefix).split(prefix, ' ', -1, false);
      for (llvm::StringRef p : prefix)
        args.push_back(p.str());
      args.insert(args.end(), {runner,
                               "--lib",
                               soPath,
                               "--entry",
                               c.entry,
                               "--q",
                               c.q,
                               "--k",
                               c.k,
                               "--v",
                               c.v,
                               "--dtype",
                               c.dtype,
                               "--mask",
                               c.mask,
                               "--mods",
                               c.mods,
                               "--seed",
                               std::to_string(seed),
                               "--values",
                               values,
                               "--key-offset",
                               std::to_string(keyOffset),
                               "--threads",
                               std::to_string(threads),
                               "--layout",
                               layout});
      if (target->kind == TargetKind::Vulkan)
        args.insert(args.end(), {"--device", "vulkan"});
      if (!c.bias.empty())
        args.insert(args.end(), {"--bias", c.bias});
      if (c.topK)
        args.insert(args.end(), {"--top-k", std::to_string(c.topK)});
      if (!c.kFormat.empty())
        args.insert(args.end(), {"--k-format", c.kFormat});
      if (!c.vFormat.empty())
        args.insert(args.end(), {"--v-format", c.vFormat});
      if (!c.kScales.empty())
        args.insert(args.end(), {"--k-scales", c.kScales, "--k-scale-block",
                                 std::to_string(c.kScaleBlock)});
      if (!c.vScales.empty())
        args.insert(args.end(), {"--v-scales", c.vScales, "--v-scale-block",
                                 std::to_string(c.vScaleBlock)});
      if (c.qkInt8)
        args.insert(args.end(), {"--qk", "int8"});
      if (c.pvInt8)
        args.insert(args.end(), {"--pv", "int8"});
      if (c.qkBf16)
        args.insert(args.end(), {"--qk", "bf16"});
      if (c.pvBf16)
        args.insert(args.end(), {"--pv", "bf16"});
      if (c.smoothK)
        args.push_back("--smooth-k");
      if (c.diff) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.17g", c.lambdaInit);
        args.insert(args.end(), {"--diff", buf});
        std::snprintf(buf, sizeof(buf), "%.17g", c.epsilon);
        args.insert(args.end(), {"--eps", buf});
        if (!c.diffWeights.empty())
          args.insert(args.end(), {"--diff-weights", c.diffWeights});
      }
      if (!c.lowRankFlag.empty())
        args.insert(args.end(), {c.lowRankFlag, c.lowRankSpec});
      if (!numericsCase.empty())
        args.insert(args.end(), {"--numerics", numericsCase});
      if (c.kvLengths)
        args.push_back("--kv-lengths");
      if (c.qLengths)
        args.push_back("--q-lengths");
      if (c.documents)
        args.insert(args.end(), {"--documents", documentOrder});
      if (c.scale) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.17g", *c.scale);
        args.insert(args.end(), {"--scale", buf});
      }
      if (tolerance >= 0) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.17g", tolerance.getValue());
        args.insert(args.end(), {"--tol", buf});
      }
      if (!scratchLimits.empty()) {
        std::string list;
        for (int64_t limit : scratchLimits)
          list += (list.empty() ? "" : ",") + std::to_string(limit);
        args.insert(args.end(), {"--scratch-limit", list});
      }
      if (!dumpDir.empty()) {
        std::string dir = dumpDir + "/" + c.entry;
        if (std::error_code ec = llvm::sys::fs::create_directories(dir))
          return fail("cannot create " + dir + ": " + ec.message());
        args.insert(args.end(), {"--dump", dir});
      }
      llvm::SmallVector<llvm::StringRef> argRefs(args.begin(), args.end());
      llvm::outs().flush();
      std::string error;
      // The emulator of --run-prefix is found on PATH.
      std::string program = args.front();
      if (!llvm::sys::path::has_parent_path(program))
        if (llvm::ErrorOr<std::string> found =
                llvm::sys::findProgramByName(program))
          program = *found;
      int rc = llvm::sys::ExecuteAndWait(program, argRefs, std::nullopt, {}, 0,
                                         0, &error);
      if (rc != 0) {
        ++failures;
        if (rc < 0 || !error.empty())
          llvm::errs() << "attn-check: error: running " << c.entry << ": "
                       << error << "\n";
      }
    }
  if (!keepTemps) {
    llvm::sys::fs::remove(objPath);
    llvm::sys::fs::remove(soPath);
    llvm::sys::fs::remove(dir);
  } else {
    llvm::outs() << "attn-check: kept " << objPath << " and " << soPath << "\n";
  }
  size_t runs = checks.size() * cases.size();
  llvm::outs() << "attn-check: " << (runs - failures) << " of " << runs
               << (cases.size() > 1 ? " checks (entry points x numerics cases)"
                                    : " entry points")
               << " within tolerance on " << target->name << "\n";
  return failures ? 1 : 0;
}
