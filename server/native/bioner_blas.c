// A Node-API addon that hands matrix products to the system's BLAS (OpenBLAS on Debian: libopenblas-dev).
// The wasm backend's own matMul (XNNPACK, one thread) reaches ~17-41 GFLOP/s here; OpenBLAS's sgemm uses AVX2/FMA
// kernels. The operands are Float32Arrays, in practice views of the tfjs wasm heap, so nothing is copied: the
// product is written straight into the output tensor's memory.
//
//   sgemm(transA, transB, M, N, K, A, B, C, batch, strideA, strideB, strideC, beta)
//     for i in [0, batch): C_i = op(A_i) op(B_i) + beta C_i, row-major, C_i [M, N], op(A_i) [M, K], op(B_i) [K, N];
//     X_i starts strideX floats after X_0 (a stride of 0 broadcasts one matrix over the batch).
//   lstmSequence(xw, u, proj, mask, T, B, reverse, cellClip, projClip, out, saved)
//     a whole LSTM direction, as server/src/engine/lstmSequenceKernel.ts (which documents the shapes) computes it
//     in JS around the backend's matMul and Sigmoid: here the cell's element-wise maths runs in C too. For
//     training (server/src/engine/lstmTrainingKernel.ts) it also fills `saved` with the gates and states, and
//   lstmTrainBackward(..., saved, dOut, dxw, du, dproj) is backpropagation through time.
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

/** One LSTM direction over a time-major batch (see server/src/engine/lstmSequenceKernel.ts for the shapes). */
typedef struct {
  float *xw, *u, *proj, *mask; // xw [T*B, 4H] gates i | f | o | g; u [R, 4H]; proj [H, R] or NULL; mask [T*B] or NULL
  int64_t steps;
  int B, H, G, R;
  bool reverse;
  float cell_clip, proj_clip; // 0 = none
} Sequence;

/** Floats saved per row (t*B + b) by the training forward for the backward pass:
 *  gates (4H, activated) | cell before its clip (H) | cell before the step (H) | o * tanh(c) (H) |
 *  state before the step (R) | projection before its clip (R, with a projection). */
enum { SAVED_CELL_RAW = 4, SAVED_CELL_PREV = 5, SAVED_HIDDEN = 6, SAVED_STATE_PREV = 7 };
static int64_t saved_width(const Sequence *q) { return 7 * (int64_t)q->H + q->R + (q->proj ? q->R : 0); }
static int is_padding(const Sequence *q, int64_t row) { return q->mask && q->mask[row] == 0; }

/** Reads (xw, u, proj, mask, T, B, reverse, cellClip, projClip) from argv[first...] and checks every length. */
static int read_sequence(napi_env env, napi_value *argv, Sequence *q) {
  size_t len_xw = 0, len_u = 0, len_proj = 0, len_mask = 0;
  napi_valuetype proj_type, mask_type;
  memset(q, 0, sizeof *q);
  if (napi_typeof(env, argv[2], &proj_type) != napi_ok || napi_typeof(env, argv[3], &mask_type) != napi_ok) return 0;
  int ok = float_array(env, argv[0], &q->xw, &len_xw) && float_array(env, argv[1], &q->u, &len_u);
  if (proj_type != napi_null && !float_array(env, argv[2], &q->proj, &len_proj)) ok = 0;
  if (mask_type != napi_null && !float_array(env, argv[3], &q->mask, &len_mask)) ok = 0;
  int64_t steps = int_arg(env, argv[4], &ok), batch = int_arg(env, argv[5], &ok);
  double cell_clip = 0, proj_clip = 0;
  if (napi_get_value_bool(env, argv[6], &q->reverse) != napi_ok || napi_get_value_double(env, argv[7], &cell_clip) != napi_ok ||
      napi_get_value_double(env, argv[8], &proj_clip) != napi_ok)
    ok = 0;
  if (!ok || steps < 1 || batch < 1) {
    napi_throw_type_error(env, NULL, "lstm: bad arguments (Float32Arrays or null, T >= 1, B >= 1, a boolean, numbers)");
    return 0;
  }
  const int64_t rows = steps * batch, gates = len_xw / rows, hidden = gates / 4;
  const int64_t width = q->proj ? (hidden ? (int64_t)len_proj / hidden : 0) : hidden;
  if (len_xw != (size_t)(rows * gates) || gates != 4 * hidden || hidden == 0 || width == 0 || len_u != (size_t)(width * gates) ||
      (q->proj && len_proj != (size_t)(hidden * width)) || (q->mask && len_mask != (size_t)rows)) {
    napi_throw_range_error(env, NULL, "lstm: the arrays' lengths do not fit T, B and the weights");
    return 0;
  }
  q->steps = steps, q->B = (int)batch, q->H = (int)hidden, q->G = (int)gates, q->R = (int)width;
  q->cell_clip = (float)cell_clip, q->proj_clip = (float)proj_clip;
  return 1;
}

