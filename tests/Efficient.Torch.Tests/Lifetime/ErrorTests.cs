using System.Runtime.InteropServices;

namespace Efficient.Torch.Tests.Lifetime;

public class ErrorTests
{
    [Fact]
    public void ShapeMismatchBecomesAManagedExceptionNamingTheOp()
    {
        using var scope = NewDisposeScope();
        var a = ones(3);
        var b = ones(4);
        var act = () => a.add(b);
        act.Should().Throw<ExternalException>()
            .Which.Message.Should().StartWith("add: ").And.Contain("The size of tensor a (3) must match the size of tensor b (4)");
    }

    [Fact]
    public void MatmulShapeErrorQuotesLibtorch()
    {
        using var scope = NewDisposeScope();
        var act = () => ones(2, 3).matmul(ones(2, 3));
        act.Should().Throw<ExternalException>().Which.Message.Should().StartWith("matmul: ").And.Contain("cannot be multiplied");
    }

    [Fact]
    public void ConvWithWrongChannelsIsReported()
    {
        using var scope = NewDisposeScope();
        var act = () => nn.functional.conv2d(ones(1, 3, 8, 8), ones(4, 2, 3, 3));
        act.Should().Throw<ExternalException>().Which.Message.Should().StartWith("conv2d: ");
    }

    [Fact]
    public void ErrorDoesNotLeakIntoTheNextCall()
    {
        using var scope = NewDisposeScope();
        var act = () => ones(3).view(4);
        act.Should().Throw<ExternalException>().Which.Message.Should().StartWith("view: ");
        ones(4).view(2, 2).shape.Should().Equal(2, 2);
    }

    [Fact]
    public void ItemWithWrongTypeNamesTheDtype()
    {
        using var t = tensor(1.5f);
        var act = () => t.item<int>();
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("Float32").And.Contain("item<Single>");
        t.item<float>().Should().Be(1.5f);
        t.ToDouble().Should().Be(1.5);
    }

    [Fact]
    public void ItemOnManyElementsFails()
    {
        using var t = ones(3);
        var act = () => t.item<float>();
        act.Should().Throw<ExternalException>().Which.Message.Should().Contain("3 elements");
    }

    [Fact]
    public void UseAfterDisposeIsAClearException()
    {
        var t = ones(2);
        t.Dispose();
        var act = () => t.sum();
        act.Should().Throw<ObjectDisposedException>().Which.Message.Should().Contain("disposed");
        t.ToString().Should().Be("Tensor (disposed)");
    }

    [Fact]
    public void DisposingTwiceIsHarmless()
    {
        var t = ones(2);
        t.Dispose();
        t.Dispose();
        t.IsInvalid.Should().BeTrue();
    }

    [Fact]
    public void BadFactoryArgumentsAreRejectedBeforeTheNativeCall()
    {
        var act = () => zeros(new long[] { 2, -1 });
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("Size -1 at dimension 1 is negative");
        var data = () => tensor(new float[] { 1, 2, 3 }, new long[] { 2, 2 });
        data.Should().Throw<ArgumentException>().Which.Message.Should().Contain("holds 4 elements but 3 were given");
    }

    [Fact]
    public void BadDeviceDescriptionIsRejected()
    {
        var act = () => new Device("tpu:0");
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("Unknown device type 'tpu'");
        new Device("cuda:1").index.Should().Be(1);
    }

    [Fact]
    public void BackwardOnNonScalarWithoutGradientIsReported()
    {
        using var scope = NewDisposeScope();
        var w = ones(3).requires_grad_();
        var act = () => (w * 2).backward();
        act.Should().Throw<ExternalException>().Which.Message.Should().StartWith("backward: ").And.Contain("scalar outputs");
    }
}
