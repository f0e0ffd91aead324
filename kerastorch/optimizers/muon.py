"""``Muon``: momentum orthogonalized by Newton-Schulz iterations for matrices, AdamW for the rest; Keras 3's
formulation (Jordan et al., 2024; the update scale of Liu et al., 2025).

Example:
    >>> optimizer = Muon(learning_rate=1e-3, exclude_layers=["output_dense"])
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Sequence

import numpy as np
import torch

from kerastorch.optimizers.adam import Adam, bias_corrections, times_learning_rate
from kerastorch.optimizers.base import LearningRate, Optimizer, check_hyperparameter
from kerastorch.serialization.object_registration import register_builtin


def _real(value, name):
    return check_hyperparameter(value, name, low=-math.inf, optional=False)


@register_builtin("keras.optimizers")
class Muon(Optimizer):
    """Muon: SGD momentum whose update of each weight matrix is replaced by its nearest semi-orthogonal matrix.

    A variable of rank 2 (a ``Dense`` kernel) takes the Muon step: ``m = momentum * m + g``, the
    direction ``d = g + momentum * m`` (``nesterov``) or ``d = m``, approximately orthogonalized by
    ``ns_steps`` quintic Newton-Schulz iterations ``X = a X + (b A + c A²) X`` with ``A = X Xᵀ``, from
    ``X = d / (||d||_F + 1e-7)`` (``a, b, c = muon_a, muon_b, muon_c``); then
    ``var -= lr * O(d) * sqrt(max(rows, columns)) * rms_rate`` (no rescaling when ``rms_rate`` is None).
    Every other variable takes an Adam step with ``adam_beta_1``, ``adam_beta_2``, ``epsilon`` and the
    learning rate ``lr * adam_lr_ratio``: variables of any other rank, those whose path contains
    ``"embedding"`` (``exclude_embeddings``) and those whose path matches a regular expression of
    ``exclude_layers``. Decoupled weight decay is ``weight_decay`` for the Muon variables and
    ``adam_weight_decay`` for the Adam ones (both ``var -= var * decay * lr``).

    Muon suits the hidden layers' matrices; pass the output layer's name in ``exclude_layers``.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance, or a
            callable that takes no arguments and returns the value to use. Defaults to ``0.001``.
        adam_beta_1: Float in ``[0, 1]``, the Adam step's decay rate of the 1st moment estimates.
            Defaults to ``0.9``.
        adam_beta_2: Float in ``[0, 1]``, the Adam step's decay rate of the 2nd moment estimates.
            Defaults to ``0.999``.
        adam_weight_decay: Float or None, the weight decay of the Adam-updated variables.
            Defaults to ``0.004``.
        epsilon: Float ``>= 0``, the Adam step's constant for numerical stability. Defaults to ``1e-7``.
        weight_decay: Float or None, the weight decay of the Muon-updated variables.
            Defaults to ``0.004``.
        exclude_layers: List of strings, regular expressions searched in the variables' paths; the
            variables they match take the Adam step. Defaults to None (none).
        exclude_embeddings: Bool, whether variables whose path contains ``"embedding"`` take the Adam
            step. Defaults to ``True``.
        muon_a: Float, coefficient ``a`` of the Newton-Schulz iteration. Defaults to ``3.4445``.
        muon_b: Float, coefficient ``b`` of the Newton-Schulz iteration. Defaults to ``-4.7750``.
        muon_c: Float, coefficient ``c`` of the Newton-Schulz iteration. Defaults to ``2.0315``.
        adam_lr_ratio: Float ``>= 0``, the Adam step's learning rate relative to ``learning_rate``.
            Defaults to ``1``.
        momentum: Float in ``[0, 1]``, the momentum of the Muon step. Defaults to ``0.95``.
        ns_steps: Int ``>= 0``, the number of Newton-Schulz iterations. Defaults to ``5``.
        nesterov: Bool, whether the Muon step uses Nesterov momentum. Defaults to ``True``.
        rms_rate: Float or None, the Muon update's scale per ``sqrt(max(rows, columns))``, which lets
            Muon share Adam's learning rate and weight decay. Defaults to ``0.2``.
        **kwargs: The other :class:`~kerastorch.optimizers.Optimizer` keywords (``clipnorm``,
            ``clipvalue``, ``global_clipnorm``, ``use_ema``, ``ema_momentum``,
            ``ema_overwrite_frequency``, ``loss_scale_factor``, ``gradient_accumulation_steps``,
            ``name``).

    Raises:
        ValueError: If a number is out of the range given above (``ns_steps`` must be an int ``>= 0``),
            or for an invalid base keyword.

    References:
        - [Jordan et al., 2024](https://github.com/KellerJordan/Muon)
        - [Liu et al., 2025](https://arxiv.org/abs/2502.16982)

    >>> kernel = torch.nn.Parameter(torch.zeros(2, 2))
    >>> bias = torch.nn.Parameter(torch.zeros(2))
    >>> optimizer = Muon(learning_rate=0.1, rms_rate=None, weight_decay=None)
    >>> optimizer.apply([torch.eye(2), torch.ones(2)], [kernel, bias])
    >>> [[round(x, 3) for x in row] for row in kernel.tolist()]  # -lr * O(g): singular values near, not at, 1
    [[-0.111, 0.0], [0.0, -0.111]]
    >>> [round(x, 4) for x in bias.tolist()]  # Adam's first step: -lr * sign(g)
    [-0.1, -0.1]
    >>> list(optimizer.state_dict())
    ['iterations', 'learning_rate', '0/momentum', '1/momentum', '1/velocity']
    """

    _config_keys = (
        "adam_beta_1",
        "adam_beta_2",
        "epsilon",
        "exclude_layers",
        "muon_a",
        "muon_b",
        "muon_c",
        "adam_lr_ratio",
        "momentum",
        "ns_steps",
        "nesterov",
        "exclude_embeddings",
        "adam_weight_decay",
        "rms_rate",
    )

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        adam_beta_1: float = 0.9,
        adam_beta_2: float = 0.999,
        adam_weight_decay: float = 0.004,
        epsilon: float = 1e-7,
        weight_decay: float = 0.004,
        *,
        exclude_layers: Sequence[str] | None = None,
        exclude_embeddings: bool = True,
        muon_a: float = 3.4445,
        muon_b: float = -4.7750,
        muon_c: float = 2.0315,
        adam_lr_ratio: float = 1,
        momentum: float = 0.95,
        ns_steps: int = 5,
        nesterov: bool = True,
        rms_rate: float | None = 0.2,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)
        self.adam_beta_1 = check_hyperparameter(adam_beta_1, "adam_beta_1", 0.0, 1.0, optional=False)
        self.adam_beta_2 = check_hyperparameter(adam_beta_2, "adam_beta_2", 0.0, 1.0, optional=False)
        self.adam_weight_decay = check_hyperparameter(adam_weight_decay, "adam_weight_decay")
        self.epsilon = check_hyperparameter(epsilon, "epsilon", optional=False)
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = bool(exclude_embeddings)
        self.muon_a, self.muon_b, self.muon_c = (
            _real(muon_a, "muon_a"),
            _real(muon_b, "muon_b"),
            _real(muon_c, "muon_c"),
        )
        self.adam_lr_ratio = check_hyperparameter(adam_lr_ratio, "adam_lr_ratio", optional=False)
        self.momentum = check_hyperparameter(momentum, "momentum", 0.0, 1.0, optional=False)
        if not (isinstance(ns_steps, int) and not isinstance(ns_steps, bool) and ns_steps >= 0):
            raise ValueError(f"Argument `ns_steps` must be an integer >= 0. Received: ns_steps={ns_steps!r}")
        self.ns_steps = ns_steps
        self.nesterov = bool(nesterov)
        self.rms_rate = check_hyperparameter(rms_rate, "rms_rate")
        # The Adam step of the non-matrix variables, on this optimizer's slots and bias corrections.
        self._adam = Adam(beta_1=adam_beta_1, beta_2=adam_beta_2, epsilon=epsilon, name=f"{self.name}_adam")
        self._adam_ids: set[int] = set()

    def _uses_adam(self, variable):
        """Whether ``variable`` takes the Adam step (Keras's rules: rank, embeddings, ``exclude_layers``)."""
        if len(variable.shape) != 2:
            return True
        path = getattr(variable, "path", None) or getattr(variable, "name", None) or ""
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, variables: Iterable[torch.Tensor]) -> None:
        """Create the state for ``variables``: a momentum for each, and an Adam velocity for those that take
        the Adam step.

        >>> optimizer = Muon()
        >>> optimizer.build([torch.nn.Parameter(torch.zeros(3, 2)), torch.nn.Parameter(torch.zeros(2))])
        >>> list(optimizer.state_dict())
        ['iterations', 'learning_rate', '0/momentum', '1/momentum', '1/velocity']
        """
        if self.built:
            return
        variables = list(variables)
        self._adam_ids = {id(v) for v in variables if self._uses_adam(v)}
        super().build(variables)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._adam_ids = {id(v) for v in self._variables if self._uses_adam(v)}  # ids change when unpickled

    def _slot_blocks(self):
        return (("momentum", "velocity"),)

    def _slot_shape(self, name, variable):
        if name == "velocity" and id(variable) not in self._adam_ids:
            return None
        return tuple(variable.shape)

    def _apply_weight_decay(self, variables, lr):
        for rate, adam in ((self.adam_weight_decay, True), (self.weight_decay, False)):
            decayed = [v for v in variables if (id(v) in self._adam_ids) == adam]
            if rate and decayed:
                torch._foreach_mul_(decayed, 1 - lr * rate)

    def _step_scalars(self, lr):
        correction_1, correction_2 = bias_corrections(self, self.adam_beta_1, self.adam_beta_2)
        adam_lr = (
            float(np.float32(lr) * np.float32(self.adam_lr_ratio))
            if isinstance(lr, float)
            else (lr * self.adam_lr_ratio)
        )
        return {"lr": lr, "alpha": times_learning_rate(adam_lr, np.sqrt(correction_2) / correction_1)}

    def _update_step(self, params, grads, slots, scalars):
        momentums, velocities = slots["momentum"], slots["velocity"]
        adam = [i for i, v in enumerate(velocities) if v is not None]  # a velocity marks an Adam variable
        if adam:
            self._adam._update_step(
                [params[i] for i in adam],
                [grads[i] for i in adam],
                {"momentum": [momentums[i] for i in adam], "velocity": [velocities[i] for i in adam]},
                {"alpha": scalars["alpha"]},
            )
        if len(adam) < len(params):
            muon = [i for i, v in enumerate(velocities) if v is None]
            self._muon_step(
                [params[i] for i in muon], [grads[i] for i in muon], [momentums[i] for i in muon], scalars["lr"]
            )

    def _muon_step(self, params, grads, momentums, lr):
        torch._foreach_mul_(momentums, self.momentum)
        torch._foreach_add_(momentums, grads)  # m = momentum * m + g
        directions = torch._foreach_add(grads, momentums, alpha=self.momentum) if self.nesterov else momentums
        by_shape = {}
        for i, p in enumerate(params):
            by_shape.setdefault(tuple(p.shape), []).append(i)
        for shape, indices in by_shape.items():  # the matrices of one shape orthogonalized as one batch
            updates = self._orthogonalize(torch.stack([directions[i] for i in indices]))
            scale = 1.0 if self.rms_rate is None else math.sqrt(max(shape)) * self.rms_rate
            updates.mul_(lr * scale if torch.is_tensor(lr) else float(np.float32(lr) * np.float32(scale)))
            torch._foreach_sub_([params[i] for i in indices], updates.unbind())

    def _orthogonalize(self, x):
        """The quintic Newton-Schulz iteration on a batch of matrices ``x`` (``B, rows, columns``)."""
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.mT
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(self.ns_steps):
            gram = x @ x.mT
            polynomial = torch.baddbmm(gram, gram, gram, beta=self.muon_b, alpha=self.muon_c)
            x = torch.baddbmm(x, polynomial, x, beta=self.muon_a)
        return x.mT if tall else x
