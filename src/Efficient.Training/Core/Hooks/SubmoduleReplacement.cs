using System;
using System.Collections;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using TorchSharp.Utils;

namespace Efficient.Training;

/// <summary>
/// Puts a module in the place of a child, so that it is what runs. TorchSharp keeps a child in
/// three places: the parent's registry of submodules (what <c>named_modules()</c> and
/// <c>parameters()</c> walk, which <c>register_module</c> refuses to overwrite), the fields of the
/// parent class that <c>forward</c> calls, and the private lists of containers (<c>Sequential</c>
/// runs from its own list, <c>ModuleList</c> and <c>ModuleDict</c> index their own). All three are
/// updated here, in place and at the same position.
/// </summary>
internal static class SubmoduleReplacement
{
    private const BindingFlags Fields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly FieldInfo Registry = typeof(nn.Module).GetField("_internal_submodules", Fields)
        ?? throw new MissingFieldException(nameof(nn.Module), "_internal_submodules");

    /// <summary>Replaces <paramref name="parent"/>'s child <paramref name="name"/> (currently <paramref name="old"/>) with <paramref name="replacement"/>.</summary>
    /// <exception cref="ArgumentException">A field or container of the parent cannot hold the replacement's type.</exception>
    public static void Replace(nn.Module parent, string name, nn.Module old, nn.Module replacement)
    {
        // First the fields and containers (they may refuse the type), then the registry.
        for (var type = parent.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
            foreach (var field in type.GetFields(Fields))
                ReplaceIn(parent, field, name, old, replacement);

        var registry = (OrderedDict<string, nn.Module>)Registry.GetValue(parent)!;
        var keys = registry.Keys.ToArray();
        var values = registry.Values.ToArray();
        registry.Clear();
        for (var i = 0; i < keys.Length; i++)
            registry.Add(keys[i], keys[i] == name ? replacement : values[i]);
    }

    private static void ReplaceIn(nn.Module parent, FieldInfo field, string name, nn.Module old, nn.Module replacement)
    {
        if (field.FieldType.IsValueType || field.FieldType == typeof(string)) return;
        var value = field.GetValue(parent);
        if (value is null) return;
        if (ReferenceEquals(value, old))
        {
            if (!field.FieldType.IsInstanceOfType(replacement))
                throw Mismatch(parent, name, replacement, $"field '{field.Name}' of type {field.FieldType.Name}");
            field.SetValue(parent, replacement);
            return;
        }
        if (value is nn.Module) return;   // another child: its own fields are its own business
        if (value is IList list && !list.IsReadOnly)
        {
            var elementType = ElementType(list.GetType());
            for (var i = 0; i < list.Count; i++)
            {
                var item = list[i];
                if (ReferenceEquals(item, old))
                {
                    if (elementType is not null && !elementType.IsInstanceOfType(replacement))
                        throw Mismatch(parent, name, replacement, $"list '{field.Name}' of {elementType.Name}");
                    list[i] = replacement;
                }
                else if (item is ITuple tuple && tuple.Length == 2 && ReferenceEquals(tuple[1], old) && elementType is not null)
                {
                    // ModuleDict's (name, module) pairs.
                    var itemType = elementType.GetGenericArguments()[1];
                    if (!itemType.IsInstanceOfType(replacement))
                        throw Mismatch(parent, name, replacement, $"list '{field.Name}' of {itemType.Name}");
                    list[i] = Activator.CreateInstance(elementType, tuple[0], replacement);
                }
            }
        }
        else if (value is IDictionary dictionary && !dictionary.IsReadOnly)
        {
            var keys = new ArrayList();
            foreach (DictionaryEntry entry in dictionary)
                if (ReferenceEquals(entry.Value, old)) keys.Add(entry.Key);
            foreach (var key in keys) dictionary[key] = replacement;
        }
    }

    private static Type? ElementType(Type listType)
    {
        if (listType.IsArray) return listType.GetElementType();
        foreach (var i in listType.GetInterfaces())
            if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(System.Collections.Generic.IList<>)) return i.GetGenericArguments()[0];
        return null;
    }

    private static ArgumentException Mismatch(nn.Module parent, string name, nn.Module replacement, string where)
        => new($"Cannot put a {replacement.GetType().Name} in place of child '{name}' of {parent.GetType().Name}: its {where} cannot hold it; expected a replacement of a compatible type.", nameof(replacement));
}
