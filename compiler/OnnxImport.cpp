//===- OnnxImport.cpp - the attention in an ONNX graph, as attn layers ----===//
//
// The graph is read through Debian's libonnx protobuf classes. Each
// candidate (an Attention / MultiHeadAttention / GroupQueryAttention node,
// or a Softmax) is matched by its own function, which either fills a
// LayerDescription plus the lines that say how to call the entry, or gives
// the reason it does not fit.
//
//===----------------------------------------------------------------------===//

#include "compiler/OnnxImport.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <variant>

#ifdef ATTN_WITH_ONNX
#include "onnx/onnx_pb.h"
#endif

using namespace mlir;
using namespace mlir::attn;

#ifndef ATTN_WITH_ONNX

bool mlir::attn::onnxImportAvailable() { return false; }

FailureOr<ModelDescription>
mlir::attn::importOnnxModel(llvm::StringRef, llvm::StringRef filename,
                            llvm::raw_ostream &errs) {
  errs << filename
       << ": error: this attnc was built without ONNX import (install "
          "Debian's libonnx-dev and libprotobuf-dev, then reconfigure)\n";
  return failure();
}

#else

bool mlir::attn::onnxImportAvailable() { return true; }

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

/// One dimension as the graph states it: a size, or a symbol (dim_param),
/// or nothing.
struct Dim {
  int64_t size = kDynamic;
  std::string symbol;

  bool isStatic() const { return size != kDynamic; }
  /// Equal for certain: the same size, or the same symbol.
  bool sameAs(const Dim &o) const {
    if (isStatic() || o.isStatic())
      return size == o.size;
    return !symbol.empty() && symbol == o.symbol;
  }
  std::string str() const {
    if (isStatic())
      return std::to_string(size);
    return symbol.empty() ? "?" : symbol;
  }
};

/// A tensor value's element type and shape, when the graph states them.
struct ValueType {
  int elemType = 0;
  std::vector<Dim> dims;
  size_t rank() const { return dims.size(); }
};

std::string shapeStr(const std::vector<Dim> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + dims[i].str();
  return s + "]";
}

/// The product of two dimensions (sizes, or a symbolic product).
Dim mulDims(const Dim &a, const Dim &b) {
  int64_t product;
  if (a.isStatic() && b.isStatic() &&
      !__builtin_mul_overflow(a.size, b.size, &product))
    return {product, ""};
  return {kDynamic, a.str() + "*" + b.str()};
}

/// a / n for a static n, when it divides.
std::optional<Dim> divDim(const Dim &a, int64_t n) {
  if (n <= 0)
    return std::nullopt;
  if (!a.isStatic())
    return std::nullopt;
  if (a.size % n != 0)
    return std::nullopt;
  return Dim{a.size / n, ""};
}

const char *dtypeName(int elemType) {
  switch (elemType) {
  case onnx::TensorProto_DataType_FLOAT:
    return "f32";
  case onnx::TensorProto_DataType_FLOAT16:
    return "f16";
  case onnx::TensorProto_DataType_BFLOAT16:
    return "bf16";
  default:
    return nullptr;
  }
}

std::string elemTypeName(int elemType) {
  if (const char *n = dtypeName(elemType))
    return n;
  if (onnx::TensorProto_DataType_IsValid(elemType))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(elemType));
  return "type " + std::to_string(elemType);
}

/// A constant tensor (an initializer or a Constant node's value).
struct Constant {
  std::vector<int64_t> dims;
  std::vector<double> values;
};

double halfBits(uint16_t bits, const llvm::fltSemantics &sem) {
  llvm::APFloat f(sem, llvm::APInt(16, bits));
  bool lost;
  f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return f.convertToDouble();
}

/// The values of a tensor stored in the model, or nullopt for a type or a
/// storage (external data) this reader does not take.
std::optional<Constant> readTensor(const onnx::TensorProto &t) {
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    return std::nullopt;
  Constant c;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && count > (int64_t{1} << 40) / d))
      return std::nullopt;
    c.dims.push_back(d);
    count *= d;
  }
  const std::string &raw = t.raw_data();
  auto fromRaw = [&](size_t width, auto decode) -> bool {
    if (raw.empty())
      return false;
    if (raw.size() != static_cast<size_t>(count) * width)
      return true; // present but inconsistent: no values
    for (int64_t i = 0; i < count; ++i)
      c.values.push_back(decode(raw.data() + i * width));
    return true;
  };
  switch (t.data_type()) {
  case onnx::TensorProto_DataType_FLOAT:
    if (!fromRaw(4, [](const char *p) {
          float f;
          std::memcpy(&f, p, 4);
          return static_cast<double>(f);
        }))
      for (float f : t.float_data())
        c.values.push_back(f);
    break;
  case onnx::TensorProto_DataType_DOUBLE:
    if (!fromRaw(8, [](const char *p) {
          double d;
          std::memcpy(&d, p, 8);
          return d;
        }))
      for (double d : t.double_data())
        c.values.push_back(d);
    break;
  case onnx::TensorProto_DataType_FLOAT16:
  case onnx::TensorProto_DataType_BFLOAT16: {
    const llvm::fltSemantics &sem =
        t.data_type() == onnx::TensorProto_DataType_FLOAT16
            ? llvm::APFloat::IEEEhalf()
            : llvm::APFloat::BFloat();
    if (!fromRaw(2, [&](const char *p) {
          uint16_t bits;
          std::memcpy(&bits, p, 2);
          return halfBits(bits, sem);
        }))
      for (int32_t bits : t.int32_data())
        c.values.push_back(halfBits(static_cast<uint16_t>(bits), sem));
    break;
  }
  case onnx::TensorProto_DataType_INT64:
    if (!fromRaw(8, [](const char *p) {
          int64_t v;
          std::memcpy(&v, p, 8);
          return static_cast<double>(v);
        }))
      for (int64_t v : t.int64_data())
        c.values.push_back(static_cast<double>(v));
    break;
  case onnx::TensorProto_DataType_INT32:
    if (!fromRaw(4, [](const char *p) {
          int32_t v;
          std::memcpy(&v, p, 4);
          return static_cast<double>(v);
        }))
      for (int32_t v : t.int32_data())
        c.values.push_back(v);
    break;
  default:
    return std::nullopt;
  }
  if (static_cast<int64_t>(c.values.size()) != count)
    return std::nullopt;
  return c;
}

