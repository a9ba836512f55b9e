// Layer building blocks added for the "Engine II" layers: padding, resampling, im2col,
// attention, extra losses and in-place activations. Conventions as in shim.h: every export
// runs inside ETS_TRY / ETS_CATCH and names its operation.
#include "shim.h"

#include <cmath>
#include <limits>

namespace F = torch::nn::functional;

namespace {

c10::optional<at::Tensor> opt_tensor(TH t) {
    if (!t) return c10::nullopt;
    return *t;
}

at::Tensor or_undefined(TH t) { return t ? *t : at::Tensor(); }

c10::optional<at::Generator> opt_generator(at::Generator* gen) {
    return gen ? c10::optional<at::Generator>(*gen) : c10::nullopt;
}

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Attention of q [B, L, E] against k, v [B, S, E] with an optional additive float mask, as
// PyTorch 1.13's multi-head attention computes it: softmax(q / sqrt(E) @ kᵀ + mask) @ v.
std::tuple<at::Tensor, at::Tensor> attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                            const at::Tensor& additive_mask, double dropout_p) {
    auto scaled = q / std::sqrt(static_cast<double>(q.size(-1)));
    auto weights = additive_mask.defined() ? at::baddbmm(additive_mask, scaled, k.transpose(-2, -1))
                                           : at::bmm(scaled, k.transpose(-2, -1));
    weights = at::softmax(weights, -1);
    if (dropout_p > 0.0) weights = at::dropout(weights, dropout_p, true);
    return {at::bmm(weights, v), weights};
}

}  // namespace

// ---- padding, resampling, im2col ---------------------------------------------------------

// mode: PaddingModes numbering (0 zeros, 1 reflect, 2 replicate, 3 circular, 4 constant).
ETS_EXPORT TH ets_pad(TH input, const int64_t* pad, int32_t n, int32_t mode, double value) {
    ETS_TRY F::PadFuncOptions options(std::vector<int64_t>(pad, pad + n));
    switch (mode) {
        case 1: options.mode(torch::kReflect); break;
        case 2: options.mode(torch::kReplicate); break;
        case 3: options.mode(torch::kCircular); break;
        case 0: options.mode(torch::kConstant).value(0.0); break;
        default: options.mode(torch::kConstant).value(value); break;
    }
    return ets_wrap(F::pad(*input, options));
    ETS_CATCH("pad", nullptr)
}

// mode: InterpolationMode numbering (0 nearest, 1 linear, 2 bilinear, 3 bicubic, 4 trilinear,
// 5 area, 6 nearest-exact); align_corners: -1 = not given.
ETS_EXPORT TH ets_interpolate(TH input, const int64_t* size, int32_t nsize, const double* scale, int32_t nscale, int32_t mode,
                              int32_t align_corners, int32_t recompute_scale_factor, int32_t antialias) {
    ETS_TRY F::InterpolateFuncOptions options;
    if (nsize > 0) options.size(std::vector<int64_t>(size, size + nsize));
    if (nscale > 0) options.scale_factor(std::vector<double>(scale, scale + nscale));
    switch (mode) {
        case 0: options.mode(torch::kNearest); break;
        case 1: options.mode(torch::kLinear); break;
        case 2: options.mode(torch::kBilinear); break;
        case 3: options.mode(torch::kBicubic); break;
        case 4: options.mode(torch::kTrilinear); break;
        case 5: options.mode(torch::kArea); break;
        case 6: options.mode(torch::kNearestExact); break;
        default: TORCH_CHECK(false, "unknown interpolation mode ", mode);
    }
    if (align_corners >= 0) options.align_corners(align_corners != 0);
    options.recompute_scale_factor(recompute_scale_factor != 0);
    options.antialias(antialias != 0);
    return ets_wrap(F::interpolate(*input, options));
    ETS_CATCH("interpolate", nullptr)
}

ETS_EXPORT TH ets_unfold(TH input, const int64_t* kernel, const int64_t* dilation, const int64_t* padding, const int64_t* stride) {
    ETS_TRY auto options = F::UnfoldFuncOptions({kernel[0], kernel[1]})
                               .dilation({dilation[0], dilation[1]})
                               .padding({padding[0], padding[1]})
                               .stride({stride[0], stride[1]});
    return ets_wrap(F::unfold(*input, options));
    ETS_CATCH("unfold", nullptr)
}

ETS_EXPORT int32_t ets_max_pool2d_with_indices(TH input, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                               const int64_t* dilation, int32_t ceil_mode, TH* values, TH* indices) {
    ETS_TRY auto r = at::max_pool2d_with_indices(*input, at::IntArrayRef(kernel, 2), at::IntArrayRef(stride, 2),
                                                 at::IntArrayRef(padding, 2), at::IntArrayRef(dilation, 2), ceil_mode != 0);
    *values = ets_wrap(std::get<0>(r));
    *indices = ets_wrap(std::get<1>(r));
    return 0;
    ETS_CATCH("max_pool2d_with_indices", -1)
}

