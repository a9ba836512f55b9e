using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Torch.Bench;

/// <summary>Entry point: <c>Efficient.Torch.Bench &lt;command&gt; [options]</c>.</summary>
internal static class Program
{
    private const string Usage = """
        Usage: Efficient.Torch.Bench <command> [options]

        Commands:
          op-overhead   Times a loop of small ops (a.add(b) on 8-element float32 tensors), each
                        result disposed, in two idioms: `using var r = a.add(b)` and a dispose
                        scope per --scope-size ops. Compare with bench/python/op_overhead.py.

          train-step    Times one training step (zero_grad, forward, cross-entropy, backward,
                        optimizer step, in a dispose scope) of the residual CNN (SGD momentum) or
                        the small BERT-style encoder (AdamW). Compare with bench/python/train_step.py.

        Options (train-step):
          --model NAME     resnet or bert (required)
          --steps N        timed steps (default 20)
          --warmup N       warm-up steps (default 3)
          --threads N      torch.set_num_threads(N) (default 2)

        Options (op-overhead):
          --ops N          ops per timed loop (default 100000)
          --repeats N      timed loops per idiom, after warm-up (default 5)
          --warmup N       warm-up loops per idiom (default 3)
          --scope-size N   ops per dispose scope in the scope idiom (default 100)
          --threads N      torch.set_num_threads(N) (default 1)
          --idiom NAME     using, scope or both (default both)
        """;

    private static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }

        try
        {
            var options = ParseOptions(args.AsSpan(1));
            switch (args[0])
            {
                case "op-overhead":
                    OpOverhead.Run(OpOverhead.Options.From(options));
                    return 0;
                case "train-step":
                    if (!options.Remove("model", out var model)) throw new ArgumentException("train-step needs --model resnet or --model bert.");
                    var steps = PositiveInt(options, "steps", 20);
                    var warmup = PositiveInt(options, "warmup", 3);
                    var threads = PositiveInt(options, "threads", 2);
                    if (options.Count > 0) throw new ArgumentException($"Unknown option(s) for train-step: {string.Join(", ", options.Keys.Select(k => "--" + k))}.");
                    TrainStep.Run(model, steps, warmup, threads, memory: true);
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown command '{args[0]}'; expected op-overhead or train-step.");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    private static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var key = args[i];
            if (!key.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected '--name value' pairs, got '{key}'.");
            result[key[2..]] = args[++i];
        }
        return result;
    }

    /// <summary>Reads a positive integer option, or its default.</summary>
    internal static int PositiveInt(Dictionary<string, string> options, string name, int defaultValue)
    {
        if (!options.Remove(name, out var text)) return defaultValue;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1)
            throw new ArgumentException($"--{name}: expected a positive integer, got '{text}'.");
        return value;
    }
}
