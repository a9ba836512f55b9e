using System;
using System.Linq;

namespace Efficient.Training.Models;

/// <summary>
/// A BERT-style masked-language-model encoder (Devlin et al., 2019): token + learned position
/// embeddings, <see cref="BertEncoderOptions.Layers"/> encoder layers (post-LN as BERT, or pre-LN)
/// and an MLM head. Takes <c>[B, S]</c> int64 token ids (optionally a <c>[B, S]</c> attention mask)
/// and returns <c>[B, S, VocabSize]</c> logits.
/// </summary>
/// <remarks>
/// Built from replaceable submodules so model-surgery algorithms can swap them:
/// <c>embeddings</c> (<see cref="BertEmbeddings"/>, with <c>embeddings.position</c>),
/// <c>layers.{i}</c> (<see cref="BertLayer"/>, each with <c>attention</c>
/// (<see cref="BertSelfAttention"/>), <c>attention_norm</c>, <c>feed_forward</c>
/// (<see cref="BertFeedForward"/>) and <c>feed_forward_norm</c>), <c>final_norm</c> (pre-LN only)
/// and <c>head</c> (<see cref="BertMlmHead"/>). Every LayerNorm is held as an
/// <c>nn.Module&lt;Tensor, Tensor&gt;</c>, so norm-replacing surgery (LowPrecisionLayerNorm) applies
/// too. Parameter names follow the field names (<c>layers.0.attention.qkv.weight</c>, ...).
/// </remarks>
public sealed class BertEncoder : nn.Module<Tensor, Tensor>, ILayerStack
{
    private readonly BertEmbeddings embeddings;
    private readonly ModuleList<nn.Module<Tensor, Tensor?, Tensor>> layers;
    private readonly nn.Module<Tensor, Tensor>? final_norm;
    private readonly BertMlmHead head;

    /// <summary>Builds the encoder (validating <paramref name="options"/>) with BERT's initialisation.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public BertEncoder(BertEncoderOptions? options = null) : base(nameof(BertEncoder))
    {
        options ??= new BertEncoderOptions();
        options.Validate();
        Options = options;
        embeddings = new BertEmbeddings(options);
        layers = new ModuleList<nn.Module<Tensor, Tensor?, Tensor>>();
        for (var i = 0; i < options.Layers; i++) layers.Add(new BertLayer(options));
        if (options.PreLayerNorm) final_norm = nn.LayerNorm(options.HiddenSize, options.LayerNormEps);
        var tokenEmbedding = embeddings.Token;
        head = new BertMlmHead(options, options.TieWordEmbeddings ? () => tokenEmbedding.weight! : null);
        RegisterComponents();
    }

    /// <summary>The options the encoder was built with (do not change them afterwards).</summary>
    public BertEncoderOptions Options { get; }

    /// <summary>The embeddings (token, position, LayerNorm, dropout).</summary>
    public BertEmbeddings Embeddings => embeddings;

    /// <summary>The encoder layers, in order (model surgery may have wrapped or replaced them).</summary>
    public ModuleList<nn.Module<Tensor, Tensor?, Tensor>> Layers => layers;

    /// <summary>The MLM head.</summary>
    public BertMlmHead Head => head;

    /// <inheritdoc />
    public int LayerCount => layers.Count;

    /// <inheritdoc />
    public nn.Module GetLayer(int index) => index >= 0 && index < layers.Count
        ? layers[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"The layer must be in [0, {layers.Count}).");

