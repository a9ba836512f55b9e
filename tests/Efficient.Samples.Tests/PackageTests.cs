using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;

namespace Efficient.Samples.Tests;

/// <summary>
/// Packs Efficient.Training into a local folder feed, checks what the package holds and what it
/// depends on (TorchSharp only), then builds and runs a fresh console application that references
/// it from that feed (and TorchSharp-cpu from nuget.org through the configured mirror, or the
/// machine's package cache) and trains two batches with techniques: on Debian 12 that also proves
/// the package's buildTransitive target made libLibTorchSharp.so loadable.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private const string TorchSharpVersion = "0.107.0";
    // A version of its own per run, so no package cache can hold an older build of it.
    private readonly string _version = $"0.1.0-packagetest.{DateTime.UtcNow:yyyyMMddHHmmss}";
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
        SampleProcess.Command("dotnet", new[] { "pack", Path.Combine(root, "src/Efficient.Training/Efficient.Training.csproj"), "-c", "Release", "-o", feed, $"-p:Version={_version}", "--nologo" }, root);

        var package = Path.Combine(feed, $"Efficient.Training.{_version}.nupkg");
        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Should().Equal(new[] { Path.GetFileName(package) }, "the library is one package");
        Entries(package).Should().Contain(new[]
        {
            "lib/net10.0/Efficient.Training.dll", "lib/net10.0/Efficient.Training.xml", "README.md",
            "buildTransitive/Efficient.Training.targets", "build/Efficient.Training.targets",
        });
        Text(package, "buildTransitive/Efficient.Training.targets").Should().Contain("EfficientTrainingPatchLibTorchSharp").And.Contain("GLIBCXX_3.4.32");
        File.Exists(Path.Combine(feed, $"Efficient.Training.{_version}.snupkg")).Should().BeTrue("symbols are packed alongside");
        var nuspec = Text(package, "Efficient.Training.nuspec");
        nuspec.Should().MatchRegex($@"<dependency id=""TorchSharp"" version=""{Regex.Escape(TorchSharpVersion)}""")
            .And.NotContain("Efficient.Torch").And.NotContain("TorchSharp-cpu", "the application picks the runtime")
            .And.Contain("<license type=\"expression\">MIT</license>").And.Contain("<readme>README.md</readme>");
        Regex.Matches(nuspec, "<dependency id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).Should().BeEquivalentTo(
            new[] { "TorchSharp", "Microsoft.Extensions.Options", "Microsoft.Extensions.Options.ConfigurationExtensions", "Microsoft.Extensions.Logging.Abstractions" },
            "TorchSharp and the .NET options, configuration and logging abstractions are the only dependencies");

        var app = Path.Combine(_dir, "app");
        Directory.CreateDirectory(app);
        // The feed for this package, nuget.org (through the mirror the repository's nuget.config names) for the rest.
        var nugetOrg = XDocument.Load(Path.Combine(root, "nuget.config")).Descendants("add").Single(e => (string?)e.Attribute("key") == "nuget.org").Attribute("value")!.Value;
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="{nugetOrg}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="Efficient.Training" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        // Its own package folder (the fresh Efficient.Training lands there); TorchSharp and its ~1 GB of
        // native files come from the machine's cache when they are there, hard-linked into the output.
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{Path.Combine(_dir, "packages")}</RestorePackagesPath>
                <RestoreFallbackFolders>{globalPackages}</RestoreFallbackFolders>
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Efficient.Training" Version="{_version}" />
                <PackageReference Include="TorchSharp-cpu" Version="{TorchSharpVersion}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using TorchSharp;
            using TorchSharp.Modules;
            using Efficient.Training;
            using Efficient.Training.Algorithms;
            using static TorchSharp.torch;

            manual_seed(0);
            var x = randn(16, 1, 8, 8);
            var y = randint(0, 3, new long[] { 16 });
            using var model = new TinyNet();
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

            sealed class TinyNet : nn.Module<Tensor, Tensor>
            {
                private readonly Conv2d conv = nn.Conv2d(1, 4, 3, padding: 1);
                private readonly Linear head = nn.Linear(4, 3);

                public TinyNet() : base(nameof(TinyNet)) => RegisterComponents();

                public override Tensor forward(Tensor input) =>
                    head.call(nn.functional.adaptive_avg_pool2d(nn.functional.relu(conv.call(input)), 1).flatten(1));
            }
            """);
        var build = SampleProcess.Command("dotnet", new[] { "build", "-c", "Release", "--nologo" }, app, timeoutMinutes: 15);
        if (!SystemLibstdcxxHas("GLIBCXX_3.4.32"))
            build.Should().Contain("Efficient.Training: marked the GLIBCXX_3.4.32 requirement", "the package's buildTransitive target makes libLibTorchSharp.so loadable here");
        var output = SampleProcess.Command("dotnet", new[] { "run", "-c", "Release", "--no-build" }, app);
        output.Should().MatchRegex(@"trained 2 batches, last loss \d+\.\d{4}");
    }

    private static bool SystemLibstdcxxHas(string version)
    {
        var library = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        if (library is null) return true;   // not a Linux layout we know: nothing to check
        return System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(library)).Contains(version + "\0", StringComparison.Ordinal);
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
