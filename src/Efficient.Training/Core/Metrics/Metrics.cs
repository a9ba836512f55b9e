using System;

namespace Efficient.Training;

/// <summary>An evaluation metric accumulated over the batches of an evaluation pass.</summary>
public interface IMetric
{
    /// <summary>The key under which the value is reported (e.g. <c>accuracy</c>).</summary>
    string Name { get; }

    /// <summary>Whether a larger value is better (used by thresholds and early stopping).</summary>
    bool HigherIsBetter { get; }

    /// <summary>Forgets previous batches.</summary>
    void Reset();

    /// <summary>Adds one batch: the model's outputs, the targets and the batch's mean loss.</summary>
    void Update(Tensor outputs, Tensor target, double meanLoss);

    /// <summary>The value over the batches seen since <see cref="Reset"/>.</summary>
    double Compute();
}

/// <summary>Top-k accuracy of class scores against class indices (top-1 by default).</summary>
public sealed class Accuracy : IMetric
{
    private long _correct, _total;

    /// <summary>Creates the metric; <paramref name="topK"/> ≥ 1.</summary>
    public Accuracy(int topK = 1)
    {
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "Accuracy: topK must be at least 1.");
        TopK = topK;
    }

    /// <summary>How many of the best-scored classes may contain the target.</summary>
    public int TopK { get; }

    /// <inheritdoc />
    public string Name => TopK == 1 ? "accuracy" : $"top{TopK}_accuracy";

    /// <inheritdoc />
    public bool HigherIsBetter => true;

    /// <inheritdoc />
    public void Reset() => (_correct, _total) = (0, 0);

    /// <inheritdoc />
    public void Update(Tensor outputs, Tensor target, double meanLoss)
    {
        using var scope = NewDisposeScope();
        var classes = outputs.shape[^1];
        var flat = outputs.reshape(-1, classes);
        var labels = target.dtype == ScalarType.Int64 ? target.reshape(-1) : target.reshape(-1, classes).argmax(1);
        var valid = labels.ge(0);
        Tensor hit;
        if (TopK == 1) hit = flat.argmax(1).eq(labels);
        else hit = flat.topk((int)Math.Min(TopK, classes), 1).indexes.eq(labels.unsqueeze(1)).any(1);
        _correct += hit.logical_and(valid).sum().item<long>();
        _total += valid.sum().item<long>();
    }

    /// <inheritdoc />
    public double Compute() => _total == 0 ? 0 : (double)_correct / _total;
}

/// <summary>The sample-weighted mean of the per-batch mean loss.</summary>
public sealed class LossMetric : IMetric
{
    private double _sum;
    private long _count;

    /// <inheritdoc />
    public string Name => "loss";

    /// <inheritdoc />
    public bool HigherIsBetter => false;

    /// <inheritdoc />
    public void Reset() => (_sum, _count) = (0, 0);

    /// <inheritdoc />
    public void Update(Tensor outputs, Tensor target, double meanLoss)
    {
        var n = outputs.shape[0];
        _sum += meanLoss * n;
        _count += n;
    }

    /// <inheritdoc />
    public double Compute() => _count == 0 ? double.NaN : _sum / _count;
}

/// <summary>exp(mean loss): the perplexity of a language model whose loss is the mean token cross-entropy.</summary>
public sealed class Perplexity : IMetric
{
    private readonly LossMetric _loss = new();

    /// <inheritdoc />
    public string Name => "perplexity";

    /// <inheritdoc />
    public bool HigherIsBetter => false;

    /// <inheritdoc />
    public void Reset() => _loss.Reset();

    /// <inheritdoc />
    public void Update(Tensor outputs, Tensor target, double meanLoss) => _loss.Update(outputs, target, meanLoss);

    /// <inheritdoc />
    public double Compute() => Math.Exp(_loss.Compute());
}
