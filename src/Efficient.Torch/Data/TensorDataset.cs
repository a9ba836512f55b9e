using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>
/// A dataset wrapping tensors that share their first dimension: sample <c>i</c> holds row <c>i</c>
/// of each tensor (as views). Create it with <see cref="utils.data.TensorDataset"/>. The dataset
/// references the tensors and does not dispose them. An <see cref="IterableDataLoader"/> over it
/// gathers each batch with one <c>index_select</c> per tensor instead of stacking row views.
/// </summary>
public class TensorDataset : utils.data.IterableDataset
{
    private readonly Tensor[] _tensors;
    private readonly long _rows;

    internal TensorDataset(Tensor[] tensors)
    {
        if (tensors is null || tensors.Length == 0)
            throw new ArgumentException("TensorDataset needs at least one tensor.", nameof(tensors));
        for (var i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i] ?? throw new ArgumentNullException(nameof(tensors), $"TensorDataset: tensor {i} is null.");
            if (t.IsInvalid) throw new ArgumentException($"TensorDataset: tensor {i} has been disposed.", nameof(tensors));
            if (t.Dimensions == 0) throw new ArgumentException($"TensorDataset: tensor {i} is 0-dimensional; every tensor needs a first dimension that indexes the samples.", nameof(tensors));
        }
        _rows = tensors[0].shape[0];
        for (var i = 1; i < tensors.Length; i++)
        {
            var shape = tensors[i].shape;
            if (shape[0] != _rows)
                throw new ArgumentException(
                    $"TensorDataset: all tensors must have the same size in dimension 0, but tensor 0 has {_rows} rows " +
                    $"(shape {FormatShape(tensors[0].shape)}) and tensor {i} has {shape[0]} (shape {FormatShape(shape)}).",
                    nameof(tensors));
        }
        _tensors = (Tensor[])tensors.Clone();
    }

    /// <summary>The number of samples (the size of dimension 0).</summary>
    public override long Count => _rows;

    /// <summary>The tensors the dataset wraps.</summary>
    public IReadOnlyList<Tensor> Tensors => _tensors;

    /// <summary>Row <paramref name="index"/> of each tensor (views sharing their storage).</summary>
    public IList<Tensor> this[long index]
    {
        get
        {
            CheckIndex(index);
            var result = new List<Tensor>(_tensors.Length);
            foreach (var t in _tensors) result.Add(t.select(0, index));
            return result;
        }
    }

    /// <summary>Row <paramref name="index"/> of each tensor (views sharing their storage).</summary>
    public override IList<Tensor> GetTensor(long index) => this[index];

    /// <summary>
    /// The rows <paramref name="indices"/> of each tensor, gathered with <c>index_select</c> (new
    /// storage) and placed on <paramref name="device"/>. Intermediate tensors are disposed; the
    /// results belong to the caller's current dispose scope.
    /// </summary>
    internal IList<Tensor> GetBatch(long[] indices, Device device)
    {
        foreach (var i in indices) CheckIndex(i);
        using var scope = NewDisposeScope();
        var cpuIndex = tensor(indices, ScalarType.Int64, CPU);
        var result = new List<Tensor>(_tensors.Length);
        foreach (var t in _tensors)
        {
            var index = t.device_type == DeviceType.CPU ? cpuIndex : cpuIndex.to(t.device);
            var batch = t.index_select(0, index);
            if (!DataLoaderDevices.IsOn(batch, device)) batch = batch.to(device);
            result.Add(batch);
        }
        foreach (var r in result) scope.MoveToOuter(r);
        return result;
    }

    private void CheckIndex(long index)
    {
        if (index < 0 || index >= _rows)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"TensorDataset index must be in [0, {_rows}).");
    }

    private static string FormatShape(long[] shape) => "[" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]";
}
