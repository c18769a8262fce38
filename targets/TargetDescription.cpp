//===- TargetDescription.cpp - the target registry ------------------------===//

#include "targets/TargetDescription.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir::attn;

namespace {
std::mutex &registryMutex() {
  static std::mutex m;
  return m;
}
std::vector<TargetDescription> &registry() {
  static std::vector<TargetDescription> targets;
  return targets;
}

/// Describes the machine running the compiler from the best registered
/// target of its architecture and the host CPU's own name and features.
std::optional<TargetDescription> describeHost() {
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::optional<TargetDescription> best;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto has = [&](llvm::StringRef f) { return features.lookup(f); };
  std::string pick;
  if (triple.getArch() == llvm::Triple::x86_64) {
    if (has("avx512f") && has("avx512bw") && has("avx512dq") && has("avx512vl"))
      pick = !has("avx512vnni")  ? "x86_64-avx512"
             : has("avx512bf16") ? "x86_64-avx512-bf16"
                                 : "x86_64-avx512-vnni";
    else if (has("avx2") && has("fma"))
      pick = has("avxvnni") ? "x86_64-avx2-vnni" : "x86_64-avx2";
    else
      pick = "x86_64";
  } else if (triple.getArch() == llvm::Triple::aarch64) {
    pick = !(has("dotprod") && has("fullfp16")) ? "aarch64-neon"
           : has("bf16") && has("i8mm")         ? "neoverse-n2"
                                                : "cortex-a76";
  }
  for (const TargetDescription &t : registry())
    if (t.name == pick)
      best = t;
  if (!best)
    return std::nullopt;
  best->name = "host";
  best->summary = "the machine running attnc (" + pick + ", " +
                  llvm::sys::getHostCPUName().str() + ")";
  best->cpu = llvm::sys::getHostCPUName().str();
  std::string featureString;
  for (const auto &f : features) {
    if (!featureString.empty())
      featureString += ",";
    featureString += (f.second ? "+" : "-") + f.first().str();
  }
  best->features = featureString;
  return best;
}
} // namespace

void mlir::attn::registerTargetDescription(TargetDescription desc) {
  std::lock_guard<std::mutex> lock(registryMutex());
  for (TargetDescription &t : registry())
    if (t.name == desc.name) {
      t = std::move(desc);
      return;
    }
  registry().push_back(std::move(desc));
}

std::optional<TargetDescription>
mlir::attn::lookupTarget(llvm::StringRef name) {
  registerAllTargets();
  std::lock_guard<std::mutex> lock(registryMutex());
  if (name == "host")
    return describeHost();
  for (const TargetDescription &t : registry())
    if (t.name == name)
      return t;
  return std::nullopt;
}

std::vector<TargetDescription> mlir::attn::listTargets() {
  registerAllTargets();
  std::lock_guard<std::mutex> lock(registryMutex());
  return registry();
}

void mlir::attn::registerAllTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerX86Targets();
    registerAArch64Targets();
    registerVulkanTargets();
  });
}

const char *const mlir::attn::kQkPolicyHelp =
    "Precision of every attn.sdpa's Q . K^T, overriding the model's "
    "(attn-quantize): int8 (8-bit integer products; D a multiple of 32, "
    "else the op stays f32 with a warning), bf16 (bf16 factors, f32 sums, "
    "where the target has a bf16 dot product: x86_64-avx512-bf16) or f32";
const char *const mlir::attn::kSmoothKHelp =
    "Subtract the keys' channel mean before the kernel quantizes them "
    "(attn-quantize smooth-k; int8 or bf16 scores over float keys, not "
    "softcap or score_mod ops, else a warning): better int8 scores where "
    "keys share an offset, the softmax unchanged";
const char *const mlir::attn::kPvPolicyHelp =
    "Precision of every attn.sdpa's P . V, overriding the model's "
    "(attn-quantize): int8 (8-bit probabilities and values where the target "
    "has byte dot products; Dv a multiple of 32, else f32 with a warning), "
    "bf16 (bf16 probabilities and values where the target has a bf16 dot "
    "product) or f32";

std::optional<TargetDescription>
mlir::attn::configureTarget(llvm::StringRef name, llvm::StringRef tile,
                            llvm::StringRef diff, std::string &error,
                            llvm::StringRef qk, llvm::StringRef pv,
                            llvm::StringRef smoothK) {
  // "vulkan:fp16,shared=32768": a profile's options after the name.
  auto [baseName, options] = name.split(':');
  std::optional<TargetDescription> target = lookupTarget(baseName);
  if (!target) {
    error = "unknown --target '" + baseName.str() +
            "' (attnc --list-targets lists them)";
    return std::nullopt;
  }
  if (name.contains(':')) {
    if (target->kind != TargetKind::Vulkan) {
      error = "--target '" + baseName.str() +
              "' takes no options (only Vulkan targets have a profile)";
      return std::nullopt;
    }
    if (!applyGPUProfileOptions(*target, options, error))
      return std::nullopt;
  }
  if (!tile.empty()) {
    auto [q, k] = tile.split('x');
    int64_t qBlock = 0, kvBlock = 0;
    if (q.getAsInteger(10, qBlock) || k.getAsInteger(10, kvBlock) ||
        qBlock <= 0 || kvBlock <= 0 || qBlock > 4096 || kvBlock > 4096) {
      error = "--tile expects QxK with block sizes in [1, 4096], found '" +
              tile.str() + "'";
      return std::nullopt;
    }
    target->qBlock = qBlock;
    target->kvBlock = kvBlock;
    target->fixedTiles = true;
  }
  if (diff != "fused" && diff != "unfused") {
    error = "--diff expects 'fused' or 'unfused', found '" + diff.str() + "'";
    return std::nullopt;
  }
  target->fuseDiff = diff == "fused";
  auto known = [](llvm::StringRef p) {
    return p.empty() || p == "int8" || p == "bf16" || p == "f32";
  };
  if (!known(qk)) {
    error = "--qk must be int8, bf16 or f32, found '" + qk.str() + "'";
    return std::nullopt;
  }
  target->qkPolicy = qk.str();
  if (!known(pv)) {
    error = "--pv must be int8, bf16 or f32, found '" + pv.str() + "'";
    return std::nullopt;
  }
  target->pvPolicy = pv.str();
  if (!smoothK.empty() && smoothK != "true" && smoothK != "false") {
    error = "--smooth-k must be true or false, found '" + smoothK.str() + "'";
    return std::nullopt;
  }
  target->smoothKPolicy = smoothK.str();
  return target;
}
