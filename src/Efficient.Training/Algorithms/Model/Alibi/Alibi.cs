using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Training.Models;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Attention with Linear Biases (Press, Smith and Lewis, 2022; Composer's <c>Alibi</c>): no position
/// embeddings; instead each head h adds <c>−m_h·|i − j|</c> to the score of query i and key j, with
/// head-specific slopes <c>m_h</c>. Models extrapolate to sequences longer than they trained on,
/// so training can use shorter sequences.
/// </summary>
public static class Alibi
{
    /// <summary>
    /// The head slopes of the paper: for n a power of two, <c>m_h = 2^(−8h/n)</c>, h = 1..n; otherwise
    /// the slopes of the closest smaller power of two c, followed by every other slope of 2c
    /// (the first n − c of <c>slopes(2c)[0::2]</c>).
    /// </summary>
    /// <param name="heads">The number of heads (≥ 1).</param>
    public static double[] Slopes(int heads)
    {
        if (heads < 1) throw new ArgumentOutOfRangeException(nameof(heads), heads, "The number of heads must be at least 1.");
        static IEnumerable<double> PowerOfTwo(int n) => Enumerable.Range(1, n).Select(h => Math.Pow(2, -8.0 * h / n));
        if ((heads & (heads - 1)) == 0) return PowerOfTwo(heads).ToArray();
        var closest = 1 << (int)Math.Floor(Math.Log2(heads));
        return PowerOfTwo(closest).Concat(Slopes(2 * closest).Where((_, i) => i % 2 == 0).Take(heads - closest)).ToArray();
    }

    /// <summary>
    /// The bidirectional bias <c>[heads, length, length]</c>: <c>bias[h, i, j] = −m_h·|i − j|</c>
    /// (Composer's form for BERT), to add to the attention scores (e.g. as a float <c>attn_mask</c>).
    /// </summary>
    /// <param name="heads">The number of heads (≥ 1).</param>
    /// <param name="length">The sequence length (≥ 1).</param>
    /// <param name="dtype">The bias's dtype (default float32).</param>
    /// <param name="device">The bias's device (default CPU).</param>
    public static Tensor Bias(int heads, long length, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "The sequence length must be at least 1.");
        var slopes = Slopes(heads);
        using var scope = NewDisposeScope();
        var positions = arange(length, ScalarType.Float32, device);
        var distance = (positions.unsqueeze(0) - positions.unsqueeze(1)).abs();
        var m = tensor(slopes.Select(s => (float)s).ToArray(), ScalarType.Float32, device).view(heads, 1, 1);
        return (m * distance.unsqueeze(0)).neg().to_type(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The batch to train on with <paramref name="scaling"/> of the sequence length: the first
    /// <c>max(1, ⌊S·scaling⌋)</c> positions of every <c>[B, S, ...]</c> tensor (truncate), or the
    /// batch's tokens regrouped into sequences of that length (reshape, the default and Composer's
    /// behaviour: <c>[B·S/len, len]</c>, no token lost but the remainder). A scaling of 1 returns the
    /// batch unchanged.
    /// </summary>
    /// <param name="batch">A token batch (input <c>[B, S]</c>).</param>
    /// <param name="scaling">The fraction of the length to keep, in (0, 1].</param>
    /// <param name="truncate">True: drop the positions past the new length; false (default): reshape.</param>
    public static Batch ScaleSequenceLength(Batch batch, double scaling, bool truncate = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!(scaling > 0 && scaling <= 1)) throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "The sequence length scaling must be in (0, 1].");
        if (batch.Input.dim() != 2) throw new ArgumentException($"ALiBi's sequence length scaling expects token batches [B, S] (got [{string.Join(", ", batch.Input.shape)}]).", nameof(batch));
        if (scaling == 1) return batch;
        var length = Math.Max(1, (long)Math.Floor(batch.Input.shape[1] * scaling + 1e-9));
        return truncate ? SeqLengthWarmup.Truncate(batch, length) : SeqLengthWarmup.Reshape(batch, length);
    }

    /// <summary>
    /// How ALiBi changes attention modules: a policy returns the module wrapped so the ALiBi bias is
    /// added to its attention bias (<see cref="WrapAttention"/>). Built in: every
    /// <see cref="ISelfAttention"/> (the library's <see cref="BertSelfAttention"/>). Register a policy
    /// for your own attention type to give it ALiBi.
    /// </summary>
    public static SurgeryPolicyRegistry<AlibiOptions> AttentionPolicies { get; } = NewAttentionPolicies();

    /// <summary>
    /// How ALiBi removes learned position embeddings: a policy changes an embedding module so it adds
    /// no learned positions (e.g. by replacing its position child with <see cref="ZeroPositions"/>
    /// through <see cref="SurgeryPolicyContext{TOptions}.Surgery"/>) and returns it, or returns null
    /// when there is nothing to remove. Built in: <see cref="BertEmbeddings"/>.
    /// </summary>
    public static SurgeryPolicyRegistry<AlibiOptions> EmbeddingPolicies { get; } = NewEmbeddingPolicies();

    /// <summary>
    /// Wraps <paramref name="attention"/> (whose second argument is an additive bias broadcastable to
    /// <c>[B, heads, S, S]</c>) so that the ALiBi bias of its input's length is added to the bias it
    /// receives: the building block of an attention policy.
    /// </summary>
    /// <param name="attention">The attention module.</param>
    /// <param name="heads">Its number of heads (≥ 1).</param>
    /// <param name="maxSequenceLength">The longest sequence the wrapper accepts (≥ 1).</param>
    public static nn.Module<Tensor, Tensor?, Tensor> WrapAttention(nn.Module<Tensor, Tensor?, Tensor> attention, int heads, long maxSequenceLength = 8192)
    {
        ArgumentNullException.ThrowIfNull(attention);
        if (heads < 1) throw new ArgumentOutOfRangeException(nameof(heads), heads, "The number of heads must be at least 1.");
        if (maxSequenceLength < 1) throw new ArgumentOutOfRangeException(nameof(maxSequenceLength), maxSequenceLength, "The maximum sequence length must be at least 1.");
        return new AlibiSelfAttention(attention, heads, maxSequenceLength);
    }

    /// <summary>
    /// A parameterless module that stands in for a learned position embedding of width
    /// <paramref name="hiddenSize"/>: for positions of any shape <c>[...]</c> it returns zeros
    /// <c>[..., hiddenSize]</c> (as Composer zeroes the embedding), so a model that adds its position
    /// embedding adds nothing.
    /// </summary>
    /// <param name="hiddenSize">The embedding width (≥ 1).</param>
    public static nn.Module<Tensor, Tensor> ZeroPositions(long hiddenSize)
    {
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be at least 1.");
        return new ZeroPositionEmbedding(hiddenSize);
    }

    /// <summary>
    /// Converts <paramref name="model"/> to ALiBi: removes the learned position embeddings of every
    /// module with an <see cref="EmbeddingPolicies"/> policy and wraps every module with an
    /// <see cref="AttentionPolicies"/> policy so that the bias is added to its scores. Returns
    /// (attention modules, position embeddings) changed. Call it before creating the optimizer.
    /// </summary>
    public static (int Attention, int PositionEmbeddings) Apply(nn.Module model, long maxSequenceLength = 8192)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = new AlibiOptions { MaxSequenceLength = maxSequenceLength };
        options.Validate();
        return Replace(new ModelSurgery(model), options);
    }

    internal static (int, int) Replace(ModelSurgery surgery, AlibiOptions options) =>
        (AttentionPolicies.Apply(surgery, options), EmbeddingPolicies.Apply(surgery, options));

    private static SurgeryPolicyRegistry<AlibiOptions> NewAttentionPolicies()
    {
        var registry = new SurgeryPolicyRegistry<AlibiOptions>();
        registry.Register<ISelfAttention>((attention, context) => attention is nn.Module<Tensor, Tensor?, Tensor> module
            ? WrapAttention(module, attention.Heads, context.Options.MaxSequenceLength)
            : throw new InvalidOperationException($"ALiBi: '{context.Path}' ({attention.GetType().Name}) implements ISelfAttention but is not an nn.Module<Tensor, Tensor?, Tensor> taking an additive attention bias."));
        registry.MarkConverted<AlibiSelfAttention>();
        return registry;
    }

    private static SurgeryPolicyRegistry<AlibiOptions> NewEmbeddingPolicies()
    {
        var registry = new SurgeryPolicyRegistry<AlibiOptions>();
        registry.Register<BertEmbeddings>((embeddings, context) =>
        {
            if (!embeddings.HasPositionEmbedding) return null;
            context.Surgery.Replace(context.Child("position"), new NoPositionEmbedding());
            return embeddings;
        });
        return registry;
    }
}

