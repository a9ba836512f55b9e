// Backend: TorchSharp from nuget.org. Selected by -p:TorchBackend=TorchSharp.
global using TorchSharp;
global using TorchSharp.Modules;
global using static TorchSharp.torch;
