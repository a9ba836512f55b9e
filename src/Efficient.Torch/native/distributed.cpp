// Distributed data parallelism over libtorch's c10d: one process group per process (Gloo over TCP,
// NCCL when the libtorch was built with it), the collectives torch.distributed exposes, and a
// gradient reducer that all-reduces gradients in buckets as backward produces them.
//
// Every export follows shim.h's conventions (ETS_TRY / ETS_CATCH; failures return -1 / nullptr with
// the c10d message in ets_last_error()). Collectives return an EtsWork* the managed side waits on
// and frees; a synchronous call is "start + wait" on the managed side.
#include "shim.h"

#if __has_include(<gloo/context.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>)
#define ETS_HAVE_GLOO 1
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>
#else
#define ETS_HAVE_GLOO 0
#endif

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

#if ETS_HAVE_GLOO

namespace {

// The backend object: a ProcessGroup in libtorch 1.x, a Backend in 2.x; both expose the same
// collective methods, so it is held by its concrete type.
struct EtsGroup {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#ifdef USE_C10D_NCCL
    c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
    int rank = 0;
    int world = 1;
    std::chrono::milliseconds timeout{std::chrono::minutes(30)};

    template <typename F>
    c10::intrusive_ptr<c10d::Work> run(F&& f) {
#ifdef USE_C10D_NCCL
        if (nccl) return f(*nccl);
#endif
        return f(*gloo);
    }
};

std::mutex g_group_mutex;
std::unique_ptr<EtsGroup> g_group;

EtsGroup& group() {
    TORCH_CHECK(g_group, "the default process group is not initialized: call torch.distributed.init_process_group first");
    return *g_group;
}

std::chrono::milliseconds timeout_or_default(int64_t timeout_ms) {
    if (timeout_ms > 0) return std::chrono::milliseconds(timeout_ms);
    return group().timeout;
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

struct EtsWork {
    c10::intrusive_ptr<c10d::Work> work;
};

void wait_work(const c10::intrusive_ptr<c10d::Work>& work, std::chrono::milliseconds timeout) {
    // Work::wait throws the backend's error (a peer that closed its connection, a timeout).
    work->wait(timeout);
}

}  // namespace

ETS_EXPORT int32_t ets_dist_backend_available(const char* backend) {
    std::string b = backend ? backend : "";
    if (b == "gloo") return 1;
#ifdef USE_C10D_NCCL
    if (b == "nccl") return 1;
#endif
    return 0;
}

ETS_EXPORT int32_t ets_dist_init(const char* backend, const char* master_addr, int32_t master_port, int32_t rank,
                                 int32_t world_size, int64_t timeout_ms) {
    ETS_TRY std::lock_guard<std::mutex> lock(g_group_mutex);
    TORCH_CHECK(!g_group, "the default process group is already initialized (call destroy_process_group first)");
    std::string b = backend ? backend : "";
    std::string host = master_addr ? master_addr : "";
    TORCH_CHECK(world_size >= 1, "world_size must be >= 1, got ", world_size);
    TORCH_CHECK(rank >= 0 && rank < world_size, "rank must be in [0, world_size), got rank ", rank, " with world_size ", world_size);
    TORCH_CHECK(master_port > 0 && master_port < 65536, "master port must be in [1, 65535], got ", master_port);
    TORCH_CHECK(timeout_ms > 0, "timeout must be positive, got ", timeout_ms, " ms");
    auto timeout = std::chrono::milliseconds(timeout_ms);

    auto g = std::make_unique<EtsGroup>();
    g->rank = rank;
    g->world = world_size;
    g->timeout = timeout;

    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(master_port);
    opts.isServer = rank == 0;
    opts.numWorkers = static_cast<size_t>(world_size);
    opts.waitWorkers = true;
    opts.timeout = timeout;
    auto tcp = c10::make_intrusive<c10d::TCPStore>(host, opts);
    g->store = c10::make_intrusive<c10d::PrefixStore>("default_pg/", tcp);

    if (b == "gloo") {
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
        } else if (is_loopback(host)) {
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        } else {
            options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        }
        options->threads = 2;
        g->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(g->store, rank, world_size, options);
    }
#ifdef USE_C10D_NCCL
    else if (b == "nccl") {
        auto options = c10d::ProcessGroupNCCL::Options::create();
        options->timeout = timeout;
        g->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(g->store, rank, world_size, options);
    }
#endif
    else {
        TORCH_CHECK(false, "backend '", b, "' is not available in this libtorch (available: gloo",
#ifdef USE_C10D_NCCL
                    ", nccl",
#endif
                    ")");
    }
    g_group = std::move(g);
    return 0;
    ETS_CATCH("init_process_group", -1)
}

