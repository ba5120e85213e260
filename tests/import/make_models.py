"""Builds the small ONNX models the import tests read.

The graphs are written with onnx.helper, node by node, mirroring what
torch.onnx.export (opset 17, eval mode) writes for torchvision's ResNet-18
and VGG-16 and the DCGAN generator of the PyTorch DCGAN tutorial: the same operators
in the same order, the same node names, the same attributes, and weights
of the same shapes. PyTorch itself was not available here, so the models
were not exported from it. Initializers keep their dims but no data (the
weights are stripped), so each file is a few KB.

    pip install onnx && python3 tests/import/make_models.py
"""

import os

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


class Graph:
    def __init__(self, name):
        self.name = name
        self.nodes = []
        self.inits = []
        self.n = 0

    def weight(self, name, dims):
        # Shape only: the data is stripped.
        t = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=dims)
        self.inits.append(t)
        return name

    def node(self, op, name, inputs, **attrs):
        out = f"{name}_output_0"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def conv(self, path, x, cin, cout, k, stride=1, pad=0, group=1, dilation=1, pads=None):
        w = self.weight(f"{path}.weight", [cout, cin // group, k, k])
        b = self.weight(f"{path}.bias", [cout])
        name = "/" + "/".join(segments(path)) + "/Conv"
        return self.node(
            "Conv", name, [x, w, b],
            kernel_shape=[k, k], strides=[stride, stride],
            pads=pads or [pad, pad, pad, pad], group=group, dilations=[dilation, dilation],
        )

    def save(self, file, inp, shape, out):
        g = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info(inp, TensorProto.FLOAT, shape)],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)],
            initializer=self.inits,
        )
        m = helper.make_model(g, producer_name="cnnc tests/import/make_models.py",
                              opset_imports=[helper.make_opsetid("", 17)])
        onnx.save(m, os.path.join(HERE, file))


def segments(path):
    """torch's scope names: `layer1.0.conv1` -> layer1, layer1.0, conv1."""
    parts = path.split(".")
    out = []
    for i, p in enumerate(parts):
        if p.isdigit():
            out[-1] = out[-1] + "." + p if out else p
        else:
            out.append(p)
    # torch repeats the container for numbered children: /layer1/layer1.0/...
    full = []
    for s in out:
        if "." in s:
            full.append(s.split(".")[0])
        full.append(s)
    return full


