// Tensor operations: arithmetic, comparison, math, reductions, shape and indexing.
#include "shim.h"

// ---- arithmetic -------------------------------------------------------------------------

ETS_EXPORT TH ets_add(TH a, TH b, EtsScalar alpha) {
    ETS_TRY return ets_wrap(at::add(*a, *b, ets_scalar(alpha)));
    ETS_CATCH("add", nullptr)
}
ETS_EXPORT TH ets_add_scalar(TH a, EtsScalar b, EtsScalar alpha) {
    ETS_TRY return ets_wrap(at::add(*a, ets_scalar(b), ets_scalar(alpha)));
    ETS_CATCH("add", nullptr)
}
ETS_EXPORT int32_t ets_add_(TH a, TH b, EtsScalar alpha) {
    ETS_TRY a->add_(*b, ets_scalar(alpha));
    return 0;
    ETS_CATCH("add_", -1)
}
ETS_EXPORT int32_t ets_add_scalar_(TH a, EtsScalar b, EtsScalar alpha) {
    ETS_TRY a->add_(ets_scalar(b), ets_scalar(alpha));
    return 0;
    ETS_CATCH("add_", -1)
}
ETS_EXPORT TH ets_sub(TH a, TH b, EtsScalar alpha) {
    ETS_TRY return ets_wrap(at::sub(*a, *b, ets_scalar(alpha)));
    ETS_CATCH("sub", nullptr)
}
ETS_EXPORT TH ets_sub_scalar(TH a, EtsScalar b, EtsScalar alpha) {
    ETS_TRY return ets_wrap(at::sub(*a, ets_scalar(b), ets_scalar(alpha)));
    ETS_CATCH("sub", nullptr)
}
ETS_EXPORT TH ets_rsub_scalar(TH a, EtsScalar b) {
    ETS_TRY return ets_wrap(at::rsub(*a, ets_scalar(b)));
    ETS_CATCH("sub", nullptr)
}
ETS_EXPORT int32_t ets_sub_(TH a, TH b, EtsScalar alpha) {
    ETS_TRY a->sub_(*b, ets_scalar(alpha));
    return 0;
    ETS_CATCH("sub_", -1)
}
ETS_EXPORT int32_t ets_sub_scalar_(TH a, EtsScalar b, EtsScalar alpha) {
    ETS_TRY a->sub_(ets_scalar(b), ets_scalar(alpha));
    return 0;
    ETS_CATCH("sub_", -1)
}

ETS_BINARY(mul, at::mul(*a, *b))
ETS_BINARY_SCALAR(mul_scalar, at::mul(*a, b))
ETS_BINARY_INPLACE(mul_, a->mul_(*b))
ETS_BINARY_SCALAR_INPLACE(mul_scalar_, a->mul_(b))

static c10::optional<c10::string_view> ets_rounding(int32_t mode) {
    if (mode == 1) return c10::string_view("trunc");
    if (mode == 2) return c10::string_view("floor");
    return c10::nullopt;
}

ETS_EXPORT TH ets_div(TH a, TH b, int32_t rounding) {
    ETS_TRY return ets_wrap(at::div(*a, *b, ets_rounding(rounding)));
    ETS_CATCH("div", nullptr)
}
ETS_EXPORT TH ets_div_scalar(TH a, EtsScalar b, int32_t rounding) {
    ETS_TRY return ets_wrap(at::div(*a, ets_scalar(b), ets_rounding(rounding)));
    ETS_CATCH("div", nullptr)
}
ETS_EXPORT TH ets_rdiv_scalar(TH a, EtsScalar b) {
    ETS_TRY c10::Scalar s = ets_scalar(b);
    at::Tensor numerator = at::scalar_tensor(s, a->options().dtype(at::result_type(*a, s)));
    return ets_wrap(at::div(numerator, *a));
    ETS_CATCH("div", nullptr)
}
ETS_EXPORT int32_t ets_div_(TH a, TH b, int32_t rounding) {
    ETS_TRY a->div_(*b, ets_rounding(rounding));
    return 0;
    ETS_CATCH("div_", -1)
}
ETS_EXPORT int32_t ets_div_scalar_(TH a, EtsScalar b, int32_t rounding) {
    ETS_TRY a->div_(ets_scalar(b), ets_rounding(rounding));
    return 0;
    ETS_CATCH("div_", -1)
}

