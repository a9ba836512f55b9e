using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="KnowledgeDistillation"/>. In the loss block it runs the teacher
/// (eval mode, <c>no_grad</c>) on the microbatch's input as the model saw it (after any
/// regularization such as MixUp) and returns
/// <c>α·T²·KL(teacher ‖ student) + (1 − α)·next(outputs, target)</c>: the hard-target term is the
/// inner loss (the trainer's loss function, or the next loss algorithm), so it composes with label
/// smoothing and MixUp. Teacher outputs are not cached.
/// </summary>
public sealed class KnowledgeDistillationAlgorithm : ILossAlgorithm
{
    private readonly nn.Module<Tensor, Tensor> _teacher;
    private readonly double _temperature;
    private readonly double _alpha;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public KnowledgeDistillationAlgorithm(KnowledgeDistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _teacher = options.Teacher!;
        _temperature = options.Temperature;
        _alpha = options.Alpha;
    }

    /// <inheritdoc />
    public string Name => "KnowledgeDistillation";

    /// <summary>How many times the teacher ran (for reports and tests).</summary>
    public long TeacherCalls { get; private set; }

    /// <inheritdoc />
    public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(next);
        var hard = next(outputs, target);
        if (_alpha == 0) return hard;
        Tensor teacherLogits;
        using (no_grad())
        {
            if (_teacher.training) _teacher.eval();
            teacherLogits = _teacher.call(context.Batch.Input);
        }
        TeacherCalls++;
        var soft = KnowledgeDistillation.SoftTargetLoss(outputs, teacherLogits, _temperature);
        return soft * _alpha + hard * (1 - _alpha);
    }
}
