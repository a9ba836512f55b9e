using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using TorchSharp.Modules;
using Efficient.Training.Optimizers;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Optimizers.OptimizerReference;

namespace Efficient.Training.Tests.Optimizers;

public class OptimizerTests
{
    /// <summary>The optimizer of a reference case, over <paramref name="ps"/>, with the case's options.</summary>
    private static optim.Optimizer Create(string name, Parameter[] ps)
    {
        var o = Case(name).GetProperty("options");
        var lr = LearningRates[0];
        return name switch
        {
            _ when name.StartsWith("sgdw", StringComparison.Ordinal) => new DecoupledSGDW(ps, lr, o.Option("momentum", 0), o.Option("dampening", 0), o.Option("weight_decay", 0), o.Flag("nesterov", false)),
            _ when name.StartsWith("adamw", StringComparison.Ordinal) => new DecoupledAdamW(ps, lr, o.Option("beta1", 0.9), o.Option("beta2", 0.95), o.Option("eps", 1e-8), o.Option("weight_decay", 1e-5), o.Flag("amsgrad", false)),
            _ when name.StartsWith("lamb", StringComparison.Ordinal) => new Lamb(ps, lr, weight_decay: o.Option("weight_decay", 0.01), bias_correction: o.Flag("bias_correction", true), min_coeff: o.Option("min_coeff", 0.01), max_coeff: o.Option("max_coeff", 10)),
            "lookahead_sgd" => new Lookahead(new DecoupledSGDW(ps, lr, momentum: o.Option("momentum", 0)), (int)o.Option("k", 5), o.Option("alpha", 0.5)),
            "lookahead_adamw" => new Lookahead(new DecoupledAdamW(ps, lr, weight_decay: o.Option("weight_decay", 0)), (int)o.Option("k", 5), o.Option("alpha", 0.5)),
            _ => throw new ArgumentException(name),
        };
    }

    private static void Step(optim.Optimizer optimizer, Parameter[] ps, int t)
    {
        foreach (var g in optimizer.ParamGroups) g.LearningRate = LearningRates[t];
        optimizer.zero_grad();
        SetGradients(ps, t);
        optimizer.step();
    }

    [Theory]
    [InlineData("sgdw_plain")]
    [InlineData("sgdw_momentum")]
    [InlineData("sgdw_nesterov")]
    [InlineData("adamw")]
    [InlineData("adamw_amsgrad")]
    [InlineData("lamb")]
    [InlineData("lamb_no_bias_correction")]
    [InlineData("lamb_clamped")]
    [InlineData("lookahead_sgd")]
    [InlineData("lookahead_adamw")]
    public void FollowsTheReferenceTrajectoryStepByStep(string name)
    {
        var ps = InitialParameters();
        using var optimizer = Create(name, ps);
        var expected = Case(name).GetProperty("params");
        for (var t = 0; t < Steps; t++)
        {
            Step(optimizer, ps, t);
            for (var i = 0; i < ps.Length; i++)
                ShouldBeClose(ps[i].data<float>().ToArray(), Floats(expected[t][i]), $"{name}: parameter {i} after step {t + 1}");
        }
        foreach (var p in ps) p.Dispose();
    }

    [Theory]
    [InlineData("sgdw_nesterov")]
    [InlineData("adamw_amsgrad")]
    [InlineData("lamb")]
    [InlineData("lookahead_sgd")]
    public void StateDictRoundTripContinuesTheTrajectoryExactly(string name)
    {
        // Run 4 steps, save to a stream, load into a fresh optimizer over copies of the weights, then
        // both continue: the trajectories must stay identical (momentum, moments, step counts, slow weights).
        var ps = InitialParameters();
        using var optimizer = Create(name, ps);
        for (var t = 0; t < 4; t++) Step(optimizer, ps, t);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) ((OptimizerHelper)optimizer).save_state_dict(writer);

        var copies = InitialParameters();
        for (var i = 0; i < ps.Length; i++) using (no_grad()) copies[i].copy_(ps[i]);
        using var restored = Create(name, copies);
        buffer.Position = 0;
        using (var reader = new BinaryReader(buffer)) ((OptimizerHelper)restored).load_state_dict(reader);
        foreach (var (a, b) in ((OptimizerHelper)optimizer).state_dict().State.Zip(((OptimizerHelper)restored).state_dict().State))
            a.ApproximatelyEquals(b).Should().BeTrue($"{name}: the loaded state must equal the saved one");

