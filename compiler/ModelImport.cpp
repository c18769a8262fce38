//===- ModelImport.cpp - JSON model descriptions to attn IR ---------------===//

#include "compiler/ModelImport.h"

#include "dialects/Attn/AttnOps.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

using namespace mlir;
using namespace mlir::attn;
namespace json = llvm::json;

namespace {

/// Fields a layer may set, at the top level (as model-wide defaults) or in
/// each entry of "layers".
const char *const kLayerFields[] = {
    "name",           "variant",       "batch",     "heads",     "kv_heads",
    "head_dim",       "value_dim",     "seq_len",   "q_len",     "kv_len",
    "dtype",          "mask",          "scale",     "modifiers", "bias",
    "top_k",          "padding",       "documents", "diff",      "linformer",
    "performer",      "nystrom",       "kv_cache",  "compute",   "kv_scales",
    "kv_scale_block", "kv_scale_dtype"};
/// Fields only the top level may have.
const char *const kModelFields[] = {"name", "description", "layers"};

const char *const kVariants[] = {"sdpa", "diff", "linformer", "performer",
                                 "nystrom"};
/// The low-rank variants: each has an object field of its own name.
const char *const kLowRankVariants[] = {"linformer", "performer", "nystrom"};
const char *const kDtypes[] = {"f32", "f16", "bf16"};
/// "kv_cache": float storage (the layer's dtype), llama.cpp blocks, or int8
/// with scales ("kv_scales": their grouping).
const char *const kKvCaches[] = {"f32", "f16", "bf16", "q8_0", "q4_0", "int8"};
const char *const kKvScales[] = {"tensor", "head", "token", "block", "channel"};
const char *const kScaleDtypes[] = {"f32", "f16"};

std::string joinNames(llvm::ArrayRef<const char *> names) {
  std::string s;
  for (const char *n : names)
    s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

bool isCIdentifier(llvm::StringRef s) {
  if (s.empty() || !(std::isalpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return std::isalnum(c) || c == '_'; });
}

std::string describe(const json::Value &v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << v;
  if (s.size() > 40)
    s = s.substr(0, 37) + "...";
  return s;
}

/// Collects errors with their JSON paths.
/// The attn.sdpa precision attribute of a "compute" entry (none for f32).
PrecisionAttr precisionAttr(MLIRContext &context, llvm::StringRef name) {
  if (name == "int8")
    return PrecisionAttr::get(&context, Precision::int8);
  if (name == "bf16")
    return PrecisionAttr::get(&context, Precision::bf16);
  return PrecisionAttr();
}

class Importer {
public:
  Importer(llvm::StringRef filename, llvm::raw_ostream &errs)
      : filename(filename), errs(errs) {}

  bool error(const std::string &path, const llvm::Twine &message) {
    errs << filename << ": error: " << (path.empty() ? "<root>" : path) << ": "
         << message << "\n";
    failed = true;
    return false;
  }

  FailureOr<ModelDescription> run(llvm::StringRef text);

private:
  bool checkKeys(const json::Object &obj, const std::string &path,
                 llvm::ArrayRef<const char *> allowed,
                 llvm::ArrayRef<const char *> alsoAllowed);
  bool readSize(const json::Value &v, const std::string &path, int64_t &out,
                bool allowDynamic = true);
  bool readString(const json::Value &v, const std::string &path,
                  std::string &out, llvm::ArrayRef<const char *> choices);
  /// Reads a mask pattern into the text of an attn mask attribute ("" for
  /// none).
  bool readMask(const json::Value &v, const std::string &path,
                std::string &out);
  /// Reads a differential layer's parameters ("diff": {"layer" or
  /// "lambda_init", "epsilon", "weights"}).
  bool readDiff(const json::Value &v, const std::string &path,
                LayerDescription &layer);
  /// Reads a low-rank layer's object ("linformer", "performer" or
  /// "nystrom").
  bool readLowRank(const json::Value &v, const std::string &path,
                   llvm::StringRef variant, LayerDescription &layer);
  /// Parses JSON text read from `file`, reporting syntax errors with their
  /// line and column.
  std::optional<json::Value> parseJson(llvm::StringRef text,
                                       llvm::StringRef file);
  /// Reads a list of score modifiers into attribute texts (ALiBi's default
  /// slopes as "alibi:default", resolved when the head count is known).
  bool readModifiers(const json::Value &v, const std::string &path,
                     std::vector<std::string> &out);
  /// Reads a block_sparse layout (nested arrays of 0/1, rank 2 or 3) as the
  /// text of a dense i8 tensor attribute.
  /// `v` as an object with only the fields `keys` (`what` names them in
  /// the message); null, with an error reported, otherwise.
  const json::Object *readObject(const json::Value &v, const std::string &path,
                                 llvm::ArrayRef<const char *> keys,
                                 llvm::StringRef what);
  bool readLayout(const json::Value &v, const std::string &path,
                  std::string &out);
  void applyFields(const json::Object &obj, const std::string &prefix,
                   LayerDescription &layer, bool &hasQ, bool &hasKv);
  void checkLayer(LayerDescription &layer, bool hasQ, bool hasKv);
  /// Checks the layer's "kv_cache" against its dtype, variant and head
  /// dims; clears it when it is the layer's own float storage.
  void checkKvCache(LayerDescription &layer);
  /// The storage part of checkKvCache; `kvQuantized` set for q8_0 / q4_0
  /// and int8.
  void checkKvStorage(LayerDescription &layer, bool &kvQuantized);

  llvm::StringRef filename;
  llvm::raw_ostream &errs;
  bool failed = false;
};

bool Importer::checkKeys(const json::Object &obj, const std::string &path,
                         llvm::ArrayRef<const char *> allowed,
                         llvm::ArrayRef<const char *> alsoAllowed) {
  bool ok = true;
  for (const auto &kv : obj) {
    llvm::StringRef key = kv.first;
    auto is = [&](const char *n) { return key == n; };
    if (llvm::any_of(allowed, is) || llvm::any_of(alsoAllowed, is))
      continue;
    std::vector<const char *> all(allowed.begin(), allowed.end());
    for (const char *n : alsoAllowed)
      if (llvm::none_of(all, [&](const char *a) { return !std::strcmp(a, n); }))
        all.push_back(n);
    ok = error(path + (path.empty() ? "" : ".") + key.str(),
               "unknown field (expected one of: " + joinNames(all) + ")");
  }
  return ok;
}

bool Importer::readSize(const json::Value &v, const std::string &path,
                        int64_t &out, bool allowDynamic) {
  // A present but invalid size is reported here, and marked so that it is
  // not reported again as missing.
  out = -1;
  if (auto s = v.getAsString()) {
    if (*s == "?" && allowDynamic) {
      out = ShapedType::kDynamic;
      return true;
    }
    return error(path, "expected a positive integer" +
                           std::string(allowDynamic ? " or \"?\"" : "") +
                           ", found \"" + s->str() + "\"");
  }
  std::optional<int64_t> i = v.getAsInteger();
  if (!i || *i <= 0)
    return error(path, "expected a positive integer" +
                           std::string(allowDynamic ? " or \"?\"" : "") +
                           ", found " + describe(v));
  if (*i > (int64_t(1) << 31))
    return error(path, "size " + std::to_string(*i) +
                           " is larger than attnc supports (2^31)");
  out = *i;
  return true;
}

bool Importer::readString(const json::Value &v, const std::string &path,
                          std::string &out,
                          llvm::ArrayRef<const char *> choices) {
  std::optional<llvm::StringRef> s = v.getAsString();
  if (!s)
    return error(path, "expected a string, found " + describe(v));
  if (!choices.empty() &&
      llvm::none_of(choices, [&](const char *c) { return *s == c; }))
    return error(path, "unknown value \"" + s->str() +
                           "\" (expected one of: " + joinNames(choices) + ")");
  out = s->str();
  return true;
}

bool Importer::readMask(const json::Value &v, const std::string &path,
                        std::string &out) {
  if (std::optional<llvm::StringRef> s = v.getAsString()) {
    if (*s == "none")
      out.clear();
    else if (*s == "causal")
      out = "#attn.causal";
    else if (s->starts_with("#attn."))
      out = s->str(); // checked when the module is built
    else
      return error(path, "unknown mask \"" + s->str() +
                             "\" (expected \"none\", \"causal\", an "
                             "#attn mask attribute, or an object with one of: "
                             "window, strided, global, block_sparse, and, or)");
    return true;
  }
  const json::Object *obj = v.getAsObject();
  if (!obj)
    return error(path, "expected a mask (a string or an object), found " +
                           describe(v));
  auto at = [&](const char *key) { return path + "." + key; };
  auto positive = [&](const char *key, int64_t &n) {
    return readSize(*obj->get(key), at(key), n, /*allowDynamic=*/false);
  };
  int64_t n = 0;
  if (obj->get("window")) {
    if (!checkKeys(*obj, path, {"window", "bidirectional"}, {}) ||
        !positive("window", n))
      return false;
    bool bidirectional = false;
    if (const json::Value *b = obj->get("bidirectional")) {
      std::optional<bool> flag = b->getAsBoolean();
      if (!flag)
        return error(at("bidirectional"),
                     "expected true or false, found " + describe(*b));
      bidirectional = *flag;
    }
    out = "#attn.window<" + std::to_string(n) +
          (bidirectional ? ", bidirectional>" : ">");
    return true;
  }
  for (const char *simple : {"strided", "global"})
    if (obj->get(simple)) {
      if (!checkKeys(*obj, path, {simple}, {}) || !positive(simple, n))
        return false;
      out = "#attn." + std::string(simple) + "<" + std::to_string(n) + ">";
      return true;
    }
  for (const char *compose : {"and", "or"})
    if (const json::Value *list = obj->get(compose)) {
      if (!checkKeys(*obj, path, {compose}, {}))
        return false;
      const json::Array *arr = list->getAsArray();
      if (!arr || arr->size() < 2)
        return error(at(compose),
                     "expected an array of at least two masks, found " +
                         describe(*list));
      std::string text = "#attn." + std::string(compose) + "<";
      for (size_t i = 0; i < arr->size(); ++i) {
        std::string child;
        if (!readMask((*arr)[i], at(compose) + "[" + std::to_string(i) + "]",
                      child))
          return false;
        if (child.empty())
          return error(at(compose) + "[" + std::to_string(i) + "]",
                       "\"none\" cannot be composed");
        text += (i ? ", " : "") + child;
      }
      out = text + ">";
      return true;
    }
  if (const json::Value *bs = obj->get("block_sparse")) {
    std::string bsPath = at("block_sparse");
    if (!checkKeys(*obj, path, {"block_sparse"}, {}))
      return false;
    const json::Object *spec =
        readObject(*bs, bsPath, {"block", "layout"},
                   "an object with \"block\" and \"layout\"");
    if (!spec)
      return false;
    const json::Value *block = spec->get("block");
    const json::Value *layout = spec->get("layout");
    if (!block || !layout)
      return error(bsPath, "needs \"block\" (a size or [block_q, block_k]) "
                           "and \"layout\"");
    int64_t bq = 0, bk = 0;
    if (const json::Array *pair = block->getAsArray()) {
      if (pair->size() != 2)
        return error(bsPath + ".block",
                     "expected [block_q, block_k], found " + describe(*block));
      if (!readSize((*pair)[0], bsPath + ".block[0]", bq, false) ||
          !readSize((*pair)[1], bsPath + ".block[1]", bk, false))
        return false;
    } else if (!readSize(*block, bsPath + ".block", bq, false)) {
      return false;
    } else {
      bk = bq;
    }
    std::string dense;
    if (!readLayout(*layout, bsPath + ".layout", dense))
      return false;
    out = "#attn.block_sparse<" + std::to_string(bq) + ", " +
          std::to_string(bk) + ", " + dense + ">";
    return true;
  }
  return error(path, "expected one of the mask fields: window, strided, "
                     "global, block_sparse, and, or");
}

const json::Object *Importer::readObject(const json::Value &v,
                                         const std::string &path,
                                         llvm::ArrayRef<const char *> keys,
                                         llvm::StringRef what) {
  const json::Object *obj = v.getAsObject();
  if (!obj) {
    error(path, "expected " + what.str() + ", found " + describe(v));
    return nullptr;
  }
  return checkKeys(*obj, path, keys, {}) ? obj : nullptr;
}

bool Importer::readDiff(const json::Value &v, const std::string &path,
                        LayerDescription &layer) {
  const json::Object *obj = readObject(
      v, path, {"layer", "lambda_init", "epsilon", "weights"}, "an object");
  if (!obj)
    return false;
  auto at = [&](const char *key) { return path + "." + key; };
  if (const json::Value *x = obj->get("layer")) {
    std::optional<int64_t> l = x->getAsInteger();
    if (!l || *l < 0)
      return error(at("layer"),
                   "expected an integer >= 0, found " + describe(*x));
    layer.diffLayer = *l;
  }
  for (auto [key, field] : {std::pair{"lambda_init", &layer.lambdaInit},
                            std::pair{"epsilon", &layer.epsilon}}) {
    if (const json::Value *x = obj->get(key)) {
      std::optional<double> d = x->getAsNumber();
      if (!d || !std::isfinite(*d) ||
          (std::string(key) == "epsilon" && *d <= 0))
        return error(
            at(key),
            "expected a" +
                std::string(std::string(key) == "epsilon" ? " positive" : "") +
                " number, found " + describe(*x));
      *field = *d;
    }
  }
  if (layer.diffLayer.has_value() == layer.lambdaInit.has_value())
    return error(path, "needs exactly one of \"layer\" and \"lambda_init\"");
  if (const json::Value *w = obj->get("weights")) {
    const char *names[] = {"lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2",
                           "gain"};
    // Inline, or "file.json" / "file.json#key": a JSON file beside the model
    // (relative paths from the model's directory) holding the weights object
    // at its root or under `key`.
    std::optional<json::Value> fileRoot;
    const json::Value *source = w;
    std::string weightsPath = at("weights");
    if (std::optional<llvm::StringRef> ref = w->getAsString()) {
      auto [file, key] = ref->split('#');
      llvm::SmallString<256> full(file);
      if (!llvm::sys::path::is_absolute(full)) {
        full = llvm::sys::path::parent_path(filename);
        llvm::sys::path::append(full, file);
      }
      llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
          llvm::MemoryBuffer::getFile(full);
      if (!buffer)
        return error(weightsPath, "cannot read the weights file '" +
                                      full.str() +
                                      "': " + buffer.getError().message());
      fileRoot = parseJson((*buffer)->getBuffer(), full);
      if (!fileRoot)
        return false;
      source = &*fileRoot;
      weightsPath = full.str().str();
      if (!key.empty()) {
        const json::Object *top = source->getAsObject();
        source = top ? top->get(key) : nullptr;
        if (!source)
          return error(at("weights"), "the weights file '" + full.str() +
                                          "' has no object '" + key.str() +
                                          "' at its top level");
        weightsPath += "#" + key.str();
      }
    }
    const json::Object *weights =
        readObject(*source, weightsPath, names, "an object of arrays");
    if (!weights)
      return false;
    layer.diffWeightsPath = weightsPath;
    for (const char *name : names) {
      const json::Value *x = weights->get(name);
      const json::Array *arr = x ? x->getAsArray() : nullptr;
      std::string wp = weightsPath + "." + name;
      if (!arr)
        return error(wp, "expected an array of numbers");
      std::vector<double> values;
      for (size_t i = 0; i < arr->size(); ++i) {
        std::optional<double> d = (*arr)[i].getAsNumber();
        if (!d || !std::isfinite(*d))
          return error(wp + "[" + std::to_string(i) + "]",
                       "expected a number, found " + describe((*arr)[i]));
        values.push_back(*d);
      }
      layer.diffWeights.push_back(std::move(values));
    }
  }
  return true;
}

bool Importer::readModifiers(const json::Value &v, const std::string &path,
                             std::vector<std::string> &out) {
  const json::Array *arr = v.getAsArray();
  if (!arr)
    return error(path, "expected an array of modifiers, found " + describe(v));
  out.clear();
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string at = path + "[" + std::to_string(i) + "]";
    const json::Object *obj = (*arr)[i].getAsObject();
    if (!obj || obj->size() != 1)
      return error(at, "expected an object with one of: softcap, alibi, "
                       "relative_bias");
    auto number = [](const json::Value &x) -> std::optional<double> {
      std::optional<double> d = x.getAsNumber();
      return d && std::isfinite(*d) ? d : std::nullopt;
    };
    auto floats = [&](const json::Array &xs, const std::string &p,
                      std::string &text) -> bool {
      for (size_t j = 0; j < xs.size(); ++j) {
        std::optional<double> d = number(xs[j]);
        if (!d)
          return error(p + "[" + std::to_string(j) + "]",
                       "expected a number, found " + describe(xs[j]));
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.9e", *d);
        text += (j ? ", " : "") + std::string(buf);
      }
      return true;
    };
    if (const json::Value *c = obj->get("softcap")) {
      std::optional<double> d = number(*c);
      if (!d || *d <= 0)
        return error(at + ".softcap",
                     "expected a positive number, found " + describe(*c));
      char buf[48];
      std::snprintf(buf, sizeof(buf), "#attn.softcap<%.9e>", *d);
      out.push_back(buf);
    } else if (const json::Value *a = obj->get("alibi")) {
      if (a->getAsBoolean() == std::optional<bool>(true)) {
        out.push_back("alibi:default");
        continue;
      }
      const json::Array *slopes = a->getAsArray();
      if (!slopes || slopes->empty())
        return error(at + ".alibi", "expected true (the standard slopes) or "
                                    "an array of slopes, found " +
                                        describe(*a));
      std::string text;
      if (!floats(*slopes, at + ".alibi", text))
        return false;
      out.push_back("#attn.alibi<dense<[" + text + "]> : tensor<" +
                    std::to_string(slopes->size()) + "xf32>>");
    } else if (const json::Value *r = obj->get("relative_bias")) {
      std::string rp = at + ".relative_bias";
      const json::Object *spec =
          readObject(*r, rp, {"max_distance", "table"},
                     "an object with \"max_distance\" and \"table\"");
      if (!spec)
        return false;
      const json::Value *md = spec->get("max_distance");
      const json::Value *table = spec->get("table");
      std::optional<int64_t> m = md ? md->getAsInteger() : std::nullopt;
      // The table holds 2 * max_distance + 1 numbers per row, so a bound
      // far above any table a file carries keeps that count in range.
      constexpr int64_t kMaxDistance = int64_t{1} << 20;
      if (!m || *m < 0 || *m > kMaxDistance)
        return error(rp + ".max_distance",
                     "expected an integer in [0, " +
                         std::to_string(kMaxDistance) + "]" +
                         (md ? ", found " + describe(*md) : std::string()));
      const json::Array *rows = table ? table->getAsArray() : nullptr;
      if (!rows || rows->empty())
        return error(rp + ".table", "expected an array of rows (one per "
                                    "head, or one for all)");
      std::string text = "[";
      for (size_t h = 0; h < rows->size(); ++h) {
        const json::Array *row = (*rows)[h].getAsArray();
        std::string hp = rp + ".table[" + std::to_string(h) + "]";
        if (!row || static_cast<int64_t>(row->size()) != 2 * *m + 1)
          return error(hp, "expected " + std::to_string(2 * *m + 1) +
                               " numbers (2 * max_distance + 1)");
        text += h ? ", [" : "[";
        if (!floats(*row, hp, text))
          return false;
        text += "]";
      }
      out.push_back("#attn.relative_bias<" + std::to_string(*m) + ", dense<" +
                    text + "]> : tensor<" + std::to_string(rows->size()) + "x" +
                    std::to_string(2 * *m + 1) + "xf32>>");
    } else {
      return error(at, "unknown modifier (expected one of: softcap, alibi, "
                       "relative_bias)");
    }
  }
  return true;
}

bool Importer::readLayout(const json::Value &v, const std::string &path,
                          std::string &out) {
  // Walks the nested arrays, recording the extent of each level; every
  // array of a level must have the same length.
  std::vector<int64_t> shape;
  std::string body;
  std::function<bool(const json::Value &, const std::string &, size_t)> walk =
      [&](const json::Value &x, const std::string &p, size_t depth) -> bool {
    const json::Array *arr = x.getAsArray();
    if (!arr) {
      std::optional<int64_t> bit = x.getAsInteger();
      if (depth < 2 || !bit || (*bit != 0 && *bit != 1))
        return error(p, "expected " +
                            std::string(depth < 2 ? "an array" : "0 or 1") +
                            ", found " + describe(x));
      if (shape.size() < depth)
        shape.resize(depth, -1);
      if (shape.size() != depth)
        return error(p, "layout is not rectangular");
      body += *bit ? "1" : "0";
      return true;
    }
    if (depth >= 3)
      return error(p, "layout has more than 3 levels ([heads, NQ, NK])");
    if (shape.size() <= depth)
      shape.resize(depth + 1, -1);
    int64_t size = static_cast<int64_t>(arr->size());
    if (size == 0)
      return error(p, "empty array in layout");
    if (shape[depth] == -1)
      shape[depth] = size;
    else if (shape[depth] != size)
      return error(p, "layout is not rectangular: " + std::to_string(size) +
                          " entries where earlier arrays have " +
                          std::to_string(shape[depth]));
    body += "[";
    for (int64_t i = 0; i < size; ++i) {
      if (i)
        body += ", ";
      if (!walk((*arr)[i], p + "[" + std::to_string(i) + "]", depth + 1))
        return false;
    }
    body += "]";
    return true;
  };
  if (!walk(v, path, 0))
    return false;
  if (shape.size() < 2)
    return error(path, "expected a [NQ, NK] or [heads, NQ, NK] layout");
  std::string type = "tensor<";
  for (int64_t d : shape)
    type += std::to_string(d) + "x";
  out = "dense<" + body + "> : " + type + "i8>";
  return true;
}

void Importer::applyFields(const json::Object &obj, const std::string &prefix,
                           LayerDescription &layer, bool &hasQ, bool &hasKv) {
  auto at = [&](const char *key) {
    return prefix + (prefix.empty() ? "" : ".") + key;
  };
  if (const json::Value *v = obj.get("variant"))
    readString(*v, at("variant"), layer.variant, kVariants);
  if (const json::Value *v = obj.get("batch"))
    readSize(*v, at("batch"), layer.batch);
  if (const json::Value *v = obj.get("heads"))
    readSize(*v, at("heads"), layer.heads);
  if (const json::Value *v = obj.get("kv_heads"))
    readSize(*v, at("kv_heads"), layer.kvHeads);
  if (const json::Value *v = obj.get("head_dim"))
    readSize(*v, at("head_dim"), layer.headDim);
  if (const json::Value *v = obj.get("value_dim"))
    readSize(*v, at("value_dim"), layer.valueDim);
  if (const json::Value *v = obj.get("seq_len")) {
    if (readSize(*v, at("seq_len"), layer.qLen))
      layer.kvLen = layer.qLen;
    hasQ = hasKv = true;
  }
  if (const json::Value *v = obj.get("q_len")) {
    readSize(*v, at("q_len"), layer.qLen);
    hasQ = true;
  }
  if (const json::Value *v = obj.get("kv_len")) {
    readSize(*v, at("kv_len"), layer.kvLen);
    hasKv = true;
  }
  if (const json::Value *v = obj.get("dtype"))
    readString(*v, at("dtype"), layer.dtype, kDtypes);
  if (const json::Value *v = obj.get("kv_cache")) {
    readString(*v, at("kv_cache"), layer.kvCache, kKvCaches);
    layer.kvCachePath = at("kv_cache");
  }
  if (const json::Value *v = obj.get("kv_scales")) {
    readString(*v, at("kv_scales"), layer.kvScales, kKvScales);
    layer.kvScalesPath = at("kv_scales");
  }
  if (const json::Value *v = obj.get("kv_scale_block")) {
    readSize(*v, at("kv_scale_block"), layer.kvScaleBlock,
             /*allowDynamic=*/false);
    layer.kvScaleBlockPath = at("kv_scale_block");
  }
  if (const json::Value *v = obj.get("kv_scale_dtype"))
    readString(*v, at("kv_scale_dtype"), layer.kvScaleDtype, kScaleDtypes);
  if (const json::Value *v = obj.get("compute")) {
    layer.computePath = at("compute");
    if (const json::Object *c =
            readObject(*v, layer.computePath, {"qk", "pv", "smooth_k"},
                       "compute precisions")) {
      if (const json::Value *qk = c->get("qk"))
        readString(*qk, layer.computePath + ".qk", layer.qkCompute,
                   {"f32", "int8", "bf16"});
      if (const json::Value *pv = c->get("pv"))
        readString(*pv, layer.computePath + ".pv", layer.pvCompute,
                   {"f32", "int8", "bf16"});
      if (const json::Value *sk = c->get("smooth_k")) {
        layer.smoothKPath = layer.computePath + ".smooth_k";
        if (std::optional<bool> flag = sk->getAsBoolean())
          layer.smoothK = *flag;
        else
          error(layer.computePath + ".smooth_k",
                "expected true or false, found " + describe(*sk));
      }
    }
  }
  if (const json::Value *v = obj.get("mask")) {
    readMask(*v, at("mask"), layer.mask);
    layer.maskSet = true;
  }
  if (const json::Value *v = obj.get("padding"))
    readString(*v, at("padding"), layer.padding, {"none", "kv", "q", "kv+q"});
  if (const json::Value *v = obj.get("documents")) {
    if (std::optional<bool> flag = v->getAsBoolean())
      layer.documents = *flag;
    else
      error(at("documents"), "expected true or false, found " + describe(*v));
  }
  if (const json::Value *v = obj.get("diff")) {
    // Given, even when unreadable (its errors are reported already).
    readDiff(*v, at("diff"), layer);
    layer.hasDiff = true;
  }
  for (const char *variant : kLowRankVariants)
    if (const json::Value *v = obj.get(variant)) {
      readLowRank(*v, at(variant), variant, layer);
      layer.hasLowRank = true;
    }
  if (const json::Value *v = obj.get("top_k")) {
    int64_t k = 0;
    if (readSize(*v, at("top_k"), k, /*allowDynamic=*/false))
      layer.topK = k;
  }
  if (const json::Value *v = obj.get("modifiers"))
    readModifiers(*v, at("modifiers"), layer.modifiers);
  if (const json::Value *v = obj.get("bias"))
    readString(*v, at("bias"), layer.bias, {"none", "full", "shared"});
  if (const json::Value *v = obj.get("scale")) {
    std::optional<double> d = v->getAsNumber();
    if (!d || !std::isfinite(*d) || *d <= 0)
      error(at("scale"),
            "expected a finite positive number, found " + describe(*v));
    else
      layer.scale = *d;
  }
}

void Importer::checkKvCache(LayerDescription &l) {
  bool kvQuantized = false;
  checkKvStorage(l, kvQuantized);
  // bf16 products are an allowance of sdpa layers (#attn.precision).
  for (auto [which, value] :
       {std::pair<const char *, std::string *>{".qk", &l.qkCompute},
        {".pv", &l.pvCompute}})
    if (*value == "bf16" && l.variant != "sdpa")
      error(l.computePath + which, "bf16 products are computed by sdpa "
                                   "layers; " +
                                       l.variant + " layers compute in f32");
  // int8 P . V quantizes the value rows per channel, 32 channels a vector.
  if (l.pvCompute == "int8") {
    if (l.variant != "sdpa")
      error(l.computePath + ".pv", "int8 P . V is computed by sdpa layers; " +
                                       l.variant + " layers compute in f32");
    else if (l.valueDim > 0 && l.valueDim % 32 != 0)
      error(l.computePath + ".pv",
            "int8 P . V quantizes the values in vectors of 32 channels; "
            "value_dim " +
                std::to_string(l.valueDim) + " is not a multiple of 32");
  }
  // smooth_k shifts the float keys before the kernel quantizes them
  // (attn.sdpa's smooth_k).
  // A model-wide smooth_k applies to the layers it can (as attn-quantize's
  // policy does); one a layer sets itself must apply.
  if (l.smoothK) {
    const std::string &path = l.smoothKPath;
    bool own = llvm::StringRef(path).starts_with("layers");
    std::string why;
    if (l.qkCompute != "int8" && l.qkCompute != "bf16")
      why = "smooth_k subtracts the keys' mean before they are quantized; it "
            "needs \"qk\": \"int8\" or \"bf16\"";
    else if (kvQuantized)
      why = "smooth_k needs float keys; a " + l.kvCache + " kv_cache is " +
            (l.kvCache == "int8" ? "quantized as stored"
                                 : "multiplied as stored");
    else
      for (const std::string &mod : l.modifiers)
        if (llvm::StringRef(mod).starts_with("#attn.softcap"))
          why = "smooth_k shifts each row's scores, and a softcap modifier "
                "does not commute with a shift";
    if (!why.empty()) {
      if (own)
        error(path, why);
      l.smoothK = false;
    }
  }
  // int8 scores multiply the cache's int8 blocks, or float keys quantized
  // in the kernel, by the quantized query: blocks of 32 values of D.
  if (l.qkCompute != "int8")
    return;
  if (l.variant != "sdpa")
    error(l.computePath + ".qk", "int8 scores are computed by sdpa layers; " +
                                     l.variant + " layers compute in f32");
  else if ((!kvQuantized || l.kvCache == "int8") && l.headDim > 0 &&
           l.headDim % 32 != 0)
    error(l.computePath + ".qk",
          "int8 scores quantize per 32 values of the head dimension; "
          "head_dim " +
              std::to_string(l.headDim) + " is not a multiple of 32");
}

void Importer::checkKvStorage(LayerDescription &l, bool &kvQuantized) {
  const std::string &path = l.kvCachePath;
  if (l.kvCache.empty() || l.kvCache == l.dtype) {
    l.kvCache.clear(); // the layer's own float storage
    return;
  }
  // A model-wide kv_scales applies to the layers with an int8 cache; one a
  // layer sets itself needs one.
  if (l.kvCache != "int8") {
    if (llvm::StringRef(l.kvScalesPath).starts_with("layers"))
      error(l.kvScalesPath, "kv_scales group the scales of an \"int8\" "
                            "kv_cache; this layer's kv_cache is \"" +
                                (l.kvCache.empty() ? l.dtype : l.kvCache) +
                                "\"");
  } else {
    if (l.kvScales.empty())
      l.kvScales = "token";
    if (l.kvScales == "block") {
      if (l.kvScaleBlockPath.empty())
        error(l.kvScalesPath, "\"block\" scales need \"kv_scale_block\" "
                              "(key positions per scale)");
      else if (ShapedType::isDynamic(l.kvLen))
        error(l.kvScaleBlockPath,
              "scales per block of key positions need a static kv_len");
    } else if (!l.kvScaleBlockPath.empty()) {
      error(l.kvScaleBlockPath, "kv_scale_block applies to \"kv_scales\": "
                                "\"block\", not \"" +
                                    l.kvScales + "\"");
    }
  }
  if (llvm::is_contained(kDtypes, l.kvCache)) {
    error(path, "a float KV cache is stored in the layer's dtype (\"" +
                    l.dtype + "\"); \"" + l.kvCache +
                    "\" K/V with other queries is not supported yet");
    return;
  }
  if (l.variant != "sdpa") {
    error(path, "only sdpa layers take a quantized KV cache; " + l.variant +
                    " layers read float K/V");
    return;
  }
  kvQuantized = true;
  // int8 values: static head dims; llama.cpp blocks: static multiples of
  // 32.
  bool int8 = l.kvCache == "int8";
  for (auto [field, width] :
       {std::pair{"head_dim", l.headDim}, std::pair{"value_dim", l.valueDim}})
    if (int8 && ShapedType::isDynamic(width))
      error(path, std::string("an int8 KV cache needs a static ") + field);
    else if (!int8 && (ShapedType::isDynamic(width) || width % 32 != 0))
      error(path, "a " + l.kvCache + " KV cache holds blocks of 32 values: " +
                      field + " must be a static multiple of 32, found " +
                      (ShapedType::isDynamic(width) ? std::string("?")
                                                    : std::to_string(width)));
}

void Importer::checkLayer(LayerDescription &l, bool hasQ, bool hasKv) {
  auto missing = [&](const char *field) {
    error(l.path, std::string("missing field \"") + field +
                      "\" (set it in the layer or at the top level)");
  };
  if (!l.heads)
    missing("heads");
  if (!l.headDim)
    missing("head_dim");
  if (!hasQ)
    missing("seq_len\" or \"q_len");
  if (!l.kvHeads)
    l.kvHeads = l.heads;
  bool diff = l.variant == "diff";
  if (diff && !l.hasDiff)
    error(l.path, "missing field \"diff\" (λ parameters of a differential "
                  "layer)");
  if (!diff && l.hasDiff)
    error(l.path + ".diff", "only a layer with \"variant\": \"diff\" has "
                            "differential parameters");
  if (!l.valueDim)
    l.valueDim = diff && l.headDim > 0 ? 2 * l.headDim : l.headDim;
  if (diff && l.headDim > 0 && l.valueDim > 0 && l.valueDim != 2 * l.headDim)
    error(l.path + ".value_dim",
          "a differential layer's value width is 2 x head_dim = " +
              std::to_string(2 * l.headDim) + ", found " +
              std::to_string(l.valueDim));
  if (diff && l.diffWeights.size() == 5 && l.headDim > 0) {
    const char *names[] = {"lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2",
                           "gain"};
    for (int i = 0; i < 5; ++i) {
      size_t want = static_cast<size_t>(i == 4 ? 2 * l.headDim : l.headDim);
      if (l.diffWeights[i].size() != want)
        error(l.diffWeightsPath + "." + names[i],
              "expected " + std::to_string(want) + " numbers, found " +
                  std::to_string(l.diffWeights[i].size()));
    }
  }
  if (diff && !l.maskSet)
    l.mask = "#attn.causal"; // the reference implementation's default
  bool lowRank = llvm::is_contained(kLowRankVariants, l.variant);
  if (lowRank && !l.hasLowRank)
    error(l.path, "missing field \"" + l.variant + "\" (parameters of a " +
                      l.variant + " layer)");
  if (!lowRank && l.hasLowRank)
    error(l.path, "only a layer with \"variant\": \"linformer\", "
                  "\"performer\" or \"nystrom\" has low-rank parameters");
  if (lowRank) {
    // Performer takes "causal"; the others no mask. None takes the
    // sdpa-only extras.
    bool causalOk = l.variant == "performer";
    if (!l.mask.empty() && !(causalOk && l.mask == "#attn.causal"))
      error(l.path + ".mask",
            l.variant + (causalOk ? " layers take no mask but \"causal\""
                                  : " layers take no mask"));
    if (!l.modifiers.empty() || l.bias != "none" || l.topK ||
        l.padding != "none" || l.documents)
      error(l.path, l.variant + " layers take no modifiers, bias, top_k, "
                                "padding or documents");
  }
  if (!hasKv)
    l.kvLen = l.qLen;
  checkKvCache(l);
  bool staticHeads =
      !ShapedType::isDynamic(l.heads) && !ShapedType::isDynamic(l.kvHeads);
  if (l.heads > 0 && l.kvHeads > 0 && staticHeads && l.heads % l.kvHeads != 0)
    error(l.path + ".kv_heads", "kv_heads " + std::to_string(l.kvHeads) +
                                    " does not divide heads " +
                                    std::to_string(l.heads));
}

bool Importer::readLowRank(const json::Value &v, const std::string &path,
                           llvm::StringRef variant, LayerDescription &layer) {
  auto at = [&](const char *key) { return path + "." + key; };
  auto positive = [&](const char *key, const json::Object &obj, int64_t &out) {
    if (const json::Value *x = obj.get(key))
      return readSize(*x, at(key), out, /*allowDynamic=*/false);
    return true;
  };
  auto flag = [&](const char *key, const json::Object &obj, bool &out) {
    if (const json::Value *x = obj.get(key)) {
      std::optional<bool> b = x->getAsBoolean();
      if (!b)
        return error(at(key), "expected true or false, found " + describe(*x));
      out = *b;
    }
    return true;
  };
  if (variant == "linformer") {
    const json::Object *obj =
        readObject(v, path, {"k", "projection", "share_kv"}, "an object");
    if (!obj)
      return false;
    if (!obj->get("k"))
      return error(path, "missing field \"k\" (projected length)");
    std::string projection = "shared";
    if (const json::Value *x = obj->get("projection"))
      if (!readString(*x, at("projection"), projection, {"shared", "per_head"}))
        return false;
    layer.linformerPerHead = projection == "per_head";
    return positive("k", *obj, layer.linformerRows) &&
           flag("share_kv", *obj, layer.linformerShareKv);
  }
  if (variant == "performer") {
    const json::Object *obj = readObject(
        v, path, {"features", "kernel", "orthogonal", "norms", "seed"},
        "an object");
    if (!obj)
      return false;
    int64_t features = 0;
    if (obj->get("features")) {
      if (!positive("features", *obj, features))
        return false;
      layer.performerFeatures = features;
    }
    if (const json::Value *x = obj->get("kernel"))
      if (!readString(*x, at("kernel"), layer.performerKernel,
                      {"softmax", "relu"}))
        return false;
    if (const json::Value *x = obj->get("norms"))
      if (!readString(*x, at("norms"), layer.performerNorms,
                      {"chi", "constant"}))
        return false;
    if (const json::Value *x = obj->get("seed")) {
      std::optional<int64_t> seed = x->getAsInteger();
      if (!seed || *seed < 0)
        return error(at("seed"),
                     "expected an integer >= 0, found " + describe(*x));
      layer.performerSeed = *seed;
    }
    return flag("orthogonal", *obj, layer.performerOrthogonal);
  }
  const json::Object *obj = readObject(
      v, path, {"landmarks", "pinv_iterations", "conv"}, "an object");
  if (!obj)
    return false;
  if (!obj->get("landmarks"))
    return error(path, "missing field \"landmarks\"");
  if (!positive("landmarks", *obj, layer.landmarks) ||
      !positive("pinv_iterations", *obj, layer.pinvIterations) ||
      !positive("conv", *obj, layer.convWidth))
    return false;
  if (layer.convWidth > 0 && layer.convWidth % 2 == 0)
    return error(at("conv"), "the convolution width must be odd, found " +
                                 std::to_string(layer.convWidth));
  return true;
}

/// Where `text` nests arrays and objects deeper than `limit`, as a 1-based
/// line and column, or nullopt. llvm::json parses (and destroys values)
/// recursively, so a deep enough input would overflow the stack: it is
/// refused before parsing. Brackets inside strings do not count.
static std::optional<std::pair<unsigned, unsigned>>
tooDeep(llvm::StringRef text, unsigned limit) {
  unsigned depth = 0, line = 1, column = 1;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit)
        return std::make_pair(line, column);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    if (c == '\n')
      ++line, column = 1;
    else
      ++column;
  }
  return std::nullopt;
}