/// <summary>Wraps a self-attention module and adds the ALiBi bias to the attention bias it receives.</summary>
internal sealed class AlibiSelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly nn.Module<Tensor, Tensor?, Tensor> attention;
    private readonly int _heads;
    private readonly long _maxLength;

    public AlibiSelfAttention(nn.Module<Tensor, Tensor?, Tensor> inner, int heads, long maxLength) : base(nameof(AlibiSelfAttention))
    {
        attention = inner;
        _heads = heads;
        _maxLength = maxLength;
        RegisterComponents();
        train(inner.training);
    }

    public override Tensor forward(Tensor input, Tensor? attentionBias)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() < 2)
            throw new ArgumentException($"ALiBi attention expects hidden states [B, S, ...] (got [{string.Join(", ", input.shape)}]).", nameof(input));
        var length = input.shape[1];
        if (length > _maxLength)
            throw new ArgumentException($"The sequence length {length} exceeds ALiBi's maximum sequence length {_maxLength} (AlibiOptions.MaxSequenceLength).", nameof(input));
        var bias = Alibi.Bias(_heads, length, input.dtype, input.device);
        return attention.call(input, attentionBias is null ? bias : attentionBias + bias);
    }
}

/// <summary>Stands in for a learned position embedding: zeros <c>[..., H]</c> for positions <c>[...]</c>.</summary>
internal sealed class ZeroPositionEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly long _hidden;

    public ZeroPositionEmbedding(long hidden) : base(nameof(ZeroPositionEmbedding)) => _hidden = hidden;

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return zeros(input.shape.Append(_hidden).ToArray(), ScalarType.Float32, input.device);
    }
}
