using System;
using System.Globalization;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace QuickStart;

/// <summary>
/// A tiny end-to-end run: a two-layer network trained with SGD on a random regression-to-class
/// problem, written with TorchSharp's API names only.
/// </summary>
public static class Program
{
    /// <summary>Runs the demo: <c>--steps N</c> (default 200), <c>--seed S</c> (default 0).</summary>
    public static int Main(string[] args)
    {
        try
        {
            var (steps, seed) = ParseArgs(args);
            var result = Train(steps, seed, Console.Out);
            return result.FinalAccuracy > result.InitialAccuracy ? 0 : 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"quickstart: {e.Message}");
            Console.Error.WriteLine("usage: quickstart [--steps N] [--seed S]");
            return 2;
        }
    }

    /// <summary>The outcome of a run.</summary>
    public sealed record Result(float InitialLoss, float FinalLoss, double InitialAccuracy, double FinalAccuracy);

    internal static (int steps, long seed) ParseArgs(string[] args)
    {
        var steps = 200;
        long seed = 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--steps":
                    var s = Next();
                    if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out steps) || steps < 1)
                        throw new ArgumentException($"--steps must be a positive integer, got '{s}'");
                    break;
                case "--seed":
                    var v = Next();
                    if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
                        throw new ArgumentException($"--seed must be an integer, got '{v}'");
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        return (steps, seed);
    }

    /// <summary>Trains for <paramref name="steps"/> SGD steps and reports loss and accuracy.</summary>
    public static Result Train(int steps, long seed, TextWriter log)
    {
        manual_seed(seed);
        using var scope = NewDisposeScope();

        // Data: 512 points in 16-D, labels given by a random linear teacher over 4 classes.
        var x = randn(512, 16);
        var teacher = randn(16, 4);
        var y = x.matmul(teacher).argmax(1);

        // Model: 16 -> 64 -> 4, Kaiming-style initialisation.
        var w1 = (randn(64, 16) * Math.Sqrt(2.0 / 16)).requires_grad_();
        var b1 = zeros(64).requires_grad_();
        var w2 = (randn(4, 64) * Math.Sqrt(1.0 / 64)).requires_grad_();
        var b2 = zeros(4).requires_grad_();
        var parameters = new[] { w1, b1, w2, b2 };

        Tensor Forward(Tensor input) => linear(relu(linear(input, w1, b1)), w2, b2);
        double Accuracy()
        {
            using var _ = no_grad();
            using var s = NewDisposeScope();
            return Forward(x).argmax(1).eq(y).to_type(ScalarType.Float32).mean().item<float>();
        }

        var initialAccuracy = Accuracy();
        float initialLoss = 0, lastLoss = 0;
        const double lr = 0.1;
        for (var step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var loss = cross_entropy(Forward(x), y);
            foreach (var p in parameters) p.grad = null;
            loss.backward();
            using (no_grad())
            {
                foreach (var p in parameters) p.sub_(p.grad!, lr);
            }
            lastLoss = loss.item<float>();
            if (step == 0) initialLoss = lastLoss;
            if (step % 50 == 0 || step == steps - 1)
                log.WriteLine(FormattableString.Invariant($"step {step,4}  loss {lastLoss:F4}"));
        }

        var finalAccuracy = Accuracy();
        log.WriteLine(FormattableString.Invariant($"accuracy {initialAccuracy:P1} -> {finalAccuracy:P1} after {steps} steps (libtorch {__version__})"));
        return new Result(initialLoss, lastLoss, initialAccuracy, finalAccuracy);
    }
}
