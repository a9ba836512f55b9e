using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>
/// Runs its modules one after the other, each on the previous one's output. Children are named
/// "0", "1", ... unless a name is given. Intermediate results are disposed as soon as the next
/// module has consumed them (autograd keeps what it needs), so only the final output is returned.
/// </summary>
public class Sequential : nn.Module<Tensor, Tensor>
{
    private readonly List<(string name, nn.Module<Tensor, Tensor> module)> _entries = new();
    private readonly bool _ownsModules = true;

    /// <summary>A sequence of named modules.</summary>
    protected Sequential(params (string name, nn.Module<Tensor, Tensor> submodule)[] modules) : base(nameof(Sequential))
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var (n, m) in modules) append(n, m);
    }

    /// <summary>A sequence of modules named by position.</summary>
    protected Sequential(params nn.Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) append(m);
    }

    /// <summary>A view over <paramref name="entries"/> that shares, and does not dispose, their modules.</summary>
    private Sequential(IEnumerable<(string name, nn.Module<Tensor, Tensor> module)> entries, bool ownsModules) : base(nameof(Sequential))
    {
        _ownsModules = ownsModules;
        foreach (var (n, m) in entries) append(n, m);
    }

    internal static Sequential Create(IEnumerable<(string name, nn.Module<Tensor, Tensor> module)> entries) => new(entries, ownsModules: true);

    internal static Sequential Create(IEnumerable<nn.Module<Tensor, Tensor>> modules)
    {
        var result = new Sequential(Array.Empty<(string, nn.Module<Tensor, Tensor>)>(), ownsModules: true);
        foreach (var m in modules) result.append(m);
        return result;
    }

    /// <summary>Appends <paramref name="module"/> under <paramref name="name"/>, which must be new.</summary>
    public Sequential append(string name, nn.IModule<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is not nn.Module<Tensor, Tensor> m)
            throw new ArgumentException($"Sequential.append: the module is a {module.GetType().Name}; expected a torch.nn.Module<Tensor, Tensor>.", nameof(module));
        if (ReferenceEquals(m, this))
            throw new ArgumentException("Sequential.append: a Sequential cannot contain itself.", nameof(module));
        if (_entries.Any(e => e.name == name))
            throw new ArgumentException($"Sequential.append: name '{name}' is already used; expected a new name.", nameof(name));
        register_module(name, m);
        _entries.Add((name, m));
        return this;
    }

    /// <summary>Appends <paramref name="module"/> under the name of its position.</summary>
    public Sequential append(nn.IModule<Tensor, Tensor> module) => append(_entries.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor)
    {
        if (_entries.Count == 0) return tensor.alias();
        var current = tensor;
        foreach (var (_, module) in _entries)
        {
            var next = module.call(current);
            // Dispose intermediates (never the caller's input, nor a tensor a module handed back unchanged).
            if (!ReferenceEquals(current, tensor) && !ReferenceEquals(current, next)) current.Dispose();
            current = next;
        }
        return ReferenceEquals(current, tensor) ? tensor.alias() : current;
    }

    /// <summary>The number of modules.</summary>
    public int Count => _entries.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public nn.IModule<Tensor, Tensor> this[int index]
    {
        get
        {
            if (index < 0 || index >= _entries.Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Sequential has {_entries.Count} modules.");
            return _entries[index].module;
        }
    }

    /// <summary>
    /// The modules from <c>start</c> (inclusive) to <c>end</c> (exclusive) as a new Sequential that
    /// shares them, keeps their names, and does not dispose them. Negative values count from the end.
    /// </summary>
    public Sequential this[(int? start, int? end) index]
    {
        get
        {
            var start = Clamp(index.start ?? 0);
            var end = Clamp(index.end ?? _entries.Count);
            return Slice(start, Math.Max(start, end));
        }
    }

    /// <summary>The modules in <paramref name="index"/> as a new Sequential that shares them and does not dispose them.</summary>
    public Sequential this[Range index]
    {
        get
        {
            var (offset, length) = index.GetOffsetAndLength(_entries.Count);
            return Slice(offset, offset + length);
        }
    }

    private int Clamp(int i) => Math.Clamp(i < 0 ? i + _entries.Count : i, 0, _entries.Count);

    private Sequential Slice(int start, int end) => new(_entries.Skip(start).Take(end - start), ownsModules: false);

    /// <summary>Switches this module and its children to training (or evaluation) mode.</summary>
    public override void train(bool on = true) => base.train(on);

    /// <summary>Switches this module and its children to evaluation mode.</summary>
    public override void eval() => train(false);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (_ownsModules) base.Dispose(disposing);
    }

    private protected override void OnChildReplaced(string childName, nn.Module old, nn.Module replacement)
    {
        var i = _entries.FindIndex(e => e.name == childName);
        if (i < 0) return;
        if (replacement is not nn.Module<Tensor, Tensor> m)
            throw new ArgumentException($"Sequential: '{childName}' can only be replaced by a torch.nn.Module<Tensor, Tensor>, got {replacement.GetType().Name}.", nameof(replacement));
        _entries[i] = (childName, m);
    }
}

