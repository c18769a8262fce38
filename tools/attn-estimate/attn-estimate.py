#!/usr/bin/env python3
"""attn-estimate: a static performance estimate of attnc's inner loops.

    attn-estimate MODEL.json|INPUT.mlir --target=cortex-a76 [--min-fma N]
                  [--min-dot N] [attnc options: --qk=int8 ...]

Compiles the input with attnc for the target (--emit=asm), finds its
innermost loops that issue at least N vector FMAs (the matmul micro-kernels
of Q.K^T and P.V), runs llvm-mca with the target's scheduling model over
each, and reports the cycles per iteration, the FLOPs per iteration (2 per
FMA lane) and FLOP/cycle against the core's peak (the target description's
fma_flops_per_cycle). Loops with at least --min-dot byte dot products
(sdot, smmla, vpdpbusd: the int8 Q.K^T and P.V micro-kernels) are reported the
same way in int8 operations (2 per byte multiply-add) against
int8_ops_per_cycle. Time under an emulator means nothing; this is the
number that does, within the accuracy of LLVM's scheduling model.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def tool(name, fallback):
    local = os.path.join(HERE, name)
    if os.path.exists(local):
        return local
    return shutil.which(name) or fallback


def target_info(attnc, target):
    out = subprocess.run([attnc, "--print-target", f"--target={target}"],
                         check=True, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


VECTOR_FMA = {
    # AArch64 NEON: fmla on 4 x f32, by vector or by element.
    "aarch64": (re.compile(r"^\s*fmla\s+v\d+\.4s"), 4),
}
X86_FMA = re.compile(r"^\s*vfmadd\d+ps\s+%(x|y|z)mm")
X86_LANES = {"x": 4, "y": 8, "z": 16}
# Byte dot products: byte multiply-adds per instruction.
ARM_SDOT = re.compile(r"^\s*[su]dot\s+v\d+\.4s")
# SMMLA / UMMLA / USMMLA (+i8mm): a 2 x 8 by 8 x 2 byte matrix product.
ARM_MMLA = re.compile(r"^\s*(s|u|us)mmla\s+v\d+\.4s")
X86_DOT = re.compile(r"^\s*(\{vex\}\s*)?vpdpbusds?\s+%(x|y|z)mm")


def inner_loops(lines):
    """(start, end, label) of each innermost loop: a label followed later by
    a branch back to it, containing no other such loop."""
    label_at = {}
    for i, line in enumerate(lines):
        m = re.match(r"^([.\w$]+):", line)
        if m:
            label_at[m.group(1)] = i
    branch = re.compile(r"^\s*(b(\.\w+)?|cbn?z|tbn?z|j\w+)\s.*?([.\w$]+)\s*$")
    spans = []
    for i, line in enumerate(lines):
        m = branch.match(line)
        if m and m.group(3) in label_at and label_at[m.group(3)] < i:
            spans.append((label_at[m.group(3)], i, m.group(3)))
    return [s for s in spans
            if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)]


def fma_lanes(line, arch):
    if arch in VECTOR_FMA:
        pattern, lanes = VECTOR_FMA[arch]
        return lanes if pattern.match(line) else 0
    m = X86_FMA.match(line)
    return X86_LANES[m.group(1)] if m else 0


def dot_macs(line, arch):
    if arch == "aarch64":
        if ARM_MMLA.match(line):
            return 32
        return 16 if ARM_SDOT.match(line) else 0
    m = X86_DOT.match(line)
    return 4 * X86_LANES[m.group(2)] if m else 0


def mca_cycles(mca, info, body, path, iterations):
    with open(path, "w") as f:
        f.write("\n".join(body) + "\n")
    out = subprocess.run(
        [mca, f"-mtriple={info['triple']}", f"-mcpu={info['mca_cpu']}",
         f"-iterations={iterations}", path],
        check=True, capture_output=True, text=True).stdout
    cycles = int(re.search(r"Total Cycles:\s+(\d+)", out).group(1))
    return cycles / iterations


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("input")
    p.add_argument("--target", required=True)
    p.add_argument("--min-fma", type=int, default=16)
    p.add_argument("--min-dot", type=int, default=16)
    p.add_argument("--iterations", type=int, default=200)
    args, attnc_options = p.parse_known_args()

    attnc = tool("attnc", "attnc")
    # LLVM 22's, the one attnc generates code with (Debian's /usr/bin may
    # hold an older one).
    mca = next((c for c in ["/usr/lib/llvm-22/bin/llvm-mca",
                            shutil.which("llvm-mca-22")] if c and
                os.path.exists(c)), None)
    if not mca:
        print("attn-estimate: error: llvm-mca of LLVM 22 not found",
              file=sys.stderr)
        return 2
    info = target_info(attnc, args.target)
    arch = info["triple"].split("-")[0]
    peak = int(info.get("fma_flops_per_cycle", "0"))
    int8_peak = int(info.get("int8_ops_per_cycle", "0"))
    with tempfile.TemporaryDirectory() as tmp:
        asm = os.path.join(tmp, "kernel.s")
        subprocess.run([attnc, args.input, f"--target={args.target}",
                        "--emit=asm", "-o", asm] + attnc_options, check=True)
        lines = open(asm).read().splitlines()
        results = []
        int8_results = []
        for start, end, label in inner_loops(lines):
            body = [l for l in lines[start + 1:end + 1]
                    if l.strip() and not re.match(r"^\s*([.\w$]+:|\.|//|#)", l)]
            # Stack accesses (spills and reloads) in a micro-kernel loop
            # are a bug.
            stack = sum(1 for l in body
                        if "[sp" in l or "(%rsp)" in l)
            macs = [dot_macs(l, arch) for l in body]
            dots = sum(1 for x in macs if x)
            if dots >= args.min_dot:
                loop = os.path.join(tmp, f"int8loop{len(int8_results)}.s")
                cycles = mca_cycles(mca, info, body, loop, args.iterations)
                int8_results.append((label, dots, 2 * sum(macs), cycles,
                                     stack))
            lanes = [fma_lanes(l, arch) for l in body]
            fmas = sum(1 for x in lanes if x)
            if fmas < args.min_fma:
                continue
            flops = 2 * sum(lanes)
            # So are scalar FMAs (a vectorization failure).
            scalar = sum(1 for l in body
                         if re.match(r"^\s*(fmadd|fmla)\s+s\d+", l)
                         or re.match(r"^\s*vfmadd\d+ss\s", l))
            loop = os.path.join(tmp, f"loop{len(results)}.s")
            per_iteration = mca_cycles(mca, info, body, loop, args.iterations)
            results.append((label, fmas, flops, per_iteration, scalar,
                            stack))
    print(f"target {info['name']} (llvm-mca -mcpu={info['mca_cpu']}), "
          f"peak {peak} FLOP/cycle" +
          (f", int8 peak {int8_peak} op/cycle" if int8_peak else ""))
    for label, dots, ops, cycles, stack in int8_results:
        rate = ops / cycles
        frac = f", {rate / int8_peak:.3f} of int8 peak" if int8_peak else ""
        print(f"int8 loop {label}: {dots} byte dot products, {stack} stack "
              f"accesses, {ops} int8 op in {cycles:.2f} cycles/iteration = "
              f"{rate:.2f} op/cycle{frac}")
    if int8_results:
        rates = [r[2] / r[3] for r in int8_results]
        print(f"int8 loops: {len(int8_results)}, lowest {min(rates):.2f} "
              f"op/cycle" + (f" = {min(rates) / int8_peak:.3f} of int8 peak"
                             if int8_peak else ""))
    if not results:
        print("no inner loop with enough vector FMAs found")
        return 1 if not int8_results else 0
    for label, fmas, flops, cycles, scalar, stack in results:
        rate = flops / cycles
        frac = f", {rate / peak:.3f} of peak" if peak else ""
        print(f"loop {label}: {fmas} vector FMAs, {scalar} scalar FMAs, "
              f"{stack} stack accesses, {flops} FLOP in {cycles:.2f} "
              f"cycles/iteration = {rate:.2f} FLOP/cycle{frac}")
    # The micro-kernels proper are the loops with the most FMAs per
    # iteration; the others handle leftover rows.
    most = max(r[1] for r in results)
    main_rates = [r[2] / r[3] for r in results if r[1] == most]
    worst = min(main_rates)
    print(f"inner loops: {len(results)}; micro-kernel loops ({most} vector "
          f"FMAs per iteration): {len(main_rates)}, lowest {worst:.2f} "
          f"FLOP/cycle" + (f" = {worst / peak:.3f} of peak" if peak else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
