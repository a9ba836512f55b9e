namespace Efficient.Torch;

/// <summary>The kind of device a tensor lives on (numbering as in libtorch's <c>c10::DeviceType</c>).</summary>
public enum DeviceType
{
    /// <summary>Host memory.</summary>
    CPU = 0,
    /// <summary>An NVIDIA GPU.</summary>
    CUDA = 1,
    /// <summary>oneDNN (MKL-DNN) layout.</summary>
    MKLDNN = 2,
    /// <summary>OpenGL.</summary>
    OPENGL = 3,
    /// <summary>OpenCL.</summary>
    OPENCL = 4,
    /// <summary>IDEEP.</summary>
    IDEEP = 5,
    /// <summary>AMD ROCm.</summary>
    HIP = 6,
    /// <summary>FPGA.</summary>
    FPGA = 7,
    /// <summary>MSNPU.</summary>
    MSNPU = 8,
    /// <summary>XLA.</summary>
    XLA = 9,
    /// <summary>Apple Metal Performance Shaders.</summary>
    MPS = 13,
    /// <summary>Shape-only tensors with no storage.</summary>
    META = 14,
}
