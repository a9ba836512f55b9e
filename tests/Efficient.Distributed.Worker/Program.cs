using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Efficient.Training;
using Efficient.Training.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Efficient.Distributed.Worker;

/// <summary>
/// One rank of a multi-process test. Usage: <c>mpirun -np 2 dotnet Worker.dll &lt;scenario&gt; key=value ...</c>;
/// started by mpirun it joins the process group, started directly it runs single-process. Errors
/// are printed as <c>ERROR: type: message</c> on stderr with exit code 2.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            var scenario = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Worker <train|collectives|buffers|die|wait|timeout> key=value ...");
            var options = args.Skip(1).Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
            var isDistributed = ProcessGroup.IsLaunchedByMpirun;
            if (isDistributed)
            {
                TimeSpan? timeout = options.TryGetValue("timeout", out var t) ? TimeSpan.FromSeconds(double.Parse(t, CultureInfo.InvariantCulture)) : null;
                ProcessGroup.Initialize(timeout);
            }
            set_num_threads(1);
            switch (scenario)
            {
                case "train": Train(options, isDistributed); break;
                case "collectives": Collectives(); break;
                case "buffers": Buffers(); break;
                case "die": Die(); break;
                case "wait": Wait(); break;
                case "timeout": Timeout(); break;
                default: throw new ArgumentException($"unknown scenario '{scenario}'");
            }
            ProcessGroup.Shutdown();
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"ERROR: {e.GetType().Name}: {e.Message}");
            return 2;
        }
    }

    private static string Get(Dictionary<string, string> o, string key, string fallback) => o.TryGetValue(key, out var v) ? v : fallback;

    /// <summary>A small CNN without batch statistics (so a sharded step equals the full-batch step).</summary>
    public static nn.Module<Tensor, Tensor> Model()
    {
        manual_seed(7);
        return nn.Sequential(
            ("conv1", nn.Conv2d(1, 4, 3, padding: 1)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(4, 4, 3, padding: 1)),
            ("relu2", nn.ReLU()),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(4 * 6 * 6, 10)));
    }

    private static (Tensor X, Tensor Y) Data()
    {
        manual_seed(123);
        return (randn(48, 1, 6, 6), randint(0, 10, new long[] { 48 }));
    }

    private static void Train(Dictionary<string, string> o, bool isDistributed)
    {
        var batches = long.Parse(Get(o, "batches", "4"), CultureInfo.InvariantCulture);
        var batchSize = int.Parse(Get(o, "batch", "4"), CultureInfo.InvariantCulture);
        var shuffle = Get(o, "shuffle", "false") == "true";
        if (Get(o, "print-pid", "false") == "true")
        {
            Console.WriteLine($"pid {Environment.ProcessId}");
            Console.Out.Flush();
        }
        var (x, y) = Data();
        var model = Model();
        ITrainingData data = isDistributed
            ? new DistributedTrainingData(x, y, batchSize, shuffle: shuffle, seed: 5)
            : new TensorTrainingData(x, y, batchSize, shuffle: false);
        var algorithms = new List<IAlgorithm> { new LabelSmoothingAlgorithm() };
        if (Get(o, "mixup", "false") == "true") algorithms.Add(new MixUpAlgorithm());
        var trainerOptions = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, 0.1, momentum: 0.9),
            TrainData = data,
            MaxDuration = Duration.Batches(batches),
            Microbatches = int.Parse(Get(o, "micro", "1"), CultureInfo.InvariantCulture),
            Algorithms = algorithms,
            Schedulers = (opt, state) => new[] { optim.lr_scheduler.StepLR(opt, 2, 0.5) },
            Distributed = isDistributed ? new DistributedOptions { BucketCapMB = double.Parse(Get(o, "bucket-mb", "25"), CultureInfo.InvariantCulture) } : null,
        };
        if (o.TryGetValue("ckpt", out var folder)) trainerOptions.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Batches(1) };
        if (o.TryGetValue("slow-ms", out var slow)) trainerOptions.Callbacks.Add(new Slow(int.Parse(slow, CultureInfo.InvariantCulture)));
        var trainer = new Trainer(trainerOptions);
        var result = trainer.Fit();
        if (trainer.DataParallel is { } ddp) Console.WriteLine($"rank {ddp.Rank}: {ddp.Buckets.Count} buckets, {ddp.BucketsLaunchedDuringBackward} launched during backward");
        Console.WriteLine($"stopped at batch {result.Timestamp.Batch}: {result.StopReason}");
        if (o.TryGetValue("out", out var outPath))
        {
            var path = isDistributed ? $"{outPath}.rank{ProcessGroup.Rank}" : outPath;
            using var flat = cat(model.parameters().Select(p => p.detach().reshape(-1)).ToList());
            File.WriteAllBytes(path, MemoryMarshal.AsBytes(flat.data<float>().ToArray().AsSpan()).ToArray());
        }
    }

    /// <summary>Slows every batch down, so a test can interrupt a run in the middle.</summary>
    private sealed class Slow : ITrainingCallback
    {
        private readonly int _milliseconds;

        public Slow(int milliseconds) => _milliseconds = milliseconds;

        public void OnEvent(TrainingEvent e, TrainingState state)
        {
            if (e != TrainingEvent.BatchEnd) return;
            if (state.IsRankZero) Console.WriteLine($"batch {state.Timestamp.Batch} done");
            Thread.Sleep(_milliseconds);
        }
    }

    private static void Collectives()
    {
        var rank = ProcessGroup.Rank;
        var world = ProcessGroup.WorldSize;
        string Show(Tensor t) => string.Join(" ", t.to_type(ScalarType.Float64).data<double>().ToArray().Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)));
        var line = new List<string> { $"rank {rank}/{world}" };
        foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Average, ReduceOp.Max, ReduceOp.Min, ReduceOp.Product })
        {
            using var t = tensor(new float[] { rank + 1, 10 * (rank + 1) });
            ProcessGroup.AllReduce(t, op);
            line.Add($"{op}=[{Show(t)}]");
        }
        using (var t = tensor(new long[] { rank + 1, 1L << 40 }))
        {
            ProcessGroup.AllReduce(t);
            line.Add($"long=[{string.Join(" ", t.data<long>().ToArray())}]");
        }
        using (var t = tensor(new double[] { rank + 0.5 }))
        {
            ProcessGroup.AllReduce(t, ReduceOp.Max);
            line.Add($"double=[{Show(t)}]");
        }
        line.Add($"scalar={ProcessGroup.AllReduce(rank + 1.0, ReduceOp.Average).ToString(CultureInfo.InvariantCulture)}");
        using (var t = tensor(new float[] { rank + 1, rank + 2 }).to_type(ScalarType.Float16))
        {
            ProcessGroup.AllReduce(t);
            line.Add($"half=[{Show(t)}]");
        }
        // In place on a slice with a storage offset (the rest untouched), and on a non-contiguous view.
        using (var big = arange(6, ScalarType.Float32).mul(rank + 1))
        {
            using var slice = big.narrow(0, 2, 3);
            ProcessGroup.AllReduce(slice);
            line.Add($"slice=[{Show(big)}]");
        }
        using (var m = arange(4, ScalarType.Float32).reshape(2, 2).add(rank))
        {
            using var transposed = m.t();
            ProcessGroup.AllReduce(transposed);
            line.Add($"transposed=[{Show(m)}]");
        }
        using (var t = full(new long[] { 3 }, (float)(rank + 5)))
        {
            ProcessGroup.Broadcast(t, 1);
            line.Add($"broadcast=[{Show(t)}]");
        }
        ProcessGroup.Barrier();
        Console.WriteLine(string.Join(" ", line));
    }

    private static void Buffers()
    {
        var rank = ProcessGroup.Rank;
        manual_seed(rank); // different local initialisation on each rank
        var bn = nn.BatchNorm1d(3);
        var linear = nn.Linear(3, 3);
        var model = nn.Sequential(("bn", bn), ("fc", linear));
        using (no_grad()) bn.running_mean!.fill_(rank + 1);
        using var ddp = new DistributedDataParallel(model);
        string Show(Tensor t) => string.Join(" ", t.detach().reshape(-1).data<float>().ToArray().Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)));
        var weight = Show(linear.weight!);
        using (no_grad()) bn.running_mean!.fill_(10 * (rank + 1)); // diverge after construction
        model.eval();
        using var x = ones(2, 3);
        using var y = ddp.call(x);
        Console.WriteLine($"weight=[{weight}] running_mean=[{Show(bn.running_mean!)}]");
    }

    /// <summary>Rank 1 is killed (SIGKILL) after one all-reduce; rank 0 keeps all-reducing.</summary>
    private static void Die()
    {
        var rank = ProcessGroup.Rank;
        using var t = ones(4);
        ProcessGroup.AllReduce(t);
        if (rank == 1)
        {
            Console.WriteLine("rank 1 is killed");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
        }
        for (var i = 0; i < 600; i++)
        {
            ProcessGroup.AllReduce(t);
            Thread.Sleep(100);
        }
        Console.WriteLine("rank 0 finished (unexpected)");
    }

    /// <summary>Prints its process id, then waits in a collective that never completes (rank 0 does not join).</summary>
    private static void Wait()
    {
        Console.WriteLine($"pid {Environment.ProcessId}");
        Console.Out.Flush();
        if (ProcessGroup.Rank == 0) Thread.Sleep(TimeSpan.FromMinutes(2));
        else ProcessGroup.Barrier();
        Console.WriteLine("wait finished (unexpected)");
    }

    /// <summary>Rank 1 joins the all-reduce late; rank 0's timeout fires first.</summary>
    private static void Timeout()
    {
        if (ProcessGroup.Rank == 1) Thread.Sleep(TimeSpan.FromSeconds(30));
        using var t = ones(4);
        ProcessGroup.AllReduce(t);
        Console.WriteLine("all-reduce finished");
    }
}
