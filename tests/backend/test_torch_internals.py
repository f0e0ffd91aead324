"""The private torch APIs of kerastorch.backend.torch_internals still exist and behave as kerastorch relies on.

A failure here after a torch upgrade names the private API that changed: fix its wrapper in
kerastorch/backend/torch_internals.py. The last tests keep every other module off torch's private names.
"""

import ast
import pathlib
import re

import pytest
import torch
import torch.autograd.forward_ad as fwad
from torch.nn.utils.rnn import pack_padded_sequence

import kerastorch
from kerastorch.backend import torch_internals as ti

PACKAGE = pathlib.Path(kerastorch.__file__).parent


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((torch.float64,), {}),
        (("cpu", torch.float16), {}),
        ((), {"dtype": torch.bfloat16}),
        ((torch.zeros(1, dtype=torch.float64),), {}),
        (("cpu",), {}),
        ((torch.device("cpu"),), {"non_blocking": True}),
    ],
)
def test_module_to_dtype_is_the_dtype_module_to_converts_to(args, kwargs):
    expected = torch.nn.Linear(1, 1).to(*args, **kwargs).weight.dtype
    dtype = ti.module_to_dtype(*args, **kwargs)
    assert (dtype or torch.float32) == expected
    assert dtype is None or isinstance(dtype, torch.dtype)


def test_module_to_dtype_refuses_what_module_to_refuses():
    with pytest.raises(TypeError):
        ti.module_to_dtype("cpu", "cpu", "cpu")
    with pytest.raises(RuntimeError, match="device"):
        ti.module_to_dtype("no_such_device")


def test_forward_ad_level_counts_open_dual_levels():
    assert ti.forward_ad_level() == -1
    with fwad.dual_level():
        assert ti.forward_ad_level() == 0
        x = fwad.make_dual(torch.ones(2), torch.ones(2))
        assert fwad.unpack_dual(x * 2).tangent is not None
    assert ti.forward_ad_level() == -1


def test_functorch_level_is_set_inside_torch_func_transforms_only():
    assert ti.functorch_level() is None
    seen = []

    def f(x):
        seen.append(ti.functorch_level())
        return x.sin().sum()

    torch.func.grad(f)(torch.ones(2))
    torch.func.jvp(f, (torch.ones(2),), (torch.ones(2),))
    torch.func.vmap(f)(torch.ones(3, 2))
    assert len(seen) == 3 and all(level is not None for level in seen)
    assert ti.functorch_level() is None


def test_disabled_torch_function_impl_makes_results_plain_tensors():
    class Sub(torch.Tensor):
        __torch_function__ = ti.disabled_torch_function_impl

    x = torch.ones(2).as_subclass(Sub)
    assert type(x) is Sub
    assert type(x + 1) is torch.Tensor and type(torch.sin(x)) is torch.Tensor
    torch.testing.assert_close(x * 2, torch.full((2,), 2.0))


def test_fake_tensors_have_shapes_but_no_data():
    with ti.FakeTensorMode(allow_non_fake_inputs=True):
        fake = torch.empty(3, 4)
        out = fake @ torch.ones(4, 2)  # a real operand is allowed
        assert ti.is_fake(fake) and ti.is_fake(out) and out.shape == (3, 2)
        with ti.unset_fake_temporarily():
            real = torch.ones(2)
        assert not ti.is_fake(real) and real.tolist() == [1.0, 1.0]
    assert not ti.is_fake(torch.empty(3))


@pytest.mark.parametrize(
    "needs_data, error",
    [
        (lambda x: x.sum().item(), 0),
        (lambda x: bool((x > 0).all()), 0),
        (lambda x: x.tolist(), 0),
        (lambda x: torch.nonzero(x), 1),
        (lambda x: x[x > 0], 1),
        (lambda x: torch.unique(x), 1),
    ],
)
def test_data_dependent_errors_are_what_fake_runs_raise_for_the_data(needs_data, error):
    assert all(issubclass(e, Exception) for e in ti.DATA_DEPENDENT_ERRORS)
    with ti.FakeTensorMode():
        x = torch.empty(3, 4)
        with pytest.raises(ti.DATA_DEPENDENT_ERRORS[error]):
            needs_data(x)
        with pytest.raises(RuntimeError) as shape_error:  # a plain shape error is none of them
            x + torch.empty(5)
        assert not isinstance(shape_error.value, ti.DATA_DEPENDENT_ERRORS)


def test_compile_failure_errors_catch_a_failing_backend_and_not_the_code_own_errors():
    errors = ti.compile_failure_errors()
    assert errors and all(isinstance(e, type) and issubclass(e, Exception) for e in errors)

    def broken_backend(graph_module, example_inputs):
        raise RuntimeError("no compiler here")

    torch._dynamo.reset()
    with pytest.raises(errors) as failure:
        torch.compile(lambda x: x.sin() + 1, backend=broken_backend)(torch.ones(2))
    assert isinstance(failure.value, torch._dynamo.exc.BackendCompilerFailed)

    def user_error(x):
        raise ValueError("the user's own error")

    with pytest.raises(ValueError, match="the user's own error") as own:
        torch.compile(user_error, backend="eager")(torch.ones(2))
    assert not isinstance(own.value, errors)

    def graph_break(x):
        torch._dynamo.graph_break()
        return x + 1

    torch._dynamo.reset()
    with pytest.raises(errors):  # what dynamo cannot trace where it must (fullgraph=True)
        torch.compile(graph_break, backend="eager", fullgraph=True)(torch.ones(2))
    torch._dynamo.reset()


