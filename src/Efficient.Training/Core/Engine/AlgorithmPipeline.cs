using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// Composes the algorithms' hooks into one chain per stage. Order is registration order: the first
/// algorithm is the outermost layer, so it sees the input first and the result last; before/after
/// symmetry comes from nesting, not from ordering rules.
/// </summary>
internal sealed class AlgorithmPipeline
{
    private readonly IReadOnlyList<IAlgorithm> _algorithms;
    private readonly IDataAlgorithm[] _data;
    private readonly IDataSourceAlgorithm[] _sources;
    private readonly IModelAlgorithm[] _model;
    private readonly ILossAlgorithm[] _loss;
    private readonly IRegularizationAlgorithm[] _regularization;
    private readonly IOptimizationAlgorithm[] _optimization;

    public AlgorithmPipeline(IReadOnlyList<IAlgorithm> algorithms)
    {
        _algorithms = algorithms;
        _data = algorithms.OfType<IDataAlgorithm>().ToArray();
        _sources = algorithms.OfType<IDataSourceAlgorithm>().ToArray();
        _model = algorithms.OfType<IModelAlgorithm>().ToArray();
        _loss = algorithms.OfType<ILossAlgorithm>().ToArray();
        _regularization = algorithms.OfType<IRegularizationAlgorithm>().ToArray();
        _optimization = algorithms.OfType<IOptimizationAlgorithm>().ToArray();
    }

    public AlgorithmTrace Trace { get; } = new();

    public IReadOnlyList<IAlgorithm> Algorithms => _algorithms;

    public void ApplySurgery(nn.Module model, ModelSurgery surgery)
    {
        foreach (var a in _model)
        {
            surgery.CurrentAlgorithm = a.Name;
            Trace.Measure(a.Name, "Model.Apply", () =>
            {
                a.Apply(model, surgery);
                return 0;
            });
        }
        surgery.CurrentAlgorithm = "";
    }

    public ITrainingData Source(ITrainingData data, TrainingState state)
    {
        foreach (var a in _sources)
        {
            var input = data;
            data = Trace.Measure(a.Name, "Data.Source", () => a.Source(input, state))
                ?? throw new InvalidOperationException($"{a.Name}.Source returned null; return the input source to leave it unchanged.");
        }
        return data;
    }

    public Batch TransformBatch(Batch batch, TrainingState state)
    {
        foreach (var a in _data)
        {
            var input = batch;
            batch = Trace.Measure(a.Name, "Data.Transform", () => a.Transform(input, state))
                ?? throw new InvalidOperationException($"{a.Name}.Transform returned null; return the input batch to leave it unchanged.");
        }
        return batch;
    }

    public Tensor Forward(MicrobatchContext context, Func<Tensor> model) => ForwardAt(0, context, model);

    private Tensor ForwardAt(int i, MicrobatchContext context, Func<Tensor> model)
    {
        if (i == _regularization.Length) return Trace.Inner(model);
        var a = _regularization[i];
        return Trace.Measure(a.Name, "Regularization.Forward", () => a.Forward(context, () => Trace.Inner(() => ForwardAt(i + 1, context, model))));
    }

    public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> loss) => LossAt(0, context, outputs, target, loss);

    private Tensor LossAt(int i, MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> loss)
    {
        if (i == _loss.Length) return Trace.Inner(() => loss(outputs, target));
        var a = _loss[i];
        return Trace.Measure(a.Name, "Loss.Loss", () => a.Loss(context, outputs, target, (o, t) => Trace.Inner(() => LossAt(i + 1, context, o, t, loss))));
    }

    public void Step(StepContext context, Action step) => StepAt(0, context, step);

    private void StepAt(int i, StepContext context, Action step)
    {
        if (i == _optimization.Length)
        {
            Trace.Inner(() =>
            {
                step();
                return 0;
            });
            return;
        }
        var a = _optimization[i];
        Trace.Measure(a.Name, "Optimization.Step", () =>
        {
            a.Step(context, () => Trace.Inner(() =>
            {
                StepAt(i + 1, context, step);
                return 0;
            }));
            return 0;
        });
    }

    /// <summary>A description of which algorithm runs at which stage, in order.</summary>
    public IEnumerable<(string stage, IReadOnlyList<string> algorithms)> Stages()
    {
        yield return ("Model.Apply (fit start)", _model.Select(a => a.Name).ToList());
        yield return ("Data.Source (each epoch start)", _sources.Select(a => a.Name).ToList());
        yield return ("Data.Transform (each batch)", _data.Select(a => a.Name).ToList());
        yield return ("Regularization.Forward (each microbatch, outermost first)", _regularization.Select(a => a.Name).ToList());
        yield return ("Loss.Loss (each microbatch, outermost first)", _loss.Select(a => a.Name).ToList());
        yield return ("Optimization.Step (each batch, outermost first)", _optimization.Select(a => a.Name).ToList());
    }
}
