using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace Efficient.Training.Evaluation;

/// <summary>The deployment footprint users compare next to accuracy and training time.</summary>
/// <param name="Parameters">Number of parameters (elements of every parameter tensor).</param>
/// <param name="ModelBytes">Size on disk of the saved model (<c>Module.save</c>, weights and buffers).</param>
/// <param name="LatencyMsPerSample">Median inference latency per sample in milliseconds (eval mode, no gradients), or null when not measured.</param>
public sealed record Footprint(long Parameters, long ModelBytes, double? LatencyMsPerSample)
{
    /// <summary>
    /// Measures <paramref name="model"/>: parameters, bytes on disk (saved to a temporary file that
    /// is deleted), and, when <paramref name="input"/> is given, the median over
    /// <paramref name="repeats"/> timed forward passes (after <paramref name="warmup"/> untimed ones)
    /// divided by the batch size. The model's training mode is restored.
    /// </summary>
    public static Footprint Measure(nn.Module<Tensor, Tensor> model, Tensor? input = null, int repeats = 10, int warmup = 2)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "Footprint: repeats must be at least 1.");
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "Footprint: warmup must not be negative.");
        if (input is not null && input.dim() == 0) throw new ArgumentException("Footprint: the input must be a batch (dimension 0 = samples), got a scalar.", nameof(input));
        var parameters = model.parameters().Sum(p => p.numel());
        var file = Path.Combine(Path.GetTempPath(), $"footprint-{Guid.NewGuid():N}.bin");
        long bytes;
        try
        {
            ModelFile.Save(model, file);
            bytes = new FileInfo(file).Length;
        }
        finally
        {
            if (File.Exists(file)) File.Delete(file);
        }
        double? latency = null;
        if (input is not null)
        {
            var wasTraining = model.training;
            model.eval();
            try
            {
                using var _ = no_grad();
                var times = new double[repeats];
                for (var i = -warmup; i < repeats; i++)
                {
                    using var scope = NewDisposeScope();
                    var watch = Stopwatch.StartNew();
                    model.call(input);
                    if (i >= 0) times[i] = watch.Elapsed.TotalMilliseconds;
                }
                Array.Sort(times);
                var median = repeats % 2 == 1 ? times[repeats / 2] : (times[repeats / 2 - 1] + times[repeats / 2]) / 2;
                latency = median / input.shape[0];
            }
            finally
            {
                model.train(wasTraining);
            }
        }
        return new Footprint(parameters, bytes, latency);
    }
}
