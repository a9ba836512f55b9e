// Efficient.Torch native shim: a C ABI over the libtorch C++ API.
//
// Conventions (every exported function follows them):
//  * Tensors cross the boundary as heap-allocated `at::Tensor*` (TH). The managed side owns
//    each handle it receives and frees it with ets_tensor_free.
//  * Every export runs its body inside ETS_TRY / ETS_CATCH: a C++ exception never escapes.
//    On failure the function returns its failure value (nullptr, -1, ...) and the message,
//    prefixed with the operation name, is kept in a thread-local slot read by
//    ets_last_error().
//  * Scalars cross as EtsScalar (a tagged double/int64/bool), dtypes as the c10::ScalarType
//    number (-1 = "not given"), devices as (c10::DeviceType number, index).
#pragma once

#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#define ETS_EXPORT extern "C" __attribute__((visibility("default")))

typedef at::Tensor* TH;

/// A tagged scalar passed by value from managed code.
struct EtsScalar {
    double d;
    int64_t i;
    int32_t kind;  // 0 = floating (d), 1 = integral (i), 2 = boolean (i != 0)
};

void ets_set_error(const char* op, const char* message);
std::atomic<int64_t>& ets_live_counter();

inline TH ets_wrap(at::Tensor&& t) {
    ets_live_counter().fetch_add(1, std::memory_order_relaxed);
    return new at::Tensor(std::move(t));
}

inline TH ets_wrap(const at::Tensor& t) {
    ets_live_counter().fetch_add(1, std::memory_order_relaxed);
    return new at::Tensor(t);
}

inline c10::Scalar ets_scalar(EtsScalar s) {
    switch (s.kind) {
        case 1: return c10::Scalar(s.i);
        case 2: return c10::Scalar(s.i != 0);
        default: return c10::Scalar(s.d);
    }
}

inline c10::optional<at::ScalarType> ets_opt_dtype(int32_t dtype) {
    if (dtype < 0) return c10::nullopt;
    return static_cast<at::ScalarType>(dtype);
}

inline at::TensorOptions ets_options(int32_t dtype, int32_t device_type, int32_t device_index, bool requires_grad) {
    at::TensorOptions o;
    if (dtype >= 0) o = o.dtype(static_cast<at::ScalarType>(dtype));
    if (device_type >= 0) o = o.device(c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
    return o.requires_grad(requires_grad);
}

inline std::vector<at::Tensor> ets_tensor_list(const TH* handles, int32_t count) {
    std::vector<at::Tensor> v;
    v.reserve(static_cast<size_t>(count));
    for (int32_t k = 0; k < count; ++k) v.push_back(*handles[k]);
    return v;
}

/// Hands a list of tensors back: writes `count` and returns a malloc'd array the managed side
/// frees with ets_free_handle_array.
TH* ets_wrap_list(const std::vector<at::Tensor>& list, int32_t* count);

#define ETS_TRY try {
#define ETS_CATCH(op, fail)                                                                 \
    }                                                                                       \
    catch (const c10::Error& e) {                                                           \
        ets_set_error(op, e.what_without_backtrace());                                      \
        return fail;                                                                        \
    }                                                                                       \
    catch (const std::exception& e) {                                                       \
        ets_set_error(op, e.what());                                                        \
        return fail;                                                                        \
    }                                                                                       \
    catch (...) {                                                                           \
        ets_set_error(op, "unknown native exception");                                      \
        return fail;                                                                        \
    }

// Helpers that generate the common export shapes. NAME is the exported suffix and the
// operation name used in error messages.
#define ETS_UNARY(NAME, EXPR)                                   \
    ETS_EXPORT TH ets_##NAME(TH a) {                            \
        ETS_TRY return ets_wrap(EXPR);                          \
        ETS_CATCH(#NAME, nullptr)                               \
    }

#define ETS_UNARY_INPLACE(NAME, EXPR)                           \
    ETS_EXPORT int32_t ets_##NAME(TH a) {                       \
        ETS_TRY EXPR;                                           \
        return 0;                                               \
        ETS_CATCH(#NAME, -1)                                    \
    }

#define ETS_BINARY(NAME, EXPR)                                  \
    ETS_EXPORT TH ets_##NAME(TH a, TH b) {                      \
        ETS_TRY return ets_wrap(EXPR);                          \
        ETS_CATCH(#NAME, nullptr)                               \
    }

#define ETS_BINARY_SCALAR(NAME, EXPR)                           \
    ETS_EXPORT TH ets_##NAME(TH a, EtsScalar s) {               \
        ETS_TRY c10::Scalar b = ets_scalar(s);                  \
        return ets_wrap(EXPR);                                  \
        ETS_CATCH(#NAME, nullptr)                               \
    }

#define ETS_BINARY_INPLACE(NAME, EXPR)                          \
    ETS_EXPORT int32_t ets_##NAME(TH a, TH b) {                 \
        ETS_TRY EXPR;                                           \
        return 0;                                               \
        ETS_CATCH(#NAME, -1)                                    \
    }

#define ETS_BINARY_SCALAR_INPLACE(NAME, EXPR)                   \
    ETS_EXPORT int32_t ets_##NAME(TH a, EtsScalar s) {          \
        ETS_TRY c10::Scalar b = ets_scalar(s);                  \
        EXPR;                                                   \
        return 0;                                               \
        ETS_CATCH(#NAME, -1)                                    \
    }
