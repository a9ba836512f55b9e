using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Torch.Optim;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class optim
    {
        public static partial class lr_scheduler
        {
            /// <summary>The concrete schedulers (the factories in <see cref="lr_scheduler"/> return them as <see cref="LRScheduler"/>).</summary>
            public static partial class impl
            {
                private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

                /// <summary>Sets each group's LR to its initial LR times a function of the epoch (PyTorch's LambdaLR).</summary>
                public class LambdaLR : LRScheduler
                {
                    private readonly List<Func<int, double>> _lr_lambdas;

                    /// <summary>One function for all groups.</summary>
                    /// <param name="optimizer">The optimizer.</param>
                    /// <param name="lr_lambda">The multiplicative factor as a function of the epoch.</param>
                    /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
                    /// <param name="verbose">Print a line for each change.</param>
                    public LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda, int last_epoch = -1, bool verbose = false) : base(optimizer, last_epoch, verbose)
                    {
                        ArgumentNullException.ThrowIfNull(lr_lambda);
                        _lr_lambdas = Enumerable.Repeat(lr_lambda, _base_lrs.Count).ToList();
                        step();
                    }

                    /// <summary>One function per parameter group.</summary>
                    /// <param name="optimizer">The optimizer.</param>
                    /// <param name="lr_lambdas">The factors, one function per group.</param>
                    /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
                    /// <param name="verbose">Print a line for each change.</param>
                    public LambdaLR(Optimizer optimizer, IEnumerable<Func<int, double>> lr_lambdas, int last_epoch = -1, bool verbose = false) : base(optimizer, last_epoch, verbose)
                    {
                        ArgumentNullException.ThrowIfNull(lr_lambdas);
                        _lr_lambdas = lr_lambdas.ToList();
                        if (_lr_lambdas.Count != _base_lrs.Count)
                            throw new ArgumentException($"Invalid lr_lambdas: got {_lr_lambdas.Count} functions; expected one per parameter group ({_base_lrs.Count}).", nameof(lr_lambdas));
                        if (_lr_lambdas.Any(f => f is null)) throw new ArgumentException("Invalid lr_lambdas: a function is null.", nameof(lr_lambdas));
                        step();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_lr()
                        => _base_lrs.Select((baseLr, i) => baseLr * _lr_lambdas[i](_last_epoch)).ToList();
                }

                /// <summary>Decays each group's LR by gamma every step_size epochs (PyTorch's StepLR).</summary>
                public class StepLR : LRScheduler
                {
                    private readonly int _step_size;
                    private readonly double _gamma;

                    /// <summary>Creates the scheduler and takes its first step.</summary>
                    /// <param name="optimizer">The optimizer.</param>
                    /// <param name="step_size">The period of the decay, in [1, +inf).</param>
                    /// <param name="gamma">The multiplicative factor (default 0.1).</param>
                    /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
                    /// <param name="verbose">Print a line for each change.</param>
                    public StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1, bool verbose = false) : base(optimizer, last_epoch, verbose)
                    {
                        OptimArgs.AtLeastOne(step_size, nameof(step_size), "step_size");
                        _step_size = step_size;
                        _gamma = gamma;
                        step();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_lr()
                    {
                        var groups = Groups;
                        if (_last_epoch == 0 || _last_epoch % _step_size != 0) return groups.Select(g => g.LearningRate).ToList();
                        return groups.Select(g => g.LearningRate * _gamma).ToList();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_closed_form_lr()
                        => _base_lrs.Select(lr => lr * Math.Pow(_gamma, FloorDiv(_last_epoch, _step_size))).ToList();
                }

                /// <summary>Decays each group's LR by gamma at each milestone (PyTorch's MultiStepLR).</summary>
                public class MultiStepLR : LRScheduler
                {
                    private readonly Dictionary<int, int> _milestones;
                    private readonly List<int> _sorted;
                    private readonly double _gamma;

                    /// <summary>Creates the scheduler and takes its first step.</summary>
                    /// <param name="optimizer">The optimizer.</param>
                    /// <param name="milestones">The epochs at which to decay; a repeated epoch decays once per occurrence.</param>
                    /// <param name="gamma">The multiplicative factor (default 0.1).</param>
                    /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
                    /// <param name="verbose">Print a line for each change.</param>
                    public MultiStepLR(Optimizer optimizer, IList<int> milestones, double gamma = 0.1, int last_epoch = -1, bool verbose = false) : base(optimizer, last_epoch, verbose)
                    {
                        ArgumentNullException.ThrowIfNull(milestones);
                        _milestones = milestones.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
                        _sorted = milestones.OrderBy(m => m).ToList();
                        _gamma = gamma;
                        step();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_lr()
                    {
                        var groups = Groups;
                        if (!_milestones.TryGetValue(_last_epoch, out var count)) return groups.Select(g => g.LearningRate).ToList();
                        return groups.Select(g => g.LearningRate * Math.Pow(_gamma, count)).ToList();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_closed_form_lr()
                    {
                        var passed = _sorted.Count(m => m <= _last_epoch);   // bisect_right
                        return _base_lrs.Select(lr => lr * Math.Pow(_gamma, passed)).ToList();
                    }
                }

                /// <summary>Decays each group's LR by gamma every epoch (PyTorch's ExponentialLR).</summary>
                public class ExponentialLR : LRScheduler
                {
                    private readonly double _gamma;

                    /// <summary>Creates the scheduler and takes its first step.</summary>
                    /// <param name="optimizer">The optimizer.</param>
                    /// <param name="gamma">The multiplicative factor (default 0.1, as in TorchSharp).</param>
                    /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
                    /// <param name="verbose">Print a line for each change.</param>
                    public ExponentialLR(Optimizer optimizer, double gamma = 0.1, int last_epoch = -1, bool verbose = false) : base(optimizer, last_epoch, verbose)
                    {
                        _gamma = gamma;
                        step();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_lr()
                    {
                        var groups = Groups;
                        if (_last_epoch == 0) return groups.Select(g => g.LearningRate).ToList();
                        return groups.Select(g => g.LearningRate * _gamma).ToList();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_closed_form_lr()
                        => _base_lrs.Select(lr => lr * Math.Pow(_gamma, _last_epoch)).ToList();
                }

                /// <summary>Scales each group's LR by a linearly changing factor (PyTorch's LinearLR).</summary>
                public class LinearLR : LRScheduler
                {
                    private readonly double _start_factor;
                    private readonly double _end_factor;
                    private readonly int _total_iters;

                    /// <summary>Creates the scheduler and takes its first step.</summary>
                    /// <param name="optimizer">The optimizer.</param>
                    /// <param name="start_factor">The factor at the first epoch, in (0, 1] (default 1/3).</param>
                    /// <param name="end_factor">The factor from total_iters on, in [0, 1] (default 1).</param>
                    /// <param name="total_iters">How many epochs the change takes, in [1, +inf) (default 5).</param>
                    /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
                    /// <param name="verbose">Print a line for each change.</param>
                    public LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int total_iters = 5, int last_epoch = -1, bool verbose = false) : base(optimizer, last_epoch, verbose)
                    {
                        if (!(start_factor > 0 && start_factor <= 1))
                            throw OptimArgs.Invalid(nameof(start_factor), "starting multiplicative factor", OptimArgs.Format(start_factor), "a value in (0, 1]");
                        OptimArgs.UnitIntervalClosed(end_factor, nameof(end_factor), "ending multiplicative factor");
                        OptimArgs.AtLeastOne(total_iters, nameof(total_iters), "total_iters");
                        _start_factor = start_factor;
                        _end_factor = end_factor;
                        _total_iters = total_iters;
                        step();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_lr()
                    {
                        var groups = Groups;
                        if (_last_epoch == 0) return groups.Select(g => g.LearningRate * _start_factor).ToList();
                        if (_last_epoch > _total_iters) return groups.Select(g => g.LearningRate).ToList();
                        return groups.Select(g => g.LearningRate * (1.0 + (_end_factor - _start_factor) /
                            (_total_iters * _start_factor + (_last_epoch - 1) * (_end_factor - _start_factor)))).ToList();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_closed_form_lr()
                        => _base_lrs.Select(lr => lr * (_start_factor +
                            (_end_factor - _start_factor) * Math.Min(_total_iters, _last_epoch) / _total_iters)).ToList();
                }

                /// <summary>Cosine annealing from the initial LR to eta_min over T_max epochs (PyTorch's CosineAnnealingLR, recursive form).</summary>
                public class CosineAnnealingLR : LRScheduler
                {
                    private readonly double _T_max;
                    private readonly double _eta_min;

                    /// <summary>Creates the scheduler and takes its first step.</summary>
                    /// <param name="optimizer">The optimizer.</param>
                    /// <param name="T_max">The half period in epochs, in (0, +inf).</param>
                    /// <param name="eta_min">The minimum LR (default 0).</param>
                    /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
                    /// <param name="verbose">Print a line for each change.</param>
                    public CosineAnnealingLR(Optimizer optimizer, double T_max, double eta_min = 0, int last_epoch = -1, bool verbose = false) : base(optimizer, last_epoch, verbose)
                    {
                        OptimArgs.Positive(T_max, nameof(T_max), "T_max");
                        _T_max = T_max;
                        _eta_min = eta_min;
                        step();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_lr()
                    {
                        var groups = Groups;
                        if (_last_epoch == 0) return groups.Select(g => g.LearningRate).ToList();
                        if (_step_count == 1 && _last_epoch > 0)
                            return _base_lrs.Select(baseLr => _eta_min + (baseLr - _eta_min) * (1 + Math.Cos(_last_epoch * Math.PI / _T_max)) / 2).ToList();
                        if ((_last_epoch - 1 - _T_max) % (2 * _T_max) == 0)
                            return groups.Select((g, i) => g.LearningRate + (_base_lrs[i] - _eta_min) * (1 - Math.Cos(Math.PI / _T_max)) / 2).ToList();
                        return groups.Select(g => (1 + Math.Cos(Math.PI * _last_epoch / _T_max)) /
                            (1 + Math.Cos(Math.PI * (_last_epoch - 1) / _T_max)) * (g.LearningRate - _eta_min) + _eta_min).ToList();
                    }

                    /// <inheritdoc />
                    protected override IEnumerable<double> get_closed_form_lr()
                        => _base_lrs.Select(baseLr => _eta_min + (baseLr - _eta_min) * (1 + Math.Cos(Math.PI * _last_epoch / _T_max)) / 2).ToList();
                }

                /// <summary>
                /// Runs schedulers one after the other (PyTorch 1.13's SequentialLR): the first until the
                /// first milestone, the next from there (restarted at its epoch 0), and so on.
                /// </summary>
                public class SequentialLR : LRScheduler
                {
                    private readonly List<LRScheduler> _schedulers;
                    private readonly List<int> _milestones;

                    /// <summary>Creates the composite scheduler; only the first scheduler's first step takes effect.</summary>
                    /// <param name="optimizer">The optimizer (all schedulers must belong to it).</param>
                    /// <param name="schedulers">The schedulers, in order.</param>
                    /// <param name="milestones">The epochs at which to switch (non-decreasing, one fewer than the schedulers).</param>
                    /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
                    public SequentialLR(Optimizer optimizer, IEnumerable<LRScheduler> schedulers, IEnumerable<int> milestones, int last_epoch = -1)
                    {
                        ArgumentNullException.ThrowIfNull(optimizer);
                        ArgumentNullException.ThrowIfNull(schedulers);
                        ArgumentNullException.ThrowIfNull(milestones);
                        _schedulers = schedulers.ToList();
                        _milestones = milestones.ToList();
                        if (_schedulers.Count == 0) throw new ArgumentException("Invalid schedulers: SequentialLR needs at least one scheduler.", nameof(schedulers));
                        for (var i = 0; i < _schedulers.Count; i++)
                        {
                            if (_schedulers[i] is null) throw new ArgumentException($"Invalid schedulers: scheduler {i} is null.", nameof(schedulers));
                            if (!ReferenceEquals(_schedulers[i]._optimizer, optimizer))
                                throw new ArgumentException($"Invalid schedulers: scheduler {i} belongs to another optimizer; SequentialLR expects all schedulers to belong to the optimizer passed in.", nameof(schedulers));
                        }
                        if (_milestones.Count != _schedulers.Count - 1)
                            throw new ArgumentException($"Invalid milestones: got {_milestones.Count} milestones for {_schedulers.Count} schedulers; expected one fewer milestone than schedulers.", nameof(milestones));
                        for (var i = 1; i < _milestones.Count; i++)
                            if (_milestones[i] < _milestones[i - 1])
                                throw new ArgumentException($"Invalid milestones: [{string.Join(", ", _milestones)}] is not in increasing order.", nameof(milestones));

                        _optimizer = optimizer;
                        _last_epoch = last_epoch + 1;
                        var groups = Groups;
                        _base_lrs = groups.Select(g => g.InitialLearningRate).ToList();

                        // Reset the learning rates to the initial values and undo the other schedulers' first step.
                        foreach (var g in groups) g.LearningRate = g.InitialLearningRate;
                        foreach (var s in _schedulers) s._last_epoch -= 1;
                        _schedulers[0].InitialStep();
                        _last_lrs = _schedulers[0].get_last_lr().ToList();
                    }

                    /// <summary>Advances the active scheduler (restarting the next one at a milestone). An explicit epoch is not supported.</summary>
                    public override void step(int? epoch)
                    {
                        if (epoch is not null) throw new NotSupportedException("SequentialLR.step does not take an epoch; call step().");
                        _step_count += 1;
                        _last_epoch += 1;
                        var idx = _milestones.Count(m => m <= _last_epoch);   // bisect_right
                        var scheduler = _schedulers[idx];
                        if (idx > 0 && _milestones[idx - 1] == _last_epoch) scheduler.step((int?)0);
                        else scheduler.step();
                        _last_lrs = scheduler.get_last_lr().ToList();
                    }
                }

                /// <summary>
                /// The 1cycle policy (Smith &amp; Topin, "Super-Convergence", 2017; PyTorch 1.13's OneCycleLR):
                /// the LR rises from max_lr/div_factor to max_lr over the first pct_start of the steps, then
                /// falls to initial/final_div_factor; momentum (SGD) or beta1 (Adam) moves inversely between
                /// max_momentum and base_momentum. Step it after every batch.
                /// </summary>
                public class OneCycleLR : LRScheduler
                {
                    /// <summary>How the LR moves within a phase.</summary>
                    public enum AnnealStrategy
                    {
                        /// <summary>Along a half cosine.</summary>
                        Cos,
                        /// <summary>Linearly.</summary>
                        Linear,
                    }

                    private enum Level { Initial, Max, Min, MaxMomentum, BaseMomentum }

                    private readonly record struct Phase(double EndStep, Level StartLr, Level EndLr, Level StartMomentum, Level EndMomentum);

                    private readonly int _total_steps;
                    private readonly Phase[] _phases;
                    private readonly AnnealStrategy _anneal;
                    private readonly bool _cycle_momentum;
                    private readonly bool _use_beta1;
                    private readonly double[] _max_lrs;
                    private readonly double[] _min_lrs;
                    private readonly double[] _max_momentums;
                    private readonly double[] _base_momentums;

                    /// <summary>One maximum LR and momentum range for all groups; creates the scheduler and takes its first step.</summary>
                    /// <inheritdoc cref="lr_scheduler.OneCycleLR(Optimizer, double, int, int, int, double, AnnealStrategy, bool, double, double, double, double, bool, int, bool)"/>
                    public OneCycleLR(Optimizer optimizer, double max_lr, int total_steps = -1, int epochs = -1, int steps_per_epoch = -1, double pct_start = 0.3, AnnealStrategy anneal_strategy = AnnealStrategy.Cos, bool cycle_momentum = true, double base_momentum = 0.85, double max_momentum = 0.95, double div_factor = 25, double final_div_factor = 1e4, bool three_phase = false, int last_epoch = -1, bool verbose = false)
                        : this(optimizer, Repeat(optimizer, max_lr), total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, cycle_momentum, Repeat(optimizer, base_momentum), Repeat(optimizer, max_momentum), div_factor, final_div_factor, three_phase, last_epoch, verbose)
                    {
                    }

                    /// <summary>One maximum LR (and optionally momentum bounds) per group; creates the scheduler and takes its first step.</summary>
                    /// <inheritdoc cref="lr_scheduler.OneCycleLR(Optimizer, double, int, int, int, double, AnnealStrategy, bool, double, double, double, double, bool, int, bool)"/>
                    public OneCycleLR(Optimizer optimizer, IEnumerable<double> max_lr, int total_steps = -1, int epochs = -1, int steps_per_epoch = -1, double pct_start = 0.3, AnnealStrategy anneal_strategy = AnnealStrategy.Cos, bool cycle_momentum = true, IEnumerable<double>? base_momentum = null, IEnumerable<double>? max_momentum = null, double div_factor = 25, double final_div_factor = 1e4, bool three_phase = false, int last_epoch = -1, bool verbose = false)
                        : base(optimizer, last_epoch, verbose)
                    {
                        ArgumentNullException.ThrowIfNull(max_lr);
                        var groups = Groups;
                        var n = groups.Count;

                        if (total_steps == -1 && epochs == -1 && steps_per_epoch == -1)
                            throw new ArgumentException("Invalid total_steps: give either total_steps or both epochs and steps_per_epoch.", nameof(total_steps));
                        if (total_steps != -1)
                        {
                            OptimArgs.AtLeastOne(total_steps, nameof(total_steps), "total_steps");
                            _total_steps = total_steps;
                        }
                        else
                        {
                            OptimArgs.AtLeastOne(epochs, nameof(epochs), "epochs");
                            OptimArgs.AtLeastOne(steps_per_epoch, nameof(steps_per_epoch), "steps_per_epoch");
                            _total_steps = checked(epochs * steps_per_epoch);
                        }
                        OptimArgs.UnitIntervalClosed(pct_start, nameof(pct_start), "pct_start");
                        OptimArgs.Positive(div_factor, nameof(div_factor), "div_factor");
                        OptimArgs.Positive(final_div_factor, nameof(final_div_factor), "final_div_factor");
                        if (!Enum.IsDefined(anneal_strategy))
                            throw new ArgumentException($"Invalid anneal_strategy: anneal_strategy = {(int)anneal_strategy}; expected Cos or Linear.", nameof(anneal_strategy));

                        _phases = three_phase
                            ? new[]
                            {
                                new Phase(pct_start * _total_steps - 1, Level.Initial, Level.Max, Level.MaxMomentum, Level.BaseMomentum),
                                new Phase(2 * pct_start * _total_steps - 2, Level.Max, Level.Initial, Level.BaseMomentum, Level.MaxMomentum),
                                new Phase(_total_steps - 1, Level.Initial, Level.Min, Level.MaxMomentum, Level.MaxMomentum),
                            }
                            : new[]
                            {
                                new Phase(pct_start * _total_steps - 1, Level.Initial, Level.Max, Level.MaxMomentum, Level.BaseMomentum),
                                new Phase(_total_steps - 1, Level.Max, Level.Min, Level.BaseMomentum, Level.MaxMomentum),
                            };
                        _anneal = anneal_strategy;

                        _max_lrs = PerGroup(max_lr, n, nameof(max_lr));
                        _min_lrs = new double[n];
                        for (var i = 0; i < n; i++)
                        {
                            var initial = _max_lrs[i] / div_factor;
                            if (last_epoch == -1) groups[i].InitialLearningRate = initial;
                            _min_lrs[i] = groups[i].InitialLearningRate / final_div_factor;
                        }

                        _cycle_momentum = cycle_momentum;
                        _max_momentums = new double[n];
                        _base_momentums = new double[n];
                        if (cycle_momentum)
                        {
                            if (optimizer is not IBetas && optimizer is not IMomentum)
                                throw new ArgumentException($"Invalid cycle_momentum: cycle_momentum = true, but {optimizer.GetType().Name} has no momentum or betas; pass cycle_momentum: false.", nameof(cycle_momentum));
                            _use_beta1 = optimizer is IBetas;
                            _max_momentums = PerGroup(max_momentum ?? Enumerable.Repeat(0.95, n), n, nameof(max_momentum));
                            _base_momentums = PerGroup(base_momentum ?? Enumerable.Repeat(0.85, n), n, nameof(base_momentum));
                            if (last_epoch == -1)
                                for (var i = 0; i < n; i++) SetMomentum(groups[i], _max_momentums[i]);
                        }

                        // PyTorch sets initial_lr before the base constructor reads it.
                        _base_lrs = groups.Select(g => g.InitialLearningRate).ToList();
                        step();
                    }

                    private static IEnumerable<double> Repeat(Optimizer optimizer, double value)
                    {
                        ArgumentNullException.ThrowIfNull(optimizer);
                        return Enumerable.Repeat(value, optimizer.ParamGroups.Count());
                    }

                    private static double[] PerGroup(IEnumerable<double> values, int groups, string name)
                    {
                        var a = values.ToArray();
                        if (a.Length != groups) throw new ArgumentException($"Invalid {name}: got {a.Length} values; expected one per parameter group ({groups}).", name);
                        return a;
                    }

                    private void SetMomentum(ILearningRateController group, double value)
                    {
                        if (_use_beta1)
                        {
                            var b = group as IBetas ?? throw new InvalidOperationException($"OneCycleLR: parameter group {group.GetType().Name} has no betas to cycle.");
                            b.Betas = (value, b.Betas.Item2);
                        }
                        else
                        {
                            var m = group as IMomentum ?? throw new InvalidOperationException($"OneCycleLR: parameter group {group.GetType().Name} has no momentum to cycle.");
                            m.Momentum = value;
                        }
                    }

                    private double Value(Level level, ILearningRateController group, int i) => level switch
                    {
                        Level.Initial => group.InitialLearningRate,
                        Level.Max => _max_lrs[i],
                        Level.Min => _min_lrs[i],
                        Level.MaxMomentum => _max_momentums[i],
                        _ => _base_momentums[i],
                    };

                    private double Anneal(double start, double end, double pct)
                    {
                        if (_anneal == AnnealStrategy.Linear) return (end - start) * pct + start;
                        var cosOut = Math.Cos(Math.PI * pct) + 1;
                        return end + (start - end) / 2.0 * cosOut;
                    }

                    /// <inheritdoc />
                    /// <exception cref="InvalidOperationException">Stepped more than total_steps times.</exception>
                    protected override IEnumerable<double> get_lr()
                    {
                        var stepNum = _last_epoch;
                        if (stepNum > _total_steps)
                            throw new InvalidOperationException($"Tried to step {stepNum + 1} times. The specified number of total steps is {_total_steps}.");
                        var groups = Groups;
                        var lrs = new List<double>(groups.Count);
                        for (var g = 0; g < groups.Count; g++)
                        {
                            var group = groups[g];
                            double startStep = 0, lr = 0, momentum = 0;
                            for (var i = 0; i < _phases.Length; i++)
                            {
                                var phase = _phases[i];
                                if (stepNum <= phase.EndStep || i == _phases.Length - 1)
                                {
                                    var pct = (stepNum - startStep) / (phase.EndStep - startStep);
                                    lr = Anneal(Value(phase.StartLr, group, g), Value(phase.EndLr, group, g), pct);
                                    if (_cycle_momentum) momentum = Anneal(Value(phase.StartMomentum, group, g), Value(phase.EndMomentum, group, g), pct);
                                    break;
                                }
                                startStep = phase.EndStep;
                            }
                            lrs.Add(lr);
                            if (_cycle_momentum) SetMomentum(group, momentum);
                        }
                        return lrs;
                    }
                }
            }
        }
    }
}
