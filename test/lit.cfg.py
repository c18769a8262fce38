# -*- Python -*-
# lit configuration of attnc's test suite: FileCheck tests of the dialect,
# passes and tools, and execution tests that compare compiled kernels with the
# fp64 reference (through attn-check).

import os

import lit.formats
import lit.util

config.name = "attnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test", ".json"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "unit"]
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
config.substitutions.append(("%cc", config.attn_c_compiler))
config.substitutions.append(("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))
config.substitutions.append(("%attn_build", config.attn_obj_root))
config.substitutions.append(("%attn_src", config.attn_src_root))
