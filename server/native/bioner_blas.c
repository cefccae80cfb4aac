// A Node-API addon that hands matrix products to the system's BLAS (OpenBLAS on Debian: libopenblas-dev).
// The wasm backend's own matMul (XNNPACK, one thread) reaches ~17-41 GFLOP/s here; OpenBLAS's sgemm uses AVX2/FMA
// kernels. The operands are Float32Arrays, in practice views of the tfjs wasm heap, so nothing is copied: the
// product is written straight into the output tensor's memory.
//
//   sgemm(transA, transB, M, N, K, A, B, C, batch, strideA, strideB, strideC, beta)
//     for i in [0, batch): C_i = op(A_i) op(B_i) + beta C_i, row-major, C_i [M, N], op(A_i) [M, K], op(B_i) [K, N];
//     X_i starts strideX floats after X_0 (a stride of 0 broadcasts one matrix over the batch).
//   lstmSequence(xw, u, proj, mask, out, T, B, reverse, cellClip, projClip)
//     a whole LSTM direction for inference, as server/src/engine/lstmSequenceKernel.ts (which documents the shapes)
//     computes it in JS around the backend's matMul and Sigmoid: here the cell's element-wise maths runs in C too.
//   setThreads(n), threads(), config()
#define NAPI_VERSION 8
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

// Built with -ffast-math (so that expf vectorises), which assumes no infinities: the argument is clamped so that
// expf never overflows (sigmoid(+-40) is 1 or 0 to float precision).
static inline float sigmoidf(float x) { return 1.0f / (1.0f + expf(-fminf(fmaxf(x, -40.0f), 40.0f))); }

static inline float clipf(float x, float limit) {
  return limit <= 0 ? x : fminf(fmaxf(x, -limit), limit);
}

// xw [T*B, 4H] (gates i | f | o | g, time-major), u [R, 4H], proj [H, R] or null, mask [T*B] or null -> out [T*B, R].
static napi_value lstm_sequence(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 10) {
    napi_throw_type_error(env, NULL, "lstmSequence: expected 10 arguments");
    return NULL;
  }
  float *xw = NULL, *u = NULL, *proj = NULL, *mask = NULL, *out = NULL;
  size_t len_xw, len_u, len_proj = 0, len_mask = 0, len_out;
  napi_valuetype proj_type, mask_type;
  CHECK(napi_typeof(env, argv[2], &proj_type));
  CHECK(napi_typeof(env, argv[3], &mask_type));
  int ok = float_array(env, argv[0], &xw, &len_xw) && float_array(env, argv[1], &u, &len_u) && float_array(env, argv[4], &out, &len_out);
  if (proj_type != napi_null && !float_array(env, argv[2], &proj, &len_proj)) ok = 0;
  if (mask_type != napi_null && !float_array(env, argv[3], &mask, &len_mask)) ok = 0;
  int64_t steps = int_arg(env, argv[5], &ok), batch = int_arg(env, argv[6], &ok);
  bool reverse = false;
  double cell_clip = 0, proj_clip = 0;
  if (napi_get_value_bool(env, argv[7], &reverse) != napi_ok || napi_get_value_double(env, argv[8], &cell_clip) != napi_ok ||
      napi_get_value_double(env, argv[9], &proj_clip) != napi_ok)
    ok = 0;
  if (!ok || steps < 0 || batch < 1) {
    napi_throw_type_error(env, NULL, "lstmSequence: bad arguments (Float32Arrays or null, integers, a boolean, numbers)");
    return NULL;
  }
  const int64_t rows = steps * batch;
  if (rows == 0) return NULL;
  const int64_t gates = len_xw / rows, hidden = gates / 4;
  const int64_t width = proj ? (hidden ? (int64_t)len_proj / hidden : 0) : hidden; // R: the output and state width
  if (len_xw != (size_t)(rows * gates) || gates != 4 * hidden || hidden == 0 || len_u != (size_t)(width * gates) ||
      (proj && len_proj != (size_t)(hidden * width)) || (mask && len_mask != (size_t)rows) || len_out != (size_t)(rows * width)) {
    napi_throw_range_error(env, NULL, "lstmSequence: the arrays' lengths do not fit T, B and the weights");
    return NULL;
  }
  const int B = (int)batch, H = (int)hidden, G = (int)gates, R = (int)width;
  float *pre = malloc(sizeof(float) * B * G);     // h U + x W + b, then the activated gates
  float *h = calloc((size_t)B * R, sizeof(float)); // the state: the left operand of the next step's product
  float *c = calloc((size_t)B * H, sizeof(float));
  float *c_new = malloc(sizeof(float) * B * H);
  float *h_new = malloc(sizeof(float) * B * H);    // o * tanh(c') before the projection
  float *projected = proj ? malloc(sizeof(float) * B * R) : NULL;
  if (!pre || !h || !c || !c_new || !h_new || (proj && !projected)) {
    free(pre), free(h), free(c), free(c_new), free(h_new), free(projected);
    napi_throw_error(env, NULL, "lstmSequence: out of memory");
    return NULL;
  }
  const float cclip = (float)cell_clip, pclip = (float)proj_clip;
  for (int64_t k = 0; k < steps; k++) {
    const int64_t t = reverse ? steps - 1 - k : k;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, G, R, 1.0f, h, R, u, G, 0.0f, pre, G);
    for (int b = 0; b < B; b++) {
      float *p = pre + (int64_t)b * G;
      const float *x = xw + (t * B + b) * G;
      // Split into simple loops so that the compiler vectorises them (expf from libmvec); tanh(x) = 2 sigmoid(2x) - 1.
      for (int j = 0; j < 3 * H; j++) p[j] = sigmoidf(p[j] + x[j]);
      for (int j = 3 * H; j < G; j++) p[j] = 2.0f * sigmoidf(2.0f * (p[j] + x[j])) - 1.0f;
      float *cn = c_new + (int64_t)b * H, *hn = h_new + (int64_t)b * H;
      const float *cb = c + (int64_t)b * H;
      for (int j = 0; j < H; j++) cn[j] = clipf(p[H + j] * cb[j] + p[j] * p[3 * H + j], cclip);
      for (int j = 0; j < H; j++) hn[j] = p[2 * H + j] * (2.0f * sigmoidf(2.0f * cn[j]) - 1.0f);
    }
    float *result = h_new;
    if (proj) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, R, H, 1.0f, h_new, H, proj, R, 0.0f, projected, R);
      if (pclip > 0)
        for (int64_t n = 0; n < (int64_t)B * R; n++) projected[n] = clipf(projected[n], pclip);
      result = projected;
    }
    for (int b = 0; b < B; b++) {
      float *o = out + (t * B + b) * R;
      if (mask && mask[t * B + b] == 0) { // padding: the state is carried over, the output is zero
        memset(o, 0, sizeof(float) * R);
        continue;
      }
      memcpy(h + (int64_t)b * R, result + (int64_t)b * R, sizeof(float) * R);
      memcpy(o, result + (int64_t)b * R, sizeof(float) * R);
      memcpy(c + (int64_t)b * H, c_new + (int64_t)b * H, sizeof(float) * H);
    }
  }
  free(pre), free(h), free(c), free(c_new), free(h_new), free(projected);
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
      {"lstmSequence", NULL, lstm_sequence, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"config", NULL, config, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties) != napi_ok) return NULL;
  return exports;
}
