// Lifetime, metadata, factories, data access, RNG, grad mode and threading.
#include "shim.h"

#include <cstdlib>
#include <cstring>
#include <sstream>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {
thread_local std::string g_last_error;
std::atomic<int64_t> g_live{0};
}  // namespace

// glibc serves allocations above its mmap threshold (128 KiB by default) with a fresh mmap, so a
// training step that frees and reallocates multi-megabyte activations page-faults on every
// allocation. glibc normally raises the threshold after the first such free (a "dynamic"
// threshold), but not in every host process: under the .NET runtime the threshold stayed low and
// a small residual-CNN step took ~1.4x the CPU time of the same step in Python. Pinning the
// thresholds (as the dynamic rule would) removes the difference. Opt out with
// EFFICIENT_TORCH_NO_MALLOC_TUNING=1; explicit MALLOC_*_ environment settings are respected.
__attribute__((constructor)) static void ets_tune_malloc() {
#ifdef __GLIBC__
    if (std::getenv("EFFICIENT_TORCH_NO_MALLOC_TUNING") || std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) return;
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
#endif
}

void ets_set_error(const char* op, const char* message) {
    g_last_error = std::string(op) + ": " + (message ? message : "");
}

std::atomic<int64_t>& ets_live_counter() { return g_live; }

TH* ets_wrap_list(const std::vector<at::Tensor>& list, int32_t* count) {
    *count = static_cast<int32_t>(list.size());
    TH* out = static_cast<TH*>(std::malloc(sizeof(TH) * (list.empty() ? 1 : list.size())));
    if (!out) throw std::bad_alloc();
    for (size_t k = 0; k < list.size(); ++k) out[k] = ets_wrap(list[k]);
    return out;
}

// ---- errors and bookkeeping -------------------------------------------------------------

ETS_EXPORT const char* ets_last_error() { return g_last_error.c_str(); }
ETS_EXPORT void ets_clear_error() { g_last_error.clear(); }
ETS_EXPORT int64_t ets_live_tensors() { return g_live.load(); }
ETS_EXPORT void ets_free_handle_array(TH* array) { std::free(array); }

ETS_EXPORT const char* ets_version() {
    static std::string v = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                           std::to_string(TORCH_VERSION_PATCH);
    return v.c_str();
}

ETS_EXPORT void ets_tensor_free(TH t) {
    if (t) {
        delete t;
        g_live.fetch_sub(1, std::memory_order_relaxed);
    }
}

// ---- metadata ---------------------------------------------------------------------------

ETS_EXPORT int64_t ets_dim(TH t) {
    ETS_TRY return t->dim();
    ETS_CATCH("dim", -1)
}

ETS_EXPORT int32_t ets_shape(TH t, int64_t* out) {
    ETS_TRY auto s = t->sizes();
    for (size_t k = 0; k < s.size(); ++k) out[k] = s[k];
    return 0;
    ETS_CATCH("shape", -1)
}

ETS_EXPORT int32_t ets_strides(TH t, int64_t* out) {
    ETS_TRY auto s = t->strides();
    for (size_t k = 0; k < s.size(); ++k) out[k] = s[k];
    return 0;
    ETS_CATCH("stride", -1)
}

ETS_EXPORT int64_t ets_numel(TH t) {
    ETS_TRY return t->numel();
    ETS_CATCH("numel", -1)
}

ETS_EXPORT int32_t ets_dtype(TH t) {
    ETS_TRY return static_cast<int32_t>(t->scalar_type());
    ETS_CATCH("dtype", -1)
}

ETS_EXPORT int32_t ets_device_type(TH t) {
    ETS_TRY return static_cast<int32_t>(t->device().type());
    ETS_CATCH("device", -1)
}

ETS_EXPORT int32_t ets_device_index(TH t) {
    ETS_TRY return static_cast<int32_t>(t->device().index());
    ETS_CATCH("device", -2)
}

ETS_EXPORT int32_t ets_is_contiguous(TH t, int32_t memory_format) {
    ETS_TRY return t->is_contiguous(static_cast<at::MemoryFormat>(memory_format)) ? 1 : 0;
    ETS_CATCH("is_contiguous", -1)
}

ETS_EXPORT int64_t ets_element_size(TH t) {
    ETS_TRY return static_cast<int64_t>(t->element_size());
    ETS_CATCH("element_size", -1)
}

ETS_EXPORT int64_t ets_storage_offset(TH t) {
    ETS_TRY return t->storage_offset();
    ETS_CATCH("storage_offset", -1)
}