ETS_BINARY(remainder, at::remainder(*a, *b))
ETS_BINARY_SCALAR(remainder_scalar, at::remainder(*a, b))
ETS_BINARY(pow, at::pow(*a, *b))
ETS_BINARY_SCALAR(pow_scalar, at::pow(*a, b))
ETS_BINARY_SCALAR(rpow_scalar, at::pow(b, *a))
ETS_BINARY_SCALAR_INPLACE(pow_scalar_, a->pow_(b))
ETS_BINARY(maximum, at::maximum(*a, *b))
ETS_BINARY(minimum, at::minimum(*a, *b))
ETS_BINARY(atan2, at::atan2(*a, *b))
ETS_BINARY(bitwise_and, at::bitwise_and(*a, *b))
ETS_BINARY(bitwise_or, at::bitwise_or(*a, *b))
ETS_BINARY(bitwise_xor, at::bitwise_xor(*a, *b))
ETS_UNARY(bitwise_not, at::bitwise_not(*a))
ETS_BINARY(logical_and, at::logical_and(*a, *b))
ETS_BINARY(logical_or, at::logical_or(*a, *b))
ETS_UNARY(logical_not, at::logical_not(*a))

ETS_BINARY_INPLACE(copy_, a->copy_(*b))
ETS_UNARY_INPLACE(zero_, a->zero_())
ETS_BINARY_SCALAR_INPLACE(fill_, a->fill_(b))

// A 0-dim weight of another dtype or device (TorchSharp's `p.lerp_(q, 0.01)` goes through the
// implicit double -> float64 0-dim tensor conversion) is converted to the input's dtype and device,
// as PyTorch does for a Python number; libtorch itself rejects the dtype mismatch.
static at::Tensor ets_lerp_weight(const at::Tensor& self, const at::Tensor& weight) {
    if (weight.dim() == 0 && (weight.scalar_type() != self.scalar_type() || weight.device() != self.device()))
        return weight.to(self.device(), self.scalar_type());
    return weight;
}
ETS_EXPORT int32_t ets_lerp_(TH a, TH end, TH weight) {
    ETS_TRY a->lerp_(*end, ets_lerp_weight(*a, *weight));
    return 0;
    ETS_CATCH("lerp_", -1)
}
ETS_EXPORT TH ets_lerp(TH a, TH end, TH weight) {
    ETS_TRY return ets_wrap(at::lerp(*a, *end, ets_lerp_weight(*a, *weight)));
    ETS_CATCH("lerp", nullptr)
}
ETS_EXPORT int32_t ets_lerp_scalar_(TH a, TH end, double weight) {
    ETS_TRY a->lerp_(*end, weight);
    return 0;
    ETS_CATCH("lerp_", -1)
}

ETS_EXPORT int32_t ets_addcmul_(TH a, TH t1, TH t2, EtsScalar value) {
    ETS_TRY a->addcmul_(*t1, *t2, ets_scalar(value));
    return 0;
    ETS_CATCH("addcmul_", -1)
}
ETS_EXPORT int32_t ets_addcdiv_(TH a, TH t1, TH t2, EtsScalar value) {
    ETS_TRY a->addcdiv_(*t1, *t2, ets_scalar(value));
    return 0;
    ETS_CATCH("addcdiv_", -1)
}

