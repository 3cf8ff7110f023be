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

    Given each row's missing-value pattern (which spans with a missing slot
    hold it), the activations keep to it: a span marked missing takes its
    missing slot (and its column's scalar 0), any other span one of its other
    slots.
    """

    def __init__(self, layout, n_encoded, device):
        spans = layout.spans
        scalars = list(layout.scalars)
        by_size = sorted(range(len(spans)), key=lambda s: (spans[s].size, s))
        order = scalars + [
            spans[s].start + k for s in by_size for k in range(spans[s].size)
        ]
        # Groups of equal-size spans: (first span-block column, n_spans, size).
        self.groups = []
        # The first span-block column of each span, in the encoder's order.
        span_starts = np.zeros(len(spans), dtype=np.int64)
        position = 0
        for s in by_size:
            size = spans[s].size
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
            block_column[spans[s].start + k]
            for s in layout.condition_spans
            for k in range(spans[s].size)
        ]

        def tensor(values):
            return torch.as_tensor(np.asarray(values, dtype=np.int64), device=device)

        self.n_scalars = len(scalars)
        self.span_sizes = [span.size for span in spans]
        self.n_span_columns = len(order) - len(scalars)
        self.order = tensor(order)
        # Span-block column of each condition-vector entry.
        self.condition_columns = tensor(condition_columns)
        # Position, in span-block order, of each span of the encoder's order.
        self.span_positions = tensor(np.argsort(by_size))
        self.span_starts = tensor(span_starts + len(scalars))

        # The spans with a missing slot: that slot, and which of them owns
        # each span column and scalar (their number when none does).
        missing_spans = layout.missing_spans
        n_missing = len(missing_spans)
        owner = np.full(self.n_span_columns, n_missing)
        is_missing_slot = np.zeros(self.n_span_columns, dtype=bool)
        scalar_owner = np.full(self.n_scalars, n_missing)
        for j, (s, scalar) in enumerate(
            zip(missing_spans, layout.missing_scalars, strict=True)
        ):
            start, size = span_starts[s], spans[s].size
            owner[start : start + size] = j
            is_missing_slot[start + size - 1] = True
            if scalar >= 0:
                scalar_owner[scalar] = j
        self.n_missing = n_missing
        self.missing_spans = tensor(missing_spans)
        self.missing_slots = tensor([spans[s].size - 1 for s in missing_spans])
        self.missing_owner = tensor(owner)
        self.is_missing_slot = torch.as_tensor(is_missing_slot, device=device)
        self.scalar_owner = tensor(scalar_owner)

    def network_rows(self, scalars, slots):
        """The network-order rows of the encoder's ``scalars`` and ``slots``.

        The scalars, then a one at each span's slot among the span columns.
        """
        rows = torch.zeros(
            (len(slots), len(self.order)), dtype=scalars.dtype, device=slots.device
        )
        rows[:, : self.n_scalars] = scalars
        return rows.scatter_(1, self.span_starts + slots, 1.0)

    def missing_of(self, slots):
        """Each row's missing-value pattern: whether each such span holds it."""
        return slots.index_select(1, self.missing_spans) == self.missing_slots

    def allowed_slots(self, span, slots):
        """A mask of the span columns that holds ``span`` to each row's slot.

        ``span`` is an index into the encoder's spans, ``slots`` an integer
        tensor of one slot per row. Returns a boolean (n_rows, n_span_columns)
        tensor, what :meth:`decode` takes as ``allowed``.
        """
        allowed = torch.ones(
            len(slots), self.n_span_columns, dtype=torch.bool, device=slots.device
        )
        start = int(self.span_starts[span]) - self.n_scalars
        allowed[:, start : start + self.span_sizes[span]] = False
        allowed[torch.arange(len(slots), device=slots.device), start + slots] = True
        return allowed

    def _keep_to(self, missing, block, scalars, allowed=None):
        """``block`` and ``scalars`` held to the rows' missing patterns.

        Span columns the pattern, or the ``allowed`` mask, rules out get -inf
        logits; the scalars of missing numbers become 0.
        """
        if allowed is not None:
            block = block.masked_fill(~allowed, -torch.inf)
        if missing is None:
            return block, scalars
        padded = torch.cat([missing, missing.new_zeros(len(missing), 1)], dim=1)
        allowed = padded[:, self.missing_owner] == self.is_missing_slot
        block = block.masked_fill(~allowed, -torch.inf)
        return block, scalars * ~padded[:, self.scalar_owner]

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

    def activate(self, raw, rng, missing=None):
        """Training activations and the log-probabilities of the span columns.

        Returns the activated rows (in network order) and, for every span
        column, its log-softmax probability within its span. ``missing``, a
        boolean (n_rows, n_missing) tensor or None, holds the rows to their
        missing-value patterns.
        """
        block, scalars = self._keep_to(
            missing, raw[:, self.n_scalars :], torch.tanh(raw[:, : self.n_scalars])
        )
        gumbel = self.gumbel_noise(len(raw), rng, raw.device)
        noisy = (block + gumbel) / GUMBEL_TAU
        values = torch.cat(
            [scalars]
            + [torch.softmax(g, dim=2).flatten(1) for g in self._group_views(noisy)],
            dim=1,
        )
        log_probs = torch.cat(
            [torch.log_softmax(g, dim=2).flatten(1) for g in self._group_views(block)],
            dim=1,
        )
        return values, log_probs

    def decode(self, raw, uniform, missing=None, allowed=None):
        """Scalars in [-1, 1] and, per span, a slot drawn from its softmax.

        ``uniform`` holds one draw in [0, 1) per span (in network order), and
        a span's slot is the first whose cumulative probability exceeds it:
        one random number per span rather than one per span column, as the
        Gumbel-max trick would need. ``missing`` is as in :meth:`activate`;
        ``allowed``, a mask of :meth:`allowed_slots` or None, rules out slots
        row by row. Codes come back in the encoder's span order.
        """
        block, scalars = self._keep_to(
            missing,
            raw[:, self.n_scalars :],
            torch.tanh(raw[:, : self.n_scalars]),
            allowed,
        )
        codes, start = [], 0
        for group in self._group_views(block):
            count, size = group.shape[1:]
            # Unnormalized cumulative probabilities; the draw is scaled to
            # their total instead of dividing every entry by it.
            cumulative = (group - group.amax(2, keepdim=True)).exp_().cumsum_(2)
            draw = uniform[:, start : start + count, None] * cumulative[:, :, -1:]
            codes.append((draw >= cumulative).sum(2).clamp_max_(size - 1))
            start += count
        codes = torch.cat(codes, dim=1).index_select(1, self.span_positions)
        if missing is not None:
            # A draw rounded up to a span's total would pick its last slot,
            # the missing one, even where the -inf logits rule it out.
            held = codes[:, self.missing_spans].clamp_max(self.missing_slots - 1)
            codes[:, self.missing_spans] = torch.where(
                missing, self.missing_slots, held
            )
        return scalars, codes
