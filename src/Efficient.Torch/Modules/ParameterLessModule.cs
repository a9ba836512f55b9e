using System;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>Marks a module that holds no parameters and no buffers (activations, pooling, dropout...).</summary>
public interface IParameterLessModule
{
}

/// <summary>
/// Base of modules with one input and no tensors of their own. Registering a parameter or a buffer
/// throws, and only parameter-less submodules are accepted.
/// </summary>
public abstract class ParameterLessModule<T1, TResult> : nn.Module<T1, TResult>, IParameterLessModule
{
    /// <summary>Creates the module.</summary>
    protected ParameterLessModule(string name) : base(name) { }

    /// <summary>Always throws: a parameter-less module has no buffers.</summary>
    public override void register_buffer(string name, Tensor tensor, bool persistent = true) =>
        throw new InvalidOperationException($"Cannot register buffer '{name}' on {GetName()}, which is declared parameter-less.");

    /// <summary>Always throws: a parameter-less module has no parameters.</summary>
    public override void register_parameter(string name, Parameter param) =>
        throw new InvalidOperationException($"Cannot register parameter '{name}' on {GetName()}, which is declared parameter-less.");

    /// <summary>Registers a submodule, which must itself be parameter-less.</summary>
    public override void register_module(string name, nn.Module submodule)
    {
        if (submodule is not IParameterLessModule)
            throw new InvalidOperationException($"Submodule '{name}' of the parameter-less {GetName()} must also be parameter-less, got {submodule?.GetName()}.");
        base.register_module(name, submodule);
    }
}

/// <summary>Base of modules with two inputs and no tensors of their own.</summary>
public abstract class ParameterLessModule<T1, T2, TResult> : nn.Module<T1, T2, TResult>, IParameterLessModule
{
    /// <summary>Creates the module.</summary>
    protected ParameterLessModule(string name) : base(name) { }

    /// <summary>Always throws: a parameter-less module has no buffers.</summary>
    public override void register_buffer(string name, Tensor tensor, bool persistent = true) =>
        throw new InvalidOperationException($"Cannot register buffer '{name}' on {GetName()}, which is declared parameter-less.");

    /// <summary>Always throws: a parameter-less module has no parameters.</summary>
    public override void register_parameter(string name, Parameter param) =>
        throw new InvalidOperationException($"Cannot register parameter '{name}' on {GetName()}, which is declared parameter-less.");

    /// <summary>Registers a submodule, which must itself be parameter-less.</summary>
    public override void register_module(string name, nn.Module submodule)
    {
        if (submodule is not IParameterLessModule)
            throw new InvalidOperationException($"Submodule '{name}' of the parameter-less {GetName()} must also be parameter-less, got {submodule?.GetName()}.");
        base.register_module(name, submodule);
    }
}
