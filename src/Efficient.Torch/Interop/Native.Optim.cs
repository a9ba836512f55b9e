using System;
using System.Runtime.InteropServices;

namespace Efficient.Torch.Interop;

/// <summary>The shim's optimizer and gradient-utility exports (native/optim.cpp).</summary>
internal static unsafe partial class Native
{
    // ---- optimizer update loops: one call per parameter group; state handles are in/out
    [LibraryImport(Lib)] internal static partial int ets_sgd_step(IntPtr* parameters, IntPtr* momentumBuffers, int n, double lr, double momentum, double dampening, double weightDecay, int nesterov, int maximize);
    [LibraryImport(Lib)] internal static partial int ets_adam_step(IntPtr* parameters, IntPtr* expAvgs, IntPtr* expAvgSqs, IntPtr* maxExpAvgSqs, long* steps, int n, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad, int maximize);
    [LibraryImport(Lib)] internal static partial int ets_adamw_step(IntPtr* parameters, IntPtr* expAvgs, IntPtr* expAvgSqs, IntPtr* maxExpAvgSqs, long* steps, int n, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad, int maximize);
    [LibraryImport(Lib)] internal static partial int ets_zero_grad(IntPtr* parameters, int n, int setToNone);

    // ---- torch.nn.utils
    [LibraryImport(Lib)] internal static partial int ets_clip_grad_norm_(IntPtr* parameters, int n, double maxNorm, double normType, int errorIfNonfinite, out double totalNorm);
    [LibraryImport(Lib)] internal static partial int ets_clip_grad_value_(IntPtr* parameters, int n, double clipValue);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_parameters_to_vector(IntPtr* parameters, int n);
    [LibraryImport(Lib)] internal static partial int ets_vector_to_parameters(TensorHandle vec, IntPtr* parameters, int n);
}