ETS_EXPORT void* ets_data_ptr(TH t) {
    ETS_TRY if (!t->device().is_cpu()) throw std::runtime_error("the tensor is on " + t->device().str() + "; move it to the CPU before reading its data");
    return t->data_ptr();
    ETS_CATCH("data", nullptr)
}

ETS_EXPORT char* ets_to_string(TH t) {
    ETS_TRY std::ostringstream os;
    os << *t;
    std::string s = os.str();
    char* out = static_cast<char*>(std::malloc(s.size() + 1));
    std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
    ETS_CATCH("ToString", nullptr)
}

ETS_EXPORT void ets_free_string(char* s) { std::free(s); }

// ---- element access ---------------------------------------------------------------------

/// Copies the single element of `t` into `out` (element_size bytes, the tensor's own dtype).
ETS_EXPORT int32_t ets_item(TH t, void* out) {
    ETS_TRY if (t->numel() != 1) throw std::runtime_error("a Tensor with " + std::to_string(t->numel()) +
                                                         " elements cannot be converted to Scalar");
    at::Tensor c = t->detach().to(at::kCPU).contiguous();
    std::memcpy(out, c.data_ptr(), c.element_size());
    return 0;
    ETS_CATCH("item", -1)
}

/// Copies all elements (in row-major order) into `out`, converted to dtype `dtype`.
ETS_EXPORT int32_t ets_copy_to_buffer(TH t, void* out, int64_t capacity_elements, int32_t dtype) {
    ETS_TRY at::Tensor c = t->detach().to(at::kCPU, static_cast<at::ScalarType>(dtype)).contiguous();
    if (c.numel() > capacity_elements) throw std::runtime_error("the destination holds " + std::to_string(capacity_elements) +
                                                                 " elements but the tensor has " + std::to_string(c.numel()));
    std::memcpy(out, c.data_ptr(), static_cast<size_t>(c.numel()) * c.element_size());
    return 0;
    ETS_CATCH("data", -1)
}

