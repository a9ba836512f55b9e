// The tensor engine is TorchSharp; library files use its names unqualified.
global using TorchSharp;
global using TorchSharp.Modules;
global using static TorchSharp.torch;