// has_min / has_max select which bounds apply.
ETS_EXPORT TH ets_clamp(TH a, int32_t has_min, EtsScalar min, int32_t has_max, EtsScalar max) {
    ETS_TRY c10::optional<c10::Scalar> lo, hi;
    if (has_min) lo = ets_scalar(min);
    if (has_max) hi = ets_scalar(max);
    return ets_wrap(at::clamp(*a, lo, hi));
    ETS_CATCH("clamp", nullptr)
}
ETS_EXPORT int32_t ets_clamp_(TH a, int32_t has_min, EtsScalar min, int32_t has_max, EtsScalar max) {
    ETS_TRY c10::optional<c10::Scalar> lo, hi;
    if (has_min) lo = ets_scalar(min);
    if (has_max) hi = ets_scalar(max);
    at::clamp_(*a, lo, hi);
    return 0;
    ETS_CATCH("clamp_", -1)
}
ETS_EXPORT TH ets_clamp_tensor(TH a, TH min, TH max) {
    ETS_TRY c10::optional<at::Tensor> lo, hi;
    if (min) lo = *min;
    if (max) hi = *max;
    return ets_wrap(at::clamp(*a, lo, hi));
    ETS_CATCH("clamp", nullptr)
}
ETS_EXPORT int32_t ets_clamp_tensor_(TH a, TH min, TH max) {
    ETS_TRY c10::optional<at::Tensor> lo, hi;
    if (min) lo = *min;
    if (max) hi = *max;
    at::clamp_(*a, lo, hi);
    return 0;
    ETS_CATCH("clamp_", -1)
}

ETS_EXPORT TH ets_where(TH cond, TH a, TH b) {
    ETS_TRY return ets_wrap(at::where(*cond, *a, *b));
    ETS_CATCH("where", nullptr)
}

ETS_EXPORT TH ets_nan_to_num(TH a, double nan, int32_t has_pos, double posinf, int32_t has_neg, double neginf) {
    ETS_TRY c10::optional<double> p, n;
    if (has_pos) p = posinf;
    if (has_neg) n = neginf;
    return ets_wrap(at::nan_to_num(*a, nan, p, n));
    ETS_CATCH("nan_to_num", nullptr)
}

// ---- comparison -------------------------------------------------------------------------

ETS_BINARY(eq, at::eq(*a, *b))
ETS_BINARY(ne, at::ne(*a, *b))
ETS_BINARY(lt, at::lt(*a, *b))
ETS_BINARY(le, at::le(*a, *b))
ETS_BINARY(gt, at::gt(*a, *b))
ETS_BINARY(ge, at::ge(*a, *b))
ETS_BINARY_SCALAR(eq_scalar, at::eq(*a, b))
ETS_BINARY_SCALAR(ne_scalar, at::ne(*a, b))
ETS_BINARY_SCALAR(lt_scalar, at::lt(*a, b))
ETS_BINARY_SCALAR(le_scalar, at::le(*a, b))
ETS_BINARY_SCALAR(gt_scalar, at::gt(*a, b))
ETS_BINARY_SCALAR(ge_scalar, at::ge(*a, b))

ETS_EXPORT int32_t ets_equal(TH a, TH b) {
    ETS_TRY return at::equal(*a, *b) ? 1 : 0;
    ETS_CATCH("equal", -1)
}
ETS_EXPORT int32_t ets_allclose(TH a, TH b, double rtol, double atol, int32_t equal_nan) {
    ETS_TRY return at::allclose(*a, *b, rtol, atol, equal_nan != 0) ? 1 : 0;
    ETS_CATCH("allclose", -1)
}

// ---- unary math -------------------------------------------------------------------------

ETS_UNARY(neg, at::neg(*a))
ETS_UNARY(abs, at::abs(*a))
ETS_UNARY(exp, at::exp(*a))
ETS_UNARY(log, at::log(*a))
ETS_UNARY(log1p, at::log1p(*a))
ETS_UNARY(expm1, at::expm1(*a))
ETS_UNARY(sqrt, at::sqrt(*a))
ETS_UNARY(rsqrt, at::rsqrt(*a))
ETS_UNARY(square, at::square(*a))
ETS_UNARY(sin, at::sin(*a))
ETS_UNARY(cos, at::cos(*a))
ETS_UNARY(tan, at::tan(*a))
ETS_UNARY(tanh, at::tanh(*a))
ETS_UNARY(sigmoid, at::sigmoid(*a))
ETS_UNARY(relu, at::relu(*a))
ETS_UNARY(sign, at::sign(*a))
ETS_UNARY(floor, at::floor(*a))
ETS_UNARY(ceil, at::ceil(*a))
ETS_UNARY(trunc, at::trunc(*a))
ETS_UNARY(reciprocal, at::reciprocal(*a))
ETS_UNARY(erf, at::erf(*a))
ETS_UNARY(isnan, at::isnan(*a))
ETS_UNARY(isinf, at::isinf(*a))
ETS_UNARY(isfinite, at::isfinite(*a))
ETS_UNARY_INPLACE(neg_, a->neg_())
ETS_UNARY_INPLACE(exp_, a->exp_())
ETS_UNARY_INPLACE(log_, a->log_())
ETS_UNARY_INPLACE(sqrt_, a->sqrt_())
ETS_UNARY_INPLACE(abs_, a->abs_())
ETS_UNARY_INPLACE(relu_, a->relu_())
ETS_UNARY_INPLACE(sigmoid_, a->sigmoid_())
ETS_UNARY_INPLACE(tanh_, a->tanh_())

