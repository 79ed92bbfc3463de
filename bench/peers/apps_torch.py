#!/usr/bin/python3
"""PyTorch peer of the `apps` bench suite: trains the same architecture as Recur for the same wall-clock budget on the
same pre-encoded splits (JSON lines written by the C# suite, indices from Recur's own vocabularies) and reports test
metrics of the weights with the best validation accuracy. apps_baseline.py gives the classical reference.

Training (both tasks): torch.manual_seed(seed) before the model is built (initialisation and dropout draw from it).
Epoch k orders the training sentences with numpy.random.default_rng([seed, k]) as Recur's BatchSampler.Bucketed with
50-batch pools: shuffle all indices, cut them into pools of 50 * batch, sort each pool by length (stable), cut it into
batches of `batch` (the last one of the epoch may be shorter), shuffle the batch order. Each batch: zero_grad, loss,
backward, clip_grad_norm_(all parameters, clip) when clip > 0, step, with Adam(lr), or AdamW(lr, weight_decay) when
weight_decay > 0. The training clock (time.perf_counter; batch assembly and optimizer included, file loading
excluded) is checked after each batch, as Recur's Trainer does with a time budget: training stops after the batch that
takes it past `seconds`. After each epoch, and once more after that last batch, VALID is evaluated with the clock
paused (eval mode: no dropout); a copy of the weights is kept when its accuracy is strictly above the best so far (the
first epoch always is). At the end the best weights are loaded and TEST is evaluated once. Evaluation runs the files
in batches of 256 sentences sorted by length.

Padding is exact: padded steps never change a result, so batching does not matter beyond float rounding. Every
recurrent layer goes through run_rnn: by default each direction runs unpacked over the padded batch, the reverse one
on rows reversed within their lengths, and pooling, losses and decoding mask the steps t >= len; with "packed": true
in the case it uses pack_padded_sequence(enforce_sorted=False) instead, which gives the same numbers but whose
backward is quadratic in the sentence length on torch 1.13's CPU (an epoch up to 2x and a long batch 5-10x slower,
see run_rnn).

classify: lines {"tokens": [int, ...] (at least one), "label": int, "chars": [[int, ...] per token] (with char_hidden)}.
    encoder.embedding = Embedding(vocab, embed, padding_idx=pad); with char_hidden > 0 each token's vector is
    [embedding ; chars(token)] where chars.embedding = Embedding(chars_vocab, char_embed, padding_idx=char_pad) and
    chars.rnn = LSTM(char_embed, char_hidden, 1, batch_first, bidirectional) over the token's characters, [h_n forward |
    h_n reverse]; then dropout(embed_dropout), element-wise
    encoder.rnn = LSTM | GRU(embed + 2*char_hidden, hidden, layers, batch_first, bidirectional, dropout=rnn_dropout between layers)
    pooling over the valid steps t < len of the output [B, T, D*hidden] (D = 2 if bidirectional):
        last: the final states h_n of the last layer, [forward | reverse] (the reverse direction's state after
              reading back to t = 0); mean / max: over t < len, per feature;
        attention: s_t = attention.score(tanh(attention.proj(out_t))) (proj = Linear(D*hidden, attention_dim),
              score = Linear(attention_dim, 1, bias=False)), a = softmax of s over t < len (exactly 0 at padding),
              pooled = sum_t a_t out_t
    -> dropout(dropout) -> head = Linear(D*hidden, classes); CrossEntropyLoss(weight=class_weights) (PyTorch's mean:
    sum of w[y] * loss over the batch / sum of w[y]).
    Test metrics: accuracy, macro_f1, weighted_f1 (sklearn f1_score over the classes present in TEST or predicted,
    zero_division=0), sentences.
tag: lines {"words": [int]*n (n >= 1), "chars": [[int, ...] (at least one)]*n, "tags": [int]*n, "seen": [0|1]*n}.
    words = Embedding(words_vocab, word_embed, padding_idx=word_pad)
    chars.embedding = Embedding(chars_vocab, char_embed, padding_idx=char_pad); chars.rnn = LSTM(char_embed,
        char_hidden, 1, batch_first, bidirectional) over every real word of the batch, packed by word length:
        [h_n forward | h_n reverse] = 2*char_hidden features per word
    x_t = dropout_p([words(w_t) ; chars(w_t)]); rnn = LSTM(word_embed + 2*char_hidden, hidden, layers, batch_first,
    bidirectional, dropout=p between layers); dropout_p on its output; head = Linear(2*hidden, tags) -> emissions.
    Word dropout (Recur's): in training, a word whose index occurs once in TRAIN is read as word_unk with probability
    word_dropout (numpy.random.default_rng([seed, epoch, 1])).
    Loss without crf: cross-entropy averaged over the real tokens. With crf: linear-chain CRF, parameters
    crf.start_transitions [C], crf.end_transitions [C], crf.transitions [C, C] (transitions[i, j] scores tag i followed
    by tag j), initialised uniform(-0.1, 0.1); loss = sum_b (log Z_b - score_b(gold tags)) / sum_b len_b; Viterbi
    decoding. Both vectorised over the batch (a loop over time only).
    Test metrics: accuracy (tokens), accuracy_unseen (tokens whose "seen" is 0; null when none), tokens,
    unseen_tokens.

Usage: /usr/bin/python3 bench/peers/apps_torch.py THREADS default|passive '<case JSON>'
         case, both tasks: {"task": "classify"|"tag", "train": PATH, "valid": PATH, "test": PATH, "seconds": budget,
                            "seed": n, "batch": B, "lr": lr, "clip": c (0 = off), "monitor": "accuracy",
                            "weight_decay": wd (optional, default 0), "packed": false (optional, see above),
                            "budget_includes_validation": false (optional: true counts validation time in the budget,
                            as Recur's --minutes does)}
         classify adds: "vocab", "pad", "classes", "embed", "cell": "lstm"|"gru", "hidden", "layers",
                        "bidirectional", "rnn_dropout", "embed_dropout", "pooling": "last"|"mean"|"max"|"attention",
                        "attention_dim" (attention only), "dropout", "class_weights": null | [C floats],
                        "char_hidden" (0 = no spelling network), "chars_vocab", "char_embed", "char_pad" (with it)
         tag adds: "words_vocab", "word_pad", "chars_vocab", "char_pad", "tags", "word_embed", "char_embed",
                   "char_hidden", "hidden", "layers", "dropout", "crf", "word_dropout" (optional, default 0),
                   "word_unk" (with word_dropout > 0)
       progress on stderr (one line per validation); last stdout line: {"test": {metrics}, "best_epoch": k,
       "epochs": epochs started, "train_seconds": s, "sentences": training sentences processed,
       "sentences_per_second": sentences / train_seconds, "peer": description}
       Errors in the case or the data exit non-zero with one line on stderr. Installs python3-torch,
       libopenblas0-openmp and python3-sklearn with apt-get when missing (common/torch_env.py).
"""
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "common"))
import torch_env  # noqa: E402

