# -*- Python -*-
# lit configuration of attnc's test suite: FileCheck tests of the dialect,
# passes and tools, and execution tests that compare compiled kernels with the
# fp64 reference (through attn-check).

import os
import sys

import lit.formats
import lit.util

config.name = "attnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test", ".json"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "unit", "fuzz"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attn_obj_root, "test")

# Tools under test come from the build; LLVM's test tools from LLVM 22.
config.environment["PATH"] = os.pathsep.join(
    [config.attn_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))]
)

config.substitutions.append(("%attn_plugin", os.path.join(config.attn_lib_dir, "AttnPlugin.so")))
config.substitutions.append(("%attnrt", os.path.join(config.attn_lib_dir, "libattnrt.a")))
config.substitutions.append(("%attn_include", config.attn_runtime_include))
config.substitutions.append(("%examples", os.path.join(config.attn_src_root, "examples")))
# A sanitized build (ATTN_SANITIZE; scripts/test.sh --sanitize) links the
# tests' C programs with the same sanitizers as its libattnrt.
sanitize = getattr(config, "attn_sanitize", "")
san_flags = f" -fsanitize={sanitize}" if sanitize else ""
if sanitize:
    config.available_features.add("sanitized")
    config.environment["ASAN_OPTIONS"] = os.environ.get(
        "ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:symbolize=1")
    config.environment["UBSAN_OPTIONS"] = os.environ.get(
        "UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    config.environment["LSAN_OPTIONS"] = os.environ.get(
        "LSAN_OPTIONS",
        "print_suppressions=0:suppressions=" +
        os.path.join(config.attn_src_root, "test", "lsan.supp"))
