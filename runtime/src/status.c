/*===- status.c - attn_status_t, dtypes and tensor helpers ----------------===*/

#include "attn/runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct attn_status_s {
  attn_status_code_t code;
  char message[];
};

/* Returned when a status cannot be allocated; never freed. */
static struct {
  attn_status_code_t code;
  char message[32];
} oom_status = {ATTN_STATUS_RESOURCE_EXHAUSTED, "out of memory"};

attn_status_t attn_status_make(attn_status_code_t code, const char *format,
                               ...) {
  if (code == ATTN_STATUS_OK)
    return NULL;
  va_list args;
  va_start(args, format);
  int len = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (len < 0)
    len = 0;
  attn_status_t status = malloc(sizeof(*status) + (size_t)len + 1);
  if (!status)
    return (attn_status_t)&oom_status;
  status->code = code;
  va_start(args, format);
  vsnprintf(status->message, (size_t)len + 1, format, args);
  va_end(args);
  return status;
}

attn_status_code_t attn_status_code(attn_status_t status) {
  return status ? status->code : ATTN_STATUS_OK;
}

const char *attn_status_message(attn_status_t status) {
  return status ? status->message : "";
}

const char *attn_status_code_name(attn_status_code_t code) {
  switch (code) {
  case ATTN_STATUS_OK:
    return "OK";
  case ATTN_STATUS_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case ATTN_STATUS_OUT_OF_RANGE:
    return "OUT_OF_RANGE";
  case ATTN_STATUS_RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case ATTN_STATUS_UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case ATTN_STATUS_FAILED_PRECONDITION:
    return "FAILED_PRECONDITION";
  case ATTN_STATUS_UNAVAILABLE:
    return "UNAVAILABLE";
  case ATTN_STATUS_INTERNAL:
    return "INTERNAL";
  }
  return "UNKNOWN";
}

void attn_status_free(attn_status_t status) {
  if (status && status != (attn_status_t)&oom_status)
    free(status);
}

size_t attn_dtype_size(attn_dtype_t dtype) {
  switch (dtype) {
  case ATTN_DTYPE_F32:
    return 4;
  case ATTN_DTYPE_F16:
    return 2;
  case ATTN_DTYPE_BF16:
    return 2;
  case ATTN_DTYPE_F64:
    return 8;
  case ATTN_DTYPE_I8:
    return 1;
  case ATTN_DTYPE_I32:
    return 4;
  case ATTN_DTYPE_INVALID:
    return 0;
  }
  return 0;
}

const char *attn_dtype_name(attn_dtype_t dtype) {
  return attn_dtype_name_inline(dtype);
}

attn_status_t attn_tensor_init_contiguous(attn_tensor_t *tensor, void *data,
                                          attn_dtype_t dtype, int32_t rank,
                                          const int64_t *sizes) {
  if (!tensor || (rank > 0 && !sizes))
    return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                            "attn_tensor_init_contiguous: NULL argument");
  if (rank < 0 || rank > ATTN_MAX_RANK)
    return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                            "attn_tensor_init_contiguous: rank %d is outside "
                            "[0, %d]",
                            (int)rank, ATTN_MAX_RANK);
  memset(tensor, 0, sizeof(*tensor));
  tensor->data = data;
  tensor->dtype = dtype;
  tensor->rank = rank;
  int64_t stride = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    if (sizes[i] < 0)
      return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                              "attn_tensor_init_contiguous: size %lld of "
                              "dimension %d is negative",
                              (long long)sizes[i], (int)i);
    tensor->sizes[i] = sizes[i];
    tensor->strides[i] = stride;
    stride *= sizes[i] > 0 ? sizes[i] : 1;
  }
  return NULL;
}

int64_t attn_tensor_element_count(const attn_tensor_t *tensor) {
  int64_t n = 1;
  for (int32_t i = 0; i < tensor->rank; ++i)
    n *= tensor->sizes[i];
  return n;
}
