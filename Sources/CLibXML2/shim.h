#ifndef TENKEN_LIBXML2_SHIM_H
#define TENKEN_LIBXML2_SHIM_H

/* Debian's libxml2 is built with ICU; its encoding.h then pulls in the system ICU headers,
   which clash with the ICU that Foundation bundles. tenken never touches the ICU-specific
   parts, so the flag is dropped before the other headers are read. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/tree.h>
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlreader.h>

/* xmlFree is a global function pointer, which Swift 6 rejects as shared mutable state. */
static inline void tenken_xmlFree(void *p) { xmlFree(p); }

/* Silences libxml2's default error printing to stderr; callers collect errors themselves. */
static void tenken_ignore_error(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static inline void tenken_silence_errors(void) { xmlSetGenericErrorFunc(NULL, tenken_ignore_error); }

#endif
