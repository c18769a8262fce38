//===- attnc.cpp - the attnc compiler driver ------------------------------===//
//
//   attnc model.json --target=x86_64-avx512 -o attn.o    (writes attn.h too)
//   attnc layer.mlir --emit=llvm-ir
//
// Reads a JSON model description or an attn-dialect .mlir file and compiles
// it for a target, stopping after the phase that --emit names.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen.h"
#include "compiler/Driver.h"
#include "compiler/HeaderEmitter.h"
#include "compiler/Pipelines.h"
#include "compiler/Registration.h"
#include "targets/TargetDescription.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::attn;
namespace cl = llvm::cl;

static cl::OptionCategory attncCategory("attnc options");

static cl::opt<std::string>
    inputPath(cl::Positional,
              cl::desc("<model.json | model.onnx | input.mlir>"),
              cl::cat(attncCategory));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("Output file (default: stdout for text phases, "
                        "<input>.o for objects)"),
               cl::value_desc("path"), cl::cat(attncCategory));
static cl::opt<std::string>
    targetName("target", cl::desc("Target to compile for (--list-targets)"),
               cl::init("host"), cl::cat(attncCategory));
static cl::opt<std::string>
    tileSpec("tile",
             cl::desc("Override the target's attention block sizes, "
                      "QxK (query rows x key rows)"),
             cl::value_desc("QxK"), cl::cat(attncCategory));
static cl::opt<std::string> qkPolicy("qk", cl::desc(mlir::attn::kQkPolicyHelp),
                                     cl::value_desc("int8|bf16|f32"),
                                     cl::cat(attncCategory));
static cl::opt<std::string> pvPolicy("pv", cl::desc(mlir::attn::kPvPolicyHelp),
                                     cl::value_desc("int8|bf16|f32"),
                                     cl::cat(attncCategory));
static cl::opt<std::string> smoothK("smooth-k", cl::ValueOptional,
                                    cl::desc(mlir::attn::kSmoothKHelp),
                                    cl::value_desc("true|false"),
                                    cl::cat(attncCategory));
static cl::opt<std::string>
    diffLowering("diff",
                 cl::desc("Differential attention: 'fused' (one pass over K "
                          "and V, epilogue in the tiles; default) or "
                          "'unfused' (two attention maps, then the epilogue)"),
                 cl::init("fused"), cl::value_desc("fused|unfused"),
                 cl::cat(attncCategory));
static cl::opt<std::string>
    emitPhase("emit",
              cl::desc("Stop after this phase: attn, tiled, vector, "
                       "llvm-dialect, llvm-ir, asm, obj (default obj); "
                       "spirv: the kernels of a Vulkan target as SPIR-V"),
              cl::init("obj"), cl::cat(attncCategory));
static cl::opt<std::string> headerPath(
    "header",
    cl::desc("C header to write with an object (default: the output with .h)"),
    cl::value_desc("path"), cl::cat(attncCategory));
static cl::opt<bool> noHeader("no-header", cl::desc("Do not write a C header"),
                              cl::cat(attncCategory));
static cl::opt<std::string> sanitizeName(
    "sanitize",
    cl::desc("Instrument the generated CPU code with AddressSanitizer "
             "(address) or ThreadSanitizer (thread); link the program with "
             "the same -fsanitize"),
    cl::value_desc("address|thread"), cl::cat(attncCategory));
static cl::opt<bool> printTargetFlag(
    "print-target",
    cl::desc("Print the --target's description (key=value lines) and exit"),
    cl::cat(attncCategory));