std::optional<json::Value> Importer::parseJson(llvm::StringRef text,
                                               llvm::StringRef file) {
  // Far more than any description or weights file needs (they nest 3 or 4
  // deep), far less than would exhaust a thread's stack.
  constexpr unsigned kMaxDepth = 256;
  constexpr size_t kMaxBytes = size_t{1} << 30;
  if (text.size() > kMaxBytes) {
    errs << file << ": error: the JSON file is " << text.size()
         << " bytes; descriptions and weights files are limited to 1 GiB\n";
    failed = true;
    return std::nullopt;
  }
  if (auto at = tooDeep(text, kMaxDepth)) {
    errs << file << ":" << at->first << ":" << at->second
         << ": error: invalid JSON: arrays and objects nest deeper than "
         << kMaxDepth << " levels\n";
    failed = true;
    return std::nullopt;
  }
  llvm::Expected<json::Value> root = json::parse(text);
  if (root)
    return std::move(*root);
  // llvm::json reports "[line:column, byte=offset]: message", with a
  // 0-based column; print it as a compiler diagnostic location.
  std::string message = llvm::toString(root.takeError());
  unsigned line = 0, column = 0, offset = 0;
  int consumed = 0;
  if (std::sscanf(message.c_str(), "[%u:%u, byte=%u]: %n", &line, &column,
                  &offset, &consumed) == 3 &&
      consumed > 0)
    errs << file << ":" << line << ":" << column + 1
         << ": error: invalid JSON: " << message.substr(consumed) << "\n";
  else
    errs << file << ": error: invalid JSON: " << message << "\n";
  failed = true;
  return std::nullopt;
}

