"""The tabular generator's output order and its per-column activations."""

import numpy as np
import torch

# Temperature of the Gumbel-softmax that generates one-hot spans.
GUMBEL_TAU = 0.2


class OutputLayout:
    """The generator's output order and its per-column activations.

    The generator writes its outputs in a *network order* of its own: the
    numeric scalars first (tanh), then every one-hot span (numeric modes and
    categories; Gumbel-softmax), grouped by span size. Spans of one size then
    sit side by side, so a group is one ``(batch, n_spans, size)`` view and its
    softmax one call: no Python loop over columns, and no gather whose
    backward pass would scatter. Training rows are kept as the encoder's
    scalars and slots and turned into network-order rows batch by batch
    (:meth:`network_rows`).
    """

    def __init__(self, layout, n_encoded, device):
        spans = layout["spans"]
        scalars = list(layout["scalars"])
        by_size = sorted(range(len(spans)), key=lambda s: (spans[s][1], s))
        order = scalars + [spans[s][0] + k for s in by_size for k in range(spans[s][1])]
        # Groups of equal-size spans: (first span-block column, n_spans, size).
        self.groups = []
        # The first span-block column of each span, in the encoder's order.
        span_starts = np.zeros(len(spans), dtype=np.int64)
        position = 0
        for s in by_size:
            size = spans[s][1]
            if self.groups and self.groups[-1][2] == size:
                start, count, _ = self.groups[-1]
                self.groups[-1] = (start, count + 1, size)
            else:
                self.groups.append((position, 1, size))
            span_starts[s] = position
            position += size
        # Span-block column of each encoded column (-1 for scalars).
        block_column = np.full(n_encoded, -1, dtype=np.int64)
        block_column[order[len(scalars) :]] = np.arange(len(order) - len(scalars))
        condition_columns = [
            block_column[spans[s][0] + k]
            for s in layout["condition_spans"]
            for k in range(spans[s][1])
        ]

        def tensor(values):
            return torch.as_tensor(np.asarray(values, dtype=np.int64), device=device)

        self.n_scalars = len(scalars)
        self.n_span_columns = len(order) - len(scalars)
        self.order = tensor(order)
        # Span-block column of each condition-vector entry.
        self.condition_columns = tensor(condition_columns)
        # Position, in span-block order, of each span of the encoder's order.
        self.span_positions = tensor(np.argsort(by_size))
        self.span_starts = tensor(span_starts + len(scalars))

    def network_rows(self, scalars, slots):
        """The network-order rows of the encoder's ``scalars`` and ``slots``.

        The scalars, then a one at each span's slot among the span columns.
        """
        rows = torch.zeros(
            (len(slots), len(self.order)), dtype=scalars.dtype, device=slots.device
        )
        rows[:, : self.n_scalars] = scalars
        return rows.scatter_(1, self.span_starts + slots, 1.0)

    def gumbel_noise(self, n_rows, rng, device=None):
        """Standard Gumbel noise, one value per span column."""
        uniform = torch.rand(
            (n_rows, self.n_span_columns), generator=rng, device=device
        )
        uniform.clamp_min_(torch.finfo(uniform.dtype).tiny)
        return -torch.log(-torch.log(uniform))

    def _group_views(self, block):
        for start, count, size in self.groups:
            yield block[:, start : start + count * size].view(len(block), count, size)

    def activate(self, raw, rng):
        """Training activations and the log-probabilities of the span columns.

        Returns the activated rows (in network order) and, for every span
        column, its log-softmax probability within its span.
        """
        block = raw[:, self.n_scalars :]
        gumbel = self.gumbel_noise(len(raw), rng, raw.device)
        noisy = (block + gumbel) / GUMBEL_TAU
        values = torch.cat(
            [torch.tanh(raw[:, : self.n_scalars])]
            + [torch.softmax(g, dim=2).flatten(1) for g in self._group_views(noisy)],
            dim=1,
        )
        log_probs = torch.cat(
            [torch.log_softmax(g, dim=2).flatten(1) for g in self._group_views(block)],
            dim=1,
        )
        return values, log_probs

    def decode(self, raw, uniform):
        """Scalars in [-1, 1] and, per span, a slot drawn from its softmax.

        ``uniform`` holds one draw in [0, 1) per span (in network order), and
        a span's slot is the first whose cumulative probability exceeds it:
        one random number per span rather than one per span column, as the
        Gumbel-max trick would need. Codes come back in the encoder's span
        order.
        """
        codes, start = [], 0
        for group in self._group_views(raw[:, self.n_scalars :]):
            count, size = group.shape[1:]
            # Unnormalized cumulative probabilities; the draw is scaled to
            # their total instead of dividing every entry by it.
            cumulative = (group - group.amax(2, keepdim=True)).exp_().cumsum_(2)
            draw = uniform[:, start : start + count, None] * cumulative[:, :, -1:]
            codes.append((draw >= cumulative).sum(2).clamp_max_(size - 1))
            start += count
        return torch.tanh(raw[:, : self.n_scalars]), torch.cat(
            codes, dim=1
        ).index_select(1, self.span_positions)
