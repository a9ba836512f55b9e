using System;
using System.Linq;
using Efficient.Torch.Interop;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>
/// Multi-head attention ("Attention Is All You Need") over sequence-first input [L, N, E] (or
/// unbatched [L, E]), with PyTorch's parameters: <c>in_proj_weight</c> [3E, E] and
/// <c>in_proj_bias</c> [3E] (or <c>q_proj_weight</c>/<c>k_proj_weight</c>/<c>v_proj_weight</c>
/// when kdim or vdim differ from E), <c>bias_k</c>/<c>bias_v</c> [1, 1, E] when requested, and
/// the output projection <c>out_proj</c>.
/// </summary>
public sealed class MultiheadAttention : nn.Module<Tensor, Tensor, Tensor, Tensor?, bool, Tensor?, Tuple<Tensor, Tensor>>
{
    private readonly Parameter? in_proj_weight;
    private readonly Parameter? q_proj_weight;
    private readonly Parameter? k_proj_weight;
    private readonly Parameter? v_proj_weight;
    private readonly Parameter? in_proj_bias;
    private readonly Parameter? bias_k;
    private readonly Parameter? bias_v;
    private readonly Linear out_proj;

    internal MultiheadAttention(long embed_dim, long num_heads, double dropout, bool bias, bool add_bias_kv, bool add_zero_attn, long kdim, long vdim, Device? device, ScalarType? dtype)
        : base(nameof(MultiheadAttention))
    {
        if (embed_dim <= 0) throw new ArgumentException($"MultiheadAttention: embedded_dim is {embed_dim}; expected a positive number.", "embedded_dim");
        if (num_heads <= 0 || embed_dim % num_heads != 0)
            throw new ArgumentException($"MultiheadAttention: num_heads is {num_heads}; expected a positive divisor of embedded_dim ({embed_dim}).", nameof(num_heads));
        if (!(dropout >= 0 && dropout <= 1)) throw new ArgumentException($"MultiheadAttention: dropout is {dropout}; expected a probability in [0, 1].", nameof(dropout));
        if (kdim <= 0) throw new ArgumentException($"MultiheadAttention: kdim is {kdim}; expected a positive number.", nameof(kdim));
        if (vdim <= 0) throw new ArgumentException($"MultiheadAttention: vdim is {vdim}; expected a positive number.", nameof(vdim));
        this.embed_dim = embed_dim;
        this.num_heads = num_heads;
        this.dropout = dropout;
        this.add_zero_attn = add_zero_attn;
        this.kdim = kdim;
        this.vdim = vdim;

        // Same creation and random-draw order as PyTorch 1.13, so a seed gives PyTorch's weights:
        // the output projection (a Linear) first, then Xavier for the input projections.
        var sameDims = kdim == embed_dim && vdim == embed_dim;
        if (sameDims)
        {
            in_proj_weight = Owned.Param(empty(new[] { 3 * embed_dim, embed_dim }, dtype, device));
            register_parameter("in_proj_weight", in_proj_weight);
        }
        else
        {
            q_proj_weight = Owned.Param(empty(new[] { embed_dim, embed_dim }, dtype, device));
            k_proj_weight = Owned.Param(empty(new[] { embed_dim, kdim }, dtype, device));
            v_proj_weight = Owned.Param(empty(new[] { embed_dim, vdim }, dtype, device));
            register_parameter("q_proj_weight", q_proj_weight);
            register_parameter("k_proj_weight", k_proj_weight);
            register_parameter("v_proj_weight", v_proj_weight);
        }
        if (bias)
        {
            in_proj_bias = Owned.Param(empty(3 * embed_dim, dtype, device));
            register_parameter("in_proj_bias", in_proj_bias);
        }
        out_proj = LinearLikePyTorch(embed_dim, embed_dim, bias, device, dtype);
        if (add_bias_kv)
        {
            bias_k = Owned.Param(empty(new[] { 1L, 1, embed_dim }, dtype, device));
            bias_v = Owned.Param(empty(new[] { 1L, 1, embed_dim }, dtype, device));
            register_parameter("bias_k", bias_k);
            register_parameter("bias_v", bias_v);
        }
        register_module("out_proj", out_proj);

        if (in_proj_weight is not null) nn.init.xavier_uniform_(in_proj_weight);
        else
        {
            nn.init.xavier_uniform_(q_proj_weight!);
            nn.init.xavier_uniform_(k_proj_weight!);
            nn.init.xavier_uniform_(v_proj_weight!);
        }
        if (in_proj_bias is not null)
        {
            nn.init.constant_(in_proj_bias, 0.0);
            nn.init.constant_(out_proj.bias!, 0.0);
        }
        if (bias_k is not null) nn.init.xavier_normal_(bias_k);
        if (bias_v is not null) nn.init.xavier_normal_(bias_v);
    }

