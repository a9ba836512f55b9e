global using System;
global using static Efficient.Torch.torch;
