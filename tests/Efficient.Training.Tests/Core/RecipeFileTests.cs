using System.IO;
using Efficient.Training.Algorithms;
using Efficient.Training.Schedulers;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

public sealed class RecipeFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-recipe-" + Guid.NewGuid().ToString("N"));

    public RecipeFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Mixing = """
        {
          "name": "mixing",
          "scaleScheduleRatio": 0.5,
          "optimizer": { "name": "DecoupledSGDW", "options": { "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4 } },
          "schedule": { "name": "CosineAnnealing", "options": { "t_warmup": "2ba", "alpha_f": 0.1 } },
          "algorithms": [
            { "name": "LabelSmoothing", "options": { "Smoothing": 0.2 } },
            { "name": "MixUp", "options": { "Alpha": 0.4, "StopAt": "0.5dur" } },
            { "name": "GradientClipping", "options": { "ClippingType": "Norm", "ClippingThreshold": 1.0 } }
          ]
        }
        """;

    [Fact]
    public void ARecipeBuildsTheAlgorithmsOptimizerAndScheduleAndTrains()
    {
        var recipe = RecipeFile.Parse(Mixing);
        recipe.Name.Should().Be("mixing");
        recipe.CreateAlgorithms().Select(a => a.GetType()).Should().Equal(typeof(LabelSmoothingAlgorithm), typeof(MixUpAlgorithm), typeof(GradientClippingAlgorithm));

        var (x, y) = Data(n: 48);
        using var model = new Mlp();
        var options = Options(model, x, y, max: "4ba");
        recipe.ApplyTo(options);
        options.ScaleScheduleRatio.Should().Be(0.5);
        var trainer = new Trainer(options);
        trainer.Fit().Timestamp.Batch.Should().Be(2, "4ba × 0.5");
        trainer.State!.Optimizer.Should().BeOfType<Efficient.Training.Optimizers.DecoupledSGDW>();
        trainer.State.Schedulers.Should().ContainSingle().Which.Should().BeOfType<ComposerLRScheduler>();
    }

    [Fact]
    public void ARecipeRoundTripsThroughItsFile()
    {
        var path = Path.Combine(_folder, "mixing.json");
        RecipeFile.Save(RecipeFile.Parse(Mixing), path);
        var again = RecipeFile.Load(path);
        RecipeFile.ToJson(again).Should().Be(RecipeFile.ToJson(RecipeFile.Parse(Mixing)));
        again.Algorithms.Select(a => a.Name).Should().Equal("LabelSmoothing", "MixUp", "GradientClipping");
        Directory.GetFiles(_folder).Should().ContainSingle("nothing half-written is left");
    }

    [Fact]
    public void InvalidOptionsFailWithTheAlgorithmsOwnMessage()
    {
        var recipe = RecipeFile.Parse("""{ "algorithms": [ { "name": "Sam", "options": { "Rho": -1, "Interval": 0 } } ] }""");
        var expected = Invoking(() => new SamAlgorithm(new SamOptions { Rho = -1, Interval = 0 }));
        var build = () => recipe.CreateAlgorithms();
        build.Should().Throw<InvalidDataException>().WithMessage("The recipe's algorithm 1 (Sam): " + expected)
            .Which.InnerException.Should().BeOfType<OptionsValidationException>();
    }

    [Theory]
    [InlineData("""{ "algorithms": [ { "name": "Nope" } ] }""", "The recipe names an unknown algorithm 'Nope' (algorithm 1); expected one of *MixUp*")]
    [InlineData("""{ "algorithms": [ { "name": "MixUp", "options": { "Alfa": 1 } } ] }""", "*'Alfa'*")]
    [InlineData("""{ "algorithms": [ { "name": "MixUp", "options": { "StopAt": "soon" } } ] }""", "*A duration is text like \"2ep\"*got \"soon\"*")]
    [InlineData("""{ "scaleScheduleRatio": 0 }""", "The recipe has scaleScheduleRatio 0; expected a value in (0, 10].")]
    [InlineData("""{ "optimizer": { "name": "Rmsprop" } }""", "The recipe's optimizer 'Rmsprop' is unknown; expected one of SGD, Adam, AdamW, DecoupledSGDW, DecoupledAdamW, Lamb, Lars.")]
    [InlineData("""{ "optimizer": { "name": "SGD", "options": { "lr": 0.1 } } }""", "The recipe's optimizer SGD has no parameter 'lr'; expected some of learningRate, momentum, dampening, weight_decay, nesterov, maximize.")]
    [InlineData("""{ "schedule": { "name": "Sawtooth" } }""", "The recipe's schedule 'Sawtooth' is unknown; expected one of Constant, CosineAnnealing, *")]
    [InlineData("""{ "bogus": 1 }""", "The recipe is not a valid recipe: *'bogus'*")]
    public void BadRecipesAreRefusedNamingWhatIsWrong(string json, string message)
    {
        var act = () =>
        {
            var recipe = RecipeFile.Parse(json);
            recipe.CreateAlgorithms();
            recipe.CreateOptimizer();
            recipe.CreateSchedulers();
        };
        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void AMissingOrDamagedFileNamesTheFile()
    {
        var missing = Path.Combine(_folder, "missing.json");
        FluentActions.Invoking(() => RecipeFile.Load(missing)).Should().Throw<FileNotFoundException>().WithMessage($"No recipe file at '{missing}'.");
        var damaged = Path.Combine(_folder, "damaged.json");
        File.WriteAllText(damaged, "{ \"algorithms\": [");
        FluentActions.Invoking(() => RecipeFile.Load(damaged)).Should().Throw<InvalidDataException>().WithMessage($"The recipe file '{damaged}' is not a valid recipe: *");
        RecipeFile.AlgorithmNames.Should().Contain(new[] { "MixUp", "ProgressiveResizing", "Sam", "ChannelsLast", "BlurPool" });
    }

    private static string Invoking(Action act)
    {
        try
        {
            act();
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
        throw new InvalidOperationException("expected invalid options");
    }
}