/// <summary>A list of modules, registered as children "0", "1", ... so that they are trained and saved.</summary>
public class ModuleList<T> : nn.Module, IList<T> where T : nn.Module
{
    private readonly List<T> _list = new();

    /// <summary>A list holding <paramref name="modules"/>.</summary>
    public ModuleList(params T[] modules) : base(nameof(ModuleList<T>))
    {
        ArgumentNullException.ThrowIfNull(modules);
        extend(modules);
    }

    /// <summary>Re-registers the items under their positions.</summary>
    protected override void RegisterComponents() => Sync();

    private void Sync()
    {
        ClearModules();
        for (var i = 0; i < _list.Count; i++) register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _list[i]);
    }

    private static T NotNull(T item, string name)
    {
        if (item is null) throw new ArgumentNullException(name, "ModuleList items must not be null.");
        return item;
    }

    /// <summary>The module at <paramref name="index"/>.</summary>
    public T this[int index]
    {
        get => _list[index];
        set
        {
            _list[index] = NotNull(value, nameof(value));
            Sync();
        }
    }

    /// <summary>The number of modules.</summary>
    public int Count => _list.Count;

    /// <summary>Always false.</summary>
    public bool IsReadOnly => false;

    /// <summary>Appends a module.</summary>
    public void Add(T item)
    {
        _list.Add(NotNull(item, nameof(item)));
        Sync();
    }

    /// <summary>Appends modules.</summary>
    public void append(params T[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        extend(parameters);
    }

    /// <summary>Removes every module (without disposing them).</summary>
    public void Clear()
    {
        _list.Clear();
        Sync();
    }

    /// <summary>Whether <paramref name="item"/> is in the list.</summary>
    public bool Contains(T item) => _list.Contains(item);

    /// <summary>Copies the modules into <paramref name="array"/>.</summary>
    public void CopyTo(T[] array, int arrayIndex) => _list.CopyTo(array, arrayIndex);

    /// <summary>Appends every module of <paramref name="modules"/>.</summary>
    public void extend(IEnumerable<T> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) _list.Add(NotNull(m, nameof(modules)));
        Sync();
    }

    /// <summary>Enumerates the modules in order.</summary>
    public IEnumerator<T> GetEnumerator() => _list.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The position of <paramref name="item"/>, or -1.</summary>
    public int IndexOf(T item) => _list.IndexOf(item);

    /// <summary>Inserts a module at <paramref name="index"/> (later modules are renamed).</summary>
    public void Insert(int index, T item)
    {
        _list.Insert(index, NotNull(item, nameof(item)));
        Sync();
    }

    /// <summary>Removes a module (without disposing it); later modules are renamed.</summary>
    public bool Remove(T item)
    {
        var removed = _list.Remove(item);
        if (removed) Sync();
        return removed;
    }

    /// <summary>Removes the module at <paramref name="index"/> (without disposing it).</summary>
    public void RemoveAt(int index)
    {
        _list.RemoveAt(index);
        Sync();
    }

    private protected override void OnChildReplaced(string childName, nn.Module old, nn.Module replacement)
    {
        if (!int.TryParse(childName, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) || i >= _list.Count) return;
        if (replacement is not T t)
            throw new ArgumentException($"ModuleList<{typeof(T).Name}>: item {i} can only be replaced by a {typeof(T).Name}, got {replacement.GetType().Name}.", nameof(replacement));
        _list[i] = t;
    }
}