/// Why a candidate is not an attention attnc compiles.
struct Rejected {
  std::string reason;
};

/// A recognised attention: the layer and the lines that say how the node's
/// tensors map onto the entry's arguments.
struct Found {
  LayerDescription layer;
  std::vector<std::string> arguments;
  /// The node the entry is named after when it is not the candidate itself
  /// (the subgraph's final MatMul).
  const onnx::NodeProto *namedAfter = nullptr;
};

/// The graph, indexed: producers, consumers, types, constants.
class Graph {
public:
  explicit Graph(const onnx::ModelProto &model) : g(model.graph()) {
    for (const onnx::OperatorSetIdProto &o : model.opset_import())
      opsets[o.domain().empty() ? "ai.onnx" : o.domain()] = o.version();
    for (const onnx::TensorProto &t : g.initializer())
      initializers[t.name()] = &t;
    auto addType = [&](const onnx::ValueInfoProto &v) {
      if (!v.has_type() || !v.type().has_tensor_type())
        return;
      const onnx::TypeProto_Tensor &tt = v.type().tensor_type();
      if (!tt.has_shape())
        return; // an element type alone: no shape to check against
      ValueType vt;
      vt.elemType = tt.elem_type();
      for (const onnx::TensorShapeProto_Dimension &d : tt.shape().dim()) {
        Dim dim;
        if (d.has_dim_value() && d.dim_value() >= 0)
          dim.size = d.dim_value();
        else if (d.has_dim_param())
          dim.symbol = d.dim_param();
        vt.dims.push_back(dim);
      }
      types[v.name()] = vt;
    };
    for (const onnx::ValueInfoProto &v : g.input()) {
      addType(v);
      if (!initializers.count(v.name()))
        graphInputs.insert(v.name());
    }
    for (const onnx::ValueInfoProto &v : g.value_info())
      addType(v);
    for (const onnx::ValueInfoProto &v : g.output()) {
      addType(v);
      ++uses[v.name()];
    }
    for (const onnx::TensorProto &t : g.initializer()) {
      ValueType vt;
      vt.elemType = t.data_type();
      for (int64_t d : t.dims())
        vt.dims.push_back(Dim{d, ""});
      types.try_emplace(t.name(), vt);
    }
    for (int i = 0; i < g.node_size(); ++i) {
      const onnx::NodeProto &n = g.node(i);
      indices[&n] = i;
      for (const std::string &out : n.output())
        if (!out.empty())
          producers[out] = &n;
      for (int j = 0; j < n.input_size(); ++j)
        if (!n.input(j).empty()) {
          ++uses[n.input(j)];
          consumers[n.input(j)].push_back({&n, j});
        }
    }
  }

  int64_t opset(llvm::StringRef domain) const {
    auto it = opsets.find(domain);
    return it == opsets.end() ? 0 : it->second;
  }

  const onnx::NodeProto *producer(llvm::StringRef value) const {
    auto it = producers.find(value);
    return it == producers.end() ? nullptr : it->second;
  }

  /// The nodes that read `value`, with the input index they read it at.
  llvm::ArrayRef<std::pair<const onnx::NodeProto *, int>>
  consumersOf(llvm::StringRef value) const {
    auto it = consumers.find(value);
    if (it == consumers.end())
      return {};
    return it->second;
  }

  /// Uses of `value` by nodes and as a graph output.
  unsigned useCount(llvm::StringRef value) const {
    auto it = uses.find(value);
    return it == uses.end() ? 0 : it->second;
  }

  bool isGraphInput(llvm::StringRef value) const {
    return graphInputs.contains(value);
  }

  std::optional<ValueType> type(llvm::StringRef value) const {
    auto it = types.find(value);
    if (it == types.end())
      return std::nullopt;
    return it->second;
  }

  /// The value of an initializer or a Constant node's output.
  std::optional<Constant> constant(llvm::StringRef value) const {
    if (auto it = initializers.find(value); it != initializers.end())
      return readTensor(*it->second);
    const onnx::NodeProto *p = producer(value);
    if (!p || p->op_type() != "Constant" || !p->domain().empty())
      return std::nullopt;
    for (const onnx::AttributeProto &a : p->attribute()) {
      if (a.name() == "value" && a.has_t())
        return readTensor(a.t());
      if (a.name() == "value_float")
        return Constant{{}, {a.f()}};
      if (a.name() == "value_int")
        return Constant{{}, {static_cast<double>(a.i())}};
    }
    return std::nullopt;
  }

  /// A scalar constant (any rank, one element).
  std::optional<double> scalar(llvm::StringRef value) const {
    std::optional<Constant> c = constant(value);
    if (!c || c->values.size() != 1)
      return std::nullopt;
    return c->values[0];
  }

  /// The node's name, or "<op>_<index>" for an unnamed node.
  std::string nodeName(const onnx::NodeProto &n) const {
    if (!n.name().empty())
      return n.name();
    return n.op_type() + "_" + std::to_string(indices.lookup(&n));
  }

private:
  const onnx::GraphProto &g;
  llvm::StringMap<int64_t> opsets;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<const onnx::NodeProto *> producers;
  llvm::StringMap<unsigned> uses;
  llvm::StringMap<llvm::SmallVector<std::pair<const onnx::NodeProto *, int>, 2>>
      consumers;
  llvm::DenseMap<const onnx::NodeProto *, int> indices;
  llvm::StringMap<ValueType> types;
  llvm::StringSet<> graphInputs;
};

/// A node's attributes by name.
struct Attributes {
  explicit Attributes(const onnx::NodeProto &n) {
    for (const onnx::AttributeProto &a : n.attribute())
      byName[a.name()] = &a;
  }
  int64_t i(llvm::StringRef name, int64_t dflt) const {
    auto it = byName.find(name);
    return it == byName.end() ? dflt : it->second->i();
  }
  std::optional<double> f(llvm::StringRef name) const {
    auto it = byName.find(name);
    if (it == byName.end())
      return std::nullopt;
    return it->second->f();
  }
  llvm::StringMap<const onnx::AttributeProto *> byName;
};