FailureOr<ModelDescription> Importer::run(llvm::StringRef text) {
  std::optional<json::Value> root = parseJson(text, filename);
  if (!root)
    return failure();
  const json::Object *top = root->getAsObject();
  if (!top) {
    error("", "expected a JSON object at the top level");
    return failure();
  }
  ModelDescription model;
  checkKeys(*top, "", kModelFields, kLayerFields);
  if (const json::Value *v = top->get("name"))
    readString(*v, "name", model.name, {});
  else
    error("", "missing field \"name\" (the model name, a C identifier)");
  if (!model.name.empty() && !isCIdentifier(model.name))
    error("name", "\"" + model.name + "\" is not a C identifier");
  if (const json::Value *v = top->get("description"))
    if (!v->getAsString())
      error("description", "expected a string, found " + describe(*v));

  const json::Array *layers = nullptr;
  if (const json::Value *v = top->get("layers")) {
    layers = v->getAsArray();
    if (!layers)
      error("layers",
            "expected an array of layer objects, found " + describe(*v));
    else if (layers->empty())
      error("layers", "a model needs at least one layer");
  } else {
    error("", "missing field \"layers\" (an array of layer objects)");
  }
  if (!layers)
    return failure();

  llvm::StringSet<> names;
  for (auto [i, entry] : llvm::enumerate(*layers)) {
    std::string path = "layers[" + std::to_string(i) + "]";
    const json::Object *obj = entry.getAsObject();
    if (!obj) {
      error(path, "expected a layer object, found " + describe(entry));
      continue;
    }
    checkKeys(*obj, path, kLayerFields, {});
    LayerDescription layer;
    layer.path = path;
    layer.name = "layer" + std::to_string(i);
    bool hasQ = false, hasKv = false;
    // Model-wide defaults first, then the layer's own fields.
    LayerDescription defaults = layer;
    applyFields(*top, "", layer, hasQ, hasKv);
    layer.name = defaults.name;
    applyFields(*obj, path, layer, hasQ, hasKv);
    if (const json::Value *v = obj->get("name")) {
      readString(*v, path + ".name", layer.name, {});
      if (!isCIdentifier(layer.name))
        error(path + ".name", "\"" + layer.name + "\" is not a C identifier");
    }
    if (!names.insert(layer.name).second)
      error(path + ".name", "duplicate layer name \"" + layer.name + "\"");
    checkLayer(layer, hasQ, hasKv);
    model.layers.push_back(layer);
  }
  if (failed)
    return failure();
  return model;
}

