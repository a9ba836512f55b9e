using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace Efficient.Torch.Bench;

/// <summary>
/// Per-op overhead: a loop of small ops (<c>a.add(b)</c> on 8-element float32 tensors) whose
/// results are all disposed, so the time is the binding's cost (argument checks, P/Invoke,
/// the tensor object, dispose-scope bookkeeping, freeing) plus libtorch's dispatch, not math.
/// bench/python/op_overhead.py runs the same loop in PyTorch.
/// </summary>
internal static class OpOverhead
{
    /// <summary>The benchmark's settings.</summary>
    internal sealed record Options(int Ops, int Repeats, int Warmup, int ScopeSize, int Threads, string[] Idioms)
    {
        public static Options From(Dictionary<string, string> o)
        {
            var result = new Options(
                Program.PositiveInt(o, "ops", 100_000),
                Program.PositiveInt(o, "repeats", 5),
                Program.PositiveInt(o, "warmup", 3),
                Program.PositiveInt(o, "scope-size", 100),
                Program.PositiveInt(o, "threads", 1),
                ParseIdiom(o));
            if (o.Count > 0) throw new ArgumentException($"Unknown option(s) for op-overhead: {string.Join(", ", o.Keys.Select(k => "--" + k))}.");
            return result;
        }

        private static string[] ParseIdiom(Dictionary<string, string> o)
        {
            if (!o.Remove("idiom", out var v)) return ["using", "scope"];
            return v switch
            {
                "using" => ["using"],
                "scope" => ["scope"],
                "both" => ["using", "scope"],
                _ => throw new ArgumentException($"--idiom: expected using, scope or both, got '{v}'."),
            };
        }
    }

    public static void Run(Options options)
    {
        set_num_threads(options.Threads);
        using var a = ones(8);
        using var b = ones(8);
        var liveBefore = Tensor.TotalCount;

        Console.WriteLine(FormattableString.Invariant(
            $"op-overhead (Efficient.Torch): {options.Ops} x a.add(b), float32[8], {get_num_threads()} thread(s), libtorch {__version__}, .NET {Environment.Version}"));

        // Warm-up: JIT tiers (tier-0, then tier-1 with PGO after ~30 calls and a short delay),
        // libtorch's dispatcher caches and the allocator.
        for (var w = 0; w < options.Warmup; w++)
            foreach (var idiom in options.Idioms) Time(idiom, a, b, options);

        // Timed loops, the idioms interleaved so that background noise hits both alike.
        var samples = options.Idioms.ToDictionary(i => i, _ => new List<double>());
        for (var r = 0; r < options.Repeats; r++)
            foreach (var idiom in options.Idioms) samples[idiom].Add(Time(idiom, a, b, options));

        if (Tensor.TotalCount != liveBefore)
            throw new InvalidOperationException($"Leak: {Tensor.TotalCount - liveBefore} tensor(s) left alive by the loop.");

        foreach (var idiom in options.Idioms)
        {
            var s = samples[idiom];
            var label = idiom == "scope" ? $"scope/{options.ScopeSize}" : idiom;
            Console.WriteLine(FormattableString.Invariant(
                $"  {label,-10} median {Median(s),8:F1} ns/op   (min {s.Min(),8:F1}, max {s.Max(),8:F1}, {s.Count} loops)"));
        }
        foreach (var idiom in options.Idioms)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT ours {idiom} {Median(samples[idiom]):F1}"));
    }

    /// <summary>Runs one loop of <see cref="Options.Ops"/> ops; returns nanoseconds per op.</summary>
    private static double Time(string idiom, Tensor a, Tensor b, Options options)
    {
        var start = Stopwatch.GetTimestamp();
        if (idiom == "using") UsingLoop(a, b, options.Ops);
        else ScopeLoop(a, b, options.Ops, options.ScopeSize);
        var elapsed = Stopwatch.GetElapsedTime(start);
        return elapsed.TotalNanoseconds / options.Ops;
    }

    /// <summary>Each result disposed right away: <c>using var r = a.add(b);</c>.</summary>
    private static void UsingLoop(Tensor a, Tensor b, int ops)
    {
        for (var i = 0; i < ops; i++)
        {
            using var r = a.add(b);
        }
    }

    /// <summary>The training-loop idiom: results left to a dispose scope opened every <paramref name="scopeSize"/> ops.</summary>
    private static void ScopeLoop(Tensor a, Tensor b, int ops, int scopeSize)
    {
        var done = 0;
        while (done < ops)
        {
            var n = Math.Min(scopeSize, ops - done);
            using (NewDisposeScope())
            {
                for (var j = 0; j < n; j++) a.add(b);
            }
            done += n;
        }
    }

    private static double Median(List<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
