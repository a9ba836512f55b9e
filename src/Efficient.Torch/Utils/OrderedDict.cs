using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;

namespace Efficient.Torch.Utils;

/// <summary>
/// A dictionary that remembers insertion order (TorchSharp's <c>Utils.OrderedDict</c>): key lookup
/// is a hash lookup, enumeration yields <c>(key, value)</c> pairs in the order the keys were added.
/// Replacing the value of an existing key keeps its position.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public class OrderedDict<TKey, TValue> : IEnumerable<(TKey, TValue)> where TKey : notnull
{
    private readonly List<TKey> _order = new();
    private readonly Dictionary<TKey, TValue> _dict = new();

    /// <summary>The number of entries.</summary>
    public int Count => _dict.Count;

    /// <summary>The value stored under <paramref name="key"/>; setting adds the key when it is new.</summary>
    public TValue this[TKey key]
    {
        get => _dict.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"The key '{key}' is not in the dictionary.");
        set
        {
            if (!_dict.ContainsKey(key)) _order.Add(key);
            _dict[key] = value;
        }
    }

    /// <summary>The entry at position <paramref name="index"/> in insertion order.</summary>
    public (TKey, TValue) this[int index]
    {
        get
        {
            var key = _order[index];
            return (key, _dict[key]);
        }
    }

    /// <summary>The keys in insertion order.</summary>
    public ICollection<TKey> Keys => _order.ToList();

    /// <summary>The values in insertion order.</summary>
    public ICollection<TValue> Values => _order.Select(k => _dict[k]).ToList();

    /// <summary>The keys in insertion order.</summary>
    public IEnumerable<TKey> keys() => Keys;

    /// <summary>The values in insertion order.</summary>
    public IEnumerable<TValue> values() => Values;

    /// <summary>The entries in insertion order.</summary>
    public IEnumerator<(TKey, TValue)> items() => GetEnumerator();

    /// <summary>Adds a new entry; throws when the key exists.</summary>
    public void Add(TKey key, TValue value)
    {
        _dict.Add(key, value);
        _order.Add(key);
    }

    /// <summary>Adds a new entry; throws when the key exists.</summary>
    public void Add((TKey, TValue) item) => Add(item.Item1, item.Item2);

    /// <summary>Whether the key is present.</summary>
    public bool ContainsKey(TKey key) => _dict.ContainsKey(key);

    /// <summary>Looks a key up.</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => _dict.TryGetValue(key, out value);

    /// <summary>Removes the entry with this key; returns whether it was present.</summary>
    public bool Remove(TKey key)
    {
        if (!_dict.Remove(key)) return false;
        _order.Remove(key);
        return true;
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        _dict.Clear();
        _order.Clear();
    }

    /// <summary>Removes every entry.</summary>
    public void clear() => Clear();

    /// <summary>Enumerates <c>(key, value)</c> pairs in insertion order.</summary>
    public IEnumerator<(TKey, TValue)> GetEnumerator()
    {
        foreach (var key in _order.ToArray()) yield return (key, _dict[key]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
