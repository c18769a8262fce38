//===- VulkanTarget.cpp - Vulkan GPU target descriptions ------------------===//
//
// Vulkan targets compile attention to SPIR-V compute kernels, embedded in an
// object whose host code (for the machine running attnc) hands them to
// libattnrt's Vulkan device. A target is a device profile: the limits and
// optional features a kernel may rely on. `vulkan` is what every Vulkan 1.1
// compute device meets; the others describe device classes, and any of them
// takes options (`--target=vulkan:fp16,shared=32768`).
//
//===----------------------------------------------------------------------===//

#include "targets/TargetDescription.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/TargetParser/Host.h"

#include "attn/abi.h"

using mlir::attn::GPUProfile;
using mlir::attn::TargetDescription;

namespace {

void registerProfile(const char *name, const char *summary,
                     const GPUProfile &profile) {
  TargetDescription t;
  t.name = name;
  t.summary = summary;
  t.kind = mlir::attn::TargetKind::Vulkan;
  // The host code only packs arguments and calls the runtime: baseline
  // code for the machine running attnc.
  t.triple = llvm::sys::getProcessTriple();
  t.cpu = "generic";
  t.isaLevel = ATTN_ABI_ISA_ANY;
  t.gpu = profile;
  mlir::attn::registerTargetDescription(t);
}

} // namespace

void mlir::attn::registerVulkanTargets() {
  // maxInvocations, sharedMemoryBytes, subgroupSize, fp16Storage.
  registerProfile("vulkan",
                  "Vulkan 1.1 compute, any device (the spec's minimum "
                  "limits: 128 invocations, 16 KiB workgroup memory)",
                  GPUProfile{});
  registerProfile("vulkan-lavapipe",
                  "Mesa lavapipe, the software Vulkan device (32 KiB "
                  "workgroup memory, subgroups of 8, 16-bit storage)",
                  {1024, 32 * 1024, 8, true});
  registerProfile("vulkan-mobile",
                  "Mali / Adreno class mobile GPUs (32 KiB workgroup memory, "
                  "subgroups of 16, 16-bit storage)",
                  {512, 32 * 1024, 16, true});
  registerProfile("vulkan-desktop",
                  "desktop and integrated GPUs (48 KiB workgroup memory, "
                  "subgroups of 32, 16-bit storage)",
                  {1024, 48 * 1024, 32, true});
}

bool mlir::attn::applyGPUProfileOptions(TargetDescription &target,
                                        llvm::StringRef options,
                                        std::string &error) {
  llvm::SmallVector<llvm::StringRef> items;
  options.split(items, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef item : items) {
    auto [key, value] = item.split('=');
    key = key.trim();
    value = value.trim();
    if (key == "fp16" || key == "no-fp16") {
      if (!value.empty()) {
        error = "Vulkan option '" + key.str() + "' takes no value";
        return false;
      }
      target.gpu.fp16Storage = key == "fp16";
      continue;
    }
    int64_t n = 0;
    bool bad = value.empty() || value.getAsInteger(10, n);
    if (key == "shared") {
      if (bad || n < 1024 || n > 1024 * 1024) {
        error = "Vulkan option shared=BYTES expects [1024, 1048576], found '" +
                value.str() + "'";
        return false;
      }
      target.gpu.sharedMemoryBytes = n;
    } else if (key == "invocations") {
      if (bad || n < 32 || n > 4096) {
        error = "Vulkan option invocations=N expects [32, 4096], found '" +
                value.str() + "'";
        return false;
      }
      target.gpu.maxInvocations = n;
    } else if (key == "subgroup") {
      if (bad || n < 0 || n > 128 || (n & (n - 1)) != 0) {
        error = "Vulkan option subgroup=N expects 0 (unknown) or a power of "
                "two up to 128, found '" +
                value.str() + "'";
        return false;
      }
      target.gpu.subgroupSize = n;
    } else {
      error = "unknown Vulkan option '" + key.str() +
              "' (fp16, no-fp16, shared=BYTES, invocations=N, subgroup=N)";
      return false;
    }
  }
  return true;
}