ETS_EXPORT TH ets_round(TH a, int64_t decimals) {
    ETS_TRY return ets_wrap(decimals == 0 ? at::round(*a) : at::round(*a, decimals));
    ETS_CATCH("round", nullptr)
}

ETS_EXPORT TH ets_softmax(TH a, int64_t dim, int32_t dtype) {
    ETS_TRY return ets_wrap(at::softmax(*a, dim, ets_opt_dtype(dtype)));
    ETS_CATCH("softmax", nullptr)
}
ETS_EXPORT TH ets_log_softmax(TH a, int64_t dim, int32_t dtype) {
    ETS_TRY return ets_wrap(at::log_softmax(*a, dim, ets_opt_dtype(dtype)));
    ETS_CATCH("log_softmax", nullptr)
}
ETS_EXPORT TH ets_cumsum(TH a, int64_t dim, int32_t dtype) {
    ETS_TRY return ets_wrap(at::cumsum(*a, dim, ets_opt_dtype(dtype)));
    ETS_CATCH("cumsum", nullptr)
}
ETS_EXPORT TH ets_logsumexp(TH a, int64_t dim, int32_t keepdim) {
    ETS_TRY return ets_wrap(at::logsumexp(*a, {dim}, keepdim != 0));
    ETS_CATCH("logsumexp", nullptr)
}

// ---- linear algebra ---------------------------------------------------------------------

ETS_BINARY(matmul, at::matmul(*a, *b))
ETS_BINARY(mm, at::mm(*a, *b))
ETS_BINARY(bmm, at::bmm(*a, *b))
ETS_BINARY(outer, at::outer(*a, *b))

ETS_EXPORT TH ets_einsum(const char* equation, const TH* tensors, int32_t n) {
    ETS_TRY return ets_wrap(at::einsum(equation, ets_tensor_list(tensors, n)));
    ETS_CATCH("einsum", nullptr)
}

// ---- reductions -------------------------------------------------------------------------

ETS_EXPORT TH ets_sum(TH a, int32_t dtype) {
    ETS_TRY return ets_wrap(at::sum(*a, ets_opt_dtype(dtype)));
    ETS_CATCH("sum", nullptr)
}
ETS_EXPORT TH ets_sum_dims(TH a, const int64_t* dims, int32_t n, int32_t keepdim, int32_t dtype) {
    ETS_TRY return ets_wrap(at::sum(*a, at::IntArrayRef(dims, n), keepdim != 0, ets_opt_dtype(dtype)));
    ETS_CATCH("sum", nullptr)
}
ETS_EXPORT TH ets_mean(TH a, int32_t dtype) {
    ETS_TRY return ets_wrap(at::mean(*a, ets_opt_dtype(dtype)));
    ETS_CATCH("mean", nullptr)
}
ETS_EXPORT TH ets_mean_dims(TH a, const int64_t* dims, int32_t n, int32_t keepdim, int32_t dtype) {
    ETS_TRY return ets_wrap(at::mean(*a, at::IntArrayRef(dims, n), keepdim != 0, ets_opt_dtype(dtype)));
    ETS_CATCH("mean", nullptr)
}
ETS_EXPORT TH ets_prod(TH a, int32_t dtype) {
    ETS_TRY return ets_wrap(at::prod(*a, ets_opt_dtype(dtype)));
    ETS_CATCH("prod", nullptr)
}
ETS_EXPORT TH ets_prod_dim(TH a, int64_t dim, int32_t keepdim, int32_t dtype) {
    ETS_TRY return ets_wrap(at::prod(*a, dim, keepdim != 0, ets_opt_dtype(dtype)));
    ETS_CATCH("prod", nullptr)
}
ETS_UNARY(max_all, at::max(*a))
ETS_UNARY(min_all, at::min(*a))
ETS_UNARY(argmax_all, at::argmax(*a))
ETS_UNARY(argmin_all, at::argmin(*a))
ETS_UNARY(all_all, at::all(*a))
ETS_UNARY(any_all, at::any(*a))

