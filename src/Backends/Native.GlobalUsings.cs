// Backend: Efficient.Torch (our libtorch binding). Selected by -p:TorchBackend=Native (the default).
global using Efficient.Torch;
global using Efficient.Torch.Modules;
global using static Efficient.Torch.torch;
