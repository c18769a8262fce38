//===- AttnAttrs.cpp - attn dialect attributes ----------------------------===//
//
// Mask patterns: their static evaluation (`keeps`, `keepsAll`) and the IR they
// build for the lowering (`buildKeeps`).
//
//===----------------------------------------------------------------------===//

#include "dialects/Attn/AttnAttrs.h"
#include "dialects/Attn/AttnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

#include "dialects/Attn/AttnAttrInterfaces.cpp.inc"

#include "dialects/Attn/AttnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Attn/AttnAttrs.cpp.inc"

void AttnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Attn/AttnAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// CausalAttr
//===----------------------------------------------------------------------===//

bool CausalAttr::keeps(int64_t, int64_t q, int64_t k) const { return k <= q; }

Value CausalAttr::buildKeeps(OpBuilder &builder, Location loc, Value, Value q,
                             Value k) const {
  return arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::sle, k, q);
}

bool CausalAttr::keepsAll(int64_t lq, int64_t lk) const {
  // The first query row sits at position lk - lq and must see key lk - 1,
  // which holds for a single query whatever lk is.
  (void)lk;
  return lq <= 1;
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// Floor division for possibly negative positions (query positions are
/// negative when Lq > Lk).
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate pred, Value x,
          Value y) {
  return arith::CmpIOp::create(b, loc, pred, x, y);
}
} // namespace

//===----------------------------------------------------------------------===//
// CausalAttr
//===----------------------------------------------------------------------===//

BlockKind CausalAttr::classify(int64_t, int64_t q0, int64_t q1, int64_t k0,
                               int64_t k1) const {
  if (k0 > q1 - 1)
    return BlockKind::Empty;
  if (k1 - 1 <= q0)
    return BlockKind::Full;
  return BlockKind::Partial;
}

//===----------------------------------------------------------------------===//
// WindowAttr
//===----------------------------------------------------------------------===//

LogicalResult WindowAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t size, bool) {
  if (size <= 0)
    return emitError() << "window size must be positive, found " << size;
  return success();
}

Attribute WindowAttr::parse(AsmParser &parser, Type) {
  int64_t size = 0;
  bool bidirectional = false;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseInteger(size))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("bidirectional"))
      return {};
    bidirectional = true;
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<WindowAttr>(loc, parser.getContext(), size,
                                       bidirectional);
}

void WindowAttr::print(AsmPrinter &printer) const {
  printer << "<" << getSize();
  if (getBidirectional())
    printer << ", bidirectional";
  printer << ">";
}

bool WindowAttr::keeps(int64_t, int64_t q, int64_t k) const {
  int64_t d = q - k;
  return getBidirectional() ? (d < getSize() && -d < getSize())
                            : (d >= 0 && d < getSize());
}

Value WindowAttr::buildKeeps(OpBuilder &b, Location loc, Value, Value q,
                             Value k) const {
  using P = arith::CmpIPredicate;
  Value d = arith::SubIOp::create(b, loc, q, k);
  Value below = cmp(b, loc, P::slt, d, indexConst(b, loc, getSize()));
  Value above = getBidirectional()
                    ? cmp(b, loc, P::sgt, d, indexConst(b, loc, -getSize()))
                    : cmp(b, loc, P::sge, d, indexConst(b, loc, 0));
  return arith::AndIOp::create(b, loc, below, above);
}

BlockKind WindowAttr::classify(int64_t, int64_t q0, int64_t q1, int64_t k0,
                               int64_t k1) const {
  // d = q - k ranges over [dMin, dMax] in the block.
  int64_t dMin = q0 - (k1 - 1), dMax = (q1 - 1) - k0, w = getSize();
  int64_t lo = getBidirectional() ? -w + 1 : 0, hi = w - 1;
  if (dMax < lo || dMin > hi)
    return BlockKind::Empty;
  if (dMin >= lo && dMax <= hi)
    return BlockKind::Full;
  return BlockKind::Partial;
}

//===----------------------------------------------------------------------===//
// StridedAttr
//===----------------------------------------------------------------------===//

LogicalResult StridedAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t stride) {
  if (stride <= 0)
    return emitError() << "stride must be positive, found " << stride;
  return success();
}

bool StridedAttr::keeps(int64_t, int64_t q, int64_t k) const {
  return (q - k) % getStride() == 0;
}

