using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using Efficient.Training;
using Efficient.Training.Datasets;
using Efficient.Training.Text;
using static TorchSharp.torch;

namespace BertSample;

/// <summary>
/// The pre-training corpus: the fortunes split into training and validation quotations (every 20th
/// quotation, in file order, is validation: a fixed split, the same for every seed, so every run is
/// scored on the same text), a WordPiece vocabulary trained on the training quotations (cached in the
/// work folder), and the token streams packed into fixed-length sequences <c>[CLS] t₁ … t_{S-1}</c>
/// (quotations separated by <c>[SEP]</c>, so no padding and no attention mask are needed).
/// </summary>
public sealed class PretrainingCorpus : IDisposable
{
    /// <summary>Every how many quotations one goes to validation.</summary>
    public const int ValidationStride = 20;

    private PretrainingCorpus(WordPieceTokenizer tokenizer, Tensor train, Tensor validation, int quotations, string vocabFile, bool vocabCached)
    {
        Tokenizer = tokenizer;
        Train = train;
        Validation = validation;
        Quotations = quotations;
        VocabFile = vocabFile;
        VocabCached = vocabCached;
    }

    /// <summary>The tokenizer (trained on the training quotations).</summary>
    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>Packed training sequences, int64 <c>[N, S]</c>.</summary>
    public Tensor Train { get; }

    /// <summary>Packed validation sequences, int64 <c>[M, S]</c>.</summary>
    public Tensor Validation { get; }

    /// <summary>How many quotations were read.</summary>
    public int Quotations { get; }

    /// <summary>The vocabulary file.</summary>
    public string VocabFile { get; }

    /// <summary>Whether the vocabulary came from the cache.</summary>
    public bool VocabCached { get; }

    /// <summary>
    /// Loads the fortunes in <paramref name="folder"/> (the first <paramref name="corpusLimit"/>
    /// quotations taken evenly over the files when given), trains or reads the cached vocabulary of
    /// <paramref name="vocabSize"/> pieces in <paramref name="workDir"/>, and packs sequences of
    /// <paramref name="sequenceLength"/> tokens (validation limited to <paramref name="evalLimit"/> sequences).
    /// </summary>
    public static PretrainingCorpus Load(string folder, string workDir, int vocabSize, int sequenceLength, int? corpusLimit, int? evalLimit)
    {
        var all = Select(Fortunes.Load(folder), corpusLimit);
        var train = all.Where((_, i) => i % ValidationStride != 0).Select(f => f.Text).ToList();
        var validation = all.Where((_, i) => i % ValidationStride == 0).Select(f => f.Text).ToList();
        var (tokenizer, vocabFile, cached) = Vocabulary(train, workDir, vocabSize);
        var trainIds = Pack(tokenizer, train, sequenceLength, null);
        var validationIds = Pack(tokenizer, validation, sequenceLength, evalLimit);
        if (trainIds.shape[0] == 0 || validationIds.shape[0] == 0)
            throw new InvalidDataException($"The corpus ({all.Count} quotations) is too small for sequences of {sequenceLength} tokens; raise --corpus-limit.");
        return new PretrainingCorpus(tokenizer, trainIds, validationIds, all.Count, vocabFile, cached);
    }

    /// <summary>Takes <paramref name="limit"/> quotations spread evenly over <paramref name="all"/> (all when null).</summary>
    public static IReadOnlyList<Fortune> Select(IReadOnlyList<Fortune> all, int? limit)
    {
        if (limit is not { } n || n >= all.Count) return all;
        return Enumerable.Range(0, n).Select(i => all[(int)((long)i * all.Count / n)]).ToList();
    }

    /// <summary>
    /// The tokenizer trained on <paramref name="texts"/>, read from <c>vocab-SIZE-HASH.txt</c> in
    /// <paramref name="workDir"/> when a previous run wrote it (HASH identifies the texts).
    /// </summary>
    public static (WordPieceTokenizer Tokenizer, string File, bool Cached) Vocabulary(IReadOnlyList<string> texts, string workDir, int vocabSize)
    {
        using var sha = SHA256.Create();
        var hash = Convert.ToHexString(sha.ComputeHash(Encoding.UTF8.GetBytes(string.Join("\n%\n", texts))))[..16].ToLowerInvariant();
        var file = Path.Combine(workDir, $"vocab-{vocabSize}-{hash}.txt");
        if (File.Exists(file)) return (WordPieceTokenizer.Load(file), file, true);
        var tokenizer = WordPieceTokenizer.Train(texts, vocabSize);
        tokenizer.Save(file);
        return (tokenizer, file, false);
    }

