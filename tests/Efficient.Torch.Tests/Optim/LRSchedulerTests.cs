using System.Collections.Generic;
using Efficient.Torch.Modules;
using static Efficient.Torch.torch.optim;
using static Efficient.Torch.torch.optim.lr_scheduler;

namespace Efficient.Torch.Tests.Optim;

/// <summary>
/// Each scheduler's learning rates (and OneCycleLR's momentum / beta1) after construction and after
/// each of 30 steps equal PyTorch 1.13's to 1e-10 (Reference/generate_optim.py).
/// </summary>
public class LRSchedulerTests
{
    private const double Tolerance = 1e-10;

    /// <summary>SGD(momentum 0.9) or Adam over the problem's two groups with LRs 0.1 and 0.02.</summary>
    private static OptimizerHelper NewOptimizer(OptimProblem p, string kind = "sgd") => kind == "adam"
        ? optim.Adam(new[] { new Adam.ParamGroup(p.Group0, new Adam.Options { LearningRate = 0.1 }), new Adam.ParamGroup(p.Group1, new Adam.Options { LearningRate = 0.02 }) })
        : optim.SGD(new[] { new SGD.ParamGroup(p.Group0, new SGD.Options { LearningRate = 0.1 }), new SGD.ParamGroup(p.Group1, new SGD.Options { LearningRate = 0.02 }) }, 0.5, momentum: 0.9);

    private static readonly Dictionary<string, (string kind, Func<Optimizer, LRScheduler> make)> s_cases = new()
    {
        ["step"] = ("sgd", o => StepLR(o, step_size: 3, gamma: 0.5)),
        ["multistep"] = ("sgd", o => MultiStepLR(o, new[] { 2, 5, 5, 9 }, gamma: 0.3)),
        ["exponential"] = ("sgd", o => ExponentialLR(o, gamma: 0.9)),
        ["cosine"] = ("sgd", o => CosineAnnealingLR(o, T_max: 10, eta_min: 0.001)),
        ["linear"] = ("sgd", o => LinearLR(o, start_factor: 0.25, end_factor: 1.0, total_iters: 8)),
        ["linear_default"] = ("sgd", o => LinearLR(o)),
        ["linear_decay"] = ("sgd", o => LinearLR(o, start_factor: 1.0, end_factor: 0.1, total_iters: 12)),
        ["lambda"] = ("sgd", o => LambdaLR(o, e => Math.Pow(0.95, e))),
        ["lambda_per_group"] = ("sgd", o => new impl.LambdaLR(o, new Func<int, double>[] { e => 1.0 / (e + 1), e => e % 4 < 2 ? 0.5 : 1.0 })),
        ["onecycle_sgd"] = ("sgd", o => OneCycleLR(o, max_lr: new[] { 0.5, 0.1 }, total_steps: 31)),
        ["onecycle_adam_linear_three_phase"] = ("adam", o => OneCycleLR(o, max_lr: 0.2, epochs: 4, steps_per_epoch: 8, pct_start: 0.25,
            anneal_strategy: impl.OneCycleLR.AnnealStrategy.Linear, base_momentum: 0.8, max_momentum: 0.9, div_factor: 10.0, final_div_factor: 100.0, three_phase: true)),
        ["sequential"] = ("sgd", o => SequentialLR(o, new[] { LinearLR(o, start_factor: 0.1, total_iters: 4), ExponentialLR(o, gamma: 0.9) }, new[] { 5 })),
        ["sequential_three"] = ("sgd", o => SequentialLR(o, new[] { LinearLR(o, start_factor: 0.5, total_iters: 3), StepLR(o, step_size: 4, gamma: 0.5), CosineAnnealingLR(o, T_max: 8, eta_min: 0.0) }, new[] { 4, 12 })),
    };

    public static IEnumerable<object[]> Cases => s_cases.Keys.Select(k => new object[] { k });