Value StridedAttr::buildKeeps(OpBuilder &b, Location loc, Value, Value q,
                              Value k) const {
  Value rem =
      arith::RemSIOp::create(b, loc, arith::SubIOp::create(b, loc, q, k),
                             indexConst(b, loc, getStride()));
  return cmp(b, loc, arith::CmpIPredicate::eq, rem, indexConst(b, loc, 0));
}

BlockKind StridedAttr::classify(int64_t, int64_t q0, int64_t q1, int64_t k0,
                                int64_t k1) const {
  int64_t s = getStride();
  if (s == 1)
    return BlockKind::Full;
  int64_t dMin = q0 - (k1 - 1), dMax = (q1 - 1) - k0;
  // Is there a multiple of s in [dMin, dMax]?
  if (floorDiv(dMax, s) * s < dMin)
    return BlockKind::Empty;
  if (dMin == dMax)
    return BlockKind::Full; // one diagonal, and it is kept
  return BlockKind::Partial;
}

//===----------------------------------------------------------------------===//
// GlobalAttr
//===----------------------------------------------------------------------===//

LogicalResult GlobalAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t tokens) {
  if (tokens <= 0)
    return emitError() << "global token count must be positive, found "
                       << tokens;
  return success();
}

bool GlobalAttr::keeps(int64_t, int64_t q, int64_t k) const {
  return q < getTokens() || k < getTokens();
}

Value GlobalAttr::buildKeeps(OpBuilder &b, Location loc, Value, Value q,
                             Value k) const {
  Value g = indexConst(b, loc, getTokens());
  return arith::OrIOp::create(b, loc,
                              cmp(b, loc, arith::CmpIPredicate::slt, q, g),
                              cmp(b, loc, arith::CmpIPredicate::slt, k, g));
}

BlockKind GlobalAttr::classify(int64_t, int64_t q0, int64_t q1, int64_t k0,
                               int64_t k1) const {
  int64_t g = getTokens();
  if (q1 - 1 < g || k1 - 1 < g)
    return BlockKind::Full;
  if (q0 >= g && k0 >= g)
    return BlockKind::Empty;
  return BlockKind::Partial;
}

//===----------------------------------------------------------------------===//
// BlockSparseAttr
//===----------------------------------------------------------------------===//

LogicalResult
BlockSparseAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t blockQ, int64_t blockK,
                        DenseIntElementsAttr layout) {
  if (blockQ <= 0 || blockK <= 0)
    return emitError() << "block_sparse block sizes must be positive, found "
                       << blockQ << " x " << blockK;
  auto type = cast<ShapedType>(layout.getType());
  if (type.getRank() != 2 && type.getRank() != 3)
    return emitError() << "block_sparse layout must be [NQ, NK] or "
                          "[heads, NQ, NK], found rank "
                       << type.getRank();
  if (type.getNumElements() == 0)
    return emitError() << "block_sparse layout is empty";
  int64_t index = 0;
  for (const APInt &v : layout.getValues<APInt>()) {
    if (!v.isZero() && !v.isOne())
      return emitError() << "block_sparse layout entries must be 0 or 1, found "
                         << v.getSExtValue() << " at flat index " << index;
    ++index;
  }
  return success();
}

bool BlockSparseAttr::cell(int64_t head, int64_t i, int64_t j) const {
  auto type = cast<ShapedType>(getLayout().getType());
  ArrayRef<int64_t> shape = type.getShape();
  bool perHead = shape.size() == 3;
  int64_t nq = shape[perHead], nk = shape[perHead + 1];
  if (i < 0 || j < 0 || i >= nq || j >= nk)
    return false;
  int64_t flat = i * nk + j;
  if (perHead) {
    if (head < 0 || head >= shape[0])
      return false;
    flat += head * nq * nk;
  }
  return !(*(getLayout().getValues<APInt>().begin() + flat)).isZero();
}

bool BlockSparseAttr::keeps(int64_t head, int64_t q, int64_t k) const {
  return cell(head, floorDiv(q, getBlockQ()), floorDiv(k, getBlockK()));
}