/// Creates a tensor that owns a copy of `data` (row-major, `dtype` elements, shape `shape`).
ETS_EXPORT TH ets_from_buffer(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                              int32_t device_index, int32_t requires_grad) {
    ETS_TRY auto sizes = at::IntArrayRef(shape, static_cast<size_t>(ndim));
    at::Tensor t = at::empty(sizes, at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    if (t.numel() > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(t.numel()) * t.element_size());
    if (device_type >= 0 && device_type != static_cast<int32_t>(c10::DeviceType::CPU))
        t = t.to(c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("tensor", nullptr)
}

ETS_EXPORT TH ets_scalar_tensor(EtsScalar s, int32_t dtype, int32_t device_type, int32_t device_index, int32_t requires_grad) {
    ETS_TRY at::TensorOptions o = ets_options(dtype, device_type, device_index, false);
    at::Tensor t = at::scalar_tensor(ets_scalar(s), o);
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("tensor", nullptr)
}

// ---- factories --------------------------------------------------------------------------

#define ETS_SHAPE_FACTORY(NAME, CALL)                                                                    \
    ETS_EXPORT TH ets_##NAME(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,   \
                             int32_t device_index, int32_t requires_grad) {                              \
        ETS_TRY auto sizes = at::IntArrayRef(shape, static_cast<size_t>(ndim));                          \
        auto opts = ets_options(dtype, device_type, device_index, false);                                \
        at::Tensor t = CALL;                                                                             \
        if (requires_grad) t.requires_grad_(true);                                                       \
        return ets_wrap(std::move(t));                                                                   \
        ETS_CATCH(#NAME, nullptr)                                                                        \
    }

ETS_SHAPE_FACTORY(zeros, at::zeros(sizes, opts))
ETS_SHAPE_FACTORY(ones, at::ones(sizes, opts))
ETS_SHAPE_FACTORY(empty, at::empty(sizes, opts))

inline c10::optional<at::Generator> ets_gen(at::Generator* g) {
    if (!g) return c10::nullopt;
    return *g;
}

ETS_EXPORT TH ets_full(const int64_t* shape, int32_t ndim, EtsScalar value, int32_t dtype, int32_t device_type,
                       int32_t device_index, int32_t requires_grad) {
    ETS_TRY auto sizes = at::IntArrayRef(shape, static_cast<size_t>(ndim));
    at::Tensor t = at::full(sizes, ets_scalar(value), ets_options(dtype, device_type, device_index, false));
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("full", nullptr)
}

ETS_EXPORT TH ets_rand(const int64_t* shape, int32_t ndim, at::Generator* gen, int32_t dtype, int32_t device_type,
                       int32_t device_index, int32_t requires_grad) {
    ETS_TRY auto sizes = at::IntArrayRef(shape, static_cast<size_t>(ndim));
    at::Tensor t = at::rand(sizes, ets_gen(gen), ets_options(dtype, device_type, device_index, false));
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("rand", nullptr)
}

ETS_EXPORT TH ets_randn(const int64_t* shape, int32_t ndim, at::Generator* gen, int32_t dtype, int32_t device_type,
                        int32_t device_index, int32_t requires_grad) {
    ETS_TRY auto sizes = at::IntArrayRef(shape, static_cast<size_t>(ndim));
    at::Tensor t = at::randn(sizes, ets_gen(gen), ets_options(dtype, device_type, device_index, false));
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("randn", nullptr)
}

ETS_EXPORT TH ets_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, at::Generator* gen, int32_t dtype,
                          int32_t device_type, int32_t device_index) {
    ETS_TRY auto sizes = at::IntArrayRef(shape, static_cast<size_t>(ndim));
    auto opts = ets_options(dtype < 0 ? static_cast<int32_t>(at::kLong) : dtype, device_type, device_index, false);
    return ets_wrap(at::randint(low, high, sizes, ets_gen(gen), opts));
    ETS_CATCH("randint", nullptr)
}

ETS_EXPORT TH ets_randperm(int64_t n, at::Generator* gen, int32_t dtype, int32_t device_type, int32_t device_index) {
    ETS_TRY auto opts = ets_options(dtype < 0 ? static_cast<int32_t>(at::kLong) : dtype, device_type, device_index, false);
    return ets_wrap(at::randperm(n, ets_gen(gen), opts));
    ETS_CATCH("randperm", nullptr)
}

ETS_EXPORT TH ets_normal(double mean, double std, const int64_t* shape, int32_t ndim, at::Generator* gen, int32_t dtype,
                         int32_t device_type, int32_t device_index, int32_t requires_grad) {
    ETS_TRY auto sizes = at::IntArrayRef(shape, static_cast<size_t>(ndim));
    at::Tensor t = at::normal(mean, std, sizes, ets_gen(gen), ets_options(dtype, device_type, device_index, false));
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("normal", nullptr)
}

ETS_EXPORT TH ets_arange(EtsScalar start, EtsScalar end, EtsScalar step, int32_t dtype, int32_t device_type,
                         int32_t device_index, int32_t requires_grad) {
    ETS_TRY at::Tensor t =
        at::arange(ets_scalar(start), ets_scalar(end), ets_scalar(step), ets_options(dtype, device_type, device_index, false));
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("arange", nullptr)
}

ETS_EXPORT TH ets_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t device_type, int32_t device_index,
                           int32_t requires_grad) {
    ETS_TRY at::Tensor t = at::linspace(start, end, steps, ets_options(dtype, device_type, device_index, false));
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("linspace", nullptr)
}

ETS_EXPORT TH ets_eye(int64_t n, int64_t m, int32_t dtype, int32_t device_type, int32_t device_index, int32_t requires_grad) {
    ETS_TRY at::Tensor t = at::eye(n, m < 0 ? n : m, ets_options(dtype, device_type, device_index, false));
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("eye", nullptr)
}

