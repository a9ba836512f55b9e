using System;

namespace Efficient.Training.Algorithms;

/// <summary>Random draws shared by MixUp and CutMix (Beta via two Gammas, Marsaglia–Tsang), all from a given generator.</summary>
internal static class MixingSampler
{
    public static double Beta(double alpha, Generator? generator)
    {
        var x = Gamma(alpha, generator);
        var y = Gamma(alpha, generator);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    public static double Uniform(Generator? generator)
    {
        using var t = rand(1, ScalarType.Float64, generator: generator);
        return t.ToDouble();
    }

    public static long Integer(long high, Generator? generator)
    {
        using var t = randint(high, new long[] { 1 }, ScalarType.Int64, generator: generator);
        return t.ToInt64();
    }

    private static double Normal(Generator? generator)
    {
        using var t = randn(1, ScalarType.Float64, generator: generator);
        return t.ToDouble();
    }

    private static double Gamma(double shape, Generator? generator)
    {
        if (shape < 1)
        {
            var u = Uniform(generator);
            return Gamma(shape + 1, generator) * Math.Pow(u, 1.0 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(generator);
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = Uniform(generator);
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    public static void CheckArguments(Tensor input, Tensor target, double lambda, Tensor permutation)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(permutation);
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be in [0, 1].");
        if (input.dim() == 0 || target.dim() == 0) throw new ArgumentException("The input and the target need a batch dimension.", nameof(input));
        if (permutation.dim() != 1 || permutation.shape[0] != input.shape[0])
            throw new ArgumentException($"The permutation must be 1-D with {input.shape[0]} entries (got shape [{string.Join(", ", permutation.shape)}]).", nameof(permutation));
        if (target.shape[0] != input.shape[0])
            throw new ArgumentException($"The target's first dimension ({target.shape[0]}) must equal the input's batch size ({input.shape[0]}).", nameof(target));
    }
}

/// <summary>What MixUp and CutMix adapters share: when to mix, and the interpolated loss.</summary>
internal sealed class MixingSchedule
{
    private readonly double _probability;
    private readonly Duration? _stopAt;
    private readonly string _lambdaKey;
    private readonly string _permutationKey;

    public MixingSchedule(string name, double probability, Duration? stopAt)
    {
        _probability = probability;
        _stopAt = stopAt;
        _lambdaKey = name + ".lambda";
        _permutationKey = name + ".permutation";
    }

    /// <summary>Whether to mix this microbatch (draws from the run's generator only when the probability is below 1).</summary>
    public bool ShouldMix(MicrobatchContext context)
    {
        var state = context.State;
        if (!state.IsTraining || context.Batch.Size < 2 || context.Batch.Target.dim() == 0) return false;
        if (_stopAt is { } stop && state.HasReached(stop)) return false;
        return _probability >= 1 || MixingSampler.Uniform(state.Rng) < _probability;
    }

    /// <summary>Trains on the mixed input and stores λ and the permutation for the loss hook.</summary>
    public Tensor Apply(MicrobatchContext context, MixedBatch mixed, Func<Tensor> next)
    {
        context.Batch = context.Batch.With(input: mixed.Input);
        context.Items[_lambdaKey] = mixed.Lambda;
        context.Items[_permutationKey] = mixed.Permutation;
        return next();
    }

    public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next)
    {
        if (!context.Items.TryGetValue(_lambdaKey, out var lambda) || !context.Items.TryGetValue(_permutationKey, out var permutation))
            return next(outputs, target);
        // Permute the target this hook receives (not the batch's), so stacked mixers compose.
        return MixUp.InterpolateLoss(next(outputs, target), next(outputs, target.index_select(0, (Tensor)permutation)), (double)lambda);
    }
}
