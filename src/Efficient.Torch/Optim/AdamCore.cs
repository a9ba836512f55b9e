using System;
using System.Buffers;
using System.IO;
using Efficient.Torch.Interop;
using Efficient.Torch.Modules;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Optim;

/// <summary>The per-parameter state shared by Adam and AdamW.</summary>
internal interface IAdamState
{
    ref long StepRef { get; }
    ref Tensor? ExpAvg { get; }
    ref Tensor? ExpAvgSq { get; }
    ref Tensor? MaxExpAvgSq { get; }
}

/// <summary>The hyper-parameters shared by Adam and AdamW.</summary>
internal readonly record struct AdamHyper(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, bool Amsgrad, bool Maximize);

/// <summary>What Adam and AdamW share: validation, the native group step and state (de)serialization.</summary>
internal static class AdamCore
{
    internal static void Validate(double lr, double beta1, double beta2, double eps, double weight_decay, int group)
    {
        var where = OptimArgs.GroupSuffix(group);
        OptimArgs.NonNegative(lr, "lr", "learning rate", where);
        OptimArgs.NonNegative(eps, "eps", "epsilon value", where);
        OptimArgs.UnitIntervalOpen(beta1, "beta1", "beta parameter at index 0", where);
        OptimArgs.UnitIntervalOpen(beta2, "beta2", "beta parameter at index 1", where);
        OptimArgs.NonNegative(weight_decay, "weight_decay", "weight_decay value", where);
    }

    /// <summary>Updates one parameter group in one native call (Adam, or AdamW when <paramref name="decoupled"/>).</summary>
    internal static unsafe void StepGroup(Parameter[] ps, IAdamState[] states, in AdamHyper h, bool decoupled)
    {
        var n = ps.Length;
        if (n == 0) return;
        var pool = ArrayPool<IntPtr>.Shared;
        var handles = pool.Rent(4 * n);
        var steps = ArrayPool<long>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                var s = states[i];
                handles[i] = ps[i].Handle;
                handles[n + i] = s.ExpAvg?.Handle ?? IntPtr.Zero;
                handles[2 * n + i] = s.ExpAvgSq?.Handle ?? IntPtr.Zero;
                handles[3 * n + i] = s.MaxExpAvgSq?.Handle ?? IntPtr.Zero;
                steps[i] = s.StepRef;
            }
            int rc;
            fixed (IntPtr* p = handles)
            fixed (long* st = steps)
            {
                rc = decoupled
                    ? Native.ets_adamw_step(p, p + n, p + 2 * n, p + 3 * n, st, n, h.Lr, h.Beta1, h.Beta2, h.Eps, h.WeightDecay, h.Amsgrad ? 1 : 0, h.Maximize ? 1 : 0)
                    : Native.ets_adam_step(p, p + n, p + 2 * n, p + 3 * n, st, n, h.Lr, h.Beta1, h.Beta2, h.Eps, h.WeightDecay, h.Amsgrad ? 1 : 0, h.Maximize ? 1 : 0);
            }
            // Adopt the state tensors the native loop created (also after a failure part-way).
            for (var i = 0; i < n; i++)
            {
                var s = states[i];
                s.StepRef = steps[i];
                Adopt(ref s.ExpAvg, handles[n + i]);
                Adopt(ref s.ExpAvgSq, handles[2 * n + i]);
                Adopt(ref s.MaxExpAvgSq, handles[3 * n + i]);
            }
            Native.Check(rc);
        }
        finally
        {
            pool.Return(handles);
            ArrayPool<long>.Shared.Return(steps);
            GC.KeepAlive(ps);
            GC.KeepAlive(states);
        }
    }

    private static void Adopt(ref Tensor? slot, IntPtr handle)
    {
        if (slot is null && handle != IntPtr.Zero) slot = StateTensors.Adopt(handle);
    }

    internal static void Save(BinaryWriter writer, IAdamState s)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(s.StepRef);
        StateTensors.WriteConditional(writer, s.ExpAvg);
        StateTensors.WriteConditional(writer, s.ExpAvgSq);
        StateTensors.WriteConditional(writer, s.MaxExpAvgSq);
    }

    internal static void Load(BinaryReader reader, IAdamState s)
    {
        ArgumentNullException.ThrowIfNull(reader);
        s.StepRef = reader.ReadInt64();
        StateTensors.ReadConditional(reader, ref s.ExpAvg);
        StateTensors.ReadConditional(reader, ref s.ExpAvgSq);
        StateTensors.ReadConditional(reader, ref s.MaxExpAvgSq);
    }

    internal static void Copy(IAdamState target, IAdamState source)
    {
        target.StepRef = source.StepRef;
        StateTensors.Assign(ref target.ExpAvg, source.ExpAvg);
        StateTensors.Assign(ref target.ExpAvgSq, source.ExpAvgSq);
        StateTensors.Assign(ref target.MaxExpAvgSq, source.MaxExpAvgSq);
    }

    internal static void To(IAdamState s, Device device)
    {
        StateTensors.MoveTo(ref s.ExpAvg, device);
        StateTensors.MoveTo(ref s.ExpAvgSq, device);
        StateTensors.MoveTo(ref s.MaxExpAvgSq, device);
    }

    internal static void Dispose(IAdamState s)
    {
        s.ExpAvg?.Dispose();
        s.ExpAvg = null;
        s.ExpAvgSq?.Dispose();
        s.ExpAvgSq = null;
        s.MaxExpAvgSq?.Dispose();
        s.MaxExpAvgSq = null;
    }

    internal static bool Fits(IAdamState s, Parameter p)
    {
        var shape = p.shape;
        return StateTensors.Fits(s.ExpAvg, shape) && StateTensors.Fits(s.ExpAvgSq, shape) && StateTensors.Fits(s.MaxExpAvgSq, shape);
    }

    internal static bool ApproximatelyEquals(IAdamState a, IAdamState b)
        => a.StepRef == b.StepRef && Close(a.ExpAvg, b.ExpAvg) && Close(a.ExpAvgSq, b.ExpAvgSq) && Close(a.MaxExpAvgSq, b.MaxExpAvgSq);

    private static bool Close(Tensor? a, Tensor? b) => a is null ? b is null : b is not null && a.allclose(b);
}
