using System;

namespace Efficient.Training.Text;

/// <summary>
/// BERT's masked-language-model corruption (Devlin et al. 2019): each eligible token is selected
/// with probability <c>p</c> (0.15); a selected token becomes <c>[MASK]</c> with probability 0.8,
/// a random token with probability 0.1, and stays itself otherwise. Labels hold the original id at
/// selected positions and <see cref="IgnoreIndex"/> elsewhere, so <c>cross_entropy</c> (whose default
/// <c>ignore_index</c> is -100) scores only the selected tokens. The draws are those of Hugging Face's
/// <c>DataCollatorForLanguageModeling</c> in the same order, so a seeded generator reproduces PyTorch.
/// </summary>
public static class MaskedLanguageModeling
{
    /// <summary>The label of positions that are not predicted.</summary>
    public const long IgnoreIndex = -100;

    /// <summary>
    /// Corrupts <paramref name="ids"/> (int64, any shape). Positions where
    /// <paramref name="specialTokensMask"/> is true (e.g. <c>[CLS]</c>, <c>[SEP]</c>, <c>[PAD]</c>) are never
    /// selected. Returns new tensors; the input is not changed.
    /// </summary>
    public static (Tensor Inputs, Tensor Labels) Mask(Tensor ids, long maskTokenId, long vocabSize, double maskProbability = 0.15,
        Tensor? specialTokensMask = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.dtype != ScalarType.Int64) throw new ArgumentException($"The token ids must be int64, got {ids.dtype}.", nameof(ids));
        if (vocabSize < 1) throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "The vocabulary size must be positive.");
        if (maskTokenId < 0 || maskTokenId >= vocabSize) throw new ArgumentOutOfRangeException(nameof(maskTokenId), maskTokenId, $"The [MASK] id must be in [0, {vocabSize}).");
        if (!(maskProbability >= 0 && maskProbability <= 1)) throw new ArgumentOutOfRangeException(nameof(maskProbability), maskProbability, "The mask probability must be in [0, 1].");
        if (specialTokensMask is not null && !specialTokensMask.shape.SequenceEqual(ids.shape))
            throw new ArgumentException($"The special-tokens mask has shape [{string.Join(", ", specialTokensMask.shape)}]; expected the ids' shape [{string.Join(", ", ids.shape)}].", nameof(specialTokensMask));
        using var scope = NewDisposeScope();
        var probability = full(ids.shape, maskProbability, ScalarType.Float32);
        if (specialTokensMask is not null) probability = probability.masked_fill(specialTokensMask.to_type(ScalarType.Bool), 0.0);
        var selected = probability.bernoulli(generator).to_type(ScalarType.Bool);
        var labels = ids.masked_fill(selected.logical_not(), IgnoreIndex);
        var replaced = full(ids.shape, 0.8, ScalarType.Float32).bernoulli(generator).to_type(ScalarType.Bool).logical_and(selected);
        var inputs = ids.masked_fill(replaced, maskTokenId);
        var random = full(ids.shape, 0.5, ScalarType.Float32).bernoulli(generator).to_type(ScalarType.Bool).logical_and(selected).logical_and(replaced.logical_not());
        var words = randint(vocabSize, ids.shape, ScalarType.Int64, generator: generator);
        inputs = where(random, words, inputs);
        return (inputs.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
