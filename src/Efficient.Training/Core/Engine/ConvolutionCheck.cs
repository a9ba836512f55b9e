using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp.Modules;

namespace Efficient.Training;

/// <summary>What <see cref="ConvolutionCheck.Run"/> found for a model's convolutions.</summary>
public sealed class ConvolutionCheckResult
{
    internal ConvolutionCheckResult(IReadOnlyList<string> checkedShapes, IReadOnlyList<string> wrong, bool oneDnnDisabled, string? skipped)
    {
        CheckedShapes = checkedShapes;
        WrongShapes = wrong;
        OneDnnDisabled = oneDnnDisabled;
        Skipped = skipped;
    }

    /// <summary>The convolution shapes compared (one line each: module type, channels, kernel, stride, padding, dilation, groups).</summary>
    public IReadOnlyList<string> CheckedShapes { get; }

    /// <summary>The shapes whose oneDNN values (forward, input gradient or weight gradient) differ from libtorch's reference path, with the largest relative error.</summary>
    public IReadOnlyList<string> WrongShapes { get; }

    /// <summary>Whether this check switched oneDNN off for the process because some shape was wrong.</summary>
    public bool OneDnnDisabled { get; }

    /// <summary>Why nothing was compared (no convolution, not on the CPU, oneDNN already off, or the switch is not reachable), or null when shapes were compared.</summary>
    public string? Skipped { get; }

    /// <summary>Whether every compared shape agreed.</summary>
    public bool AllCorrect => WrongShapes.Count == 0;

    /// <summary>A one-paragraph report for a log: what was wrong and what was done, or that all was well.</summary>
    public override string ToString()
    {
        if (Skipped is not null) return $"Convolution check skipped: {Skipped}.";
        if (AllCorrect) return $"Convolution check: oneDNN agrees with libtorch's reference path for {CheckedShapes.Count} convolution shape(s).";
        return "Convolution check: libtorch's oneDNN convolutions give wrong values on this CPU for "
            + string.Join("; ", WrongShapes)
            + (OneDnnDisabled
                ? ". oneDNN is now switched off for this process (correct, but convolutions run slower). Setting ONEDNN_MAX_CPU_ISA=SSE41 in the environment before the process starts keeps oneDNN on a code path that computes these shapes correctly, about 3x faster than without oneDNN; see docs/engine.md."
                : ". oneDNN was left on as requested: training with these shapes computes wrong gradients.");
    }
}

/// <summary>
/// Verifies, before training, that libtorch's oneDNN (MKL-DNN) convolutions compute correct values
/// for the convolution shapes a model uses, and switches oneDNN off for the process when they do not.
/// </summary>
/// <remarks>
/// <para>Why: LibTorch 2.10's oneDNN 3.7.1 computes wrong convolution results on CPUs whose
/// <c>CPUID</c> reports no cache hierarchy (leaves 4 and <c>0x8000001D</c> return zeros, as some
/// virtual machines do; seen on AMD EPYC family 26): with its AVX2 and AVX-512 kernels the input
/// gradient is wrong for batches of two or more when the channel count is not a multiple of the
/// vector block (8 or 16), the forward pass is wrong above 16 channels that are not a multiple of 16,
/// and the unused padding lanes it reads make some runs NaN. The same shapes on other CPUs, and
/// channel counts that are multiples of 16 on these, are correct.</para>
/// <para>How: for each distinct convolution module (<see cref="Convolution"/>: <c>Conv1d</c>,
/// <c>Conv2d</c>, <c>Conv3d</c> and the transposed ones) of a model on the CPU, one forward and
/// backward pass on a batch of two small random inputs runs once with oneDNN and once through
/// libtorch's own kernels (oneDNN switched off around it); the output, the input gradient and the
/// weight gradient must agree within <see cref="RelativeTolerance"/> of the reference's largest
/// magnitude. Each shape is checked once per process. The random inputs come from a private
/// generator: the global random stream, the model's weights and their gradients are untouched.</para>
/// <para>The switch is libtorch's <c>at::Context::setUserEnabledMkldnn</c> (what PyTorch's
/// <c>torch.backends.mkldnn.enabled</c> sets), which TorchSharp 0.107 does not expose; it is called in
/// libtorch_cpu on Linux and macOS. Convolutions a model calls through <c>nn.functional</c> instead of a
/// module are not seen.</para>
/// </remarks>
public static class ConvolutionCheck
{
    /// <summary>Largest accepted difference between oneDNN and the reference path, relative to the reference's largest magnitude (float32 sums of a few hundred terms stay below 1e-5; the failures seen are of order 1).</summary>
    public const double RelativeTolerance = 1e-3;

