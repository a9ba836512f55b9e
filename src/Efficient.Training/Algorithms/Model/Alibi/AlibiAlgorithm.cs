using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="Alibi"/>. Model block: at fit start (and on resume, before the
/// weights load) removes the learned position embeddings of every module with a policy in
/// <see cref="Alibi.EmbeddingPolicies"/> (the library's <see cref="Models.BertEmbeddings"/>) and adds
/// the ALiBi bias in every module with a policy in <see cref="Alibi.AttentionPolicies"/> (any
/// <see cref="ISelfAttention"/>, such as <see cref="Models.BertSelfAttention"/>). Data block: trains on
/// <see cref="AlibiOptions.TrainSequenceLengthScaling"/> of each batch's sequence length (evaluation
/// batches do not pass through data hooks, so they keep their full length). Token batches only.
/// </summary>
public sealed class AlibiAlgorithm : IModelAlgorithm, IDataAlgorithm
{
    private readonly AlibiOptions _options;
    private int _replaced = -1;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public AlibiAlgorithm(AlibiOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new AlibiOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "Alibi";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        var (attention, positions) = Alibi.Replace(surgery, _options);
        _replaced = attention;
        surgery.Note($"replaced {attention} attention modules with ALiBi attention, removed {positions} position embeddings");
    }

    /// <summary>
    /// Returns the batch with its sequence length scaled (see <see cref="Alibi.ScaleSequenceLength"/>),
    /// or unchanged when the model surgery found no attention to convert.
    /// </summary>
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_replaced == 0) return batch;
        return Alibi.ScaleSequenceLength(batch, _options.TrainSequenceLengthScaling, _options.Truncate);
    }
}