/// Input `i` of `n`, or "" when absent.
std::string input(const onnx::NodeProto &n, int i) {
  return i < n.input_size() ? n.input(i) : std::string();
}
std::string output(const onnx::NodeProto &n, int i) {
  return i < n.output_size() ? n.output(i) : std::string();
}

/// A rejection for the first input at index `first` or later that is given
/// (inputs the matcher does not take).
std::optional<Rejected> inputsFrom(const onnx::NodeProto &n, int first) {
  for (int i = first; i < n.input_size(); ++i)
    if (!n.input(i).empty())
      return Rejected{"input " + std::to_string(i) + " ('" + n.input(i) +
                      "') is not supported"};
  return std::nullopt;
}

/// A Q/K/V operand: the ONNX value, its layout in the node, and the
/// logical [B, H, L, D] shape the entry sees.
struct Operand {
  std::string value;
  ValueType type;
  Dim batch, heads, len, width;
  /// True for [B, L, H*D] storage (passed as a strided view).
  bool interleaved = false;
  /// Leading dimensions the ONNX value lacks (rank 2/3 subgraph operands).
  int missingLeading = 0;
};

/// How a [B, L, H*D] tensor is passed: the [B, H, L, D] view and its
/// strides.
std::string stridedView(const Dim &b, const Dim &h, const Dim &l,
                        const Dim &d) {
  Dim hd = mulDims(h, d);
  return "passed as the [B, H, L, D] view " + shapeStr({b, h, l, d}) +
         " with strides (" + mulDims(l, hd).str() + ", " + d.str() + ", " +
         hd.str() + ", 1)";
}

/// How the operand is passed to the entry, for the report.
std::string describe(const char *arg, const Operand &o) {
  std::string s = std::string(arg) + " = '" + o.value + "' " +
                  shapeStr(o.type.dims) + " " + elemTypeName(o.type.elemType);
  if (o.interleaved)
    s += ", " + stridedView(o.batch, o.heads, o.len, o.width);
  else if (o.missingLeading)
    s += ", passed as " + shapeStr({o.batch, o.heads, o.len, o.width});
  return s;
}

/// How the output is passed: like the query, with the value's width.
std::string describeOut(const std::string &value, const Operand &q,
                        const Operand &v) {
  std::string s = "out = '" + value + "' ";
  if (q.interleaved)
    return s + shapeStr({q.batch, q.len, mulDims(q.heads, v.width)}) + ", " +
           stridedView(q.batch, q.heads, q.len, v.width);
  return s + shapeStr({q.batch, q.heads, q.len, v.width});
}

/// Reads a [B, H, L, D] (rank 4) operand.
std::variant<Operand, Rejected> bhld(const Graph &g, const std::string &value,
                                     const char *what) {
  std::optional<ValueType> t = g.type(value);
  if (!t)
    return Rejected{std::string(what) + " '" + value +
                    "' has no stated shape (run ONNX shape inference first)"};
  if (t->rank() != 4)
    return Rejected{std::string(what) + " '" + value + "' has rank " +
                    std::to_string(t->rank()) + ", expected 4 ([B, H, L, D])"};
  Operand o;
  o.value = value;
  o.type = *t;
  o.batch = t->dims[0], o.heads = t->dims[1], o.len = t->dims[2],
  o.width = t->dims[3];
  return o;
}

/// Reads a [B, L, H*D] (rank 3) operand with `heads` heads.
std::variant<Operand, Rejected> blhd(const Graph &g, const std::string &value,
                                     const char *what, int64_t heads) {
  std::optional<ValueType> t = g.type(value);
  if (!t)
    return Rejected{std::string(what) + " '" + value +
                    "' has no stated shape (run ONNX shape inference first)"};
  if (t->rank() != 3)
    return Rejected{std::string(what) + " '" + value + "' has rank " +
                    std::to_string(t->rank()) +
                    ", expected 3 ([B, L, heads * head_size])"};
  std::optional<Dim> width = divDim(t->dims[2], heads);
  if (!width)
    return Rejected{std::string(what) + " '" + value + "' has hidden size " +
                    t->dims[2].str() + ", not a static multiple of its " +
                    std::to_string(heads) + " heads"};
  Operand o;
  o.value = value;
  o.type = *t;
  o.batch = t->dims[0], o.heads = Dim{heads, ""}, o.len = t->dims[1];
  o.width = *width;
  o.interleaved = true;
  return o;
}

/// Sizes attnc takes: 1 to 2^31.
std::optional<Rejected> checkSizes(const Operand &o) {
  for (const Dim &d : {o.batch, o.heads, o.len, o.width})
    if (d.isStatic() && (d.size == 0 || d.size > (int64_t{1} << 31)))
      return Rejected{"'" + o.value + "' has a dimension of size " +
                      std::to_string(d.size) + " " + shapeStr(o.type.dims) +
                      " (attnc takes sizes from 1 to 2^31)"};
  return std::nullopt;
}

/// The checks every form shares: element types, batch, heads, widths.
std::optional<Rejected> checkQKV(const Operand &q, const Operand &k,
                                 const Operand &v) {
  for (const Operand *o : {&q, &k, &v})
    if (auto r = checkSizes(*o))
      return r;
  if (!dtypeName(q.type.elemType))
    return Rejected{"query '" + q.value + "' is " +
                    elemTypeName(q.type.elemType) +
                    "; attnc takes float, float16 or bfloat16"};
  if (k.type.elemType != q.type.elemType || v.type.elemType != q.type.elemType)
    return Rejected{"query, key and value have different element types (" +
                    elemTypeName(q.type.elemType) + ", " +
                    elemTypeName(k.type.elemType) + ", " +
                    elemTypeName(v.type.elemType) + ")"};
  if (!q.batch.sameAs(k.batch) || !q.batch.sameAs(v.batch))
    return Rejected{"query, key and value batch sizes differ or are not "
                    "known to agree (" +
                    q.batch.str() + ", " + k.batch.str() + ", " +
                    v.batch.str() + ")"};
  if (!q.width.isStatic() || !v.width.isStatic())
    return Rejected{"the head sizes must be static"};
  if (!k.width.sameAs(q.width))
    return Rejected{"query and key head sizes differ (" + q.width.str() + ", " +
                    k.width.str() + ")"};
  if (!k.heads.sameAs(v.heads))
    return Rejected{"key and value head counts differ (" + k.heads.str() +
                    ", " + v.heads.str() + ")"};
  if (!q.heads.isStatic() || !k.heads.isStatic())
    return Rejected{"the head counts must be static"};
  if (k.heads.size == 0 || q.heads.size % k.heads.size != 0)
    return Rejected{"query heads (" + q.heads.str() +
                    ") are not a multiple of key/value heads (" +
                    k.heads.str() + ")"};
  return std::nullopt;
}