static int check_length(napi_env env, size_t length, int64_t wanted, const char *what) {
  if (length == (size_t)wanted) return 1;
  char message[160];
  snprintf(message, sizeof message, "lstm: %s has %zu floats, %lld expected", what, length, (long long)wanted);
  napi_throw_range_error(env, NULL, message);
  return 0;
}

/** The forward pass: out [T*B, R] (zero at padding); with `saved` [T*B, saved_width], what the backward needs.
 *  Returns 0 when out of memory. */
static int sequence_forward(const Sequence *q, float *out, float *saved) {
  const int B = q->B, H = q->H, G = q->G, R = q->R;
  const int64_t S = saved_width(q);
  float *pre = malloc(sizeof(float) * B * G);       // h U + x W + b, then the activated gates
  float *h = calloc((size_t)B * R, sizeof(float));   // the state: the left operand of the next step's product
  float *c = calloc((size_t)B * H, sizeof(float));
  float *c_raw = malloc(sizeof(float) * B * H);     // the new cell before its clip
  float *h_new = malloc(sizeof(float) * B * H);     // o * tanh(c') before the projection
  float *projected = q->proj ? malloc(sizeof(float) * B * R) : NULL;
  int ok = pre && h && c && c_raw && h_new && (!q->proj || projected);
  for (int64_t k = 0; ok && k < q->steps; k++) {
    const int64_t t = q->reverse ? q->steps - 1 - k : k;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, G, R, 1.0f, h, R, q->u, G, 0.0f, pre, G);
    for (int b = 0; b < B; b++) {
      float *p = pre + (int64_t)b * G;
      const float *x = q->xw + (t * B + b) * G;
      // Simple loops, so that the compiler vectorises them (expf from libmvec); tanh(x) = 2 sigmoid(2x) - 1.
      for (int j = 0; j < 3 * H; j++) p[j] = sigmoidf(p[j] + x[j]);
      for (int j = 3 * H; j < G; j++) p[j] = 2.0f * sigmoidf(2.0f * (p[j] + x[j])) - 1.0f;
      float *cr = c_raw + (int64_t)b * H, *hn = h_new + (int64_t)b * H;
      const float *cb = c + (int64_t)b * H;
      for (int j = 0; j < H; j++) cr[j] = p[H + j] * cb[j] + p[j] * p[3 * H + j];
      for (int j = 0; j < H; j++) hn[j] = p[2 * H + j] * (2.0f * sigmoidf(2.0f * clipf(cr[j], q->cell_clip)) - 1.0f);
      if (saved) {
        float *sv = saved + (t * B + b) * S;
        memcpy(sv, p, sizeof(float) * G);
        memcpy(sv + SAVED_CELL_RAW * H, cr, sizeof(float) * H);
        memcpy(sv + SAVED_CELL_PREV * H, cb, sizeof(float) * H);
        memcpy(sv + SAVED_HIDDEN * H, hn, sizeof(float) * H);
        memcpy(sv + SAVED_STATE_PREV * H, h + (int64_t)b * R, sizeof(float) * R);
      }
    }
    float *result = h_new;
    if (q->proj) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, R, H, 1.0f, h_new, H, q->proj, R, 0.0f, projected, R);
      if (saved)
        for (int b = 0; b < B; b++) memcpy(saved + (t * B + b) * S + SAVED_STATE_PREV * H + R, projected + (int64_t)b * R, sizeof(float) * R);
      for (int64_t n = 0; n < (int64_t)B * R; n++) projected[n] = clipf(projected[n], q->proj_clip);
      result = projected;
    }
    for (int b = 0; b < B; b++) {
      float *o = out + (t * B + b) * R;
      if (is_padding(q, t * B + b)) { // the state is carried over, the output is zero
        memset(o, 0, sizeof(float) * R);
        continue;
      }
      memcpy(h + (int64_t)b * R, result + (int64_t)b * R, sizeof(float) * R);
      memcpy(o, result + (int64_t)b * R, sizeof(float) * R);
      float *cb = c + (int64_t)b * H;
      const float *cr = c_raw + (int64_t)b * H;
      for (int j = 0; j < H; j++) cb[j] = clipf(cr[j], q->cell_clip);
    }
  }
  free(pre), free(h), free(c), free(c_raw), free(h_new), free(projected);
  return ok;
}