ETS_EXPORT int32_t ets_dist_is_initialized() {
    std::lock_guard<std::mutex> lock(g_group_mutex);
    return g_group ? 1 : 0;
}

ETS_EXPORT int32_t ets_dist_rank() {
    ETS_TRY return group().rank;
    ETS_CATCH("get_rank", -1)
}

ETS_EXPORT int32_t ets_dist_world_size() {
    ETS_TRY return group().world;
    ETS_CATCH("get_world_size", -1)
}

ETS_EXPORT int32_t ets_dist_destroy() {
    ETS_TRY std::unique_ptr<EtsGroup> g;
    {
        std::lock_guard<std::mutex> lock(g_group_mutex);
        TORCH_CHECK(g_group, "the default process group is not initialized");
        g = std::move(g_group);
    }
    g.reset();
    return 0;
    ETS_CATCH("destroy_process_group", -1)
}

ETS_EXPORT void* ets_dist_all_reduce(TH* tensors, int32_t count, int32_t op, int64_t timeout_ms) {
    ETS_TRY auto list = ets_tensor_list(tensors, count);
    c10d::AllreduceOptions opts;
    switch (op) {
        case 0: opts.reduceOp = c10d::ReduceOp::SUM; break;
        case 1: opts.reduceOp = c10d::ReduceOp::PRODUCT; break;
        case 2: opts.reduceOp = c10d::ReduceOp::MIN; break;
        case 3: opts.reduceOp = c10d::ReduceOp::MAX; break;
        default: TORCH_CHECK(false, "unknown reduce op ", op);
    }
    opts.timeout = timeout_or_default(timeout_ms);
    return new EtsWork{group().run([&](auto& pg) { return pg.allreduce(list, opts); })};
    ETS_CATCH("all_reduce", nullptr)
}

ETS_EXPORT void* ets_dist_broadcast(TH tensor, int32_t src, int64_t timeout_ms) {
    ETS_TRY std::vector<at::Tensor> list{*tensor};
    auto& g = group();
    TORCH_CHECK(src >= 0 && src < g.world, "src must be a rank in [0, ", g.world, "), got ", src);
    c10d::BroadcastOptions opts;
    opts.rootRank = src;
    opts.timeout = timeout_or_default(timeout_ms);
    return new EtsWork{g.run([&](auto& pg) { return pg.broadcast(list, opts); })};
    ETS_CATCH("broadcast", nullptr)
}

ETS_EXPORT void* ets_dist_all_gather(TH* outputs, int32_t count, TH input, int64_t timeout_ms) {
    ETS_TRY auto& g = group();
    TORCH_CHECK(count == g.world, "all_gather needs one output tensor per rank (", g.world, "), got ", count);
    std::vector<std::vector<at::Tensor>> out{ets_tensor_list(outputs, count)};
    std::vector<at::Tensor> in{*input};
    c10d::AllgatherOptions opts;
    opts.timeout = timeout_or_default(timeout_ms);
    return new EtsWork{g.run([&](auto& pg) { return pg.allgather(out, in, opts); })};
    ETS_CATCH("all_gather", nullptr)
}

ETS_EXPORT void* ets_dist_barrier(int64_t timeout_ms) {
    ETS_TRY c10d::BarrierOptions opts;
    opts.timeout = timeout_or_default(timeout_ms);
    return new EtsWork{group().run([&](auto& pg) { return pg.barrier(opts); })};
    ETS_CATCH("barrier", nullptr)
}

