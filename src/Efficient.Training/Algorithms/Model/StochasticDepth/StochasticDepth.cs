using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Training.Models;

namespace Efficient.Training.Algorithms;

/// <summary>How <see cref="StochasticDepth"/> drops a residual branch (Composer's <c>stochastic_method</c>).</summary>
public enum StochasticDepthMethod
{
    /// <summary>
    /// <c>'block'</c> (Huang et al., 2016): in each training forward pass the whole branch is skipped
    /// with probability p (for every sample of the batch); at evaluation its output is scaled by 1 − p.
    /// </summary>
    Block,

    /// <summary>
    /// <c>'sample'</c> (timm's <c>drop_path</c>): each sample's branch output is zeroed with probability p
    /// and the kept ones are divided by 1 − p during training; evaluation uses the branch unchanged.
    /// </summary>
    Sample,
}

/// <summary>How the drop rate grows with depth (Composer's <c>drop_distribution</c>).</summary>
public enum StochasticDepthDistribution
{
    /// <summary><c>'linear'</c>: the i-th of L target layers (1-based) drops with p · i / L (the paper's linear decay rule).</summary>
    Linear,

    /// <summary><c>'uniform'</c>: every target layer drops with p.</summary>
    Uniform,
}

/// <summary>
/// Stochastic depth (Huang et al., 2016): during training, residual branches are randomly skipped,
/// so the network is shallower on average, trains faster per step and is regularized. Follows
/// Composer's <c>apply_stochastic_depth</c> (block-wise) and timm's <c>drop_path</c> (sample-wise).
/// Works on any block implementing <see cref="IResidualBlock"/> (e.g. <see cref="BasicBlock"/>):
/// its residual branch is wrapped in a <see cref="StochasticBranch"/>.
/// </summary>
public static class StochasticDepth
{
    /// <summary>The drop rate of each of <paramref name="layers"/> target layers, in model order.</summary>
    /// <param name="layers">The number of target layers L (≥ 0).</param>
    /// <param name="dropRate">p in [0, 1].</param>
    /// <param name="distribution">Linear (p · i / L for the i-th, 1-based) or uniform (p for all).</param>
    public static double[] DropRates(int layers, double dropRate, StochasticDepthDistribution distribution = StochasticDepthDistribution.Linear)
    {
        if (layers < 0) throw new ArgumentOutOfRangeException(nameof(layers), layers, "The number of layers must be >= 0.");
        CheckRate(dropRate, nameof(dropRate));
        return Enumerable.Range(1, layers)
            .Select(i => distribution switch
            {
                StochasticDepthDistribution.Linear => dropRate * i / layers,
                StochasticDepthDistribution.Uniform => dropRate,
                _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Expected Linear or Uniform."),
            })
            .ToArray();
    }

    /// <summary>
    /// The drop rate during warm-up (Composer's <c>drop_warmup</c>): p · min(1, progress / warmup),
    /// or p when <paramref name="warmup"/> is 0.
    /// </summary>
    /// <param name="dropRate">The final p in [0, 1].</param>
    /// <param name="progress">The fraction of training done, in [0, 1].</param>
    /// <param name="warmup">The fraction of training over which p grows linearly from 0, in [0, 1].</param>
    public static double WarmupDropRate(double dropRate, double progress, double warmup)
    {
        CheckRate(dropRate, nameof(dropRate));
        CheckRate(progress, nameof(progress));
        CheckRate(warmup, nameof(warmup));
        return warmup > 0 ? dropRate * Math.Min(1, progress / warmup) : dropRate;
    }

