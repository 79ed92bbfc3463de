#!/usr/bin/python3
"""PyTorch peer of the `charlm` bench suite (bench/Recur.Bench/CharLmSuite.cs): trains the same character language
model as Recur for the same wall-clock budget on the same text and reports validation bits per character over time.

    Embedding(V, E) -> LSTM(E, H, 1 layer, batch_first) -> Linear(H, V); cross-entropy averaged over all B*T steps;
    optimizer.zero_grad(); loss.backward(); clip_grad_norm_(params, clip); Adam.step()

Data: the int32 little-endian token file the C# suite writes (Moby Dick encoded by Recur's CharEncoder, so the
indices are Recur's); tokens [0, split) train, [split, N) validation. Batching is Recur's LanguageModelBatcher: a
stream x[0..N) is cut into B lanes of L = (N - 1) // B tokens, lane b starting at b*L; batch i holds steps
[i*T, i*T + T) of every lane (the last batch shorter), targets shifted by one. Training walks the training lanes in
order, epoch after epoch, with the state carried from batch to batch, detached (stateful truncated BPTT) and reset at
each epoch start. Evaluation (no grad) walks the validation lanes (B_val = max(1, min(B, (N_val - 1) // (T + 1))), as
`recur train charlm`) with the state carried, and returns the mean cross-entropy over all predicted characters / ln 2;
like CharLanguageModel.BitsPerCharacter it leaves the training state reset. The training clock is paused while
evaluating; evaluation happens every `eval_every` seconds of training and at the end of the budget.

Usage: /usr/bin/python3 bench/peers/charlm_torch.py THREADS default|passive '<case JSON>'
         case: {"tokens": PATH, "split": S, "vocab": V, "embed": E, "hidden": H, "B": B, "T": T, "lr": lr,
                "clip": c, "seconds": budget, "eval_every": seconds, "seed": n}
       progress on stderr; last stdout line: {"curve": [[train_seconds, val_bpc], ...], "steps": n, "chars": n,
       "train_seconds": s, "peer": description}
"""
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "common"))
import torch_env  # noqa: E402


def lanes(tokens, b):
    """(inputs [B, L], targets [B, L]) of Recur's LanguageModelBatcher lane layout."""
    length = (tokens.shape[0] - 1) // b
    x = tokens[:b * length + 1]
    inputs = x[:b * length].reshape(b, length)
    targets = x[1:b * length + 1].reshape(b, length)
    return inputs, targets


def batches(inputs, targets, t):
    for t0 in range(0, inputs.shape[1], t):
        yield inputs[:, t0:t0 + t], targets[:, t0:t0 + t]


def main():
    torch = torch_env.setup(int(sys.argv[1]), sys.argv[2])
    import numpy as np
    case = json.loads(sys.argv[3])
    v, b, t = case["vocab"], case["B"], case["T"]
    tokens = torch.from_numpy(np.fromfile(case["tokens"], dtype="<i4").astype(np.int64))
    split = case["split"]
    train_in, train_tg = lanes(tokens[:split], b)
    valid = tokens[split:]
    valid_in, valid_tg = lanes(valid, max(1, min(b, (valid.shape[0] - 1) // (t + 1))))

    torch.manual_seed(case["seed"])
    nn = torch.nn
    embedding = nn.Embedding(v, case["embed"])
    rnn = nn.LSTM(case["embed"], case["hidden"], num_layers=1, batch_first=True)
    head = nn.Linear(case["hidden"], v)
    model = nn.ModuleDict({"embedding": embedding, "rnn": rnn, "head": head})
    params = list(model.parameters())
    optimizer = torch.optim.Adam(params, lr=case["lr"])
    loss_fn = nn.CrossEntropyLoss()

    def forward(inputs, hidden):
        out, hidden = rnn(embedding(inputs), hidden)
        return head(out).reshape(-1, v), hidden

    def bits_per_character():
        model.eval()
        total, count, hidden = 0.0, 0, None
        with torch.no_grad():
            for inputs, targets in batches(valid_in, valid_tg, t):
                logits, hidden = forward(inputs, hidden)
                total += loss_fn(logits, targets.reshape(-1)).item() * targets.numel()
                count += targets.numel()
        model.train()
        return total / count / math.log(2)

    budget, eval_every = case["seconds"], case["eval_every"]
    curve, steps, chars, trained = [], 0, 0, 0.0
    next_eval = eval_every
    model.train()
    while trained < budget:
        hidden = None  # epoch start (and after each evaluation, like Recur)
        for inputs, targets in batches(train_in, train_tg, t):
            start = time.perf_counter()
            optimizer.zero_grad()
            logits, hidden = forward(inputs, hidden)
            loss = loss_fn(logits, targets.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, case["clip"])
            optimizer.step()
            hidden = tuple(h.detach() for h in hidden)
            trained += time.perf_counter() - start
            steps += 1
            chars += targets.numel()
            if trained >= next_eval or trained >= budget:
                curve.append([round(trained, 3), bits_per_character()])
                print(f"# torch {trained:7.1f} s  {steps:6d} steps  val bpc {curve[-1][1]:.4f}", file=sys.stderr, flush=True)
                next_eval += eval_every
                hidden = None
                if trained >= budget:
                    break
    print(json.dumps({"curve": curve, "steps": steps, "chars": chars, "train_seconds": trained,
                      "peer": torch_env.describe(torch)}), flush=True)


if __name__ == "__main__":
    main()