// lstmSequence(xw, u, proj, mask, T, B, reverse, cellClip, projClip, out, saved): the forward pass; `saved` is null
// for inference, or the buffer [T*B, saved width] that training's backward pass reads.
static napi_value lstm_sequence(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Sequence q;
  float *out = NULL, *saved = NULL;
  size_t len_out = 0, len_saved = 0;
  if (argc != 11) {
    napi_throw_type_error(env, NULL, "lstmSequence: expected 11 arguments");
    return NULL;
  }
  if (!read_sequence(env, argv, &q)) return NULL;
  napi_valuetype saved_type;
  CHECK(napi_typeof(env, argv[10], &saved_type));
  if (!float_array(env, argv[9], &out, &len_out) || (saved_type != napi_null && !float_array(env, argv[10], &saved, &len_saved))) {
    napi_throw_type_error(env, NULL, "lstmSequence: out must be a Float32Array, saved one or null");
    return NULL;
  }
  const int64_t rows = q.steps * q.B;
  if (!check_length(env, len_out, rows * q.R, "out") || (saved && !check_length(env, len_saved, rows * saved_width(&q), "saved"))) return NULL;
  if (!sequence_forward(&q, out, saved)) napi_throw_error(env, NULL, "lstmSequence: out of memory");
  return NULL;
}

