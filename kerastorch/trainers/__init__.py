"""The training engine: data adapters, compiled losses/metrics, the step functions and the epoch loop."""
