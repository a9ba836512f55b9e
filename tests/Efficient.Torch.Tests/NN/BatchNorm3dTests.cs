namespace Efficient.Torch.Tests.NN;

/// <summary>
/// BatchNorm3d normalises each channel over N·D·H·W values: the same computation as BatchNorm2d
/// (checked against PyTorch in LayerParityTests) on the input viewed as [N, C, D·H, W].
/// </summary>
public class BatchNorm3dTests
{
    [Fact]
    public void MatchesBatchNorm2dOnTheFlattenedDepthInTrainingAndEvaluation()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var bn3 = nn.BatchNorm3d(3, momentum: 0.2);
        var bn2 = nn.BatchNorm2d(3, momentum: 0.2);
        using (no_grad())
        {
            var w = rand(3) + 0.5;
            var b = randn(3);
            bn3.weight.copy_(w);
            bn2.weight.copy_(w);
            bn3.bias!.copy_(b);
            bn2.bias!.copy_(b);
        }
        for (var step = 0; step < 2; step++)
        {
            var x = randn(new long[] { 4, 3, 2, 3, 5 }) * 2 + 1;
            var y3 = bn3.call(x);
            var y2 = bn2.call(x.reshape(4, 3, 6, 5)).reshape(4, 3, 2, 3, 5);
            (y3 - y2).abs().max().ToDouble().Should().BeLessThan(1e-6);
        }
        (bn3.running_mean! - bn2.running_mean!).abs().max().ToDouble().Should().BeLessThan(1e-6);
        (bn3.running_var! - bn2.running_var!).abs().max().ToDouble().Should().BeLessThan(1e-6);
        bn3.num_batches_tracked!.item<long>().Should().Be(2);
        bn3.state_dict().Keys.Should().Equal("weight", "bias", "running_mean", "running_var", "num_batches_tracked");

        bn3.eval();
        bn2.eval();
        var e = randn(new long[] { 2, 3, 2, 2, 2 });
        (bn3.call(e) - bn2.call(e.reshape(2, 3, 4, 2)).reshape(2, 3, 2, 2, 2)).abs().max().ToDouble().Should().BeLessThan(1e-6);
    }

    [Fact]
    public void RejectsInputThatIsNot5D()
    {
        using var bn = nn.BatchNorm3d(3);
        using var x = randn(2, 3, 4, 4);
        FluentActions.Invoking(() => bn.call(x)).Should().Throw<ArgumentException>()
            .WithMessage("BatchNorm3d: the input has shape [2, 3, 4, 4]; expected 5-D [N, C, D, H, W] input.*").Which.ParamName.Should().Be("input");
    }
}
