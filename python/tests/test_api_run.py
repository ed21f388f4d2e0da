"""sparq.compile / sparq.load end to end: a generated transformer compiled
from a path and from an onnx.ModelProto, run through sparq.Model and checked
against the NumPy reference forward pass; zero-copy inputs and outputs."""

import threading
import weakref

import numpy as np
import pytest

import sparq
from sparq import models

CONFIG = models.Config(layers=1, hidden=64, heads=2, ffn=128, vocab=64, seq=8)
DIMS = {"batch": 1, "seq": CONFIG.seq}


@pytest.fixture(scope="module")
def fp32(tmp_path_factory):
    """The fp32 model compiled from its .onnx path, its params and ids."""
    directory = tmp_path_factory.mktemp("fp32")
    params = models.save(CONFIG, directory / "tiny.onnx")
    result = sparq.compile(directory / "tiny.onnx", dims=DIMS,
                           output_dir=directory / "out")
    return result, params, models.default_inputs(CONFIG)


def test_compile_path_writes_library_and_matches_reference(fp32):
    result, params, ids = fp32
    assert result.path == result.output_dir / "tiny.so"
    assert result.path.is_file() and result.report is None
    model = result.load()
    assert model.inputs_info == [("input_ids", np.int64, (1, CONFIG.seq),
                                  8 * CONFIG.seq)]
    [logits] = model.outputs_info
    assert (logits.name, logits.dtype, logits.shape) == (
        "logits", np.float32, (1, CONFIG.seq, CONFIG.vocab))
    expected = models.reference_forward(params, ids)
    outputs = model.run(input_ids=ids)
    assert list(outputs) == ["logits"]
    np.testing.assert_allclose(outputs["logits"], expected, rtol=1e-4,
                               atol=1e-4 * np.abs(expected).max())
    # __call__ takes inputs in order; a dict serves names of any spelling.
    np.testing.assert_array_equal(model(ids)["logits"], outputs["logits"])
    np.testing.assert_array_equal(model.run({"input_ids": ids})["logits"],
                                  outputs["logits"])


def test_compile_model_proto_int4(tmp_path):
    """An in-memory MatMulNBits model; the temporary library lives as long
    as the model loaded from it."""
    config = CONFIG.__class__(**{**CONFIG.__dict__,
                                 "variant": "matmulnbits-int4"})
    proto, params = models.build_model(config)
    result = sparq.compile(proto, dims=DIMS, name="int4")
    assert result.path.name == "int4.so"
    model = result.load()
    library = result.path
    del result
    assert library.exists()
    ids = models.default_inputs(config)
    expected = models.reference_forward(params, ids)
    np.testing.assert_allclose(model.run(input_ids=ids)["logits"], expected,
                               rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    del model
    assert not library.exists()


def test_large_model_proto_is_written_with_external_data(monkeypatch):
    """Protobuf cannot serialize 2 GiB: larger ModelProtos go to sparqc
    with their tensors in an external data file (the limit is lowered here
    to exercise that path), and the caller's proto is left as it was."""
    import sparq.compiler
    monkeypatch.setattr(sparq.compiler, "_PROTOBUF_LIMIT", 1000)
    proto, params = models.build_model(CONFIG)
    before = proto.SerializeToString()
    result = sparq.compile(proto, dims=DIMS, name="big")
    assert proto.SerializeToString() == before
    # The temporary directory: out/big.so next to big.onnx and its data.
    assert (result.path.parents[1] / "big.onnx.data").is_file()
    ids = models.default_inputs(CONFIG)
    expected = models.reference_forward(params, ids)
    np.testing.assert_allclose(result.load().run(input_ids=ids)["logits"],
                               expected, rtol=1e-4,
                               atol=1e-4 * np.abs(expected).max())


def test_inputs_are_converted_only_without_changing_values(fp32):
    result, _, ids = fp32
    model = result.load()
    expected = model.run(input_ids=ids)["logits"]
    # A strided view is copied to a contiguous array, a list converted.
    wide = np.zeros((1, 2 * CONFIG.seq), np.int64)
    wide[:, ::2] = ids
    np.testing.assert_array_equal(
        model.run(input_ids=wide[:, ::2])["logits"], expected)
    np.testing.assert_array_equal(
        model.run(input_ids=ids.tolist())["logits"], expected)
    with pytest.raises(sparq.InputError,
                       match="input 'input_ids' must be int64 .*do not fit"):
        model.run(input_ids=(ids + 0.5).tolist())


def test_outputs_as_views_share_the_context_buffers(fp32):
    result, params, ids = fp32
    model = result.load()
    other = (ids + 5) % CONFIG.vocab
    with model.context() as context:
        views = context.run_views(input_ids=ids)
        logits = views["logits"]
        assert not logits.flags.writeable and not logits.flags.owndata
        first = logits.copy()
        copies = context.run(input_ids=other)
        # The next run rewrote the buffer the view looks at.
        np.testing.assert_array_equal(logits, copies["logits"])
        assert not np.array_equal(first, copies["logits"])
        expected = models.reference_forward(params, other)
        np.testing.assert_allclose(logits, expected, rtol=1e-4,
                                   atol=1e-4 * np.abs(expected).max())
    # Closed, the context's memory stays while a view refers to it.
    np.testing.assert_array_equal(logits, copies["logits"])
    with pytest.raises(sparq.SparqError, match="closed"):
        context.run(input_ids=ids)


def test_inputs_are_bound_in_place(fp32):
    """The library reads the caller's array itself: an in-place change of a
    bound array shows in the next run of the same context."""
    result, params, ids = fp32
    model = result.load()
    tokens = ids.copy()
    with model.context() as context:
        context.run(input_ids=tokens)
        tokens[0, 0] = (tokens[0, 0] + 1) % CONFIG.vocab
        changed = context.run(input_ids=tokens)["logits"]
    expected = models.reference_forward(params, tokens)
    np.testing.assert_allclose(changed, expected, rtol=1e-4,
                               atol=1e-4 * np.abs(expected).max())


def test_run_does_not_keep_inputs_alive(fp32):
    result, _, ids = fp32
    model = result.load()
    tokens = ids.copy()
    alive = weakref.ref(tokens)
    model.run(input_ids=tokens)
    del tokens
    assert alive() is None


def test_run_from_several_threads(fp32):
    result, _, ids = fp32
    model = result.load()
    prompts = [(ids + 7 * i) % CONFIG.vocab for i in range(4)]
    alone = [model.run(input_ids=p)["logits"] for p in prompts]
    got = [None] * len(prompts)

    def work(i):
        for _ in range(5):
            got[i] = model.run(input_ids=prompts[i])["logits"]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for expected, logits in zip(alone, got):
        np.testing.assert_array_equal(logits, expected)
