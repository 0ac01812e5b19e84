#!/usr/bin/env python3
"""Regenerates models/preprocessor.hpp (FAUST_PP_FOR_EACH for N arguments)."""
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
out = ["#pragma once", "",
       "// Preprocessor helpers for FAUST_RECORD: apply a macro to each argument.",
       f"// Generated for up to {N} arguments by scripts/gen_for_each.py.", "",
       "#define FAUST_PP_EXPAND(x) x"]
args = ",".join(f"_{i}" for i in range(1, N + 1))
out.append(f"#define FAUST_PP_NTH({args}, N, ...) N")
counts = ",".join(str(i) for i in range(N, 0, -1))
out.append(f"#define FAUST_PP_COUNT(...) FAUST_PP_EXPAND(FAUST_PP_NTH(__VA_ARGS__, {counts}))")
out.append("#define FAUST_PP_CAT_(a, b) a##b")
out.append("#define FAUST_PP_CAT(a, b) FAUST_PP_CAT_(a, b)")
out.append("#define FAUST_PP_FE_1(m, d, x) m(d, x)")
for i in range(2, N + 1):
    out.append(f"#define FAUST_PP_FE_{i}(m, d, x, ...) m(d, x), "
               f"FAUST_PP_EXPAND(FAUST_PP_FE_{i-1}(m, d, __VA_ARGS__))")
out.append("/// Expands to `m(d, a1), m(d, a2), ...` for each variadic argument.")
out.append("#define FAUST_PP_FOR_EACH(m, d, ...) FAUST_PP_EXPAND("
           "FAUST_PP_CAT(FAUST_PP_FE_, FAUST_PP_COUNT(__VA_ARGS__))(m, d, __VA_ARGS__))")
open("models/preprocessor.hpp", "w").write("\n".join(out) + "\n")
