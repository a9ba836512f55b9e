// torch.nn.functional vision helpers: affine_grid and grid_sample.
#include "shim.h"

ETS_EXPORT TH ets_affine_grid(TH theta, const int64_t* size, int32_t n, int32_t align_corners) {
    ETS_TRY return ets_wrap(at::affine_grid_generator(*theta, at::IntArrayRef(size, n), align_corners != 0));
    ETS_CATCH("affine_grid", nullptr)
}

// mode: 0 bilinear, 1 nearest, 2 bicubic; padding: 0 zeros, 1 border, 2 reflection (at::grid_sampler's codes).
ETS_EXPORT TH ets_grid_sample(TH input, TH grid, int64_t mode, int64_t padding, int32_t align_corners) {
    ETS_TRY return ets_wrap(at::grid_sampler(*input, *grid, mode, padding, align_corners != 0));
    ETS_CATCH("grid_sample", nullptr)
}