static cl::opt<bool> listTargetsFlag("list-targets",
                                     cl::desc("List the targets and exit"),
                                     cl::cat(attncCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "attnc: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(attncCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "attnc: compile attention for a target\n");

  if (listTargetsFlag) {
    std::optional<TargetDescription> host = lookupTarget("host");
    llvm::outs() << "  host             "
                 << (host ? host->summary : "(not a supported machine)")
                 << "\n";
    for (const TargetDescription &t : listTargets())
      llvm::outs() << "  " << t.name
                   << std::string(t.name.size() < 17 ? 17 - t.name.size() : 1,
                                  ' ')
                   << t.summary << "\n";
    return 0;
  }
  std::string error;
  std::optional<TargetDescription> target = configureTarget(
      targetName, tileSpec, diffLowering, error, qkPolicy, pvPolicy,
      smoothK.getNumOccurrences() && smoothK.empty() ? "true"
                                                     : smoothK.getValue());
  if (!target)
    return fail(error);
  if (printTargetFlag) {
    const TargetDescription *t = &*target;
    llvm::outs() << "name=" << t->name << "\ntriple=" << t->triple
                 << "\ncpu=" << t->cpu << "\nfeatures=" << t->features
                 << "\nmca_cpu=" << (t->mcaCpu.empty() ? t->cpu : t->mcaCpu)
                 << "\nvector_bits=" << t->vectorBits
                 << "\nfma_flops_per_cycle=" << t->fmaFlopsPerCycle
                 << "\nint8_ops_per_cycle=" << t->int8OpsPerCycle
                 << "\nl1_bytes=" << t->l1Bytes << "\nl2_bytes=" << t->l2Bytes
                 << "\nl3_bytes=" << t->l3Bytes << "\nq_block=" << t->qBlock
                 << "\nkv_block=" << t->kvBlock
                 << "\nmicro_rows=" << t->microRows
                 << "\nmicro_vectors=" << t->microVectors
                 << "\nmicro_wide_rows=" << t->microWideRows << "\n";
    if (t->kind == TargetKind::Vulkan)
      llvm::outs() << "kind=vulkan\ngpu_max_invocations="
                   << t->gpu.maxInvocations
                   << "\ngpu_shared_memory_bytes=" << t->gpu.sharedMemoryBytes
                   << "\ngpu_subgroup_size=" << t->gpu.subgroupSize
                   << "\ngpu_fp16_storage=" << t->gpu.fp16Storage << "\n";
    return 0;
  }
  if (inputPath.empty())
    return fail(
        "no input file (usage: attnc <model.json | model.onnx | input.mlir> "
        "[--target=T] [--emit=PHASE] [-o FILE])");

  // --emit=spirv: the Vulkan kernels as a SPIR-V binary (for spirv-val,
  // spirv-dis or a loader of the user's own).
  bool spirvOut = emitPhase == "spirv";
  if (spirvOut && target->kind != TargetKind::Vulkan)
    return fail("--emit=spirv needs a Vulkan target (--target=vulkan)");
  std::optional<Phase> phase =
      spirvOut ? std::optional<Phase>(Phase::Vector) : parsePhase(emitPhase);
  if (!phase)
    return fail("unknown --emit phase '" + emitPhase +
                "' (expected one of: " + phaseList() + ", spirv)");
  std::optional<Sanitizer> sanitizer = parseSanitizer(sanitizeName);
  if (!sanitizer)
    return fail("unknown --sanitize '" + sanitizeName +
                "' (expected address or thread)");
  if (*sanitizer != Sanitizer::None && target->kind == TargetKind::Vulkan)
    return fail("--sanitize instruments CPU code; target '" + target->name +
                "' is a Vulkan target");

  std::unique_ptr<MLIRContext> context = createAttncContext();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, context.get());
  OwningOpRef<ModuleOp> module = loadInput(*context, inputPath, llvm::errs());
  if (!module)
    return 1;

  // The attn phase always runs; the header is written from its result.
  if (failed(runPhases(*module, Phase::Attn, *target)))
    return 1;

  std::string output = outputPath;
  if (output.empty() && *phase == Phase::Obj) {
    llvm::SmallString<128> o(llvm::sys::path::filename(inputPath));
    llvm::sys::path::replace_extension(o, ".o");
    output = o.str().str();
  }
  if (output.empty())
    output = "-";

  if (*phase == Phase::Obj && !noHeader) {
    std::string header = headerPath;
    if (header.empty()) {
      llvm::SmallString<128> h(output == "-" ? "attn.o" : output);
      llvm::sys::path::replace_extension(h, ".h");
      header = h.str().str();
    }
    std::string error;
    auto file = openOutputFile(header, &error);
    if (!file)
      return fail(error);
    if (failed(emitCHeader(*module, *target,
                           llvm::sys::path::filename(inputPath),
                           llvm::sys::path::stem(header), file->os())))
      return 1;
    file->keep();
  }

  auto out = openOutputFile(output, &error);
  if (!out)
    return fail(error);
  if (*phase > Phase::Attn &&
      failed(runPhases(*module, std::min(*phase, Phase::LLVMDialect), *target)))
    return 1;
  if (spirvOut) {
    if (failed(emitSPIRVBinary(*module, out->os())))
      return 1;
  } else if (*phase <= Phase::LLVMDialect) {
    module->print(out->os());
  } else if (failed(emitMachineCode(*module, *target, *phase, out->os(),
                                    *sanitizer))) {
    return 1;
  }
  out->keep();
  return 0;
}
