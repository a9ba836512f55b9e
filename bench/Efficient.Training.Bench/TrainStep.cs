using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace Efficient.Training.Bench;

/// <summary>
/// train-step: one training step (zero_grad, forward, cross-entropy, backward, optimizer step, in a
/// dispose scope) of the residual CNN (SGD momentum) or the small BERT-style encoder (AdamW) of
/// <see cref="TrainStepModels"/>; the same models, shapes and steps as bench/python/train_step.py.
/// Prints one JSON line like the Python script (median wall and CPU ms per step).
/// </summary>
internal static class TrainStep
{

    public static int Run(string? model, int steps, int warmup, int threads, int interop, bool scope, bool channelsLast)
    {
        // The library tunes glibc's allocator when it loads (MallocTuning); reach it before any
        // tensor is allocated, as an application using the library does.
        var malloc = MallocTuning.Apply();
        if (model is not ("resnet" or "bert")) throw new ArgumentException($"--model must be resnet or bert, not '{model}'");

        set_num_threads(threads);
        if (interop > 0) set_num_interop_threads(interop);
        manual_seed(0);
        nn.Module<Tensor, Tensor> net;
        optim.Optimizer opt;
        Tensor x, y;
        if (model == "resnet")
        {
            net = new ResNet();
            opt = optim.SGD(net.parameters(), learningRate: 0.1, momentum: 0.9);
            x = randn(128, 1, 28, 28);
            y = randint(0, 10, new long[] { 128 });
            if (channelsLast)
            {
                Algorithms.ChannelsLast.Apply(net);
                x = Algorithms.ChannelsLast.ToChannelsLast(x);
            }
        }
        else
        {
            net = new Bert();
            opt = optim.AdamW(net.parameters(), lr: 1e-3, weight_decay: 0.01);
            x = randint(0, 1000, new long[] { 32, 64 });
            y = randint(0, 1000, new long[] { 32, 64 });
        }

        net.train();
        var times = new List<double>();
        var cpu = new List<double>();
        var faults = new List<double>();
        long rssAfterWarmup = 0, liveAfterWarmup = 0;
        using var self = Process.GetCurrentProcess();
        for (var step = 0; step < warmup + steps; step++)
        {
            self.Refresh();
            var cpuStart = self.TotalProcessorTime;
            var faultsStart = MinorFaults();
            var watch = Stopwatch.StartNew();
            var stepScope = scope ? NewDisposeScope() : null;
            try
            {
                opt.zero_grad();
                var logits = net.call(x);
                var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), y.reshape(-1));
                loss.backward();
                opt.step();
                if (!scope)
                {
                    loss.Dispose();
                    logits.Dispose();
                }
            }
            finally
            {
                stepScope?.Dispose();
            }
            var ms = watch.Elapsed.TotalMilliseconds;
            self.Refresh();
            if (step >= warmup)
            {
                times.Add(ms);
                cpu.Add((self.TotalProcessorTime - cpuStart).TotalMilliseconds);
                faults.Add(MinorFaults() - faultsStart);
            }
            if (step == warmup - 1)
            {
                rssAfterWarmup = self.WorkingSet64;
                liveAfterWarmup = Tensor.TotalCount;
            }
        }
        times.Sort();
        cpu.Sort();
        var median = times[times.Count / 2];
        var medianCpu = cpu[cpu.Count / 2];
        faults.Sort();
        var medianFaults = faults[faults.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"model\": \"{model}\", \"median_ms\": {median:0.###}, \"median_cpu_ms\": {medianCpu:0.###}, \"median_minor_faults\": {medianFaults:0}, \"steps\": {steps}, \"threads\": {threads}, \"interop_threads\": {get_num_interop_threads()}, \"scope\": {(scope ? "true" : "false")}, \"channels_last\": {(channelsLast ? "true" : "false")}, \"malloc_tuning\": \"{malloc}\", \"libtorch\": \"{__version__}\", \"rss_mb_after_warmup\": {rssAfterWarmup / 1048576.0:0.0}, \"rss_mb_end\": {self.WorkingSet64 / 1048576.0:0.0}, \"live_tensors_after_warmup\": {liveAfterWarmup}, \"live_tensors_end\": {Tensor.TotalCount}, \"steps_ms\": [{string.Join(", ", times.Select(t => t.ToString("0.#", CultureInfo.InvariantCulture)))}]}}"));
        return 0;
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat; -1 where there is none).</summary>
    private static long MinorFaults()
    {
        try
        {
            var stat = System.IO.File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7], CultureInfo.InvariantCulture);
        }
        catch (System.IO.IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
