// Optimizer update loops and torch.nn.utils gradient helpers.
//
// Each optimizer step is one call per parameter group: the managed side passes the parameter
// handles, the handles of their state tensors (nullptr where a state tensor does not exist yet)
// and the group's hyper-parameters; the loop below runs under no-grad and applies PyTorch 1.13's
// single-tensor update (torch/optim/{sgd,adam,adamw}.py, `_single_tensor_*`) op for op, so the
// results are the same as PyTorch's. Parameters whose gradient is undefined are skipped and get
// no state. State tensors created here (lazily, on a parameter's first update, as PyTorch does)
// are written back into the caller's handle arrays as new handles that the caller then owns —
// also when the call fails part-way, so nothing leaks.
#include "shim.h"

#include <cmath>
#include <limits>

namespace {

inline at::Tensor& param_at(const TH* params, int32_t i) {
    if (!params[i]) throw std::runtime_error("parameter " + std::to_string(i) + " is null");
    return *params[i];
}

// Adam and AdamW share everything but the weight-decay rule (L2 added to the gradient vs
// decoupled decay of the parameter) and Adam's conj() in the second moment.
int32_t adam_like_step(const char* op, bool decoupled, const TH* params, TH* exp_avgs, TH* exp_avg_sqs,
                       TH* max_exp_avg_sqs, int64_t* steps, int32_t n, double lr, double beta1, double beta2, double eps,
                       double weight_decay, int32_t amsgrad, int32_t maximize) {
    ETS_TRY at::NoGradGuard no_grad;
    for (int32_t i = 0; i < n; ++i) {
        at::Tensor& param = param_at(params, i);
        const at::Tensor& g = param.grad();
        if (!g.defined()) continue;
        if (g.is_sparse()) throw std::runtime_error("sparse gradients are not supported; use SparseAdam");

        // Lazy state initialisation (torch.zeros_like(p, memory_format=torch.preserve_format)).
        if (!exp_avgs[i]) exp_avgs[i] = ets_wrap(at::zeros_like(param, at::MemoryFormat::Preserve));
        if (!exp_avg_sqs[i]) exp_avg_sqs[i] = ets_wrap(at::zeros_like(param, at::MemoryFormat::Preserve));
        if (amsgrad && !max_exp_avg_sqs[i]) max_exp_avg_sqs[i] = ets_wrap(at::zeros_like(param, at::MemoryFormat::Preserve));

        at::Tensor grad = maximize ? g.neg() : g;
        at::Tensor& exp_avg = *exp_avgs[i];
        at::Tensor& exp_avg_sq = *exp_avg_sqs[i];

        steps[i] += 1;
        const double step = static_cast<double>(steps[i]);

        if (decoupled) {
            param.mul_(1 - lr * weight_decay);
        } else if (weight_decay != 0) {
            grad = grad.add(param, weight_decay);
        }

        exp_avg.mul_(beta1).add_(grad, 1 - beta1);
        if (decoupled) {
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        } else {
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad.conj(), 1 - beta2);
        }

        const double bias_correction1 = 1 - std::pow(beta1, step);
        const double bias_correction2 = 1 - std::pow(beta2, step);
        const double step_size = lr / bias_correction1;
        const double bias_correction2_sqrt = std::sqrt(bias_correction2);

        at::Tensor denom;
        if (amsgrad) {
            at::Tensor& max_sq = *max_exp_avg_sqs[i];
            at::maximum_out(max_sq, max_sq, exp_avg_sq);
            denom = (max_sq.sqrt() / bias_correction2_sqrt).add_(eps);
        } else {
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps);
        }
        param.addcdiv_(exp_avg, denom, -step_size);
    }
    return 0;
    ETS_CATCH(op, -1)
}

// torch.norm(t, p) as PyTorch 1.13's Python front end calls it: norm over all dimensions.
at::Tensor py_norm(const at::Tensor& t, double p) {
    std::vector<int64_t> dims(static_cast<size_t>(t.dim()));
    for (size_t k = 0; k < dims.size(); ++k) dims[k] = static_cast<int64_t>(k);
    return at::norm(t, c10::optional<at::Scalar>(p), dims, false);
}

}  // namespace