ETS_EXPORT int32_t ets_max_dim(TH a, int64_t dim, int32_t keepdim, TH* values, TH* indices) {
    ETS_TRY auto r = at::max(*a, dim, keepdim != 0);
    *values = ets_wrap(std::get<0>(r));
    *indices = ets_wrap(std::get<1>(r));
    return 0;
    ETS_CATCH("max", -1)
}
ETS_EXPORT int32_t ets_min_dim(TH a, int64_t dim, int32_t keepdim, TH* values, TH* indices) {
    ETS_TRY auto r = at::min(*a, dim, keepdim != 0);
    *values = ets_wrap(std::get<0>(r));
    *indices = ets_wrap(std::get<1>(r));
    return 0;
    ETS_CATCH("min", -1)
}
ETS_EXPORT TH ets_argmax_dim(TH a, int64_t dim, int32_t keepdim) {
    ETS_TRY return ets_wrap(at::argmax(*a, dim, keepdim != 0));
    ETS_CATCH("argmax", nullptr)
}
ETS_EXPORT TH ets_argmin_dim(TH a, int64_t dim, int32_t keepdim) {
    ETS_TRY return ets_wrap(at::argmin(*a, dim, keepdim != 0));
    ETS_CATCH("argmin", nullptr)
}
ETS_EXPORT TH ets_all_dim(TH a, int64_t dim, int32_t keepdim) {
    ETS_TRY return ets_wrap(at::all(*a, dim, keepdim != 0));
    ETS_CATCH("all", nullptr)
}
ETS_EXPORT TH ets_any_dim(TH a, int64_t dim, int32_t keepdim) {
    ETS_TRY return ets_wrap(at::any(*a, dim, keepdim != 0));
    ETS_CATCH("any", nullptr)
}
ETS_EXPORT TH ets_norm(TH a, double p) {
    ETS_TRY return ets_wrap(at::norm(*a, p));
    ETS_CATCH("norm", nullptr)
}
ETS_EXPORT TH ets_norm_dim(TH a, int64_t dim, int32_t keepdim, double p) {
    ETS_TRY return ets_wrap(at::norm(*a, p, {dim}, keepdim != 0));
    ETS_CATCH("norm", nullptr)
}
ETS_EXPORT TH ets_var(TH a, const int64_t* dims, int32_t n, int32_t unbiased, int32_t keepdim, int32_t all) {
    ETS_TRY if (all) return ets_wrap(at::var(*a, unbiased != 0));
    return ets_wrap(at::var(*a, at::IntArrayRef(dims, n), unbiased != 0, keepdim != 0));
    ETS_CATCH("var", nullptr)
}
ETS_EXPORT TH ets_std(TH a, const int64_t* dims, int32_t n, int32_t unbiased, int32_t keepdim, int32_t all) {
    ETS_TRY if (all) return ets_wrap(at::std(*a, unbiased != 0));
    return ets_wrap(at::std(*a, at::IntArrayRef(dims, n), unbiased != 0, keepdim != 0));
    ETS_CATCH("std", nullptr)
}
ETS_EXPORT int32_t ets_topk(TH a, int64_t k, int64_t dim, int32_t largest, int32_t sorted, TH* values, TH* indices) {
    ETS_TRY auto r = at::topk(*a, k, dim, largest != 0, sorted != 0);
    *values = ets_wrap(std::get<0>(r));
    *indices = ets_wrap(std::get<1>(r));
    return 0;
    ETS_CATCH("topk", -1)
}
ETS_EXPORT int32_t ets_sort(TH a, int64_t dim, int32_t descending, int32_t stable, TH* values, TH* indices) {
    ETS_TRY auto r = at::sort(*a, stable != 0, dim, descending != 0);
    *values = ets_wrap(std::get<0>(r));
    *indices = ets_wrap(std::get<1>(r));
    return 0;
    ETS_CATCH("sort", -1)
}
ETS_EXPORT TH ets_argsort(TH a, int64_t dim, int32_t descending) {
    ETS_TRY return ets_wrap(at::argsort(*a, dim, descending != 0));
    ETS_CATCH("argsort", nullptr)
}

