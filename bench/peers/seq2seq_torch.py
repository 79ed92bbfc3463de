#!/usr/bin/python3
"""PyTorch peer of the `apps` bench suite's seq2seq rows: trains Recur's EncoderDecoder architecture (as
`recur train seq2seq` builds it) for the same wall-clock budget on the same pre-encoded split (JSON lines written by
the C# suite, indices from Recur's vocabularies), keeps the weights with the best validation token accuracy, and
decodes the test sources greedily. The C# suite scores the outputs with the same metrics as Recur's (exact match,
PER/WER, CER, BLEU, chrF), so both sides are measured by one implementation.

Model (names as Recur's state_dict):
    encoder.embedding = Embedding(source_vocab, embed, padding_idx=source_pad) -> dropout(dropout)
    encoder.rnn = LSTM | GRU(embed, hidden, layers, batch_first, bidirectional, dropout=rnn_dropout between layers),
        run unpacked with exact padding (apps_torch.run_rnn) -> out [B, S, D*hidden], last [B, D*hidden]
    memory = Linear(D*hidden, H, bias=False)(out)                     H = decoder_hidden
    attention: dot s_t = h . m_t; scaled-dot / sqrt(H); general s_t = (W h) . m_t (attention.query = Linear(H, H,
        bias=False)); additive s_t = v . tanh(W_q h + U m_t) (attention.query = Linear(H, A), attention.key =
        Linear(H, A, bias=False), attention.score = Linear(A, 1, bias=False)); softmax over t < len (exactly 0 beyond);
        ctx = sum_t a_t m_t
    h0 of decoder layer l = tanh(bridge_l(last)), c0 = 0; cells LSTMCell | GRUCell(embed + H for the first, H after)
    step: x = [dropout(target_embedding(y_prev)) ; feed]; h_l = cell_l(x, h_l); x = dropout(rnn_dropout)(h_l) between
        layers; ctx = attention(h_top); feed = tanh(combine([h_top ; ctx])); logits = output(dropout(feed))
    loss: cross-entropy with label_smoothing over the real target steps (target then EOS), teacher forcing.
Training as apps_torch.train: Adam(lr), clip_grad_norm_(clip), Recur's bucketed batches (by source length) from
numpy.random.default_rng([seed, epoch]), the clock checked after each batch, validation (teacher-forced token accuracy)
counted in the budget, keep-best. Test: greedy decoding in batches of 256 sources sorted by length, at most
max_steps tokens, stopping at EOS.

Usage: /usr/bin/python3 bench/peers/seq2seq_torch.py THREADS default|passive '<case JSON>'
    case: {"train": PATH, "valid": PATH (lines {"source": [int, ...], "target": [int, ...]}), "test": PATH (lines
           {"source": [int, ...]}), "out": PATH (written: one line {"tokens": [int, ...]} per test line, in order),
           "seconds", "seed", "batch", "lr", "clip", "source_vocab", "target_vocab", "source_pad", "target_pad",
           "bos", "eos", "embed", "cell": "lstm"|"gru", "hidden", "layers", "bidirectional", "rnn_dropout",
           "decoder_hidden", "decoder_layers", "attention": "additive"|"dot"|"general"|"scaled-dot", "attention_dim",
           "dropout", "label_smoothing", "max_steps"}
    progress on stderr; last stdout line: {"best_epoch", "epochs", "train_seconds", "pairs", "pairs_per_second",
    "valid_accuracy", "peer"}
"""
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "common"))
import torch_env  # noqa: E402


def read(path, keys):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                rows.append(tuple(d[k] for k in keys))
    return rows


