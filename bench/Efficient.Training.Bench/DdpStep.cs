using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp;

using static TorchSharp.torch;

namespace Efficient.Training.Bench;

/// <summary>
/// ddp-step: the communication overhead of data-parallel training. Each rank (launched by
/// <c>mpirun</c>; see bench/run-ddp-overhead.sh) trains the residual CNN of the train-step benchmark
/// on its own batch, either with <see cref="DistributedDataParallel"/> (<c>--mode sync</c>: bucketed
/// gradient all-reduce over Open MPI after backward) or without any communication (<c>--mode
/// local</c>: the same work per rank, so the difference is the all-reduce cost under the same CPU
/// contention). Rank 0 prints one JSON line: median ms per step, the median time spent in
/// <c>FinishGradientSync</c> (packing, all-reduce and unpacking of the buckets), and the median time
/// of one all-reduce of all the gradients as a single tensor.
/// </summary>
internal static class DdpStep
{
    public static int Run(string mode, int steps, int warmup, int batch, int threads, double bucketMB)
    {
        if (mode is not ("sync" or "local")) throw new ArgumentException($"--mode must be sync or local, not '{mode}'.");
        set_num_threads(threads);
        ProcessGroup.Initialize(TimeSpan.FromMinutes(2));
        var rank = ProcessGroup.Rank;
        var world = ProcessGroup.WorldSize;
        manual_seed(0);
        using var net = new ResNet();
        using var ddp = mode == "sync" ? new DistributedDataParallel(net, bucketMB) : null;
        var opt = optim.SGD(net.parameters(), learningRate: 0.1, momentum: 0.9);
        manual_seed(1 + rank);
        using var x = randn(batch, 1, 28, 28);
        using var y = randint(0, 10, new long[] { batch });
        net.train();
        var times = new List<double>();
        var waits = new List<double>();
        ProcessGroup.Barrier();
        for (var step = 0; step < warmup + steps; step++)
        {
            var watch = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                opt.zero_grad();
                var logits = ddp is null ? net.call(x) : ddp.call(x);
                nn.functional.cross_entropy(logits, y).backward();
                var wait = Stopwatch.StartNew();
                ddp?.FinishGradientSync();
                if (step >= warmup) waits.Add(wait.Elapsed.TotalMilliseconds);
                opt.step();
            }
            if (step >= warmup) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        ProcessGroup.Barrier();

        // One all-reduce of every gradient as a single tensor: the communication alone.
        var numel = net.parameters().Sum(p => p.numel());
        var comm = new List<double>();
        using (var flat = zeros(numel))
        {
            for (var k = 0; k < 5 + 20; k++)
            {
                var watch = Stopwatch.StartNew();
                ProcessGroup.AllReduce(flat);
                if (k >= 5) comm.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        var buckets = ddp?.Buckets.Count ?? 0;
        if (rank == 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"bench\":\"ddp-step\",\"mode\":\"{mode}\",\"world\":{world},\"batch_per_rank\":{batch},\"threads_per_rank\":{threads},\"parameters\":{numel},\"buckets\":{buckets},\"median_ms\":{Median(times):0.00},\"sync_wait_ms\":{Median(waits):0.000},\"allreduce_all_grads_ms\":{Median(comm):0.000}}}"));
        ProcessGroup.Shutdown();
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