        for (var t = 4; t < Steps; t++)
        {
            Step(optimizer, ps, t);
            Step(restored, copies, t);
            for (var i = 0; i < ps.Length; i++)
                copies[i].data<float>().ToArray().Should().Equal(ps[i].data<float>().ToArray(), $"{name}: parameter {i} after step {t + 1}");
        }
    }

    [Fact]
    public void LoadStateDictCopiesTheStateWithoutSharingIt()
    {
        var ps = InitialParameters();
        using var a = new DecoupledAdamW(ps, lr: 0.1);
        for (var t = 0; t < 2; t++) Step(a, ps, t);
        using var b = new DecoupledAdamW(InitialParameters(), lr: 0.5);
        b.load_state_dict(a.state_dict());
        var sa = (DecoupledAdamW.State)a.state_dict().State[0];
        var sb = (DecoupledAdamW.State)b.state_dict().State[0];
        sb.step.Should().Be(2);
        sb.exp_avg!.data<float>().ToArray().Should().Equal(sa.exp_avg!.data<float>().ToArray());
        ReferenceEquals(sa.exp_avg, sb.exp_avg).Should().BeFalse();
        b.ParamGroups.Single().LearningRate.Should().Be(a.ParamGroups.Single().LearningRate);
    }

    [Fact]
    public void LookaheadStateDictHoldsTheInnerStateThenTheSlowWeights()
    {
        var ps = InitialParameters();
        using var inner = new DecoupledSGDW(ps, lr: 0.1, momentum: 0.9);
        using var lookahead = new Lookahead(inner, k: 2);
        lookahead.ParamGroups.Should().Equal(inner.ParamGroups, "schedulers on the wrapper must drive the inner optimizer");
        Step(lookahead, ps, 0);
        var sd = lookahead.state_dict();
        sd.Options.Should().HaveCount(1);
        sd.State.Should().HaveCount(4);
        sd.State.Take(2).Should().AllBeOfType<DecoupledSGDW.State>();
        sd.State.Skip(2).Should().AllBeOfType<Lookahead.State>();
        ((Lookahead.State)sd.State[2]).slow_weights!.data<float>().ToArray().Should().Equal(Floats(Root.GetProperty("w0")[0]), "φ₀ = θ₀");
    }

    [Fact]
    public void DecoupledWeightDecayFollowsTheScheduleNotTheLearningRate()
    {
        // Zero gradient: only the decay acts. lr = lr0 / 4 → factor 1/4 → w·(1 − 0.25·0.1).
        var p = new Parameter(ones(3));
        using var sgdw = new DecoupledSGDW(new[] { p }, lr: 2.0, weight_decay: 0.1);
        sgdw.ParamGroups.Single().LearningRate = 0.5;
        p.grad?.zero_();
        (p * 0).sum().backward();
        sgdw.step();
        p.data<float>().ToArray().Should().Equal(0.975f, 0.975f, 0.975f);

        var q = new Parameter(ones(2));
        DecoupledWeightDecay.Apply(new[] { q }, learningRate: 0.5, initialLearningRate: 2.0, weightDecay: 0.1);
        q.data<float>().ToArray().Should().Equal(0.975f, 0.975f);
        DecoupledWeightDecay.ScheduleFactor(0.3, 0).Should().Be(1.0, "Composer: no initial LR means factor 1");
    }

    [Fact]
    public void LambTrustRatioIsTheClampedNormRatioOrOne()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new float[] { 3, 0, 0, 4 });          // ‖w‖ = 5
        var u = tensor(new float[] { 0, 0, 0, 2 });          // ‖u‖ = 2
        Lamb.TrustRatio(w, u).ToDouble().Should().Be(2.5);
        Lamb.TrustRatio(w, u, minCoeff: 0, maxCoeff: 2).ToDouble().Should().Be(2.0);
        Lamb.TrustRatio(u, w, minCoeff: 0.5).ToDouble().Should().BeApproximately(0.5, 1e-7);  // 0.4 clamped up
        Lamb.TrustRatio(zeros(4), u).ToDouble().Should().Be(1.0, "‖w‖ = 0");
        Lamb.TrustRatio(w, zeros(4)).ToDouble().Should().Be(1.0, "‖u‖ = 0");
    }

    [Fact]
    public void TakesParameterGroupsWithTheirOwnOptions()
    {
        var ps = InitialParameters();
        using var opt = new DecoupledSGDW(new ParamGroup[]
        {
            new ParamGroup<DecoupledSGDW.Options>(new[] { ps[0] }, new DecoupledSGDW.Options { LearningRate = 0.5, momentum = 0.9 }),
            new ParamGroup<DecoupledSGDW.Options>(new[] { ps[1] }),
        }, lr: 0.1, weight_decay: 0.01);
        var groups = opt.ParamGroups.Cast<ParamGroup>().ToArray();
        ((DecoupledSGDW.Options)groups[0].Options).momentum.Should().Be(0.9);
        ((DecoupledSGDW.Options)groups[0].Options).weight_decay.Should().Be(0.01);
        groups[0].InitialLearningRate.Should().Be(0.5);
        groups[1].LearningRate.Should().Be(0.1);
        ((DecoupledSGDW.Options)groups[1].Options).momentum.Should().Be(0);
        opt.Momentum = 0.8;
        groups.Select(g => ((DecoupledSGDW.Options)g.Options).momentum).Should().Equal(0.8, 0.8);
    }

    public static IEnumerable<object[]> InvalidOptions() => new[]
    {
        new object[] { (Action)(() => new DecoupledSGDW(InitialParameters(), lr: -1)), "lr", "Invalid learning rate: lr = -1; expected a finite value in [0, +inf)." },
        new object[] { (Action)(() => new DecoupledSGDW(InitialParameters(), lr: 0.1, weight_decay: 1)), "weight_decay", "Invalid weight_decay value: weight_decay = 1; expected a value in [0, 1)." },
        new object[] { (Action)(() => new DecoupledSGDW(InitialParameters(), lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)), "nesterov", "Invalid Nesterov momentum: nesterov = true; expected momentum > 0 and dampening = 0 (got momentum = 0.9, dampening = 0.1)." },
        new object[] { (Action)(() => new DecoupledAdamW(InitialParameters(), beta2: 1)), "beta2", "Invalid beta parameter at index 1: beta2 = 1; expected a value in [0, 1)." },
        new object[] { (Action)(() => new DecoupledAdamW(InitialParameters(), eps: double.NaN)), "eps", "Invalid epsilon value: eps = NaN; expected a finite value in [0, +inf)." },
        new object[] { (Action)(() => new Lamb(InitialParameters(), min_coeff: 20)), "min_coeff", "Invalid trust-ratio lower clamp: min_coeff = 20; expected a value in [0, max_coeff = 10]." },
        new object[] { (Action)(() => new Lamb(InitialParameters(), max_coeff: 0)), "max_coeff", "Invalid trust-ratio upper clamp: max_coeff = 0; expected a finite value in (0, +inf)." },
        new object[] { (Action)(() => new Lookahead(new DecoupledSGDW(InitialParameters(), 0.1), k: 0)), "k", "Invalid synchronization period: k = 0; expected an integer in [1, +inf)." },
        new object[] { (Action)(() => new Lookahead(new DecoupledSGDW(InitialParameters(), 0.1), alpha: 1.5)), "alpha", "Invalid slow step size: alpha = 1.5; expected a value in [0, 1]." },
        new object[] { (Action)(() => new DecoupledSGDW(Array.Empty<Parameter>(), 0.1)), "parameters", "The optimizer got an empty parameter list." },
        new object[] { (Action)(() => new DecoupledAdamW(new ParamGroup[] { new ParamGroup<DecoupledSGDW.Options>(InitialParameters(), new DecoupledSGDW.Options()) })), "param_group", "A DecoupledAdamW parameter group needs DecoupledAdamW.Options, not DecoupledSGDW.Options." },
        new object[] { (Action)(() => new DecoupledSGDW(new ParamGroup[] { new ParamGroup<DecoupledSGDW.Options>(InitialParameters(), new DecoupledSGDW.Options { LearningRate = -2 }) }, 0.1)), "lr", "Invalid learning rate in parameter group 0: lr = -2; expected a finite value in [0, +inf)." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void RejectsInvalidOptionsNamingTheOptionTheValueAndTheRange(Action create, string param, string message)
    {
        var e = create.Should().Throw<ArgumentException>().Which;
        e.ParamName.Should().Be(param);
        e.Message.Should().StartWith(message);
    }
}

public class OptimizerLifetimeTests
{
    [Fact]
    public void StepsLeakNoTensorOverAThousandSteps()
    {
        var ps = OptimizerReference.InitialParameters();
        var optimizers = new optim.Optimizer[]
        {
            new DecoupledSGDW(ps, lr: 0.01, momentum: 0.9, weight_decay: 1e-4, nesterov: true),
            new DecoupledAdamW(ps, lr: 1e-3, amsgrad: true),
            new Lamb(ps, lr: 1e-3),
            new Lookahead(new DecoupledSGDW(ps, lr: 0.01, momentum: 0.9), k: 3),
        };
        foreach (var o in optimizers) { OptimizerReference.SetGradients(ps, 0); o.step(); }   // state created
        var before = LiveTensors.Count();
        for (var i = 0; i < 1000; i++)
        {
            OptimizerReference.SetGradients(ps, i % OptimizerReference.Steps);
            foreach (var o in optimizers) o.step();   // outside any dispose scope on purpose
        }
        var after = LiveTensors.Count();
        (after - before).Should().BeLessThan(50);
        foreach (var o in optimizers) o.Dispose();
    }
}
