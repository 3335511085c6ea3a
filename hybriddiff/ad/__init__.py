"""Automatic differentiation on values: forward mode (``forward.Dual``), reverse mode
(``reverse.Variable`` and its sweep) and the differential operators (``operators``: jvp, vjp, grad,
value_and_grad, jacobian, hessian)."""
