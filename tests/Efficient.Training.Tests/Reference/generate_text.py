"""Reference for the masked-language-model corruption (MaskedLanguageModeling.Mask).

The draws are those of Hugging Face's DataCollatorForLanguageModeling.torch_mask_tokens, in the
same order, each from an explicit generator. Run with /usr/bin/python3 (PyTorch 1.13); writes
text.json next to this file.
"""
import json
import os

import torch

cases = []
for seed, p, shape in [(7, 0.15, (4, 12)), (123, 0.5, (3, 9)), (5, 1.0, (2, 6))]:
    g = torch.Generator().manual_seed(1000 + seed)
    ids = torch.randint(5, 50, shape, generator=g)
    ids[:, 0] = 2  # [CLS]
    ids[:, -1] = 3  # [SEP]
    special = (ids == 2) | (ids == 3)
    vocab, mask_id = 50, 4

    gen = torch.Generator().manual_seed(seed)
    labels = ids.clone()
    probability = torch.full(labels.shape, p)
    probability.masked_fill_(special, value=0.0)
    masked = torch.bernoulli(probability, generator=gen).bool()
    labels[~masked] = -100
    inputs = ids.clone()
    replaced = torch.bernoulli(torch.full(labels.shape, 0.8), generator=gen).bool() & masked
    inputs[replaced] = mask_id
    random = torch.bernoulli(torch.full(labels.shape, 0.5), generator=gen).bool() & masked & ~replaced
    words = torch.randint(vocab, labels.shape, dtype=torch.long, generator=gen)
    inputs[random] = words[random]
    cases.append({
        "seed": seed, "p": p, "shape": list(shape), "vocab": vocab, "mask_id": mask_id,
        "ids": ids.flatten().tolist(), "special": special.flatten().tolist(),
        "inputs": inputs.flatten().tolist(), "labels": labels.flatten().tolist(),
    })

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "text.json"), "w") as f:
    json.dump({"mlm": cases}, f)