def _weights(module):
    return [p.detach() for p in module.parameters()]


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_rnn_kernels_are_what_torch_nn_rnns_run(kind):
    torch.manual_seed(0)
    module = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(3, 4, batch_first=True)
    kernel = ti.lstm_kernel if kind == "lstm" else ti.gru_kernel
    x, h = torch.randn(2, 5, 3), torch.randn(1, 2, 4)
    hx = (h, torch.randn(1, 2, 4)) if kind == "lstm" else h
    expected = module(x, hx)
    result = kernel(x, hx, _weights(module), True, 1, 0.0, False, False, True)
    torch.testing.assert_close(result[0], expected[0])
    torch.testing.assert_close(result[1:], tuple(expected[1]) if kind == "lstm" else (expected[1],))
    lengths = torch.tensor([5, 3])  # the packed-sequence overload (masked sequences)
    packed = pack_padded_sequence(x, lengths, batch_first=True)
    expected = module(packed, hx)
    result = kernel(packed.data, packed.batch_sizes, hx, _weights(module), True, 1, 0.0, False, False)
    torch.testing.assert_close(result[0], expected[0].data)


def test_unscale_and_check_finite_unscales_in_place_and_flags_non_finite_values():
    grads, found = [torch.tensor([2.0, 4.0]), torch.tensor([8.0])], torch.zeros(())
    ti.unscale_and_check_finite(grads, found, torch.tensor(0.5))
    assert [g.tolist() for g in grads] == [[1.0, 2.0], [4.0]] and found.item() == 0.0
    grads = [torch.tensor([1.0, float("inf")])]
    ti.unscale_and_check_finite(grads, found, torch.tensor(0.5))
    assert found.item() == 1.0


def test_standard_gamma_samples_gamma_from_the_global_generator():
    alpha = torch.full((20000,), 3.0)
    torch.manual_seed(1)
    x = ti.standard_gamma(alpha)
    torch.manual_seed(1)
    assert torch.equal(x, ti.standard_gamma(alpha))
    assert x.shape == alpha.shape and x.dtype == alpha.dtype and bool((x > 0).all())
    assert abs(x.mean().item() - 3.0) < 0.1 and abs(x.var().item() - 3.0) < 0.2  # mean = variance = alpha


def test_int8_matmul_accumulates_exactly_in_int32():
    gen = torch.Generator().manual_seed(0)
    a = torch.randint(-128, 128, (17, 32), dtype=torch.int8, generator=gen)
    b = torch.randint(-128, 128, (32, 8), dtype=torch.int8, generator=gen)
    out = ti.int8_matmul(a, b)
    assert out.dtype == torch.int32 and torch.equal(out, a.int() @ b.int())


def test_tensor_version_moves_with_in_place_changes_and_view_base_finds_the_base():
    t = torch.zeros(4)
    before = ti.tensor_version(t)
    t.add_(1)
    assert ti.tensor_version(t) > before
    view = t[1:3]
    assert ti.view_base(view) is t and ti.view_base(t) is None and ti.view_base(view.clone()) is None


def _sources():
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "torch_internals.py")


def test_every_foreach_op_the_package_uses_exists_and_updates_in_place():
    names = sorted({name for path in _sources() for name in re.findall(r"torch\.(_foreach_\w+)", path.read_text())})
    assert len(names) > 10  # the optimizers are written with them
    missing = [name for name in names if not callable(getattr(torch, name, None))]
    assert missing == [], f"torch no longer has {missing}"
    tensors = [torch.ones(2), torch.ones(3)]
    torch._foreach_add_(tensors, [torch.ones(2), torch.full((3,), 2.0)], alpha=2.0)
    assert [t.tolist() for t in tensors] == [[3.0, 3.0], [5.0, 5.0, 5.0]]


def _private_torch_uses(path):
    """``torch._x`` names (and ``from torch... import _x``) in the code of one module (docstrings do not count)."""
    tree = ast.parse(path.read_text())
    torch_names, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "torch":
                    torch_names.add(alias.asname or "torch")
                    if any(part.startswith("_") for part in alias.name.split(".")):
                        found.append(alias.name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            if any(part.startswith("_") for part in node.module.split(".")):
                found.append(node.module)
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
                torch_names.add(alias.asname or alias.name)
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:  # whole chains only
            parts, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in torch_names:
                private = [
                    p for p in parts if p.startswith("_") and not p.startswith("__") and not p.startswith("_foreach_")
                ]
                if private:
                    found.append(".".join([value.id] + parts[::-1]))
    return found


def test_no_module_but_torch_internals_uses_private_torch_names():
    uses = {str(path.relative_to(PACKAGE)): _private_torch_uses(path) for path in _sources()}
    assert {path: names for path, names in uses.items() if names} == {}


def test_the_private_use_finder_finds_private_uses(tmp_path):
    path = tmp_path / "module.py"
    path.write_text(
        "import torch\nimport torch.autograd.forward_ad as fwad\nfrom torch._subclasses import x\n"
        "'''torch._VF.lstm in a docstring'''\ny = torch._C._nn.f(fwad._current_level)\n"
        "z = torch._foreach_add(torch.nn.functional.relu)\n"
    )
    assert sorted(_private_torch_uses(path)) == ["fwad._current_level", "torch._C._nn.f", "torch._subclasses"]
