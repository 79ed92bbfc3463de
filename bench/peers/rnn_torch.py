#!/usr/bin/python3
"""PyTorch peer of the `rnn` bench suite (bench/Recur.Bench/RnnSuite.cs): torch.nn.LSTM / GRU / RNN (tanh) on CPU,
float32, batch_first, timed call by call and driven over stdin/stdout with JSON lines, so that the C# suite can
alternate Recur and PyTorch blocks cheaply in one long-lived process per thread count.

Usage: /usr/bin/python3 bench/peers/rnn_torch.py THREADS [default|passive]
(the OpenMP wait policy; re-executes itself on OpenMP OpenBLAS, see common/torch_env.py)

Protocol: first line {"ready": true, "peer": "<torch, threads, BLAS>"}; then one JSON answer per JSON command:
  {"cmd": "case", "cell": "lstm"|"gru"|"rnn", "mode": "fwdbwd"|"infer", "B":, "T":, "I":, "H":, "layers":, "bi":}
      builds the layer and the data                                     -> {"ok": true}
      fwdbwd: train mode, x.requires_grad (the input gradient is computed, as Recur always does), loss
              L = sum(output * upstream), i.e. output.backward(upstream); gradients zeroed in place before each call.
      infer:  model.eval() under torch.no_grad(), output only.
  {"cmd": "run", "calls": N}   N timed calls                             -> {"times": [seconds per call]}
  {"cmd": "quit"}
Errors answer {"error": "..."}.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "common"))
import torch_env  # noqa: E402


def build(torch, cmd):
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cmd["cell"]]
    b, t, i, h = cmd["B"], cmd["T"], cmd["I"], cmd["H"]
    layers, bi = cmd.get("layers", 1), cmd.get("bi", False)
    torch.manual_seed(1)
    model = cls(i, h, num_layers=layers, bidirectional=bi, batch_first=True)  # RNN defaults to tanh
    x = torch.rand(b, t, i) * 2 - 1
    if cmd["mode"] == "infer":
        model.eval()

        def call():
            with torch.no_grad():
                model(x)
        return call
    model.train()
    x.requires_grad_(True)
    upstream = torch.rand(b, t, (2 if bi else 1) * h) * 2 - 1

    def call():
        model.zero_grad(set_to_none=False)
        x.grad = None
        out, _ = model(x)
        out.backward(upstream)  # = d/d(params, x) of sum(out * upstream)
    return call


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch = torch_env.setup(threads, sys.argv[2] if len(sys.argv) > 2 else "default")
    torch_env.serve(torch, lambda cmd: (build(torch, cmd), None))

if __name__ == "__main__":
    main()
