using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Torch;

/// <summary>
/// Keeps track of the tensors created while it is the innermost scope of its thread and disposes
/// them when it is disposed. Scopes nest; a tensor can be moved to the enclosing scope or detached
/// (then its owner disposes it). Open one per training step so nothing leaks.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    private readonly DisposeScopeManager _manager;
    private HashSet<IDisposable>? _disposables = new(ReferenceEqualityComparer.Instance);

    internal DisposeScope(DisposeScopeManager manager, DisposeScope? outer)
    {
        _manager = manager;
        OuterScope = outer;
    }

    /// <summary>The scope that was current when this one was opened.</summary>
    public DisposeScope? OuterScope { get; }

    /// <summary>A snapshot of the tensors this scope will dispose.</summary>
    public IReadOnlyList<IDisposable> DisposablesView => _disposables?.ToArray() ?? Array.Empty<IDisposable>();

    /// <summary>How many tensors this scope currently owns.</summary>
    public int DisposablesCount => _disposables?.Count ?? 0;

    /// <summary>Whether the scope has been disposed.</summary>
    public bool IsDisposed => _disposables is null;

    /// <summary>Moves a tensor to the enclosing scope (or detaches it when there is none) and returns it.</summary>
    public T MoveToOuter<T>(T disposable) where T : IDisposable
    {
        MoveToOther(OuterScope, disposable);
        return disposable;
    }

    /// <summary>Moves tensors to the enclosing scope.</summary>
    public void MoveToOuter(params IDisposable[] disposables) => MoveToOuter((IEnumerable<IDisposable>)disposables);

    /// <summary>Moves tensors to the enclosing scope.</summary>
    public void MoveToOuter(IEnumerable<IDisposable> disposables)
    {
        foreach (var d in disposables) MoveToOther(OuterScope, d);
    }

    /// <summary>Moves a tensor to another scope (or detaches it when <paramref name="scope"/> is null).</summary>
    public T MoveToOther<T>(DisposeScope? scope, T disposable) where T : IDisposable
    {
        if (disposable is not torch.Tensor t) throw new InvalidOperationException($"Only tensors can be moved between dispose scopes, not {disposable?.GetType().Name ?? "null"}.");
        t.MoveToOtherDisposeScope(scope);
        return disposable;
    }

    /// <summary>Removes a tensor from this scope: the caller becomes responsible for disposing it.</summary>
    public T Detach<T>(T disposable) where T : IDisposable
    {
        MoveToOther(null, disposable);
        return disposable;
    }

    /// <summary>Removes tensors from this scope.</summary>
    public void Detach(params IDisposable[] disposables) => Detach((IEnumerable<IDisposable>)disposables);

    /// <summary>Removes tensors from this scope.</summary>
    public void Detach(IEnumerable<IDisposable> disposables)
    {
        foreach (var d in disposables) Detach(d);
    }

    /// <summary>Adds a tensor created elsewhere to this scope.</summary>
    public T Attach<T>(T disposable) where T : IDisposable
    {
        MoveToOther(this, disposable);
        return disposable;
    }

    /// <summary>Adds tensors created elsewhere to this scope.</summary>
    public void Attach(params IDisposable[] disposables) => Attach((IEnumerable<IDisposable>)disposables);

    /// <summary>Adds tensors created elsewhere to this scope.</summary>
    public void Attach(IEnumerable<IDisposable> disposables)
    {
        foreach (var d in disposables) Attach(d);
    }

    /// <summary>Disposes every tensor of this scope except the ones given; the scope stays open.</summary>
    public void DisposeEverythingBut(params IDisposable[] inclusive) => DisposeEverythingBut((IEnumerable<IDisposable>)inclusive);

    /// <summary>Disposes every tensor of this scope except the ones given; the scope stays open.</summary>
    public void DisposeEverythingBut(IEnumerable<IDisposable> inclusive)
    {
        if (_disposables is null) return;
        var keep = new HashSet<IDisposable>(inclusive, ReferenceEqualityComparer.Instance);
        foreach (var d in _disposables.Where(d => !keep.Contains(d)).ToList())
            d.Dispose();
    }

    /// <summary>Disposes every tensor of this scope; the scope stays open.</summary>
    public void DisposeEverything() => DisposeEverythingBut(Array.Empty<IDisposable>());

    /// <summary>Forgets a tensor that was disposed elsewhere.</summary>
    public void MarkAsDisposed(IDisposable disposable)
    {
        if (disposable is torch.Tensor t) _disposables?.Remove(t);
    }

    /// <summary>Whether the tensor is owned by this scope.</summary>
    public bool Contains(IDisposable disposable) => _disposables?.Contains(disposable) ?? false;

    /// <summary>Disposes every tensor still owned by this scope and closes it.</summary>
    public void Dispose()
    {
        if (_disposables is null) return;
        var owned = _disposables.ToArray();
        foreach (var d in owned) d.Dispose();
        _disposables = null;
        _manager.RemoveScope(this);
    }

    internal void Add(torch.Tensor t)
    {
        if (_disposables is null) throw new ObjectDisposedException(nameof(DisposeScope), "Cannot add a tensor to a disposed dispose scope.");
        _disposables.Add(t);
    }

    internal void Remove(torch.Tensor t) => _disposables?.Remove(t);
}

/// <summary>The per-thread stack of dispose scopes.</summary>
public sealed class DisposeScopeManager
{
    [ThreadStatic] private static DisposeScopeManager? s_threadSingleton;

    /// <summary>This thread's manager.</summary>
    public static DisposeScopeManager ThreadSingleton => s_threadSingleton ??= new DisposeScopeManager();

    /// <summary>The innermost open scope of this thread.</summary>
    public DisposeScope? CurrentDisposeScope { get; private set; }

    internal DisposeScope NewDisposeScope()
    {
        var scope = new DisposeScope(this, CurrentDisposeScope);
        CurrentDisposeScope = scope;
        return scope;
    }

    internal void RemoveScope(DisposeScope scope)
    {
        if (ReferenceEquals(CurrentDisposeScope, scope))
        {
            var outer = scope.OuterScope;
            while (outer is not null && outer.IsDisposed) outer = outer.OuterScope;
            CurrentDisposeScope = outer;
        }
    }

    /// <summary>Registers a new tensor with the current scope, if any; returns that scope.</summary>
    internal static DisposeScope? RegisterNew(torch.Tensor t)
    {
        var scope = s_threadSingleton?.CurrentDisposeScope;
        scope?.Add(t);
        return scope;
    }
}
