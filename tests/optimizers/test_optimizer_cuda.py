"""CUDA: state lives on the GPU, a step never synchronises with the host, results match the CPU."""

import numpy as np
import pytest
import torch
from optimizer_checks import NAMES, make, our_variables, random_problem

import kerastorch
from kerastorch.backend.variable import Variable
from kerastorch.optimizers import schedules

pytestmark = pytest.mark.cuda


@pytest.mark.parametrize("class_name", NAMES)
def test_cuda_step_is_sync_free_and_matches_cpu(class_name):
    initial, grads = random_problem([(16, 8), (8,)], steps=4, seed=11)
    options = dict(learning_rate=schedules.CosineDecay(0.05, 10), weight_decay=0.01, global_clipnorm=1.0, use_ema=True)
    cpu_vars, cuda_vars = our_variables(initial), [Variable(torch.tensor(x, device="cuda")) for x in initial]
    cpu_opt, cuda_opt = make(kerastorch, class_name, **options), make(kerastorch, class_name, **options)
    cuda_grads = [[torch.tensor(g, device="cuda") for g in step] for step in grads]
    cuda_opt.apply(cuda_grads[0], cuda_vars)  # first step builds the state
    cpu_opt.apply([torch.tensor(g) for g in grads[0]], cpu_vars)
    assert all(t.device.type == "cuda" for t in cuda_opt.variables)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for step in cuda_grads[1:]:
            cuda_opt.apply(step, cuda_vars)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    for step in grads[1:]:
        cpu_opt.apply([torch.tensor(g) for g in step], cpu_vars)
    for a, b in zip(cpu_vars, cuda_vars):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)
