using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace Efficient.Training.Tests.Distributed;

/// <summary>
/// Two ranks on 127.0.0.1: the test starts tests/Efficient.Distributed.Worker twice with RANK,
/// WORLD_SIZE, MASTER_ADDR and MASTER_PORT (torchrun's environment) and checks what they write.
/// </summary>
[Collection(ProcessGroupCollection.Name)]
public class MultiProcessTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"efficient-ddp-{Guid.NewGuid():N}");

    public MultiProcessTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void CollectivesCombineBothRanks()
    {
        var ranks = Worker.RunRanks(2, "collectives");
        foreach (var r in ranks) r.ExitCode.Should().Be(0, r.Output);
        for (var rank = 0; rank < 2; rank++)
            ranks[rank].Stdout.Trim().Should().Be($"rank {rank}/2 SUM=[3 30] AVG=[1.5 15] MAX=[2 20] MIN=[1 10] PRODUCT=[2 200] async=[1 1] broadcast=[6 6 6] all_gather=[0 0 | 1 -1]");
    }

    [Fact]
    public void ConstructionBroadcastsRankZerosStateAndForwardItsBuffers()
    {
        var ranks = Worker.RunRanks(2, "buffers");
        foreach (var r in ranks) r.ExitCode.Should().Be(0, r.Output);
        ranks[1].Stdout.Should().Be(ranks[0].Stdout, "rank 1 took rank 0's weights at construction and its buffers before forward");
        ranks[0].Stdout.Should().Contain("running_mean=[10 10 10]");
    }

    [Theory]
    [InlineData(25.0, 1)]          // one bucket, one microbatch
    [InlineData(0.0005, 2)]        // ~500-byte buckets (several per step, launched during backward), gradient accumulation
    public void TwoRanksTrainLikeOneProcessOnTheConcatenatedBatch(double bucketMB, int microbatches)
    {
        var reference = Path.Combine(_folder, "single.bin");
        var single = Worker.Run(new Dictionary<string, string>(), "train", "batches=4", "batch=8", $"micro={microbatches}", $"out={reference}");
        single.ExitCode.Should().Be(0, single.Output);

        var ddp = Path.Combine(_folder, "ddp.bin");
        var ranks = Worker.RunRanks(2, "train", "batches=4", "batch=4", $"micro={microbatches}", $"bucket-mb={bucketMB.ToString(System.Globalization.CultureInfo.InvariantCulture)}", $"out={ddp}", "all-write=1");
        foreach (var r in ranks) r.ExitCode.Should().Be(0, r.Output);
        if (bucketMB < 1) ranks[0].Stdout.Should().Contain("rank 0: 5 buckets");

        var expected = Worker.ReadWeights(reference);
        var rank0 = Worker.ReadWeights(ddp + ".rank0");
        var rank1 = Worker.ReadWeights(ddp + ".rank1");
        expected.Length.Should().Be(1638);
        rank1.Should().Equal(rank0, "the replicas stay identical");
        for (var i = 0; i < expected.Length; i++)
            rank0[i].Should().BeApproximately(expected[i], 1e-6f, $"weight {i} after 4 steps");
    }

    [Fact]
    public void ARankThatDiesMakesTheOtherFailWithAClearErrorInsteadOfHanging()
    {
        // The collective timeout is 20 s; the harness kills a rank that is still running after 120 s.
        var ranks = Worker.RunRanks(2, "die", "timeout=20");
        ranks[1].ExitCode.Should().Be(3, ranks[1].Output);
        ranks[0].ExitCode.Should().Be(2, ranks[0].Output);
        ranks[0].Stderr.Should().Contain("ERROR: ExternalException:");
        ranks[0].Stderr.Should().MatchRegex("Connection closed by peer|Connection reset by peer|Timed out|timed out");
        ranks[0].Stdout.Should().NotContain("rank 0 finished");
    }

    [Fact]
    public void ARunResumedFromACheckpointContinuesIdentically()
    {
        // Shuffled shards over 3 batches per epoch, MixUp drawing from state.Rng, a step LR schedule, momentum.
        var straight = Path.Combine(_folder, "straight.bin");
        var ranks = Worker.RunRanks(2, "train", "batches=7", "batch=8", "shuffle=true", "mixup=true", $"out={straight}", "all-write=1");
        foreach (var r in ranks) r.ExitCode.Should().Be(0, r.Output);

        var checkpoints = Path.Combine(_folder, "ckpt");
        ranks = Worker.RunRanks(2, "train", "batches=4", "batch=8", "shuffle=true", "mixup=true", $"ckpt={checkpoints}");
        foreach (var r in ranks) r.ExitCode.Should().Be(0, r.Output);
        Directory.GetDirectories(checkpoints, "ep*").Select(Path.GetFileName).Should().Contain("ep1-ba4", "rank 0 wrote the checkpoints");

        var resumed = Path.Combine(_folder, "resumed.bin");
        ranks = Worker.RunRanks(2, "train", "batches=7", "batch=8", "shuffle=true", "mixup=true", $"ckpt={checkpoints}", $"out={resumed}", "all-write=1");
        foreach (var r in ranks) r.ExitCode.Should().Be(0, r.Output);
        ranks[0].Stdout.Should().Contain("stopped at batch 7");

        var expected = Worker.ReadWeights(straight + ".rank0");
        Worker.ReadWeights(straight + ".rank1").Should().Equal(expected);
        Worker.ReadWeights(resumed + ".rank0").Should().Equal(expected);
        Worker.ReadWeights(resumed + ".rank1").Should().Equal(expected);
    }
}

internal sealed record WorkerResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

internal static class Worker
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(120);

    /// <summary>tests/Efficient.Distributed.Worker's build output, next to this test assembly's (same configuration).</summary>
    private static string Path_
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = testBin.Parent!.Name;
            var testsRoot = testBin.Parent.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(testsRoot, "Efficient.Distributed.Worker", "bin", configuration, testBin.Name, "Efficient.Distributed.Worker.dll");
            if (!File.Exists(path)) throw new FileNotFoundException($"The distributed test worker was not built at {path}.", path);
            return path;
        }
    }

    public static WorkerResult[] RunRanks(int world, params string[] args)
    {
        var port = ProcessGroupTests.FreePort();
        var tasks = Enumerable.Range(0, world).Select(rank => Task.Run(() => Run(new Dictionary<string, string>
        {
            ["RANK"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WORLD_SIZE"] = world.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MASTER_ADDR"] = "127.0.0.1",
            ["MASTER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, args))).ToArray();
        Task.WaitAll(tasks);
        return tasks.Select(t => t.Result).ToArray();
    }

    public static WorkerResult Run(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path_);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var name in new[] { "RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT" }) start.Environment.Remove(name);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(HangGuard))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new Xunit.Sdk.XunitException($"A rank was still running after {HangGuard.TotalSeconds} s (hang).\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        process.WaitForExit();
        return new WorkerResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static float[] ReadWeights(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