    /// <inheritdoc />
    /// <remarks>The copy is a new <see cref="BertLayer"/> built from <see cref="Options"/> that loads the
    /// source's state; a layer that surgery wrapped or whose parts it replaced cannot be rebuilt so and is refused.</remarks>
    public nn.Module AppendCopyOf(int index)
    {
        if (index < 0 || index >= layers.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The layer to copy must be in [0, {layers.Count}).");
        var source = layers[index];
        var copy = new BertLayer(Options);
        var expected = copy.named_modules().Select(m => (m.name, m.module.GetType())).ToList();
        var actual = source.named_modules().Select(m => (m.name, m.module.GetType())).ToList();
        if (source is not BertLayer layer || !expected.SequenceEqual(actual))
            throw new InvalidOperationException($"Layer {index} is a {source.GetType().Name} whose parts ({string.Join(", ", actual.Select(m => $"{m.name}: {m.Item2.Name}"))}) differ from a plain BertLayer's; only unmodified BertLayers can be copied (apply stacking before, or without, techniques that rewrite the layers).");
        if (source.parameters().FirstOrDefault() is { } reference) copy.to(reference.device).to(reference.dtype);
        using (no_grad())
        {
            var from = source.state_dict();
            foreach (var (name, t) in copy.state_dict()) t.copy_(from[name]);
        }
        copy.ResidualScale = layer.ResidualScale;
        copy.train(source.training);
        layers.Add(copy);
        layers.register_module((layers.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), copy);
        return copy;
    }

    /// <summary>MLM logits <c>[B, S, VocabSize]</c> for token ids <c>[B, S]</c> without padding.</summary>
    public override Tensor forward(Tensor input) => forward(input, null);

    /// <summary>MLM logits <c>[B, S, VocabSize]</c>.</summary>
    /// <param name="input">Token ids <c>[B, S]</c> (int64), S ≤ <see cref="BertEncoderOptions.MaxLength"/> while position embeddings are learned.</param>
    /// <param name="attentionMask">
    /// Optional <c>[B, S]</c> mask as in Hugging Face: nonzero (true) for real tokens, zero (false)
    /// for padding. Padding keys get −10⁹ added to their attention scores.
    /// </param>
    public Tensor forward(Tensor input, Tensor? attentionMask) => head.call(Encode(input, attentionMask));

    /// <summary>The hidden states <c>[B, S, HiddenSize]</c> after the last layer (and the final LayerNorm in pre-LN).</summary>
    /// <param name="input">Token ids <c>[B, S]</c> (int64).</param>
    /// <param name="attentionMask">Optional <c>[B, S]</c> mask: nonzero for real tokens, zero for padding.</param>
    public Tensor Encode(Tensor input, Tensor? attentionMask = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.is_floating_point())
            throw new ArgumentException($"BertEncoder expects integer token ids [B, S] (got {input.dtype} [{string.Join(", ", input.shape)}]).", nameof(input));
        Tensor? bias = null;
        if (attentionMask is not null)
        {
            if (attentionMask.dim() != 2 || attentionMask.shape[0] != input.shape[0] || attentionMask.shape[1] != input.shape[1])
                throw new ArgumentException($"The attention mask must have the shape of the ids [{string.Join(", ", input.shape)}] (got [{string.Join(", ", attentionMask.shape)}]).", nameof(attentionMask));
            bias = PaddingBias(attentionMask, ScalarType.Float32);
        }
        var x = embeddings.call(input);
        if (bias is not null && bias.dtype != x.dtype) bias = bias.to_type(x.dtype);
        foreach (var layer in layers) x = layer.call(x, bias);
        return final_norm is null ? x : final_norm.call(x);
    }

    /// <summary>
    /// The additive attention bias <c>[B, 1, 1, S]</c> for a <c>[B, S]</c> mask: 0 where the mask is
    /// nonzero (attend), −10⁹ where it is zero (padding).
    /// </summary>
    public static Tensor PaddingBias(Tensor attentionMask, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (attentionMask.dim() != 2) throw new ArgumentException($"The attention mask must be [B, S] (got [{string.Join(", ", attentionMask.shape)}]).", nameof(attentionMask));
        var padding = attentionMask.eq(0);
        return zeros(attentionMask.shape, dtype, attentionMask.device).masked_fill(padding, -1e9).unsqueeze(1).unsqueeze(1);
    }

