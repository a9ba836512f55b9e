namespace Efficient.Torch;

/// <summary>How a convolution or <c>functional.pad</c> fills the border.</summary>
public enum PaddingModes
{
    /// <summary>Zeros.</summary>
    Zeros = 0,
    /// <summary>The mirror image of the input, without repeating the edge.</summary>
    Reflect = 1,
    /// <summary>The edge value repeated.</summary>
    Replicate = 2,
    /// <summary>The input wrapped around (periodic).</summary>
    Circular = 3,
    /// <summary>A constant value (<c>functional.pad</c> only).</summary>
    Constant = 4,
}

/// <summary>Padding given by rule rather than by size.</summary>
public enum Padding
{
    /// <summary>No padding.</summary>
    Valid = 0,
    /// <summary>Enough padding that the output has the input's size (stride 1 only).</summary>
    Same = 1,
}

public static partial class torch
{
    /// <summary>The sampling algorithm of <c>Upsample</c>.</summary>
    public enum UpsampleMode
    {
        /// <summary>Nearest neighbour.</summary>
        Nearest = 0,
        /// <summary>Linear (3-D input).</summary>
        Linear = 1,
        /// <summary>Bilinear (4-D input).</summary>
        Bilinear = 2,
        /// <summary>Bicubic (4-D input).</summary>
        Bicubic = 3,
        /// <summary>Trilinear (5-D input).</summary>
        Trilinear = 4,
    }

    /// <summary>The sampling algorithm of <c>functional.interpolate</c>.</summary>
    public enum InterpolationMode
    {
        /// <summary>Nearest neighbour (PyTorch's legacy 'nearest').</summary>
        Nearest = 0,
        /// <summary>Linear (3-D input).</summary>
        Linear = 1,
        /// <summary>Bilinear (4-D input).</summary>
        Bilinear = 2,
        /// <summary>Bicubic (4-D input).</summary>
        Bicubic = 3,
        /// <summary>Trilinear (5-D input).</summary>
        Trilinear = 4,
        /// <summary>Area averaging (adaptive average pooling).</summary>
        Area = 5,
        /// <summary>Nearest neighbour with pixel centres aligned ('nearest-exact').</summary>
        NearestExact = 6,
    }

    public static partial class nn
    {
        /// <summary>The activation of a transformer layer's feed-forward block.</summary>
        public enum Activations
        {
            /// <summary>Rectified linear unit.</summary>
            ReLU = 0,
            /// <summary>Gaussian error linear unit (exact).</summary>
            GELU = 1,
        }
    }
}
