// torch.linalg: the singular value decomposition (for low-rank factorization of weights).
#include "shim.h"

ETS_EXPORT int32_t ets_linalg_svd(TH input, int32_t full_matrices, TH* u, TH* s, TH* vh) {
    ETS_TRY auto r = at::linalg_svd(*input, full_matrices != 0);
    *u = ets_wrap(std::get<0>(r));
    *s = ets_wrap(std::get<1>(r));
    *vh = ets_wrap(std::get<2>(r));
    return 0;
    ETS_CATCH("linalg.svd", -1)
}

ETS_EXPORT TH ets_linalg_svdvals(TH input) {
    ETS_TRY return ets_wrap(at::linalg_svdvals(*input));
    ETS_CATCH("linalg.svdvals", nullptr)
}