ETS_EXPORT int32_t ets_dist_work_wait(void* work, int64_t timeout_ms) {
    ETS_TRY TORCH_CHECK(work, "the work handle is null");
    auto timeout = timeout_ms > 0 ? std::chrono::milliseconds(timeout_ms) : timeout_or_default(0);
    wait_work(static_cast<EtsWork*>(work)->work, timeout);
    return 0;
    ETS_CATCH("wait", -1)
}

ETS_EXPORT int32_t ets_dist_work_is_completed(void* work) {
    ETS_TRY TORCH_CHECK(work, "the work handle is null");
    return static_cast<EtsWork*>(work)->work->isCompleted() ? 1 : 0;
    ETS_CATCH("is_completed", -1)
}

ETS_EXPORT void ets_dist_work_free(void* work) { delete static_cast<EtsWork*>(work); }

// ---- the gradient reducer (DistributedDataParallel's engine) ------------------------------
//
// Parameters are assigned to buckets in reverse order (backward produces the last layers'
// gradients first), each bucket holding at most `bucket_cap_bytes` (a parameter larger than the
// cap gets a bucket of its own). A post hook on each parameter's gradient accumulator marks the
// parameter ready once its gradient is accumulated; when every parameter of a bucket is ready the
// bucket's gradients are flattened, divided by the world size and all-reduced asynchronously
// (buckets launch strictly in order, so every rank issues the same sequence of collectives).
// finish() launches what is left (parameters that got no gradient contribute zeros), waits for
// every bucket and copies the averaged gradients back.

namespace {

struct EtsReducer;

struct ReadyHook : torch::autograd::FunctionPostHook {
    EtsReducer* reducer;
    size_t index;
    ReadyHook(EtsReducer* r, size_t i) : reducer(r), index(i) {}
    torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                              const torch::autograd::variable_list& inputs) override;
};

struct EtsReducer {
    std::vector<at::Tensor> params;
    std::vector<std::vector<size_t>> buckets;
    std::vector<size_t> bucket_of;
    std::vector<size_t> pending;
    std::vector<at::Tensor> flat;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    std::vector<bool> ready;
    size_t next_launch = 0;
    bool sync_enabled = true;
    bool round_active = false;
    std::string error;
    std::chrono::milliseconds timeout{0};
    std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
    std::vector<uintptr_t> hook_keys;
    std::mutex mu;

    void reset_round() {
        for (size_t b = 0; b < buckets.size(); ++b) pending[b] = buckets[b].size();
        std::fill(ready.begin(), ready.end(), false);
        works.assign(buckets.size(), c10::intrusive_ptr<c10d::Work>());
        flat.assign(buckets.size(), at::Tensor());
        next_launch = 0;
        round_active = false;
    }

    void launch(size_t b) {
        at::NoGradGuard no_grad;
        std::vector<at::Tensor> pieces;
        pieces.reserve(buckets[b].size());
        for (size_t i : buckets[b]) {
            const auto& p = params[i];
            const auto& g = p.grad();
            pieces.push_back(g.defined() ? g.reshape(-1) : at::zeros({p.numel()}, p.options()));
        }
        auto buffer = at::cat(pieces);
        auto& g = group();
        if (g.world > 1) buffer.div_(g.world);
        std::vector<at::Tensor> list{buffer};
        c10d::AllreduceOptions opts;
        opts.reduceOp = c10d::ReduceOp::SUM;
        opts.timeout = timeout;
        works[b] = g.run([&](auto& pg) { return pg.allreduce(list, opts); });
        flat[b] = buffer;
    }

    void launch_ready_in_order() {
        while (next_launch < buckets.size() && pending[next_launch] == 0) {
            launch(next_launch);
            ++next_launch;
        }
    }

    void on_ready(size_t i) {
        std::lock_guard<std::mutex> lock(mu);
        if (!sync_enabled || !error.empty()) return;
        try {
            if (ready[i]) {
                error = "the gradient of parameter " + std::to_string(i) +
                        " was produced twice before the gradients were synchronized: call the reducer's finish "
                        "(DistributedDataParallel.FinishGradientSync) after each backward, or run extra backward "
                        "passes inside no_sync()";
                return;
            }
            round_active = true;
            ready[i] = true;
            --pending[bucket_of[i]];
            launch_ready_in_order();
        } catch (const c10::Error& e) {
            error = e.what_without_backtrace();
        } catch (const std::exception& e) {
            error = e.what();
        }
    }

