using System;
using Efficient.Torch.Interop;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>A lookup table: integer indices of any shape → rows of <see cref="weight"/> [num_embeddings, embedding_dim].</summary>
public sealed class Embedding : nn.Module<Tensor, Tensor>
{
    private Parameter? _weight;
    private readonly long? _padding_idx;
    private readonly double? _max_norm;
    private readonly double _norm_type;
    private readonly bool _scale_grad_by_freq;
    private readonly bool _sparse;

    internal Embedding(Parameter weight, long? padding_idx, double? max_norm, double norm_type, bool scale_grad_by_freq, bool sparse) : base(nameof(Embedding))
    {
        if (weight.dim() != 2)
            throw new ArgumentException($"Embedding: the weight has shape [{string.Join(", ", weight.shape)}]; expected 2-D [num_embeddings, embedding_dim].", nameof(weight));
        var rows = weight.shape[0];
        if (padding_idx is { } idx)
        {
            if (idx >= rows || idx < -rows)
                throw new ArgumentException($"Embedding: padding_idx is {idx}; expected a row index in [{-rows}, {rows}).", nameof(padding_idx));
            _padding_idx = idx < 0 ? idx + rows : idx;
        }
        if (max_norm is { } m && !(m > 0))
            throw new ArgumentException($"Embedding: max_norm is {m}; expected a positive value or null.", nameof(max_norm));
        _max_norm = max_norm;
        _norm_type = norm_type;
        _scale_grad_by_freq = scale_grad_by_freq;
        _sparse = sparse;
        _weight = weight;
        register_parameter("weight", weight);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var w = _weight ?? throw new InvalidOperationException("Embedding: the weight has been set to null.");
        if (input.is_floating_point())
            throw new ArgumentException($"Embedding: the input has dtype {input.dtype}; expected integer indices (Int64 or Int32).", nameof(input));
        var r = Tensor.Wrap(Native.ets_embedding_ex(input.HandleChecked, w.HandleChecked, _padding_idx ?? -1, _max_norm ?? -1, _norm_type, _scale_grad_by_freq ? 1 : 0, _sparse ? 1 : 0));
        GC.KeepAlive(w);
        return r;
    }

    /// <summary>The table [num_embeddings, embedding_dim].</summary>
    public Parameter? weight
    {
        get => _weight;
        set
        {
            _weight = value;
            ConditionallyRegisterParameter("weight", value);
        }
    }
}