/// Fills the layer's shapes from Q, K/V (kvLen may differ from K's: a
/// cache), and its dtype.
void setShapes(LayerDescription &l, const Operand &q, const Operand &k,
               const Operand &v, Dim kvLen) {
  l.batch = q.batch.size;
  l.heads = q.heads.size;
  l.kvHeads = k.heads.size;
  l.headDim = q.width.size;
  l.valueDim = v.width.size;
  l.qLen = q.len.size;
  l.kvLen = kvLen.size;
  l.dtype = dtypeName(q.type.elemType);
}

std::string fmtDouble(double d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", d);
  return buf;
}

/// The softcap modifier's attribute text (a float literal).
std::string softcapAttr(double cap) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "#attn.softcap<%.9e>", cap);
  return buf;
}

/// An additive float mask input [Lq, Lk], [1, 1, Lq, Lk] (shared) or
/// [B, Hq, Lq, Lk] (full), as the layer's bias.
std::optional<Rejected> additiveMask(const Graph &g, const std::string &value,
                                     const Operand &q, const Dim &kvLen,
                                     LayerDescription &l,
                                     std::vector<std::string> &args) {
  if (!g.isGraphInput(value))
    return Rejected{"the mask '" + value +
                    "' is computed in the graph or constant; attnc takes an "
                    "additive mask as an input of the graph"};
  std::optional<ValueType> t = g.type(value);
  if (!t)
    return Rejected{"the mask '" + value + "' has no stated shape"};
  if (t->elemType == onnx::TensorProto_DataType_BOOL)
    return Rejected{"the mask '" + value +
                    "' is boolean; attnc takes additive float masks (or "
                    "causal, window and length masks)"};
  if (t->elemType != q.type.elemType)
    return Rejected{"the mask '" + value + "' is " + elemTypeName(t->elemType) +
                    ", not the query's " + elemTypeName(q.type.elemType)};
  std::vector<Dim> d = t->dims;
  auto one = [](const Dim &x) { return x.isStatic() && x.size == 1; };
  bool shared = (d.size() == 2) || (d.size() == 4 && one(d[0]) && one(d[1]));
  bool full = d.size() == 4 && d[0].sameAs(q.batch) && d[1].sameAs(q.heads);
  if ((!shared && !full) || !d[d.size() - 2].sameAs(q.len) ||
      !d.back().sameAs(kvLen))
    return Rejected{"the mask '" + value + "' has shape " + shapeStr(d) +
                    "; attnc takes [Lq, Lk], [1, 1, Lq, Lk] or [B, Hq, Lq, "
                    "Lk] with Lq = " +
                    q.len.str() + ", Lk = " + kvLen.str()};
  l.bias = shared ? "shared" : "full";
  args.push_back(
      "bias = '" + value + "' " + shapeStr(d) +
      (d.size() == 2
           ? " (added to every head's scores; passed as [1, 1, Lq, Lk])"
           : " (added to the scores)"));
  return std::nullopt;
}

//===- ai.onnx Attention ------------------------------------------------===//

std::variant<Found, Rejected> matchAttention(const Graph &g,
                                             const onnx::NodeProto &n) {
  Attributes a(n);
  Found f;
  LayerDescription &l = f.layer;
  if (n.input_size() < 3 || input(n, 0).empty() || input(n, 1).empty() ||
      input(n, 2).empty())
    return Rejected{"needs Q, K and V inputs"};
  if (!output(n, 3).empty() && g.useCount(output(n, 3)))
    return Rejected{"its qk_matmul_output (the attention weights) is used; "
                    "attnc never forms them"};
  if (!input(n, 6).empty())
    return Rejected{"nonpad_kv_seqlen is not supported yet"};
  if (a.i("softmax_precision", 0) != 0 &&
      a.i("softmax_precision", 0) != onnx::TensorProto_DataType_FLOAT)
    return Rejected{"softmax_precision other than float"};

  std::optional<ValueType> qt = g.type(input(n, 0));
  std::variant<Operand, Rejected> q = Rejected{}, k = Rejected{},
                                  v = Rejected{};
  if (qt && qt->rank() == 3) {
    int64_t qh = a.i("q_num_heads", 0), kvh = a.i("kv_num_heads", 0);
    if (qh <= 0 || kvh <= 0)
      return Rejected{"3-D inputs need q_num_heads and kv_num_heads"};
    q = blhd(g, input(n, 0), "Q", qh);
    k = blhd(g, input(n, 1), "K", kvh);
    v = blhd(g, input(n, 2), "V", kvh);
  } else {
    q = bhld(g, input(n, 0), "Q");
    k = bhld(g, input(n, 1), "K");
    v = bhld(g, input(n, 2), "V");
  }
  for (auto *x : {&q, &k, &v})
    if (auto *r = std::get_if<Rejected>(x))
      return *r;
  Operand &Q = std::get<Operand>(q), &K = std::get<Operand>(k),
          &V = std::get<Operand>(v);
  if (!K.len.sameAs(V.len))
    return Rejected{"K and V lengths differ"};
  if (auto r = checkQKV(Q, K, V))
    return *r;

  // A KV cache: the entry reads present = past ++ new, which the caller
  // appends.
  Dim kvLen = K.len;
  bool cache = !input(n, 4).empty() || !input(n, 5).empty();
  if (cache) {
    if (input(n, 4).empty() || input(n, 5).empty())
      return Rejected{"past_key and past_value must come together"};
    auto pk = bhld(g, input(n, 4), "past_key");
    if (auto *r = std::get_if<Rejected>(&pk))
      return *r;
    if (auto r = checkSizes(std::get<Operand>(pk)))
      return *r;
    Dim past = std::get<Operand>(pk).len;
    kvLen = past.isStatic() && K.len.isStatic()
                ? Dim{past.size + K.len.size, ""}
                : Dim{kDynamic, ""};
  }
  setShapes(l, Q, K, V, kvLen);
  if (std::optional<double> s = a.f("scale"))
    l.scale = *s;
  double softcap = a.f("softcap").value_or(0.0);
  bool causal = a.i("is_causal", 0) != 0;
  if (causal) {
    // ONNX aligns the causal mask at the past length: bottom-right over
    // past ++ new, top-left without a cache, which is the same only when
    // Lq = Lk.
    if (!cache && !Q.len.sameAs(K.len))
      return Rejected{"is_causal without a cache aligns the mask top-left; "
                      "attnc's causal mask is bottom-right, the same only "
                      "when Q and K lengths are equal (" +
                      Q.len.str() + ", " + K.len.str() + ")"};
    l.mask = "#attn.causal";
  }
  if (!input(n, 3).empty()) {
    if (softcap > 0)
      return Rejected{"softcap with an attn_mask: ONNX caps the scores before "
                      "adding the mask, attnc adds the bias first"};
    if (auto r = additiveMask(g, input(n, 3), Q, kvLen, l, f.arguments))
      return *r;
  }
  if (softcap > 0)
    l.modifiers.push_back(softcapAttr(softcap));

  f.arguments.insert(f.arguments.begin(), {describe("query", Q)});
  if (cache) {
    f.arguments.push_back(
        "key / value = present_key / present_value " +
        shapeStr({K.batch, K.heads, kvLen, K.width}) +
        ": past_key / past_value with this step's rows appended (the "
        "caller appends '" +
        K.value + "' / '" + V.value + "' to '" + input(n, 4) + "' / '" +
        input(n, 5) + "')");
  } else {
    f.arguments.push_back(describe("key", K));
    f.arguments.push_back(describe("value", V));
  }
  f.arguments.push_back(describeOut(output(n, 0), Q, V));
  return f;
}

