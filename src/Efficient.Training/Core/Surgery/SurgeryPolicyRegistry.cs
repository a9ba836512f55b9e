using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// Which module types a model-surgery technique changes, and how (Composer's <c>PolicyRegistry</c>):
/// a map from module type to <see cref="SurgeryPolicy{TModule, TOptions}"/>. Each technique that
/// rewrites parts of a model owns one (<c>Alibi.AttentionPolicies</c>,
/// <c>GatedLinearUnits.Policies</c>, <c>ProgressiveLayerDrop.Policies</c>, ...) with policies for
/// the library's own modules and for the small interfaces in the core (<see cref="ISelfAttention"/>,
/// <see cref="IFeedForward"/>, <see cref="IResidualScale"/>); a user's own model takes the
/// technique either by implementing the interface or by registering a policy for its module type.
/// </summary>
/// <remarks>
/// A module's policy is the one registered for its exact type, else for its nearest base class,
/// else for the first registered interface it implements. Registration is thread-safe and
/// replaces an earlier policy for the same type.
/// </remarks>
/// <typeparam name="TOptions">The technique's options, handed to every policy.</typeparam>
public sealed class SurgeryPolicyRegistry<TOptions>
{
    private readonly object _lock = new();
    private readonly List<(Type type, Func<object, SurgeryPolicyContext<TOptions>, nn.Module?> policy)> _policies = new();
    private readonly List<Type> _converted = new();

    /// <summary>Creates an empty registry.</summary>
    public SurgeryPolicyRegistry()
    {
    }

    /// <summary>The module types with a policy, in registration order.</summary>
    public IReadOnlyList<Type> ModuleTypes
    {
        get
        {
            lock (_lock) return _policies.Select(p => p.type).ToList();
        }
    }

    /// <summary>Registers (or replaces) the policy for modules of type <typeparamref name="TModule"/> (a class or an interface).</summary>
    /// <typeparam name="TModule">The module type; its subclasses use it too unless they have their own.</typeparam>
    /// <param name="policy">What to do with each such module.</param>
    public void Register<TModule>(SurgeryPolicy<TModule, TOptions> policy) where TModule : class
    {
        ArgumentNullException.ThrowIfNull(policy);
        lock (_lock)
        {
            _policies.RemoveAll(p => p.type == typeof(TModule));
            _policies.Add((typeof(TModule), (module, context) => policy((TModule)module, context)));
        }
    }

    /// <summary>Removes the policy registered for <typeparamref name="TModule"/>; returns whether there was one.</summary>
    /// <typeparam name="TModule">The module type.</typeparam>
    public bool Remove<TModule>() where TModule : class
    {
        lock (_lock) return _policies.RemoveAll(p => p.type == typeof(TModule)) > 0;
    }

    /// <summary>
    /// Declares <typeparamref name="TConverted"/> a module the technique produces (a wrapper): the
    /// modules inside one are left alone, so applying the technique twice does not wrap twice.
    /// </summary>
    /// <typeparam name="TConverted">The produced module type.</typeparam>
    public void MarkConverted<TConverted>() where TConverted : nn.Module
    {
        lock (_lock)
            if (!_converted.Contains(typeof(TConverted))) _converted.Add(typeof(TConverted));
    }

    /// <summary>Whether a policy applies to modules of <paramref name="moduleType"/>.</summary>
    /// <param name="moduleType">The module's runtime type.</param>
    public bool HasPolicyFor(Type moduleType)
    {
        ArgumentNullException.ThrowIfNull(moduleType);
        lock (_lock) return Find(moduleType) is not null;
    }

    /// <summary>
    /// Applies the policies to <see cref="ModelSurgery.Root"/> and every module below it, outermost
    /// first (the root, then <c>named_modules()</c> order). A module a policy replaced or changed is not entered again,
    /// nor is any module inside a converted one (<see cref="MarkConverted{TConverted}"/>); the root
    /// itself can be changed in place but not replaced. Returns how many modules were changed.
    /// </summary>
    /// <param name="surgery">The surgery to apply through (it keeps the optimizer valid and the report).</param>
    /// <param name="options">The technique's options, handed to each policy.</param>
    /// <exception cref="InvalidOperationException">A policy returned a replacement for the root module.</exception>
    public int Apply(ModelSurgery surgery, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(surgery);
        List<(Type type, Func<object, SurgeryPolicyContext<TOptions>, nn.Module?> policy)> policies;
        List<Type> converted;
        lock (_lock)
        {
            policies = _policies.ToList();
            converted = _converted.ToList();
        }
        var count = 0;
        var skip = new List<string>();
        foreach (var (path, module) in new[] { (name: "", module: surgery.Root) }.Concat(surgery.Root.named_modules()).ToList())
        {
            if (skip.Any(p => p.Length == 0 || path.StartsWith(p + ".", StringComparison.Ordinal))) continue;
            if (converted.Any(t => t.IsInstanceOfType(module)))
            {
                skip.Add(path);
                continue;
            }
            var policy = Find(module.GetType(), policies);
            if (policy is null) continue;
            var result = policy(module, new SurgeryPolicyContext<TOptions>(path, count, options, surgery));
            if (result is null) continue;
            if (!ReferenceEquals(result, module))
            {
                if (path.Length == 0)
                    throw new InvalidOperationException($"A surgery policy for {module.GetType().Name} returned a replacement for the root module; the root can only be changed in place (return the module itself).");
                surgery.Replace(path, result);
            }
            skip.Add(path);
            count++;
        }
        return count;
    }

    private Func<object, SurgeryPolicyContext<TOptions>, nn.Module?>? Find(Type moduleType) => Find(moduleType, _policies);

    private static Func<object, SurgeryPolicyContext<TOptions>, nn.Module?>? Find(Type moduleType,
        List<(Type type, Func<object, SurgeryPolicyContext<TOptions>, nn.Module?> policy)> policies)
    {
        for (var t = moduleType; t is not null; t = t.BaseType)
            foreach (var (type, policy) in policies)
                if (type == t) return policy;
        foreach (var (type, policy) in policies)
            if (type.IsInterface && type.IsAssignableFrom(moduleType)) return policy;
        return null;
    }
}