def build(torch, case):
    nn = torch.nn
    from apps_torch import run_rnn

    class EncoderDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            e, h, hd = case["embed"], case["hidden"], case["decoder_hidden"]
            d = 2 if case["bidirectional"] else 1
            rnn = nn.LSTM if case["cell"] == "lstm" else nn.GRU
            self.lstm = case["cell"] == "lstm"
            self.encoder = nn.Module()
            self.encoder.embedding = nn.Embedding(case["source_vocab"], e, padding_idx=case["source_pad"])
            self.encoder.rnn = rnn(e, h, case["layers"], batch_first=True, bidirectional=case["bidirectional"],
                                   dropout=case["rnn_dropout"] if case["layers"] > 1 else 0.0)
            self.memory = nn.Linear(d * h, hd, bias=False)
            self.kind = case["attention"]
            self.attention = nn.Module()
            a = case["attention_dim"] or hd
            if self.kind == "general":
                self.attention.query = nn.Linear(hd, hd, bias=False)
            elif self.kind == "additive":
                self.attention.query = nn.Linear(hd, a)
                self.attention.key = nn.Linear(hd, a, bias=False)
                self.attention.score = nn.Linear(a, 1, bias=False)
            self.target_embedding = nn.Embedding(case["target_vocab"], e, padding_idx=case["target_pad"])
            cell = nn.LSTMCell if self.lstm else nn.GRUCell
            self.bridges = nn.ModuleList([nn.Linear(d * h, hd) for _ in range(case["decoder_layers"])])
            self.cells = nn.ModuleList([cell(e + hd if l == 0 else hd, hd) for l in range(case["decoder_layers"])])
            self.combine = nn.Linear(2 * hd, hd)
            self.output = nn.Linear(hd, case["target_vocab"])
            self.drop = nn.Dropout(case["dropout"])
            self.layer_drop = nn.Dropout(case["rnn_dropout"])

        def start(self, src, lengths):
            x = self.drop(self.encoder.embedding(src))
            out, last = run_rnn(torch, self.encoder.rnn, x, lengths, False)
            memory = self.memory(out)
            keys = self.attention.key(memory) if self.kind == "additive" else memory
            mask = torch.arange(src.shape[1]).unsqueeze(0) >= lengths.unsqueeze(1)
            hs = [torch.tanh(b(last)) for b in self.bridges]
            cs = [torch.zeros_like(h) for h in hs] if self.lstm else None
            feed = memory.new_zeros(src.shape[0], memory.shape[2])
            return memory, keys, mask, hs, cs, feed

        def step(self, prev, state):
            memory, keys, mask, hs, cs, feed = state
            x = torch.cat([self.drop(self.target_embedding(prev)), feed], dim=1)
            for l, cell in enumerate(self.cells):
                if self.lstm:
                    hs[l], cs[l] = cell(x, (hs[l], cs[l]))
                else:
                    hs[l] = cell(x, hs[l])
                x = self.layer_drop(hs[l]) if l < len(self.cells) - 1 else hs[l]
            top = hs[-1]
            if self.kind == "additive":
                s = self.attention.score(torch.tanh(self.attention.query(top).unsqueeze(1) + keys)).squeeze(2)
            else:
                q = self.attention.query(top) if self.kind == "general" else top
                s = torch.bmm(keys, q.unsqueeze(2)).squeeze(2)
                if self.kind == "scaled-dot":
                    s = s / math.sqrt(top.shape[1])
            a = torch.softmax(s.masked_fill(mask, -math.inf), dim=1)
            ctx = torch.bmm(a.unsqueeze(1), memory).squeeze(1)
            feed = torch.tanh(self.combine(torch.cat([top, ctx], dim=1)))
            return self.output(self.drop(feed)), (memory, keys, mask, hs, cs, feed)

        def logits(self, src, lengths, tgt_in):
            state = self.start(src, lengths)
            steps = []
            for t in range(tgt_in.shape[1]):
                out, state = self.step(tgt_in[:, t], state)
                steps.append(out)
            return torch.stack(steps, dim=1)

    return EncoderDecoder()


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: seq2seq_torch.py THREADS default|passive '<case JSON>'")
    torch = torch_env.setup(int(sys.argv[1]), sys.argv[2])
    import numpy as np
    from apps_torch import bucketed
    case = json.loads(sys.argv[3])
    torch.manual_seed(case["seed"])
    train = read(case["train"], ["source", "target"])
    valid = read(case["valid"], ["source", "target"])
    test = [s for (s,) in read(case["test"], ["source"])]
    model = build(torch, case)
    params = list(model.parameters())
    optimizer = torch.optim.Adam(params, lr=case["lr"])
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=case["label_smoothing"])
    spad, tpad, bos, eos = case["source_pad"], case["target_pad"], case["bos"], case["eos"]

    def batch(rows, idx):
        src = [rows[i][0] for i in idx]
        tgt = [rows[i][1] for i in idx]
        s, t = max(map(len, src)), max(map(len, tgt)) + 1
        x = torch.full((len(idx), s), spad, dtype=torch.long)
        yi = torch.full((len(idx), t), tpad, dtype=torch.long)
        yo = torch.full((len(idx), t), -100, dtype=torch.long)
        for b, (a, y) in enumerate(zip(src, tgt)):
            x[b, :len(a)] = torch.tensor(a)
            yi[b, 0] = bos
            yi[b, 1:len(y) + 1] = torch.tensor(y)
            yo[b, :len(y)] = torch.tensor(y)
            yo[b, len(y)] = eos
        return x, torch.tensor([len(a) for a in src]), yi, yo

    def accuracy(rows):
        correct = total = 0
        order = np.argsort([len(r[0]) for r in rows], kind="stable")
        for i in range(0, len(order), 256):
            x, n, yi, yo = batch(rows, order[i:i + 256])
            pred = model.logits(x, n, yi).argmax(2)
            real = yo != -100
            correct += int((pred.eq(yo) & real).sum())
            total += int(real.sum())
        return correct / max(total, 1)

    lengths = np.array([len(r[0]) for r in train])
    print(f"# torch EncoderDecoder: {sum(p.numel() for p in params):,} parameters; {len(train)} train, {len(valid)} valid, "
          f"{len(test)} test; {case['seconds']} s budget", file=sys.stderr, flush=True)
    trained, pairs, epoch, best, best_epoch, best_state, out_of_time = 0.0, 0, 0, -1.0, 0, None, False
    while not out_of_time:
        epoch += 1
        model.train()
        start = time.perf_counter()
        for idx in bucketed(np, lengths, case["batch"], np.random.default_rng([case["seed"], epoch])):
            x, n, yi, yo = batch(train, idx)
            optimizer.zero_grad()
            logits = model.logits(x, n, yi)
            loss = loss_fn(logits.reshape(-1, logits.shape[2]), yo.reshape(-1))
            loss.backward()
            if case["clip"] > 0:
                torch.nn.utils.clip_grad_norm_(params, case["clip"])
            optimizer.step()
            pairs += len(idx)
            if trained + (time.perf_counter() - start) > case["seconds"]:
                out_of_time = True
                break
        model.eval()
        with torch.no_grad():
            acc = accuracy(valid)
        trained += time.perf_counter() - start
        out_of_time = out_of_time or trained > case["seconds"]
        if acc > best:
            best, best_epoch = acc, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        print(f"# torch epoch {epoch:3d} {trained:8.1f} s {pairs:9d} pairs  val accuracy {acc:.4f}", file=sys.stderr, flush=True)
    model.load_state_dict(best_state)
    model.eval()
    outputs = [None] * len(test)
    order = np.argsort([len(s) for s in test], kind="stable")
    with torch.no_grad():
        for i in range(0, len(order), 256):
            idx = order[i:i + 256]
            src = [test[j] for j in idx]
            x = torch.full((len(idx), max(map(len, src))), spad, dtype=torch.long)
            for b, a in enumerate(src):
                x[b, :len(a)] = torch.tensor(a)
            state = model.start(x, torch.tensor([len(a) for a in src]))
            prev = torch.full((len(idx),), bos, dtype=torch.long)
            done = torch.zeros(len(idx), dtype=torch.bool)
            tokens = [[] for _ in idx]
            for _ in range(case["max_steps"]):
                out, state = model.step(prev, state)
                prev = out.argmax(1)
                for b in range(len(idx)):
                    if not done[b]:
                        if int(prev[b]) == eos:
                            done[b] = True
                        else:
                            tokens[b].append(int(prev[b]))
                if bool(done.all()):
                    break
            for b, j in enumerate(idx):
                outputs[j] = tokens[b]
    with open(case["out"], "w", encoding="utf-8") as f:
        for t in outputs:
            f.write(json.dumps({"tokens": t}) + "\n")
    print(json.dumps({"best_epoch": best_epoch, "epochs": epoch, "train_seconds": trained, "pairs": pairs,
                      "pairs_per_second": pairs / trained if trained > 0 else None, "valid_accuracy": best,
                      "peer": torch_env.describe(torch)}), flush=True)


if __name__ == "__main__":
    main()
