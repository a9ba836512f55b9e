"""One training step of the two reference models, timed in PyTorch (the baseline that the
C# benchmark `dotnet run --project bench/Efficient.Training.Bench -c Release -- train-step` is
compared with; bench/run-train-step.sh runs both). Run with /usr/bin/python3 (Debian's PyTorch 1.13).

Models (identical to bench/Efficient.Training.Bench/TrainStepModels.cs):
  resnet: 28x28x1 input, batch 128, 32-channel 3x3 stem + BN + ReLU, three 3x3 residual blocks
          with BatchNorm, global average pool, linear head (10); SGD momentum 0.9, lr 0.1.
  bert:   vocabulary 1000, 2 post-norm encoder layers, width 128, 4 heads, FFN 512 with GELU,
          sequence 64, batch 32, learned positions, MLM head over the vocabulary; AdamW.
Prints one JSON line: {"model": ..., "median_ms": ..., "median_cpu_ms": ..., "median_minor_faults": ...,
"steps_ms": [...]} (CPU time and minor page faults of the process during each timed step).
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + x)


class ResNet(nn.Module):
    def __init__(self, width=32, blocks=3, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(1, width, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        self.blocks = nn.Sequential(*[Block(width) for _ in range(blocks)])
        self.head = nn.Linear(width, classes)

    def forward(self, x):
        h = F.relu(self.bn(self.stem(x)))
        h = self.blocks(h)
        h = F.adaptive_avg_pool2d(h, 1).flatten(1)
        return self.head(h)


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ffn)
        self.ff2 = nn.Linear(ffn, d)
        self.norm2 = nn.LayerNorm(d)

    def forward(self, x):
        b, s, d = x.shape
        h = self.heads
        q, k, v = self.qkv(x).view(b, s, 3, h, d // h).permute(2, 0, 3, 1, 4).unbind(0)
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // h), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, s, d)
        x = self.norm1(x + self.out(y))
        return self.norm2(x + self.ff2(F.gelu(self.ff1(x))))


class Bert(nn.Module):
    def __init__(self, vocab=1000, d=128, layers=2, heads=4, ffn=512, seq=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(seq, d)
        self.norm = nn.LayerNorm(d)
        self.layers = nn.ModuleList([EncoderLayer(d, heads, ffn) for _ in range(layers)])
        self.head = nn.Linear(d, vocab)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1])
        x = self.norm(self.tok(ids) + self.pos(pos))
        for layer in self.layers:
            x = layer(x)
        return self.head(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["resnet", "bert"], required=True)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.model == "resnet":
        model = ResNet()
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = torch.randn(128, 1, 28, 28)
        y = torch.randint(0, 10, (128,))
    else:
        model = Bert()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
        x = torch.randint(0, 1000, (32, 64))
        y = torch.randint(0, 1000, (32, 64))
    model.train()
    times = []
    cpu = []
    faults = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        cpu_start = time.process_time()
        faults_start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss.backward()
        opt.step()
        elapsed = (time.perf_counter() - start) * 1000
        if step >= args.warmup:
            times.append(elapsed)
            cpu.append((time.process_time() - cpu_start) * 1000)
            faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_start)
    print(json.dumps({"model": args.model, "median_ms": statistics.median(times), "median_cpu_ms": statistics.median(cpu),
                      "median_minor_faults": statistics.median(faults), "steps_ms": times, "threads": args.threads,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
