# attnc_add_library: compile a model with attnc as part of a CMake build.
#
#   attnc_add_library(<name>
#     MODEL <model.json | module.mlir>      the model (relative to the current source dir)
#     [TARGET <target>]                    attnc --target (default: host; `attnc --list-targets`)
#     [OPTIONS <attnc options>...]         e.g. --tile=64x128
#     [DEPENDS <files>...]                 further inputs (a weights file the model names)
#     [HEADER <file.h>]                    the header's name (default: <name>.h)
#     [RUNTIME SHARED | STATIC])           libattnrt to link (default: SHARED)
#
# Runs attnc at build time, writing <name>.o and the header under
# ${CMAKE_CURRENT_BINARY_DIR}/attnc/<name>/, and makes <name> a static library
# of that object: linking it gives the including directory of the header and
# libattnrt. The object is rebuilt when the model, a DEPENDS file or attnc
# itself changes. For a cross target (cortex-a76, ...) the project must be
# configured with that target's toolchain.
include_guard(GLOBAL)

function(attnc_add_library name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;TARGET;RUNTIME;HEADER"
    "OPTIONS;DEPENDS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "attnc_add_library(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "attnc_add_library(${name}): MODEL <file> is required")
  endif()
  if(NOT ARG_TARGET)
    set(ARG_TARGET host)
  endif()
  if(NOT ARG_RUNTIME)
    set(ARG_RUNTIME SHARED)
  endif()
  string(TOUPPER "${ARG_RUNTIME}" runtime)
  if(runtime STREQUAL "SHARED")
    set(runtime attnc::attnrt)
  elseif(runtime STREQUAL "STATIC")
    set(runtime attnc::attnrt_static)
  else()
    message(FATAL_ERROR
      "attnc_add_library(${name}): RUNTIME must be SHARED or STATIC, not '${ARG_RUNTIME}'")
  endif()
  if(NOT TARGET attnc::attnc)
    message(FATAL_ERROR "attnc_add_library(${name}): attnc::attnc is not defined (find_package(attnc) first)")
  endif()

  cmake_path(ABSOLUTE_PATH ARG_MODEL BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    OUTPUT_VARIABLE model)
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "attnc_add_library(${name}): model '${model}' does not exist")
  endif()
  set(depends)
  foreach(dep IN LISTS ARG_DEPENDS)
    cmake_path(ABSOLUTE_PATH dep BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
      OUTPUT_VARIABLE dep)
    list(APPEND depends "${dep}")
  endforeach()

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/attnc/${name}")
  set(object "${dir}/${name}.o")
  if(NOT ARG_HEADER)
    set(ARG_HEADER "${name}.h")
  endif()
  if(NOT ARG_HEADER MATCHES "^[A-Za-z0-9_.+-]+\\.h$")
    message(FATAL_ERROR
      "attnc_add_library(${name}): HEADER must be a file name ending in .h, not '${ARG_HEADER}'")
  endif()
  set(header "${dir}/${ARG_HEADER}")
  add_custom_command(
    OUTPUT "${object}" "${header}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}"
    COMMAND attnc::attnc "${model}" "--target=${ARG_TARGET}" ${ARG_OPTIONS}
            -o "${object}" "--header=${header}"
    DEPENDS "${model}" ${depends} attnc::attnc "$<TARGET_FILE:attnc::attnc>"
    COMMENT "attnc ${ARG_MODEL} --target=${ARG_TARGET} -> ${name}.o"
    VERBATIM)
  set_source_files_properties("${object}" PROPERTIES
    EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${name} STATIC "${object}" "${header}")
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C)
  target_include_directories(${name} INTERFACE "${dir}")
  target_link_libraries(${name} INTERFACE ${runtime})
endfunction()
