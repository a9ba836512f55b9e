namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="KnowledgeDistillationAlgorithm"/>.</summary>
public sealed class KnowledgeDistillationOptions : IValidatableOptions
{
    /// <summary>The trained teacher; required. It is put in eval mode and run under <c>no_grad</c>; its outputs must have the student's shape.</summary>
    public nn.Module<Tensor, Tensor>? Teacher { get; set; }

    /// <summary>Softmax temperature T. Finite, &gt; 0; default 4 (Hinton et al. use 1–20; larger T exposes more of the teacher's "dark knowledge").</summary>
    public double Temperature { get; set; } = 4.0;

    /// <summary>α, the weight of the soft-target term (scaled by T²); the hard-target loss gets 1 − α. Range [0, 1]; default 0.5.</summary>
    public double Alpha { get; set; } = 0.5;

    /// <summary>
    /// Caches the teacher's logits per training sample (keyed by <see cref="Batch.Indices"/>), so the teacher
    /// runs once per sample instead of once per epoch. Default false. Only valid when the teacher's input
    /// for a sample is the same every epoch: no random data augmentation or input mixing (RandAugment,
    /// CutOut, MixUp, ...) before the loss; the data source must provide sample indices. The cache is
    /// held in memory (one row of logits per sample) and is not checkpointed (it is rebuilt after resume).
    /// </summary>
    public bool CacheTeacherOutputs { get; set; }

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(KnowledgeDistillationOptions))
            .NotNull(Teacher, nameof(Teacher))
            .Positive(Temperature, nameof(Temperature))
            .InRange(Alpha, 0, 1, nameof(Alpha))
            .ThrowIfInvalid();
}
