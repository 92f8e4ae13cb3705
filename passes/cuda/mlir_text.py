"""Writing MLIR as text, for the kernel-template generators of this folder."""


class TextEmitter:
    """Lines of MLIR with fresh SSA names (%<hint><n>) and indentation."""

    def __init__(self):
        self.lines = []
        self.n = 0
        self.ind = 2
        self.consts = {}

    def name(self, hint="v"):
        self.n += 1
        return f"%{hint}{self.n}"

    def raw(self, s):
        self.lines.append("  " * self.ind + s)

    def op(self, rhs, hint="v"):
        r = self.name(hint)
        self.raw(f"{r} = {rhs}")
        return r

    def ops(self, rhs, count, hint="v"):
        r = self.name(hint)
        self.raw(f"{r}:{count} = {rhs}")
        return [f"{r}#{i}" for i in range(count)]
