using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.NN;

public class MemoryFormatTests
{
    [Fact]
    public void ToMemoryFormatRelaysConvWeightsInPlaceAndKeepsOutputs()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var conv = torch.nn.Conv2d(3, 5, 3, padding: 1);
        var x = torch.randn(2, 3, 6, 6);
        var expected = conv.call(x).data<float>().ToArray();
        var weight = conv.weight;
        conv.ToMemoryFormat(torch.MemoryFormat.ChannelsLast).Should().Be(1, "only the 4-D weight; the bias is 1-D");
        conv.weight.Should().BeSameAs(weight);
        weight.is_contiguous(torch.MemoryFormat.ChannelsLast).Should().BeTrue();
        weight.is_contiguous().Should().BeFalse();
        weight.requires_grad.Should().BeTrue();
        var y = conv.call(x.contiguous(torch.MemoryFormat.ChannelsLast));
        var actual = y.contiguous().data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++) actual[i].Should().BeApproximately(expected[i], 1e-5f);
        conv.ToMemoryFormat(torch.MemoryFormat.Contiguous).Should().Be(1);
        weight.is_contiguous().Should().BeTrue();
        FluentActions.Invoking(() => conv.ToMemoryFormat(torch.MemoryFormat.Preserve)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("memory_format");
    }
}
