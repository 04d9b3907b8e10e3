#ifndef SQZ_ERROR_H
#define SQZ_ERROR_H
#include "squeezenet.h"

/* Fills err (when not NULL) with code and a formatted reason; returns code.
 * The one way every layer of the library reports a failure. */
sqz_status sqz_fail(sqz_error *err, sqz_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
