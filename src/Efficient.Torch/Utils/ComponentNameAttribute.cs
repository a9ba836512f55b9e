using System;

namespace Efficient.Torch.Utils;

/// <summary>Overrides the name under which a module field is registered by <c>RegisterComponents()</c>.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public class ComponentNameAttribute : Attribute
{
    /// <summary>The registered name.</summary>
    public string Name { get; set; } = "";
}
