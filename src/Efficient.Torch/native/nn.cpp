// torch.nn.functional building blocks.
#include "shim.h"

static c10::optional<at::Tensor> ets_opt(TH t) {
    if (!t) return c10::nullopt;
    return *t;
}

ETS_EXPORT TH ets_linear(TH input, TH weight, TH bias) {
    ETS_TRY return ets_wrap(at::linear(*input, *weight, ets_opt(bias)));
    ETS_CATCH("linear", nullptr)
}

ETS_EXPORT TH ets_conv2d(TH input, TH weight, TH bias, const int64_t* stride, const int64_t* padding, const int64_t* dilation,
                         int64_t groups) {
    ETS_TRY return ets_wrap(at::conv2d(*input, *weight, ets_opt(bias), at::IntArrayRef(stride, 2), at::IntArrayRef(padding, 2),
                                       at::IntArrayRef(dilation, 2), groups));
    ETS_CATCH("conv2d", nullptr)
}

ETS_EXPORT TH ets_conv1d(TH input, TH weight, TH bias, int64_t stride, int64_t padding, int64_t dilation, int64_t groups) {
    ETS_TRY return ets_wrap(at::conv1d(*input, *weight, ets_opt(bias), {stride}, {padding}, {dilation}, groups));
    ETS_CATCH("conv1d", nullptr)
}

ETS_EXPORT TH ets_batch_norm(TH input, TH running_mean, TH running_var, TH weight, TH bias, int32_t training, double momentum,
                             double eps) {
    ETS_TRY return ets_wrap(at::batch_norm(*input, ets_opt(weight), ets_opt(bias), ets_opt(running_mean), ets_opt(running_var),
                                           training != 0, momentum, eps, at::globalContext().userEnabledCuDNN()));
    ETS_CATCH("batch_norm", nullptr)
}

ETS_EXPORT TH ets_layer_norm(TH input, const int64_t* shape, int32_t n, TH weight, TH bias, double eps) {
    ETS_TRY return ets_wrap(at::layer_norm(*input, at::IntArrayRef(shape, n), ets_opt(weight), ets_opt(bias), eps));
    ETS_CATCH("layer_norm", nullptr)
}

ETS_EXPORT TH ets_group_norm(TH input, int64_t groups, TH weight, TH bias, double eps) {
    ETS_TRY return ets_wrap(at::group_norm(*input, groups, ets_opt(weight), ets_opt(bias), eps));
    ETS_CATCH("group_norm", nullptr)
}

ETS_EXPORT TH ets_adaptive_avg_pool2d(TH input, const int64_t* size) {
    ETS_TRY return ets_wrap(at::adaptive_avg_pool2d(*input, at::IntArrayRef(size, 2)));
    ETS_CATCH("adaptive_avg_pool2d", nullptr)
}

ETS_EXPORT TH ets_max_pool2d(TH input, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                             const int64_t* dilation, int32_t ceil_mode) {
    ETS_TRY return ets_wrap(at::max_pool2d(*input, at::IntArrayRef(kernel, 2), at::IntArrayRef(stride, 2),
                                           at::IntArrayRef(padding, 2), at::IntArrayRef(dilation, 2), ceil_mode != 0));
    ETS_CATCH("max_pool2d", nullptr)
}

ETS_EXPORT TH ets_avg_pool2d(TH input, const int64_t* kernel, const int64_t* stride, const int64_t* padding, int32_t ceil_mode,
                             int32_t count_include_pad, int64_t divisor) {
    ETS_TRY c10::optional<int64_t> div;
    if (divisor > 0) div = divisor;
    return ets_wrap(at::avg_pool2d(*input, at::IntArrayRef(kernel, 2), at::IntArrayRef(stride, 2), at::IntArrayRef(padding, 2),
                                   ceil_mode != 0, count_include_pad != 0, div));
    ETS_CATCH("avg_pool2d", nullptr)
}

ETS_EXPORT TH ets_dropout(TH input, double p, int32_t training) {
    ETS_TRY return ets_wrap(at::dropout(*input, p, training != 0));
    ETS_CATCH("dropout", nullptr)
}

ETS_EXPORT TH ets_gelu(TH input, int32_t tanh_approx) {
    ETS_TRY return ets_wrap(at::gelu(*input, tanh_approx ? "tanh" : "none"));
    ETS_CATCH("gelu", nullptr)
}

ETS_UNARY(silu, at::silu(*a))

ETS_EXPORT TH ets_leaky_relu(TH input, double slope) {
    ETS_TRY return ets_wrap(at::leaky_relu(*input, slope));
    ETS_CATCH("leaky_relu", nullptr)
}

// In-place forms behind the functional `inplace: true` flags.
ETS_EXPORT int32_t ets_dropout_(TH input, double p, int32_t training) {
    ETS_TRY at::dropout_(*input, p, training != 0);
    return 0;
    ETS_CATCH("dropout_", -1)
}

ETS_UNARY_INPLACE(silu_, at::silu_(*a))

ETS_EXPORT int32_t ets_leaky_relu_(TH input, double slope) {
    ETS_TRY at::leaky_relu_(*input, slope);
    return 0;
    ETS_CATCH("leaky_relu_", -1)
}

ETS_EXPORT TH ets_embedding(TH input, TH weight, int64_t padding_idx) {
    ETS_TRY return ets_wrap(at::embedding(*weight, *input, padding_idx));
    ETS_CATCH("embedding", nullptr)
}

// reduction: 0 none, 1 mean, 2 sum (at::Reduction numbering)
ETS_EXPORT TH ets_cross_entropy(TH input, TH target, TH weight, int64_t ignore_index, int64_t reduction, double label_smoothing) {
    ETS_TRY return ets_wrap(at::cross_entropy_loss(*input, *target, ets_opt(weight), reduction, ignore_index, label_smoothing));
    ETS_CATCH("cross_entropy", nullptr)
}

ETS_EXPORT TH ets_nll_loss(TH input, TH target, TH weight, int64_t ignore_index, int64_t reduction) {
    ETS_TRY return ets_wrap(at::nll_loss_nd(*input, *target, ets_opt(weight), reduction, ignore_index));
    ETS_CATCH("nll_loss", nullptr)
}

ETS_EXPORT TH ets_mse_loss(TH input, TH target, int64_t reduction) {
    ETS_TRY return ets_wrap(at::mse_loss(*input, *target, reduction));
    ETS_CATCH("mse_loss", nullptr)
}

ETS_EXPORT TH ets_kl_div(TH input, TH target, int64_t reduction, int32_t log_target) {
    ETS_TRY at::Tensor out;
    // 'batchmean' (reduction 3) is computed as sum / batch size, as torch.nn.functional does.
    if (reduction == 3) {
        out = at::kl_div(*input, *target, at::Reduction::Sum, log_target != 0) / (input->dim() > 0 ? input->size(0) : 1);
    } else {
        out = at::kl_div(*input, *target, reduction, log_target != 0);
    }
    return ets_wrap(std::move(out));
    ETS_CATCH("kl_div", nullptr)
}

ETS_EXPORT TH ets_binary_cross_entropy_with_logits(TH input, TH target, TH weight, TH pos_weight, int64_t reduction) {
    ETS_TRY return ets_wrap(
        at::binary_cross_entropy_with_logits(*input, *target, ets_opt(weight), ets_opt(pos_weight), reduction));
    ETS_CATCH("binary_cross_entropy_with_logits", nullptr)
}

ETS_EXPORT TH ets_one_hot(TH input, int64_t num_classes) {
    ETS_TRY return ets_wrap(at::one_hot(*input, num_classes));
    ETS_CATCH("one_hot", nullptr)
}