//===- com.microsoft MultiHeadAttention ----------------------------------===//

std::variant<Found, Rejected>
matchMultiHeadAttention(const Graph &g, const onnx::NodeProto &n) {
  Attributes a(n);
  Found f;
  LayerDescription &l = f.layer;
  int64_t heads = a.i("num_heads", 0);
  if (heads <= 0)
    return Rejected{"num_heads is missing"};
  if (input(n, 1).empty() || input(n, 2).empty())
    return Rejected{"packed QKV / KV inputs (no separate key and value) are "
                    "not supported yet"};
  if (!input(n, 3).empty())
    return Rejected{"the bias input (added to Q, K and V before attention) "
                    "is not part of attnc's attention; add it in the graph"};
  if (!input(n, 6).empty() || !input(n, 7).empty())
    return Rejected{"past_key / past_value are not supported for "
                    "MultiHeadAttention yet"};
  if (auto r = inputsFrom(n, 8))
    return *r;
  auto q = blhd(g, input(n, 0), "query", heads);
  if (auto *r = std::get_if<Rejected>(&q))
    return *r;
  std::optional<ValueType> kt = g.type(input(n, 1));
  std::variant<Operand, Rejected> k = Rejected{}, v = Rejected{};
  if (kt && kt->rank() == 4) {
    k = bhld(g, input(n, 1), "key");
    v = bhld(g, input(n, 2), "value");
  } else {
    k = blhd(g, input(n, 1), "key", heads);
    v = blhd(g, input(n, 2), "value", heads);
  }
  for (auto *x : {&k, &v})
    if (auto *r = std::get_if<Rejected>(x))
      return *r;
  Operand &Q = std::get<Operand>(q), &K = std::get<Operand>(k),
          &V = std::get<Operand>(v);
  if (!K.len.sameAs(V.len))
    return Rejected{"key and value lengths differ"};
  if (auto r = checkQKV(Q, K, V))
    return *r;
  if (K.heads.size != heads)
    return Rejected{"key has " + K.heads.str() +
                    " heads, not num_heads = " + std::to_string(heads)};
  setShapes(l, Q, K, V, K.len);
  if (std::optional<double> s = a.f("scale"); s && *s != 0.0)
    l.scale = *s;
  if (a.i("unidirectional", 0)) {
    if (!Q.len.sameAs(K.len))
      return Rejected{"unidirectional with different query and key lengths"};
    l.mask = "#attn.causal";
  }
  f.arguments.push_back(describe("query", Q));
  f.arguments.push_back(describe("key", K));
  f.arguments.push_back(describe("value", V));
  if (!input(n, 5).empty())
    if (auto r = additiveMask(g, input(n, 5), Q, K.len, l, f.arguments))
      return *r;
  if (std::string m = input(n, 4); !m.empty()) {
    std::optional<ValueType> mt = g.type(m);
    if (!mt || mt->rank() != 1 ||
        mt->elemType != onnx::TensorProto_DataType_INT32)
      return Rejected{"key_padding_mask '" + m +
                      "' is not a [B] int32 tensor of key lengths; attnc "
                      "takes key lengths, not [B, L] 0/1 masks"};
    l.padding = "kv";
    f.arguments.push_back("kv_lengths = '" + m +
                          "' [B] int32 (keys k < kv_lengths[b] are kept)");
  }
  f.arguments.push_back(describeOut(output(n, 0), Q, V));
  return f;
}

//===- com.microsoft GroupQueryAttention ---------------------------------===//

