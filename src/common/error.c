#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>

sqz_status sqz_fail(sqz_error *err, sqz_status code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *sqz_status_name(sqz_status code) {
  switch (code) {
    case SQZ_OK: return "ok";
    case SQZ_ERR_ARGUMENT: return "invalid argument";
    case SQZ_ERR_MEMORY: return "out of memory";
    case SQZ_ERR_MODEL: return "invalid model";
    case SQZ_ERR_CHECKSUM: return "model checksum mismatch";
    case SQZ_ERR_VERSION: return "unsupported model version";
    case SQZ_ERR_IMAGE: return "invalid image";
    case SQZ_ERR_LIMIT: return "limit exceeded";
  }
  return "unknown error";
}
