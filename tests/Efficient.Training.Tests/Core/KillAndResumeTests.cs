using System.Diagnostics;
using System.IO;
using System.Threading;
using Efficient.Training.Tests.Distributed;

namespace Efficient.Training.Tests.Core;

/// <summary>
/// kill -9 at random points of a checkpointed run (while training, while writing a checkpoint, while
/// starting up), again and again, then one run to the end: the final weights equal an uninterrupted
/// run's to the bit, and nothing half-written stays on disk. The run is the distributed test worker as
/// one plain process (a small conv net, SGD with momentum, a step schedule, label smoothing; a
/// checkpoint after every batch; 60 ms per batch, 40 batches).
/// </summary>
[Collection(MpiCollection.Name)]   // processes of their own: not beside the multi-process tests
public sealed class KillAndResumeTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-kill-" + Guid.NewGuid().ToString("N"));

    public KillAndResumeTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void KilledAtRandomPointsTheRunResumesToTheUninterruptedWeights()
    {
        string[] Args(string output, bool checkpoints) => new[] { "train", "batches=40", "batch=4", "slow-ms=60", $"out={output}" }
            .Concat(checkpoints ? new[] { $"ckpt={Path.Combine(_folder, "ckpt")}" } : Array.Empty<string>()).ToArray();

        var straight = Path.Combine(_folder, "straight.bin");
        var run = Mpi.RunSingle(Args(straight, checkpoints: false));
        run.ExitCode.Should().Be(0, run.Output);

        var random = new Random(2026);
        var killed = 0;
        var resumed = Path.Combine(_folder, "resumed.bin");
        for (var attempt = 0; attempt < 10 && killed < 6; attempt++)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Mpi.WorkerPath);
            foreach (var a in Args(resumed, checkpoints: true)) start.ArgumentList.Add(a);
            using var job = new MpiJob(start);
            Thread.Sleep(random.Next(300, 1500));
            if (job.Process.HasExited) break;   // it finished before the kill (a fast machine): the loop is over
            job.Process.Kill();                  // SIGKILL: no finally blocks, no flush
            job.Process.WaitForExit();
            killed++;
        }
        // How many kills land depends on the machine's speed (each resumed run has fewer batches left);
        // the first one always does (it comes at most 1.5 s into a run of 40 × 60 ms plus start-up).
        killed.Should().BeGreaterThanOrEqualTo(1, "the run must be interrupted at least once");

        run = Mpi.RunSingle(Args(resumed, checkpoints: true));
        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("stopped at batch 40");
        Mpi.ReadWeights(resumed).Should().Equal(Mpi.ReadWeights(straight), "after {0} kills the resumed run ends with the uninterrupted weights", killed);
        Directory.GetFileSystemEntries(Path.Combine(_folder, "ckpt")).Select(Path.GetFileName)
            .Should().NotContain(n => n!.Contains(".tmp-"), "the last start removed what the killed writes left");
    }
}