// ---- shape ------------------------------------------------------------------------------

ETS_EXPORT TH ets_reshape(TH a, const int64_t* shape, int32_t n) {
    ETS_TRY return ets_wrap(at::reshape(*a, at::IntArrayRef(shape, n)));
    ETS_CATCH("reshape", nullptr)
}
ETS_EXPORT TH ets_view(TH a, const int64_t* shape, int32_t n) {
    ETS_TRY return ets_wrap(a->view(at::IntArrayRef(shape, n)));
    ETS_CATCH("view", nullptr)
}
ETS_EXPORT TH ets_flatten(TH a, int64_t start, int64_t end) {
    ETS_TRY return ets_wrap(at::flatten(*a, start, end));
    ETS_CATCH("flatten", nullptr)
}
ETS_EXPORT TH ets_permute(TH a, const int64_t* dims, int32_t n) {
    ETS_TRY return ets_wrap(a->permute(at::IntArrayRef(dims, n)));
    ETS_CATCH("permute", nullptr)
}
ETS_EXPORT TH ets_transpose(TH a, int64_t d0, int64_t d1) {
    ETS_TRY return ets_wrap(at::transpose(*a, d0, d1));
    ETS_CATCH("transpose", nullptr)
}
ETS_UNARY(t, a->t())
ETS_EXPORT TH ets_squeeze(TH a, int32_t has_dim, int64_t dim) {
    ETS_TRY return ets_wrap(has_dim ? at::squeeze(*a, dim) : at::squeeze(*a));
    ETS_CATCH("squeeze", nullptr)
}
ETS_EXPORT TH ets_unsqueeze(TH a, int64_t dim) {
    ETS_TRY return ets_wrap(at::unsqueeze(*a, dim));
    ETS_CATCH("unsqueeze", nullptr)
}
ETS_EXPORT TH ets_expand(TH a, const int64_t* sizes, int32_t n, int32_t implicit) {
    ETS_TRY return ets_wrap(a->expand(at::IntArrayRef(sizes, n), implicit != 0));
    ETS_CATCH("expand", nullptr)
}
ETS_EXPORT TH ets_repeat(TH a, const int64_t* sizes, int32_t n) {
    ETS_TRY return ets_wrap(a->repeat(at::IntArrayRef(sizes, n)));
    ETS_CATCH("repeat", nullptr)
}
ETS_EXPORT TH ets_tile(TH a, const int64_t* reps, int32_t n) {
    ETS_TRY return ets_wrap(at::tile(*a, at::IntArrayRef(reps, n)));
    ETS_CATCH("tile", nullptr)
}
ETS_EXPORT TH ets_flip(TH a, const int64_t* dims, int32_t n) {
    ETS_TRY return ets_wrap(at::flip(*a, at::IntArrayRef(dims, n)));
    ETS_CATCH("flip", nullptr)
}
ETS_EXPORT TH ets_roll(TH a, const int64_t* shifts, int32_t ns, const int64_t* dims, int32_t nd) {
    ETS_TRY return ets_wrap(at::roll(*a, at::IntArrayRef(shifts, ns), at::IntArrayRef(dims, nd)));
    ETS_CATCH("roll", nullptr)
}
ETS_EXPORT TH ets_narrow(TH a, int64_t dim, int64_t start, int64_t length) {
    ETS_TRY return ets_wrap(at::narrow(*a, dim, start, length));
    ETS_CATCH("narrow", nullptr)
}
ETS_EXPORT TH ets_select(TH a, int64_t dim, int64_t index) {
    ETS_TRY return ets_wrap(at::select(*a, dim, index));
    ETS_CATCH("select", nullptr)
}
ETS_EXPORT TH ets_slice(TH a, int64_t dim, int64_t start, int64_t end, int64_t step) {
    ETS_TRY return ets_wrap(at::slice(*a, dim, start, end, step));
    ETS_CATCH("slice", nullptr)
}
ETS_EXPORT TH ets_index_select(TH a, int64_t dim, TH index) {
    ETS_TRY return ets_wrap(at::index_select(*a, dim, *index));
    ETS_CATCH("index_select", nullptr)
}
ETS_EXPORT TH ets_gather(TH a, int64_t dim, TH index) {
    ETS_TRY return ets_wrap(at::gather(*a, dim, *index));
    ETS_CATCH("gather", nullptr)
}
ETS_EXPORT TH ets_scatter(TH a, int64_t dim, TH index, TH src) {
    ETS_TRY return ets_wrap(at::scatter(*a, dim, *index, *src));
    ETS_CATCH("scatter", nullptr)
}
ETS_EXPORT int32_t ets_scatter_(TH a, int64_t dim, TH index, TH src) {
    ETS_TRY a->scatter_(dim, *index, *src);
    return 0;
    ETS_CATCH("scatter_", -1)
}
ETS_EXPORT TH ets_scatter_add(TH a, int64_t dim, TH index, TH src) {
    ETS_TRY return ets_wrap(at::scatter_add(*a, dim, *index, *src));
    ETS_CATCH("scatter_add", nullptr)
}
ETS_EXPORT TH ets_masked_fill(TH a, TH mask, EtsScalar value) {
    ETS_TRY return ets_wrap(at::masked_fill(*a, *mask, ets_scalar(value)));
    ETS_CATCH("masked_fill", nullptr)
}
ETS_EXPORT int32_t ets_masked_fill_(TH a, TH mask, EtsScalar value) {
    ETS_TRY a->masked_fill_(*mask, ets_scalar(value));
    return 0;
    ETS_CATCH("masked_fill_", -1)
}
ETS_BINARY(masked_select, at::masked_select(*a, *b))