    private static double[] Momenta(Optimizer o) => o.ParamGroups.Select(g => g is IBetas b ? b.Betas.Item1 : ((IMomentum)g).Momentum).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void LearningRatesMatchPyTorch(string name)
    {
        var expected = OptimProblem.SchedulerCase(name);
        var lrs = OptimProblem.Doubles2(expected.GetProperty("last_lr"));
        var momenta = expected.TryGetProperty("momentum", out var m) ? OptimProblem.Doubles2(m) : null;
        var (kind, make) = s_cases[name];
        using var p = new OptimProblem();
        using var opt = NewOptimizer(p, kind);
        var scheduler = make(opt);
        scheduler.Should().BeAssignableTo<LRScheduler>();

        for (var step = 0; step < lrs.Length; step++)
        {
            if (step > 0)
            {
                opt.step();   // no gradients: nothing changes, as in the reference
                scheduler.step();
            }
            var actual = scheduler.get_last_lr().ToArray();
            ShouldBeClose(actual, lrs[step], $"{name}: get_last_lr() after {step} steps");
            ShouldBeClose(opt.ParamGroups.Select(g => g.LearningRate).ToArray(), lrs[step], $"{name}: the groups' LR after {step} steps");
            if (momenta is not null) ShouldBeClose(Momenta(opt), momenta[step], $"{name}: momentum after {step} steps");
        }
    }

    [Fact]
    public void ClosedFormMatchesPyTorch()
    {
        var makers = new Dictionary<string, Func<Optimizer, LRScheduler>>
        {
            ["step"] = o => StepLR(o, step_size: 3, gamma: 0.5),
            ["multistep"] = o => MultiStepLR(o, new[] { 2, 5, 5, 9 }, gamma: 0.3),
            ["exponential"] = o => ExponentialLR(o, gamma: 0.9),
            ["cosine"] = o => CosineAnnealingLR(o, T_max: 10, eta_min: 0.001),
            ["linear"] = o => LinearLR(o, start_factor: 0.25, total_iters: 8),
        };
        foreach (var expected in OptimProblem.Reference.GetProperty("closed_form").EnumerateArray())
        {
            var name = expected.GetProperty("name").GetString()!;
            var epochs = expected.GetProperty("epochs").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var lrs = OptimProblem.Doubles2(expected.GetProperty("last_lr"));
            using var p = new OptimProblem();
            using var opt = NewOptimizer(p);
            var scheduler = makers[name](opt);
            for (var i = 0; i < epochs.Length; i++)
            {
                scheduler.step(epochs[i]);
                ShouldBeClose(scheduler.get_last_lr().ToArray(), lrs[i], $"{name}: step({epochs[i]})");
            }
        }
    }

    [Fact]
    public void ConstructorTakesTheFirstStep()
    {
        using var p = new OptimProblem();
        using var opt = NewOptimizer(p);
        var scheduler = new StepCounter(opt);
        scheduler.Count.Should().Be(1, "built-in schedulers call step() once from their constructor");
        opt.ParamGroups.First().LearningRate.Should().Be(0.05);
        scheduler.step();
        scheduler.Count.Should().Be(2);
        opt.ParamGroups.First().LearningRate.Should().Be(0.1 / 3);
    }

    /// <summary>A user-defined scheduler: only get_lr and the protected _step_count are needed.</summary>
    private sealed class StepCounter : LRScheduler
    {
        private readonly Optimizer _opt;

        public StepCounter(Optimizer optimizer) : base(optimizer)
        {
            _opt = optimizer;
            step();
        }

        public int Count => _step_count;

