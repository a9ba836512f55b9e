using Efficient.Training.Tests.Algorithms;
using Efficient.Training.Models;

namespace Efficient.Training.Tests.Models;

public class ResNetTests
{
    [Fact]
    public void ModuleTreeExposesResidualBranchesAndShortcuts()
    {
        using var model = new ResNet(inChannels: 3, classes: 5, blocksPerStage: 1, width: 4);
        model.named_children().Select(c => c.name).Should().Equal("stem", "bn", "layers", "head");
        var blocks = model.named_modules().Where(m => m.module is IResidualBlock).Select(m => m.name).ToArray();
        blocks.Should().Equal("layers.0", "layers.1", "layers.2");
        var first = (BasicBlock)model.named_modules().Single(m => m.name == "layers.0").module;
        first.ResidualBranchName.Should().Be("residual");
        first.ResidualBranch.Should().BeSameAs(first.named_children().Single(c => c.name == "residual").module);
        first.Shortcut.Should().BeOfType<TorchSharp.Modules.Identity>("same shape: identity shortcut");
        model.named_modules().Select(m => m.name).Should().Contain(new[] { "layers.1.shortcut.0", "layers.1.residual.0", "layers.1.residual.4" });
        using var scope = NewDisposeScope();
        model.call(randn(2, 3, 8, 8)).shape.Should().Equal(2, 5);
    }

    [Fact]
    public void BlockComputesReluOfBranchPlusShortcut()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var block = new BasicBlock(3, 6, stride: 2);
        block.eval();
        var x = randn(2, 3, 5, 5);
        var expected = (block.ResidualBranch.call(x) + block.Shortcut.call(x)).relu();
        block.call(x).Values().ShouldBeClose(expected.Values(), 0, 0);
        block.call(x).shape.Should().Equal(2, 6, 3, 3);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        FluentActions.Invoking(() => new ResNet(width: 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("width");
        FluentActions.Invoking(() => new ResNet(blocksPerStage: 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("blocksPerStage");
        FluentActions.Invoking(() => new BasicBlock(4, 4, stride: 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("stride");
    }
}