POOL_BATCHES = 50
EVAL_BATCH = 256


class CaseError(Exception):
    pass


def need(case, key, kind=None):
    """case[key], which must be present, not null, and (when given) of type `kind` (a bool is no number)."""
    value = case.get(key)
    if value is None:
        raise CaseError(f"the case needs \"{key}\"")
    if kind is not None and (not isinstance(value, kind) or isinstance(value, bool) and kind is not bool):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise CaseError(f"\"{key}\" must be {names}, got {value!r}")
    return value


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as e:
                    raise CaseError(f"{path}:{n}: not JSON ({e})") from e


# ----------------------------------------------------------------------------------------------------- data


class ClassifyData:
    """A split as flat numpy arrays: tokens of sentence i are flat[offsets[i] : offsets[i] + lengths[i]]."""

    def __init__(self, np, path, vocab, classes, char_pad=None):
        tokens, labels, chars = [], [], []
        for n, rec in read_jsonl(path):
            t, y = rec.get("tokens"), rec.get("label")
            if not isinstance(t, list) or not t or not isinstance(y, int):
                raise CaseError(f"{path}:{n}: needs a non-empty \"tokens\" list and an integer \"label\"")
            if char_pad is not None:
                c = rec.get("chars")
                if not isinstance(c, list) or len(c) != len(t) or not all(isinstance(w, list) and w for w in c):
                    raise CaseError(f"{path}:{n}: needs \"chars\", one non-empty list of character indices per token")
                chars += c
            tokens.append(t)
            labels.append(y)
        self.chars = None
        if char_pad is not None:  # one row of characters per token, aligned with flat
            self.char_lengths = np.array([len(c) for c in chars], dtype=np.int64)
            self.chars = np.full((len(chars), self.char_lengths.max()), char_pad, dtype=np.int64)
            for i, c in enumerate(chars):
                self.chars[i, :len(c)] = c
        if not tokens:
            raise CaseError(f"{path} holds no examples")
        self.lengths = np.array([len(t) for t in tokens], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.flat = np.array([i for t in tokens for i in t], dtype=np.int64)
        self.labels = np.array(labels, dtype=np.int64)
        if self.flat.min() < 0 or self.flat.max() >= vocab:
            raise CaseError(f"{path}: token indices span [{self.flat.min()}, {self.flat.max()}], outside [0, {vocab})")
        if self.labels.min() < 0 or self.labels.max() >= classes:
            raise CaseError(f"{path}: labels span [{self.labels.min()}, {self.labels.max()}], outside [0, {classes})")

    def __len__(self):
        return len(self.lengths)


class TagData:
    """A split as flat per-word numpy arrays (sentence i's words at offsets[i] + [0, lengths[i])), the characters of
    all words in one [words, longest word] matrix padded with char_pad."""

    def __init__(self, np, path, case):
        words, chars, tags, seen, lengths = [], [], [], [], []
        for n, rec in read_jsonl(path):
            w, c, t, s = (rec.get(k) for k in ("words", "chars", "tags", "seen"))
            if not all(isinstance(v, list) for v in (w, c, t, s)) or not w or not len(w) == len(c) == len(t) == len(s):
                raise CaseError(f"{path}:{n}: needs non-empty \"words\", \"chars\", \"tags\", \"seen\" of one length")
            if not all(isinstance(cs, list) and cs for cs in c):
                raise CaseError(f"{path}:{n}: every word needs at least one character index")
            words += w
            chars += c
            tags += t
            seen += s
            lengths.append(len(w))
        if not lengths:
            raise CaseError(f"{path} holds no sentences")
        self.lengths = np.array(lengths, dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.words = np.array(words, dtype=np.int64)
        self.tags = np.array(tags, dtype=np.int64)
        self.seen = np.array(seen, dtype=np.int64)
        self.char_lengths = np.array([len(c) for c in chars], dtype=np.int64)
        self.chars = np.full((len(chars), self.char_lengths.max()), case["char_pad"], dtype=np.int64)
        for i, c in enumerate(chars):
            self.chars[i, :len(c)] = c
        for name, a, size in (("word", self.words, case["words_vocab"]), ("tag", self.tags + (self.tags < 0), case["tags"]),
                              ("char", np.array([i for c in chars for i in c]), case["chars_vocab"])):
            # a tag of -1 is a gold tag outside the model's tag set (only in TEST): it is always scored as an error
            if a.min() < 0 or a.max() >= size:
                raise CaseError(f"{path}: {name} indices span [{a.min()}, {a.max()}], outside [0, {size})")
        if not np.isin(self.seen, [0, 1]).all():
            raise CaseError(f"{path}: \"seen\" must hold 0 or 1")

    def __len__(self):
        return len(self.lengths)


def bucketed(np, lengths, batch, rng):
    """Recur's BatchSampler.Bucketed(lengths, batch, rng, poolBatches: 50) with a numpy generator."""
    order = rng.permutation(len(lengths))
    pool = POOL_BATCHES * batch
    for start in range(0, len(order), pool):
        part = order[start:start + pool]
        order[start:start + pool] = part[np.argsort(lengths[part], kind="stable")]
    batches = [order[i:i + batch] for i in range(0, len(order), batch)]
    return [batches[i] for i in rng.permutation(len(batches))]


def sorted_batches(np, lengths):
    order = np.argsort(lengths, kind="stable")
    return [order[i:i + EVAL_BATCH] for i in range(0, len(order), EVAL_BATCH)]


def run_rnn(torch, rnn, x, lengths, packed):
    """Runs `rnn` (nn.LSTM / nn.GRU, batch_first) over the padded batch x [B, T, F] whose row b holds lengths[b] >= 1
    real steps. Returns (out [B, T, D*H], last [B, D*H]): out is exact at t < lengths[b] and must be masked beyond
    (zeros when packed, don't-care values otherwise); last = [forward state at lengths[b] - 1 | reverse state at t = 0]
    of the last layer, i.e. h_n as packing gives it. Padded steps never influence either.

    packed=True: pack_padded_sequence(enforce_sorted=False) and the module itself. packed=False (the default of the
    case): each layer and direction runs unpacked over the padded batch, the reverse direction on each row reversed
    within its length (steps t < len map to len - 1 - t, padding stays at the end), with the module's own parameters
    (torch._VF.lstm / gru, what nn.LSTM.forward calls) and dropout between layers as nn.LSTM applies it. Both give the
    same values (to float rounding); the unpacked form exists because torch 1.13's CPU backward through a packed
    sequence is quadratic in T (each step's slice of the input projection backpropagates as a zero tensor the size of
    the whole packed input, plus an add). Measured on the sentiment sentences (B 32, E 100, H 128, bidirectional LSTM,
    1 thread, loaded machine): the longest batch (T = 87) took 1.4-2.8 s per training step packed, 0.2-0.3 s unpacked;
    a whole epoch (mean 14 tokens) 3.6-6.5 s packed, 2.4-2.9 s unpacked. The LSTM alone at T = 40: 0.1-1.2 s packed
    (page faults of those big zero tensors make it erratic), 0.05 s unpacked.
    """
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    lstm = isinstance(rnn, torch.nn.LSTM)
    directions, layers, hidden = 2 if rnn.bidirectional else 1, rnn.num_layers, rnn.hidden_size
    if packed:
        out, h = rnn(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        h_n = h[0] if lstm else h  # [layers * D, B, H], in the batch's own order
        return out, torch.cat(list(h_n[-directions:]), dim=1)
    b, t = x.shape[0], x.shape[1]
    steps = torch.arange(t).unsqueeze(0)
    last_step = (lengths - 1).view(b, 1, 1).expand(b, 1, hidden)
    if directions == 2:
        reverse = torch.where(steps < lengths.unsqueeze(1), lengths.unsqueeze(1) - 1 - steps, steps)  # an involution
    h0 = x.new_zeros(1, b, hidden)
    run = torch._VF.lstm if lstm else torch._VF.gru
    for layer in range(layers):
        outs, finals = [], []
        for d in range(directions):
            suffix = f"l{layer}" + ("_reverse" if d else "")
            weights = [getattr(rnn, f"{name}_{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            xi = x if d == 0 else x.gather(1, reverse.unsqueeze(2).expand(-1, -1, x.shape[2]))
            # (input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
            o = run(xi, (h0, h0) if lstm else h0, weights, True, 1, 0.0, rnn.training, False, True)[0]
            finals.append(o.gather(1, last_step).squeeze(1))  # the state after the row's last real step
            outs.append(o if d == 0 else o.gather(1, reverse.unsqueeze(2).expand(-1, -1, hidden)))
        x = torch.cat(outs, dim=2) if directions == 2 else outs[0]
        if layer < layers - 1 and rnn.dropout > 0:
            x = torch.nn.functional.dropout(x, rnn.dropout, rnn.training)
    return x, torch.cat(finals, dim=1)


# ---------------------------------------------------------------------------------------------------- models


def build_classifier(torch, case):
    nn = torch.nn
    packed = bool(case.get("packed", False))
    vocab, pad, classes = need(case, "vocab", int), need(case, "pad", int), need(case, "classes", int)
    embed, hidden, layers = need(case, "embed", int), need(case, "hidden", int), need(case, "layers", int)
    cell, pooling, bi = need(case, "cell", str), need(case, "pooling", str), need(case, "bidirectional", bool)
    if cell not in ("lstm", "gru"):
        raise CaseError(f"\"cell\" must be lstm or gru, got {cell!r}")
    if pooling not in ("last", "mean", "max", "attention"):
        raise CaseError(f"\"pooling\" must be last, mean, max or attention, got {pooling!r}")
    rnn_dropout, embed_dropout = need(case, "rnn_dropout", (int, float)), need(case, "embed_dropout", (int, float))
    dropout = need(case, "dropout", (int, float))
    hc = case.get("char_hidden") or 0
    directions = 2 if bi else 1
    out_size = directions * hidden

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Module()
            self.encoder.embedding = nn.Embedding(vocab, embed, padding_idx=pad)
            # dropout between stacked layers only: with one layer it would do nothing (and torch warns)
            self.encoder.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(
                embed + 2 * hc, hidden, layers, batch_first=True, bidirectional=bi, dropout=rnn_dropout if layers > 1 else 0.0)
            if hc > 0:  # the spelling network: a BiLSTM over each token's characters, as Recur's CharWordEncoder
                self.chars = nn.Module()
                self.chars.embedding = nn.Embedding(need(case, "chars_vocab", int), need(case, "char_embed", int),
                                                    padding_idx=need(case, "char_pad", int))
                self.chars.rnn = nn.LSTM(case["char_embed"], hc, 1, batch_first=True, bidirectional=True)
            self.embed_dropout = nn.Dropout(embed_dropout)
            if pooling == "attention":
                self.attention = nn.Module()
                self.attention.proj = nn.Linear(out_size, need(case, "attention_dim", int))
                self.attention.score = nn.Linear(case["attention_dim"], 1, bias=False)
            self.dropout = nn.Dropout(dropout)
            self.head = nn.Linear(out_size, classes)

        def forward(self, tokens, lengths, chars=None, char_lengths=None):
            x = self.encoder.embedding(tokens)
            if hc > 0:
                b, t = tokens.shape
                _, per_word = run_rnn(torch, self.chars.rnn, self.chars.embedding(chars), char_lengths, packed)
                mask = torch.arange(t).unsqueeze(0) < lengths.unsqueeze(1)
                positions = mask.reshape(-1).nonzero().squeeze(1)  # row-major, the order the tokens were gathered in
                spelled = per_word.new_zeros(b * t, per_word.shape[1]).index_copy(0, positions, per_word)
                x = torch.cat([x, spelled.view(b, t, -1)], dim=2)
            x = self.embed_dropout(x)
            out, last = run_rnn(torch, self.encoder.rnn, x, lengths, packed)
            if pooling == "last":
                pooled = last
            else:
                valid = (torch.arange(out.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(2)  # [B, T, 1]
                if pooling == "mean":
                    pooled = out.masked_fill(~valid, 0.0).sum(1) / lengths.unsqueeze(1).to(out.dtype)
                elif pooling == "max":
                    pooled = out.masked_fill(~valid, float("-inf")).max(1).values
                else:
                    s = self.attention.score(torch.tanh(self.attention.proj(out)))  # [B, T, 1]
                    a = torch.softmax(s.masked_fill(~valid, float("-inf")), dim=1)  # exp(-inf) = 0 at padding
                    pooled = (a * out).sum(1)
            return self.head(self.dropout(pooled))

    return Classifier()


def build_tagger(torch, case):
    nn = torch.nn
    packed = bool(case.get("packed", False))
    keys = ("words_vocab", "word_pad", "chars_vocab", "char_pad", "tags", "word_embed", "char_embed", "char_hidden",
            "hidden", "layers")
    vw, word_pad, vc, char_pad, tags, ew, ec, hc, hidden, layers = (need(case, k, int) for k in keys)
    p, use_crf = need(case, "dropout", (int, float)), need(case, "crf", bool)

    class CRF(nn.Module):
        """Linear-chain CRF; transitions[i, j] scores tag i followed by tag j. mask [B, T] is a prefix of each row
        (length >= 1); tags at padded steps must be valid indices (they are ignored)."""

        def __init__(self, c):
            super().__init__()
            self.start_transitions = nn.Parameter(torch.empty(c).uniform_(-0.1, 0.1))
            self.end_transitions = nn.Parameter(torch.empty(c).uniform_(-0.1, 0.1))
            self.transitions = nn.Parameter(torch.empty(c, c).uniform_(-0.1, 0.1))

        def log_partition(self, em, mask):
            alpha = self.start_transitions + em[:, 0]  # [B, C]
            for t in range(1, em.shape[1]):
                nxt = torch.logsumexp(alpha.unsqueeze(2) + self.transitions + em[:, t].unsqueeze(1), dim=1)
                alpha = torch.where(mask[:, t:t + 1], nxt, alpha)
            return torch.logsumexp(alpha + self.end_transitions, dim=1)

        def score(self, em, gold, mask):
            m = mask.to(em.dtype)
            s = self.start_transitions[gold[:, 0]] + (em.gather(2, gold.unsqueeze(2)).squeeze(2) * m).sum(1)
            s = s + (self.transitions[gold[:, :-1], gold[:, 1:]] * m[:, 1:]).sum(1)
            last = gold.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)
            return s + self.end_transitions[last]

        def loss(self, em, gold, mask):
            return (self.log_partition(em, mask) - self.score(em, gold, mask)).sum() / mask.sum()

        def decode(self, em, mask):
            c = em.shape[2]
            keep = torch.arange(c).unsqueeze(0)  # padded steps point back to the same tag
            score, back = self.start_transitions + em[:, 0], []
            for t in range(1, em.shape[1]):
                best, arg = (score.unsqueeze(2) + self.transitions).max(dim=1)  # over the previous tag
                m = mask[:, t:t + 1]
                score = torch.where(m, best + em[:, t], score)
                back.append(torch.where(m, arg, keep))
            tag = (score + self.end_transitions).argmax(dim=1)
            path = [tag]
            for arg in reversed(back):
                tag = arg.gather(1, tag.unsqueeze(1)).squeeze(1)
                path.append(tag)
            return torch.stack(path[::-1], dim=1)

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.words = nn.Embedding(vw, ew, padding_idx=word_pad)
            self.chars = nn.Module()
            self.chars.embedding = nn.Embedding(vc, ec, padding_idx=char_pad)
            self.chars.rnn = nn.LSTM(ec, hc, 1, batch_first=True, bidirectional=True)
            self.dropout = nn.Dropout(p)
            self.rnn = nn.LSTM(ew + 2 * hc, hidden, layers, batch_first=True, bidirectional=True,
                               dropout=p if layers > 1 else 0.0)
            self.head = nn.Linear(2 * hidden, tags)
            if use_crf:
                self.crf = CRF(tags)

        def emissions(self, words, lengths, mask, chars, char_lengths):
            b, t = words.shape
            _, per_word = run_rnn(torch, self.chars.rnn, self.chars.embedding(chars), char_lengths, packed)
            positions = mask.reshape(-1).nonzero().squeeze(1)  # row-major, the order the words were gathered in
            char_features = per_word.new_zeros(b * t, per_word.shape[1]).index_copy(0, positions, per_word)
            x = self.dropout(torch.cat([self.words(words), char_features.view(b, t, -1)], dim=2))
            out, _ = run_rnn(torch, self.rnn, x, lengths, packed)
            return self.head(self.dropout(out))

        def loss(self, em, gold, mask):
            if use_crf:
                return self.crf.loss(em, gold, mask)
            return nn.functional.cross_entropy(em[mask], gold[mask])

        def predict(self, em, mask):
            return self.crf.decode(em, mask) if use_crf else em.argmax(dim=2)

    return Tagger()


# ----------------------------------------------------------------------------------------------------- tasks


class ClassifyTask:
    def __init__(self, torch, np, case):
        self.torch, self.np = torch, np
        self.pad = need(case, "pad", int)
        classes = need(case, "classes", int)
        char_pad = need(case, "char_pad", int) if case.get("char_hidden") else None
        self.splits = {k: ClassifyData(np, need(case, k, str), need(case, "vocab", int), classes, char_pad)
                       for k in ("train", "valid", "test")}
        self.model = build_classifier(torch, case)
        weights = case.get("class_weights")
        if weights is not None and (not isinstance(weights, list) or len(weights) != classes):
            raise CaseError(f"\"class_weights\" must be null or a list of {classes} numbers")
        self.loss_fn = torch.nn.CrossEntropyLoss(
            weight=None if weights is None else torch.tensor(weights, dtype=torch.float32))

    def batch(self, data, idx):
        np = self.np
        lengths = data.lengths[idx]
        tokens = np.full((len(idx), lengths.max()), self.pad, dtype=np.int64)
        for r, i in enumerate(idx):
            tokens[r, :lengths[r]] = data.flat[data.offsets[i]:data.offsets[i] + lengths[r]]
        t = self.torch.from_numpy
        chars = char_lengths = None
        if data.chars is not None:
            rows = np.concatenate([np.arange(data.offsets[i], data.offsets[i] + data.lengths[i]) for i in idx])
            char_lengths = data.char_lengths[rows]
            chars, char_lengths = t(data.chars[rows, :char_lengths.max()]), t(char_lengths)
        return t(tokens), t(lengths), t(data.labels[idx]), chars, char_lengths

    def loss(self, batch):
        tokens, lengths, labels, chars, char_lengths = batch
        return self.loss_fn(self.model(tokens, lengths, chars, char_lengths), labels)

    def predict(self, data):
        predicted = self.np.zeros(len(data), dtype=self.np.int64)
        for idx in sorted_batches(self.np, data.lengths):
            tokens, lengths, _, chars, char_lengths = self.batch(data, idx)
            predicted[idx] = self.model(tokens, lengths, chars, char_lengths).argmax(dim=1).numpy()
        return predicted

    def accuracy(self, data):
        return float((self.predict(data) == data.labels).mean())

    def test_metrics(self):
        from sklearn.metrics import f1_score
        data = self.splits["test"]
        predicted = self.predict(data)
        return {"accuracy": float((predicted == data.labels).mean()),
                "macro_f1": float(f1_score(data.labels, predicted, average="macro", zero_division=0)),
                "weighted_f1": float(f1_score(data.labels, predicted, average="weighted", zero_division=0)),
                "sentences": len(data)}


class TagTask:
    def __init__(self, torch, np, case):
        self.torch, self.np = torch, np
        self.word_pad = need(case, "word_pad", int)
        self.splits = {k: TagData(np, need(case, k, str), case) for k in ("train", "valid", "test")}
        self.model = build_tagger(torch, case)
        # Word dropout as Recur's tagger: in training, a word seen once in TRAIN is read as word_unk with probability p.
        self.word_dropout = float(case.get("word_dropout") or 0)
        self.word_unk = need(case, "word_unk", int) if self.word_dropout > 0 else 0
        counts = np.bincount(self.splits["train"].words, minlength=need(case, "words_vocab", int))
        self.singleton = counts == 1

    def batch(self, data, idx, rng=None):
        np = self.np
        lengths = data.lengths[idx]
        mask = np.arange(lengths.max())[None, :] < lengths[:, None]
        rows = np.concatenate([np.arange(data.offsets[i], data.offsets[i] + data.lengths[i]) for i in idx])
        words = np.full(mask.shape, self.word_pad, dtype=np.int64)
        gold = np.zeros(mask.shape, dtype=np.int64)  # padded steps: a valid tag index, masked out of every loss
        words[mask], gold[mask] = data.words[rows], data.tags[rows]  # boolean masks fill row-major, as rows runs
        if rng is not None and self.word_dropout > 0:
            drop = self.singleton[words] & mask & (rng.random(words.shape) < self.word_dropout)
            words[drop] = self.word_unk
        char_lengths = data.char_lengths[rows]
        t = self.torch.from_numpy
        return (t(words), t(lengths), t(mask), t(data.chars[rows, :char_lengths.max()]), t(char_lengths)), t(gold), rows

    def loss(self, batch):
        inputs, gold, _ = batch
        return self.model.loss(self.model.emissions(*inputs), gold, inputs[2])

    def predict(self, data):
        predicted = self.np.zeros(len(data.words), dtype=self.np.int64)
        for idx in sorted_batches(self.np, data.lengths):
            inputs, _, rows = self.batch(data, idx)
            mask = inputs[2]
            predicted[rows] = self.model.predict(self.model.emissions(*inputs), mask)[mask].numpy()
        return predicted

    def accuracy(self, data):
        return float((self.predict(data) == data.tags).mean())

    def test_metrics(self):
        data = self.splits["test"]
        hit = self.predict(data) == data.tags
        unseen = data.seen == 0
        return {"accuracy": float(hit.mean()),
                "accuracy_unseen": float(hit[unseen].mean()) if unseen.any() else None,
                "tokens": int(len(hit)), "unseen_tokens": int(unseen.sum())}


# ---------------------------------------------------------------------------------------------------- training


def train(torch, np, task, case):
    budget, seed, batch = need(case, "seconds", (int, float)), need(case, "seed", int), need(case, "batch", int)
    lr, clip = need(case, "lr", (int, float)), case.get("clip") or 0
    weight_decay = case.get("weight_decay") or 0
    monitor = case.get("monitor", "accuracy")
    if monitor not in ("accuracy", "val_accuracy"):
        raise CaseError(f"\"monitor\" must be accuracy (validation accuracy), got {monitor!r}")
    if batch < 1:
        raise CaseError(f"\"batch\" must be at least 1, got {batch}")
    model = task.model
    params = list(model.parameters())
    optimizer = (torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay) if weight_decay > 0
                 else torch.optim.Adam(params, lr=lr))
    data, valid = task.splits["train"], task.splits["valid"]
    print(f"# torch {type(model).__name__}: {sum(p.numel() for p in params):,} parameters "
          f"({', '.join(f'{k} {tuple(v.shape)}' for k, v in model.state_dict().items())}); {len(data)} train, "
          f"{len(valid)} valid, {len(task.splits['test'])} test sentences; {budget} s budget", file=sys.stderr, flush=True)

    trained, sentences, epoch, best, best_epoch, best_state = 0.0, 0, 0, -math.inf, 0, None
    # Recur's Trainer counts validation in its --minutes budget; with this flag the peer does too (equal wall clock).
    count_validation = bool(case.get("budget_includes_validation", False))
    out_of_time = False
    while not out_of_time:
        epoch += 1
        model.train()
        start = time.perf_counter()
        loss_sum, steps = 0.0, 0
        drop_rng = np.random.default_rng([seed, epoch, 1])
        for idx in bucketed(np, data.lengths, batch, np.random.default_rng([seed, epoch])):
            b = task.batch(data, idx, drop_rng) if isinstance(task, TagTask) else task.batch(data, idx)
            optimizer.zero_grad()
            loss = task.loss(b)
            loss.backward()
            if clip > 0:
                torch.nn.utils.clip_grad_norm_(params, clip)
            optimizer.step()
            loss_sum += loss.item()
            steps += 1
            sentences += len(idx)
            if trained + (time.perf_counter() - start) > budget:
                out_of_time = True
                break
        trained += time.perf_counter() - start
        model.eval()
        valid_start = time.perf_counter()
        with torch.no_grad():
            accuracy = task.accuracy(valid)
        if count_validation:
            trained += time.perf_counter() - valid_start
            out_of_time = out_of_time or trained > budget
        improved = accuracy > best
        if improved:
            best, best_epoch = accuracy, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        print(f"# torch epoch {epoch:3d}{' (part)' if out_of_time else '       '} {trained:8.1f} s "
              f"{sentences:9d} sentences  loss {loss_sum / max(steps, 1):.4f}  val accuracy {accuracy:.4f}"
              f"{' (best)' if improved else ''}", file=sys.stderr, flush=True)
    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        test = task.test_metrics()
    return {"test": test, "best_epoch": best_epoch, "epochs": epoch, "train_seconds": trained,
            "sentences": sentences, "sentences_per_second": sentences / trained if trained > 0 else None}


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: apps_torch.py THREADS default|passive '<case JSON>'")
    torch = torch_env.setup(int(sys.argv[1]), sys.argv[2], extra_packages=["python3-sklearn"])
    import numpy as np
    try:
        try:
            case = json.loads(sys.argv[3])
        except json.JSONDecodeError as e:
            raise CaseError(f"the case is not JSON ({e})") from e
        task_name = need(case, "task", str)
        if task_name not in ("classify", "tag"):
            raise CaseError(f"\"task\" must be classify or tag, got {task_name!r}")
        torch.manual_seed(need(case, "seed", int))
        task = (ClassifyTask if task_name == "classify" else TagTask)(torch, np, case)
        result = train(torch, np, task, case)
    except (CaseError, OSError, json.JSONDecodeError) as e:  # OSError: a file; JSONDecodeError: a data line
        sys.exit(f"error: {e}")
    result["peer"] = torch_env.describe(torch)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
