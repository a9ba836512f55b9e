using System.Collections.Generic;
using Efficient.Training.Models;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>A small BertEncoder and short masked-LM-shaped training runs for the transformer technique tests.</summary>
internal static class TransformerRuns
{
    public static BertEncoder SmallBert(bool preLayerNorm = false, long maxLength = 16, int layers = 2) => new(new BertEncoderOptions
    {
        VocabSize = 11, HiddenSize = 8, Heads = 2, Layers = layers, IntermediateSize = 16, MaxLength = maxLength, PreLayerNorm = preLayerNorm,
    });

    /// <summary>Token ids [n, length] in [0, 11) and targets of the same shape.</summary>
    public static (Tensor x, Tensor y) Tokens(int n = 8, int length = 16, ulong seed = 1)
    {
        using var g = new Generator(seed);
        return (randint(0, 11, new long[] { n, length }, generator: g).DetachFromDisposeScope(), randint(0, 11, new long[] { n, length }, generator: g).DetachFromDisposeScope());
    }

    public sealed record Result(FitResult Fit, List<(Tensor input, Tensor target)> Batches, Trainer Trainer);

    /// <summary>Trains <paramref name="model"/> with <paramref name="algorithms"/> on batches of 4 sequences.</summary>
    public static Result Train(nn.Module<Tensor, Tensor> model, IEnumerable<IAlgorithm> algorithms, string max = "2ba", long seed = 7, ITrainingData? eval = null, (Tensor x, Tensor y)? data = null)
    {
        var (x, y) = data ?? Tokens();
        var recorder = new BatchRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.AdamW(p, 1e-3),
            TrainData = new TensorTrainingData(x, y, 4, shuffle: false, tokensOf: t => t.numel()),
            EvalData = eval,
            EvalInterval = Duration.Parse("1ba"),
            MaxDuration = Duration.Parse(max),
            Seed = seed,
        };
        foreach (var a in algorithms) options.Algorithms.Add(a);
        options.Callbacks.Add(recorder);
        var trainer = new Trainer(options);
        var fit = trainer.Fit();
        return new Result(fit, recorder.Batches, trainer);
    }

    public static Result Train(nn.Module<Tensor, Tensor> model, params IAlgorithm[] algorithms) => Train(model, (IEnumerable<IAlgorithm>)algorithms);
}