def resnet18():
    g = Graph("main_graph")
    x = g.conv("conv1", "input", 3, 64, 7, stride=2, pad=3)
    x = g.node("Relu", "/relu/Relu", [x])
    x = g.node("MaxPool", "/maxpool/MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=0)
    cin = 64
    for stage, cout in enumerate([64, 128, 256, 512], start=1):
        for block in range(2):
            stride = 2 if stage > 1 and block == 0 else 1
            p = f"layer{stage}.{block}"
            scope = f"/layer{stage}/layer{stage}.{block}"
            y = g.conv(f"{p}.conv1", x, cin, cout, 3, stride=stride, pad=1)
            y = g.node("Relu", f"{scope}/relu/Relu", [y])
            y = g.conv(f"{p}.conv2", y, cout, cout, 3, pad=1)
            skip = x
            if stride != 1 or cin != cout:
                skip = g.conv(f"{p}.downsample.0", x, cin, cout, 1, stride=stride)
            y = g.node("Add", f"{scope}/Add", [y, skip])
            x = g.node("Relu", f"{scope}/relu_1/Relu", [y])
            cin = cout
    x = g.node("GlobalAveragePool", "/avgpool/GlobalAveragePool", [x])
    x = g.node("Flatten", "/Flatten", [x], axis=1)
    w = g.weight("fc.weight", [1000, 512])
    b = g.weight("fc.bias", [1000])
    x = g.node("Gemm", "/fc/Gemm", [x, w, b], alpha=1.0, beta=1.0, transB=1)
    g.save("resnet18.onnx", "input", [1, 3, 224, 224], x)


def dcgan_generator():
    # nz = 100, ngf = 64, nc = 3; input 1 x 100 x 1 x 1, output 1 x 3 x 64 x 64.
    g = Graph("main_graph")
    x = "input"
    chans = [100, 512, 256, 128, 64, 3]
    for i in range(5):
        cin, cout = chans[i], chans[i + 1]
        stride, pad = (1, 0) if i == 0 else (2, 1)
        idx = 3 * i
        w = g.weight(f"main.{idx}.weight", [cin, cout, 4, 4])
        x = g.node("ConvTranspose", f"/main/main.{idx}/ConvTranspose", [x, w],
                   kernel_shape=[4, 4], strides=[stride, stride], pads=[pad] * 4,
                   dilations=[1, 1], group=1)
        if i < 4:
            bn = [g.weight(f"main.{idx + 1}.{n}", [cout]) for n in ("weight", "bias", "running_mean", "running_var")]
            x = g.node("BatchNormalization", f"/main/main.{idx + 1}/BatchNormalization", [x] + bn, epsilon=1e-5)
            x = g.node("Relu", f"/main/main.{idx + 2}/Relu", [x])
        else:
            x = g.node("Tanh", f"/main/main.{idx + 1}/Tanh", [x])
    g.save("dcgan_generator.onnx", "input", [1, 100, 1, 1], x)


def vgg16():
    # torchvision vgg16: features.N are Conv/Relu/MaxPool; avgpool is
    # AdaptiveAvgPool2d(7), the identity on 7 x 7, written here as a 1 x 1
    # AveragePool; the classifier is Gemm/Relu (Dropout vanishes in eval).
    g = Graph("main_graph")
    x = "input"
    cin, idx = 3, 0
    for stage in [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]:
        for cout in stage:
            x = g.conv(f"features.{idx}", x, cin, cout, 3, pad=1)
            x = g.node("Relu", f"/features/features.{idx + 1}/Relu", [x])
            cin, idx = cout, idx + 2
        x = g.node("MaxPool", f"/features/features.{idx}/MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
        idx += 1
    x = g.node("AveragePool", "/avgpool/AveragePool", [x], kernel_shape=[1, 1], strides=[1, 1])
    x = g.node("Flatten", "/Flatten", [x], axis=1)
    for i, (k, n) in enumerate([(25088, 4096), (4096, 4096), (4096, 1000)]):
        w = g.weight(f"classifier.{3 * i}.weight", [n, k])
        b = g.weight(f"classifier.{3 * i}.bias", [n])
        x = g.node("Gemm", f"/classifier/classifier.{3 * i}/Gemm", [x, w, b], alpha=1.0, beta=1.0, transB=1)
        if i < 2:
            x = g.node("Relu", f"/classifier/classifier.{3 * i + 1}/Relu", [x])
    g.save("vgg16.onnx", "input", [1, 3, 224, 224], x)


def features():
    """What ResNet-18 and DCGAN lack: dilation, groups (depthwise), asymmetric
    pads (TensorFlow-style SAME), auto_pad, a symbolic batch, ConvTranspose
    with output_padding, pooling with ceil_mode, Concat and Reshape."""
    g = Graph("features")
    x = g.conv("dilated", "input", 8, 16, 3, pad=2, dilation=2)
    x = g.conv("depthwise", x, 16, 16, 3, stride=2, pads=[0, 0, 1, 1], group=16)
    w = g.weight("same.weight", [16, 16, 3, 3])
    x = g.node("Conv", "/same/Conv", [x, w], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
    y = g.node("MaxPool", "/pool/MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    x = g.node("Concat", "/cat/Concat", [y, y], axis=1)
    w = g.weight("up.weight", [32, 8, 3, 3])
    x = g.node("ConvTranspose", "/up/ConvTranspose", [x, w], kernel_shape=[3, 3], strides=[2, 2],
               pads=[1, 1, 1, 1], output_padding=[1, 1])
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [0, -1])
    g.inits.append(shape)
    x = g.node("Reshape", "/flat/Reshape", [x, "shape"])
    graph_in = [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 8, 33, 33])]
    gr = helper.make_graph(g.nodes, g.name, graph_in,
                           [helper.make_tensor_value_info(x, TensorProto.FLOAT, None)], initializer=g.inits)
    m = helper.make_model(gr, producer_name="cnnc tests/import/make_models.py",
                          opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(m, os.path.join(HERE, "features.onnx"))


if __name__ == "__main__":
    resnet18()
    vgg16()
    dcgan_generator()
    features()
