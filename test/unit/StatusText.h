//===- StatusText.h - a status as text, for the unit tests ------*- C++ -*-===//

#ifndef ATTN_TEST_UNIT_STATUSTEXT_H
#define ATTN_TEST_UNIT_STATUSTEXT_H

#include "attn/runtime.h"

#include <string>

/// "" for NULL (success), else "CODE: message"; frees the status.
inline std::string statusText(attn_status_t st) {
  std::string r =
      st ? std::string(attn_status_code_name(attn_status_code(st))) + ": " +
               attn_status_message(st)
         : "";
  attn_status_free(st);
  return r;
}

#endif // ATTN_TEST_UNIT_STATUSTEXT_H