std::variant<Found, Rejected>
matchGroupQueryAttention(const Graph &g, const onnx::NodeProto &n) {
  Attributes a(n);
  Found f;
  LayerDescription &l = f.layer;
  int64_t heads = a.i("num_heads", 0), kvHeads = a.i("kv_num_heads", 0);
  if (heads <= 0 || kvHeads <= 0)
    return Rejected{"num_heads and kv_num_heads are required"};
  if (input(n, 1).empty() || input(n, 2).empty())
    return Rejected{"packed QKV (no separate key and value) is not "
                    "supported yet"};
  if (a.i("do_rotary", 0))
    return Rejected{"do_rotary: the rotary embedding is not part of attnc's "
                    "attention; apply it to Q and K before the node"};
  if (a.i("smooth_softmax", 0))
    return Rejected{"smooth_softmax (an extra zero logit) is not supported"};
  if (auto r = inputsFrom(n, 7))
    return *r;
  std::string seqlens = input(n, 5);
  std::optional<ValueType> st = g.type(seqlens);
  if (seqlens.empty() || !st || st->rank() != 1 ||
      st->elemType != onnx::TensorProto_DataType_INT32)
    return Rejected{"seqlens_k must be a [B] int32 input"};
  auto q = blhd(g, input(n, 0), "query", heads);
  auto k = blhd(g, input(n, 1), "key", kvHeads);
  auto v = blhd(g, input(n, 2), "value", kvHeads);
  for (auto *x : {&q, &k, &v})
    if (auto *r = std::get_if<Rejected>(x))
      return *r;
  Operand &Q = std::get<Operand>(q), &K = std::get<Operand>(k),
          &V = std::get<Operand>(v);
  if (auto r = checkQKV(Q, K, V))
    return *r;
  if (std::optional<double> s = a.f("scale"); s && *s != 0.0)
    l.scale = *s;
  double softcap = a.f("softcap").value_or(0.0);
  if (softcap > 0)
    l.modifiers.push_back(softcapAttr(softcap));
  int64_t window = a.i("local_window_size", -1);
  bool cache = !input(n, 3).empty() || !input(n, 4).empty();
  l.padding = "kv";
  f.arguments.push_back(describe("query", Q));
  if (cache) {
    // Decode: one new token per sequence against the shared past/present
    // buffer [B, Hkv, max_seq, D]; sequence b's query sits at position
    // seqlens_k[b] and sees keys k <= seqlens_k[b], which kv_lengths
    // (= seqlens_k + 1) expresses without a causal mask.
    if (input(n, 3).empty() || input(n, 4).empty())
      return Rejected{"past_key and past_value must come together"};
    if (!Q.len.isStatic() || Q.len.size != 1)
      return Rejected{"with a cache only the decode step (sequence length 1) "
                      "is supported: a longer chunk's queries sit at "
                      "per-sequence positions that attnc's causal alignment "
                      "cannot express"};
    if (window >= 0)
      return Rejected{"local_window_size in a decode step is aligned to each "
                      "sequence's length, not the buffer's; not supported"};
    auto pk = bhld(g, input(n, 3), "past_key");
    auto pv = bhld(g, input(n, 4), "past_value");
    for (auto *x : {&pk, &pv})
      if (auto *r = std::get_if<Rejected>(x))
        return *r;
    Operand &PK = std::get<Operand>(pk), &PV = std::get<Operand>(pv);
    for (const Operand *o : {&PK, &PV})
      if (auto r = checkSizes(*o))
        return *r;
    if (PK.heads.size != kvHeads || !PK.width.sameAs(K.width) ||
        !PV.width.sameAs(V.width) || !PK.len.sameAs(PV.len))
      return Rejected{"past_key / past_value shapes " + shapeStr(PK.type.dims) +
                      " / " + shapeStr(PV.type.dims) +
                      " do not match the key and value"};
    setShapes(l, Q, PK, PV, PK.len);
    f.arguments.push_back(
        "key / value = the KV cache buffers '" + PK.value + "' / '" + PV.value +
        "' " + shapeStr(PK.type.dims) +
        " (past and present share them) after this step's rows of '" + K.value +
        "' / '" + V.value +
        "' are written at position seqlens_k[b] (the caller writes them)");
  } else {
    // Prompt: the node's own K/V, causal (Lq = Lk), padded sequences cut by
    // their lengths; rows at or past a sequence's length are padding.
    if (!Q.len.sameAs(K.len) || !K.len.sameAs(V.len))
      return Rejected{"without a cache query and key lengths must agree"};
    setShapes(l, Q, K, V, K.len);
    l.mask = window >= 0 ? "#attn.window<" + std::to_string(window + 1) + ">"
                         : "#attn.causal";
    f.arguments.push_back(describe("key", K));
    f.arguments.push_back(describe("value", V));
  }
  f.arguments.push_back("kv_lengths = '" + seqlens +
                        "' + 1 [B] int32 (the total sequence lengths)");
  f.arguments.push_back(describeOut(output(n, 0), Q, V));
  return f;
}

//===- MatMul -> [scale] -> [Add mask] -> Softmax -> MatMul ---------------===//

/// A value with exactly one use, produced by an `op` node of the default
/// domain.
const onnx::NodeProto *singleUseProducer(const Graph &g,
                                         const std::string &value,
                                         llvm::StringRef op) {
  const onnx::NodeProto *p = g.producer(value);
  if (!p || p->op_type() != op || !p->domain().empty())
    return nullptr;
  return p;
}

/// Operand `value` of a subgraph MatMul: rank 2..4, leading dimensions
/// [B, H] filled with 1s.
std::variant<Operand, Rejected>
subgraphOperand(const Graph &g, const std::string &value, const char *what) {
  std::optional<ValueType> t = g.type(value);
  if (!t)
    return Rejected{std::string(what) + " '" + value +
                    "' has no stated shape (run ONNX shape inference first)"};
  if (t->rank() < 2 || t->rank() > 4)
    return Rejected{std::string(what) + " '" + value + "' has rank " +
                    std::to_string(t->rank()) + ", expected 2 to 4"};
  Operand o;
  o.value = value;
  o.type = *t;
  o.missingLeading = 4 - t->rank();
  std::vector<Dim> d(o.missingLeading, Dim{1, ""});
  d.insert(d.end(), t->dims.begin(), t->dims.end());
  o.batch = d[0], o.heads = d[1], o.len = d[2], o.width = d[3];
  return o;
}

/// Whether the constant mask `c` [.., Lq, Lk] is a bottom-right causal
/// triangle: 0 where k <= q + Lk - Lq, and -inf or <= -1e4 elsewhere (large
/// negative values underflow exp to zero in f32 as -inf does).
bool isCausalTriangle(const Constant &c) {
  if (c.dims.size() < 2)
    return false;
  int64_t lq = c.dims[c.dims.size() - 2], lk = c.dims.back();
  for (size_t i = 0; i + 2 < c.dims.size(); ++i)
    if (c.dims[i] != 1)
      return false;
  if (lq <= 0 || lk <= 0)
    return false;
  bool masksSomething = false;
  for (int64_t q = 0; q < lq; ++q)
    for (int64_t k = 0; k < lk; ++k) {
      double x = c.values[q * lk + k];
      if (k <= q + lk - lq) {
        if (x != 0.0)
          return false;
      } else {
        if (!(x <= -1e4))
          return false;
        masksSomething = true;
      }
    }
  return masksSomething;
}