    internal static Linear NewLinear(long inputs, long outputs, double std)
    {
        var linear = nn.Linear(inputs, outputs);
        InitLinear(linear, std);
        return linear;
    }

    internal static void InitLinear(Linear linear, double std)
    {
        using var _ = no_grad();
        nn.init.normal_(linear.weight, 0, std);
        if (linear.bias is { } b) nn.init.zeros_(b);
    }
}

/// <summary>
/// Token embedding + learned position embedding, then LayerNorm and dropout. The position
/// embedding is the replaceable child <c>position</c> (an <c>Embedding(MaxLength, H)</c>, called
/// with positions <c>[S]</c>); ALiBi replaces it by a module that adds nothing.
/// </summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor>
{
    private readonly Embedding token;
    private readonly nn.Module<Tensor, Tensor> position;
    private readonly nn.Module<Tensor, Tensor> norm;
    private readonly double _dropout;
    private readonly long _maxLength;

    internal BertEmbeddings(BertEncoderOptions options) : base(nameof(BertEmbeddings))
    {
        token = nn.Embedding(options.VocabSize, options.HiddenSize);
        position = nn.Embedding(options.MaxLength, options.HiddenSize);
        norm = nn.LayerNorm(options.HiddenSize, options.LayerNormEps);
        using (no_grad())
        {
            nn.init.normal_(token.weight!, 0, options.InitializerRange);
            nn.init.normal_(((Embedding)position).weight!, 0, options.InitializerRange);
        }
        _dropout = options.Dropout;
        _maxLength = options.MaxLength;
        RegisterComponents();
    }

    /// <summary>The token embedding <c>[VocabSize, H]</c> (tied to the MLM decoder by default).</summary>
    public Embedding Token => token;

    /// <summary>The position module (a learned <c>Embedding</c> unless surgery replaced it).</summary>
    public nn.Module<Tensor, Tensor> Position => position;

    /// <summary>Whether positions are still learned embeddings (false after ALiBi).</summary>
    public bool HasPositionEmbedding => position is not NoPositionEmbedding;

    /// <summary>Embeds token ids <c>[B, S]</c> into <c>[B, S, H]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = token.call(input);
        if (HasPositionEmbedding)
        {
            var length = input.shape[1];
            if (length > _maxLength)
                throw new ArgumentException($"The sequence length {length} exceeds the position embeddings' maximum length {_maxLength} (BertEncoderOptions.MaxLength).", nameof(input));
            x = x + position.call(arange(length, ScalarType.Int64, input.device));
        }
        return nn.functional.dropout(norm.call(x), _dropout, training);
    }
}

/// <summary>What replaces a learned position embedding when positions come from elsewhere (ALiBi): adds nothing.</summary>
internal sealed class NoPositionEmbedding : nn.Module<Tensor, Tensor>
{
    public NoPositionEmbedding() : base(nameof(NoPositionEmbedding)) { }

    public override Tensor forward(Tensor input) => throw new InvalidOperationException("NoPositionEmbedding is a placeholder and is never called.");
}

