//===- HalideBaseline.cpp - attention in Halide ---------------------------===//
//
// BENCHMARKS.md's Halide baselines: softmax(scale Q.K^T + mask) V written as
// a Halide pipeline (unfused at the algorithm level, as a Halide user would
// write it), with a hand schedule or the Mullapudi2016 autoscheduler, JIT
// compiled for the host.
//
// Halide's dimensions run innermost first: Q(d, i, h, b), K(d, j, kh, b),
// V(e, j, kh, b), O(e, i, h, b).
//
//===----------------------------------------------------------------------===//

#include "tools/attn-bench/HalideBaseline.h"

#include "Halide.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

using namespace Halide;

struct attn_halide_s {
  int64_t batch, heads, kvHeads, qLen, kvLen, headDim, valueDim;
  ImageParam q{Float(32), 4, "q"}, k{Float(32), 4, "k"}, v{Float(32), 4, "v"};
  Pipeline pipeline;
  Target target;
};

namespace {

void buildPipeline(attn_halide_s &s, bool causal, bool autoschedule,
                   int threads) {
  Var d("d"), e("e"), i("i"), j("j"), h("h"), b("b");
  const int group = static_cast<int>(s.heads / s.kvHeads);
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.headDim));
  const int offset = static_cast<int>(s.kvLen - s.qLen);

  RDom rd(0, static_cast<int>(s.headDim), "rd");
  RDom rj(0, static_cast<int>(s.kvLen), "rj");

  Func keysT("keysT"), score("score"), masked("masked"), rowMax("rowMax"),
      probs("probs"), rowSum("rowSum"), unnorm("unnorm"), out("out");
  // K transposed to (j, d, kh, b), so that scores vectorise along keys.
  keysT(j, d, h, b) = s.k(d, j, h, b);
  score(j, i, h, b) = 0.0f;
  score(j, i, h, b) += s.q(rd, i, h, b) * keysT(j, rd, h / group, b);
  Expr scaled = score(j, i, h, b) * scale;
  masked(j, i, h, b) =
      causal ? select(j <= i + offset, scaled, Float(32).min()) : scaled;
  rowMax(i, h, b) = Float(32).min();
  rowMax(i, h, b) = max(rowMax(i, h, b), masked(rj, i, h, b));
  probs(j, i, h, b) = select(masked(j, i, h, b) == Float(32).min(), 0.0f,
                             exp(masked(j, i, h, b) - rowMax(i, h, b)));
  rowSum(i, h, b) = 0.0f;
  rowSum(i, h, b) += probs(rj, i, h, b);
  unnorm(e, i, h, b) = 0.0f;
  unnorm(e, i, h, b) += probs(rj, i, h, b) * s.v(e, rj, h / group, b);
  out(e, i, h, b) = select(rowSum(i, h, b) == 0.0f, 0.0f,
                           unnorm(e, i, h, b) / rowSum(i, h, b));

  s.target = get_host_target();
  if (autoschedule) {
    s.q.set_estimates({{0, (int)s.headDim},
                       {0, (int)s.qLen},
                       {0, (int)s.heads},
                       {0, (int)s.batch}});
    s.k.set_estimates({{0, (int)s.headDim},
                       {0, (int)s.kvLen},
                       {0, (int)s.kvHeads},
                       {0, (int)s.batch}});
    s.v.set_estimates({{0, (int)s.valueDim},
                       {0, (int)s.kvLen},
                       {0, (int)s.kvHeads},
                       {0, (int)s.batch}});
    out.set_estimates({{0, (int)s.valueDim},
                       {0, (int)s.qLen},
                       {0, (int)s.heads},
                       {0, (int)s.batch}});
    s.pipeline = Pipeline(out);
    // Machine parameters: threads, last-level cache, load/compute balance.
    s.pipeline.auto_schedule("Mullapudi2016", s.target,
                             MachineParams(threads, 1 << 20, 40));
    return;
  }
  // Hand schedule: blocks of 32 query rows of one head in parallel; each
  // block computes its scores, softmax and output in cache, vectorised along
  // keys (scores) and value columns (output).
  const int lanes = s.target.natural_vector_size<float>();
  Var io("io"), ii("ii"), hb("hb");
  out.split(i, io, ii, 32, TailStrategy::GuardWithIf)
      .fuse(h, b, hb)
      .fuse(io, hb, io)
      .parallel(io)
      .vectorize(e, lanes, TailStrategy::GuardWithIf);
  unnorm.compute_at(out, io).vectorize(e, lanes, TailStrategy::GuardWithIf);
  unnorm.update().reorder(e, rj, i).vectorize(e, lanes,
                                              TailStrategy::GuardWithIf);
  rowSum.compute_at(out, io);
  rowMax.compute_at(out, io);
  probs.compute_at(out, io).vectorize(j, lanes, TailStrategy::GuardWithIf);
  masked.compute_at(out, io).vectorize(j, lanes, TailStrategy::GuardWithIf);
  score.compute_at(out, io).vectorize(j, lanes, TailStrategy::GuardWithIf);
  score.update().reorder(j, rd, i).vectorize(j, lanes,
                                             TailStrategy::GuardWithIf);
  keysT.compute_root().parallel(h).vectorize(j, lanes,
                                             TailStrategy::GuardWithIf);
  s.pipeline = Pipeline(out);
}

} // namespace

extern "C" attn_halide_t *attn_halide_create(int64_t batch, int64_t heads,
                                             int64_t kvHeads, int64_t qLen,
                                             int64_t kvLen, int64_t headDim,
                                             int64_t valueDim, int causal,
                                             int autoschedule, int threads,
                                             char *error, size_t errorSize) {
  try {
    if (autoschedule)
      load_plugin(ATTN_HALIDE_PLUGIN_DIR "/libautoschedule_mullapudi2016.so");
    auto s = std::make_unique<attn_halide_s>();
    s->batch = batch, s->heads = heads, s->kvHeads = kvHeads;
    s->qLen = qLen, s->kvLen = kvLen, s->headDim = headDim;
    s->valueDim = valueDim;
    // Halide's JIT runtime sizes its thread pool from HL_NUM_THREADS when it
    // starts: as many workers as attn-bench asks for.
    setenv("HL_NUM_THREADS", std::to_string(threads).c_str(), 1);
    buildPipeline(*s, causal != 0, autoschedule != 0, threads);
    s->pipeline.compile_jit(s->target);
    return s.release();
  } catch (const Halide::Error &err) {
    std::snprintf(error, errorSize, "%s", err.what());
  } catch (const std::exception &err) {
    std::snprintf(error, errorSize, "%s", err.what());
  }
  return nullptr;
}

extern "C" int attn_halide_run(attn_halide_t *s, const float *q, const float *k,
                               const float *v, float *out) {
  auto buffer = [](const float *p, int64_t x, int64_t y, int64_t z, int64_t w) {
    return Buffer<float>(const_cast<float *>(p), (int)x, (int)y, (int)z,
                         (int)w);
  };
  try {
    s->q.set(buffer(q, s->headDim, s->qLen, s->heads, s->batch));
    s->k.set(buffer(k, s->headDim, s->kvLen, s->kvHeads, s->batch));
    s->v.set(buffer(v, s->valueDim, s->kvLen, s->kvHeads, s->batch));
    Buffer<float> o = buffer(out, s->valueDim, s->qLen, s->heads, s->batch);
    s->pipeline.realize(o, s->target);
    return 0;
  } catch (const Halide::Error &err) {
    std::fprintf(stderr, "attn-halide: %s\n", err.what());
    return 1;
  }
}

extern "C" void attn_halide_destroy(attn_halide_t *s) { delete s; }