ETS_EXPORT TH ets_cat(const TH* tensors, int32_t n, int64_t dim) {
    ETS_TRY return ets_wrap(at::cat(ets_tensor_list(tensors, n), dim));
    ETS_CATCH("cat", nullptr)
}
ETS_EXPORT TH ets_stack(const TH* tensors, int32_t n, int64_t dim) {
    ETS_TRY return ets_wrap(at::stack(ets_tensor_list(tensors, n), dim));
    ETS_CATCH("stack", nullptr)
}
ETS_EXPORT TH* ets_split_size(TH a, int64_t size, int64_t dim, int32_t* count) {
    ETS_TRY return ets_wrap_list(at::split(*a, size, dim), count);
    ETS_CATCH("split", nullptr)
}
ETS_EXPORT TH* ets_split_sizes(TH a, const int64_t* sizes, int32_t n, int64_t dim, int32_t* count) {
    ETS_TRY return ets_wrap_list(at::split_with_sizes(*a, at::IntArrayRef(sizes, n), dim), count);
    ETS_CATCH("split", nullptr)
}
ETS_EXPORT TH* ets_chunk(TH a, int64_t chunks, int64_t dim, int32_t* count) {
    ETS_TRY return ets_wrap_list(at::chunk(*a, chunks, dim), count);
    ETS_CATCH("chunk", nullptr)
}
ETS_EXPORT TH* ets_unbind(TH a, int64_t dim, int32_t* count) {
    ETS_TRY return ets_wrap_list(at::unbind(*a, dim), count);
    ETS_CATCH("unbind", nullptr)
}
ETS_EXPORT TH* ets_nonzero_tuple(TH a, int32_t* count) {
    ETS_TRY return ets_wrap_list(at::where(*a), count);
    ETS_CATCH("where", nullptr)
}

// ---- indexing with TensorIndex ----------------------------------------------------------
// kinds: 0 integer (start), 1 slice (start/stop/step with presence flags in `flags`),
//        2 ellipsis, 3 none (new axis), 4 boolean (start != 0), 5 tensor (tensors[k])

