using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Knowledge distillation (Hinton et al., 2015): the student also matches the teacher's softened
/// class distribution. Loss = <c>α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)</c>, the
/// KL averaged over samples (PyTorch's <c>reduction="batchmean"</c>).
/// </summary>
public static class KnowledgeDistillation
{
    /// <summary>
    /// The soft-target term <c>T²·KL(softmax(teacher/T) ‖ softmax(student/T))</c>, summed over classes
    /// and averaged over samples (logits of shape <c>[..., C]</c> are flattened to <c>[-1, C]</c>).
    /// The teacher logits are detached.
    /// </summary>
    public static Tensor SoftTargetLoss(Tensor studentLogits, Tensor teacherLogits, double temperature = 4.0)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacherLogits);
        if (!(temperature > 0) || double.IsInfinity(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a finite value > 0.");
        if (studentLogits.dim() == 0 || !studentLogits.shape.SequenceEqual(teacherLogits.shape))
            throw new ArgumentException($"The student and teacher logits must have the same shape [..., C] (got [{string.Join(", ", studentLogits.shape)}] and [{string.Join(", ", teacherLogits.shape)}]).", nameof(teacherLogits));
        var classes = studentLogits.shape[^1];
        var student = studentLogits.reshape(-1, classes);
        var teacher = teacherLogits.detach().reshape(-1, classes).to_type(student.dtype);
        var logStudent = (student / temperature).log_softmax(1);
        var logTeacher = (teacher / temperature).log_softmax(1);
        var kl = (logTeacher.exp() * (logTeacher - logStudent)).sum() / student.shape[0];
        return kl * (temperature * temperature);
    }

    /// <summary>
    /// The full distillation loss <c>α·SoftTargetLoss + (1 − α)·cross_entropy(student, target)</c>.
    /// </summary>
    /// <param name="studentLogits">The student's logits <c>[N, C]</c> (or <c>[..., C]</c> with a matching flattened target).</param>
    /// <param name="teacherLogits">The teacher's logits, same shape (detached here).</param>
    /// <param name="target">Class indices (or class probabilities) for the hard-target term.</param>
    /// <param name="temperature">T &gt; 0; default 4.</param>
    /// <param name="alpha">α in [0, 1], the weight of the soft-target term; default 0.5.</param>
    public static Tensor Loss(Tensor studentLogits, Tensor teacherLogits, Tensor target, double temperature = 4.0, double alpha = 0.5)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        var soft = SoftTargetLoss(studentLogits, teacherLogits, temperature);
        var classes = studentLogits.shape[^1];
        var flatTarget = target.is_floating_point() ? target.reshape(-1, classes) : target.reshape(-1);
        var hard = nn.functional.cross_entropy(studentLogits.reshape(-1, classes), flatTarget);
        return soft * alpha + hard * (1 - alpha);
    }
}
