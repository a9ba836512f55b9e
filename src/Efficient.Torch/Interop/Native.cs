using System;
using System.Runtime.InteropServices;

namespace Efficient.Torch.Interop;

/// <summary>Owns one native <c>at::Tensor*</c>; releasing it frees the native tensor.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr existing) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(existing);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.ets_tensor_free(handle);
        return true;
    }
}

/// <summary>A tagged scalar passed by value to the shim (layout mirrors <c>EtsScalar</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct EtsScalar
{
    public readonly double D;
    public readonly long I;
    public readonly int Kind;

    public EtsScalar(double d, long i, int kind)
    {
        D = d;
        I = i;
        Kind = kind;
    }

    public static readonly EtsScalar One = new(1.0, 1, 1);
}

/// <summary>The shim's exports and the error check that turns a native failure into an exception.</summary>
internal static unsafe partial class Native
{
    internal const string Lib = "EfficientTorchNative";

    /// <summary>Throws the pending native error when <paramref name="h"/> is invalid.</summary>
    internal static TensorHandle Check(TensorHandle h)
    {
        if (h.IsInvalid) ThrowLastError();
        return h;
    }

    internal static void Check(int rc)
    {
        if (rc < 0) ThrowLastError();
    }

    internal static long Check(long value)
    {
        if (value < 0) ThrowLastError();
        return value;
    }

    internal static void ThrowLastError()
    {
        var message = Marshal.PtrToStringUTF8(ets_last_error()) ?? "unknown native error";
        ets_clear_error();
        throw new ExternalException(message);
    }

    // ---- bookkeeping
    [LibraryImport(Lib)] internal static partial IntPtr ets_last_error();
    [LibraryImport(Lib)] internal static partial void ets_clear_error();
    [LibraryImport(Lib)] internal static partial long ets_live_tensors();
    [LibraryImport(Lib)] internal static partial void ets_free_handle_array(IntPtr array);
    [LibraryImport(Lib)] internal static partial IntPtr ets_version();
    [LibraryImport(Lib)] internal static partial void ets_tensor_free(IntPtr t);

