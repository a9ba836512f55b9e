using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace Efficient.Samples.Tests;

/// <summary>
/// Packs Efficient.Torch and Efficient.Training into a local folder feed, then builds and runs a
/// fresh console application that references Efficient.Training from that feed only (its own
/// package cache, no other source) and trains two batches with a recipe.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private const string Version = "0.1.0-packagetest";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "efficient-package-" + Guid.NewGuid().ToString("N"));

    public PackageTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void PackedLibraryTrainsInAFreshConsoleApp()
    {
        var root = SampleProcess.RepositoryRoot();
        var feed = Path.Combine(_dir, "feed");
        foreach (var project in new[] { "src/Efficient.Torch/Efficient.Torch.csproj", "src/Efficient.Training/Efficient.Training.csproj" })
            SampleProcess.Command("dotnet", new[] { "pack", Path.Combine(root, project), "-c", "Release", "-o", feed, $"-p:Version={Version}", "--nologo" }, root);

        var torchPackage = Path.Combine(feed, $"Efficient.Torch.{Version}.nupkg");
        var trainingPackage = Path.Combine(feed, $"Efficient.Training.{Version}.nupkg");
        Entries(torchPackage).Should().Contain(new[]
        {
            "lib/net10.0/Efficient.Torch.dll", "lib/net10.0/Efficient.Torch.xml", "runtimes/linux-x64/native/libEfficientTorchNative.so",
            "build/native/CMakeLists.txt", "build/native/shim.h", "build/native/ops.cpp", "build/Efficient.Torch.targets",
            "buildTransitive/Efficient.Torch.targets", "README.md",
        });
        Entries(trainingPackage).Should().Contain(new[] { "lib/net10.0/Efficient.Training.dll", "lib/net10.0/Efficient.Training.xml", "README.md" });
        File.Exists(Path.Combine(feed, $"Efficient.Training.{Version}.snupkg")).Should().BeTrue("symbols are packed alongside");
        var nuspec = Text(trainingPackage, "Efficient.Training.nuspec");
        nuspec.Should().Contain($"<dependency id=\"Efficient.Torch\" version=\"{Version}\"").And.Contain("<license type=\"expression\">MIT</license>").And.Contain("<readme>README.md</readme>");

        var app = Path.Combine(_dir, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{Path.Combine(_dir, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Efficient.Training" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using TorchSharp;
            using Efficient.Training;
            using Efficient.Training.Algorithms;
            using static TorchSharp.torch;

            manual_seed(0);
            var x = randn(16, 1, 8, 8);
            var y = randint(0, 3, new long[] { 16 });
            var model = nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3));
            var trainer = new Trainer(new TrainerOptions
            {
                Model = model,
                TrainData = new TensorTrainingData(x, y, batchSize: 8),
                Optimizer = p => optim.SGD(p, 0.1),
                MaxDuration = Duration.Parse("2ba"),
                Algorithms = { new LabelSmoothingAlgorithm(new LabelSmoothingOptions { Smoothing = 0.1 }), new MixUpAlgorithm(new MixUpOptions()) },
            });
            var result = trainer.Fit();
            Console.WriteLine($"trained {result.Timestamp.Batch} batches, last loss {trainer.State!.LastBatchLoss:F4}");
            """);
        var output = SampleProcess.Command("dotnet", new[] { "run", "-c", "Release" }, app);
        output.Should().MatchRegex(@"trained 2 batches, last loss \d+\.\d{4}");
    }

    private static string[] Entries(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    private static string Text(string package, string entry)
    {
        using var zip = ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }
}
