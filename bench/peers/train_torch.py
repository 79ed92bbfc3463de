#!/usr/bin/python3
"""PyTorch peer of the `train` bench suite (bench/Recur.Bench/TrainSuite.cs): one training step of a character-level
language model, the same as Recur's CharLanguageModel + Adam + clipping:

    Embedding(V, E) -> LSTM/GRU(E, H, L, batch_first) -> Linear(H, V); cross-entropy averaged over all B*T steps;
    optimizer.zero_grad(); loss.backward(); clip_grad_norm_(params, clip); Adam.step()

with the recurrent state carried from step to step, detached (truncated BPTT, as CharLanguageModel.Step does).
Tokens come from the file the C# suite writes (int32 little-endian, [K, 2, B, T]: K batches of inputs and targets),
so both sides train on identical data; batch k of the run is batch k mod K of the file.

Usage: /usr/bin/python3 bench/peers/train_torch.py THREADS [default|passive]        (JSON lines, like rnn_torch.py)
         {"cmd": "case", "cell": "lstm"|"gru", "layers": L, "vocab": V, "embed": E, "hidden": H, "B": B, "T": T,
          "lr": lr, "clip": c, "tokens": PATH}                                   -> {"ok": true}
         {"cmd": "run", "calls": N}   N timed training steps                      -> {"times": [...], "loss": last loss}
       /usr/bin/python3 bench/peers/train_torch.py THREADS POLICY --rss STEPS '<case JSON>'
         runs STEPS steps in a fresh process and prints {"vmhwm_mb": peak RSS in MiB, "loss": last loss}
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "common"))
import torch_env  # noqa: E402


def build(torch, cmd):
    import numpy as np
    b, t, v = cmd["B"], cmd["T"], cmd["vocab"]
    tokens = np.fromfile(cmd["tokens"], dtype="<i4")
    if tokens.size % (2 * b * t) != 0:
        raise ValueError(f"{cmd['tokens']} holds {tokens.size} tokens, not a multiple of 2*B*T = {2 * b * t}")
    batches = torch.from_numpy(tokens.reshape(-1, 2, b, t).astype(np.int64))
    nn = torch.nn
    torch.manual_seed(1)
    rnn_cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cmd["cell"]]
    embedding = nn.Embedding(v, cmd["embed"])
    rnn = rnn_cls(cmd["embed"], cmd["hidden"], num_layers=cmd["layers"], batch_first=True)
    head = nn.Linear(cmd["hidden"], v)
    model = nn.ModuleDict({"embedding": embedding, "rnn": rnn, "head": head}).train()
    params = list(model.parameters())
    optimizer = torch.optim.Adam(params, lr=cmd["lr"])
    loss_fn = nn.CrossEntropyLoss()
    state = {"hidden": None, "k": 0, "loss": float("nan")}

    def step():
        inputs, targets = batches[state["k"] % batches.shape[0]]
        state["k"] += 1
        optimizer.zero_grad()
        out, hidden = rnn(embedding(inputs), state["hidden"])
        logits = head(out)
        loss = loss_fn(logits.reshape(-1, v), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, cmd["clip"])
        optimizer.step()
        state["hidden"] = tuple(h.detach() for h in hidden) if isinstance(hidden, tuple) else hidden.detach()
        state["loss"] = loss.item()
    return step, state


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch = torch_env.setup(threads, sys.argv[2] if len(sys.argv) > 2 else "default")
    if len(sys.argv) > 3 and sys.argv[3] == "--rss":
        step, state = build(torch, json.loads(sys.argv[5]))
        for _ in range(int(sys.argv[4])):
            step()
        print(json.dumps({"vmhwm_mb": torch_env.peak_rss_mb(), "loss": state["loss"], "peer": torch_env.describe(torch)}),
              flush=True)
        return
    def case(cmd):
        step, state = build(torch, cmd)
        return step, lambda: {"loss": state["loss"]}

    torch_env.serve(torch, case)

if __name__ == "__main__":
    main()