    /// <summary>
    /// Concatenates the quotations' pieces (each followed by <c>[SEP]</c>) and cuts the stream into rows
    /// <c>[CLS]</c> + <c>S − 1</c> tokens (the incomplete tail is dropped); at most <paramref name="limit"/> rows.
    /// </summary>
    public static Tensor Pack(WordPieceTokenizer tokenizer, IEnumerable<string> texts, int sequenceLength, int? limit)
    {
        var stream = new List<long>();
        foreach (var text in texts)
        {
            foreach (var id in tokenizer.Encode(text, addSpecialTokens: false)) stream.Add(id);
            stream.Add(tokenizer.SepId);
        }
        var body = sequenceLength - 1;
        var rows = stream.Count / body;
        if (limit is { } l) rows = Math.Min(rows, l);
        var data = new long[rows * sequenceLength];
        for (var r = 0; r < rows; r++)
        {
            data[r * sequenceLength] = tokenizer.ClsId;
            for (var j = 0; j < body; j++) data[r * sequenceLength + 1 + j] = stream[r * body + j];
        }
        return tensor(data, new long[] { rows, sequenceLength }).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
    }
}

/// <summary>
/// Masked-LM batches from packed sequences: each epoch is shuffled and masked (BERT 80/10/10 via
/// <see cref="MaskedLanguageModeling.Mask"/>) with a generator seeded from (seed, epoch), so a
/// resumed run sees exactly the batches of the uninterrupted run. With <c>shuffle: false</c> and a
/// fixed seed it is a fixed evaluation set (the same masks every evaluation).
/// Batch inputs are the corrupted ids <c>[B, S]</c>, targets the labels <c>[B, S]</c> (−100 where not predicted).
/// </summary>
public sealed class MaskedLanguageModelData : ITrainingData
{
    private readonly Tensor _ids;
    private readonly Tensor _special;
    private readonly long _maskId;
    private readonly long _vocabSize;
    private readonly double _maskProbability;
    private readonly bool _shuffle;
    private readonly long _seed;

    /// <summary>Creates the source over <paramref name="ids"/> <c>[N, S]</c> (int64).</summary>
    public MaskedLanguageModelData(Tensor ids, WordPieceTokenizer tokenizer, int batchSize, long seed, bool shuffle = true, double maskProbability = 0.15)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (batchSize < 1 || batchSize > ids.shape[0])
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"The batch size must be in [1, {ids.shape[0]}] (the number of sequences).");
        _ids = ids;
        _special = ids.eq(tokenizer.ClsId).logical_or(ids.eq(tokenizer.SepId)).logical_or(ids.eq(tokenizer.PadId)).DetachFromDisposeScope();
        _maskId = tokenizer.MaskId;
        _vocabSize = tokenizer.VocabSize;
        _maskProbability = maskProbability;
        BatchSize = batchSize;
        _shuffle = shuffle;
        _seed = seed;
    }

    /// <summary>Sequences per batch (the last incomplete batch is dropped).</summary>
    public int BatchSize { get; }

    /// <inheritdoc />
    public long? BatchesPerEpoch => _ids.shape[0] / BatchSize;

    /// <inheritdoc />
    public long? SamplesPerEpoch => BatchesPerEpoch * BatchSize;

    /// <inheritdoc />
    public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0)
    {
        if (skipBatches < 0) throw new ArgumentOutOfRangeException(nameof(skipBatches), skipBatches, "Cannot skip a negative number of batches.");
        Tensor inputs, labels, order;
        using (NewDisposeScope())
        {
            using var g = new Generator(unchecked((ulong)(_seed * 1_000_003 + (_shuffle ? epoch : 0))));
            order = (_shuffle ? randperm(_ids.shape[0], generator: g) : arange(_ids.shape[0], ScalarType.Int64)).DetachFromDisposeScope();
            (inputs, labels) = MaskedLanguageModeling.Mask(_ids, _maskId, _vocabSize, _maskProbability, _special, g);
            inputs = inputs.DetachFromDisposeScope();
            labels = labels.DetachFromDisposeScope();
        }
        try
        {
            for (var b = skipBatches; b < BatchesPerEpoch!.Value; b++)
            {
                var idx = order.narrow(0, b * BatchSize, BatchSize);
                var input = inputs.index_select(0, idx);
                yield return new Batch(input, labels.index_select(0, idx), input.numel(), indices: idx.clone());
            }
        }
        finally
        {
            inputs.Dispose();
            labels.Dispose();
            order.Dispose();
        }
    }

    /// <summary>
    /// The masked-LM loss: cross-entropy of the logits <c>[B, S, V]</c> flattened to <c>[B·S, V]</c>
    /// against the labels <c>[B·S]</c>, averaged over the predicted positions (label −100 ignored).
    /// </summary>
    public static Tensor Loss(Tensor logits, Tensor labels) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), labels.reshape(-1), ignore_index: MaskedLanguageModeling.IgnoreIndex);
}