Value BlockSparseAttr::buildKeeps(OpBuilder &b, Location loc, Value head,
                                  Value q, Value k) const {
  using P = arith::CmpIPredicate;
  ArrayRef<int64_t> shape = cast<ShapedType>(getLayout().getType()).getShape();
  bool perHead = shape.size() == 3;
  // The layout as an i8 constant tensor, indexed with in-range indices; an
  // out-of-range position reads cell 0 and is then masked off.
  auto i8 = b.getI8Type();
  auto type = RankedTensorType::get(shape, i8);
  Attribute bytes = getLayout().mapValues(
      i8, [](const APInt &v) { return APInt(8, v.isZero() ? 0 : 1); });
  Value table = arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(bytes));
  Value zero = indexConst(b, loc, 0);
  Value i =
      arith::FloorDivSIOp::create(b, loc, q, indexConst(b, loc, getBlockQ()));
  Value j = arith::DivUIOp::create(b, loc, k, indexConst(b, loc, getBlockK()));
  SmallVector<std::pair<Value, int64_t>> coords;
  if (perHead)
    coords.push_back({head, shape[0]});
  coords.push_back({i, shape[perHead]});
  coords.push_back({j, shape[perHead + 1]});
  Value inRange;
  SmallVector<Value> indices;
  for (auto [x, extent] : coords) {
    Value ok = arith::AndIOp::create(
        b, loc, cmp(b, loc, P::sge, x, zero),
        cmp(b, loc, P::slt, x, indexConst(b, loc, extent)));
    inRange = inRange ? arith::AndIOp::create(b, loc, inRange, ok) : ok;
    indices.push_back(arith::SelectOp::create(b, loc, ok, x, zero));
  }
  Value entry = tensor::ExtractOp::create(b, loc, table, indices);
  Value set =
      cmp(b, loc, P::ne, entry, arith::ConstantIntOp::create(b, loc, i8, 0));
  return arith::AndIOp::create(b, loc, inRange, set);
}

BlockKind BlockSparseAttr::classify(int64_t head, int64_t q0, int64_t q1,
                                    int64_t k0, int64_t k1) const {
  bool any = false, all = true;
  for (int64_t i = floorDiv(q0, getBlockQ()),
               iEnd = floorDiv(q1 - 1, getBlockQ());
       i <= iEnd; ++i)
    for (int64_t j = floorDiv(k0, getBlockK()),
                 jEnd = floorDiv(k1 - 1, getBlockK());
         j <= jEnd; ++j) {
      bool c = cell(head, i, j);
      any |= c;
      all &= c;
    }
  return all ? BlockKind::Full : any ? BlockKind::Partial : BlockKind::Empty;
}

bool BlockSparseAttr::isHeadDependent() const {
  ArrayRef<int64_t> shape = cast<ShapedType>(getLayout().getType()).getShape();
  return shape.size() == 3 && shape[0] > 1;
}