    // ---- metadata
    [LibraryImport(Lib)] internal static partial long ets_dim(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ets_shape(TensorHandle t, long* output);
    [LibraryImport(Lib)] internal static partial int ets_strides(TensorHandle t, long* output);
    [LibraryImport(Lib)] internal static partial long ets_numel(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ets_dtype(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ets_device_type(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ets_device_index(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ets_is_contiguous(TensorHandle t, int memoryFormat);
    [LibraryImport(Lib)] internal static partial long ets_element_size(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long ets_storage_offset(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr ets_data_ptr(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr ets_to_string(TensorHandle t);
    [LibraryImport(Lib)] internal static partial void ets_free_string(IntPtr s);
    [LibraryImport(Lib)] internal static partial int ets_item(TensorHandle t, void* output);
    [LibraryImport(Lib)] internal static partial int ets_copy_to_buffer(TensorHandle t, void* output, long capacity, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_from_buffer(void* data, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_scalar_tensor(EtsScalar s, int dtype, int deviceType, int deviceIndex, int requiresGrad);

    // ---- factories
    [LibraryImport(Lib)] internal static partial TensorHandle ets_zeros(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_ones(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_empty(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_full(long* shape, int ndim, EtsScalar value, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_rand(long* shape, int ndim, IntPtr generator, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_randn(long* shape, int ndim, IntPtr generator, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_randint(long low, long high, long* shape, int ndim, IntPtr generator, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_randperm(long n, IntPtr generator, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_normal(double mean, double std, long* shape, int ndim, IntPtr generator, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_arange(EtsScalar start, EtsScalar end, EtsScalar step, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_linspace(double start, double end, long steps, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_eye(long n, long m, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_like(TensorHandle a, int kind, EtsScalar value, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_randint_like(TensorHandle a, long low, long high, int dtype, int deviceType, int deviceIndex);

    // ---- conversion, autograd
    [LibraryImport(Lib)] internal static partial TensorHandle ets_to(TensorHandle a, int dtype, int deviceType, int deviceIndex, int copy, int nonBlocking);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_contiguous(TensorHandle a, int memoryFormat);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_clone(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_detach(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_alias(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_detach_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_requires_grad(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_set_requires_grad(TensorHandle a, int value);
    [LibraryImport(Lib)] internal static partial int ets_is_leaf(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_retain_grad(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_grad(TensorHandle a, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int ets_set_grad(TensorHandle a, IntPtr grad);
    [LibraryImport(Lib)] internal static partial int ets_backward(IntPtr* tensors, int n, IntPtr* grads, int ngrads, int retainGraph, int createGraph, IntPtr* inputs, int ninputs);
    [LibraryImport(Lib)] internal static partial int ets_autograd_grad(IntPtr* outputs, int nout, IntPtr* inputs, int nin, IntPtr* gradOutputs, int ngo, int retainGraph, int createGraph, int allowUnused, IntPtr* result);
    [LibraryImport(Lib)] internal static partial int ets_grad_enabled();
    [LibraryImport(Lib)] internal static partial void ets_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial IntPtr ets_inference_mode_enter(int enabled);
    [LibraryImport(Lib)] internal static partial void ets_inference_mode_exit(IntPtr guard);
    [LibraryImport(Lib)] internal static partial int ets_inference_mode_enabled();

    [LibraryImport(Lib)] internal static partial int ets_make_leaf(TensorHandle t, int requiresGrad);
    [LibraryImport(Lib)] internal static partial int ets_set_data(TensorHandle t, TensorHandle data);

    // ---- RNG, threads, devices
    [LibraryImport(Lib)] internal static partial void ets_manual_seed(long seed);
    [LibraryImport(Lib)] internal static partial long ets_initial_seed();
    [LibraryImport(Lib)] internal static partial IntPtr ets_default_generator();
    [LibraryImport(Lib)] internal static partial IntPtr ets_generator_new(long seed);
    [LibraryImport(Lib)] internal static partial void ets_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int ets_generator_manual_seed(IntPtr g, long seed);
    [LibraryImport(Lib)] internal static partial long ets_generator_initial_seed(IntPtr g);
    [LibraryImport(Lib)] internal static partial long ets_generator_seed(IntPtr g);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_generator_get_state(IntPtr g);
    [LibraryImport(Lib)] internal static partial int ets_generator_set_state(IntPtr g, TensorHandle state);
    [LibraryImport(Lib)] internal static partial void ets_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int ets_get_num_threads();
    [LibraryImport(Lib)] internal static partial void ets_set_num_interop_threads(int n);
    [LibraryImport(Lib)] internal static partial void ets_set_deterministic(int on);
    [LibraryImport(Lib)] internal static partial int ets_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int ets_cuda_device_count();

    // ---- arithmetic
    [LibraryImport(Lib)] internal static partial TensorHandle ets_add(TensorHandle a, TensorHandle b, EtsScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_add_scalar(TensorHandle a, EtsScalar b, EtsScalar alpha);
    [LibraryImport(Lib)] internal static partial int ets_add_(TensorHandle a, TensorHandle b, EtsScalar alpha);
    [LibraryImport(Lib)] internal static partial int ets_add_scalar_(TensorHandle a, EtsScalar b, EtsScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_sub(TensorHandle a, TensorHandle b, EtsScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_sub_scalar(TensorHandle a, EtsScalar b, EtsScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_rsub_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial int ets_sub_(TensorHandle a, TensorHandle b, EtsScalar alpha);
    [LibraryImport(Lib)] internal static partial int ets_sub_scalar_(TensorHandle a, EtsScalar b, EtsScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_mul_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial int ets_mul_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int ets_mul_scalar_(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_div(TensorHandle a, TensorHandle b, int rounding);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_div_scalar(TensorHandle a, EtsScalar b, int rounding);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_rdiv_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial int ets_div_(TensorHandle a, TensorHandle b, int rounding);
    [LibraryImport(Lib)] internal static partial int ets_div_scalar_(TensorHandle a, EtsScalar b, int rounding);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_remainder(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_remainder_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_pow(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_pow_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_rpow_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial int ets_pow_scalar_(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_maximum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_minimum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_atan2(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_bitwise_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_bitwise_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_bitwise_xor(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_bitwise_not(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_logical_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_logical_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_logical_not(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_copy_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int ets_zero_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_fill_(TensorHandle a, EtsScalar value);
    [LibraryImport(Lib)] internal static partial int ets_lerp_(TensorHandle a, TensorHandle end, TensorHandle weight);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_lerp(TensorHandle a, TensorHandle end, TensorHandle weight);
    [LibraryImport(Lib)] internal static partial int ets_addcmul_(TensorHandle a, TensorHandle t1, TensorHandle t2, EtsScalar value);
    [LibraryImport(Lib)] internal static partial int ets_addcdiv_(TensorHandle a, TensorHandle t1, TensorHandle t2, EtsScalar value);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_clamp(TensorHandle a, int hasMin, EtsScalar min, int hasMax, EtsScalar max);
    [LibraryImport(Lib)] internal static partial int ets_clamp_(TensorHandle a, int hasMin, EtsScalar min, int hasMax, EtsScalar max);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_clamp_tensor(TensorHandle a, IntPtr min, IntPtr max);
    [LibraryImport(Lib)] internal static partial int ets_clamp_tensor_(TensorHandle a, IntPtr min, IntPtr max);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_where(TensorHandle cond, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_nan_to_num(TensorHandle a, double nan, int hasPos, double posinf, int hasNeg, double neginf);

    // ---- comparison
    [LibraryImport(Lib)] internal static partial TensorHandle ets_eq(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_ne(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_lt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_le(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_gt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_ge(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_eq_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_ne_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_lt_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_le_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_gt_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_ge_scalar(TensorHandle a, EtsScalar b);
    [LibraryImport(Lib)] internal static partial int ets_equal(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int ets_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, int equalNan);

    // ---- unary math
    [LibraryImport(Lib)] internal static partial TensorHandle ets_neg(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_abs(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_exp(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_log(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_log1p(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_expm1(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_sqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_rsqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_square(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_sin(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_cos(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_tan(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_tanh(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_sigmoid(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_relu(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_sign(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_floor(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_ceil(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_trunc(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_reciprocal(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_erf(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_isnan(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_isinf(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_isfinite(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_neg_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_exp_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_log_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_sqrt_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_abs_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_relu_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_sigmoid_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_tanh_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_round(TensorHandle a, long decimals);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_softmax(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_log_softmax(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_cumsum(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_logsumexp(TensorHandle a, long dim, int keepdim);

    // ---- linear algebra
    [LibraryImport(Lib)] internal static partial TensorHandle ets_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_mm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_bmm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_outer(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial TensorHandle ets_einsum(string equation, IntPtr* tensors, int n);

    // ---- reductions
    [LibraryImport(Lib)] internal static partial TensorHandle ets_sum(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_sum_dims(TensorHandle a, long* dims, int n, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_mean(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_mean_dims(TensorHandle a, long* dims, int n, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_prod(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_prod_dim(TensorHandle a, long dim, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_max_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_min_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_argmax_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_argmin_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_all_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_any_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int ets_max_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int ets_min_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_argmax_dim(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_argmin_dim(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_all_dim(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_any_dim(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_norm(TensorHandle a, double p);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_norm_dim(TensorHandle a, long dim, int keepdim, double p);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_var(TensorHandle a, long* dims, int n, int unbiased, int keepdim, int all);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_std(TensorHandle a, long* dims, int n, int unbiased, int keepdim, int all);
    [LibraryImport(Lib)] internal static partial int ets_topk(TensorHandle a, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int ets_sort(TensorHandle a, long dim, int descending, int stable, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_argsort(TensorHandle a, long dim, int descending);

    // ---- shape
    [LibraryImport(Lib)] internal static partial TensorHandle ets_reshape(TensorHandle a, long* shape, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_view(TensorHandle a, long* shape, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_flatten(TensorHandle a, long start, long end);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_permute(TensorHandle a, long* dims, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_transpose(TensorHandle a, long d0, long d1);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_t(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_squeeze(TensorHandle a, int hasDim, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_unsqueeze(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_expand(TensorHandle a, long* sizes, int n, int isImplicit);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_repeat(TensorHandle a, long* sizes, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_tile(TensorHandle a, long* reps, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_flip(TensorHandle a, long* dims, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_roll(TensorHandle a, long* shifts, int ns, long* dims, int nd);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_narrow(TensorHandle a, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_select(TensorHandle a, long dim, long index);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_slice(TensorHandle a, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_index_select(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_gather(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_scatter(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int ets_scatter_(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_scatter_add(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_masked_fill(TensorHandle a, TensorHandle mask, EtsScalar value);
    [LibraryImport(Lib)] internal static partial int ets_masked_fill_(TensorHandle a, TensorHandle mask, EtsScalar value);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_masked_select(TensorHandle a, TensorHandle mask);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_cat(IntPtr* tensors, int n, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_stack(IntPtr* tensors, int n, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr ets_split_size(TensorHandle a, long size, long dim, out int count);
    [LibraryImport(Lib)] internal static partial IntPtr ets_split_sizes(TensorHandle a, long* sizes, int n, long dim, out int count);
    [LibraryImport(Lib)] internal static partial IntPtr ets_chunk(TensorHandle a, long chunks, long dim, out int count);
    [LibraryImport(Lib)] internal static partial IntPtr ets_unbind(TensorHandle a, long dim, out int count);
    [LibraryImport(Lib)] internal static partial IntPtr ets_nonzero_tuple(TensorHandle a, out int count);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_index(TensorHandle a, int* kinds, long* starts, long* stops, long* steps, int* flags, IntPtr* tensors, int n);
    [LibraryImport(Lib)] internal static partial int ets_index_put_(TensorHandle a, int* kinds, long* starts, long* stops, long* steps, int* flags, IntPtr* tensors, int n, TensorHandle value, int accumulate);
    [LibraryImport(Lib)] internal static partial int ets_index_put_scalar_(TensorHandle a, int* kinds, long* starts, long* stops, long* steps, int* flags, IntPtr* tensors, int n, EtsScalar value);

    // ---- random in place
    [LibraryImport(Lib)] internal static partial int ets_uniform_(TensorHandle a, double from, double to, IntPtr generator);
    [LibraryImport(Lib)] internal static partial int ets_normal_(TensorHandle a, double mean, double std, IntPtr generator);
    [LibraryImport(Lib)] internal static partial int ets_bernoulli_p_(TensorHandle a, double p, IntPtr generator);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_bernoulli(TensorHandle a, IntPtr generator);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_multinomial(TensorHandle a, long n, int replacement, IntPtr generator);

    // ---- nn.functional
    [LibraryImport(Lib)] internal static partial TensorHandle ets_linear(TensorHandle input, TensorHandle weight, IntPtr bias);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_conv2d(TensorHandle input, TensorHandle weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_conv1d(TensorHandle input, TensorHandle weight, IntPtr bias, long stride, long padding, long dilation, long groups);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_batch_norm(TensorHandle input, IntPtr runningMean, IntPtr runningVar, IntPtr weight, IntPtr bias, int training, double momentum, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_layer_norm(TensorHandle input, long* shape, int n, IntPtr weight, IntPtr bias, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_group_norm(TensorHandle input, long groups, IntPtr weight, IntPtr bias, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_adaptive_avg_pool2d(TensorHandle input, long* size);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_max_pool2d(TensorHandle input, long* kernel, long* stride, long* padding, long* dilation, int ceilMode);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_avg_pool2d(TensorHandle input, long* kernel, long* stride, long* padding, int ceilMode, int countIncludePad, long divisor);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_dropout(TensorHandle input, double p, int training);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_gelu(TensorHandle input, int tanhApprox);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_silu(TensorHandle input);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_leaky_relu(TensorHandle input, double slope);
    [LibraryImport(Lib)] internal static partial int ets_dropout_(TensorHandle input, double p, int training);
    [LibraryImport(Lib)] internal static partial int ets_silu_(TensorHandle input);
    [LibraryImport(Lib)] internal static partial int ets_leaky_relu_(TensorHandle input, double slope);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_embedding(TensorHandle input, TensorHandle weight, long paddingIdx);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_cross_entropy(TensorHandle input, TensorHandle target, IntPtr weight, long ignoreIndex, long reduction, double labelSmoothing);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_nll_loss(TensorHandle input, TensorHandle target, IntPtr weight, long ignoreIndex, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_mse_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_kl_div(TensorHandle input, TensorHandle target, long reduction, int logTarget);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_binary_cross_entropy_with_logits(TensorHandle input, TensorHandle target, IntPtr weight, IntPtr posWeight, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_one_hot(TensorHandle input, long numClasses);

    // ---- layers (native/layers.cpp)
    [LibraryImport(Lib)] internal static partial TensorHandle ets_pad(TensorHandle input, long* pad, int n, int mode, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_interpolate(TensorHandle input, long* size, int nsize, double* scale, int nscale, int mode, int alignCorners, int recomputeScaleFactor, int antialias);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_unfold(TensorHandle input, long* kernel, long* dilation, long* padding, long* stride);
    [LibraryImport(Lib)] internal static partial int ets_max_pool2d_with_indices(TensorHandle input, long* kernel, long* stride, long* padding, long* dilation, int ceilMode, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_normalize(TensorHandle input, double p, long dim, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_cosine_similarity(TensorHandle x1, TensorHandle x2, long dim, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_l1_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_smooth_l1_loss(TensorHandle input, TensorHandle target, long reduction, double beta);
    [LibraryImport(Lib)] internal static partial int ets_gelu_(TensorHandle input, int tanhApprox);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_embedding_ex(TensorHandle input, TensorHandle weight, long paddingIdx, double maxNorm, double normType, int scaleGradByFreq, int sparse);
    [LibraryImport(Lib)] internal static partial int ets_trunc_normal_(TensorHandle t, double mean, double std, double a, double b, IntPtr generator);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_scaled_dot_product_attention(TensorHandle query, TensorHandle key, TensorHandle value, IntPtr attnMask, double dropoutP, int isCausal);
    [LibraryImport(Lib)] internal static partial int ets_multi_head_attention(IntPtr query, IntPtr key, IntPtr value, long numHeads, IntPtr inProjWeight, IntPtr inProjBias, IntPtr qProjWeight, IntPtr kProjWeight, IntPtr vProjWeight, IntPtr biasK, IntPtr biasV, int addZeroAttn, double dropoutP, IntPtr outProjWeight, IntPtr outProjBias, int training, IntPtr keyPaddingMask, int needWeights, IntPtr attnMask, int averageAttnWeights, out IntPtr output, out IntPtr weights);
}