/// <summary>
/// Multi-head self-attention with a fused input projection <c>qkv</c> (<c>[3H, H]</c>, queries,
/// keys, values stacked as PyTorch's <c>in_proj_weight</c>) and an output projection <c>output</c>.
/// The second argument is an optional additive float bias broadcastable to <c>[B, heads, S, S]</c>
/// (padding mask, ALiBi), added to the scaled scores before the softmax.
/// </summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor?, Tensor>, ISelfAttention
{
    // Typed as modules so surgery (low precision, factorization) can replace the projections.
    private readonly nn.Module<Tensor, Tensor> qkv;
    private readonly nn.Module<Tensor, Tensor> output;
    private readonly double _dropout;

    internal BertSelfAttention(BertEncoderOptions options) : base(nameof(BertSelfAttention))
    {
        HiddenSize = options.HiddenSize;
        Heads = options.Heads;
        qkv = BertEncoder.NewLinear(options.HiddenSize, 3 * options.HiddenSize, options.InitializerRange);
        output = BertEncoder.NewLinear(options.HiddenSize, options.HiddenSize, options.InitializerRange);
        _dropout = options.AttentionDropout;
        RegisterComponents();
    }

    /// <summary>The hidden dimension H.</summary>
    public long HiddenSize { get; }

    /// <summary>The number of heads.</summary>
    public int Heads { get; }

    /// <summary>Attends <paramref name="input"/> <c>[B, S, H]</c> to itself; returns <c>[B, S, H]</c>.</summary>
    /// <param name="input">Hidden states <c>[B, S, H]</c>.</param>
    /// <param name="attentionBias">Optional additive bias broadcastable to <c>[B, heads, S, S]</c>.</param>
    public override Tensor forward(Tensor input, Tensor? attentionBias)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 3 || input.shape[2] != HiddenSize)
            throw new ArgumentException($"BertSelfAttention expects [B, S, {HiddenSize}] (got [{string.Join(", ", input.shape)}]).", nameof(input));
        long b = input.shape[0], s = input.shape[1];
        var parts = qkv.call(input).view(b, s, 3, Heads, HiddenSize / Heads).permute(2, 0, 3, 1, 4).unbind(0);
        // Under low precision the projections return bfloat16: the additive bias follows the queries' precision.
        if (attentionBias is not null && attentionBias.is_floating_point() && attentionBias.dtype != parts[0].dtype) attentionBias = attentionBias.to(parts[0].dtype);
        var y = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2], attentionBias, training ? _dropout : 0.0);
        return output.call(y.transpose(1, 2).reshape(b, s, HiddenSize));
    }
}

/// <summary>The position-wise feed-forward block <c>output(GELU(intermediate(x)))</c> (exact GELU, as BERT).</summary>
public sealed class BertFeedForward : nn.Module<Tensor, Tensor>, IFeedForward
{
    private readonly nn.Module<Tensor, Tensor> intermediate;
    private readonly nn.Module<Tensor, Tensor> output;

    internal BertFeedForward(BertEncoderOptions options) : base(nameof(BertFeedForward))
    {
        HiddenSize = options.HiddenSize;
        IntermediateSize = options.IntermediateSize;
        intermediate = BertEncoder.NewLinear(options.HiddenSize, options.IntermediateSize, options.InitializerRange);
        output = BertEncoder.NewLinear(options.IntermediateSize, options.HiddenSize, options.InitializerRange);
        RegisterComponents();
    }

    /// <summary>The hidden dimension H (input and output).</summary>
    public long HiddenSize { get; }

    /// <summary>The inner dimension.</summary>
    public long IntermediateSize { get; }

    /// <summary>Applies the block to <c>[..., H]</c>.</summary>
    public override Tensor forward(Tensor input) => output.call(nn.functional.gelu(intermediate.call(input)));
}