/// torch.optim.SGD (PyTorch 1.13 `_single_tensor_sgd`). momentum_buffers[i] is created (as a
/// clone of the first update direction) when momentum != 0 and it is null.
ETS_EXPORT int32_t ets_sgd_step(const TH* params, TH* momentum_buffers, int32_t n, double lr, double momentum,
                                double dampening, double weight_decay, int32_t nesterov, int32_t maximize) {
    ETS_TRY at::NoGradGuard no_grad;
    for (int32_t i = 0; i < n; ++i) {
        at::Tensor& param = param_at(params, i);
        const at::Tensor& g = param.grad();
        if (!g.defined()) continue;

        at::Tensor d_p = maximize ? g.neg() : g;
        if (weight_decay != 0) d_p = d_p.add(param, weight_decay);

        if (momentum != 0) {
            TH& buf = momentum_buffers[i];
            if (!buf) {
                buf = ets_wrap(d_p.clone().detach());
            } else {
                buf->mul_(momentum).add_(d_p, 1 - dampening);
            }
            if (nesterov) {
                d_p = d_p.add(*buf, momentum);
            } else {
                d_p = *buf;
            }
        }
        param.add_(d_p, -lr);
    }
    return 0;
    ETS_CATCH("SGD.step", -1)
}

/// torch.optim.Adam (PyTorch 1.13 `_single_tensor_adam`, not capturable). steps[i] is the
/// per-parameter step count, incremented for each parameter that has a gradient.
ETS_EXPORT int32_t ets_adam_step(const TH* params, TH* exp_avgs, TH* exp_avg_sqs, TH* max_exp_avg_sqs, int64_t* steps,
                                 int32_t n, double lr, double beta1, double beta2, double eps, double weight_decay,
                                 int32_t amsgrad, int32_t maximize) {
    return adam_like_step("Adam.step", false, params, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, n, lr, beta1, beta2, eps,
                          weight_decay, amsgrad, maximize);
}

/// torch.optim.AdamW (PyTorch 1.13 `_single_tensor_adamw`, not capturable).
ETS_EXPORT int32_t ets_adamw_step(const TH* params, TH* exp_avgs, TH* exp_avg_sqs, TH* max_exp_avg_sqs, int64_t* steps,
                                  int32_t n, double lr, double beta1, double beta2, double eps, double weight_decay,
                                  int32_t amsgrad, int32_t maximize) {
    return adam_like_step("AdamW.step", true, params, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, n, lr, beta1, beta2, eps,
                          weight_decay, amsgrad, maximize);
}

/// Optimizer.zero_grad: drops every gradient (set_to_none) or zeroes it in place, detaching it
/// from any graph first (as torch.optim.Optimizer.zero_grad does).
ETS_EXPORT int32_t ets_zero_grad(const TH* params, int32_t n, int32_t set_to_none) {
    ETS_TRY at::NoGradGuard no_grad;
    for (int32_t i = 0; i < n; ++i) {
        at::Tensor& param = param_at(params, i);
        at::Tensor& g = param.mutable_grad();
        if (!g.defined()) continue;
        if (set_to_none) {
            g.reset();
            continue;
        }
        if (g.grad_fn()) {
            g.detach_();
        } else {
            g.requires_grad_(false);
        }
        g.zero_();
    }
    return 0;
    ETS_CATCH("zero_grad", -1)
}

