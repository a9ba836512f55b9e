using System;
using System.Linq;
using FluentAssertions;
using ResNetSample;
using Xunit;

namespace Efficient.Samples.Tests;

/// <summary>The recipe names the studies use for ablations (RECIPE-without-T) and additions (RECIPE-with-T).</summary>
public sealed class RecipeVariantTests
{
    [Fact]
    public void AnAblationTakesOneTechniqueOrTheRatioOut()
    {
        Recipes.Ablations("mild").Should().Equal("mild-without-ChannelsLast", "mild-without-ProgressiveResizing", "mild-without-LabelSmoothing", "mild-without-ssr");
        Recipes.Ablations("baseline").Should().BeEmpty();
        Recipes.Create("mild-without-ProgressiveResizing").Algorithms.Select(a => a.Name).Should().Equal("ChannelsLast", "LabelSmoothing");
        var noRatio = Recipes.Create("mild-without-ssr");
        noRatio.ScaleScheduleRatio.Should().Be(1.0);
        noRatio.Algorithms.Should().HaveCount(3);
        var act = () => Recipes.Create("mild-without-MixUp");
        act.Should().Throw<ArgumentException>().WithMessage("unknown ablation 'mild-without-MixUp': recipe 'mild' has no technique 'MixUp'; it has ChannelsLast, ProgressiveResizing, LabelSmoothing (or 'ssr', the scale-schedule ratio)*");
    }

    [Fact]
    public void AnAdditionAppendsOneTechniqueWithItsDefaults()
    {
        var recipe = Recipes.Create("mild-with-DataEchoing");
        recipe.Algorithms.Select(a => a.Name).Should().Equal("ChannelsLast", "ProgressiveResizing", "LabelSmoothing", "DataEchoing");
        recipe.ScaleScheduleRatio.Should().Be(0.5);
        Recipes.Create("baseline-with-lars").Algorithms.Should().ContainSingle().Which.Should().BeOfType<Efficient.Training.Algorithms.LarsAlgorithm>();
        var act = () => Recipes.Create("mild-with-Warp");
        act.Should().Throw<ArgumentException>().WithMessage("unknown technique in 'mild-with-Warp': 'Warp'; available: *");
    }
}
