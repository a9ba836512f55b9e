namespace Efficient.Torch.Tests.Tensors;

/// <summary>torch.linalg.svd and svdvals against PyTorch 1.13 (Reference/linalg.json, generate_linalg.py).</summary>
public class LinalgTests
{
    [Theory]
    [InlineData("tall", false)]
    [InlineData("tall", true)]
    [InlineData("wide", false)]
    [InlineData("wide", true)]
    [InlineData("batch", false)]
    [InlineData("batch", true)]
    public void SvdMatchesPyTorch(string name, bool full)
    {
        using var scope = torch.NewDisposeScope();
        var c = Ref.Case("linalg.json", $"svd_{name}_full{(full ? 1 : 0)}");
        var a = c.T("a");
        var (u, s, vh) = torch.linalg.svd(a, full);
        var eu = c.T("u");
        var evh = c.T("vh");
        u.shape.Should().Equal(eu.shape);
        vh.shape.Should().Equal(evh.shape);
        Ref.AssertClose(s, c["s"], "S", 1e-5, 1e-5);

        // Singular vectors are unique up to sign: align each of the first k pairs with PyTorch's.
        var k = s.shape[^1];
        var uk = u.narrow(-1, 0, k);
        var euk = eu.narrow(-1, 0, k);
        var sign = (uk * euk).sum(new long[] { -2 }, keepdim: true).sign();
        Close(uk * sign, euk, 1e-4, "U");
        var vk = vh.narrow(-2, 0, k);
        var evk = evh.narrow(-2, 0, k);
        Close(vk * sign.transpose(-1, -2), evk, 1e-4, "Vh");

        // The factors reproduce the input, and the full factors are orthogonal.
        var rebuilt = (uk * s.unsqueeze(-2)).matmul(vk);
        Close(rebuilt, a, 1e-5, "U diag(S) Vh");
        var eyeU = torch.eye(u.shape[^1]).expand(u.shape[..^2].Concat(new[] { u.shape[^1], u.shape[^1] }).ToArray());
        (u.transpose(-1, -2).matmul(u) - eyeU).abs().max().ToDouble().Should().BeLessThan(1e-5);
        var eyeV = torch.eye(vh.shape[^2]).expand(vh.shape[..^2].Concat(new[] { vh.shape[^2], vh.shape[^2] }).ToArray());
        (vh.matmul(vh.transpose(-1, -2)) - eyeV).abs().max().ToDouble().Should().BeLessThan(1e-5);
    }

    private static void Close(torch.Tensor actual, torch.Tensor expected, double tolerance, string what)
    {
        actual.shape.Should().Equal(expected.shape, what);
        (actual - expected).abs().max().ToDouble().Should().BeLessThan(tolerance, what);
    }

    [Theory]
    [InlineData("tall")]
    [InlineData("wide")]
    [InlineData("batch")]
    public void SvdvalsMatchPyTorch(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Ref.Case("linalg.json", $"svdvals_{name}");
        Ref.AssertClose(torch.linalg.svdvals(c.T("a")), c["s"], "svdvals", 1e-5, 1e-5);
    }

    [Fact]
    public void BadInputNamesWhatWasExpected()
    {
        using var v = torch.ones(3);
        FluentActions.Invoking(() => torch.linalg.svd(v)).Should().Throw<ArgumentException>()
            .WithMessage("linalg.svd: the input has shape [3]; expected a matrix or a batch of matrices [*, m, n].*").Which.ParamName.Should().Be("input");
        FluentActions.Invoking(() => torch.linalg.svdvals(v)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("input");
        using var ints = torch.ones(new long[] { 2, 2 }, torch.ScalarType.Int64);
        FluentActions.Invoking(() => torch.linalg.svd(ints)).Should().Throw<Exception>().WithMessage("*linalg.svd*");
    }
}
