global using System;
global using System.Linq;
global using TorchSharp;
global using Efficient.Training;
global using FluentAssertions;
global using Xunit;
global using static TorchSharp.torch;

// Training runs seed and read libtorch's process-wide generator, so tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