    void finish() {
        std::lock_guard<std::mutex> lock(mu);
        if (!error.empty()) {
            std::string message = error;
            error.clear();
            reset_round();
            TORCH_CHECK(false, message);
        }
        if (!round_active) return;
        try {
            while (next_launch < buckets.size()) {
                launch(next_launch);
                ++next_launch;
            }
            at::NoGradGuard no_grad;
            for (size_t b = 0; b < buckets.size(); ++b) {
                works[b]->wait(timeout);
                int64_t offset = 0;
                for (size_t i : buckets[b]) {
                    auto& p = params[i];
                    auto n = p.numel();
                    auto averaged = flat[b].narrow(0, offset, n).view(p.sizes());
                    offset += n;
                    auto& grad = p.mutable_grad();
                    if (grad.defined()) {
                        grad.copy_(averaged);
                    } else {
                        grad = averaged.clone();
                    }
                }
            }
        } catch (...) {
            reset_round();
            throw;
        }
        reset_round();
    }
};

torch::autograd::variable_list ReadyHook::operator()(const torch::autograd::variable_list& outputs,
                                                     const torch::autograd::variable_list&) {
    reducer->on_ready(index);
    return outputs;
}

}  // namespace

ETS_EXPORT void* ets_dist_reducer_new(TH* params, int32_t count, int64_t bucket_cap_bytes, int64_t timeout_ms) {
    ETS_TRY group();
    TORCH_CHECK(count > 0, "the reducer needs at least one parameter");
    TORCH_CHECK(bucket_cap_bytes > 0, "bucket_cap_bytes must be positive, got ", bucket_cap_bytes);
    auto r = std::make_unique<EtsReducer>();
    r->params = ets_tensor_list(params, count);
    r->timeout = timeout_or_default(timeout_ms);
    for (size_t i = 0; i < r->params.size(); ++i) {
        TORCH_CHECK(r->params[i].requires_grad() && r->params[i].is_leaf(),
                    "parameter ", i, " must be a leaf tensor that requires grad");
    }
    // Reverse order: the last parameters' gradients are ready first.
    r->bucket_of.assign(r->params.size(), 0);
    int64_t bytes = 0;
    for (size_t k = r->params.size(); k-- > 0;) {
        const auto& p = r->params[k];
        int64_t size = p.numel() * static_cast<int64_t>(p.element_size());
        if (r->buckets.empty() || (bytes > 0 && bytes + size > bucket_cap_bytes) ||
            p.scalar_type() != r->params[r->buckets.back().front()].scalar_type()) {
            r->buckets.emplace_back();
            bytes = 0;
        }
        r->buckets.back().push_back(k);
        r->bucket_of[k] = r->buckets.size() - 1;
        bytes += size;
    }
    r->pending.assign(r->buckets.size(), 0);
    r->ready.assign(r->params.size(), false);
    r->reset_round();
    for (size_t i = 0; i < r->params.size(); ++i) {
        auto acc = torch::autograd::impl::grad_accumulator(r->params[i]);
        TORCH_CHECK(acc, "parameter ", i, " has no gradient accumulator");
        r->hook_keys.push_back(acc->add_post_hook(std::make_unique<ReadyHook>(r.get(), i)));
        r->accumulators.push_back(std::move(acc));
    }
    return r.release();
    ETS_CATCH("DistributedDataParallel", nullptr)
}

ETS_EXPORT int32_t ets_dist_reducer_set_sync(void* reducer, int32_t enabled) {
    ETS_TRY TORCH_CHECK(reducer, "the reducer is null");
    auto* r = static_cast<EtsReducer*>(reducer);
    std::lock_guard<std::mutex> lock(r->mu);
    r->sync_enabled = enabled != 0;
    return 0;
    ETS_CATCH("no_sync", -1)
}