static std::vector<at::indexing::TensorIndex> ets_indices(const int32_t* kinds, const int64_t* starts, const int64_t* stops,
                                                          const int64_t* steps, const int32_t* flags, const TH* tensors,
                                                          int32_t n) {
    using namespace at::indexing;
    std::vector<TensorIndex> idx;
    idx.reserve(static_cast<size_t>(n));
    for (int32_t k = 0; k < n; ++k) {
        switch (kinds[k]) {
            case 0: idx.emplace_back(starts[k]); break;
            case 1: {
                int64_t start = (flags[k] & 1) ? starts[k] : 0;
                int64_t stop = (flags[k] & 2) ? stops[k] : INDEX_MAX;
                int64_t step = (flags[k] & 4) ? steps[k] : 1;
                idx.emplace_back(Slice(start, stop, step));
                break;
            }
            case 2: idx.emplace_back(Ellipsis); break;
            case 3: idx.emplace_back(None); break;
            case 4: idx.emplace_back(starts[k] != 0); break;
            default: idx.emplace_back(*tensors[k]); break;
        }
    }
    return idx;
}

ETS_EXPORT TH ets_index(TH a, const int32_t* kinds, const int64_t* starts, const int64_t* stops, const int64_t* steps,
                        const int32_t* flags, const TH* tensors, int32_t n) {
    ETS_TRY return ets_wrap(a->index(ets_indices(kinds, starts, stops, steps, flags, tensors, n)));
    ETS_CATCH("index", nullptr)
}

ETS_EXPORT int32_t ets_index_put_(TH a, const int32_t* kinds, const int64_t* starts, const int64_t* stops, const int64_t* steps,
                                  const int32_t* flags, const TH* tensors, int32_t n, TH value, int32_t accumulate) {
    ETS_TRY auto idx = ets_indices(kinds, starts, stops, steps, flags, tensors, n);
    if (accumulate) {
        c10::List<c10::optional<at::Tensor>> list;
        for (auto& i : idx) {
            if (!i.is_tensor()) throw std::runtime_error("accumulate=true needs tensor indices only");
            list.push_back(i.tensor());
        }
        a->index_put_(list, *value, true);
    } else {
        a->index_put_(idx, *value);
    }
    return 0;
    ETS_CATCH("index_put_", -1)
}

ETS_EXPORT int32_t ets_index_put_scalar_(TH a, const int32_t* kinds, const int64_t* starts, const int64_t* stops,
                                         const int64_t* steps, const int32_t* flags, const TH* tensors, int32_t n,
                                         EtsScalar value) {
    ETS_TRY a->index_put_(ets_indices(kinds, starts, stops, steps, flags, tensors, n), ets_scalar(value));
    return 0;
    ETS_CATCH("index_put_", -1)
}

// ---- random in-place --------------------------------------------------------------------

ETS_EXPORT int32_t ets_uniform_(TH a, double from, double to, at::Generator* gen) {
    ETS_TRY a->uniform_(from, to, gen ? c10::optional<at::Generator>(*gen) : c10::nullopt);
    return 0;
    ETS_CATCH("uniform_", -1)
}
ETS_EXPORT int32_t ets_normal_(TH a, double mean, double std, at::Generator* gen) {
    ETS_TRY a->normal_(mean, std, gen ? c10::optional<at::Generator>(*gen) : c10::nullopt);
    return 0;
    ETS_CATCH("normal_", -1)
}
ETS_EXPORT int32_t ets_bernoulli_p_(TH a, double p, at::Generator* gen) {
    ETS_TRY a->bernoulli_(p, gen ? c10::optional<at::Generator>(*gen) : c10::nullopt);
    return 0;
    ETS_CATCH("bernoulli_", -1)
}
ETS_EXPORT TH ets_bernoulli(TH a, at::Generator* gen) {
    ETS_TRY return ets_wrap(at::bernoulli(*a, gen ? c10::optional<at::Generator>(*gen) : c10::nullopt));
    ETS_CATCH("bernoulli", nullptr)
}
ETS_EXPORT TH ets_multinomial(TH a, int64_t n, int32_t replacement, at::Generator* gen) {
    ETS_TRY return ets_wrap(at::multinomial(*a, n, replacement != 0, gen ? c10::optional<at::Generator>(*gen) : c10::nullopt));
    ETS_CATCH("multinomial", nullptr)
}
