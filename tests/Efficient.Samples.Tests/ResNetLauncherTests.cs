using System;
using System.IO;
using System.Linq;
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
        var args = new[] { "--nproc", "2", "--hostfile", "hosts.txt", "--max-duration", "2ba" };
        var children = Launcher.ChildArguments(args, Program.Parse(args), 2);
        children.Should().Equal("--max-duration", "2ba", "--threads", Math.Max(1, Environment.ProcessorCount / 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var explicitThreads = new[] { "--nproc", "2", "--threads", "3" };
        Launcher.ChildArguments(explicitThreads, Program.Parse(explicitThreads), 2).Should().Equal("--threads", "3");
    }

    [Fact]
    public void HostfileNeedsNproc()
    {
        var act = () => Program.Parse(new[] { "--hostfile", "hosts.txt" });
        act.Should().Throw<ArgumentException>().WithMessage("--hostfile needs --nproc");
    }

    [Fact]
    public void MpirunGetsTheRanksWithoutCoreBindingAndTheHostfile()
    {
        var local = Launcher.MpirunArguments(2, null, new[] { "dotnet", "ResNet.dll", "--threads", "1" });
        local.Take(6).Should().Equal("-np", "2", "--bind-to", "none", "--tag-output", "--oversubscribe");
        local.TakeLast(4).Should().Equal("dotnet", "ResNet.dll", "--threads", "1");
        Launcher.MpirunArguments(4, "hosts.txt", new[] { "ResNet" }).Should().ContainInOrder("--hostfile", "hosts.txt").And.NotContain("--oversubscribe");
    }

    [Fact]
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
        log.ToString().Should().Contain("launcher: mpirun -np 2 --bind-to none");
        File.ReadAllText(Path.Combine(_dir, "latest")).Should().Be("ep0-ba2");
    }
}