/// kind: 0 zeros, 1 ones, 2 empty, 3 rand, 4 randn, 5 full
ETS_EXPORT TH ets_like(TH a, int32_t kind, EtsScalar value, int32_t dtype, int32_t device_type, int32_t device_index,
                       int32_t requires_grad) {
    ETS_TRY at::TensorOptions o = a->options().requires_grad(false);
    if (dtype >= 0) o = o.dtype(static_cast<at::ScalarType>(dtype));
    if (device_type >= 0) o = o.device(c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
    at::Tensor t;
    switch (kind) {
        case 0: t = at::zeros_like(*a, o); break;
        case 1: t = at::ones_like(*a, o); break;
        case 2: t = at::empty_like(*a, o); break;
        case 3: t = at::rand_like(*a, o); break;
        case 4: t = at::randn_like(*a, o); break;
        default: t = at::full_like(*a, ets_scalar(value), o); break;
    }
    if (requires_grad) t.requires_grad_(true);
    return ets_wrap(std::move(t));
    ETS_CATCH("like", nullptr)
}

ETS_EXPORT TH ets_randint_like(TH a, int64_t low, int64_t high, int32_t dtype, int32_t device_type, int32_t device_index) {
    ETS_TRY at::TensorOptions o = a->options().requires_grad(false);
    if (dtype >= 0) o = o.dtype(static_cast<at::ScalarType>(dtype));
    if (device_type >= 0) o = o.device(c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
    return ets_wrap(at::randint_like(*a, low, high, o));
    ETS_CATCH("randint_like", nullptr)
}

// ---- conversion -------------------------------------------------------------------------

ETS_EXPORT TH ets_to(TH a, int32_t dtype, int32_t device_type, int32_t device_index, int32_t copy, int32_t non_blocking) {
    ETS_TRY at::TensorOptions o = a->options();
    if (dtype >= 0) o = o.dtype(static_cast<at::ScalarType>(dtype));
    if (device_type >= 0) o = o.device(c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
    return ets_wrap(a->to(o, non_blocking != 0, copy != 0));
    ETS_CATCH("to", nullptr)
}

ETS_EXPORT TH ets_contiguous(TH a, int32_t memory_format) {
    ETS_TRY return ets_wrap(a->contiguous(static_cast<at::MemoryFormat>(memory_format)));
    ETS_CATCH("contiguous", nullptr)
}

ETS_UNARY(clone, a->clone())
ETS_UNARY(detach, a->detach())
ETS_UNARY(alias, at::Tensor(*a))
ETS_UNARY_INPLACE(detach_, a->detach_())

// ---- autograd ---------------------------------------------------------------------------

ETS_EXPORT int32_t ets_requires_grad(TH a) {
    ETS_TRY return a->requires_grad() ? 1 : 0;
    ETS_CATCH("requires_grad", -1)
}

ETS_EXPORT int32_t ets_set_requires_grad(TH a, int32_t value) {
    ETS_TRY a->requires_grad_(value != 0);
    return 0;
    ETS_CATCH("requires_grad", -1)
}

ETS_EXPORT int32_t ets_is_leaf(TH a) {
    ETS_TRY return a->is_leaf() ? 1 : 0;
    ETS_CATCH("is_leaf", -1)
}

ETS_EXPORT int32_t ets_retain_grad(TH a) {
    ETS_TRY a->retain_grad();
    return 0;
    ETS_CATCH("retain_grad", -1)
}

/// Returns 1 and writes the gradient handle when defined, 0 when the tensor has no gradient.
ETS_EXPORT int32_t ets_grad(TH a, TH* out) {
    ETS_TRY const at::Tensor& g = a->grad();
    if (!g.defined()) {
        *out = nullptr;
        return 0;
    }
    *out = ets_wrap(g);
    return 1;
    ETS_CATCH("grad", -1)
}

ETS_EXPORT int32_t ets_set_grad(TH a, TH g) {
    ETS_TRY a->mutable_grad() = g ? *g : at::Tensor();
    return 0;
    ETS_CATCH("grad", -1)
}

ETS_EXPORT int32_t ets_backward(const TH* tensors, int32_t n, const TH* grads, int32_t ngrads, int32_t retain_graph,
                                int32_t create_graph, const TH* inputs, int32_t ninputs) {
    ETS_TRY std::vector<at::Tensor> ts = ets_tensor_list(tensors, n);
    std::vector<at::Tensor> gs;
    for (int32_t k = 0; k < ngrads; ++k) gs.push_back(grads[k] ? *grads[k] : at::Tensor());
    std::vector<at::Tensor> ins = ets_tensor_list(inputs, ninputs);
    c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
    torch::autograd::backward(ts, gs, retain, create_graph != 0, ins);
    return 0;
    ETS_CATCH("backward", -1)
}

/// Writes ninputs gradient handles (nullptr for an unused input when allow_unused).
ETS_EXPORT int32_t ets_autograd_grad(const TH* outputs, int32_t nout, const TH* inputs, int32_t nin, const TH* grad_outputs,
                                     int32_t ngo, int32_t retain_graph, int32_t create_graph, int32_t allow_unused, TH* result) {
    ETS_TRY std::vector<at::Tensor> outs = ets_tensor_list(outputs, nout);
    std::vector<at::Tensor> ins = ets_tensor_list(inputs, nin);
    std::vector<at::Tensor> gos;
    for (int32_t k = 0; k < ngo; ++k) gos.push_back(grad_outputs[k] ? *grad_outputs[k] : at::Tensor());
    c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
    auto grads = torch::autograd::grad(outs, ins, gos, retain, create_graph != 0, allow_unused != 0);
    for (size_t k = 0; k < grads.size(); ++k) result[k] = grads[k].defined() ? ets_wrap(grads[k]) : nullptr;
    return 0;
    ETS_CATCH("autograd.grad", -1)
}

ETS_EXPORT int32_t ets_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }
ETS_EXPORT void ets_set_grad_enabled(int32_t enabled) { c10::GradMode::set_enabled(enabled != 0); }

ETS_EXPORT void* ets_inference_mode_enter(int32_t enabled) {
    ETS_TRY return new c10::InferenceMode(enabled != 0);
    ETS_CATCH("inference_mode", nullptr)
}

ETS_EXPORT void ets_inference_mode_exit(void* guard) { delete static_cast<c10::InferenceMode*>(guard); }
ETS_EXPORT int32_t ets_inference_mode_enabled() { return c10::InferenceMode::is_enabled() ? 1 : 0; }

// ---- RNG, threads -----------------------------------------------------------------------

ETS_EXPORT void ets_manual_seed(int64_t seed) { torch::manual_seed(static_cast<uint64_t>(seed)); }

ETS_EXPORT int64_t ets_initial_seed() { return static_cast<int64_t>(at::detail::getDefaultCPUGenerator().current_seed()); }

ETS_EXPORT at::Generator* ets_default_generator() {
    static at::Generator g = at::detail::getDefaultCPUGenerator();
    return &g;
}

ETS_EXPORT at::Generator* ets_generator_new(int64_t seed) {
    ETS_TRY return new at::Generator(at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed)));
    ETS_CATCH("Generator", nullptr)
}

