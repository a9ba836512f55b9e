using System;
using System.IO;
using FluentAssertions;
using ResNetSample;
using Xunit;

namespace Efficient.Samples.Tests;

public sealed class ResNetLauncherTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "resnet-ddp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void ChildrenGetTheParentsArgumentsWithoutTheLauncherOptionsAndAThreadShare()
    {
        var args = new[] { "--nproc", "2", "--master-port", "29555", "--max-duration", "2ba" };
        var children = Launcher.ChildArguments(args, Program.Parse(args), 2);
        children.Should().Equal("--max-duration", "2ba", "--threads", Math.Max(1, Environment.ProcessorCount / 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var explicitThreads = new[] { "--nproc", "2", "--threads", "3" };
        Launcher.ChildArguments(explicitThreads, Program.Parse(explicitThreads), 2).Should().Equal("--threads", "3");
    }

    [Fact]
    public async System.Threading.Tasks.Task UntilDataParallelIsBackARankStopsWithOneClearLine()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var repo = bin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var sample = Path.Combine(repo, "samples", "ResNet", "bin", bin.Parent.Name, bin.Name, "ResNet.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { sample, "--max-duration", "1ba", "--train-limit", "64", "--eval-limit", "10", "--no-progress" }) start.ArgumentList.Add(a);
        start.Environment["WORLD_SIZE"] = "2";
        start.Environment["RANK"] = "0";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(1);
        (await stderr).TrimEnd().Should().Be("ResNet: data-parallel training (--nproc, or RANK/WORLD_SIZE set) is not available in this build yet: it is being rebuilt on Open MPI; run without --nproc and unset WORLD_SIZE");
    }

    [Fact]
    public void MasterPortNeedsNproc()
    {
        var act = () => Program.Parse(new[] { "--master-port", "29555" });
        act.Should().Throw<ArgumentException>().WithMessage("--master-port needs --nproc");
    }

    [Fact(Skip = "data-parallel training is being rebuilt on Open MPI (TorchSharp 0.107 has no torch.distributed); samples/ResNet/Program.cs builds its ranks only with EFFICIENT_DISTRIBUTED")]
    public void TwoLocalRanksTrainAndOnlyRankZeroCheckpoints()
    {
        // bin/<configuration>/<tfm> of this test project -> the sample's own build output.
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var repo = bin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var sample = Path.Combine(repo, "samples", "ResNet", "bin", bin.Parent.Name, bin.Name, "ResNet.dll");
        File.Exists(sample).Should().BeTrue(sample);
        // medium's scale-schedule ratio 0.5 makes 4ba two batches.
        var args = new[] { "--max-duration", "4ba", "--train-limit", "256", "--eval-limit", "100", "--batch-size", "32", "--no-progress", "--threads", "1", "--recipe", "medium", "--checkpoint-dir", _dir };
        var log = new StringWriter();
        var code = Launcher.Launch(args, 2, null, log, command: sample);
        code.Should().Be(0, log.ToString());
        log.ToString().Should().Contain("launcher: starting 2 ranks on 127.0.0.1:");
        File.ReadAllText(Path.Combine(_dir, "latest")).Should().Be("ep0-ba2");
    }
}
