using Google.Protobuf;
using Recur.IO.Onnx;
using Recur.IO.Onnx.Protos;
using Recur.Tensors;

namespace Recur.Tests.IO.Onnx;

/// <summary>Bad files, unsupported graphs and bad inputs give exceptions that name the file, node, op and attribute.</summary>
public class OnnxErrorTests
{
    private static string TorchFixture(string name) => Path.Combine(Fixtures.Dir("onnx"), "torch", name + ".onnx");

    // A graph computing y = op(x, W) with x float [2, 3] and the initializer W.
    private static ModelProto Model(NodeProto node, TensorProto? initializer = null, int opset = 14)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Node.Add(node);
        graph.Input.Add(Info("x", OnnxElementType.Float, 2, 3));
        graph.Output.Add(new ValueInfoProto { Name = node.Output[0] });
        if (initializer is not null) graph.Initializer.Add(initializer);
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    private static ValueInfoProto Info(string name, OnnxElementType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static NodeProto Node(string op, string name, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add("y");
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static OnnxModel Load(ModelProto model) => OnnxModel.FromBytes(model.ToByteArray(), "test.onnx");

    [Fact]
    public void Truncated_and_garbage_files_are_format_errors_naming_the_file()
    {
        byte[] bytes = File.ReadAllBytes(TorchFixture("gru_classifier"));
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.FromBytes(bytes[..(bytes.Length / 2)], "half.onnx"));
        Assert.StartsWith("half.onnx: ", e.Message);
        Assert.Throws<OnnxFormatException>(() => OnnxModel.FromBytes([0xff, 0xff, 0xff, 0xff, 0x0f], "junk.onnx"));
        Assert.Throws<OnnxFormatException>(() => OnnxModel.FromBytes([], "empty.onnx")); // parses, but has no graph
    }

    [Fact]
    public void Tensor_data_that_does_not_match_its_dims_names_the_initializer()
    {
        var w = new TensorProto { Name = "W", DataType = (int)OnnxElementType.Float, RawData = ByteString.CopyFrom(new byte[20]) };
        w.Dims.AddRange([3, 2]);
        var e = Assert.Throws<OnnxFormatException>(() => Load(Model(Node("MatMul", "mm", ["x", "W"]), w)));
        Assert.Contains("initializer 'W': raw_data has 20 bytes but the dims need 6 elements x 4 bytes = 24", e.Message);

        var huge = new TensorProto { Name = "H", DataType = (int)OnnxElementType.Float, RawData = ByteString.CopyFrom(new byte[8]) };
        huge.Dims.AddRange([1L << 20, 1L << 20]);
        e = Assert.Throws<OnnxFormatException>(() => Load(Model(Node("MatMul", "mm", ["x", "H"]), huge)));
        Assert.Contains("initializer 'H'", e.Message);

        var negative = new TensorProto { Name = "N", DataType = (int)OnnxElementType.Float };
        negative.Dims.Add(-1);
        e = Assert.Throws<OnnxFormatException>(() => Load(Model(Node("MatMul", "mm", ["x", "N"]), negative)));
        Assert.Contains("dimension 0 is -1", e.Message);

        var typed = new TensorProto { Name = "T", DataType = (int)OnnxElementType.Int64 };
        typed.Dims.Add(3);
        typed.Int64Data.AddRange([1, 2]);
        e = Assert.Throws<OnnxFormatException>(() => Load(Model(Node("MatMul", "mm", ["x", "T"]), typed)));
        Assert.Contains("int64_data has 2 elements but the dims need 3", e.Message);

        var f16 = new TensorProto { Name = "F", DataType = 10, RawData = ByteString.CopyFrom(new byte[2]) };
        f16.Dims.Add(1);
        e = Assert.Throws<OnnxFormatException>(() => Load(Model(Node("MatMul", "mm", ["x", "F"]), f16)));
        Assert.Contains("data type FLOAT16 is not supported", e.Message);
    }

    [Fact]
    public void Unsupported_operators_attributes_and_values_name_the_node()
    {
        var e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model(Node("Conv", "conv1", ["x", "x"]))));
        Assert.Equal(("conv1", "Conv", null), (e.NodeName, e.OpType, e.Attribute));
        Assert.Contains("operator 'Conv' is not supported", e.Message);

