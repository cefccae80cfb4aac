// A Node-API addon that hands matrix products to the system's BLAS (OpenBLAS on Debian: libopenblas-dev).
// The wasm backend's own matMul (XNNPACK, one thread) reaches ~17-41 GFLOP/s here; OpenBLAS's sgemm uses AVX2/FMA
// kernels. The operands are Float32Arrays, in practice views of the tfjs wasm heap, so nothing is copied: the
// product is written straight into the output tensor's memory.
//
//   sgemm(transA, transB, M, N, K, A, B, C, batch, strideA, strideB, strideC, beta)
//     for i in [0, batch): C_i = op(A_i) op(B_i) + beta C_i, row-major, C_i [M, N], op(A_i) [M, K], op(B_i) [K, N];
//     X_i starts strideX floats after X_0 (a stride of 0 broadcasts one matrix over the batch).
//   setThreads(n), threads(), config()
#define NAPI_VERSION 8
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>

extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "bioner_blas: a Node-API call failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static int float_array(napi_env env, napi_value value, float **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float32_array) return 0;
  *data = (float *)raw;
  return 1;
}

static int64_t int_arg(napi_env env, napi_value value, int *ok) {
  int64_t out = 0;
  if (napi_get_value_int64(env, value, &out) != napi_ok) *ok = 0;
  return out;
}

static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) {
    napi_throw_type_error(env, NULL, "sgemm: expected 13 arguments");
    return NULL;
  }
  bool trans_a = false, trans_b = false;
  CHECK(napi_get_value_bool(env, argv[0], &trans_a));
  CHECK(napi_get_value_bool(env, argv[1], &trans_b));
  int ok = 1;
  int64_t m = int_arg(env, argv[2], &ok), n = int_arg(env, argv[3], &ok), k = int_arg(env, argv[4], &ok);
  int64_t batch = int_arg(env, argv[8], &ok);
  int64_t stride_a = int_arg(env, argv[9], &ok), stride_b = int_arg(env, argv[10], &ok), stride_c = int_arg(env, argv[11], &ok);
  double beta = 0;
  if (napi_get_value_double(env, argv[12], &beta) != napi_ok) ok = 0;
  float *a, *b, *c;
  size_t len_a, len_b, len_c;
  if (!ok || !float_array(env, argv[5], &a, &len_a) || !float_array(env, argv[6], &b, &len_b) || !float_array(env, argv[7], &c, &len_c)) {
    napi_throw_type_error(env, NULL, "sgemm: bad argument types (booleans, integers and Float32Arrays expected)");
    return NULL;
  }
  if (m < 0 || n < 0 || k < 0 || batch < 1 || stride_a < 0 || stride_b < 0 || stride_c < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    napi_throw_range_error(env, NULL, "sgemm: bad sizes");
    return NULL;
  }
  // Every matrix must lie inside its array: a bad call must throw, not write over the heap.
  if ((uint64_t)(batch - 1) * stride_a + (uint64_t)(m * k) > len_a || (uint64_t)(batch - 1) * stride_b + (uint64_t)(k * n) > len_b ||
      (uint64_t)(batch - 1) * stride_c + (uint64_t)(m * n) > len_c || (stride_c < m * n && batch > 1)) {
    napi_throw_range_error(env, NULL, "sgemm: a matrix does not fit in its array");
    return NULL;
  }
  const int lda = trans_a ? (int)m : (int)k;
  const int ldb = trans_b ? (int)k : (int)n;
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f,
                a + i * stride_a, lda, b + i * stride_b, ldb, (float)beta, c + i * stride_c, (int)n);
  }
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = 1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, NULL, "setThreads: a positive integer expected");
    return NULL;
  }
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value threads(napi_env env, napi_callback_info info) {
  napi_value out;
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value config(napi_env env, napi_callback_info info) {
  napi_value out;
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out));
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"config", NULL, config, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties) != napi_ok) return NULL;
  return exports;
}