    private static readonly ConcurrentDictionary<string, string?> Verdicts = new();   // shape -> null (correct) or the error found
    private static readonly object Gate = new();
    private static bool NnpackChecked;

    /// <summary>
    /// Whether libtorch may use oneDNN (MKL-DNN) kernels (libtorch's <c>userEnabledMkldnn</c> flag, on by
    /// default). Setting it affects the whole process.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The flag is not reachable on this platform (Windows).</exception>
    public static bool OneDnnEnabled
    {
        get => Native.UserEnabledMkldnn(Native.Context());
        set => Native.SetUserEnabledMkldnn(Native.Context(), value);
    }

    /// <summary>
    /// Compares oneDNN with libtorch's reference kernels for every distinct convolution shape of
    /// <paramref name="model"/> and, when <paramref name="disableOnMismatch"/> is true and some shape is
    /// wrong, switches oneDNN off for the process (<see cref="OneDnnEnabled"/>).
    /// </summary>
    /// <param name="model">The model whose convolution modules are checked.</param>
    /// <param name="disableOnMismatch">Whether a wrong shape switches oneDNN off (default true).</param>
    /// <returns>What was compared, what was wrong and what was done.</returns>
    public static ConvolutionCheckResult Run(nn.Module model, bool disableOnMismatch = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var convolutions = model.modules().Prepend(model).Distinct().OfType<Convolution>()   // modules() leaves out the model itself
            .Where(c => c.weight is not null && c.weight.device_type == DeviceType.CPU && c.weight.dtype == ScalarType.Float32)
            .GroupBy(Describe)
            .Select(g => (Shape: g.Key, Module: g.First()))
            .ToList();
        if (convolutions.Count == 0) return Skip("the model has no float32 convolution module on the CPU");
        if (!Native.Available) return Skip("libtorch's oneDNN switch is not reachable on this platform");

        lock (Gate)
        {
            if (!OneDnnEnabled) return Skip("oneDNN is switched off in this process");
            // Without oneDNN libtorch asks NNPACK first, and where NNPACK cannot start it logs a warning
            // on every call: switch it off where it is unavailable (it would never run there).
            if (!NnpackChecked)
            {
                NnpackChecked = true;
                if (!Native.NnpackAvailable()) Native.SetUserEnabledNnpack(Native.Context(), false);
            }
            var wrong = new List<string>();
            foreach (var (shape, module) in convolutions)
            {
                var verdict = Verdicts.GetOrAdd(shape, _ => Compare(module));
                if (verdict is not null) wrong.Add($"{shape} ({verdict})");
            }
            var disable = wrong.Count > 0 && disableOnMismatch;
            if (disable) OneDnnEnabled = false;
            return new ConvolutionCheckResult(convolutions.Select(c => c.Shape).ToList(), wrong, disable, skipped: null);
        }
    }

    private static ConvolutionCheckResult Skip(string why) => new(Array.Empty<string>(), Array.Empty<string>(), oneDnnDisabled: false, why);

