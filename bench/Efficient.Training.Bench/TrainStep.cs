using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Efficient.Torch.Bench;

/// <summary>
/// One training step (zero_grad, forward, cross-entropy, backward, optimizer step, in a dispose
/// scope) of the residual CNN (SGD momentum) or the small BERT-style encoder (AdamW); the same
/// models and steps as bench/python/train_step.py. Prints one JSON line like the Python script.
/// </summary>
internal static class TrainStep
{
    public static void Run(string model, int steps, int warmup, int threads, bool memory)
    {
        set_num_threads(threads);
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
        }
        else if (model == "bert")
        {
            net = new Bert();
            opt = optim.AdamW(net.parameters(), lr: 1e-3, weight_decay: 0.01);
            x = randint(0, 1000, new long[] { 32, 64 });
            y = randint(0, 1000, new long[] { 32, 64 });
        }
        else throw new System.ArgumentException($"--model must be resnet or bert, not '{model}'.");

        net.train();
        var times = new List<double>();
        var cpu = new List<double>();
        long rssAfterWarmup = 0, liveAfterWarmup = 0;
        for (var step = 0; step < warmup + steps; step++)
        {
            var watch = Stopwatch.StartNew();
            var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            using (NewDisposeScope())
            {
                opt.zero_grad();
                var logits = net.call(x);
                var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), y.reshape(-1));
                loss.backward();
                opt.step();
            }
            var ms = watch.Elapsed.TotalMilliseconds;
            if (step >= warmup)
            {
                times.Add(ms);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds);
            }
            if (step == warmup - 1)
            {
                rssAfterWarmup = Process.GetCurrentProcess().WorkingSet64;
                liveAfterWarmup = Tensor.NativeLiveCount;
            }
        }
        times.Sort();
        cpu.Sort();
        var median = times[times.Count / 2];
        var medianCpu = cpu[cpu.Count / 2];
        var rss = Process.GetCurrentProcess().WorkingSet64;
        var memoryJson = memory
            ? string.Create(CultureInfo.InvariantCulture, $", \"rss_mb_after_warmup\": {rssAfterWarmup / 1048576.0:0.0}, \"rss_mb_end\": {rss / 1048576.0:0.0}, \"native_tensors_after_warmup\": {liveAfterWarmup}, \"native_tensors_end\": {Tensor.NativeLiveCount}")
            : "";
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"model\": \"{model}\", \"median_ms\": {median:0.###}, \"median_cpu_ms\": {medianCpu:0.###}, \"steps\": {steps}, \"threads\": {threads}, \"libtorch\": \"{__version__}\"{memoryJson}}}"));
    }
}