/// <summary>
/// An ordered dictionary of modules, registered as children under their keys so that they are
/// trained and saved. Keys keep their insertion order.
/// </summary>
public class ModuleDict<T> : nn.Module, IDictionary<string, T>, IList<(string, T)> where T : nn.Module
{
    private readonly List<(string key, T module)> _list = new();

    /// <summary>An empty dictionary.</summary>
    public ModuleDict() : base(nameof(ModuleDict<T>)) { }

    private void Sync()
    {
        ClearModules();
        foreach (var (k, m) in _list) register_module(k, m);
    }

    /// <summary>Re-registers the items under their keys.</summary>
    protected override void RegisterComponents() => Sync();

    private int Find(string key) => _list.FindIndex(e => e.key == key);

    private static void CheckItem(string key, T value)
    {
        if (string.IsNullOrEmpty(key) || key.Contains('.'))
            throw new ArgumentException($"ModuleDict: key '{key}' is not valid; expected a non-empty name without '.'.", nameof(key));
        if (value is null) throw new ArgumentNullException(nameof(value), $"ModuleDict: the module for key '{key}' must not be null.");
    }

    /// <summary>Removes every item (without disposing the modules).</summary>
    public void clear() => Clear();

    /// <summary>The (key, module) pairs in order.</summary>
    public IEnumerator<(string, T)> items() => GetEnumerator();

    /// <summary>The keys in order.</summary>
    public IEnumerable<string> keys() => _list.Select(e => e.key).ToArray();

    /// <summary>The modules in order.</summary>
    public IEnumerable<T> values() => _list.Select(e => e.module).ToArray();

    /// <summary>The (key, module) pair at <paramref name="index"/>.</summary>
    public (string, T) this[int index]
    {
        get => _list[index];
        set
        {
            CheckItem(value.Item1, value.Item2);
            var other = Find(value.Item1);
            if (other >= 0 && other != index)
                throw new ArgumentException($"ModuleDict: key '{value.Item1}' is already used at position {other}.", nameof(value));
            _list[index] = value;
            Sync();
        }
    }

    /// <summary>The module under <paramref name="key"/>; setting a new key appends it.</summary>
    public T this[string key]
    {
        get
        {
            var i = Find(key);
            if (i < 0) throw new KeyNotFoundException($"ModuleDict has no key '{key}'.");
            return _list[i].module;
        }
        set
        {
            CheckItem(key, value);
            var i = Find(key);
            if (i >= 0) _list[i] = (key, value);
            else _list.Add((key, value));
            Sync();
        }
    }

    /// <summary>Always false.</summary>
    public bool IsReadOnly => false;

    /// <summary>The keys in order.</summary>
    public ICollection<string> Keys => _list.Select(e => e.key).ToList();

    /// <summary>The modules in order.</summary>
    public ICollection<T> Values => _list.Select(e => e.module).ToList();

    /// <summary>The number of items.</summary>
    public int Count => _list.Count;

    /// <summary>Appends an item; the key must be new.</summary>
    public void Add((string, T) item) => Add(item.Item1, item.Item2);