// lstmTrainBackward(xw, u, proj, mask, T, B, reverse, cellClip, projClip, saved, dOut, dxw, du, dproj): back-
// propagation through time. xw is only read for its shape. dxw [T*B, 4H], du [R, 4H], dproj [H, R] (or null) are
// written (not accumulated).
static napi_value lstm_train_backward(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Sequence q;
  float *saved = NULL, *d_out = NULL, *d_xw = NULL, *d_u = NULL, *d_proj = NULL;
  size_t len_saved = 0, len_d_out = 0, len_d_xw = 0, len_d_u = 0, len_d_proj = 0;
  if (argc != 14) {
    napi_throw_type_error(env, NULL, "lstmTrainBackward: expected 14 arguments");
    return NULL;
  }
  if (!read_sequence(env, argv, &q)) return NULL;
  napi_valuetype d_proj_type;
  CHECK(napi_typeof(env, argv[13], &d_proj_type));
  if (!float_array(env, argv[9], &saved, &len_saved) || !float_array(env, argv[10], &d_out, &len_d_out) ||
      !float_array(env, argv[11], &d_xw, &len_d_xw) || !float_array(env, argv[12], &d_u, &len_d_u) ||
      (q.proj && !float_array(env, argv[13], &d_proj, &len_d_proj)) || (!q.proj && d_proj_type != napi_null)) {
    napi_throw_type_error(env, NULL, "lstmTrainBackward: saved, dOut, dxw, du (and dproj with a projection) must be Float32Arrays");
    return NULL;
  }
  const int B = q.B, H = q.H, G = q.G, R = q.R;
  const int64_t rows = q.steps * B, S = saved_width(&q);
  if (!check_length(env, len_saved, rows * S, "saved") || !check_length(env, len_d_out, rows * R, "dOut") ||
      !check_length(env, len_d_xw, rows * G, "dxw") || !check_length(env, len_d_u, (int64_t)R * G, "du") ||
      (q.proj && !check_length(env, len_d_proj, (int64_t)H * R, "dproj")))
    return NULL;
  float *dh = calloc((size_t)B * R, sizeof(float));  // d loss / d state, from the later steps
  float *dc = calloc((size_t)B * H, sizeof(float));  // d loss / d cell, from the later steps
  float *dr = malloc(sizeof(float) * B * R);        // d loss / d (clipped projection or h') of this step
  float *dhn = q.proj ? malloc(sizeof(float) * B * H) : NULL;
  float *dh_prev = malloc(sizeof(float) * B * R);
  float *dr_all = q.proj ? calloc((size_t)rows * R, sizeof(float)) : NULL; // for dproj = hidden^T dr
  if (!dh || !dc || !dr || (q.proj && (!dhn || !dr_all)) || !dh_prev) {
    free(dh), free(dc), free(dr), free(dhn), free(dh_prev), free(dr_all);
    napi_throw_error(env, NULL, "lstmTrainBackward: out of memory");
    return NULL;
  }
  memset(d_xw, 0, sizeof(float) * rows * G);
  for (int64_t k = 0; k < q.steps; k++) {
    const int64_t t = q.reverse ? k : q.steps - 1 - k; // the forward order, backwards
    for (int b = 0; b < B; b++) {
      const int64_t row = t * B + b;
      float *d = dr + (int64_t)b * R;
      if (is_padding(&q, row)) {
        memset(d, 0, sizeof(float) * R);
        continue;
      }
      const float *g_out = d_out + row * R, *g_state = dh + (int64_t)b * R;
      for (int j = 0; j < R; j++) d[j] = g_out[j] + g_state[j];
      if (q.proj && q.proj_clip > 0) { // the clip's gradient: 1 inside [-clip, clip] (inclusive, as tfjs), else 0
        const float *raw = saved + row * S + SAVED_STATE_PREV * H + R;
        for (int j = 0; j < R; j++) d[j] = fabsf(raw[j]) <= q.proj_clip ? d[j] : 0.0f;
      }
    }
    const float *dh_new = dr; // d loss / d (o * tanh(c)), [B, H]
    if (q.proj) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H, R, 1.0f, dr, R, q.proj, R, 0.0f, dhn, H);
      memcpy(dr_all + t * B * R, dr, sizeof(float) * B * R);
      dh_new = dhn;
    }
    for (int b = 0; b < B; b++) {
      const int64_t row = t * B + b;
      if (is_padding(&q, row)) continue; // dh and dc pass through to the earlier steps unchanged
      const float *sv = saved + row * S;
      const float *gi = sv, *gf = sv + H, *go = sv + 2 * H, *gg = sv + 3 * H;
      const float *c_raw = sv + SAVED_CELL_RAW * H, *c_prev = sv + SAVED_CELL_PREV * H;
      const float *dn = dh_new + (int64_t)b * H;
      float *dcb = dc + (int64_t)b * H, *dx = d_xw + row * G;
      for (int j = 0; j < H; j++) {
        const float cell = clipf(c_raw[j], q.cell_clip);
        const float tanh_cell = 2.0f * sigmoidf(2.0f * cell) - 1.0f;
        float d_cell = dcb[j] + dn[j] * go[j] * (1.0f - tanh_cell * tanh_cell);
        if (q.cell_clip > 0 && fabsf(c_raw[j]) > q.cell_clip) d_cell = 0.0f;
        const float d_o = dn[j] * tanh_cell;
        dx[j] = d_cell * gg[j] * gi[j] * (1.0f - gi[j]);
        dx[H + j] = d_cell * c_prev[j] * gf[j] * (1.0f - gf[j]);
        dx[2 * H + j] = d_o * go[j] * (1.0f - go[j]);
        dx[3 * H + j] = d_cell * gi[j] * (1.0f - gg[j] * gg[j]);
        dcb[j] = d_cell * gf[j];
      }
    }
    // d loss / d state before the step = d pre-activations x U^T, for the rows that are not padding.
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, R, G, 1.0f, d_xw + t * B * G, G, q.u, G, 0.0f, dh_prev, R);
    for (int b = 0; b < B; b++)
      if (!is_padding(&q, t * B + b)) memcpy(dh + (int64_t)b * R, dh_prev + (int64_t)b * R, sizeof(float) * R);
  }
  // The weights' gradients over every step at once: du = states_before^T dxw, dproj = hidden^T dr (padding rows are 0).
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, R, G, (int)rows, 1.0f, saved + SAVED_STATE_PREV * H, (int)S, d_xw, G, 0.0f, d_u, G);
  if (q.proj)
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, R, (int)rows, 1.0f, saved + SAVED_HIDDEN * H, (int)S, dr_all, R, 0.0f, d_proj, R);
  free(dh), free(dc), free(dr), free(dhn), free(dh_prev), free(dr_all);
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
      {"lstmTrainBackward", NULL, lstm_train_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"config", NULL, config, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties) != napi_ok) return NULL;
  return exports;
}
