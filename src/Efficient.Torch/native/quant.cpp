// Fake quantization (quantization-aware training): torch.fake_quantize_per_tensor_affine and
// torch.fake_quantize_per_channel_affine, with libtorch's straight-through gradient (the
// gradient passes where round(x / scale) + zero_point lies in [quant_min, quant_max], zero elsewhere).
#include "shim.h"

ETS_EXPORT TH ets_fake_quantize_per_tensor_affine(TH input, double scale, int64_t zero_point, int64_t quant_min, int64_t quant_max) {
    ETS_TRY return ets_wrap(at::fake_quantize_per_tensor_affine(*input, scale, zero_point, quant_min, quant_max));
    ETS_CATCH("fake_quantize_per_tensor_affine", nullptr)
}

ETS_EXPORT TH ets_fake_quantize_per_tensor_affine_tensor(TH input, TH scale, TH zero_point, int64_t quant_min, int64_t quant_max) {
    ETS_TRY return ets_wrap(at::fake_quantize_per_tensor_affine(*input, *scale, *zero_point, quant_min, quant_max));
    ETS_CATCH("fake_quantize_per_tensor_affine", nullptr)
}

ETS_EXPORT TH ets_fake_quantize_per_channel_affine(TH input, TH scale, TH zero_point, int64_t axis, int64_t quant_min, int64_t quant_max) {
    ETS_TRY return ets_wrap(at::fake_quantize_per_channel_affine(*input, *scale, *zero_point, axis, quant_min, quant_max));
    ETS_CATCH("fake_quantize_per_channel_affine", nullptr)
}
