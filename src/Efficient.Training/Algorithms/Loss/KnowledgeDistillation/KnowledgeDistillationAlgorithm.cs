using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="KnowledgeDistillation"/>. In the loss block it runs the teacher
/// (eval mode, <c>no_grad</c>) on the microbatch's input as the model saw it (after any
/// regularization such as MixUp) and returns
/// <c>α·T²·KL(teacher ‖ student) + (1 − α)·next(outputs, target)</c>: the hard-target term is the
/// inner loss (the trainer's loss function, or the next loss algorithm), so it composes with label
/// smoothing and MixUp. With <see cref="KnowledgeDistillationOptions.CacheTeacherOutputs"/> the teacher's
/// logits are cached per sample index (<see cref="Batch.Indices"/>) and the teacher runs only on
/// microbatches holding a sample it has not seen.
/// </summary>
public sealed class KnowledgeDistillationAlgorithm : ILossAlgorithm
{
    private readonly nn.Module<Tensor, Tensor> _teacher;
    private readonly double _temperature;
    private readonly double _alpha;
    private readonly bool _cache;
    private readonly Dictionary<long, Tensor> _cached = new();

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public KnowledgeDistillationAlgorithm(KnowledgeDistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _teacher = options.Teacher!;
        _temperature = options.Temperature;
        _alpha = options.Alpha;
        _cache = options.CacheTeacherOutputs;
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
        var teacherLogits = _cache ? CachedTeacher(context.Batch) : RunTeacher(context.Batch.Input);
        var soft = KnowledgeDistillation.SoftTargetLoss(outputs, teacherLogits, _temperature);
        return soft * _alpha + hard * (1 - _alpha);
    }

    /// <summary>How many samples' teacher logits are cached.</summary>
    public int CachedSamples => _cached.Count;

    private Tensor RunTeacher(Tensor input)
    {
        using (no_grad())
        {
            if (_teacher.training) _teacher.eval();
            TeacherCalls++;
            return _teacher.call(input);
        }
    }

    private Tensor CachedTeacher(Batch batch)
    {
        var indices = batch.Indices ?? throw new InvalidOperationException(
            $"{Name} with CacheTeacherOutputs needs the samples' indices (Batch.Indices), but the batch has none: use a data source that provides them (TensorTrainingData, PrunedTrainingData, CurriculumTrainingData) and no data algorithm before it that changes the number of samples, or set CacheTeacherOutputs = false.");
        var ids = indices.contiguous().data<long>().ToArray();
        if (ids.All(_cached.ContainsKey)) return stack(ids.Select(i => _cached[i]).ToArray(), 0);
        var logits = RunTeacher(batch.Input);
        for (var i = 0; i < ids.Length; i++)
        {
            if (_cached.TryGetValue(ids[i], out var old)) old.Dispose();
            _cached[ids[i]] = logits[i].detach().clone().DetachFromDisposeScope();
        }
        return logits;
    }
}
