// Automatic mixed precision (autocast) for the CPU and CUDA backends.
#include "shim.h"

#include <ATen/autocast_mode.h>

namespace {
bool autocast_enabled(c10::DeviceType device) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    return at::autocast::is_autocast_enabled(device);
#else
    return device == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

at::ScalarType autocast_dtype(c10::DeviceType device) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    return at::autocast::get_autocast_dtype(device);
#else
    return device == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_autocast(c10::DeviceType device, bool enabled, at::ScalarType dtype) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_dtype(device, dtype);
    at::autocast::set_autocast_enabled(device, enabled);
#else
    if (device == c10::DeviceType::CUDA) {
        at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(enabled);
    } else {
        at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(enabled);
    }
#endif
}
}  // namespace

/// Enables autocast for `device_type` with `dtype`; writes the previous state so it can be restored.
ETS_EXPORT int32_t ets_autocast_set(int32_t device_type, int32_t enabled, int32_t dtype, int32_t* prev_enabled, int32_t* prev_dtype) {
    ETS_TRY auto device = static_cast<c10::DeviceType>(device_type);
    if (device != c10::DeviceType::CPU && device != c10::DeviceType::CUDA)
        throw std::runtime_error("autocast supports only the cpu and cuda devices");
    *prev_enabled = autocast_enabled(device) ? 1 : 0;
    *prev_dtype = static_cast<int32_t>(autocast_dtype(device));
    set_autocast(device, enabled != 0, static_cast<at::ScalarType>(dtype));
    if (enabled == 0) at::autocast::clear_cache();
    return 0;
    ETS_CATCH("autocast", -1)
}

ETS_EXPORT int32_t ets_autocast_is_enabled(int32_t device_type) {
    ETS_TRY return autocast_enabled(static_cast<c10::DeviceType>(device_type)) ? 1 : 0;
    ETS_CATCH("autocast", -1)
}