LogicalResult
BlockSparseAttr::verifyShape(function_ref<InFlightDiagnostic()> emitError,
                             int64_t heads, int64_t lq, int64_t lk) const {
  (void)lq;
  ArrayRef<int64_t> shape = cast<ShapedType>(getLayout().getType()).getShape();
  bool perHead = shape.size() == 3;
  if (perHead && !ShapedType::isDynamic(heads) && shape[0] != heads)
    return emitError() << "block_sparse layout has " << shape[0]
                       << " heads but the op has " << heads << " query heads";
  // Query positions are aligned bottom-right, so both reach Lk - 1.
  if (!ShapedType::isDynamic(lk)) {
    int64_t nq = shape[perHead], nk = shape[perHead + 1];
    if (nq * getBlockQ() < lk)
      return emitError() << "block_sparse layout covers " << nq * getBlockQ()
                         << " query positions (" << nq << " blocks of "
                         << getBlockQ() << ") but query positions reach "
                         << lk - 1;
    if (nk * getBlockK() < lk)
      return emitError() << "block_sparse layout covers " << nk * getBlockK()
                         << " key positions (" << nk << " blocks of "
                         << getBlockK() << ") but the op has " << lk << " keys";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// AndAttr, OrAttr
//===----------------------------------------------------------------------===//

namespace {
LogicalResult verifyComposition(function_ref<InFlightDiagnostic()> emitError,
                                StringRef name,
                                ArrayRef<MaskAttrInterface> masks) {
  if (masks.size() < 2)
    return emitError() << "#attn." << name
                       << " needs at least two mask patterns, found "
                       << masks.size();
  return success();
}

bool anyHeadDependent(ArrayRef<MaskAttrInterface> masks) {
  return llvm::any_of(masks,
                      [](MaskAttrInterface m) { return m.isHeadDependent(); });
}

LogicalResult verifyAllShapes(ArrayRef<MaskAttrInterface> masks,
                              function_ref<InFlightDiagnostic()> emitError,
                              int64_t heads, int64_t lq, int64_t lk) {
  for (MaskAttrInterface m : masks)
    if (failed(m.verifyShape(emitError, heads, lq, lk)))
      return failure();
  return success();
}
} // namespace

namespace {
/// An intersection (conjunction) or union of mask patterns.
struct Combination {
  ArrayRef<MaskAttrInterface> masks;
  bool conjunction;

  bool keeps(int64_t head, int64_t q, int64_t k) const {
    auto keepsPair = [&](MaskAttrInterface m) { return m.keeps(head, q, k); };
    return conjunction ? llvm::all_of(masks, keepsPair)
                       : llvm::any_of(masks, keepsPair);
  }

  Value buildKeeps(OpBuilder &b, Location loc, Value head, Value q,
                   Value k) const {
    Value result;
    for (MaskAttrInterface m : masks) {
      Value keep = m.buildKeeps(b, loc, head, q, k);
      if (!result)
        result = keep;
      else if (conjunction)
        result = arith::AndIOp::create(b, loc, result, keep);
      else
        result = arith::OrIOp::create(b, loc, result, keep);
    }
    return result;
  }

  /// An intersection is empty as soon as one member is, full when all are;
  /// a union the other way round.
  BlockKind classify(int64_t head, int64_t q0, int64_t q1, int64_t k0,
                     int64_t k1) const {
    BlockKind absorbing = conjunction ? BlockKind::Empty : BlockKind::Full;
    BlockKind unanimous = conjunction ? BlockKind::Full : BlockKind::Empty;
    bool all = true;
    for (MaskAttrInterface m : masks) {
      BlockKind kind = m.classify(head, q0, q1, k0, k1);
      if (kind == absorbing)
        return absorbing;
      all &= kind == unanimous;
    }
    return all ? unanimous : BlockKind::Partial;
  }
};
} // namespace

LogicalResult AndAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              ArrayRef<MaskAttrInterface> masks) {
  return verifyComposition(emitError, "and", masks);
}

bool AndAttr::keeps(int64_t head, int64_t q, int64_t k) const {
  return Combination{getMasks(), true}.keeps(head, q, k);
}

Value AndAttr::buildKeeps(OpBuilder &b, Location loc, Value head, Value q,
                          Value k) const {
  return Combination{getMasks(), true}.buildKeeps(b, loc, head, q, k);
}

BlockKind AndAttr::classify(int64_t head, int64_t q0, int64_t q1, int64_t k0,
                            int64_t k1) const {
  return Combination{getMasks(), true}.classify(head, q0, q1, k0, k1);
}

bool AndAttr::isHeadDependent() const { return anyHeadDependent(getMasks()); }

LogicalResult AndAttr::verifyShape(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t heads, int64_t lq,
                                   int64_t lk) const {
  return verifyAllShapes(getMasks(), emitError, heads, lq, lk);
}

LogicalResult OrAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                             ArrayRef<MaskAttrInterface> masks) {
  return verifyComposition(emitError, "or", masks);
}

bool OrAttr::keeps(int64_t head, int64_t q, int64_t k) const {
  return Combination{getMasks(), false}.keeps(head, q, k);
}

Value OrAttr::buildKeeps(OpBuilder &b, Location loc, Value head, Value q,
                         Value k) const {
  return Combination{getMasks(), false}.buildKeeps(b, loc, head, q, k);
}

BlockKind OrAttr::classify(int64_t head, int64_t q0, int64_t q1, int64_t k0,
                           int64_t k1) const {
  return Combination{getMasks(), false}.classify(head, q0, q1, k0, k1);
}

bool OrAttr::isHeadDependent() const { return anyHeadDependent(getMasks()); }

LogicalResult OrAttr::verifyShape(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t heads, int64_t lq, int64_t lk) const {
  return verifyAllShapes(getMasks(), emitError, heads, lq, lk);
}

//===----------------------------------------------------------------------===//
// Score modifiers
//===----------------------------------------------------------------------===//

namespace {
Value f32Const(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// Position difference k - q as f32.
Value distance(OpBuilder &b, Location loc, Value q, Value k) {
  Value d = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                       arith::SubIOp::create(b, loc, k, q));
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), d);
}

/// Checks that a per-head table has 1 or `heads` rows.
LogicalResult checkHeads(function_ref<InFlightDiagnostic()> emitError,
                         StringRef what, int64_t rows, int64_t heads) {
  if (rows == 1 || ShapedType::isDynamic(heads) || rows == heads)
    return success();
  return emitError() << what << " has " << rows << " entries but the op has "
                     << heads << " query heads";
}