    /// <summary>Appends an item; the key must be new.</summary>
    public void Add(string key, T value)
    {
        CheckItem(key, value);
        if (Find(key) >= 0) throw new ArgumentException($"ModuleDict: key '{key}' is already present.", nameof(key));
        _list.Add((key, value));
        Sync();
    }

    /// <summary>Appends an item; the key must be new.</summary>
    public void Add(KeyValuePair<string, T> item) => Add(item.Key, item.Value);

    /// <summary>Whether this exact (key, module) pair is present.</summary>
    public bool Contains((string, T) item) => IndexOf(item) >= 0;

    /// <summary>Copies the pairs into <paramref name="array"/>.</summary>
    public void CopyTo((string, T)[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        for (var i = 0; i < _list.Count; i++) array[arrayIndex + i] = _list[i];
    }

    /// <summary>The position of this exact (key, module) pair, or -1.</summary>
    public int IndexOf((string, T) item) => _list.FindIndex(e => e.key == item.Item1 && ReferenceEquals(e.module, item.Item2));

    /// <summary>Inserts an item at <paramref name="index"/>; the key must be new.</summary>
    public void Insert(int index, (string, T) item)
    {
        CheckItem(item.Item1, item.Item2);
        if (Find(item.Item1) >= 0) throw new ArgumentException($"ModuleDict: key '{item.Item1}' is already present.", nameof(item));
        _list.Insert(index, item);
        Sync();
    }

    /// <summary>Removes this exact (key, module) pair (without disposing the module).</summary>
    public bool Remove((string, T) item)
    {
        var i = IndexOf(item);
        if (i < 0) return false;
        RemoveAt(i);
        return true;
    }

    /// <summary>Removes the item at <paramref name="index"/> (without disposing the module).</summary>
    public void RemoveAt(int index)
    {
        _list.RemoveAt(index);
        Sync();
    }

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool ContainsKey(string key) => Find(key) >= 0;

    /// <summary>Removes the item under <paramref name="key"/> (without disposing the module).</summary>
    public bool Remove(string key)
    {
        var i = Find(key);
        if (i < 0) return false;
        RemoveAt(i);
        return true;
    }

    /// <summary>The module under <paramref name="key"/>, if present.</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value)
    {
        var i = Find(key);
        value = i >= 0 ? _list[i].module : default;
        return i >= 0;
    }

    /// <summary>Removes every item (without disposing the modules).</summary>
    public void Clear()
    {
        _list.Clear();
        Sync();
    }

    /// <summary>Whether this exact key and module pair is present.</summary>
    public bool Contains(KeyValuePair<string, T> item) => Contains((item.Key, item.Value));

    /// <summary>Copies the items into <paramref name="array"/>.</summary>
    public void CopyTo(KeyValuePair<string, T>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        for (var i = 0; i < _list.Count; i++) array[arrayIndex + i] = new KeyValuePair<string, T>(_list[i].key, _list[i].module);
    }

    /// <summary>Removes this exact key and module pair.</summary>
    public bool Remove(KeyValuePair<string, T> item) => Remove((item.Key, item.Value));

    /// <summary>Enumerates the (key, module) pairs in order.</summary>
    public IEnumerator<(string, T)> GetEnumerator() => _list.Select(e => (e.key, e.module)).ToList().GetEnumerator();

    IEnumerator<KeyValuePair<string, T>> IEnumerable<KeyValuePair<string, T>>.GetEnumerator() =>
        _list.Select(e => new KeyValuePair<string, T>(e.key, e.module)).ToList().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private protected override void OnChildReplaced(string childName, nn.Module old, nn.Module replacement)
    {
        var i = Find(childName);
        if (i < 0) return;
        if (replacement is not T t)
            throw new ArgumentException($"ModuleDict<{typeof(T).Name}>: '{childName}' can only be replaced by a {typeof(T).Name}, got {replacement.GetType().Name}.", nameof(replacement));
        _list[i] = (childName, t);
    }
}