        protected override IEnumerable<double> get_lr() => _opt.ParamGroups.Select(g => g.InitialLearningRate / (_step_count + 1));
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        using var p = new OptimProblem();
        using var opt = NewOptimizer(p);
        Reject(() => StepLR(opt, step_size: 0), "step_size", "Invalid step_size: step_size = 0; expected an integer in [1, +inf).");
        Reject(() => LinearLR(opt, start_factor: 1.5), "start_factor", "Invalid starting multiplicative factor: start_factor = 1.5; expected a value in (0, 1].");
        Reject(() => LinearLR(opt, end_factor: -0.1), "end_factor", "Invalid ending multiplicative factor: end_factor = -0.1; expected a value in [0, 1].");
        Reject(() => LinearLR(opt, total_iters: 0), "total_iters", "Invalid total_iters: total_iters = 0; expected an integer in [1, +inf).");
        Reject(() => CosineAnnealingLR(opt, T_max: 0), "T_max", "Invalid T_max: T_max = 0; expected a finite value in (0, +inf).");
        Reject(() => OneCycleLR(opt, 0.1), "total_steps", "Invalid total_steps: give either total_steps or both epochs and steps_per_epoch.");
        Reject(() => OneCycleLR(opt, 0.1, total_steps: 0), "total_steps", "Invalid total_steps: total_steps = 0; expected an integer in [1, +inf).");
        Reject(() => OneCycleLR(opt, 0.1, epochs: 3), "steps_per_epoch", "Invalid steps_per_epoch: steps_per_epoch = -1; expected an integer in [1, +inf).");
        Reject(() => OneCycleLR(opt, 0.1, total_steps: 10, pct_start: 1.2), "pct_start", "Invalid pct_start: pct_start = 1.2; expected a value in [0, 1].");
        Reject(() => OneCycleLR(opt, new[] { 0.1 }, total_steps: 10), "max_lr", "Invalid max_lr: got 1 values; expected one per parameter group (2).");
        Reject(() => new impl.LambdaLR(opt, new Func<int, double>[] { e => 1 }), "lr_lambdas", "Invalid lr_lambdas: got 1 functions; expected one per parameter group (2).");
        Reject(() => SequentialLR(opt, new[] { ExponentialLR(opt, 0.9) }, new[] { 3 }), "milestones", "Invalid milestones: got 1 milestones for 1 schedulers; expected one fewer milestone than schedulers.");
        using var other = NewOptimizer(p);
        Reject(() => SequentialLR(opt, new[] { ExponentialLR(opt, 0.9), ExponentialLR(other, 0.9) }, new[] { 3 }), "schedulers",
            "Invalid schedulers: scheduler 1 belongs to another optimizer; SequentialLR expects all schedulers to belong to the optimizer passed in.");
    }

    [Fact]
    public void OneCycleLRNeedsMomentumToCycleAndStopsAtTotalSteps()
    {
        using var p = new OptimProblem();
        using var opt = NewOptimizer(p);
        var scheduler = OneCycleLR(opt, 0.1, total_steps: 3);
        for (var i = 0; i < 3; i++) scheduler.step();
        var past = () => scheduler.step();
        past.Should().Throw<InvalidOperationException>().WithMessage("Tried to step 5 times. The specified number of total steps is 3.");

        using var plain = new NoMomentum(p.All);
        Reject(() => OneCycleLR(plain, 0.1, total_steps: 10), "cycle_momentum", "Invalid cycle_momentum: cycle_momentum = true, but NoMomentum has no momentum or betas; pass cycle_momentum: false.");
        OneCycleLR(plain, 0.1, total_steps: 10, cycle_momentum: false).get_last_lr().Single().Should().BeApproximately(0.004, 1e-15);
    }

    /// <summary>A custom optimizer without momentum (plain gradient descent written with _step).</summary>
    private sealed class NoMomentum : OptimizerHelper
    {
        public NoMomentum(IEnumerable<Parameter> parameters)
        {
            _defaults = new OptimizerOptions { LearningRate = 0.1, InitialLearningRate = 0.1 };
            add_param_group(new ParamGroup<OptimizerOptions>(parameters, new OptimizerOptions { LearningRate = 0.1, InitialLearningRate = 0.1 }));
        }

        public override Tensor? step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            foreach (var param in group.Parameters)
            {
                var grad = param.grad;
                if (grad is not null) param.add_(grad, -group.LearningRate);
            }
        }, closure);
    }

    [Fact]
    public void ACustomOptimizerWrittenWithStepWorks()
    {
        using var p = new OptimProblem();
        using var reference = new OptimProblem();
        using var custom = new NoMomentum(p.All);
        using var sgd = optim.SGD(reference.All, 0.1);
        for (var i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            p.ForwardBackward(custom);
            custom.step();
            reference.ForwardBackward(sgd);
            sgd.step();
        }
        p.Flat().Should().Equal(reference.Flat());
    }

    private static void Reject(Action create, string parameter, string message)
    {
        var ex = create.Should().Throw<ArgumentException>().Which;
        ex.ParamName.Should().Be(parameter);
        ex.Message.Should().Be($"{message} (Parameter '{parameter}')");
    }

    private static void ShouldBeClose(double[] actual, double[] expected, string because)
    {
        actual.Length.Should().Be(expected.Length, because);
        for (var i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= Tolerance))
                throw new Xunit.Sdk.XunitException($"{because}: group {i} is {actual[i]:R}, expected {expected[i]:R}.");
    }
}
