global using System;
global using System.Linq;
global using Efficient.Torch;
global using Efficient.Training;
global using FluentAssertions;
global using Xunit;
global using static Efficient.Torch.torch;