    /// <summary>A Linear initialised exactly as PyTorch's (Kaiming-uniform with a = √5 for the weight).</summary>
    internal static Linear LinearLikePyTorch(long inFeatures, long outFeatures, bool bias, Device? device, ScalarType? dtype)
    {
        var weight = Owned.Param(empty(new[] { outFeatures, inFeatures }, dtype, device));
        nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
        Parameter? b = null;
        if (bias)
        {
            b = Owned.Param(empty(outFeatures, dtype, device));
            var bound = 1 / Math.Sqrt(inFeatures);
            nn.init.uniform_(b, -bound, bound);
        }
        return nn.Linear(weight, b);
    }

    /// <summary>
    /// Attends <paramref name="query"/> [L, N, E] to <paramref name="key"/> [S, N, kdim] and
    /// <paramref name="value"/> [S, N, vdim]. Returns the output [L, N, E] and, when
    /// <paramref name="need_weights"/>, the attention weights averaged over heads [N, L, S]
    /// (null otherwise).
    /// </summary>
    /// <param name="query">The queries.</param>
    /// <param name="key">The keys.</param>
    /// <param name="value">The values.</param>
    /// <param name="key_padding_mask">[N, S]: true (or a float added to the scores) marks keys to ignore.</param>
    /// <param name="need_weights">Whether to return the attention weights.</param>
    /// <param name="attn_mask">[L, S] or [N·heads, L, S]: true marks pairs that may not attend; a float mask is added.</param>
    public override Tuple<Tensor, Tensor> forward(Tensor query, Tensor key, Tensor value, Tensor? key_padding_mask, bool need_weights, Tensor? attn_mask)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var dims = query.dim();
        if (dims is not (2 or 3) || query.shape[^1] != embed_dim)
            throw new ArgumentException($"MultiheadAttention: query has shape [{string.Join(", ", query.shape)}]; expected [L, N, {embed_dim}] or [L, {embed_dim}].", nameof(query));
        if (key.dim() != dims || key.shape[^1] != kdim)
            throw new ArgumentException($"MultiheadAttention: key has shape [{string.Join(", ", key.shape)}]; expected {dims}-D with last dimension {kdim}.", nameof(key));
        if (value.dim() != dims || value.shape[^1] != vdim)
            throw new ArgumentException($"MultiheadAttention: value has shape [{string.Join(", ", value.shape)}]; expected {dims}-D with last dimension {vdim}.", nameof(value));

        var rc = Native.ets_multi_head_attention(query.Handle, key.Handle, value.Handle, num_heads,
            Tensor.RawOrZero(in_proj_weight), Tensor.RawOrZero(in_proj_bias), Tensor.RawOrZero(q_proj_weight), Tensor.RawOrZero(k_proj_weight), Tensor.RawOrZero(v_proj_weight),
            Tensor.RawOrZero(bias_k), Tensor.RawOrZero(bias_v), add_zero_attn ? 1 : 0, dropout, out_proj.weight.Handle, Tensor.RawOrZero(out_proj.bias),
            training ? 1 : 0, Tensor.RawOrZero(key_padding_mask), need_weights ? 1 : 0, Tensor.RawOrZero(attn_mask), 1, out var output, out var weights);
        GC.KeepAlive(query);
        GC.KeepAlive(key);
        GC.KeepAlive(value);
        GC.KeepAlive(key_padding_mask);
        GC.KeepAlive(attn_mask);
        if (rc < 0) Native.ThrowLastError();
        var result = new Tensor(new TensorHandle(output));
        var attention = weights == IntPtr.Zero ? null : new Tensor(new TensorHandle(weights));
        return Tuple.Create(result, attention!);
    }

    /// <summary>Runs the attention (hooks included) with PyTorch's defaults for the optional arguments.</summary>
    /// <param name="query">The queries [L, N, E].</param>
    /// <param name="key">The keys [S, N, kdim].</param>
    /// <param name="value">The values [S, N, vdim].</param>
    /// <param name="key_padding_mask">[N, S]: true marks keys to ignore.</param>
    /// <param name="need_weights">Whether to return the head-averaged attention weights (else the second item is null).</param>
    /// <param name="attn_mask">[L, S] or [N·heads, L, S]: true marks pairs that may not attend; a float mask is added.</param>
    public new Tuple<Tensor, Tensor> call(Tensor query, Tensor key, Tensor value, Tensor? key_padding_mask = null, bool need_weights = true, Tensor? attn_mask = null)
        => base.call(query, key, value, key_padding_mask, need_weights, attn_mask);

    /// <summary>The model dimension E.</summary>
    internal long embed_dim { get; }

    /// <summary>The number of heads.</summary>
    internal long num_heads { get; }

    /// <summary>The dropout probability on the attention weights (training mode).</summary>
    internal double dropout { get; }

    /// <summary>Whether a zero key/value is appended.</summary>
    internal bool add_zero_attn { get; }

    /// <summary>The key dimension.</summary>
    internal long kdim { get; }

    /// <summary>The value dimension.</summary>
    internal long vdim { get; }
}