ETS_EXPORT int32_t ets_dist_reducer_finish(void* reducer) {
    ETS_TRY TORCH_CHECK(reducer, "the reducer is null");
    static_cast<EtsReducer*>(reducer)->finish();
    return 0;
    ETS_CATCH("gradient all_reduce", -1)
}

/// Writes each bucket's parameter count into `sizes` (when not null) and returns the bucket count.
ETS_EXPORT int32_t ets_dist_reducer_buckets(void* reducer, int32_t* sizes, int32_t* members) {
    ETS_TRY TORCH_CHECK(reducer, "the reducer is null");
    auto* r = static_cast<EtsReducer*>(reducer);
    size_t m = 0;
    for (size_t b = 0; b < r->buckets.size(); ++b) {
        if (sizes) sizes[b] = static_cast<int32_t>(r->buckets[b].size());
        for (size_t i : r->buckets[b]) {
            if (members) members[m] = static_cast<int32_t>(i);
            ++m;
        }
    }
    return static_cast<int32_t>(r->buckets.size());
    ETS_CATCH("buckets", -1)
}

ETS_EXPORT void ets_dist_reducer_free(void* reducer) {
    auto* r = static_cast<EtsReducer*>(reducer);
    if (!r) return;
    try {
        for (size_t i = 0; i < r->accumulators.size(); ++i) r->accumulators[i]->del_post_hook(r->hook_keys[i]);
        for (auto& w : r->works) {
            if (w) w->wait(r->timeout);
        }
    } catch (...) {
    }
    delete r;
}

#else  // no Gloo headers at build time

namespace {
const char* kNoGloo =
    "this Efficient.Torch shim was built without the Gloo headers, so torch.distributed is unavailable "
    "(install libgloo-dev, e.g. scripts/install-deps.sh, and rebuild)";
}

ETS_EXPORT int32_t ets_dist_backend_available(const char*) { return 0; }
ETS_EXPORT int32_t ets_dist_init(const char*, const char*, int32_t, int32_t, int32_t, int64_t) {
    ets_set_error("init_process_group", kNoGloo);
    return -1;
}
ETS_EXPORT int32_t ets_dist_is_initialized() { return 0; }
ETS_EXPORT int32_t ets_dist_rank() { ets_set_error("get_rank", kNoGloo); return -1; }
ETS_EXPORT int32_t ets_dist_world_size() { ets_set_error("get_world_size", kNoGloo); return -1; }
ETS_EXPORT int32_t ets_dist_destroy() { ets_set_error("destroy_process_group", kNoGloo); return -1; }
ETS_EXPORT void* ets_dist_all_reduce(TH*, int32_t, int32_t, int64_t) { ets_set_error("all_reduce", kNoGloo); return nullptr; }
ETS_EXPORT void* ets_dist_broadcast(TH, int32_t, int64_t) { ets_set_error("broadcast", kNoGloo); return nullptr; }
ETS_EXPORT void* ets_dist_all_gather(TH*, int32_t, TH, int64_t) { ets_set_error("all_gather", kNoGloo); return nullptr; }
ETS_EXPORT void* ets_dist_barrier(int64_t) { ets_set_error("barrier", kNoGloo); return nullptr; }
ETS_EXPORT int32_t ets_dist_work_wait(void*, int64_t) { ets_set_error("wait", kNoGloo); return -1; }
ETS_EXPORT int32_t ets_dist_work_is_completed(void*) { ets_set_error("is_completed", kNoGloo); return -1; }
ETS_EXPORT void ets_dist_work_free(void*) {}
ETS_EXPORT void* ets_dist_reducer_new(TH*, int32_t, int64_t, int64_t) { ets_set_error("DistributedDataParallel", kNoGloo); return nullptr; }
ETS_EXPORT int32_t ets_dist_reducer_set_sync(void*, int32_t) { ets_set_error("no_sync", kNoGloo); return -1; }
ETS_EXPORT int32_t ets_dist_reducer_finish(void*) { ets_set_error("gradient all_reduce", kNoGloo); return -1; }
ETS_EXPORT int32_t ets_dist_reducer_buckets(void*, int32_t*, int32_t*) { ets_set_error("buckets", kNoGloo); return -1; }
ETS_EXPORT void ets_dist_reducer_free(void*) {}

#endif
