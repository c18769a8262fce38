# Install rules, the exported CMake package, attnrt.pc and the Debian package.
#
#   cmake --install build --prefix P    installs:
#     bin/                      attnc, attn-opt, attn-check, attn-run, attn-bench, attn-estimate
#     lib/                      libattnrt.a, libattnrt.so.N (SONAME), the dialect/pass libraries
#     lib/attnc/                AttnPlugin.so (mlir-opt-22 plugin), libattn-halide.so,
#                               aarch64-linux-gnu/ (the cross-built runtime, when built)
#     lib/cmake/attnc/          attncConfig.cmake: find_package(attnc [COMPONENTS mlir])
#     lib/pkgconfig/attnrt.pc
#     include/attn/             the runtime's C headers
#     include/attnc/            the dialect's and passes' C++ headers and TableGen files
#     share/doc/attnc/          README, the hand-written and the generated docs
#
# Components: runtime (libattnrt.so.N), compiler (the tools), dev (headers,
# static libraries, CMake package, pkg-config), aarch64 (the cross runtime).
include(CMakePackageConfigHelpers)

set(ATTN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/attnc)
set(ATTN_INSTALL_PRIVATE_LIBDIR ${CMAKE_INSTALL_LIBDIR}/attnc)
# The tools load libMLIR/libLLVM from LLVM 22's private directory
# (/usr/lib/llvm-22/lib): keep the run path to it after install.
set_target_properties(attnc attn-opt attn-check attn-bench AttnPlugin
  PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)

# The runtime. attnc::attnrt is the shared library, attnc::attnrt_static the
# archive; attnc::attnrt_headers the headers alone.
set_target_properties(attnrt_shared PROPERTIES EXPORT_NAME attnrt)
set_target_properties(attnrt PROPERTIES EXPORT_NAME attnrt_static)
install(TARGETS attnrt_shared EXPORT attncRuntimeTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    COMPONENT runtime NAMELINK_COMPONENT dev)
install(TARGETS attnrt attnrt_headers EXPORT attncRuntimeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/attn
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)

# The tools; attnc::attnc is what attnc_add_library runs.
install(TARGETS attnc attn-opt attn-check attn-run attn-bench
  EXPORT attncToolTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  COMPONENT compiler)
install(PROGRAMS ${CMAKE_BINARY_DIR}/bin/attn-estimate
  DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT compiler)
install(TARGETS AttnPlugin LIBRARY DESTINATION ${ATTN_INSTALL_PRIVATE_LIBDIR}
  COMPONENT compiler)
if(TARGET attn-halide)
  install(TARGETS attn-halide LIBRARY DESTINATION ${ATTN_INSTALL_PRIVATE_LIBDIR}
    COMPONENT compiler)
endif()

# The dialect and pass libraries for MLIR users (find_package(attnc
# COMPONENTS mlir)): static archives over the shared libMLIR/libLLVM, their
# headers as the sources include them (dialects/Attn/AttnOps.h, ...), the
# generated .inc files beside them, and the TableGen sources.
set(ATTN_MLIR_LIBRARIES AttnDialect AttnPassUtils AttnRandomFeatures
  AttnTransforms AttnConversion AttnTargets AttnCompiler)
foreach(lib ${ATTN_MLIR_LIBRARIES})
  target_include_directories(${lib} INTERFACE
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/attnc>)
endforeach()
install(TARGETS ${ATTN_MLIR_LIBRARIES} EXPORT attncMLIRTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
foreach(dir dialects passes compiler targets)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/attnc COMPONENT dev
    FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
  install(DIRECTORY ${PROJECT_BINARY_DIR}/${dir}
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/attnc COMPONENT dev
    FILES_MATCHING PATTERN "*.h.inc" PATTERN "CMakeFiles" EXCLUDE)
endforeach()

install(FILES ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT dev
  PATTERN "CMakeLists.txt" EXCLUDE PATTERN "perf" EXCLUDE)

# The CMake package. Its files are generated under CMakeFiles/, not
# <build>/cmake/: find_package searches <prefix>/cmake/ for every prefix on
# PATH, so a build tree with bin/ on PATH would offer its uninstalled copy.
foreach(set Runtime Tool MLIR)
  install(EXPORT attnc${set}Targets NAMESPACE attnc::
    DESTINATION ${ATTN_INSTALL_CMAKEDIR} COMPONENT dev)
endforeach()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/attncConfig.cmake.in
  ${PROJECT_BINARY_DIR}/CMakeFiles/attnc-package/attncConfig.cmake
  INSTALL_DESTINATION ${ATTN_INSTALL_CMAKEDIR}
  PATH_VARS ATTN_INSTALL_PRIVATE_LIBDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/CMakeFiles/attnc-package/attncConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/CMakeFiles/attnc-package/attncConfig.cmake
  ${PROJECT_BINARY_DIR}/CMakeFiles/attnc-package/attncConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/AttncAddLibrary.cmake
  DESTINATION ${ATTN_INSTALL_CMAKEDIR} COMPONENT dev)

# attnrt.pc, written at install time so that its prefix is the one installed
# to (cmake --install --prefix P, or /usr in the .deb).
install(CODE "
  set(ATTN_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(ATTN_PC_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(ATTN_PC_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(ATTN_PC_VERSION \"${PROJECT_VERSION}\")
    configure_file(\"${PROJECT_SOURCE_DIR}/cmake/attnrt.pc.in\"
    \"${PROJECT_BINARY_DIR}/CMakeFiles/attnc-package/attnrt.pc\" @ONLY)
  file(INSTALL \"${PROJECT_BINARY_DIR}/CMakeFiles/attnc-package/attnrt.pc\"
    DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig\")
" COMPONENT dev)

# The cross-built AArch64 runtime (build/aarch64, made by scripts/build.sh)
# installs with the host build when it exists.
install(CODE "
  set(cross \"${PROJECT_BINARY_DIR}/aarch64/cmake_install.cmake\")
  if(EXISTS \"\${cross}\")
    include(\"\${cross}\")
  endif()
" COMPONENT aarch64)

# The Debian package: `ninja -C build package` (or cpack) writes
# attnc_<version>_<arch>.deb (in the build directory, or cpack -B DIR) with the runtime, the tools and the
# development files; its dependencies are read from the binaries
# (dpkg-shlibdeps) plus the programs attnc runs.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME attnc)
set(CPACK_PACKAGE_VENDOR "attnc")
set(CPACK_PACKAGE_CONTACT "attnc developers <attnc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "MLIR-based compiler for attention, and its runtime")
set(CPACK_PACKAGE_DESCRIPTION
  "attnc compiles the attention layers of transformers (dense, sparse, low-rank, differential, quantized KV caches) into native code for x86-64, AArch64 and Vulkan, linked against libattnrt.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL runtime compiler dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# attn-check and attn-bench link compiled objects into shared libraries with
# ld.lld-22.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "lld-22")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "clang-22, mesa-vulkan-drivers, pkg-config, cmake")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libmlir-22-dev, mlir-22-tools")
include(CPack)