# The compiler without those flags (the TSan stress test sets its own);
# before %cc, which is its prefix.
config.substitutions.append(("%cc_plain", config.attn_c_compiler))
config.substitutions.append(("%cc", config.attn_c_compiler + san_flags))
config.substitutions.append(("%cxx", config.attn_cxx_compiler + san_flags))
config.substitutions.append(("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))
config.substitutions.append(("%attn_build", config.attn_obj_root))
config.substitutions.append(("%attn_src", config.attn_src_root))
config.substitutions.append(("%python", sys.executable))

# CPU features of the machine running the tests, for tests that execute code
# compiled for a specific x86 level (REQUIRES: cpu-avx2, cpu-avx512,
# cpu-avx512-vnni, cpu-avx512-bf16, cpu-avx-vnni).
try:
    with open("/proc/cpuinfo") as f:
        flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
except OSError:
    flags = []
if "avx2" in flags and "fma" in flags:
    config.available_features.add("cpu-avx2")
    if "avx_vnni" in flags:
        config.available_features.add("cpu-avx-vnni")
if all(f in flags for f in ("avx512f", "avx512bw", "avx512dq", "avx512vl")):
    config.available_features.add("cpu-avx512")
    if "avx512_vnni" in flags:
        config.available_features.add("cpu-avx512-vnni")
        if "avx512_bf16" in flags:
            config.available_features.add("cpu-avx512-bf16")
if "sse4_2" in flags:
    config.available_features.add("cpu-x86-64-v2")

# AArch64: libattnrt and attn-run cross-built into <build>/aarch64 by
# scripts/build.sh, run under qemu-aarch64 with Debian's arm64 cross sysroot.
# Where either is missing the AArch64 tests are reported as skipped (never
# passed): scripts/test.sh lists them.
import shutil

# The sanitized build borrows the cross build and the TSan build of the
# main one (ATTN_PEER_BUILD, set by scripts/test.sh --sanitize).
peer_root = os.environ.get("ATTN_PEER_BUILD", config.attn_obj_root)
aarch64_root = os.path.join(peer_root, "aarch64")
aarch64_run = os.path.join(aarch64_root, "bin", "attn-run")
qemu_aarch64 = shutil.which("qemu-aarch64")
cc_aarch64 = shutil.which("aarch64-linux-gnu-gcc")
aarch64_sysroot = "/usr/aarch64-linux-gnu"
if os.path.exists(aarch64_run) and qemu_aarch64 and cc_aarch64:
    config.available_features.add("aarch64-run")
    qemu = f"{qemu_aarch64} -L {aarch64_sysroot}"
    config.substitutions.append(
        ("%run-aarch64", f'--runner={aarch64_run} --run-prefix="{qemu}"'))
    config.substitutions.append(("%qemu-aarch64", qemu))
    config.substitutions.append(("%aarch64-cc", cc_aarch64))
    config.substitutions.append(
        ("%aarch64-attnrt", os.path.join(aarch64_root, "lib", "libattnrt.a")))
else:
    lit_config.note("AArch64 execution tests will be skipped: they need "
                    "qemu-aarch64, aarch64-linux-gnu-gcc and the cross-built "
                    f"attn-run at {aarch64_run} (scripts/build.sh)")

# Vulkan: the tests run on whatever device libattnrt picks (ATTN_VULKAN_DEVICE
# chooses one); on a machine without a GPU that is Mesa's lavapipe, which
# scripts/install-deps.sh installs. Without any Vulkan device the tests are
# reported as skipped, loudly, and in CI (CI=true) that is an error: CI
# installs lavapipe, so a missing device is a broken setup, not a skip.
import subprocess

probe = subprocess.run([os.path.join(config.attn_tools_dir, "attn-run"), "--probe-vulkan"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env={**os.environ, **config.environment})
vulkan_device = probe.stdout.strip().splitlines()[-1] if probe.stdout.strip() else ""
if probe.returncode == 0:
    config.available_features.add("vulkan")
    lit_config.note(f"Vulkan tests run on: {vulkan_device}")
    # Mesa's software device, whose limits some tests check.
    if vulkan_device.startswith("llvmpipe"):
        config.available_features.add("vulkan-lavapipe")
elif os.environ.get("CI"):
    lit_config.fatal("no Vulkan device, so the Vulkan tests cannot run, and CI "
                     f"requires them: {vulkan_device} (install mesa-vulkan-drivers)")
else:
    lit_config.warning("no Vulkan device: the Vulkan tests will be SKIPPED: "
                       f"{vulkan_device} (install mesa-vulkan-drivers)")
if shutil.which("spirv-val"):
    config.available_features.add("spirv-val")
elif os.environ.get("CI"):
    lit_config.fatal("spirv-val is missing (install spirv-tools)")

# The Debian package test installs the built .deb into /usr with dpkg and
# purges it afterwards, so it runs only where that is wanted: in CI (a fresh
# machine) or when ATTN_TEST_DEB=1 asks for it, as root or with passwordless
# sudo. Elsewhere it is reported as skipped (scripts/test.sh lists it).
def can_sudo():
    if os.geteuid() == 0:
        return True
    return shutil.which("sudo") is not None and subprocess.run(
        ["sudo", "-n", "true"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0

if (os.environ.get("CI") or os.environ.get("ATTN_TEST_DEB") == "1") and \
        shutil.which("dpkg") and shutil.which("cpack") and can_sudo():
    config.available_features.add("deb-install")
    config.substitutions.append(("%sudo", "" if os.geteuid() == 0 else "sudo -n"))
elif os.environ.get("CI"):
    lit_config.warning("the .deb test will be SKIPPED: it needs dpkg, cpack "
                       "and root or passwordless sudo")

# ONNX import: attnc built with libonnx-dev, and a Python with the onnx
# package (Debian's python3-onnx, in /usr/bin/python3) to write the test
# models. scripts/install-deps.sh installs both; CI requires them.
onnx_python = None
for candidate in ["/usr/bin/python3", sys.executable, shutil.which("python3")]:
    if candidate and os.path.exists(candidate) and subprocess.run(
            [candidate, "-c", "import onnx, numpy"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL).returncode == 0:
        onnx_python = candidate
        break
if config.attn_with_onnx.upper() in ("ON", "TRUE", "1") and onnx_python:
    config.available_features.add("onnx")
    config.substitutions.append(("%onnx_python", onnx_python))
elif os.environ.get("CI"):
    lit_config.fatal("CI runs the ONNX import tests: they need attnc built "
                     "with libonnx-dev and python3-onnx")
else:
    lit_config.warning("the ONNX import tests will be SKIPPED: they need "
                       "attnc built with libonnx-dev and python3-onnx")

# ThreadSanitizer: scripts/build.sh builds libattnrt and its unit tests with
# TSan into <build>/tsan (clang's TSan runtime, libclang-rt-22-dev); the
# runtime stress test links its program against that library. CI requires it.
tsan_root = os.path.join(peer_root, "tsan")
tsan_attnrt = os.path.join(tsan_root, "lib", "libattnrt.a")
if os.path.exists(tsan_attnrt):
    config.available_features.add("tsan")
    config.substitutions.append(("%tsan_attnrt", tsan_attnrt))
    config.substitutions.append(
        ("%tsan_unit_tests", os.path.join(tsan_root, "bin", "attnrt-unit-tests")))
elif os.environ.get("CI"):
    lit_config.fatal(f"CI runs the TSan stress test: {tsan_attnrt} is missing "
                     "(scripts/build.sh builds it)")
else:
    lit_config.warning("the TSan tests will be SKIPPED: no TSan runtime build "
                       f"at {tsan_attnrt} (scripts/build.sh)")
