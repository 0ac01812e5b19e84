#pragma once

// Preprocessor helpers for FAUST_RECORD: apply a macro to each argument.
// Generated for up to 40 arguments by scripts/gen_for_each.py.

#define FAUST_PP_EXPAND(x) x
#define FAUST_PP_NTH(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13,   \
                     _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24,    \
                     _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35,    \
                     _36, _37, _38, _39, _40, N, ...)                          \
  N
#define FAUST_PP_COUNT(...)                                                    \
  FAUST_PP_EXPAND(FAUST_PP_NTH(__VA_ARGS__, 40, 39, 38, 37, 36, 35, 34, 33,    \
                               32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, \
                               20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9,  \
                               8, 7, 6, 5, 4, 3, 2, 1))
#define FAUST_PP_CAT_(a, b) a##b
#define FAUST_PP_CAT(a, b) FAUST_PP_CAT_(a, b)
#define FAUST_PP_FE_1(m, d, x) m(d, x)
#define FAUST_PP_FE_2(m, d, x, ...)                                            \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_1(m, d, __VA_ARGS__))
#define FAUST_PP_FE_3(m, d, x, ...)                                            \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_2(m, d, __VA_ARGS__))
#define FAUST_PP_FE_4(m, d, x, ...)                                            \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_3(m, d, __VA_ARGS__))
#define FAUST_PP_FE_5(m, d, x, ...)                                            \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_4(m, d, __VA_ARGS__))
#define FAUST_PP_FE_6(m, d, x, ...)                                            \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_5(m, d, __VA_ARGS__))
#define FAUST_PP_FE_7(m, d, x, ...)                                            \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_6(m, d, __VA_ARGS__))
#define FAUST_PP_FE_8(m, d, x, ...)                                            \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_7(m, d, __VA_ARGS__))
#define FAUST_PP_FE_9(m, d, x, ...)                                            \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_8(m, d, __VA_ARGS__))
#define FAUST_PP_FE_10(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_9(m, d, __VA_ARGS__))
#define FAUST_PP_FE_11(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_10(m, d, __VA_ARGS__))
#define FAUST_PP_FE_12(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_11(m, d, __VA_ARGS__))
#define FAUST_PP_FE_13(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_12(m, d, __VA_ARGS__))
#define FAUST_PP_FE_14(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_13(m, d, __VA_ARGS__))
#define FAUST_PP_FE_15(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_14(m, d, __VA_ARGS__))
#define FAUST_PP_FE_16(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_15(m, d, __VA_ARGS__))
#define FAUST_PP_FE_17(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_16(m, d, __VA_ARGS__))
#define FAUST_PP_FE_18(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_17(m, d, __VA_ARGS__))
#define FAUST_PP_FE_19(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_18(m, d, __VA_ARGS__))
#define FAUST_PP_FE_20(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_19(m, d, __VA_ARGS__))
#define FAUST_PP_FE_21(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_20(m, d, __VA_ARGS__))
#define FAUST_PP_FE_22(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_21(m, d, __VA_ARGS__))
#define FAUST_PP_FE_23(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_22(m, d, __VA_ARGS__))
#define FAUST_PP_FE_24(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_23(m, d, __VA_ARGS__))
#define FAUST_PP_FE_25(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_24(m, d, __VA_ARGS__))
#define FAUST_PP_FE_26(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_25(m, d, __VA_ARGS__))
#define FAUST_PP_FE_27(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_26(m, d, __VA_ARGS__))
#define FAUST_PP_FE_28(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_27(m, d, __VA_ARGS__))
#define FAUST_PP_FE_29(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_28(m, d, __VA_ARGS__))
#define FAUST_PP_FE_30(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_29(m, d, __VA_ARGS__))
#define FAUST_PP_FE_31(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_30(m, d, __VA_ARGS__))
#define FAUST_PP_FE_32(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_31(m, d, __VA_ARGS__))
#define FAUST_PP_FE_33(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_32(m, d, __VA_ARGS__))
#define FAUST_PP_FE_34(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_33(m, d, __VA_ARGS__))
#define FAUST_PP_FE_35(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_34(m, d, __VA_ARGS__))
#define FAUST_PP_FE_36(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_35(m, d, __VA_ARGS__))
#define FAUST_PP_FE_37(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_36(m, d, __VA_ARGS__))
#define FAUST_PP_FE_38(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_37(m, d, __VA_ARGS__))
#define FAUST_PP_FE_39(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_38(m, d, __VA_ARGS__))
#define FAUST_PP_FE_40(m, d, x, ...)                                           \
  m(d, x), FAUST_PP_EXPAND(FAUST_PP_FE_39(m, d, __VA_ARGS__))
/// Expands to `m(d, a1), m(d, a2), ...` for each variadic argument.
#define FAUST_PP_FOR_EACH(m, d, ...)                                           \
  FAUST_PP_EXPAND(FAUST_PP_CAT(FAUST_PP_FE_, FAUST_PP_COUNT(__VA_ARGS__))(     \
      m, d, __VA_ARGS__))
