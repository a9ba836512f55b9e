using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Efficient.Training.Algorithms;
using Efficient.Training.Datasets;
using static TorchSharp.torch;

namespace Efficient.Training.Bench;

/// <summary>
/// <c>soak</c>: a long run through the Trainer (default 10,000 batches) with what a real run does:
/// data algorithms (MixUp, label smoothing), evaluation and a checkpoint every 1,000 batches (the
/// oldest pruned), resumable state. Every 500 batches it records, after a full garbage collection,
/// the live TorchSharp tensors and the process's resident memory (VmRSS). A leak shows as a count or
/// a resident size that keeps growing: the verdict wants the tensor count never above its value after
/// warm-up (2,000 batches) and the resident size to grow by less than 2% over the second half of the
/// run.
/// </summary>
internal static class Soak
{
    public static int Run(int batches, int threads)
    {
        if (batches < 4000) throw new ArgumentException("--batches must be at least 4000 (samples every 500 batches; the first 2,000 are warm-up)");
        set_num_threads(threads);

        var folder = Path.Combine(Path.GetTempPath(), "et-soak-" + Guid.NewGuid().ToString("N"));
        var (trainX, trainY) = FashionMnist.Load(train: true, limit: 8192);
        var (testX, testY) = FashionMnist.Load(train: false, limit: 1000);
        manual_seed(1);
        using var model = nn.Sequential(
            ("conv1", nn.Conv2d(1, 16, 3, stride: 2, padding: 1)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(16, 16, 3, stride: 2, padding: 1)), ("relu2", nn.ReLU()),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(16 * 7 * 7, 10)));
        var samples = new List<(long Batch, long Tensors, double RssMiB, double ManagedMiB)>();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, 0.05, momentum: 0.9, weight_decay: 5e-4),
            Schedulers = (opt, state) => new[] { optim.lr_scheduler.StepLR(opt, 2000, 0.5) },
            TrainData = new TensorTrainingData(trainX, trainY, 32, shuffle: true, seed: 1, dropLast: true),
            EvalData = new TensorTrainingData(testX, testY, 500, shuffle: false),
            EvalInterval = Duration.Batches(1000),
            MaxDuration = Duration.Batches(batches),
            Algorithms = new List<IAlgorithm> { new MixUpAlgorithm(), new LabelSmoothingAlgorithm() },
            Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Batches(1000), KeepLast = 2 },
        };
        options.Callbacks.Add(new Sampler(samples));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var result = new Trainer(options).Fit();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {result.Timestamp.Batch} batches in {watch.Elapsed.TotalSeconds:0} s, accuracy {result.Metrics["accuracy"]:P1}, {threads} thread(s)"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        Console.WriteLine("| batch | live tensors | resident MiB | managed MiB |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var s in samples)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {s.Batch} | {s.Tensors} | {s.RssMiB:0.0} | {s.ManagedMiB:0.0} |"));
        // Warm-up: the first two evaluations and checkpoints (allocator pools and oneDNN caches fill up).
        var warm = samples.First(s => s.Batch >= 2000);
        var half = samples.First(s => s.Batch >= batches / 2);
        var last = samples[^1];
        var tensorGrowth = samples.Where(s => s.Batch >= warm.Batch).Max(s => s.Tensors) - warm.Tensors;
        var secondHalf = last.RssMiB - half.RssMiB;
        var flat = tensorGrowth <= 0 && secondHalf < 0.02 * half.RssMiB;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: live tensors after warm-up (batch {warm.Batch}) changed by {tensorGrowth:+0;-0;0}; resident memory {warm.RssMiB:0.0} MiB at batch {warm.Batch}, {half.RssMiB:0.0} at {half.Batch}, {last.RssMiB:0.0} at {last.Batch}: second half {secondHalf:+0.0;-0.0;0.0} MiB ({secondHalf / half.RssMiB:+0.0%;-0.0%;0.0%}): {(flat ? "flat" : "GROWING")}"));
        return flat ? 0 : 1;
    }

    private static double ResidentMiB()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    private sealed class Sampler : ITrainingCallback
    {
        private readonly List<(long, long, double, double)> _samples;

        public Sampler(List<(long, long, double, double)> samples) => _samples = samples;

        public void OnEvent(TrainingEvent e, TrainingState state)
        {
            if (e != TrainingEvent.BatchEnd || state.Timestamp.Batch % 500 != 0) return;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            // BatchEnd runs inside the batch's dispose scope: the batch's own tensors are alive here,
            // the same number at every sample.
            _samples.Add((state.Timestamp.Batch, Tensor.TotalCount, ResidentMiB(), GC.GetTotalMemory(false) / 1048576.0));
        }
    }
}
