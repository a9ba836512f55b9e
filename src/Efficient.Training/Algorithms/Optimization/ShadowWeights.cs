using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A detached copy of a model's weights, by name (the names of <c>named_parameters()</c> and, when
/// included, <c>named_buffers()</c>): the shadow weights of EMA and the running average of SWA.
/// It can be swapped into the model (for evaluation) and out again, or copied into it for good.
/// The copies are owned by this object and freed by <see cref="Dispose"/>.
/// </summary>
public sealed class ShadowWeights : IDisposable
{
    private readonly List<string> _names;
    private readonly Dictionary<string, Tensor> _tensors;
    private Dictionary<string, Tensor>? _backup;
    private bool _disposed;

    private ShadowWeights(Dictionary<string, Tensor> tensors, bool includesBuffers)
    {
        _tensors = tensors;
        _names = tensors.Keys.ToList();
        IncludesBuffers = includesBuffers;
    }

    /// <summary>Copies the current weights of <paramref name="model"/> (parameters, and buffers when <paramref name="includeBuffers"/>).</summary>
    public static ShadowWeights Of(nn.Module model, bool includeBuffers = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, live) in Live(model, includeBuffers))
                tensors[name] = live.detach().clone().DetachFromDisposeScope();
        }
        return new ShadowWeights(tensors, includeBuffers);
    }

    /// <summary>
    /// Adopts tensors by name (e.g. loaded from a checkpoint); they become owned by the result.
    /// </summary>
    /// <param name="tensors">The tensors, by the model's parameter (and buffer) names.</param>
    /// <param name="includesBuffers">Whether the set holds buffers too.</param>
    public static ShadowWeights FromTensors(IReadOnlyDictionary<string, Tensor> tensors, bool includesBuffers)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return new ShadowWeights(tensors.ToDictionary(kv => kv.Key, kv => kv.Value.DetachFromDisposeScope()), includesBuffers);
    }

    /// <summary>Whether buffers (e.g. BatchNorm running statistics) are part of the copy.</summary>
    public bool IncludesBuffers { get; }

    /// <summary>The names of the copied tensors, in the model's order (parameters first).</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The copy of the named tensor (owned by this object: do not dispose it).</summary>
    public Tensor this[string name]
    {
        get
        {
            ThrowIfDisposed();
            return _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"No shadow weight named '{name}'; the names are: {string.Join(", ", _names)}.");
        }
    }

    /// <summary>Whether <see cref="SwapIn"/> put these weights into a model (until <see cref="SwapOut"/>).</summary>
    public bool IsSwappedIn => _backup is not null;

    /// <summary>
    /// Pairs each copy with the model's live tensor of the same name.
    /// </summary>
    /// <exception cref="ArgumentException">The model's names differ from the copied ones.</exception>
    public IEnumerable<(string name, Tensor shadow, Tensor live)> Pairs(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ThrowIfDisposed();
        var live = Live(model, IncludesBuffers).ToList();
        if (live.Count != _names.Count || live.Any(l => !_tensors.ContainsKey(l.name)))
            throw new ArgumentException(
                $"The model's weights [{string.Join(", ", live.Select(l => l.name))}] do not match the shadow weights [{string.Join(", ", _names)}]; expected the model they were copied from.",
                nameof(model));
        return live.Select(l => (l.name, _tensors[l.name], l.tensor));
    }

    /// <summary>Overwrites the copies with the model's current weights.</summary>
    public void CopyFrom(nn.Module model)
    {
        var pairs = Pairs(model).ToList();
        using (no_grad())
        {
            foreach (var (_, shadow, live) in pairs) shadow.copy_(live);
        }
    }

    /// <summary>Overwrites the model's weights with the copies, for good.</summary>
    public void CopyTo(nn.Module model)
    {
        var pairs = Pairs(model).ToList();
        using (no_grad())
        {
            foreach (var (_, shadow, live) in pairs) live.copy_(shadow);
        }
    }

    /// <summary>
    /// Puts the copies into <paramref name="model"/> and keeps its own weights aside, so that
    /// <see cref="SwapOut"/> restores them exactly (e.g. evaluate with the EMA weights, then resume training).
    /// </summary>
    /// <exception cref="InvalidOperationException">Already swapped in.</exception>
    public void SwapIn(nn.Module model)
    {
        if (_backup is not null) throw new InvalidOperationException("The shadow weights are already swapped in; call SwapOut first.");
        var pairs = Pairs(model).ToList();
        var backup = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, shadow, live) in pairs)
            {
                backup[name] = live.detach().clone().DetachFromDisposeScope();
                live.copy_(shadow);
            }
        }
        _backup = backup;
    }

    /// <summary>Restores the model's own weights kept by <see cref="SwapIn"/> (no-op when not swapped in).</summary>
    public void SwapOut(nn.Module model)
    {
        if (_backup is null) return;
        var pairs = Pairs(model).ToList();
        using (no_grad())
        {
            foreach (var (name, _, live) in pairs) live.copy_(_backup[name]);
        }
        foreach (var t in _backup.Values) t.Dispose();
        _backup = null;
    }

    /// <summary>Frees the copies (and any swapped-out weights).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _tensors.Values) t.Dispose();
        if (_backup is not null)
            foreach (var t in _backup.Values) t.Dispose();
        _backup = null;
    }

    internal static IEnumerable<(string name, Tensor tensor)> Live(nn.Module model, bool includeBuffers)
    {
        foreach (var (name, p) in model.named_parameters()) yield return (name, p);
        if (!includeBuffers) yield break;
        foreach (var (name, b) in model.named_buffers()) yield return (name, b);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