/// Reads entry [row, col] of a constant f32 table (rows broadcast when 1),
/// given index values.
Value tableEntry(OpBuilder &b, Location loc, DenseFPElementsAttr table,
                 Value head, Value col) {
  auto type = cast<ShapedType>(table.getType());
  auto f32Table = cast<DenseElementsAttr>(table).mapValues(
      b.getF32Type(), [](const APFloat &v) {
        bool lost;
        APFloat f = v;
        f.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
        return f.bitcastToAPInt();
      });
  Value t = arith::ConstantOp::create(b, loc, cast<TypedAttr>(f32Table));
  SmallVector<Value> idx;
  if (type.getRank() == 2)
    idx.push_back(type.getDimSize(0) == 1
                      ? arith::ConstantIndexOp::create(b, loc, 0).getResult()
                      : head);
  idx.push_back(col);
  return tensor::ExtractOp::create(b, loc, t, idx);
}
} // namespace

LogicalResult SoftcapAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  APFloat capValue) {
  double cap = capValue.convertToDouble();
  if (!(cap > 0) || !std::isfinite(cap))
    return emitError() << "softcap must be a finite positive number, found "
                       << cap;
  return success();
}

Attribute SoftcapAttr::parse(AsmParser &parser, Type) {
  double cap = 0;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseFloat(cap) || parser.parseGreater())
    return {};
  return parser.getChecked<SoftcapAttr>(loc, parser.getContext(), APFloat(cap));
}

void SoftcapAttr::print(AsmPrinter &printer) const {
  printer << "<" << getCap().convertToDouble() << ">";
}

Value SoftcapAttr::build(OpBuilder &b, Location loc, Value score, Value, Value,
                         Value, Value) const {
  Value cap = f32Const(b, loc, getCap().convertToDouble());
  Value t =
      math::TanhOp::create(b, loc, arith::DivFOp::create(b, loc, score, cap));
  return arith::MulFOp::create(b, loc, cap, t);
}

LogicalResult AlibiAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                DenseFPElementsAttr slopes) {
  auto type = cast<ShapedType>(slopes.getType());
  if (type.getRank() != 1 || type.getNumElements() == 0)
    return emitError() << "alibi slopes must be a non-empty 1-D tensor, one "
                          "per query head";
  return success();
}

LogicalResult
AlibiAttr::verifyShape(function_ref<InFlightDiagnostic()> emitError,
                       int64_t heads) const {
  return checkHeads(emitError, "alibi slopes",
                    cast<ShapedType>(getSlopes().getType()).getDimSize(0),
                    heads);
}

Value AlibiAttr::build(OpBuilder &b, Location loc, Value score, Value,
                       Value head, Value q, Value k) const {
  auto type = cast<ShapedType>(getSlopes().getType());
  Value idx = type.getDimSize(0) == 1
                  ? arith::ConstantIndexOp::create(b, loc, 0).getResult()
                  : head;
  Value slope = tableEntry(b, loc, getSlopes(), Value(), idx);
  return arith::AddFOp::create(
      b, loc, score,
      arith::MulFOp::create(b, loc, slope, distance(b, loc, q, k)));
}

LogicalResult
RelativeBiasAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t maxDistance, DenseFPElementsAttr table) {
  if (maxDistance < 0)
    return emitError() << "relative_bias max distance must be >= 0, found "
                       << maxDistance;
  auto type = cast<ShapedType>(table.getType());
  if (type.getRank() != 2 || type.getDimSize(1) != 2 * maxDistance + 1)
    return emitError() << "relative_bias table must be [heads, "
                       << 2 * maxDistance + 1 << "] (2 * max distance + 1)";
  return success();
}

LogicalResult
RelativeBiasAttr::verifyShape(function_ref<InFlightDiagnostic()> emitError,
                              int64_t heads) const {
  return checkHeads(emitError, "relative_bias table",
                    cast<ShapedType>(getTable().getType()).getDimSize(0),
                    heads);
}

Value RelativeBiasAttr::build(OpBuilder &b, Location loc, Value score, Value,
                              Value head, Value q, Value k) const {
  int64_t m = getMaxDistance();
  Value d = arith::SubIOp::create(b, loc, k, q);
  d = arith::MaxSIOp::create(b, loc, d,
                             arith::ConstantIndexOp::create(b, loc, -m));
  d = arith::MinSIOp::create(b, loc, d,
                             arith::ConstantIndexOp::create(b, loc, m));
  Value col = arith::AddIOp::create(b, loc, d,
                                    arith::ConstantIndexOp::create(b, loc, m));
  return arith::AddFOp::create(b, loc, score,
                               tableEntry(b, loc, getTable(), head, col));
}
