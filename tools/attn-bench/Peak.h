//===- Peak.h - the machine's measured FMA peak -----------------*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNBENCH_PEAK_H
#define ATTN_TOOLS_ATTNBENCH_PEAK_H

#include <string>

namespace attn::bench {

struct Peak {
  /// fp32 GFLOP/s of independent FMAs on `threads` threads.
  double gflops = 0;
  /// The vector ISA measured: "avx512", "avx2" or "scalar".
  std::string isa;
};

/// Measures the fp32 FMA throughput of the widest vector ISA this CPU has,
/// on `threads` threads (each running the same register-resident loop).
Peak measurePeak(int threads);

} // namespace attn::bench

#endif // ATTN_TOOLS_ATTNBENCH_PEAK_H
