# icl's libraries are MLIR libraries (add_mlir_library: DEPENDS for generated
# headers, explicit LINK_LIBS) that are neither part of libMLIR nor installed.
function(add_icl_library name)
  add_mlir_library(${name} EXCLUDE_FROM_LIBMLIR DISABLE_INSTALL ${ARGN})
endfunction()

# Coverage feedback for libFuzzer (-DICL_FUZZ=ON) in the folders whose code
# reads untrusted input; the passes and the runtime stay uninstrumented.
macro(icl_fuzz_coverage)
  if(ICL_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
endmacro()
