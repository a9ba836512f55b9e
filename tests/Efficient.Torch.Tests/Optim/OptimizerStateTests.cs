using System.Collections.Generic;
using System.IO;
using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.Optim;

/// <summary>State dictionaries, closures, zero_grad, add_param_group and parameter replacement.</summary>
public class OptimizerStateTests
{
    public static IEnumerable<object[]> StatefulCases => new[] { "sgd_momentum_dampening", "sgd_nesterov", "adam", "adam_amsgrad_weight_decay", "adamw_amsgrad" }.Select(n => new object[] { n });

    internal static void StepsFor(OptimProblem p, torch.optim.Optimizer opt, int count) => Steps(p, opt, count);

    private static void Steps(OptimProblem p, torch.optim.Optimizer opt, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            p.ForwardBackward(opt);
            opt.step();
        }
    }

    [Theory]
    [MemberData(nameof(StatefulCases))]
    public void StateDictIntoAFreshOptimizerContinuesExactly(string name)
    {
        using var uninterrupted = new OptimProblem();
        using var optA = OptimizerTrajectoryTests.Create(name, uninterrupted);
        Steps(uninterrupted, optA, 10);

        using var first = new OptimProblem();
        using var optB = OptimizerTrajectoryTests.Create(name, first);
        Steps(first, optB, 5);
        var saved = ((OptimizerHelper)optB).state_dict();

        using var resumed = new OptimProblem();
        resumed.CopyFrom(first);
        using var optC = OptimizerTrajectoryTests.Create(name, resumed);
        ((OptimizerHelper)optC).load_state_dict(saved);
        optB.Dispose();   // nothing is shared: the fresh optimizer owns copies
        Steps(resumed, optC, 5);

        resumed.Flat().Should().Equal(uninterrupted.Flat(), "5 steps + state_dict + 5 steps equals 10 uninterrupted steps");
    }

    [Theory]
    [MemberData(nameof(StatefulCases))]
    public void BinaryStateRoundTripContinuesExactly(string name)
    {
        using var uninterrupted = new OptimProblem();
        using var optA = OptimizerTrajectoryTests.Create(name, uninterrupted);
        Steps(uninterrupted, optA, 10);

        using var first = new OptimProblem();
        using var optB = OptimizerTrajectoryTests.Create(name, first);
        Steps(first, optB, 5);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) ((OptimizerHelper)optB).save_state_dict(writer);

        using var resumed = new OptimProblem();
        resumed.CopyFrom(first);
        using var optC = OptimizerTrajectoryTests.Create(name, resumed);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream)) ((OptimizerHelper)optC).load_state_dict(reader);
        Steps(resumed, optC, 5);

        resumed.Flat().Should().Equal(uninterrupted.Flat());
    }

    [Fact]
    public void AdamStateHoldsStepAndMomentsPerParameter()
    {
        using var p = new OptimProblem();
        using var opt = (Adam)OptimizerTrajectoryTests.Create("adam_amsgrad_weight_decay", p);
        Steps(p, opt, 5);
        var sd = opt.state_dict();
        sd.Options.Should().HaveCount(2);
        sd.State.Should().HaveCount(4);
        var states = sd.State.Cast<Adam.State>().ToArray();
        states[0].step.Should().Be(5);
        states[0].exp_avg!.shape.Should().Equal(3, 4);
        states[0].max_exp_avg_sq.Should().NotBeNull();
        states[2].step.Should().Be(0, "u never has a gradient");
        states[2].exp_avg.Should().BeNull("state is created on a parameter's first update, as in PyTorch");
        states[3].exp_avg_sq!.shape.Should().Equal(2, 3);
    }

    [Fact]
    public void LoadingIntoAnOptimizerOfAnotherLayoutFails()
    {
        using var p = new OptimProblem();
        using var two = optim.SGD(new[] { new SGD.ParamGroup(p.Group0, new SGD.Options()), new SGD.ParamGroup(p.Group1, new SGD.Options()) }, 0.1, momentum: 0.9);
        using var one = optim.SGD(p.All, 0.1, momentum: 0.9);
        var act = () => one.load_state_dict(two.state_dict());
        act.Should().Throw<ArgumentException>().WithMessage("*2 parameter groups*1*");

        using var adam = optim.Adam(p.All);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) adam.save_state_dict(writer);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        var load = () => one.load_state_dict(reader);
        load.Should().Throw<InvalidDataException>().WithMessage("*Adam*SGD*");
    }

    [Fact]
    public void StepEvaluatesTheClosureAndReturnsItsLoss()
    {
        var expected = OptimProblem.OptimizerCase("sgd_momentum_dampening");
        var losses = ReferenceFile.Floats(expected.GetProperty("losses"));
        var trajectory = expected.GetProperty("params").EnumerateArray().Select(ReferenceFile.Floats).ToArray();
        using var p = new OptimProblem();
        using var opt = OptimizerTrajectoryTests.Create("sgd_momentum_dampening", p);
        for (var step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            var calls = 0;
            Tensor? loss;
            using (no_grad())   // the closure runs with gradients enabled regardless
            {
                loss = opt.step(() =>
                {
                    calls++;
                    opt.zero_grad();
                    var l = p.Loss();
                    l.backward();
                    return l;
                });
            }
            calls.Should().Be(1);
            loss.Should().NotBeNull();
            ((double)loss!.item<float>()).Should().BeApproximately(losses[step], 1e-5 * Math.Abs(losses[step]));
            OptimProblem.ShouldBeClose(p.Flat(), trajectory[step], 1e-5, $"parameters after closure step {step + 1}");
        }
        opt.step().Should().BeNull("without a closure step returns null");
    }

    [Fact]
    public void ZeroGradDropsOrZeroesGradients()
    {
        using var p = new OptimProblem();
        using var opt = optim.SGD(p.All, 0.1);
        using var scope = NewDisposeScope();
        p.Loss().backward();
        opt.zero_grad(set_to_none: false);
        p.W.grad!.abs().sum().item<float>().Should().Be(0);
        p.u.grad.Should().BeNull();
        opt.zero_grad();
        p.W.grad.Should().BeNull();
        p.V.grad.Should().BeNull();
    }

    [Fact]
    public void AddParamGroupAddsAGroupWithDefaultsAndRejectsDuplicates()
    {
        using var p = new OptimProblem();
        using var opt = optim.Adam(p.Group0, lr: 0.01, weight_decay: 0.1);
        opt.add_param_group(new Adam.ParamGroup(p.Group1, new Adam.Options { LearningRate = 0.5 }));
        var groups = opt.ParamGroups.Cast<Adam.ParamGroup>().ToArray();
        groups.Should().HaveCount(2);
        groups[1].LearningRate.Should().Be(0.5);
        groups[1].Options.weight_decay.Should().Be(0.1);
        opt.parameters().Should().HaveCount(4);

        var dup = () => opt.add_param_group(new Adam.ParamGroup(new[] { p.W }, new Adam.Options()));
        dup.Should().Throw<ArgumentException>().WithMessage("*more than once*");
        opt.ParamGroups.Should().HaveCount(2, "a rejected group is not added");

        using var scope = NewDisposeScope();
        p.ForwardBackward(opt);
        opt.step();
        ((Adam.State)opt.state_dict().State[3]).step.Should().Be(1);
    }

    [Fact]
    public void ReplaceParametersMovesStateToTheNewParameter()
    {
        using var reference = new OptimProblem();
        using var refOpt = OptimizerTrajectoryTests.Create("adam", reference);
        Steps(reference, refOpt, 6);

        using var p = new OptimProblem();
        using var opt = OptimizerTrajectoryTests.Create("adam", p);
        Steps(p, opt, 3);
        // Model surgery: V becomes a new parameter object with the same values.
        var oldV = p.V;
        Parameter newV;
        using (no_grad()) newV = new Parameter(oldV.detach().clone().DetachFromDisposeScope());
        opt.ReplaceParameters(new Dictionary<Parameter, Parameter> { [oldV] = newV }).Should().Be(1);
        opt.parameters().Should().Contain(newV).And.NotContain(oldV);
        ((Adam.State)((OptimizerHelper)opt).state_dict().State[3]).step.Should().Be(3, "the state moved with the parameter");
        p.V = newV;
        oldV.Dispose();

        Steps(p, opt, 3);
        p.Flat().Should().Equal(reference.Flat(), "training continues as if nothing had been replaced");
    }

    [Fact]
    public void ReplaceParametersWithAnotherShapeStartsFreshStateAndRejectsDuplicates()
    {
        using var p = new OptimProblem();
        using var opt = optim.SGD(p.All, 0.1, momentum: 0.9);
        Steps(p, opt, 2);
        using var wider = new Parameter(zeros(2, 4));
        opt.ReplaceParameters(new Dictionary<Parameter, Parameter> { [p.V] = wider }).Should().Be(1);
        ((SGD.State)opt.state_dict().State[3]).momentum_buffer.Should().BeNull("a buffer of the old shape cannot serve the new parameter");

        var dup = () => opt.ReplaceParameters(new Dictionary<Parameter, Parameter> { [p.W] = p.b });
        dup.Should().Throw<ArgumentException>().WithMessage("*more than once*");
        opt.parameters().Should().Equal(p.W, p.b, p.u, wider);
        opt.ReplaceParameters(new Dictionary<Parameter, Parameter> { [p.V] = p.V }).Should().Be(0, "V is no longer in the optimizer");
    }
}

