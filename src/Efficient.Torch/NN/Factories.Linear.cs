using System;
using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>A fully connected layer, initialised like PyTorch (Kaiming-uniform weight, uniform bias).</summary>
        public static Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null)
        {
            if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "Linear: inputSize must be positive.");
            if (outputSize <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "Linear: outputSize must be positive.");
            var bound = 1.0 / Math.Sqrt(inputSize);
            var weight = Owned.Param(empty(outputSize, inputSize, dtype, device).uniform_(-bound, bound));
            var bias = hasBias ? Owned.Param(empty(outputSize, dtype, device).uniform_(-bound, bound)) : null;
            return new Linear(weight, bias);
        }

        /// <summary>A fully connected layer from existing weight and bias.</summary>
        public static Linear Linear(Parameter weight, Parameter? bias = null)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (weight.dim() != 2) throw new ArgumentException($"Linear: weight must be 2-D [out, in], got {weight.dim()}-D.", nameof(weight));
            return new Linear(weight, bias);
        }
    }
}