    private static string Describe(Convolution c) => string.Create(CultureInfo.InvariantCulture,
        $"{c.GetType().Name}({c.in_channels}->{c.out_channels}, kernel [{string.Join(",", c.kernel_size)}], stride [{string.Join(",", c.stride)}], padding [{string.Join(",", c.padding ?? Array.Empty<long>())}]{(c.padding_type is { } pt ? " " + pt : "")}, dilation [{string.Join(",", c.dilation)}], groups {c.groups}, {c.padding_mode})");

    // Null when oneDNN agrees with the reference path; otherwise which value differs and by how much.
    private static string? Compare(Convolution conv)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(20_260_101);
        var spatial = conv.kernel_size.Select((k, i) => conv.transposed ? 6 : Math.Max(8, conv.dilation[i] * (k - 1) + 1 + 2 * conv.stride[i])).ToArray();
        var input = randn(new long[] { 2, conv.in_channels }.Concat(spatial).ToArray(), generator: generator).requires_grad_(true);
        var weight = conv.weight!;

        var withWeight = weight.requires_grad;   // a frozen layer's weight needs (and gets) no gradient

        (Tensor Output, Tensor InputGrad, Tensor? WeightGrad, Tensor OutputGrad) Pass(Tensor? outputGrad)
        {
            using var grad = enable_grad();
            var output = conv.call(input);
            var g = outputGrad ?? randn(output.shape, generator: generator);
            var grads = torch.autograd.grad(new[] { output }, withWeight ? new[] { input, weight } : new[] { input }, new[] { g });
            return (output.detach(), grads[0], withWeight ? grads[1] : null, g);
        }

        var fast = Pass(null);
        OneDnnEnabled = false;
        (Tensor Output, Tensor InputGrad, Tensor? WeightGrad, Tensor OutputGrad) reference;
        try
        {
            reference = Pass(fast.OutputGrad);
        }
        finally
        {
            OneDnnEnabled = true;
        }
        var compared = new List<(string What, Tensor Value, Tensor Reference)> { ("output", fast.Output, reference.Output), ("input gradient", fast.InputGrad, reference.InputGrad) };
        if (withWeight) compared.Add(("weight gradient", fast.WeightGrad!, reference.WeightGrad!));
        var errors = compared
            .Select(e => (e.What, Error: RelativeError(e.Value, e.Reference)))
            .Where(e => !(e.Error <= RelativeTolerance))
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.What} off by {e.Error:G3} relative"))
            .ToList();
        return errors.Count == 0 ? null : string.Join(", ", errors);
    }

    private static double RelativeError(Tensor value, Tensor reference)
    {
        var scale = reference.abs().max().ToDouble();
        var diff = (value.to(ScalarType.Float64) - reference.to(ScalarType.Float64)).abs().max().ToDouble();
        return diff / Math.Max(scale, 1e-30);
    }

    // libtorch's process-wide switch (at::globalContext().setUserEnabledMkldnn), by its Itanium C++ ABI names.
    private static class Native
    {
        private const string Library = "libtorch_cpu";

        public static bool Available { get; } = Probe();

        public static IntPtr Context() => Available
            ? GlobalContext()
            : throw new PlatformNotSupportedException("libtorch's oneDNN switch (at::Context::setUserEnabledMkldnn) is reachable on Linux and macOS only.");

        [DllImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
        private static extern IntPtr GlobalContext();

        [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        public static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

        [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
        public static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

        [DllImport(Library, EntryPoint = "_ZN2at6native17_nnpack_availableEv")]
        [return: MarshalAs(UnmanagedType.I1)]
        public static extern bool NnpackAvailable();

        [DllImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
        [return: MarshalAs(UnmanagedType.I1)]
        public static extern bool UserEnabledMkldnn(IntPtr context);

        private static bool Probe()
        {
            if (OperatingSystem.IsWindows()) return false;
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);   // loads libtorch
                _ = UserEnabledMkldnn(GlobalContext());
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return false;
            }
        }
    }
}