/// <summary>Tests that read the process-wide tensor counters.</summary>
[Collection(Efficient.Torch.Tests.Lifetime.SequentialCollection.Name)]
public class OptimizerLifetimeTests
{
    [Fact]
    public void StepsDoNotLeakTensors()
    {
        using var p = new OptimProblem();
        using var opt = optim.AdamW(p.All, amsgrad: true);
        OptimizerStateTests.StepsFor(p, opt, 2);
        var before = Tensor.NativeLiveCount;
        var managedBefore = Tensor.TotalCount;
        OptimizerStateTests.StepsFor(p, opt, 50);
        opt.zero_grad();
        Tensor.TotalCount.Should().Be(managedBefore);
        (Tensor.NativeLiveCount - before).Should().BeLessThanOrEqualTo(0);
    }

    [Fact]
    public void DisposingTheOptimizerFreesItsState()
    {
        using var p = new OptimProblem();
        var opt = optim.Adam(p.All, amsgrad: true);
        var before = Tensor.TotalCount;
        OptimizerStateTests.StepsFor(p, opt, 1);
        opt.zero_grad();
        (Tensor.TotalCount - before).Should().Be(9, "three state tensors for each of the three parameters with gradients");
        opt.Dispose();
        Tensor.TotalCount.Should().Be(before);
        var step = () => opt.step();
        step.Should().Throw<ObjectDisposedException>();
    }
}
