using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Efficient.Training.Datasets;
using Efficient.Training.Models;
using Efficient.Training.Text;
using static TorchSharp.torch;

namespace BertSample;

/// <summary>
/// A sequence classifier over a <see cref="BertEncoder"/>: dropout and a linear layer on the
/// hidden state of <c>[CLS]</c>. Takes padded ids <c>[B, S]</c> and derives the attention mask from
/// the <c>[PAD]</c> id itself (the Trainer passes only the batch input to the model).
/// </summary>
public sealed class BertClassifier : nn.Module<Tensor, Tensor>
{
    private readonly BertEncoder encoder;
    private readonly Linear classifier;
    private readonly long _padId;
    private readonly double _dropout;

    /// <summary>Wraps <paramref name="encoder"/> with a head for <paramref name="classes"/> classes.</summary>
    public BertClassifier(BertEncoder encoder, int classes, long padId, double dropout = 0.1) : base(nameof(BertClassifier))
    {
        this.encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        classifier = nn.Linear(encoder.Options.HiddenSize, classes);
        _padId = padId;
        _dropout = dropout;
        RegisterComponents();
    }

    /// <summary>Class logits <c>[B, classes]</c> for padded token ids <c>[B, S]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        var hidden = encoder.Encode(input, input.ne(_padId));
        var cls = hidden.select(1, 0);
        return classifier.call(nn.functional.dropout(cls, _dropout, training));
    }
}

/// <summary>
/// The fine-tuning task: which fortune file (category) a quotation comes from. The quotations of
/// the categories are shuffled with the seed and split 80/10/10 into train, validation and test;
/// each is encoded <c>[CLS] … [SEP]</c>, truncated and padded with <c>[PAD]</c> to the sequence length.
/// </summary>
public sealed record ClassificationSplits(Tensor TrainX, Tensor TrainY, Tensor ValidationX, Tensor ValidationY, Tensor TestX, Tensor TestY) : IDisposable
{
    /// <summary>The default categories: five large files of distinct topics.</summary>
    public static readonly IReadOnlyList<string> DefaultCategories = new[] { "computers", "people", "politics", "science", "songs-poems" };

    /// <summary>Loads and splits the quotations of <paramref name="categories"/> (at most <paramref name="limit"/> spread evenly, when given).</summary>
    public static ClassificationSplits Load(string folder, IReadOnlyList<string> categories, WordPieceTokenizer tokenizer, int sequenceLength, long seed, int? limit)
    {
        var quotes = PretrainingCorpus.Select(Fortunes.Load(folder, categories), limit);
        var rng = new Random(unchecked((int)seed));
        var order = Enumerable.Range(0, quotes.Count).OrderBy(_ => rng.Next()).ToArray();
        int nTest = Math.Max(1, quotes.Count / 10), nValidation = Math.Max(1, quotes.Count / 10);
        var labels = categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i);
        (Tensor X, Tensor Y) Encode(IEnumerable<int> indices)
        {
            var list = indices.ToList();
            var x = new long[list.Count * sequenceLength];
            Array.Fill(x, tokenizer.PadId);
            var y = new long[list.Count];
            for (var r = 0; r < list.Count; r++)
            {
                var ids = tokenizer.Encode(quotes[list[r]].Text, addSpecialTokens: true, maxLength: sequenceLength);
                for (var j = 0; j < ids.Length; j++) x[r * sequenceLength + j] = ids[j];
                y[r] = labels[quotes[list[r]].Category];
            }
            return (tensor(x, new long[] { list.Count, sequenceLength }).DetachFromDisposeScope(), tensor(y).DetachFromDisposeScope());
        }
        var (testX, testY) = Encode(order.Take(nTest));
        var (validationX, validationY) = Encode(order.Skip(nTest).Take(nValidation));
        var (trainX, trainY) = Encode(order.Skip(nTest + nValidation));
        return new ClassificationSplits(trainX, trainY, validationX, validationY, testX, testY);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in new[] { TrainX, TrainY, ValidationX, ValidationY, TestX, TestY }) t.Dispose();
    }
}