/// ALiBi's standard slopes for `heads` heads (Press et al., reference code):
/// for a power of two n, 2^(-8 i / n), i = 1..n; otherwise those of the
/// closest lower power of two m, then every other slope of 2m.
SmallVector<float> alibiSlopes(int64_t heads) {
  auto pow2 = [](int64_t n) {
    SmallVector<float> s;
    for (int64_t i = 1; i <= n; ++i)
      s.push_back(static_cast<float>(std::pow(2.0, -8.0 * i / n)));
    return s;
  };
  int64_t m = 1;
  while (m * 2 <= heads)
    m *= 2;
  SmallVector<float> slopes = pow2(m);
  SmallVector<float> extra = pow2(2 * m);
  for (int64_t i = 0; static_cast<int64_t>(slopes.size()) < heads; i += 2)
    slopes.push_back(extra[i]);
  return slopes;
}

Type elementType(MLIRContext &ctx, llvm::StringRef dtype) {
  Builder b(&ctx);
  if (dtype == "f16")
    return b.getF16Type();
  if (dtype == "bf16")
    return b.getBF16Type();
  return b.getF32Type();
}

} // namespace

FailureOr<ModelDescription> mlir::attn::parseModelDescription(
    llvm::StringRef json, llvm::StringRef filename, llvm::raw_ostream &errs) {
  return Importer(filename, errs).run(json);
}

