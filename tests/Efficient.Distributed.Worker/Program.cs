using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using Efficient.Training;
using Efficient.Training.Algorithms;
using static TorchSharp.torch;

namespace Efficient.Distributed.Worker;

/// <summary>
/// One rank of a multi-process test. Usage: <c>Worker &lt;scenario&gt; key=value ...</c>; with the
/// environment variables RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT it joins the process group
/// (env://), without them it runs single-process. Errors are printed as <c>ERROR: type: message</c>
/// on stderr with exit code 2.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            var scenario = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Worker <train|collectives|die> key=value ...");
            var options = args.Skip(1).Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
            var timeout = TimeSpan.FromSeconds(double.Parse(Get(options, "timeout", "30"), CultureInfo.InvariantCulture));
            var isDistributed = Environment.GetEnvironmentVariable("WORLD_SIZE") is not null;
            if (isDistributed) distributed.init_process_group("gloo", timeout: timeout);
            set_num_threads(1);
            switch (scenario)
            {
                case "train": Train(options, isDistributed); break;
                case "collectives": Collectives(); break;
                case "die": Die(); break;
                case "buffers": Buffers(); break;
                default: throw new ArgumentException($"unknown scenario '{scenario}'");
            }
            if (isDistributed) distributed.destroy_process_group();
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
        var trainer = new Trainer(trainerOptions);
        var result = trainer.Fit();
        if (trainer.DataParallel is { } ddp) Console.WriteLine($"rank {ddp.Rank}: {ddp.Buckets.Count} buckets");
        Console.WriteLine($"stopped at batch {result.Timestamp.Batch}: {result.StopReason}");
        if (o.TryGetValue("out", out var outPath) && (!isDistributed || distributed.get_rank() == 0 || o.ContainsKey("all-write")))
        {
            var path = isDistributed ? $"{outPath}.rank{distributed.get_rank()}" : outPath;
            using var flat = cat(model.parameters().Select(p => p.detach().reshape(-1)).ToList());
            File.WriteAllBytes(path, MemoryMarshal.AsBytes(flat.ToArray<float>().AsSpan()).ToArray());
        }
    }

    private static void Collectives()
    {
        var rank = distributed.get_rank();
        var world = distributed.get_world_size();
        string Show(Tensor t) => string.Join(" ", t.ToArray<float>().Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)));
        var line = new List<string> { $"rank {rank}/{world}" };
        foreach (var op in new[] { distributed.ReduceOp.SUM, distributed.ReduceOp.AVG, distributed.ReduceOp.MAX, distributed.ReduceOp.MIN, distributed.ReduceOp.PRODUCT })
        {
            using var t = tensor(new float[] { rank + 1, 10 * (rank + 1) });
            distributed.all_reduce(t, op);
            line.Add($"{op}=[{Show(t)}]");
        }
        using (var t = tensor(new float[] { rank, rank }))
        {
            using var work = distributed.all_reduce(t, async_op: true)!;
            work.wait();
            line.Add($"async=[{Show(t)}]");
        }
        using (var t = full(new long[] { 3 }, (float)(rank + 5)))
        {
            distributed.broadcast(t, 1);
            line.Add($"broadcast=[{Show(t)}]");
        }
        var gathered = Enumerable.Range(0, world).Select(_ => zeros(2)).ToList();
        using (var t = tensor(new float[] { rank, -rank }))
        {
            distributed.all_gather(gathered, t);
            line.Add($"all_gather=[{string.Join(" | ", gathered.Select(Show))}]");
        }
        distributed.barrier();
        Console.WriteLine(string.Join(" ", line));
    }

    private static void Buffers()
    {
        var rank = distributed.get_rank();
        manual_seed(rank); // different local initialisation on each rank
        var bn = nn.BatchNorm1d(3);
        var linear = nn.Linear(3, 3);
        var model = nn.Sequential(("bn", bn), ("fc", linear));
        using (no_grad()) bn.running_mean!.fill_(rank + 1);
        using var ddp = new DistributedDataParallel(model);
        string Show(Tensor t) => string.Join(" ", t.detach().reshape(-1).ToArray<float>().Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)));
        var weight = Show(linear.weight!);
        using (no_grad()) bn.running_mean!.fill_(10 * (rank + 1)); // diverge after construction
        model.eval();
        using var x = ones(2, 3);
        using var y = ddp.call(x);
        Console.WriteLine($"weight=[{weight}] running_mean=[{Show(bn.running_mean!)}]");
    }

    private static void Die()
    {
        var rank = distributed.get_rank();
        using var t = ones(4);
        distributed.all_reduce(t);
        if (rank == 1)
        {
            Console.WriteLine("rank 1 exits without saying goodbye");
            Console.Out.Flush();
            Environment.Exit(3);
        }
        for (var i = 0; i < 100; i++) distributed.all_reduce(t);
        Console.WriteLine("rank 0 finished (unexpected)");
    }
}