/// <summary>
/// One encoder layer from replaceable parts: <c>attention</c>, <c>attention_norm</c>,
/// <c>feed_forward</c>, <c>feed_forward_norm</c>. Post-LN: <c>x = LN(x + drop(f(x)))</c> for each
/// part; pre-LN: <c>x = x + drop(f(LN(x)))</c>. The second argument is the additive attention bias
/// (or null), passed on to the attention.
/// </summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor?, Tensor>, IResidualScale
{
    private readonly nn.Module<Tensor, Tensor?, Tensor> attention;
    private readonly nn.Module<Tensor, Tensor> attention_norm;
    private readonly nn.Module<Tensor, Tensor> feed_forward;
    private readonly nn.Module<Tensor, Tensor> feed_forward_norm;
    private readonly double _dropout;

    internal BertLayer(BertEncoderOptions options) : base(nameof(BertLayer))
    {
        attention = new BertSelfAttention(options);
        attention_norm = nn.LayerNorm(options.HiddenSize, options.LayerNormEps);
        feed_forward = new BertFeedForward(options);
        feed_forward_norm = nn.LayerNorm(options.HiddenSize, options.LayerNormEps);
        _dropout = options.Dropout;
        PreLayerNorm = options.PreLayerNorm;
        RegisterComponents();
    }

    /// <summary>Whether the layer is pre-LN.</summary>
    public bool PreLayerNorm { get; }

    /// <summary>The attention module (a <see cref="BertSelfAttention"/> unless surgery replaced it).</summary>
    public nn.Module<Tensor, Tensor?, Tensor> Attention => attention;

    /// <summary>The feed-forward module (a <see cref="BertFeedForward"/> unless surgery replaced it).</summary>
    public nn.Module<Tensor, Tensor> FeedForward => feed_forward;

    /// <summary>
    /// Factor applied to both residual branches before they are added (1 = none). Progressive layer
    /// dropping sets it to 1/p for a kept layer, as DeepSpeed does.
    /// </summary>
    public double ResidualScale { get; set; } = 1.0;

    /// <summary>Applies the layer to <c>[B, S, H]</c>.</summary>
    /// <param name="input">Hidden states <c>[B, S, H]</c>.</param>
    /// <param name="attentionBias">Optional additive attention bias broadcastable to <c>[B, heads, S, S]</c>.</param>
    public override Tensor forward(Tensor input, Tensor? attentionBias)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input;
        if (PreLayerNorm)
        {
            x = x + Branch(attention.call(attention_norm.call(x), attentionBias));
            return x + Branch(feed_forward.call(feed_forward_norm.call(x)));
        }
        x = attention_norm.call(x + Branch(attention.call(x, attentionBias)));
        return feed_forward_norm.call(x + Branch(feed_forward.call(x)));
    }

    private Tensor Branch(Tensor output)
    {
        var y = nn.functional.dropout(output, _dropout, training);
        return ResidualScale == 1.0 ? y : y * ResidualScale;
    }
}

/// <summary>
/// BERT's MLM head: <c>transform</c> (Linear H→H), GELU, <c>transform_norm</c> (LayerNorm), then
/// the decoder to the vocabulary. Tied (default): the decoder weight is the token-embedding matrix
/// and the head owns only the <c>bias</c> <c>[VocabSize]</c>; untied: a separate <c>decoder</c>
/// Linear(H, VocabSize) with bias.
/// </summary>
public sealed class BertMlmHead : nn.Module<Tensor, Tensor>, ILowPrecisionAware
{
    private readonly nn.Module<Tensor, Tensor> transform;
    private readonly nn.Module<Tensor, Tensor> transform_norm;
    private readonly nn.Module<Tensor, Tensor>? decoder;
    private readonly Parameter? bias;
    private readonly Func<Tensor>? _tiedWeight;

    internal BertMlmHead(BertEncoderOptions options, Func<Tensor>? tiedWeight) : base(nameof(BertMlmHead))
    {
        transform = BertEncoder.NewLinear(options.HiddenSize, options.HiddenSize, options.InitializerRange);
        transform_norm = nn.LayerNorm(options.HiddenSize, options.LayerNormEps);
        _tiedWeight = tiedWeight;
        if (tiedWeight is null)
        {
            decoder = BertEncoder.NewLinear(options.HiddenSize, options.VocabSize, options.InitializerRange);
        }
        else
        {
            bias = new Parameter(zeros(options.VocabSize).DetachFromDisposeScope());
        }
        RegisterComponents();
    }

    /// <summary>Whether the decoder is tied to the token embedding.</summary>
    public bool IsTied => _tiedWeight is not null;

    /// <summary>Logits <c>[..., VocabSize]</c> for hidden states <c>[..., H]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        var h = transform_norm.call(nn.functional.gelu(transform.call(input)));
        // The tied decoder (the largest matmul) honours the low-precision context like the lowered Linears.
        return _tiedWeight is null ? decoder!.call(h) : LowPrecision.Linear(h, _tiedWeight(), bias);
    }
}
