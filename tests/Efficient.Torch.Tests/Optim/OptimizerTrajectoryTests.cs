using System.Collections.Generic;
using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.Optim;

/// <summary>
/// 20 steps of each optimizer on two parameter groups with different learning rates give PyTorch
/// 1.13's losses and parameters (Reference/generate_optim.py) to 1e-5.
/// </summary>
public class OptimizerTrajectoryTests
{
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> Cases => new[]
    {
        "sgd_plain", "sgd_momentum_dampening", "sgd_nesterov", "sgd_weight_decay", "sgd_maximize", "sgd_group_options",
        "adam", "adam_amsgrad_weight_decay", "adam_maximize", "adamw", "adamw_amsgrad",
    }.Select(n => new object[] { n });

    /// <summary>The optimizer of each reference case, built with the TorchSharp-shaped API.</summary>
    internal static torch.optim.Optimizer Create(string name, OptimProblem p) => name switch
    {
        "sgd_plain" => optim.SGD(new[] { new SGD.ParamGroup(p.Group0, new SGD.Options { LearningRate = 0.02 }), new SGD.ParamGroup(p.Group1, new SGD.Options { LearningRate = 0.01 }) }, 0.5),
        "sgd_momentum_dampening" => optim.SGD(SgdGroups(p, 0.02, 0.01), 0.5, momentum: 0.9, dampening: 0.1),
        "sgd_nesterov" => optim.SGD(SgdGroups(p, 0.02, 0.01), 0.5, momentum: 0.9, nesterov: true),
        "sgd_weight_decay" => optim.SGD(SgdGroups(p, 0.02, 0.01), 0.5, momentum: 0.5, weight_decay: 0.05),
        "sgd_maximize" => optim.SGD(SgdGroups(p, 0.002, 0.001), 0.5, momentum: 0.8, weight_decay: 0.05, maximize: true),
        "sgd_group_options" => optim.SGD(new[]
        {
            new SGD.ParamGroup(p.Group0, new SGD.Options { LearningRate = 0.02 }),
            new SGD.ParamGroup(p.Group1, new SGD.Options { LearningRate = 0.01, momentum = 0.0, weight_decay = 0.1 }),
        }, 0.5, momentum: 0.9),
        "adam" => optim.Adam(AdamGroups(p, 0.05, 0.01)),
        "adam_amsgrad_weight_decay" => optim.Adam(AdamGroups(p, 0.05, 0.01), beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.05, amsgrad: true),
        "adam_maximize" => optim.Adam(AdamGroups(p, 0.01, 0.005), maximize: true, weight_decay: 0.02),
        "adamw" => optim.AdamW(AdamWGroups(p, 0.05, 0.01), weight_decay: 0.05),
        "adamw_amsgrad" => optim.AdamW(AdamWGroups(p, 0.05, 0.01), beta1: 0.85, beta2: 0.98, weight_decay: 0.1, amsgrad: true),
        _ => throw new ArgumentException($"Unknown case {name}.", nameof(name)),
    };

    private static SGD.ParamGroup[] SgdGroups(OptimProblem p, double lr0, double lr1)
        => new[] { new SGD.ParamGroup(p.Group0, new SGD.Options { LearningRate = lr0 }), new SGD.ParamGroup(p.Group1, new SGD.Options { LearningRate = lr1 }) };

    private static Adam.ParamGroup[] AdamGroups(OptimProblem p, double lr0, double lr1)
        => new[] { new Adam.ParamGroup(p.Group0, new Adam.Options { LearningRate = lr0 }), new Adam.ParamGroup(p.Group1, new Adam.Options { LearningRate = lr1 }) };

    private static AdamW.ParamGroup[] AdamWGroups(OptimProblem p, double lr0, double lr1)
        => new[] { new AdamW.ParamGroup(p.Group0, new AdamW.Options { LearningRate = lr0 }), new AdamW.ParamGroup(p.Group1, new AdamW.Options { LearningRate = lr1 }) };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwentyStepsMatchPyTorch(string name)
    {
        var expected = OptimProblem.OptimizerCase(name);
        var losses = ReferenceFile.Floats(expected.GetProperty("losses"));
        var trajectory = expected.GetProperty("params").EnumerateArray().Select(ReferenceFile.Floats).ToArray();
        using var p = new OptimProblem();
        var initialU = p.u.data<float>().ToArray();
        using var opt = Create(name, p);
        for (var step = 0; step < losses.Length; step++)
        {
            using var scope = NewDisposeScope();
            var loss = p.ForwardBackward(opt);
            opt.step();
            ((double)loss).Should().BeApproximately(losses[step], Tolerance * Math.Max(1, Math.Abs(losses[step])), $"the loss at step {step} of {name}");
            OptimProblem.ShouldBeClose(p.Flat(), trajectory[step], Tolerance, $"{name}, parameters after step {step + 1}");
        }
        p.u.data<float>().ToArray().Should().Equal(initialU, "a parameter without a gradient is not updated");
    }

    [Fact]
    public void FactoriesUseTorchSharpParameterNamesAndDefaults()
    {
        using var p = new OptimProblem();
        using var sgd = optim.SGD(p.All, learningRate: 0.1);
        sgd.Should().BeOfType<SGD>();
        using var sgdNamed = optim.SGD(new[] { ("w", p.W) }, learningRate: 0.1);
        using var sgdCtor = new SGD(p.All, lr: 0.1);
        using var adam = optim.Adam(p.All);
        adam.ParamGroups.Single().LearningRate.Should().Be(1e-3);
        ((Adam.Options)((Adam.ParamGroup)adam.ParamGroups.Single()).Options).beta2.Should().Be(0.999);
        using var adamw = optim.AdamW(p.All);
        ((AdamW.ParamGroup)adamw.ParamGroups.Single()).Options.weight_decay.Should().Be(0, "TorchSharp's AdamW default weight decay is 0");
        adamw.Betas.Should().Be((0.9, 0.999));
        sgd.ParamGroups.Single().InitialLearningRate.Should().Be(0.1);
        sgd.parameters().Should().HaveCount(4);
    }

    [Fact]
    public void GroupsLeaveUnsetOptionsToTheOptimizerDefaults()
    {
        using var p = new OptimProblem();
        using var opt = optim.SGD(new[] { new SGD.ParamGroup(p.Group0, new SGD.Options { momentum = 0.5 }), new SGD.ParamGroup(p.Group1, new SGD.Options { LearningRate = 0.3 }) }, 0.1, momentum: 0.9, nesterov: false);
        var groups = opt.ParamGroups.Cast<SGD.ParamGroup>().ToArray();
        groups[0].LearningRate.Should().Be(0.1);
        groups[0].Momentum.Should().Be(0.5);
        groups[1].LearningRate.Should().Be(0.3);
        groups[1].InitialLearningRate.Should().Be(0.3);
        groups[1].Momentum.Should().Be(0.9);
        groups[1].Options.dampening.Should().Be(0);
    }
}