        e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model(Node("LSTM", "lstm1", ["x", "x", "x"], Attr("hidden_size", 2), Attr("fancy", 1)))));
        Assert.Equal(("lstm1", "LSTM", "fancy"), (e.NodeName, e.OpType, e.Attribute));

        var acts = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
        acts.Strings.AddRange(new[] { "Sigmoid", "Gelu", "Tanh" }.Select(ByteString.CopyFromUtf8));
        e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model(Node("LSTM", "lstm2", ["x", "x", "x"], acts))));
        Assert.Equal("activations", e.Attribute);
        Assert.Contains("activation 'Gelu' is not supported", e.Message);

        var dir = new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("sideways") };
        e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model(Node("GRU", "gru1", ["x", "x", "x"], dir))));
        Assert.Equal(("gru1", "GRU", "direction"), (e.NodeName, e.OpType, e.Attribute));

        var custom = Node("LSTM", "ext", ["x", "x", "x"]);
        custom.Domain = "com.example";
        Assert.Contains("domain 'com.example'", Assert.Throws<OnnxUnsupportedException>(() => Load(Model(custom))).Message);

        Assert.Throws<OnnxUnsupportedException>(() => Load(Model(Node("Relu", "r", ["x"]), opset: 6)));
    }

    [Fact]
    public void Undefined_values_and_malformed_attributes_are_format_errors()
    {
        var e = Assert.Throws<OnnxFormatException>(() => Load(Model(Node("Add", "add1", ["x", "nowhere"]))));
        Assert.Contains("node 'add1' (Add): input 'nowhere' is not a graph input", e.Message);

        var wrongType = new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Float, F = 2 };
        e = Assert.Throws<OnnxFormatException>(() => Load(Model(Node("RNN", "rnn1", ["x", "x", "x"], wrongType))));
        Assert.Contains("attribute 'hidden_size' should be INT, got FLOAT", e.Message);

        var acts = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
        acts.Strings.Add(ByteString.CopyFromUtf8("Tanh"));
        var bi = new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("bidirectional") };
        e = Assert.Throws<OnnxFormatException>(() => Load(Model(Node("RNN", "rnn2", ["x", "x", "x"], acts, bi))));
        Assert.Contains("needs 2 (1 per direction)", e.Message);
    }

    [Fact]
    public void Run_checks_inputs_by_name_type_and_declared_shape()
    {
        var model = OnnxModel.Load(TorchFixture("gru_classifier"));
        Assert.Equal("x: FLOAT [3, 5, 3]", model.Inputs.Single().ToString());
        var ok = OnnxValue.FromFloats(new float[45], 3, 5, 3);
        Assert.Contains("is missing", Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, OnnxValue>())).Message);
        Assert.Contains("'y' is not an input", Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, OnnxValue> { ["x"] = ok, ["y"] = ok })).Message);
        Assert.Contains("must be FLOAT, got Int64",
            Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, OnnxValue> { ["x"] = OnnxValue.FromInt64(new long[45], 3, 5, 3) })).Message);
        var shape = Assert.Throws<ShapeMismatchException>(() => model.Run(new Dictionary<string, OnnxValue> { ["x"] = OnnxValue.FromFloats(new float[30], 2, 5, 3) }));
        Assert.Equal("[2, 5, 3]", shape.Actual);
    }

    [Fact]
    public void Recurrent_nodes_check_their_input_shapes()
    {
        var model = Load(Model(Node("RNN", "rnn3", ["x", "x", "x"], Attr("hidden_size", 2))));
        var e = Assert.Throws<OnnxFormatException>(() => model.Run(new Dictionary<string, OnnxValue> { ["x"] = OnnxValue.FromFloats(new float[6], 2, 3) }));
        Assert.Equal("test.onnx: node 'rnn3' (RNN): X must be rank 3 ([T, B, I]), got [2, 3]", e.Message);
    }

    [Fact]
    public void Thousands_of_mutated_files_load_and_run_or_fail_cleanly()
    {
        byte[] original = File.ReadAllBytes(TorchFixture("lstm_bi_packed"));
        var model0 = OnnxModel.FromBytes(original);
        var (inputs, _) = OnnxTorchExportTests.ReadCase(model0, "torch/lstm_bi_packed");
        var rng = new Rng(2024);
        int loaded = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            int edits = 1 + rng.NextInt(4);
            for (int k = 0; k < edits; k++)
            {
                int at = rng.NextInt(bytes.Length);
                switch (rng.NextInt(3))
                {
                    case 0: bytes[at] = (byte)rng.NextInt(256); break;
                    case 1: bytes[at] ^= (byte)(1 << rng.NextInt(8)); break;
                    default: bytes = bytes[..at]; break;
                }
                if (bytes.Length == 0) break;
            }
            OnnxModel model;
            try
            {
                model = OnnxModel.FromBytes(bytes, "mutant.onnx");
                loaded++;
            }
            catch (OnnxFormatException) { continue; }
            catch (OnnxUnsupportedException) { continue; }
            // a mutant that loads runs or fails with a graph/value error, never a crash of the interpreter
            try { model.Run(inputs); }
            catch (OnnxFormatException) { }
            catch (OnnxUnsupportedException) { }
            catch (ArgumentException) { }
        }
        Assert.InRange(loaded, 1, 2999); // some mutations only touch weights; most break something
    }

    private static AttributeProto Attr(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };
}
