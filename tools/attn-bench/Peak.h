//===- Peak.h - the machine's measured FMA peak and read speed --*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNBENCH_PEAK_H
#define ATTN_TOOLS_ATTNBENCH_PEAK_H

#include <cstdint>
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

/// Sums floats [begin, end) of `data` with the widest vector loads this CPU
/// has and several independent accumulators, so that only memory limits it:
/// the read-bandwidth reference that bandwidth-bound workloads are compared
/// with. Returns the sum (callers keep it alive against dead-code removal).
float streamRead(const float *data, int64_t begin, int64_t end);

} // namespace attn::bench

#endif // ATTN_TOOLS_ATTNBENCH_PEAK_H
