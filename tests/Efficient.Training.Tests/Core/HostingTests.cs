using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Efficient.Training.Algorithms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static Efficient.Training.Tests.Core.TestModels;
using MeoValidationException = Microsoft.Extensions.Options.OptionsValidationException;

namespace Efficient.Training.Tests.Core;

/// <summary>The Options pattern: binding from configuration, validation on start with the library's messages, a Trainer from DI.</summary>
public sealed class HostingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-host-" + Guid.NewGuid().ToString("N"));

    public HostingTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task OptionsBindFromJsonEnvironmentAndCommandLineInThatOrderAndTrain()
    {
        var json = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(json, """
            { "EfficientTraining": {
                "Trainer": { "MaxDuration": "3ba", "Seed": 5, "Microbatches": 2, "Precision": "Fp32", "Checkpoint": { "Folder": "ckpt", "Interval": "2ba", "KeepLast": 1 } },
                "MixUp": { "Alpha": 0.4, "StopAt": "0.5dur" },
                "LabelSmoothing": { "Smoothing": 0.2 } } }
            """);
        Environment.SetEnvironmentVariable("ETTEST_EfficientTraining__Trainer__Seed", "6");
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddJsonFile(json)
                .AddEnvironmentVariables("ETTEST_")
                .AddCommandLine(new[] { "--EfficientTraining:Trainer:Microbatches=1" })
                .Build();
            var (x, y) = Data(n: 48);
            using var model = new Mlp();
            var services = new ServiceCollection().AddEfficientTraining(configuration, o =>
            {
                o.Model = model;
                o.Optimizer = p => optim.SGD(p, 0.1);
                o.TrainData = new TensorTrainingData(x, y, 16);
                o.Checkpoint!.Folder = Path.Combine(_folder, o.Checkpoint.Folder);
            });
            using var provider = services.BuildServiceProvider(validateScopes: true);
            await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);

            var trainerOptions = provider.GetRequiredService<IOptions<TrainerOptions>>().Value;
            trainerOptions.MaxDuration.Should().Be(Duration.Batches(3), "from JSON");
            trainerOptions.Seed.Should().Be(6, "environment variables override the JSON file");
            trainerOptions.Microbatches.Should().Be(1, "the command line overrides both");
            trainerOptions.Checkpoint!.Interval.Should().Be(Duration.Batches(2));
            trainerOptions.Checkpoint.KeepLast.Should().Be(1);
            var mixUp = provider.GetRequiredService<IOptions<MixUpOptions>>().Value;
            mixUp.Alpha.Should().Be(0.4);
            mixUp.StopAt.Should().Be(Duration.Parse("0.5dur"));
            provider.GetRequiredService<IOptions<LabelSmoothingOptions>>().Value.Smoothing.Should().Be(0.2);
            provider.GetRequiredService<IOptions<CutMixOptions>>().Value.Should().BeEquivalentTo(new CutMixOptions(), "a technique without a section keeps its defaults");

            var result = provider.GetRequiredService<Trainer>().Fit();
            result.Timestamp.Batch.Should().Be(3);
            Directory.GetDirectories(Path.Combine(_folder, "ckpt")).Should().ContainSingle("KeepLast 1 came from the JSON file");
        }
        finally
        {
            Environment.SetEnvironmentVariable("ETTEST_EfficientTraining__Trainer__Seed", null);
        }
    }

    [Fact]
    public async Task AGenericHostBindsARecipeFromAppsettingsAndTrains()
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), """
            { "EfficientTraining": {
                "Trainer": { "MaxDuration": "4ba", "Seed": 3 },
                "Recipe": { "Algorithms": [ "LabelSmoothing", "MixUp" ], "ScaleScheduleRatio": 0.5 },
                "LabelSmoothing": { "Smoothing": 0.2 },
                "MixUp": { "Alpha": 0.4 } } }
            """);
        var (x, y) = Data(n: 48);
        using var model = new Mlp();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder, Args = Array.Empty<string>() });
        builder.Services.AddEfficientTraining(builder.Configuration, o =>
        {
            o.Model = model;
            o.Optimizer = p => optim.SGD(p, 0.1);
            o.TrainData = new TensorTrainingData(x, y, 8);
        });
        using var host = builder.Build();
        await host.StartAsync();
        var trainer = host.Services.GetRequiredService<Trainer>();
        var result = trainer.Fit();
        result.Timestamp.Batch.Should().Be(2, "4ba × the recipe's ratio 0.5");
        trainer.DescribeLoop().Should().Contain("LabelSmoothing").And.Contain("MixUp");
        await host.StopAsync();
    }

    [Fact]
    public async Task TheRecipeCanBeAFileNamedInConfiguration()
    {
        var recipe = Path.Combine(_folder, "recipe.json");
        File.WriteAllText(recipe, """{ "scaleScheduleRatio": 0.5, "algorithms": [ { "name": "LabelSmoothing", "options": { "Smoothing": 0.1 } } ] }""");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EfficientTraining:Trainer:MaxDuration"] = "2ba",
            ["EfficientTraining:Recipe:File"] = recipe,
        }).Build();
        var (x, y) = Data(n: 48);
        using var model = new Mlp();
        using var provider = new ServiceCollection().AddEfficientTraining(configuration, o =>
        {
            o.Model = model;
            o.Optimizer = p => optim.SGD(p, 0.1);
            o.TrainData = new TensorTrainingData(x, y, 8);
        }).BuildServiceProvider();
        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        var trainer = provider.GetRequiredService<Trainer>();
        trainer.Fit().Timestamp.Batch.Should().Be(1);
        trainer.DescribeLoop().Should().Contain("LabelSmoothing");
    }

    [Fact]
    public async Task AnInvalidRecipeValueFailsTheHostAtStartNamingTheOption()
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), """
            { "EfficientTraining": { "Recipe": { "Algorithms": [ "MixUp" ] }, "MixUp": { "Alpha": -2 } } }
            """);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder, Args = Array.Empty<string>() });
        builder.Services.AddEfficientTraining(builder.Configuration, o =>
        {
            o.Model = new Mlp();
            o.Optimizer = p => optim.SGD(p, 0.1);
            o.TrainData = new TensorTrainingData(zeros(4, 8), zeros(new long[] { 4 }, ScalarType.Int64), 2);
        });
        using var host = builder.Build();
        Exception? error = null;
        try
        {
            await host.StartAsync();
        }
        catch (Exception e)
        {
            error = e;
        }
        error.Should().NotBeNull("the host validates the options when it starts");
        error!.Message.Should().Contain("MixUpOptions is invalid: Property Alpha: -2 is invalid; expected a finite value > 0");
    }

    [Fact]
    public async Task InvalidConfigurationFailsOnStartWithTheLibrarysMessages()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EfficientTraining:MixUp:Alpha"] = "-1",
            ["EfficientTraining:MixUp:Probability"] = "2",
        }).Build();
        using var provider = new ServiceCollection().AddEfficientTraining(configuration, o =>
        {
            o.Model = new Mlp();
            o.Optimizer = p => optim.SGD(p, 0.1);
            o.TrainData = new TensorTrainingData(zeros(4, 8), zeros(new long[] { 4 }, ScalarType.Int64), 2);
        }).BuildServiceProvider();
        var start = () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        var expected = ExpectedMessage(new MixUpOptions { Alpha = -1, Probability = 2 });
        (await start.Should().ThrowAsync<MeoValidationException>()).Which.Message.Should().Contain(expected);
        expected.Should().Contain("Property Alpha").And.Contain("Property Probability", "every invalid property is reported at once");
    }

    [Fact]
    public async Task WithoutTheModelTheTrainerOptionsFailOnStartNamingIt()
    {
        using var provider = new ServiceCollection().AddEfficientTraining().BuildServiceProvider();
        var start = () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        await start.Should().ThrowAsync<MeoValidationException>().WithMessage("*TrainerOptions is invalid*Property Model*");
        var build = () => provider.GetRequiredService<Trainer>();
        build.Should().Throw<MeoValidationException>();
    }

    [Fact]
    public void EveryTechniqueOptionsTypeIsRegisteredUnderItsSection()
    {
        EfficientTrainingServiceCollectionExtensions.OptionsTypes.Should().Contain(new[] { typeof(TrainerOptions), typeof(MixUpOptions), typeof(SamOptions), typeof(BlurPoolOptions) });
        EfficientTrainingServiceCollectionExtensions.OptionsTypes.Count.Should().BeGreaterThanOrEqualTo(35);
        EfficientTrainingServiceCollectionExtensions.SectionOf(typeof(TrainerOptions)).Should().Be("Trainer");
        EfficientTrainingServiceCollectionExtensions.SectionOf(typeof(ProgressiveResizingOptions)).Should().Be("ProgressiveResizing");
        using var provider = new ServiceCollection().AddEfficientTraining().BuildServiceProvider();
        foreach (var type in EfficientTrainingServiceCollectionExtensions.OptionsTypes)
            provider.GetServices(typeof(IValidateOptions<>).MakeGenericType(type)).Should().ContainSingle(type.Name);
    }

    [Fact]
    public void ValidatorsReportTheSameMessageAsValidate()
    {
        var invalid = new SamOptions { Rho = -1 };
        var result = new ValidatableOptionsValidator<SamOptions>().Validate(null, invalid);
        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Be(ExpectedMessage(invalid));
        new ValidatableOptionsValidator<SamOptions>().Validate(null, new SamOptions()).Succeeded.Should().BeTrue();
    }

    private static string ExpectedMessage(IValidatableOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
        throw new InvalidOperationException("expected invalid options");
    }
}