/// <summary>
/// One post-norm transformer encoder layer as PyTorch 1.13's default (norm_first = false,
/// sequence-first [S, N, E]): x = norm1(x + dropout1(self_attn(x))); x = norm2(x + dropout2(linear2(dropout(activation(linear1(x)))))).
/// Children are named as in PyTorch: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
/// </summary>
public sealed class TransformerEncoderLayer : nn.Module<Tensor, Tensor>, nn.IModule<Tensor, Tensor?, Tensor>, nn.IModule<Tensor, Tensor?, Tensor?, Tensor>
{
    private readonly MultiheadAttention self_attn;
    private readonly Linear linear1;
    private readonly Dropout dropout;
    private readonly Linear linear2;
    private readonly LayerNorm norm1;
    private readonly LayerNorm norm2;
    private readonly Dropout dropout1;
    private readonly Dropout dropout2;

    internal TransformerEncoderLayer(long d_model, long nhead, long dim_feedforward, double dropout, nn.Activations activation) : base(nameof(TransformerEncoderLayer))
    {
        if (d_model <= 0) throw new ArgumentException($"TransformerEncoderLayer: d_model is {d_model}; expected a positive number.", nameof(d_model));
        if (nhead <= 0 || d_model % nhead != 0)
            throw new ArgumentException($"TransformerEncoderLayer: nhead is {nhead}; expected a positive divisor of d_model ({d_model}).", nameof(nhead));
        if (dim_feedforward <= 0) throw new ArgumentException($"TransformerEncoderLayer: dim_feedforward is {dim_feedforward}; expected a positive number.", nameof(dim_feedforward));
        if (!(dropout >= 0 && dropout <= 1)) throw new ArgumentException($"TransformerEncoderLayer: dropout is {dropout}; expected a probability in [0, 1].", nameof(dropout));
        if (activation is not (nn.Activations.ReLU or nn.Activations.GELU))
            throw new ArgumentException($"TransformerEncoderLayer: activation is {activation}; expected Activations.ReLU or Activations.GELU.", nameof(activation));
        this.d_model = d_model;
        this.nhead = nhead;
        this.dim_feedforward = dim_feedforward;
        this.dropout_p = dropout;
        this.activation = activation;

        // Creation order = PyTorch's, so that the same seed gives the same weights.
        self_attn = new MultiheadAttention(d_model, nhead, dropout, true, false, false, d_model, d_model, null, null);
        linear1 = MultiheadAttention.LinearLikePyTorch(d_model, dim_feedforward, true, null, null);
        this.dropout = nn.Dropout(dropout);
        linear2 = MultiheadAttention.LinearLikePyTorch(dim_feedforward, d_model, true, null, null);
        norm1 = nn.LayerNorm(d_model);
        norm2 = nn.LayerNorm(d_model);
        dropout1 = nn.Dropout(dropout);
        dropout2 = nn.Dropout(dropout);
        register_module("self_attn", self_attn);
        register_module("linear1", linear1);
        register_module("dropout", this.dropout);
        register_module("linear2", linear2);
        register_module("norm1", norm1);
        register_module("norm2", norm2);
        register_module("dropout1", dropout1);
        register_module("dropout2", dropout2);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor src) => call(src, null, null);

    /// <summary>Runs the layer with an attention mask.</summary>
    /// <param name="src">The sequence [S, N, E] (or [S, E]).</param>
    /// <param name="src_mask">[S, S] or [N·heads, S, S]: true marks pairs that may not attend; a float mask is added.</param>
    public Tensor call(Tensor src, Tensor? src_mask) => call(src, src_mask, null);