/// torch.nn.utils.clip_grad_norm_ (PyTorch 1.13): writes the total norm of all defined gradients
/// (as one vector) to *total_norm and scales them in place by min(1, max_norm / (norm + 1e-6)).
ETS_EXPORT int32_t ets_clip_grad_norm_(const TH* params, int32_t n, double max_norm, double norm_type,
                                       int32_t error_if_nonfinite, double* total_norm) {
    ETS_TRY at::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int32_t i = 0; i < n; ++i) {
        const at::Tensor& g = param_at(params, i).grad();
        if (g.defined()) grads.push_back(g);
    }
    if (grads.empty()) {
        *total_norm = 0.0;
        return 0;
    }
    const auto device = grads[0].device();
    at::Tensor norm;
    if (std::isinf(norm_type) && norm_type > 0) {
        std::vector<at::Tensor> norms;
        norms.reserve(grads.size());
        for (const auto& g : grads) norms.push_back(g.detach().abs().max().to(device));
        norm = norms.size() == 1 ? norms[0] : at::max(at::stack(norms));
    } else {
        std::vector<at::Tensor> norms;
        norms.reserve(grads.size());
        for (const auto& g : grads) norms.push_back(py_norm(g.detach(), norm_type).to(device));
        norm = py_norm(at::stack(norms), norm_type);
    }
    const double value = norm.item<double>();
    if (error_if_nonfinite && !std::isfinite(value))
        throw std::runtime_error("the total norm of order " + std::to_string(norm_type) +
                                 " of the gradients is non-finite, so it cannot be clipped");
    // Python's `max_norm / (total_norm + 1e-6)` is Tensor.__rtruediv__: reciprocal() * max_norm.
    at::Tensor clip_coef = (norm + 1e-6).reciprocal() * max_norm;
    at::Tensor clip_coef_clamped = at::clamp(clip_coef, c10::nullopt, 1.0);
    for (auto& g : grads) g.detach().mul_(clip_coef_clamped.to(g.device()));
    *total_norm = value;
    return 0;
    ETS_CATCH("clip_grad_norm_", -1)
}

/// torch.nn.utils.clip_grad_value_: clamps every defined gradient to [-clip_value, clip_value].
ETS_EXPORT int32_t ets_clip_grad_value_(const TH* params, int32_t n, double clip_value) {
    ETS_TRY at::NoGradGuard no_grad;
    for (int32_t i = 0; i < n; ++i) {
        const at::Tensor& g = param_at(params, i).grad();
        if (g.defined()) g.detach().clamp_(-clip_value, clip_value);
    }
    return 0;
    ETS_CATCH("clip_grad_value_", -1)
}

namespace {
void check_same_device(const at::Tensor& t, c10::optional<c10::Device>& device, int32_t i) {
    if (!device) {
        device = t.device();
    } else if (t.device() != *device) {
        throw std::runtime_error("found two parameters on different devices (" + device->str() + " and " + t.device().str() +
                                 " for parameter " + std::to_string(i) + "); all must be on the same device");
    }
}
}  // namespace

/// torch.nn.utils.parameters_to_vector: one vector of all parameters (recorded by autograd).
ETS_EXPORT TH ets_parameters_to_vector(const TH* params, int32_t n) {
    ETS_TRY std::vector<at::Tensor> flat;
    flat.reserve(static_cast<size_t>(n));
    c10::optional<c10::Device> device;
    for (int32_t i = 0; i < n; ++i) {
        const at::Tensor& p = param_at(params, i);
        check_same_device(p, device, i);
        flat.push_back(p.view(-1));
    }
    return ets_wrap(at::cat(flat));
    ETS_CATCH("parameters_to_vector", nullptr)
}

/// torch.nn.utils.vector_to_parameters: each parameter's data becomes the matching slice of `vec`
/// (a view sharing vec's storage, as in PyTorch).
ETS_EXPORT int32_t ets_vector_to_parameters(TH vec, const TH* params, int32_t n) {
    ETS_TRY if (vec->dim() != 1) throw std::runtime_error("expected a one-dimensional vector, got a tensor of " +
                                                           std::to_string(vec->dim()) + " dimensions");
    int64_t total = 0;
    c10::optional<c10::Device> device;
    for (int32_t i = 0; i < n; ++i) {
        const at::Tensor& p = param_at(params, i);
        check_same_device(p, device, i);
        total += p.numel();
    }
    if (total != vec->numel())
        throw std::runtime_error("the vector has " + std::to_string(vec->numel()) + " elements but the parameters have " +
                                 std::to_string(total));
    int64_t pointer = 0;
    for (int32_t i = 0; i < n; ++i) {
        at::Tensor& p = *params[i];
        const int64_t num = p.numel();
        p.set_data(vec->slice(0, pointer, pointer + num).view_as(p).detach());
        pointer += num;
    }
    return 0;
    ETS_CATCH("vector_to_parameters", -1)
}
