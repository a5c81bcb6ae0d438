# One place that applies warnings and sanitizers to a tradebus target (never global flags).
function(tradebus_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 reports false -Wrestrict / -Wmaybe-uninitialized inside libstdc++'s std::string
    # when a std::variant holding strings is inlined at -O2 (GCC bugs 105329, 105651).
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-maybe-uninitialized)
  endif()
  if(TRADEBUS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(TRADEBUS_FUZZ)
    # Coverage for libFuzzer in every target; only the fuzz targets link libFuzzer itself.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
  if(TRADEBUS_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${TRADEBUS_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${TRADEBUS_SANITIZE})
    if(TRADEBUS_SANITIZE MATCHES "undefined" AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      # clang 14's -fsanitize=function cannot represent coroutine frames across sections.
      target_compile_options(${target} PRIVATE -fno-sanitize=function -fno-sanitize-recover=undefined)
    endif()
  endif()
endfunction()