std::variant<Found, Rejected> matchSoftmaxSubgraph(const Graph &g,
                                                   const onnx::NodeProto &sm) {
  Found f;
  LayerDescription &l = f.layer;
  // The softmax over the last axis.
  std::string scores = input(sm, 0);
  std::optional<ValueType> st = g.type(scores);
  int64_t opset = g.opset("ai.onnx");
  int64_t axis = Attributes(sm).i("axis", opset >= 13 ? -1 : 1);
  // The scores' rank is Q's (checked below) when the graph does not state it.
  auto lastAxis = [&](int64_t rank) {
    if (axis == -1 || axis == rank - 1)
      return std::optional<Rejected>();
    return std::optional<Rejected>(Rejected{
        "the softmax is not over the last axis (axis " + std::to_string(axis) +
        " of rank " + std::to_string(rank) + ")"});
  };
  if (st)
    if (auto r = lastAxis(static_cast<int64_t>(st->rank())))
      return *r;
  // Its one consumer: MatMul(P, V).
  const onnx::NodeProto *pv = nullptr;
  for (auto [n, i] : g.consumersOf(output(sm, 0))) {
    if (n->op_type() != "MatMul" || i != 0 || pv)
      return Rejected{"the attention weights are used by node '" +
                      g.nodeName(*n) + "' (" + n->op_type() +
                      "), not only by one MatMul with V"};
    pv = n;
  }
  if (!pv || g.useCount(output(sm, 0)) != 1)
    return Rejected{"the softmax's output is not only multiplied by V"};

  // Back from the softmax: [Add mask], [Mul | Div scale], MatMul(Q, K^T).
  double scale = 1.0;
  std::string mask, cur = scores;
  auto single = [&](const std::string &v) { return g.useCount(v) == 1; };
  const onnx::NodeProto *p = g.producer(cur);
  if (p && p->op_type() == "Add" && p->domain().empty() && single(cur)) {
    // The scores side is the operand a MatMul/Mul/Div produced.
    auto isScores = [&](const std::string &v) {
      const onnx::NodeProto *q = g.producer(v);
      return q && q->domain().empty() &&
             (q->op_type() == "MatMul" || q->op_type() == "Mul" ||
              q->op_type() == "Div");
    };
    if (isScores(input(*p, 0))) {
      cur = input(*p, 0), mask = input(*p, 1);
    } else if (isScores(input(*p, 1))) {
      cur = input(*p, 1), mask = input(*p, 0);
    } else {
      return Rejected{"the softmax's input is an Add of '" + input(*p, 0) +
                      "' and '" + input(*p, 1) +
                      "', neither of them scaled Q·Kᵀ"};
    }
    p = g.producer(cur);
  }
  // A scale: Mul or Div by a scalar constant, possibly on Q and K too.
  auto foldScale = [&](const onnx::NodeProto *n, std::string &value) -> bool {
    if (!n || !n->domain().empty() || n->input_size() != 2)
      return false;
    if (n->op_type() == "Mul") {
      for (int i = 0; i < 2; ++i)
        if (std::optional<double> c = g.scalar(input(*n, i))) {
          scale *= *c;
          value = input(*n, 1 - i);
          return true;
        }
    } else if (n->op_type() == "Div") {
      if (std::optional<double> c = g.scalar(input(*n, 1)); c && *c != 0.0) {
        scale /= *c;
        value = input(*n, 0);
        return true;
      }
    }
    return false;
  };
  if (p && (p->op_type() == "Mul" || p->op_type() == "Div")) {
    if (!single(cur) || !foldScale(p, cur))
      return Rejected{"the scores are scaled by '" + g.nodeName(*p) +
                      "', not by one scalar constant"};
    p = g.producer(cur);
  }
  if (!p || p->op_type() != "MatMul" || !p->domain().empty() || !single(cur))
    return Rejected{"the softmax's input is not a (scaled) MatMul of Q and "
                    "Kᵀ" +
                    std::string(p ? " (it comes from '" + g.nodeName(*p) +
                                        "', " + p->op_type() + ")"
                                  : "")};
  std::string qv = input(*p, 0), ktv = input(*p, 1);
  if (const onnx::NodeProto *m = g.producer(qv); m && single(qv))
    foldScale(m, qv);
  const onnx::NodeProto *t = singleUseProducer(g, ktv, "Transpose");
  if (!t || !single(ktv))
    return Rejected{"Kᵀ '" + ktv +
                    "' is not a Transpose of K: attnc reads K as [.., Lk, "
                    "D] rows"};
  std::string kv = input(*t, 0);
  if (const onnx::NodeProto *m = g.producer(kv); m && single(kv))
    foldScale(m, kv);
  {
    std::optional<ValueType> kt0 = g.type(kv);
    std::vector<int64_t> perm;
    for (const onnx::AttributeProto &at : t->attribute())
      if (at.name() == "perm")
        perm.assign(at.ints().begin(), at.ints().end());
    size_t r = kt0 ? kt0->rank() : 0;
    std::vector<int64_t> want;
    for (size_t i = 0; i < r; ++i)
      want.push_back(i);
    if (r >= 2)
      std::swap(want[r - 1], want[r - 2]);
    if (!kt0 || r < 2 || (perm != want && !(perm.empty() && r == 2)))
      return Rejected{"the Transpose '" + g.nodeName(*t) +
                      "' does not swap K's last two axes"};
  }
  std::string vv = input(*pv, 1);

  auto q = subgraphOperand(g, qv, "Q");
  auto k = subgraphOperand(g, kv, "K");
  auto v = subgraphOperand(g, vv, "V");
  for (auto *x : {&q, &k, &v})
    if (auto *r = std::get_if<Rejected>(x))
      return *r;
  Operand &Q = std::get<Operand>(q), &K = std::get<Operand>(k),
          &V = std::get<Operand>(v);
  if (auto r = lastAxis(static_cast<int64_t>(Q.type.rank())))
    return *r;
  if (Q.type.rank() != K.type.rank() || Q.type.rank() != V.type.rank())
    return Rejected{"Q, K and V have different ranks (broadcast MatMuls are "
                    "not supported)"};
  if (!K.len.sameAs(V.len))
    return Rejected{"K and V lengths differ (" + K.len.str() + ", " +
                    V.len.str() + ")"};
  if (auto r = checkQKV(Q, K, V))
    return *r;
  setShapes(l, Q, K, V, K.len);
  l.scale = scale;

  f.arguments.push_back(describe("query", Q));
  f.arguments.push_back(describe("key", K));
  f.arguments.push_back(describe("value", V));
  if (!mask.empty()) {
    if (std::optional<Constant> c = g.constant(mask)) {
      if (llvm::all_of(c->values, [](double x) { return x == 0.0; })) {
        // Adds nothing.
      } else if (isCausalTriangle(*c) && c->dims.size() >= 2 &&
                 Q.len.isStatic() && K.len.isStatic() &&
                 c->dims[c->dims.size() - 2] == Q.len.size &&
                 c->dims.back() == K.len.size) {
        l.mask = "#attn.causal";
        f.arguments.push_back("the constant mask '" + mask +
                              "' is a causal triangle: compiled as a causal "
                              "mask");
      } else {
        return Rejected{"the constant mask '" + mask +
                        "' is not a causal triangle; pass it as a graph "
                        "input to compile it as an additive bias"};
      }
    } else if (auto r = additiveMask(g, mask, Q, K.len, l, f.arguments)) {
      return *r;
    }
  }
  std::string out = "out = '" + output(*pv, 0) + "'";
  if (Q.missingLeading)
    out += ", passed as " + shapeStr({Q.batch, Q.heads, Q.len, V.width});
  f.arguments.push_back(out);
  f.namedAfter = pv;
  return f;
}

