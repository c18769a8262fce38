# Helpers shared by attnc's CMake files.

# attn_add_library(name SOURCES... [DEPENDS tgt...] [LINK_LIBS lib...])
# A static library of the compiler, linked against the shared libMLIR/libLLVM
# that Debian's mlir-opt-22 uses too, so that the plugin and our tools share
# one copy of MLIR's global registries.
function(attn_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
endfunction()