/// The mask attribute of a layer (null for none), reported at `loc`.
static FailureOr<MaskAttrInterface>
layerMask(MLIRContext &context, Location loc, const LayerDescription &l) {
  if (l.mask.empty())
    return MaskAttrInterface();
  auto mask =
      dyn_cast_or_null<MaskAttrInterface>(parseAttribute(l.mask, &context));
  if (!mask)
    return emitError(loc) << l.path << ".mask: '" << l.mask
                          << "' is not an attn mask pattern";
  return mask;
}

/// A differential layer: attn.diff on Q [B, 2H, Lq, d], K [B, 2Hkv, Lk, d],
/// V [B, Hkv, Lk, 2d]; its λ vectors and gain are constants when the
/// description has weights, inputs otherwise.
static LogicalResult buildDiffLayer(OpBuilder &b, Location loc,
                                    StringRef modelName,
                                    const LayerDescription &l, Type elt) {
  MLIRContext &context = *b.getContext();
  auto twice = [](int64_t x) { return ShapedType::isDynamic(x) ? x : 2 * x; };
  auto q =
      RankedTensorType::get({l.batch, twice(l.heads), l.qLen, l.headDim}, elt);
  auto k = RankedTensorType::get(
      {l.batch, twice(l.kvHeads), l.kvLen, l.headDim}, elt);
  auto v =
      RankedTensorType::get({l.batch, l.kvHeads, l.kvLen, l.valueDim}, elt);
  auto o = RankedTensorType::get({l.batch, l.heads, l.qLen, l.valueDim}, elt);
  auto f32 = b.getF32Type();
  auto lambdaType = RankedTensorType::get({l.headDim}, f32);
  auto gainType = RankedTensorType::get({l.valueDim}, f32);
  SmallVector<Type> inputs = {q, k, v};
  bool weightInputs = l.diffWeights.empty();
  if (weightInputs)
    inputs.append({lambdaType, lambdaType, lambdaType, lambdaType, gainType});
  auto fn = func::FuncOp::create(b, loc, (modelName + "_" + l.name).str(),
                                 b.getFunctionType(inputs, {o}));
  Block *body = fn.addEntryBlock();
  OpBuilder fb = OpBuilder::atBlockBegin(body);
  SmallVector<Value> params;
  for (int i = 0; i < 5; ++i) {
    if (weightInputs) {
      params.push_back(body->getArgument(3 + i));
      continue;
    }
    SmallVector<float> values(l.diffWeights[i].begin(), l.diffWeights[i].end());
    auto type = i == 4 ? gainType : lambdaType;
    params.push_back(arith::ConstantOp::create(
        fb, loc, DenseElementsAttr::get(type, ArrayRef<float>(values))));
  }
  FailureOr<MaskAttrInterface> mask = layerMask(context, loc, l);
  if (failed(mask))
    return failure();
  auto f32Attr = [&](std::optional<double> x) {
    return x ? fb.getF32FloatAttr(static_cast<float>(*x)) : FloatAttr();
  };
  Value out = DiffOp::create(
      fb, loc, o, body->getArgument(0), body->getArgument(1),
      body->getArgument(2), params[0], params[1], params[2], params[3],
      params[4], f32Attr(l.lambdaInit),
      l.diffLayer ? fb.getI64IntegerAttr(*l.diffLayer) : IntegerAttr(),
      f32Attr(l.epsilon), f32Attr(l.scale), *mask);
  func::ReturnOp::create(fb, loc, out);
  return success();
}