/// A C identifier from a node name.
std::string identifier(llvm::StringRef name) {
  std::string s;
  for (char c : name)
    s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    s = "node_" + s;
  return s;
}

std::string describeLayer(const LayerDescription &l) {
  auto d = [](int64_t x) {
    return x == kDynamic ? std::string("?") : std::to_string(x);
  };
  std::string s = "Q [" + d(l.batch) + ", " + d(l.heads) + ", " + d(l.qLen) +
                  ", " + d(l.headDim) + "], K/V [" + d(l.batch) + ", " +
                  d(l.kvHeads) + ", " + d(l.kvLen) + ", " + d(l.headDim) + "/" +
                  d(l.valueDim) + "] " + l.dtype;
  s += ", scale " + (l.scale ? fmtDouble(*l.scale) : std::string("1/sqrt(D)"));
  if (!l.mask.empty())
    s += ", mask " + l.mask;
  for (const std::string &m : l.modifiers)
    s += ", " + m;
  if (l.bias != "none")
    s += ", " + l.bias + " additive bias";
  if (l.padding != "none")
    s += ", key lengths";
  return s;
}

} // namespace

FailureOr<ModelDescription>
mlir::attn::importOnnxModel(llvm::StringRef bytes, llvm::StringRef filename,
                            llvm::raw_ostream &errs) {
  auto error = [&](const llvm::Twine &message) {
    errs << filename << ": error: " << message << "\n";
    return failure();
  };
  if (bytes.size() > static_cast<size_t>(INT32_MAX))
    return error("the file is larger than 2 GiB (ONNX models this large keep "
                 "their weights as external data)");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return error("not an ONNX model (the protobuf ModelProto does not parse)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    return error("the ONNX model has no graph nodes (ir_version " +
                 llvm::Twine(model.ir_version()) + ")");

  Graph g(model);
  ModelDescription desc;
  llvm::StringRef stem = llvm::sys::path::stem(filename);
  desc.name =
      identifier(model.graph().name().empty() ? stem : model.graph().name());
  llvm::StringSet<> entries;
  unsigned candidates = 0;
  for (const onnx::NodeProto &n : model.graph().node()) {
    std::string op = n.op_type(), domain = n.domain();
    std::variant<Found, Rejected> r = Rejected{};
    std::string form;
    if ((domain.empty() || domain == "ai.onnx") && op == "Attention") {
      form = "Attention";
      r = matchAttention(g, n);
    } else if (domain == "com.microsoft" && op == "MultiHeadAttention") {
      form = "com.microsoft.MultiHeadAttention";
      r = matchMultiHeadAttention(g, n);
    } else if (domain == "com.microsoft" && op == "GroupQueryAttention") {
      form = "com.microsoft.GroupQueryAttention";
      r = matchGroupQueryAttention(g, n);
    } else if (domain.empty() && op == "Softmax") {
      form = "Softmax";
      r = matchSoftmaxSubgraph(g, n);
    } else {
      continue;
    }
    ++candidates;
    std::string node = g.nodeName(n);
    if (auto *rej = std::get_if<Rejected>(&r)) {
      errs << filename << ": warning: node '" << node << "' (" << form
           << "): not compiled: " << rej->reason << "\n";
      continue;
    }
    Found &found = std::get<Found>(r);
    LayerDescription &l = found.layer;
    // The subgraph's entry is named after the MatMul that produces the
    // attention output; the others after the node itself.
    std::string named = found.namedAfter ? g.nodeName(*found.namedAfter) : node;
    std::string entry = identifier(named);
    for (int i = 2; entries.contains(entry); ++i)
      entry = identifier(named) + "_" + std::to_string(i);
    entries.insert(entry);
    l.name = entry;
    l.entryName = entry;
    l.path = "node '" + node + "'";
    errs << filename << ": note: node '" << node << "' ("
         << (form == "Softmax" ? "MatMul-Softmax-MatMul subgraph" : form)
         << "): entry " << entry << ": " << describeLayer(l) << "\n";
    for (const std::string &line : found.arguments)
      errs << filename << ": note:   " << line << "\n";
    desc.layers.push_back(std::move(l));
  }
  if (desc.layers.empty()) {
    std::string m = "no attention compiled from graph '" +
                    model.graph().name() + "' (" +
                    std::to_string(model.graph().node_size()) + " nodes";
    if (candidates)
      m += ", " + std::to_string(candidates) +
           " candidates not compiled: see the warnings";
    return error(m + "); attnc recognises ai.onnx Attention, com.microsoft "
                     "MultiHeadAttention and GroupQueryAttention, and MatMul "
                     "-> [Mul | Div] -> [Add] -> Softmax -> MatMul");
  }
  return desc;
}

#endif // ATTN_WITH_ONNX
