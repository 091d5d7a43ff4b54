/* OSL_SANITIZED: 1 in an AddressSanitizer build (gcc or clang), else 0 —
 * the few places where such a build must act otherwise say why. */
#ifndef OSL_UTIL_SANITIZER_H
#define OSL_UTIL_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__)
#define OSL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OSL_SANITIZED 1
#endif
#endif
#ifndef OSL_SANITIZED
#define OSL_SANITIZED 0
#endif

#endif
