using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace Efficient.Training.Tests.Distributed;

/// <summary>
/// Two ranks on this machine: each test starts tests/Efficient.Distributed.Worker with
/// <c>mpirun -np 2</c> and checks what the ranks write (mpirun's <c>--tag-output</c> tells them apart).
/// </summary>
[Collection(MpiCollection.Name)]
public class MultiProcessTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"efficient-mpi-{Guid.NewGuid():N}");

    public MultiProcessTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void CollectivesCombineBothRanks()
    {
        var run = Mpi.Run(2, "collectives");
        run.ExitCode.Should().Be(0, run.Output);
        for (var rank = 0; rank < 2; rank++)
        {
            var slice = rank == 0 ? "0 1 6 9 12 5" : "0 2 6 9 12 10";
            run.Stdout(rank).Trim().Should().Be(
                $"rank {rank}/2 Sum=[3 30] Average=[1.5 15] Max=[2 20] Min=[1 10] Product=[2 200] long=[3 2199023255552] double=[1.5] scalar=1.5 half=[3 5] slice=[{slice}] transposed=[1 3 5 7] broadcast=[6 6 6]",
                run.Output);
        }
    }

    [Fact]
    public void ConstructionBroadcastsRankZerosStateAndForwardItsBuffers()
    {
        var run = Mpi.Run(2, "buffers");
        run.ExitCode.Should().Be(0, run.Output);
        run.Stdout(1).Should().Be(run.Stdout(0), "rank 1 took rank 0's weights at construction and its buffers before forward");
        run.Stdout(0).Should().Contain("running_mean=[10 10 10]");
    }

    [Theory]
    [InlineData(25.0, 1)]          // one bucket, one microbatch
    [InlineData(0.0005, 2)]        // ~500-byte buckets (several per step), gradient accumulation
    public void TwoRanksTrainLikeOneProcessOnTheConcatenatedBatch(double bucketMB, int microbatches)
    {
        var reference = Path.Combine(_folder, "single.bin");
        var single = Mpi.RunSingle("train", "batches=4", "batch=8", $"micro={microbatches}", $"out={reference}");
        single.ExitCode.Should().Be(0, single.Output);

        var ddp = Path.Combine(_folder, "ddp.bin");
        var run = Mpi.Run(2, "train", "batches=4", "batch=4", $"micro={microbatches}", $"bucket-mb={bucketMB.ToString(CultureInfo.InvariantCulture)}", $"out={ddp}");
        run.ExitCode.Should().Be(0, run.Output);
        // Small buckets go out while backward runs (4 of 5: not the first layer's weight, whose input needs no gradient);
        // one big bucket holds the first layer too, so it waits for FinishGradientSync.
        var launched = Regex.Match(run.Stdout(0), @"rank 0: (\d+) buckets, (\d+) launched during backward");
        launched.Success.Should().BeTrue(run.Output);
        launched.Groups[1].Value.Should().Be(bucketMB < 1 ? "5" : "1");
        int.Parse(launched.Groups[2].Value, CultureInfo.InvariantCulture).Should().Be(bucketMB < 1 ? 4 : 0);

        var expected = Mpi.ReadWeights(reference);
        var rank0 = Mpi.ReadWeights(ddp + ".rank0");
        var rank1 = Mpi.ReadWeights(ddp + ".rank1");
        expected.Length.Should().Be(1638);
        rank1.Should().Equal(rank0, "the replicas apply identical averaged gradients, so they stay bit-identical");
        // Sharded sums round differently from the full batch's: a few ulps after 4 steps of SGD with momentum.
        for (var i = 0; i < expected.Length; i++)
            rank0[i].Should().BeApproximately(expected[i], 1e-6f, $"weight {i} after 4 steps");
    }

    [Fact]
    public void ARankThatIsKilledStopsTheOtherWithinSecondsWithOneClearLine()
    {
        var watch = Stopwatch.StartNew();
        var run = Mpi.Run(2, "die");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the survivor must not hang (it would all-reduce for a minute)");
        run.ExitCode.Should().NotBe(0, run.Output);
        run.Stdout(1).Should().Contain("rank 1 is killed");
        run.Stderr(0).Trim().Should().Be("Efficient.Training: rank 0 of 2 stops: received SIGTERM (another rank failed, or the job was stopped).", run.Output);
        run.Stdout(0).Should().NotContain("finished");
        run.Output.Should().NotContain("Unhandled exception");
    }

    [Fact]
    public void ACollectiveThatOutlivesItsTimeoutStopsTheRankWithAClearLine()
    {
        var run = Mpi.Run(2, "timeout", "timeout=2");
        run.ExitCode.Should().Be(ProcessGroup.TimedOutExitCode, run.Output);
        run.Stderr(0).Trim().Should().Be("Efficient.Training: rank 0 of 2 stops: the all-reduce did not complete within 00:00:02 (another rank is slow, stuck or gone).", run.Output);
        run.Stdout(1).Should().NotContain("all-reduce finished");
        run.Output.Should().NotContain("Unhandled exception");
    }

    [Fact]
    public void KillingTheLauncherStopsTheRanks()
    {
        using var mpirun = Mpi.Start(2, "wait");
        var pids = new List<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (pids.Count < 2 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
            pids = Regex.Matches(mpirun.Snapshot(), @"<stdout>:pid (\d+)").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        }
        pids.Should().HaveCount(2, mpirun.Snapshot());
        mpirun.Process.Kill(entireProcessTree: false); // SIGKILL to mpirun only: it cannot tell the ranks
        var gone = Stopwatch.StartNew();
        while (pids.Any(Mpi.IsAlive) && gone.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(100);
        pids.Where(Mpi.IsAlive).Should().BeEmpty("ranks stop once their launcher is gone (after {0})", gone.Elapsed);
        gone.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void ARunResumedFromACheckpointContinuesIdentically()
    {
        // Shuffled shards over 3 batches per epoch, MixUp drawing from state.Rng, a step LR schedule, momentum.
        var straight = Path.Combine(_folder, "straight.bin");
        var run = Mpi.Run(2, "train", "batches=7", "batch=8", "shuffle=true", "mixup=true", $"out={straight}");
        run.ExitCode.Should().Be(0, run.Output);

        var checkpoints = Path.Combine(_folder, "ckpt");
        run = Mpi.Run(2, "train", "batches=4", "batch=8", "shuffle=true", "mixup=true", $"ckpt={checkpoints}");
        run.ExitCode.Should().Be(0, run.Output);
        Directory.GetDirectories(checkpoints, "ep*").Select(Path.GetFileName).Should().Contain("ep1-ba4", "rank 0 wrote the checkpoints");

        var resumed = Path.Combine(_folder, "resumed.bin");
        run = Mpi.Run(2, "train", "batches=7", "batch=8", "shuffle=true", "mixup=true", $"ckpt={checkpoints}", $"out={resumed}");
        run.ExitCode.Should().Be(0, run.Output);
        run.Stdout(0).Should().Contain("stopped at batch 7");

        var expected = Mpi.ReadWeights(straight + ".rank0");
        Mpi.ReadWeights(straight + ".rank1").Should().Equal(expected);
        Mpi.ReadWeights(resumed + ".rank0").Should().Equal(expected, "resume restores model, optimizer, schedule, RNG and data position exactly");
        Mpi.ReadWeights(resumed + ".rank1").Should().Equal(expected);
    }

    [Fact]
    public void AJobInterruptedByADeadRankResumesExactlyFromTheLastCheckpoint()
    {
        var straight = Path.Combine(_folder, "straight.bin");
        var run = Mpi.Run(2, "train", "batches=7", "batch=8", "shuffle=true", $"out={straight}");
        run.ExitCode.Should().Be(0, run.Output);

        // Kill rank 1 with SIGKILL in the middle of the run (after batch 3; batches take 300 ms).
        var checkpoints = Path.Combine(_folder, "ckpt");
        using (var job = Mpi.Start(2, "train", "batches=7", "batch=8", "shuffle=true", "slow-ms=300", $"ckpt={checkpoints}", "print-pid=true"))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (!job.Snapshot().Contains("batch 3 done", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !job.Process.HasExited) Thread.Sleep(50);
            var rank1 = Regex.Match(job.Snapshot(), @"\[\d+,1\]<stdout>:pid (\d+)");
            rank1.Success.Should().BeTrue(job.Snapshot());
            Process.GetProcessById(int.Parse(rank1.Groups[1].Value, CultureInfo.InvariantCulture)).Kill();
            job.Process.WaitForExit(60_000).Should().BeTrue("mpirun ends the job when a rank dies");
            job.Process.ExitCode.Should().NotBe(0);
            job.Snapshot().Should().NotContain("stopped at batch 7").And.NotContain("Unhandled exception");
        }
        var saved = Directory.GetDirectories(checkpoints, "ep*").Select(Path.GetFileName).ToList();
        saved.Should().NotBeEmpty().And.NotContain(name => name!.EndsWith("-ba7", StringComparison.Ordinal), "the job was interrupted");

        var resumed = Path.Combine(_folder, "resumed.bin");
        run = Mpi.Run(2, "train", "batches=7", "batch=8", "shuffle=true", $"ckpt={checkpoints}", $"out={resumed}");
        run.ExitCode.Should().Be(0, run.Output);
        run.Stdout(0).Should().Contain("stopped at batch 7");
        Mpi.ReadWeights(resumed + ".rank0").Should().Equal(Mpi.ReadWeights(straight + ".rank0"));
        Mpi.ReadWeights(resumed + ".rank1").Should().Equal(Mpi.ReadWeights(straight + ".rank0"));
    }
}

/// <summary>Tests that start mpirun jobs run one at a time (2 ranks each on a small machine).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class MpiCollection
{
    public const string Name = "mpirun jobs";
}

internal sealed class MpiRun
{
    private static readonly Regex Tagged = new(@"^\[\d+,(\d+)\]<(stdout|stderr)>:(.*)$", RegexOptions.Compiled);

    public MpiRun(int exitCode, string output)
    {
        ExitCode = exitCode;
        Output = output;
    }

    public int ExitCode { get; }

    /// <summary>Everything mpirun printed (ranks' lines tagged <c>[job,rank]&lt;stream&gt;:</c>).</summary>
    public string Output { get; }

    public string Stdout(int rank) => Lines(rank, "stdout");

    public string Stderr(int rank) => Lines(rank, "stderr");

    private string Lines(int rank, string stream)
    {
        var text = new StringBuilder();
        foreach (var line in Output.Split('\n'))
        {
            var m = Tagged.Match(line.TrimEnd('\r'));
            if (m.Success && m.Groups[1].Value == rank.ToString(CultureInfo.InvariantCulture) && m.Groups[2].Value == stream)
                text.Append(m.Groups[3].Value).Append('\n');
        }
        return text.ToString();
    }
}

/// <summary>A running mpirun whose output is collected.</summary>
internal sealed class MpiJob : IDisposable
{
    private readonly StringBuilder _output = new();

    public MpiJob(ProcessStartInfo start)
    {
        Process = Process.Start(start)!;
        Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Snapshot()
    {
        lock (_output) return _output.ToString();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
        Process.Dispose();
    }
}

internal static class Mpi
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(180);

    /// <summary>tests/Efficient.Distributed.Worker's build output, next to this test assembly's (same configuration).</summary>
    public static string WorkerPath
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

    /// <summary>mpirun with what these tests need: runs as root in CI containers, no core binding (small machines), tagged output, no terminal codes.</summary>
    public static MpiJob Start(int ranks, params string[] args)
    {
        var start = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-np", ranks.ToString(CultureInfo.InvariantCulture), "--bind-to", "none", "--oversubscribe", "--tag-output", "dotnet", WorkerPath })
            start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["TERM"] = "dumb";
        try
        {
            return new MpiJob(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("mpirun was not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev; scripts/install-deps.sh does).", e);
        }
    }

    public static MpiRun Run(int ranks, params string[] args)
    {
        using var job = Start(ranks, args);
        if (!job.Process.WaitForExit(HangGuard))
            throw new Xunit.Sdk.XunitException($"mpirun was still running after {HangGuard.TotalSeconds} s (hang).\n{job.Snapshot()}");
        job.Process.WaitForExit();
        return new MpiRun(job.Process.ExitCode, job.Snapshot());
    }

    /// <summary>The worker as one plain process (no mpirun, no process group).</summary>
    public static (int ExitCode, string Output) RunSingle(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(WorkerPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var job = new MpiJob(start);
        if (!job.Process.WaitForExit(HangGuard)) throw new Xunit.Sdk.XunitException($"The worker was still running after {HangGuard.TotalSeconds} s.\n{job.Snapshot()}");
        job.Process.WaitForExit();
        return (job.Process.ExitCode, job.Snapshot());
    }

    /// <summary>Whether the process runs (a zombie, dead but not yet reaped by its new parent, counts as gone).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static float[] ReadWeights(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