/// A low-rank layer: its op on Q, K, V and its weights as inputs after
/// value (Linformer's projections, Nystromformer's convolution).
static LogicalResult buildLowRankLayer(OpBuilder &b, Location loc,
                                       StringRef modelName,
                                       const LayerDescription &l, Type elt) {
  auto q = RankedTensorType::get({l.batch, l.heads, l.qLen, l.headDim}, elt);
  auto k = RankedTensorType::get({l.batch, l.kvHeads, l.kvLen, l.headDim}, elt);
  auto v =
      RankedTensorType::get({l.batch, l.kvHeads, l.kvLen, l.valueDim}, elt);
  auto o = RankedTensorType::get({l.batch, l.heads, l.qLen, l.valueDim}, elt);
  auto f32 = b.getF32Type();
  SmallVector<Type> inputs = {q, k, v};
  if (l.variant == "linformer") {
    SmallVector<int64_t> shape = {l.linformerRows, l.kvLen};
    if (l.linformerPerHead)
      shape.insert(shape.begin(), l.kvHeads);
    auto e = RankedTensorType::get(shape, f32);
    inputs.push_back(e);
    if (!l.linformerShareKv)
      inputs.push_back(e);
  } else if (l.variant == "nystrom" && l.convWidth > 0) {
    inputs.push_back(RankedTensorType::get({l.heads, l.convWidth}, f32));
  }
  auto fn = func::FuncOp::create(b, loc, (modelName + "_" + l.name).str(),
                                 b.getFunctionType(inputs, {o}));
  Block *body = fn.addEntryBlock();
  OpBuilder fb = OpBuilder::atBlockBegin(body);
  FloatAttr scale = l.scale ? fb.getF32FloatAttr(*l.scale) : FloatAttr();
  Value qa = body->getArgument(0), ka = body->getArgument(1),
        va = body->getArgument(2);
  Value out;
  if (l.variant == "linformer") {
    out = LinformerOp::create(
        fb, loc, o, qa, ka, va, body->getArgument(3),
        l.linformerShareKv ? Value() : body->getArgument(4), scale);
  } else if (l.variant == "performer") {
    out = PerformerOp::create(
        fb, loc, o, qa, ka, va,
        l.performerFeatures ? fb.getI64IntegerAttr(*l.performerFeatures)
                            : IntegerAttr(),
        FeatureKernelAttr::get(fb.getContext(), l.performerKernel == "relu"
                                                    ? FeatureKernel::relu
                                                    : FeatureKernel::softmax),
        fb.getBoolAttr(l.performerOrthogonal),
        l.performerNorms == "constant" ? fb.getUnitAttr() : UnitAttr(),
        fb.getI64IntegerAttr(l.performerSeed),
        l.mask == "#attn.causal" ? fb.getUnitAttr() : UnitAttr(), scale);
  } else {
    out = NystromOp::create(fb, loc, o, qa, ka, va,
                            l.convWidth ? body->getArgument(3) : Value(),
                            fb.getI64IntegerAttr(l.landmarks),
                            fb.getI64IntegerAttr(l.pinvIterations), scale);
  }
  if (failed(mlir::verify(out.getDefiningOp())))
    return failure();
  func::ReturnOp::create(fb, loc, out);
  return success();
}