ETS_EXPORT void ets_generator_free(at::Generator* g) { delete g; }

ETS_EXPORT int32_t ets_generator_manual_seed(at::Generator* g, int64_t seed) {
    ETS_TRY std::lock_guard<std::mutex> lock(g->mutex());
    g->set_current_seed(static_cast<uint64_t>(seed));
    return 0;
    ETS_CATCH("manual_seed", -1)
}

ETS_EXPORT int64_t ets_generator_initial_seed(at::Generator* g) { return static_cast<int64_t>(g->current_seed()); }

ETS_EXPORT int64_t ets_generator_seed(at::Generator* g) {
    ETS_TRY std::lock_guard<std::mutex> lock(g->mutex());
    return static_cast<int64_t>(g->seed());
    ETS_CATCH("seed", -1)
}

ETS_EXPORT TH ets_generator_get_state(at::Generator* g) {
    ETS_TRY std::lock_guard<std::mutex> lock(g->mutex());
    return ets_wrap(g->get_state());
    ETS_CATCH("get_state", nullptr)
}

ETS_EXPORT int32_t ets_generator_set_state(at::Generator* g, TH state) {
    ETS_TRY std::lock_guard<std::mutex> lock(g->mutex());
    g->set_state(*state);
    return 0;
    ETS_CATCH("set_state", -1)
}

ETS_EXPORT void ets_set_num_threads(int32_t n) { at::set_num_threads(n); }
ETS_EXPORT int32_t ets_get_num_threads() { return at::get_num_threads(); }
ETS_EXPORT void ets_set_num_interop_threads(int32_t n) {
    try {
        at::set_num_interop_threads(n);
    } catch (...) {
    }
}

ETS_EXPORT void ets_set_deterministic(int32_t on) { at::globalContext().setDeterministicAlgorithms(on != 0, false); }

ETS_EXPORT int32_t ets_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
ETS_EXPORT int32_t ets_cuda_device_count() { return static_cast<int32_t>(torch::cuda::device_count()); }

// ---- parameters -------------------------------------------------------------------------

/// Turns the tensor behind `t` into an autograd leaf sharing its storage (as nn.Parameter does).
ETS_EXPORT int32_t ets_make_leaf(TH t, int32_t requires_grad) {
    ETS_TRY at::Tensor leaf = t->detach();
    leaf.requires_grad_(requires_grad != 0);
    *t = std::move(leaf);
    return 0;
    ETS_CATCH("Parameter", -1)
}

/// Replaces the data (storage, dtype, device) of `t` keeping its identity, like `p.data = new`.
ETS_EXPORT int32_t ets_set_data(TH t, TH data) {
    ETS_TRY t->set_data(*data);
    return 0;
    ETS_CATCH("set_data", -1)
}
