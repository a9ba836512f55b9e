namespace Efficient.Training.Tests.Core;

/// <summary>
/// Convolutions are correct after <see cref="ConvolutionCheck.Run"/>, on any CPU: either oneDNN agreed
/// with libtorch's reference kernels for the shape, or the check switched oneDNN off. The references
/// here are independent of both: float64 loops written out by hand, and float64 <c>conv_transpose2d</c>
/// (the input gradient of a stride-1 convolution is the transposed convolution of the output gradient).
/// On the machines this project runs on, oneDNN's AVX2/AVX-512 kernels get the input gradient wrong for
/// widths that are not multiples of 16 and the forward pass wrong above 16 (docs/engine.md).
/// </summary>
/// <remarks>
/// These tests switch oneDNN back on for a moment (to compare it): they run alone, so no other test's
/// convolution gradients come from the wrong kernels meanwhile.
/// </remarks>
[Collection(OneDnnSwitchingCollection.Name)]
public class ConvolutionCheckTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(32)]
    [InlineData(64)]
    public void AfterTheCheckConvolutionsAndTheirGradientsMatchFloat64(int channels)
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(channels, channels, 3, padding: 1);
        var result = ConvolutionCheck.Run(conv);
        (result.AllCorrect || result.OneDnnDisabled || result.Skipped is not null).Should().BeTrue(result.ToString());

        using var g = new Generator(11);
        var x = randn(new long[] { 4, channels, 12, 12 }, generator: g).requires_grad_(true);
        var y = conv.call(x);
        var dy = randn(y.shape, generator: g);
        var grads = torch.autograd.grad(new[] { y }, new[] { x, conv.weight! }, new[] { dy });

        var x64 = x.detach().to(ScalarType.Float64);
        var w64 = conv.weight!.detach().to(ScalarType.Float64);
        var dy64 = dy.to(ScalarType.Float64);
        var y64 = nn.functional.conv2d(x64, w64, conv.bias!.detach().to(ScalarType.Float64), padding: new long[] { 1, 1 });
        var dx64 = nn.functional.conv_transpose2d(dy64, w64, padding: new long[] { 1, 1 });
        // The weight gradient: correlate each input channel with each output-gradient channel (batch as channels).
        var dw64 = nn.functional.conv2d(x64.transpose(0, 1), dy64.transpose(0, 1), padding: new long[] { 1, 1 }).transpose(0, 1);

        // float32 sums of up to 64×9×4×144 products of unit normals: errors of order 1e-5 relative.
        RelativeError(y, y64).Should().BeLessThan(1e-4, "forward");
        RelativeError(grads[0], dx64).Should().BeLessThan(1e-4, "input gradient");
        RelativeError(grads[1], dw64).Should().BeLessThan(1e-4, "weight gradient");
    }

    [Fact]
    public void TheInputGradientOfASmallConvolutionMatchesAHandWrittenLoop()
    {
        using var scope = NewDisposeScope();
        const int n = 2, c = 4, hw = 6;
        using var conv = nn.Conv2d(c, c, 3, padding: 1, bias: false);
        ConvolutionCheck.Run(conv);
        using var gen = new Generator(5);
        var x = randn(new long[] { n, c, hw, hw }, generator: gen).requires_grad_(true);
        var y = conv.call(x);
        var dy = randn(y.shape, generator: gen);
        var dx = torch.autograd.grad(new[] { y }, new[] { x }, new[] { dy })[0].data<float>().ToArray();

        var G = dy.data<float>().ToArray();
        var W = conv.weight!.detach().data<float>().ToArray();
        for (var a = 0; a < n; a++)
        for (var ci = 0; ci < c; ci++)
        for (var i = 0; i < hw; i++)
        for (var j = 0; j < hw; j++)
        {
            // dx[a,ci,i,j] = Σ_co,ki,kj dy[a,co,i-ki+1,j-kj+1] · w[co,ci,ki,kj]
            double sum = 0;
            for (var co = 0; co < c; co++)
            for (var ki = 0; ki < 3; ki++)
            for (var kj = 0; kj < 3; kj++)
            {
                int oi = i - ki + 1, oj = j - kj + 1;
                if (oi < 0 || oj < 0 || oi >= hw || oj >= hw) continue;
                sum += (double)G[((a * c + co) * hw + oi) * hw + oj] * W[((co * c + ci) * 3 + ki) * 3 + kj];
            }
            dx[((a * c + ci) * hw + i) * hw + j].Should().BeApproximately((float)sum, 1e-4f);
        }
    }

    [Fact]
    public void TheCheckLeavesTheRandomStreamTheWeightsAndTheirGradientsAlone()
    {
        using var scope = NewDisposeScope();
        using var model = nn.Sequential(("a", nn.Conv2d(3, 5, 3, stride: 2)), ("b", nn.ReLU()), ("c", nn.Conv1d(2, 2, 1)));
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        manual_seed(3);
        var expected = rand(4);
        manual_seed(3);
        var result = ConvolutionCheck.Run(model);
        TensorEquality.SameValues(rand(4), expected).Should().BeTrue("the check draws from its own generator");
        model.parameters().All(p => p.grad is null).Should().BeTrue("the check asks autograd for gradients without accumulating them");
        model.parameters().Zip(before).All(pair => TensorEquality.SameValues(pair.First, pair.Second)).Should().BeTrue();
        if (result.Skipped is null)
            result.CheckedShapes.Should().HaveCount(2).And.Contain(s => s.StartsWith("Conv2d(3->5, kernel [3,3], stride [2,2]", StringComparison.Ordinal));
    }

    [Fact]
    public void AFrozenConvolutionIsCheckedWithoutItsWeightGradient()
    {
        using var conv = nn.Conv2d(5, 6, 3);
        conv.weight!.requires_grad = false;
        conv.bias!.requires_grad = false;
        var was = ConvolutionCheck.OneDnnEnabled;
        ConvolutionCheck.OneDnnEnabled = true;   // an earlier test may have switched it off: compare now
        try
        {
            var result = ConvolutionCheck.Run(conv);
            result.Skipped.Should().BeNull();
            result.CheckedShapes.Should().ContainSingle().Which.Should().StartWith("Conv2d(5->6");
            result.WrongShapes.Should().NotContain(w => w.Contains("weight gradient", StringComparison.Ordinal), "a frozen weight's gradient is not compared");
            conv.weight.grad.Should().BeNull();
        }
        finally
        {
            ConvolutionCheck.OneDnnEnabled = was && ConvolutionCheck.OneDnnEnabled;
        }
    }

    [Fact]
    public void AModelWithoutConvolutionsIsSkippedWithTheReason()
    {
        using var model = nn.Linear(3, 2);
        var result = ConvolutionCheck.Run(model);
        result.Skipped.Should().Be("the model has no float32 convolution module on the CPU");
        result.AllCorrect.Should().BeTrue();
        result.ToString().Should().Be("Convolution check skipped: the model has no float32 convolution module on the CPU.");
    }

    [Fact]
    public void WithOneDnnOffNothingIsComparedAndTheSwitchReadsBack()
    {
        var was = ConvolutionCheck.OneDnnEnabled;
        try
        {
            ConvolutionCheck.OneDnnEnabled = false;
            ConvolutionCheck.OneDnnEnabled.Should().BeFalse();
            using var conv = nn.Conv2d(2, 2, 3);
            ConvolutionCheck.Run(conv).Skipped.Should().Be("oneDNN is switched off in this process");
        }
        finally
        {
            ConvolutionCheck.OneDnnEnabled = was;
        }
        ConvolutionCheck.OneDnnEnabled.Should().Be(was);
    }

    [Fact]
    public void TheTrainerRecordsTheCheckAndCanBeToldToSkipIt()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("flat", nn.Flatten()), ("fc", nn.Linear(2 * 4 * 4, 3)));
        var x = randn(4, 1, 6, 6);
        var y = randint(0, 3, new long[] { 4 });
        var trainer = new Trainer(new TrainerOptions { Model = model, Optimizer = p => optim.SGD(p, 0.1), TrainData = new TensorTrainingData(x, y, 4), MaxDuration = Duration.Batches(1) });
        trainer.ConvolutionCheck.Should().BeNull("the check runs at fit start");
        trainer.Fit();
        trainer.ConvolutionCheck.Should().NotBeNull();

        var unchecked_ = new Trainer(new TrainerOptions { Model = model, Optimizer = p => optim.SGD(p, 0.1), TrainData = new TensorTrainingData(x, y, 4), MaxDuration = Duration.Batches(1), CheckConvolutions = false });
        unchecked_.Fit();
        unchecked_.ConvolutionCheck.Should().BeNull();
    }

    private static double RelativeError(Tensor value, Tensor reference) =>
        (value.detach().to(ScalarType.Float64) - reference).abs().max().item<double>() / reference.abs().max().item<double>();
}

/// <summary>Tests that switch oneDNN on or off process-wide: not run in parallel with any other test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneDnnSwitchingCollection
{
    public const string Name = "oneDNN switching";
}
