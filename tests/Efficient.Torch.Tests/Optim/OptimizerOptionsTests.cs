using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.Optim;

/// <summary>Bad options throw an ArgumentException that names the option, its value and the valid range.</summary>
public class OptimizerOptionsTests
{
    private static void ShouldReject(Action create, string parameter, string message)
    {
        var ex = create.Should().Throw<ArgumentException>().Which;
        ex.ParamName.Should().Be(parameter);
        ex.Message.Should().Be($"{message} (Parameter '{parameter}')");
    }

    [Fact]
    public void SgdRejectsBadOptions()
    {
        using var p = new OptimProblem();
        ShouldReject(() => optim.SGD(p.All, -0.1), "lr", "Invalid learning rate: lr = -0.1; expected a value in [0, +inf).");
        ShouldReject(() => new SGD(p.All, lr: double.NaN), "lr", "Invalid learning rate: lr = NaN; expected a value in [0, +inf).");
        ShouldReject(() => optim.SGD(p.All, 0.1, momentum: -0.5), "momentum", "Invalid momentum: momentum = -0.5; expected a value in [0, +inf).");
        ShouldReject(() => optim.SGD(p.All, 0.1, weight_decay: -1e-4), "weight_decay", "Invalid weight_decay value: weight_decay = -0.0001; expected a value in [0, +inf).");
        ShouldReject(() => optim.SGD(p.All, 0.1, nesterov: true), "nesterov",
            "Invalid Nesterov momentum: nesterov = true; expected momentum > 0 and dampening = 0 (got momentum = 0, dampening = 0).");
        ShouldReject(() => optim.SGD(p.All, 0.1, momentum: 0.9, dampening: 0.1, nesterov: true), "nesterov",
            "Invalid Nesterov momentum: nesterov = true; expected momentum > 0 and dampening = 0 (got momentum = 0.9, dampening = 0.1).");
    }

    [Fact]
    public void AdamAndAdamWRejectBadOptions()
    {
        using var p = new OptimProblem();
        ShouldReject(() => optim.Adam(p.All, lr: -1), "lr", "Invalid learning rate: lr = -1; expected a value in [0, +inf).");
        ShouldReject(() => optim.Adam(p.All, beta1: 1.0), "beta1", "Invalid beta parameter at index 0: beta1 = 1; expected a value in [0, 1).");
        ShouldReject(() => optim.Adam(p.All, beta2: -0.1), "beta2", "Invalid beta parameter at index 1: beta2 = -0.1; expected a value in [0, 1).");
        ShouldReject(() => optim.Adam(p.All, eps: -1e-8), "eps", "Invalid epsilon value: eps = -1E-08; expected a value in [0, +inf).");
        ShouldReject(() => optim.Adam(p.All, weight_decay: -0.01), "weight_decay", "Invalid weight_decay value: weight_decay = -0.01; expected a value in [0, +inf).");
        ShouldReject(() => optim.AdamW(p.All, lr: -0.001), "lr", "Invalid learning rate: lr = -0.001; expected a value in [0, +inf).");
        ShouldReject(() => optim.AdamW(p.All, beta1: 1.5), "beta1", "Invalid beta parameter at index 0: beta1 = 1.5; expected a value in [0, 1).");
        ShouldReject(() => new AdamW(p.All, beta2: 1.0), "beta2", "Invalid beta parameter at index 1: beta2 = 1; expected a value in [0, 1).");
    }

    [Fact]
    public void GroupOptionsAreValidatedToo()
    {
        using var p = new OptimProblem();
        ShouldReject(() => optim.Adam(new[] { new Adam.ParamGroup(p.Group0, new Adam.Options()), new Adam.ParamGroup(p.Group1, new Adam.Options { beta1 = 1.2 }) }), "beta1",
            "Invalid beta parameter at index 0 in parameter group 1: beta1 = 1.2; expected a value in [0, 1).");
        ShouldReject(() => optim.SGD(new[] { new SGD.ParamGroup(p.Group0, lr: -0.5) }, 0.1), "lr",
            "Invalid learning rate in parameter group 0: lr = -0.5; expected a value in [0, +inf).");
    }

    [Fact]
    public void AnEmptyParameterListOrANonLeafIsRejected()
    {
        var empty = () => optim.SGD(Array.Empty<Parameter>(), 0.1);
        empty.Should().Throw<ArgumentException>().WithMessage("*empty parameter list*").Which.ParamName.Should().Be("parameters");
        using var p = new OptimProblem();
        var wrongOptions = () => optim.SGD(p.All, 0.1).add_param_group(new Adam.ParamGroup(new[] { new Parameter(ones(1)) }, new Adam.Options()));
        wrongOptions.Should().Throw<ArgumentException>().WithMessage("*SGD.Options*Adam*");
    }
}