OwningOpRef<ModuleOp>
mlir::attn::buildModelModule(const ModelDescription &model,
                             MLIRContext &context, llvm::StringRef filename) {
  context.loadDialect<AttnDialect, func::FuncDialect>();
  OpBuilder b(&context);
  // JSON: the file at 1:1 (diagnostics show its first line); other sources
  // (ONNX protobuf) line 0, which names the file and shows no text.
  Location fileLoc = FileLineColLoc::get(&context, filename,
                                         filename.ends_with(".json") ? 1 : 0,
                                         filename.ends_with(".json") ? 1 : 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc, model.name);
  b.setInsertionPointToEnd(module->getBody());
  for (const LayerDescription &l : model.layers) {
    Location loc = NameLoc::get(b.getStringAttr(l.path), fileLoc);
    Type elt = elementType(context, l.dtype);
    if (l.variant == "diff") {
      if (failed(buildDiffLayer(b, loc, model.name, l, elt)))
        return nullptr;
      continue;
    }
    if (llvm::is_contained(kLowRankVariants, l.variant)) {
      if (failed(buildLowRankLayer(b, loc, model.name, l, elt)))
        return nullptr;
      continue;
    }
    auto q = RankedTensorType::get({l.batch, l.heads, l.qLen, l.headDim}, elt);
    // A quantized KV cache: K and V as packed i8 rows of llama.cpp blocks.
    std::optional<BlockFormat> kvFormat =
        l.kvCache.empty() ? std::nullopt : symbolizeBlockFormat(l.kvCache);
    auto kvType = [&](int64_t width) {
      if (!kvFormat)
        return RankedTensorType::get({l.batch, l.kvHeads, l.kvLen, width}, elt);
      return RankedTensorType::get(
          {l.batch, l.kvHeads, l.kvLen, packedRowBytes(*kvFormat, width)},
          b.getI8Type());
    };
    bool int8Kv = l.kvCache == "int8";
    if (int8Kv)
      kvFormat = std::nullopt;
    auto kvStorage = [&](int64_t width) {
      if (int8Kv)
        return RankedTensorType::get({l.batch, l.kvHeads, l.kvLen, width},
                                     b.getI8Type());
      return kvType(width);
    };
    RankedTensorType k = kvStorage(l.headDim), v = kvStorage(l.valueDim);
    auto o = RankedTensorType::get({l.batch, l.heads, l.qLen, l.valueDim}, elt);
    SmallVector<Type> inputs = {q, k, v};
    if (l.bias == "full" || l.bias == "shared") {
      bool shared = l.bias == "shared";
      inputs.push_back(RankedTensorType::get(
          {shared ? 1 : l.batch, shared ? 1 : l.heads, l.qLen, l.kvLen}, elt));
    }
    // Run-time masks follow, in attn.sdpa's operand order.
    unsigned biasArg = inputs.size() > 3 ? 3 : 0;
    auto i32 = b.getI32Type();
    unsigned kvArg = 0, qArg = 0, docArg = 0;
    if (l.padding == "kv" || l.padding == "kv+q") {
      kvArg = inputs.size();
      inputs.push_back(RankedTensorType::get({l.batch}, i32));
    }
    if (l.padding == "q" || l.padding == "kv+q") {
      qArg = inputs.size();
      inputs.push_back(RankedTensorType::get({l.batch}, i32));
    }
    if (l.documents) {
      docArg = inputs.size();
      inputs.push_back(RankedTensorType::get({l.batch, l.kvLen}, i32));
    }
    // int8 K/V: their scales, in the grouping "kv_scales" names.
    unsigned kScalesArg = 0, vScalesArg = 0;
    if (int8Kv) {
      Type st =
          l.kvScaleDtype == "f16" ? Type(b.getF16Type()) : Type(b.getF32Type());
      auto scalesType = [&](int64_t width) -> RankedTensorType {
        const std::string &g = l.kvScales;
        if (g == "tensor")
          return RankedTensorType::get({1, 1, 1, 1}, st);
        if (g == "head")
          return RankedTensorType::get({1, l.kvHeads, 1, 1}, st);
        if (g == "channel")
          return RankedTensorType::get({1, l.kvHeads, 1, width}, st);
        if (g == "block")
          return RankedTensorType::get(
              {l.batch, l.kvHeads,
               (l.kvLen + l.kvScaleBlock - 1) / l.kvScaleBlock, 1},
              st);
        return RankedTensorType::get({l.batch, l.kvHeads, l.kvLen, 1}, st);
      };
      kScalesArg = inputs.size();
      inputs.push_back(scalesType(l.headDim));
      vScalesArg = inputs.size();
      inputs.push_back(scalesType(l.valueDim));
    }
    std::string entry =
        l.entryName.empty() ? model.name + "_" + l.name : l.entryName;
    auto fn =
        func::FuncOp::create(b, loc, entry, b.getFunctionType(inputs, {o}));
    Block *body = fn.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(body);
    FloatAttr scale = l.scale ? fb.getF32FloatAttr(*l.scale) : FloatAttr();
    FailureOr<MaskAttrInterface> maskOr = layerMask(context, loc, l);
    if (failed(maskOr))
      return nullptr;
    MaskAttrInterface mask = *maskOr;
    SmallVector<Attribute> mods;
    for (const std::string &text : l.modifiers) {
      if (text == "alibi:default") {
        if (ShapedType::isDynamic(l.heads)) {
          emitError(loc) << l.path
                         << ".modifiers: the standard ALiBi slopes need a "
                            "static head count";
          return nullptr;
        }
        SmallVector<float> slopes = alibiSlopes(l.heads);
        mods.push_back(AlibiAttr::get(
            &context,
            cast<DenseFPElementsAttr>(DenseElementsAttr::get(
                RankedTensorType::get({static_cast<int64_t>(slopes.size())},
                                      fb.getF32Type()),
                ArrayRef<float>(slopes)))));
        continue;
      }
      Attribute attr = parseAttribute(text, &context);
      if (!attr || !isa<ScoreModAttrInterface>(attr)) {
        emitError(loc) << l.path << ".modifiers: '" << text
                       << "' is not an attn score modifier";
        return nullptr;
      }
      mods.push_back(attr);
    }
    auto argOr = [&](unsigned i) { return i ? body->getArgument(i) : Value(); };
    Value bias = argOr(biasArg);
    Value out = SdpaOp::create(
        fb, loc, o, body->getArgument(0), body->getArgument(1),
        body->getArgument(2), bias, argOr(kvArg), argOr(qArg), argOr(docArg),
        argOr(kScalesArg), argOr(vScalesArg), scale, mask,
        mods.empty() ? ArrayAttr() : fb.getArrayAttr(mods),
        l.topK ? fb.getI64IntegerAttr(*l.topK) : IntegerAttr(),
        kvFormat ? BlockFormatAttr::get(&context, *kvFormat)
                 : BlockFormatAttr(),
        kvFormat ? BlockFormatAttr::get(&context, *kvFormat)
                 : BlockFormatAttr(),
        precisionAttr(context, l.qkCompute),
        precisionAttr(context, l.pvCompute), l.smoothK,
        l.kvScales == "block" ? fb.getI64IntegerAttr(l.kvScaleBlock)
                              : IntegerAttr(),
        l.kvScales == "block" ? fb.getI64IntegerAttr(l.kvScaleBlock)
                              : IntegerAttr());
    func::ReturnOp::create(fb, loc, out);
  }
  return module;
}
