namespace Efficient.Training;

/// <summary>
/// What a technique does to one module of type <typeparamref name="TModule"/> (Composer's
/// replacement function): return a new module to put in its place, the module itself when the
/// policy changed it in place (for example by replacing a child through
/// <see cref="SurgeryPolicyContext{TOptions}.Surgery"/>), or null when it does not apply to this one.
/// </summary>
/// <typeparam name="TModule">The module type the policy is registered for.</typeparam>
/// <typeparam name="TOptions">The technique's options, passed through the context.</typeparam>
/// <param name="module">The module found in the model.</param>
/// <param name="context">Where it is, how many modules the registry changed before it, the technique's options and the surgery.</param>
public delegate nn.Module? SurgeryPolicy<in TModule, TOptions>(TModule module, SurgeryPolicyContext<TOptions> context) where TModule : class;
