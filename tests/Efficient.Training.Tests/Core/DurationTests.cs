namespace Efficient.Training.Tests.Core;

public class DurationTests
{
    [Theory]
    [InlineData("10ep", 10, TimeUnit.Epoch)]
    [InlineData("500ba", 500, TimeUnit.Batch)]
    [InlineData("1e6sp", 1_000_000, TimeUnit.Sample)]
    [InlineData("2e7tok", 20_000_000, TimeUnit.Token)]
    [InlineData("0.3dur", 0.3, TimeUnit.Duration)]
    [InlineData(" 1dur ", 1, TimeUnit.Duration)]
    [InlineData("0ba", 0, TimeUnit.Batch)]
    public void ParsesEveryUnit(string text, double value, TimeUnit unit)
    {
        var d = Duration.Parse(text);
        d.Value.Should().Be(value);
        d.Unit.Should().Be(unit);
        Duration.Parse(d.ToString()).Should().Be(d);
    }

    [Theory]
    [InlineData("10", "Invalid duration '10': unknown or missing unit; expected a number followed by ep, ba, sp, tok or dur, e.g. '10ep', '500ba', '1e6sp', '2e7tok', '0.5dur'.")]
    [InlineData("abcep", "Invalid duration 'abcep': 'abc' is not a number; expected a number followed by ep, ba, sp, tok or dur, e.g. '10ep', '500ba', '1e6sp', '2e7tok', '0.5dur'.")]
    [InlineData("1.5ep", "Invalid duration '1.5ep': A duration in epochs must be a whole number; got 1.5ep.")]
    [InlineData("2dur", "Invalid duration '2dur': A 'dur' duration is a fraction of the run and must be in [0, 1]; got 2dur.")]
    [InlineData("-3ba", "Invalid duration '-3ba': A duration must be a finite, non-negative number; got -3ba.")]
    [InlineData("", "Invalid duration '': expected a number followed by ep, ba, sp, tok or dur, e.g. '10ep', '500ba', '1e6sp', '2e7tok', '0.5dur'.")]
    public void RejectsBadTextWithTheExactMessage(string text, string message)
    {
        var act = () => Duration.Parse(text);
        act.Should().Throw<FormatException>().WithMessage(message);
        Duration.TryParse(text, out _).Should().BeFalse();
    }

    [Fact]
    public void TimestampAdvancesAndMeasuresProgress()
    {
        var t = Timestamp.Zero.AfterBatch(128, 1000).AfterBatch(128, 1000);
        t.Batch.Should().Be(2);
        t.Sample.Should().Be(256);
        t.Token.Should().Be(2000);
        t.Progress(Duration.Parse("4ba")).Should().Be(0.5);
        t.Progress(Duration.Parse("1ep"), batchesPerEpoch: 8).Should().Be(0.25);
        t.HasReached(Duration.Parse("0.5dur"), Duration.Parse("4ba")).Should().BeTrue();
        t.HasReached(Duration.Parse("3ba"), Duration.Parse("4ba")).Should().BeFalse();

        var e = t.AfterEpoch();
        e.Epoch.Should().Be(1);
        e.BatchInEpoch.Should().Be(0);
        e.Batch.Should().Be(2);
        e.Progress(Duration.Parse("2ep")).Should().Be(0.5);
    }
}

public class ScaleScheduleRatioTests
{
    [Theory]
    [InlineData("2ep", 0.6, 100L, "120ba")]
    [InlineData("2ep", 0.5, 100L, "1ep")]
    [InlineData("4ep", 0.75, 46L, "3ep")]
    [InlineData("4ep", 0.7, 46L, "129ba")]
    [InlineData("3ep", 1.0, 46L, "3ep")]
    [InlineData("2ep", 0.6, null, "2ep")]
    [InlineData("10ba", 0.25, 46L, "3ba")]
    [InlineData("1ba", 0.1, 46L, "1ba")]
    [InlineData("1000sp", 0.3, 46L, "300sp")]
    public void ScalesToAWholeCountKeepingFractionalEpochsAsBatches(string max, double ratio, long? perEpoch, string expected)
    {
        Trainer.ScaledDuration(Duration.Parse(max), ratio, perEpoch).ToString().Should().Be(expected);
    }
}

public class TrainingStateClockTests
{
    [Fact]
    public void DurationsConvertToBatchesOfThisRun()
    {
        using var model = nn.Linear(2, 2);
        var optimizer = optim.SGD(model.parameters(), 0.1);
        using var rng = new Generator(1);
        var state = new TrainingState(model, optimizer, Duration.Parse("3ep"), rng, 1) { BatchesPerEpoch = 10, SamplesPerEpoch = 80 };
        state.ToBatches(Duration.Parse("7ba")).Should().Be(7);
        state.ToBatches(Duration.Parse("2ep")).Should().Be(20);
        state.ToBatches(Duration.Parse("40sp")).Should().Be(5, "8 samples per batch");
        state.ToBatches(Duration.Parse("0.5dur")).Should().Be(15, "half of 3 epochs of 10 batches");
        var tokens = () => state.ToBatches(Duration.Parse("100tok"), "X: Start");
        tokens.Should().Throw<InvalidOperationException>().WithMessage("X: Start = 100tok is in tokens; give it in ep, ba, sp or dur.");

        state.Timestamp = Timestamp.Zero with { Epoch = 1, Batch = 15, BatchInEpoch = 5 };
        state.HasReached(Duration.Parse("0.5dur")).Should().BeTrue("1.5 of 3 epochs");
        state.HasReached(Duration.Parse("16ba")).Should().BeFalse();
        state.HasReached(Duration.Parse("1ep")).Should().BeTrue();
    }
}
