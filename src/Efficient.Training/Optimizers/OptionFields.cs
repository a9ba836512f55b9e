using System;
using System.Collections.Generic;
using System.IO;

namespace Efficient.Training.Optimizers;

/// <summary>
/// The hyper-parameters an optimizer's <c>Options</c> class adds to <see cref="OptimizerOptions"/>, listed
/// once, in the order of the saved format. From that list it fills a group's unset options from the
/// defaults, writes them after the base options (each a double or a bool; an unset one as its
/// fallback value), reads them back in the same order, and copies them from another options object.
/// </summary>
/// <typeparam name="TOptions">The options class.</typeparam>
internal sealed class OptionFields<TOptions> where TOptions : OptimizerOptions
{
    /// <summary>A reference to one nullable field of <paramref name="options"/>.</summary>
    public delegate ref T? Field<T>(TOptions options) where T : struct;

    private readonly List<IField> _fields = new();

    /// <summary>Adds a number, written as <paramref name="unset"/> when it is null.</summary>
    public OptionFields<TOptions> Add(Field<double> field, double unset)
    {
        _fields.Add(new Entry<double>(field, unset, (w, v) => w.Write(v), r => r.ReadDouble()));
        return this;
    }

    /// <summary>Adds a flag, written as <paramref name="unset"/> when it is null.</summary>
    public OptionFields<TOptions> Add(Field<bool> field, bool unset)
    {
        _fields.Add(new Entry<bool>(field, unset, (w, v) => w.Write(v), r => r.ReadBoolean()));
        return this;
    }

    /// <summary>Sets each field <paramref name="options"/> leaves null to its value in <paramref name="defaults"/>.</summary>
    public void Fill(TOptions options, TOptions defaults)
    {
        foreach (var f in _fields) f.Fill(options, defaults);
    }

    /// <summary>Writes the fields in order (call after the base options).</summary>
    public void Save(TOptions options, BinaryWriter writer)
    {
        foreach (var f in _fields) f.Save(options, writer);
    }

    /// <summary>Reads the fields in the order <see cref="Save"/> wrote them (call after the base options).</summary>
    public void Load(TOptions options, BinaryReader reader)
    {
        foreach (var f in _fields) f.Load(options, reader);
    }

    /// <summary>Copies the fields (null as null) from <paramref name="source"/> (call after the base options).</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not a <typeparamref name="TOptions"/>.</exception>
    public void Copy(TOptions options, OptimizerOptions source)
    {
        if (source is not TOptions s) throw new ArgumentException($"Expected {OptimizerArgs.TypeName(options)}, got {OptimizerArgs.TypeName(source)}.", nameof(source));
        foreach (var f in _fields) f.Copy(options, s);
    }

    private interface IField
    {
        void Fill(TOptions options, TOptions defaults);
        void Save(TOptions options, BinaryWriter writer);
        void Load(TOptions options, BinaryReader reader);
        void Copy(TOptions options, TOptions source);
    }

    private sealed class Entry<T>(Field<T> field, T unset, Action<BinaryWriter, T> write, Func<BinaryReader, T> read) : IField
        where T : struct
    {
        public void Fill(TOptions options, TOptions defaults) => field(options) ??= field(defaults);
        public void Save(TOptions options, BinaryWriter writer) => write(writer, field(options) ?? unset);
        public void Load(TOptions options, BinaryReader reader) => field(options) = read(reader);
        public void Copy(TOptions options, TOptions source) => field(options) = field(source);
    }
}