    /// <summary>Runs the layer with an attention mask and a key padding mask.</summary>
    /// <param name="src">The sequence [S, N, E] (or [S, E]).</param>
    /// <param name="src_mask">[S, S] or [N·heads, S, S]: true marks pairs that may not attend; a float mask is added.</param>
    /// <param name="src_key_padding_mask">[N, S]: true marks padding positions.</param>
    public Tensor call(Tensor src, Tensor? src_mask, Tensor? src_key_padding_mask)
    {
        ArgumentNullException.ThrowIfNull(src);
        using var scope = NewDisposeScope();
        var (attended, weights) = self_attn.call(src, src, src, src_key_padding_mask, false, src_mask);
        weights?.Dispose();
        var x = norm1.call(src + dropout1.call(attended));
        var hidden = linear1.call(x);
        hidden = activation == nn.Activations.GELU ? nn.functional.gelu(hidden) : nn.functional.relu(hidden);
        var ff = linear2.call(dropout.call(hidden));
        var result = norm2.call(x + dropout2.call(ff));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The model dimension.</summary>
    internal long d_model { get; }

    /// <summary>The number of attention heads.</summary>
    internal long nhead { get; }

    /// <summary>The hidden size of the feed-forward block.</summary>
    internal long dim_feedforward { get; }

    /// <summary>The dropout probability.</summary>
    internal double dropout_p { get; }

    /// <summary>The feed-forward activation.</summary>
    internal nn.Activations activation { get; }

    /// <summary>A new layer with the same configuration and a copy of this layer's weights.</summary>
    internal TransformerEncoderLayer Clone()
    {
        var copy = new TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout_p, activation);
        copy.load_state_dict(state_dict());
        copy.train(training);
        return copy;
    }
}

/// <summary>
/// A stack of <c>num_layers</c> copies of an encoder layer (children <c>layers.0</c>, <c>layers.1</c>, ...
/// as in PyTorch), each starting with the given layer's weights.
/// </summary>
public sealed class TransformerEncoder : nn.Module<Tensor, Tensor?, Tensor?, Tensor>, nn.IModule<Tensor, Tensor?, Tensor>, nn.IModule<Tensor, Tensor>
{
    private readonly ModuleList<TransformerEncoderLayer> layers;

    internal TransformerEncoder(TransformerEncoderLayer encoder_layer, long num_layers) : base(nameof(TransformerEncoder))
    {
        ArgumentNullException.ThrowIfNull(encoder_layer);
        if (num_layers <= 0) throw new ArgumentException($"TransformerEncoder: num_layers is {num_layers}; expected a positive number.", nameof(num_layers));
        // PyTorch deep-copies the layer, which draws no random numbers: keep the generator's state.
        using var rngState = get_rng_state();
        try
        {
            layers = new ModuleList<TransformerEncoderLayer>(Enumerable.Range(0, (int)num_layers).Select(_ => encoder_layer.Clone()).ToArray());
        }
        finally
        {
            set_rng_state(rngState);
        }
        register_module("layers", layers);
        this.num_layers = num_layers;
    }

    /// <summary>Runs the layers in turn.</summary>
    /// <param name="src">The sequence [S, N, E] (or [S, E]).</param>
    /// <param name="src_mask">[S, S] or [N·heads, S, S]: true marks pairs that may not attend; a float mask is added.</param>
    /// <param name="src_key_padding_mask">[N, S]: true marks padding positions.</param>
    public override Tensor forward(Tensor src, Tensor? src_mask, Tensor? src_key_padding_mask)
    {
        ArgumentNullException.ThrowIfNull(src);
        var output = src;
        foreach (var layer in layers)
        {
            var next = layer.call(output, src_mask, src_key_padding_mask);
            if (!ReferenceEquals(output, src)) output.Dispose();
            output = next;
        }
        return output;
    }

    /// <summary>Runs the layers in turn with an attention mask.</summary>
    /// <param name="src">The sequence [S, N, E] (or [S, E]).</param>
    /// <param name="src_mask">[S, S] or [N·heads, S, S]: true marks pairs that may not attend; a float mask is added.</param>
    public Tensor call(Tensor src, Tensor? src_mask) => call(src, src_mask, null);

    /// <summary>Runs the layers in turn.</summary>
    /// <param name="src">The sequence [S, N, E] (or [S, E]).</param>
    public Tensor call(Tensor src) => call(src, null, null);

    /// <summary>The number of layers.</summary>
    internal long num_layers { get; }
}