// ---- normalisation, similarity, losses ----------------------------------------------------

ETS_EXPORT TH ets_normalize(TH input, double p, int64_t dim, double eps) {
    ETS_TRY return ets_wrap(F::normalize(*input, F::NormalizeFuncOptions().p(p).dim(dim).eps(eps)));
    ETS_CATCH("normalize", nullptr)
}

ETS_EXPORT TH ets_cosine_similarity(TH x1, TH x2, int64_t dim, double eps) {
    ETS_TRY return ets_wrap(at::cosine_similarity(*x1, *x2, dim, eps));
    ETS_CATCH("cosine_similarity", nullptr)
}

ETS_EXPORT TH ets_l1_loss(TH input, TH target, int64_t reduction) {
    ETS_TRY return ets_wrap(at::l1_loss(*input, *target, reduction));
    ETS_CATCH("l1_loss", nullptr)
}

ETS_EXPORT TH ets_smooth_l1_loss(TH input, TH target, int64_t reduction, double beta) {
    ETS_TRY return ets_wrap(at::smooth_l1_loss(*input, *target, reduction, beta));
    ETS_CATCH("smooth_l1_loss", nullptr)
}

// ---- activations, dropout, embedding -------------------------------------------------------

ETS_EXPORT int32_t ets_gelu_(TH input, int32_t tanh_approx) {
    ETS_TRY at::gelu_(*input, tanh_approx ? "tanh" : "none");
    return 0;
    ETS_CATCH("gelu_", -1)
}

// max_norm < 0: no renormalisation. padding_idx < 0: none.
ETS_EXPORT TH ets_embedding_ex(TH input, TH weight, int64_t padding_idx, double max_norm, double norm_type,
                               int32_t scale_grad_by_freq, int32_t sparse) {
    ETS_TRY if (max_norm >= 0) {
        // As torch.nn.functional.embedding: rows looked up are renormalised in place, outside autograd.
        at::NoGradGuard no_grad;
        at::embedding_renorm_(*weight, input->contiguous(), max_norm, norm_type);
    }
    return ets_wrap(at::embedding(*weight, *input, padding_idx, scale_grad_by_freq != 0, sparse != 0));
    ETS_CATCH("embedding", nullptr)
}

// ---- initialisation --------------------------------------------------------------------------

// torch.nn.init.trunc_normal_: inverse-CDF sampling of a normal truncated to [a, b], with the
// same sequence of operations as PyTorch (so a seeded generator gives PyTorch's values).
ETS_EXPORT int32_t ets_trunc_normal_(TH t, double mean, double std, double a, double b, at::Generator* gen) {
    ETS_TRY at::NoGradGuard no_grad;
    auto norm_cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
    const double l = norm_cdf((a - mean) / std);
    const double u = norm_cdf((b - mean) / std);
    t->uniform_(2 * l - 1, 2 * u - 1, opt_generator(gen));
    t->erfinv_();
    t->mul_(std * std::sqrt(2.0));
    t->add_(mean);
    t->clamp_(a, b);
    return 0;
    ETS_CATCH("trunc_normal_", -1)
}

// ---- attention ---------------------------------------------------------------------------------

// softmax(q kᵀ / sqrt(E) + mask) v over the last two dimensions. A boolean mask marks the
// positions that take part (True = attend), a float mask is added to the scores.
ETS_EXPORT TH ets_scaled_dot_product_attention(TH query, TH key, TH value, TH attn_mask, double dropout_p, int32_t is_causal) {
    ETS_TRY
#if TORCH_VERSION_MAJOR >= 2
    return ets_wrap(at::scaled_dot_product_attention(*query, *key, *value, opt_tensor(attn_mask), dropout_p, is_causal != 0));
#else
    const auto& q = *query;
    const auto& k = *key;
    const int64_t L = q.size(-2), S = k.size(-2);
    auto scores = at::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(q.size(-1)));
    if (is_causal != 0) {
        TORCH_CHECK(!attn_mask, "attn_mask must not be given together with is_causal");
        auto keep = at::ones({L, S}, q.options().dtype(at::kBool)).tril();
        scores = scores.masked_fill(keep.logical_not(), kNegInf);
    }
    if (attn_mask) {
        if (attn_mask->scalar_type() == at::kBool)
            scores = scores.masked_fill(attn_mask->logical_not(), kNegInf);
        else
            scores = scores + *attn_mask;
    }
    auto weights = at::softmax(scores, -1);
    if (dropout_p > 0.0) weights = at::dropout(weights, dropout_p, true);
    return ets_wrap(at::matmul(weights, *value));
