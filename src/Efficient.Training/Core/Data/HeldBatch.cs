using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// A batch whose tensors are aliases outside any dispose scope, so it outlives the scope that loaded it;
/// <see cref="Copy"/> hands out fresh aliases (owned by the caller's scope). Disposing it releases the aliases.
/// </summary>
internal sealed class HeldBatch : IDisposable
{
    private readonly Tensor _input;
    private readonly Tensor _target;
    private readonly Tensor? _indices;
    private readonly Dictionary<string, Tensor> _extras;

    public HeldBatch(Batch batch)
        : this(Keep(batch.Input), Keep(batch.Target), batch.Indices is null ? null : Keep(batch.Indices), batch.Extras.ToDictionary(kv => kv.Key, kv => Keep(kv.Value)), batch.Tokens)
    {
    }

    private HeldBatch(Tensor input, Tensor target, Tensor? indices, Dictionary<string, Tensor> extras, long tokens)
    {
        _input = input;
        _target = target;
        _indices = indices;
        _extras = extras;
        Tokens = tokens;
    }

    public long Size => _input.shape[0];

    public long Tokens { get; }

    public Batch Copy() => new(_input.alias(), _target.alias(), Tokens, _extras.ToDictionary(kv => kv.Key, kv => kv.Value.alias()), _indices?.alias());

    /// <summary>The rows <paramref name="rows"/> gathered into a new batch (tensors in the caller's scope).</summary>
    public Batch Rows(long[] rows, long tokens)
    {
        var size = Size;
        using var idx = tensor(rows, device: _input.device);
        Tensor Pick(Tensor t) => t.index_select(0, idx.device == t.device ? idx : idx.to(t.device));
        var extras = _extras.ToDictionary(kv => kv.Key, kv => kv.Value.dim() > 0 && kv.Value.shape[0] == size ? Pick(kv.Value) : kv.Value.alias());
        return new Batch(Pick(_input), _target.dim() > 0 ? Pick(_target) : _target.alias(), tokens, extras, _indices is null ? null : Pick(_indices));
    }

    /// <summary>Rows <paramref name="start"/> .. start + length − 1 as a batch of views (tensors in the caller's scope; tokens in proportion).</summary>
    public Batch Slice(long start, long length)
    {
        var size = Size;
        if (start == 0 && length == size) return Copy();
        var extras = _extras.ToDictionary(kv => kv.Key, kv => kv.Value.dim() > 0 && kv.Value.shape[0] == size ? kv.Value.narrow(0, start, length) : kv.Value.alias());
        return new Batch(_input.narrow(0, start, length), _target.dim() > 0 ? _target.narrow(0, start, length) : _target.alias(), Tokens * length / size, extras, _indices?.narrow(0, start, length));
    }

    /// <summary>
    /// The rows of <paramref name="parts"/> in one batch (tensors in the caller's scope): inputs, per-row targets, indices
    /// (when every part has them) and per-row extras are joined along dimension 0; other parts come from the first.
    /// </summary>
    public static Batch Join(IReadOnlyList<Batch> parts)
    {
        if (parts.Count == 1) return parts[0];
        var first = parts[0];
        var shape = first.Input.shape.Skip(1).ToArray();
        if (parts.FirstOrDefault(b => !b.Input.shape.Skip(1).SequenceEqual(shape)) is { } other)
            throw new InvalidOperationException($"Joining rows of several batches needs inputs of one shape per sample; got [{string.Join(", ", shape)}] and [{string.Join(", ", other.Input.shape.Skip(1))}].");
        var extras = new Dictionary<string, Tensor>();
        foreach (var (key, value) in first.Extras)
        {
            var perRow = parts.All(b => b.Extras.TryGetValue(key, out var t) && t.dim() > 0 && t.shape[0] == b.Size);
            extras[key] = perRow ? cat(parts.Select(b => b.Extras[key]).ToList(), 0) : value;
        }
        var target = first.Target.dim() > 0 ? cat(parts.Select(b => b.Target).ToList(), 0) : first.Target;
        var indices = parts.All(b => b.Indices is not null) ? cat(parts.Select(b => b.Indices!).ToList(), 0) : null;
        return new Batch(cat(parts.Select(b => b.Input).ToList(), 0), target, parts.Sum(b => b.Tokens), extras, indices);
    }

    /// <summary>The batches' rows in one held batch (extras split along the batch in every batch are joined, others taken from the first).</summary>
    public static HeldBatch Concat(IReadOnlyList<HeldBatch> batches)
    {
        var first = batches[0];
        var shape = first._input.shape.Skip(1).ToArray();
        if (batches.FirstOrDefault(b => !b._input.shape.Skip(1).SequenceEqual(shape)) is { } other)
            throw new InvalidOperationException($"Example echoing shuffles the examples of {batches.Count} fresh batches together, which needs inputs of one shape per example; got [{string.Join(", ", shape)}] and [{string.Join(", ", other._input.shape.Skip(1))}]. Use batch echoing (DataEchoingMode.Batch) for batches of varying shape.");
        using var scope = NewDisposeScope();
        Tensor Join(Func<HeldBatch, Tensor> part) => batches.Count == 1 ? part(first).alias() : cat(batches.Select(part).ToList(), 0);
        var extras = new Dictionary<string, Tensor>();
        foreach (var (key, value) in first._extras)
        {
            var perRow = batches.All(b => b._extras.TryGetValue(key, out var t) && t.dim() > 0 && t.shape[0] == b.Size);
            extras[key] = perRow ? Join(b => b._extras[key]) : value.alias();
        }
        var target = first._target.dim() > 0 ? Join(b => b._target) : first._target.alias();
        var indices = batches.All(b => b._indices is not null) ? Join(b => b._indices!) : null;
        var held = new HeldBatch(Join(b => b._input), target, indices, extras, batches.Sum(b => b.Tokens));
        held.Detach();
        return held;
    }

    public void Dispose()
    {
        _input.Dispose();
        _target.Dispose();
        _indices?.Dispose();
        foreach (var t in _extras.Values) t.Dispose();
    }

    private void Detach()
    {
        _input.DetachFromDisposeScope();
        _target.DetachFromDisposeScope();
        _indices?.DetachFromDisposeScope();
        foreach (var t in _extras.Values) t.DetachFromDisposeScope();
    }

    private static Tensor Keep(Tensor t) => t.alias().DetachFromDisposeScope();
}
