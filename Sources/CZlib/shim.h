#ifndef TENKEN_ZLIB_SHIM_H
#define TENKEN_ZLIB_SHIM_H

/* The system zlib (Debian: zlib1g-dev, which every Swift toolchain install on Linux already
   needs). Reached through a shim of our own, as libxml2 is, so the module map names one
   header that we control. */
#include <zlib.h>

/* inflateInit2 and deflateInit2 are macros that pass the library version and the stream's
   size; Swift cannot call a macro, so these wrap them. windowBits -15 is raw deflate (no zlib
   header or trailer), as zip stores it. */
static inline int tenken_inflate_init_raw(z_stream *s) {
    return inflateInit2(s, -15);
}
static inline int tenken_deflate_init_raw(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

#endif