#endif
    ETS_CATCH("scaled_dot_product_attention", nullptr)
}

// Multi-head attention forward as torch.nn.functional.multi_head_attention_forward in
// PyTorch 1.13 (sequence-first layout [L, N, E], or unbatched [L, E]). Optional tensors are
// null handles. Writes the output and, when need_weights, the attention weights (else null).
ETS_EXPORT int32_t ets_multi_head_attention(TH query, TH key, TH value, int64_t num_heads, TH in_proj_weight, TH in_proj_bias,
                                            TH q_proj_weight, TH k_proj_weight, TH v_proj_weight, TH bias_k, TH bias_v,
                                            int32_t add_zero_attn, double dropout_p, TH out_proj_weight, TH out_proj_bias,
                                            int32_t training, TH key_padding_mask, int32_t need_weights, TH attn_mask,
                                            int32_t average_attn_weights, TH* output, TH* weights_out) {
    ETS_TRY *output = nullptr;
    *weights_out = nullptr;
    at::Tensor q_in = *query, k_in = *key, v_in = *value;
    at::Tensor kpm = or_undefined(key_padding_mask);
    at::Tensor mask = or_undefined(attn_mask);
    const bool batched = q_in.dim() == 3;
    TORCH_CHECK(batched || q_in.dim() == 2, "query must be [L, N, E] or [L, E], got ", q_in.dim(), "-D");
    if (!batched) {
        q_in = q_in.unsqueeze(1);
        k_in = k_in.unsqueeze(1);
        v_in = v_in.unsqueeze(1);
        if (kpm.defined()) kpm = kpm.unsqueeze(0);
    }
    const int64_t tgt_len = q_in.size(0), bsz = q_in.size(1), embed_dim = q_in.size(2);
    const int64_t src_len0 = k_in.size(0);
    TORCH_CHECK(num_heads > 0 && embed_dim % num_heads == 0, "embed_dim ", embed_dim, " not divisible by num_heads ", num_heads);
    const int64_t head_dim = embed_dim / num_heads;
    if (kpm.defined())
        TORCH_CHECK(kpm.scalar_type() == at::kBool || kpm.is_floating_point(), "only bool and floating key_padding_mask are supported");

    // In-projection (packed weight, or separate q/k/v weights when kdim/vdim differ).
    at::Tensor q, k, v;
    const bool separate = q_proj_weight != nullptr;
    if (!separate) {
        TORCH_CHECK(in_proj_weight, "in_proj_weight is required");
        const auto& w = *in_proj_weight;
        TORCH_CHECK(k_in.sizes() == v_in.sizes(), "key shape ", k_in.sizes(), " does not match value shape ", v_in.sizes());
        // PyTorch tests identity after unsqueezing unbatched input, so unbatched input always
        // takes the three-projection path; mirror that to stay bit-for-bit equal.
        const bool kv_same = batched && (key == value || key->is_same(*value));
        const bool qk_same = batched && (query == key || query->is_same(*key));
        if (kv_same && qk_same) {
            auto chunks = at::linear(q_in, w, opt_tensor(in_proj_bias)).chunk(3, -1);
            q = chunks[0];
            k = chunks[1];
            v = chunks[2];
        } else if (kv_same) {
            auto ws = w.split_with_sizes({embed_dim, 2 * embed_dim});
            c10::optional<at::Tensor> bq, bkv;
            if (in_proj_bias) {
                auto bs = in_proj_bias->split_with_sizes({embed_dim, 2 * embed_dim});
                bq = bs[0];
                bkv = bs[1];
            }
            q = at::linear(q_in, ws[0], bq);
            auto kv = at::linear(k_in, ws[1], bkv).chunk(2, -1);
            k = kv[0];
            v = kv[1];
        } else {
            auto ws = w.chunk(3);
            std::vector<at::Tensor> bs;
            if (in_proj_bias) bs = in_proj_bias->chunk(3);
            auto b = [&](size_t i) { return bs.empty() ? c10::optional<at::Tensor>() : c10::optional<at::Tensor>(bs[i]); };
            q = at::linear(q_in, ws[0], b(0));
            k = at::linear(k_in, ws[1], b(1));
            v = at::linear(v_in, ws[2], b(2));
        }
    } else {
        TORCH_CHECK(k_proj_weight && v_proj_weight, "q/k/v projection weights are required together");
        std::vector<at::Tensor> bs;
        if (in_proj_bias) bs = in_proj_bias->chunk(3);
        auto b = [&](size_t i) { return bs.empty() ? c10::optional<at::Tensor>() : c10::optional<at::Tensor>(bs[i]); };
        q = at::linear(q_in, *q_proj_weight, b(0));
        k = at::linear(k_in, *k_proj_weight, b(1));
        v = at::linear(v_in, *v_proj_weight, b(2));
    }

    // Attention mask: [L, S] or [N * heads, L, S], bool (True = masked out) or float (added).
    if (mask.defined()) {
        if (mask.scalar_type() == at::kByte) mask = mask.to(at::kBool);
        TORCH_CHECK(mask.is_floating_point() || mask.scalar_type() == at::kBool, "attn_mask must be bool or floating point");
        if (mask.dim() == 2) {
            TORCH_CHECK(mask.size(0) == tgt_len && mask.size(1) == src_len0, "the 2-D attn_mask has shape ", mask.sizes(),
                        " but should be [", tgt_len, ", ", src_len0, "]");
            mask = mask.unsqueeze(0);
        } else if (mask.dim() == 3) {
            TORCH_CHECK(mask.size(0) == bsz * num_heads && mask.size(1) == tgt_len && mask.size(2) == src_len0,
                        "the 3-D attn_mask has shape ", mask.sizes(), " but should be [", bsz * num_heads, ", ", tgt_len, ", ",
                        src_len0, "]");
        } else {
            TORCH_CHECK(false, "attn_mask must be 2-D or 3-D, got ", mask.dim(), "-D");
        }
    }

    if (bias_k && bias_v) {
        k = at::cat({k, bias_k->repeat({1, bsz, 1})});
        v = at::cat({v, bias_v->repeat({1, bsz, 1})});
        if (mask.defined()) mask = at::constant_pad_nd(mask, {0, 1}, 0);
        if (kpm.defined()) kpm = at::constant_pad_nd(kpm, {0, 1}, 0);
    } else {
        TORCH_CHECK(!bias_k && !bias_v, "bias_k and bias_v must be given together");
    }

    q = q.contiguous().view({tgt_len, bsz * num_heads, head_dim}).transpose(0, 1);
    k = k.contiguous().view({k.size(0), bsz * num_heads, head_dim}).transpose(0, 1);
    v = v.contiguous().view({v.size(0), bsz * num_heads, head_dim}).transpose(0, 1);

    if (add_zero_attn != 0) {
        k = at::cat({k, at::zeros({bsz * num_heads, 1, head_dim}, k.options())}, 1);
        v = at::cat({v, at::zeros({bsz * num_heads, 1, head_dim}, v.options())}, 1);
        if (mask.defined()) mask = at::constant_pad_nd(mask, {0, 1}, 0);
        if (kpm.defined()) kpm = at::constant_pad_nd(kpm, {0, 1}, 0);
    }
    const int64_t src_len = k.size(1);

    if (kpm.defined()) {
        TORCH_CHECK(kpm.dim() == 2 && kpm.size(0) == bsz && kpm.size(1) == src_len, "key_padding_mask has shape ", kpm.sizes(),
                    " but should be [", bsz, ", ", src_len, "]");
        kpm = kpm.view({bsz, 1, 1, src_len}).expand({-1, num_heads, -1, -1}).reshape({bsz * num_heads, 1, src_len});
        if (!mask.defined())
            mask = kpm;
        else if (mask.scalar_type() == at::kBool)
            mask = mask.logical_or(kpm);
        else
            mask = mask.masked_fill(kpm, kNegInf);
    }
    if (mask.defined() && mask.scalar_type() == at::kBool) {
        auto additive = at::zeros_like(mask, q.options());
        additive.masked_fill_(mask, kNegInf);
        mask = additive;
    }
    if (training == 0) dropout_p = 0.0;

    auto [attn_output, attn_weights] = attention(q, k, v, mask, dropout_p);
    attn_output = attn_output.transpose(0, 1).contiguous().view({tgt_len * bsz, embed_dim});
    attn_output = at::linear(attn_output, *out_proj_weight, opt_tensor(out_proj_bias));
    attn_output = attn_output.view({tgt_len, bsz, attn_output.size(1)});
    if (!batched) attn_output = attn_output.squeeze(1);

    if (need_weights != 0) {
        attn_weights = attn_weights.view({bsz, num_heads, tgt_len, src_len});
        if (average_attn_weights != 0) attn_weights = attn_weights.sum(1) / static_cast<double>(num_heads);
        if (!batched) attn_weights = attn_weights.squeeze(0);
        *weights_out = ets_wrap(std::move(attn_weights));
    }
    *output = ets_wrap(std::move(attn_output));
    return 0;
    ETS_CATCH("multi_head_attention", -1)
}
