"""The complaint lifecycle: empathise, record facts, assign an owner, keep the customer informed, resolve."""