    /// <summary>
    /// Sample-wise drop, timm's <c>drop_path</c> (not Composer's <c>_sample_drop</c>, which multiplies by
    /// the mask without rescaling in training and by 1 − p at evaluation): in training, returns
    /// <c>x / (1 − p) · floor(1 − p + u)</c> with one <c>u ~ U[0, 1)</c> per sample (drawn as
    /// <c>rand([N, 1, ...], generator)</c>); otherwise (or with p = 0) returns <paramref name="x"/> unchanged.
    /// </summary>
    /// <param name="x">A batch, samples along dimension 0.</param>
    /// <param name="dropRate">p in [0, 1]; with p = 1 every sample is dropped (zeros).</param>
    /// <param name="training">Whether to drop.</param>
    /// <param name="generator">The random source (null: the global generator).</param>
    public static Tensor DropPath(Tensor x, double dropRate, bool training = true, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckRate(dropRate, nameof(dropRate));
        if (!training || dropRate == 0) return x.alias();
        if (x.dim() == 0) throw new ArgumentException("DropPath needs samples along dimension 0 (got a scalar).", nameof(x));
        using var scope = NewDisposeScope();
        if (dropRate >= 1) return x.zeros_like().MoveToOuterDisposeScope();
        var keep = 1 - dropRate;
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        var mask = (rand(shape, x.dtype, x.device, generator: generator) + keep).floor();
        return (x.div(keep) * mask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Applies stochastic depth to <paramref name="model"/> in place: the residual branch of every
    /// <see cref="IResidualBlock"/> whose type name (or module name) is
    /// <see cref="StochasticDepthOptions.TargetLayerName"/> is wrapped in a <see cref="StochasticBranch"/>
    /// with its drop rate from <see cref="DropRates"/> (the full rate: warm-up is the trainer adapter's job).
    /// No parameters change.
    /// </summary>
    /// <param name="model">The model to change.</param>
    /// <param name="options">The options (null: Composer's defaults with target <c>BasicBlock</c>).</param>
    /// <param name="generator">The random source of the drops (null: the global generator).</param>
    /// <returns>The installed branches, in model order.</returns>
    /// <exception cref="InvalidOperationException">A module matches the target name but does not implement <see cref="IResidualBlock"/>.</exception>
    public static IReadOnlyList<StochasticBranch> Apply(nn.Module model, StochasticDepthOptions? options = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new StochasticDepthOptions();
        options.Validate();
        var branches = Apply(new ModelSurgery(model), options);
        foreach (var b in branches) b.Generator = generator;
        return branches;
    }

    internal static IReadOnlyList<StochasticBranch> Apply(ModelSurgery surgery, StochasticDepthOptions options)
    {
        var targets = new List<(string path, IResidualBlock block)>();
        // The root itself may be a target (a single block); its branch is then the child at "residual".
        foreach (var (path, module) in surgery.Root.named_modules().Prepend(("", surgery.Root)).ToList())
        {
            if (module.GetType().Name != options.TargetLayerName && module.GetName() != options.TargetLayerName) continue;
            if (module is not IResidualBlock block)
                throw new InvalidOperationException($"StochasticDepth: the module '{(path.Length == 0 ? "(root)" : path)}' ({module.GetType().Name}) matches TargetLayerName '{options.TargetLayerName}' but does not implement IResidualBlock, so its residual branch cannot be found; implement IResidualBlock (see Efficient.Training.Models.BasicBlock) or choose another target.");
            if (block.ResidualBranch is StochasticBranch) continue; // already wrapped by an earlier application
            targets.Add((path, block));
        }
        var rates = DropRates(targets.Count, options.DropRate, options.DropDistribution);
        var branches = new List<StochasticBranch>();
        for (var i = 0; i < targets.Count; i++)
        {
            var (path, block) = targets[i];
            var branch = new StochasticBranch(block.ResidualBranch, options.StochasticMethod, rates[i]);
            surgery.Replace(path.Length == 0 ? block.ResidualBranchName : $"{path}.{block.ResidualBranchName}", branch);
            branches.Add(branch);
        }
        return branches;
    }

    /// <summary>Sets the drop rates of <paramref name="branches"/> (in model order) from p and the distribution.</summary>
    public static void SetDropRates(IReadOnlyList<StochasticBranch> branches, double dropRate, StochasticDepthDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(branches);
        var rates = DropRates(branches.Count, dropRate, distribution);
        for (var i = 0; i < rates.Length; i++) branches[i].DropRate = rates[i];
    }

    internal static void CheckRate(double value, string name)
    {
        if (!(value >= 0 && value <= 1)) throw new ArgumentOutOfRangeException(name, value, $"The {name} must be in [0, 1].");
    }
}

/// <summary>
/// A residual branch that is randomly dropped during training (<see cref="StochasticDepth"/>); the
/// wrapped branch is child <c>branch</c>. A block-wise drop returns a scalar zero, which the
/// <see cref="IResidualBlock"/> adds to its shortcut by broadcasting, so the branch is not computed.
/// </summary>
public sealed class StochasticBranch : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> branch;
    private double _dropRate;

    /// <summary>Wraps <paramref name="branch"/>.</summary>
    /// <param name="branch">The residual branch F.</param>
    /// <param name="method">Block-wise or sample-wise dropping.</param>
    /// <param name="dropRate">The drop probability p in [0, 1].</param>
    /// <param name="generator">The random source (null: the global generator).</param>
    public StochasticBranch(nn.Module<Tensor, Tensor> branch, StochasticDepthMethod method, double dropRate, Generator? generator = null) : base(nameof(StochasticBranch))
    {
        ArgumentNullException.ThrowIfNull(branch);
        this.branch = branch;
        Method = method;
        DropRate = dropRate;
        Generator = generator;
        RegisterComponents();
    }

    /// <summary>The wrapped residual branch.</summary>
    public nn.Module<Tensor, Tensor> Branch => branch;

    /// <summary>Block-wise or sample-wise dropping.</summary>
    public StochasticDepthMethod Method { get; }

    /// <summary>The current drop probability p in [0, 1].</summary>
    public double DropRate
    {
        get => _dropRate;
        set
        {
            StochasticDepth.CheckRate(value, nameof(DropRate));
            _dropRate = value;
        }
    }

    /// <summary>The random source of the drops (null: the global generator). The trainer adapter uses the run's checkpointed generator.</summary>
    public Generator? Generator { get; set; }

    /// <summary>How many training forward passes dropped the whole branch (block-wise only).</summary>
    public long Drops { get; private set; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (_dropRate == 0) return branch.call(input);
        if (Method == StochasticDepthMethod.Sample)
            return training ? StochasticDepth.DropPath(branch.call(input), _dropRate, true, Generator) : branch.call(input);
        if (!training) return branch.call(input) * (1 - _dropRate);
        float u;
        using (var draw = rand(new long[] { 1 }, generator: Generator)) u = draw.item<float>();
        if (u < _dropRate)
        {
            Drops++;
            return zeros(Array.Empty<long>(), input.dtype, input.device);
        }
        return branch.call(input);
    }
}
