using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// Learning-rate schedules (PyTorch 1.13's <c>torch.optim.lr_scheduler</c>). A scheduler sets
        /// the <see cref="ILearningRateController.LearningRate"/> of each of its optimizer's parameter
        /// groups; call <c>step()</c> after <c>optimizer.step()</c>, once per epoch or batch as the
        /// schedule intends. The built-in schedulers take their first step in their constructor, as
        /// PyTorch's do, so right after construction the optimizer holds the schedule's first LR.
        /// </summary>
        public static partial class lr_scheduler
        {
            /// <summary>
            /// The base of all LR schedulers. Derived classes compute the next learning rates in
            /// <see cref="get_lr"/> (the recursive, chainable form) and may give a closed form in
            /// <see cref="get_closed_form_lr"/> (used by <see cref="step(int?)"/> with an epoch).
            /// </summary>
            public abstract class LRScheduler
            {
                /// <summary>A scheduler not attached to an optimizer (for composite schedulers).</summary>
                protected LRScheduler()
                {
                }

                /// <summary>Attaches the scheduler to <paramref name="optimizer"/>; the base LRs are the groups' initial LRs.</summary>
                /// <param name="optimizer">The optimizer whose learning rates to set.</param>
                /// <param name="last_epoch">The index of the last epoch (-1 to start from the beginning).</param>
                /// <param name="verbose">Print a line for each change.</param>
                protected LRScheduler(Optimizer optimizer, int last_epoch = -1, bool verbose = false)
                {
                    ArgumentNullException.ThrowIfNull(optimizer);
                    if (last_epoch < -1) throw new ArgumentException($"Invalid last_epoch: last_epoch = {last_epoch}; expected -1 (start) or an epoch index in [0, +inf).", nameof(last_epoch));
                    _optimizer = optimizer;
                    _last_epoch = last_epoch;
                    _verbose = verbose;
                    _base_lrs = optimizer.ParamGroups.Select(pg => pg.InitialLearningRate).ToList();
                    _last_lrs = optimizer.ParamGroups.Select(pg => pg.LearningRate).ToList();
                }

                /// <summary>Advances the schedule by one epoch (or batch) and sets the new learning rates.</summary>
                public virtual void step() => step(null);

                /// <summary>
                /// Advances the schedule: by one when <paramref name="epoch"/> is null (the chainable form,
                /// <see cref="get_lr"/>), else to <paramref name="epoch"/> (the closed form,
                /// <see cref="get_closed_form_lr"/>, where the scheduler has one).
                /// </summary>
                public virtual void step(int? epoch)
                {
                    _step_count += 1;
                    List<double> values;
                    if (epoch is null)
                    {
                        _last_epoch += 1;
                        values = get_lr().ToList();
                    }
                    else
                    {
                        _last_epoch = epoch.Value;
                        values = get_closed_form_lr().ToList();
                    }
                    var groups = Optimizer.ParamGroups.ToList();
                    var count = Math.Min(groups.Count, values.Count);
                    for (var i = 0; i < count; i++)
                    {
                        groups[i].LearningRate = values[i];
                        if (_verbose) PrintLr(i, values[i], epoch);
                    }
                    _last_lrs = groups.Select(g => g.LearningRate).ToList();
                }

                /// <summary>Advances the schedule; the metric <paramref name="current"/> is ignored except by metric-driven schedulers.</summary>
                public virtual void step(double current, int? epoch = null) => step(epoch);

                /// <summary>The learning rates for the current <c>last_epoch</c>, computed from the current ones (chainable form).</summary>
                protected virtual IEnumerable<double> get_lr() => Optimizer.ParamGroups.Select(pg => pg.LearningRate);

                /// <summary>The learning rates for the current <c>last_epoch</c> computed from the base LRs (defaults to <see cref="get_lr"/>).</summary>
                protected virtual IEnumerable<double> get_closed_form_lr() => get_lr();

                /// <summary>The learning rates this scheduler set last, one per parameter group.</summary>
                public IEnumerable<double> get_last_lr() => _last_lrs;

                /// <summary>How many times <c>step</c> has been called (including the constructor's).</summary>
                protected int _step_count = 0;

                internal Optimizer? _optimizer;
                internal int _last_epoch = -1;
                internal bool _verbose;
                internal IList<double> _last_lrs = new List<double>();
                internal IList<double> _base_lrs = new List<double>();

                internal Optimizer Optimizer => _optimizer ?? throw new InvalidOperationException($"{GetType().Name} is not attached to an optimizer.");

                internal List<ILearningRateController> Groups => Optimizer.ParamGroups.ToList();

                /// <summary>PyTorch's <c>_initial_step</c>: resets the step count and takes the first step.</summary>
                internal void InitialStep()
                {
                    _step_count = 0;
                    step();
                }

                private static void PrintLr(int group, double lr, int? epoch)
                {
                    var value = lr.ToString("0.0000e+00", CultureInfo.InvariantCulture);
                    Console.WriteLine(epoch is null
                        ? $"Adjusting learning rate of group {group} to {value}."
                        : $"Epoch {epoch.Value:D5}: adjusting learning rate of group {group} to {value}.");
                }
            }

            /// <summary>Decays each group's LR by <paramref name="gamma"/> every <paramref name="step_size"/> epochs.</summary>
            /// <param name="optimizer">The optimizer.</param>
            /// <param name="step_size">The period of the decay, in [1, +inf).</param>
            /// <param name="gamma">The multiplicative factor (default 0.1).</param>
            /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
            /// <param name="verbose">Print a line for each change.</param>
            public static LRScheduler StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1, bool verbose = false)
                => new impl.StepLR(optimizer, step_size, gamma, last_epoch, verbose);

            /// <summary>Sets each group's LR to its initial LR times <paramref name="lr_lambda"/>(epoch).</summary>
            /// <param name="optimizer">The optimizer.</param>
            /// <param name="lr_lambda">The multiplicative factor as a function of the epoch.</param>
            /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
            /// <param name="verbose">Print a line for each change.</param>
            public static LRScheduler LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda, int last_epoch = -1, bool verbose = false)
                => new impl.LambdaLR(optimizer, lr_lambda, last_epoch, verbose);

            /// <summary>Decays each group's LR by <paramref name="gamma"/> at each milestone (once per occurrence).</summary>
            /// <param name="optimizer">The optimizer.</param>
            /// <param name="milestones">The epochs at which to decay (repeats decay several times).</param>
            /// <param name="gamma">The multiplicative factor (default 0.1).</param>
            /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
            /// <param name="verbose">Print a line for each change.</param>
            public static LRScheduler MultiStepLR(Optimizer optimizer, IList<int> milestones, double gamma = 0.1, int last_epoch = -1, bool verbose = false)
                => new impl.MultiStepLR(optimizer, milestones, gamma, last_epoch, verbose);

            /// <summary>Decays each group's LR by <paramref name="gamma"/> every epoch.</summary>
            /// <param name="optimizer">The optimizer.</param>
            /// <param name="gamma">The multiplicative factor (default 0.1, as in TorchSharp).</param>
            /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
            /// <param name="verbose">Print a line for each change.</param>
            public static LRScheduler ExponentialLR(Optimizer optimizer, double gamma = 0.1, int last_epoch = -1, bool verbose = false)
                => new impl.ExponentialLR(optimizer, gamma, last_epoch, verbose);

            /// <summary>Runs <paramref name="schedulers"/> one after the other, switching at the <paramref name="milestones"/>.</summary>
            /// <param name="optimizer">The optimizer (all schedulers must belong to it).</param>
            /// <param name="schedulers">The schedulers, in order.</param>
            /// <param name="milestones">The epochs at which to switch to the next scheduler (one fewer than the schedulers).</param>
            /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
            public static LRScheduler SequentialLR(Optimizer optimizer, IEnumerable<LRScheduler> schedulers, IEnumerable<int> milestones, int last_epoch = -1)
                => new impl.SequentialLR(optimizer, schedulers, milestones, last_epoch);

            /// <summary>Scales each group's LR by a factor moving linearly from <paramref name="start_factor"/> to <paramref name="end_factor"/> over <paramref name="total_iters"/> epochs.</summary>
            /// <param name="optimizer">The optimizer.</param>
            /// <param name="start_factor">The factor at the first epoch, in (0, 1] (default 1/3).</param>
            /// <param name="end_factor">The factor from <paramref name="total_iters"/> on, in [0, 1] (default 1).</param>
            /// <param name="total_iters">How many epochs the change takes, in [1, +inf) (default 5).</param>
            /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
            /// <param name="verbose">Print a line for each change.</param>
            public static LRScheduler LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int total_iters = 5, int last_epoch = -1, bool verbose = false)
                => new impl.LinearLR(optimizer, start_factor, end_factor, total_iters, last_epoch, verbose);

            /// <summary>Anneals each group's LR from its initial LR to <paramref name="eta_min"/> along a half cosine over <paramref name="T_max"/> epochs (and back, periodically).</summary>
            /// <param name="optimizer">The optimizer.</param>
            /// <param name="T_max">The half period in epochs, in (0, +inf).</param>
            /// <param name="eta_min">The minimum LR (default 0).</param>
            /// <param name="last_epoch">The index of the last epoch (-1 to start).</param>
            /// <param name="verbose">Print a line for each change.</param>
            public static LRScheduler CosineAnnealingLR(Optimizer optimizer, double T_max, double eta_min = 0, int last_epoch = -1, bool verbose = false)
                => new impl.CosineAnnealingLR(optimizer, T_max, eta_min, last_epoch, verbose);

            /// <summary>The 1cycle policy (Smith &amp; Topin, 2017) with one maximum LR for all groups; see <see cref="impl.OneCycleLR"/>.</summary>
            /// <param name="optimizer">The optimizer.</param>
            /// <param name="max_lr">The peak LR.</param>
            /// <param name="total_steps">The number of steps in the cycle (or give <paramref name="epochs"/> and <paramref name="steps_per_epoch"/>).</param>
            /// <param name="epochs">The number of epochs (with <paramref name="steps_per_epoch"/>).</param>
            /// <param name="steps_per_epoch">The number of steps per epoch.</param>
            /// <param name="pct_start">The fraction of the cycle spent increasing the LR, in [0, 1] (default 0.3).</param>
            /// <param name="anneal_strategy">Cosine or linear annealing.</param>
            /// <param name="cycle_momentum">Cycle the momentum (or beta1) inversely to the LR.</param>
            /// <param name="base_momentum">The lowest momentum (at the LR peak).</param>
            /// <param name="max_momentum">The highest momentum (at the start and end).</param>
            /// <param name="div_factor">initial LR = max_lr / div_factor.</param>
            /// <param name="final_div_factor">minimum LR = initial LR / final_div_factor.</param>
            /// <param name="three_phase">Use a third phase that anneals to the minimum LR after a symmetric warm-up/cool-down.</param>
            /// <param name="last_epoch">The index of the last step (-1 to start).</param>
            /// <param name="verbose">Print a line for each change.</param>
            public static LRScheduler OneCycleLR(Optimizer optimizer, double max_lr, int total_steps = -1, int epochs = -1, int steps_per_epoch = -1, double pct_start = 0.3, impl.OneCycleLR.AnnealStrategy anneal_strategy = impl.OneCycleLR.AnnealStrategy.Cos, bool cycle_momentum = true, double base_momentum = 0.85, double max_momentum = 0.95, double div_factor = 25, double final_div_factor = 1e4, bool three_phase = false, int last_epoch = -1, bool verbose = false)
                => new impl.OneCycleLR(optimizer, max_lr, total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, cycle_momentum, base_momentum, max_momentum, div_factor, final_div_factor, three_phase, last_epoch, verbose);

            /// <summary>The 1cycle policy with one maximum LR (and optionally momentum bounds) per group; see <see cref="impl.OneCycleLR"/>.</summary>
            /// <inheritdoc cref="OneCycleLR(Optimizer, double, int, int, int, double, impl.OneCycleLR.AnnealStrategy, bool, double, double, double, double, bool, int, bool)"/>
            public static LRScheduler OneCycleLR(Optimizer optimizer, IEnumerable<double> max_lr, int total_steps = -1, int epochs = -1, int steps_per_epoch = -1, double pct_start = 0.3, impl.OneCycleLR.AnnealStrategy anneal_strategy = impl.OneCycleLR.AnnealStrategy.Cos, bool cycle_momentum = true, IEnumerable<double>? base_momentum = null, IEnumerable<double>? max_momentum = null, double div_factor = 25, double final_div_factor = 1e4, bool three_phase = false, int last_epoch = -1, bool verbose = false)
                => new impl.OneCycleLR(optimizer, max_lr, total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, cycle_momentum, base_momentum, max_momentum, div_factor, final_div_factor, three_phase, last_epoch, verbose);
        }
    }
}
