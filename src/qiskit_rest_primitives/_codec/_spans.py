"""Execution spans: when each slice of a job's result data was taken (result metadata)."""

from __future__ import annotations

import abc
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DoubleSliceSpan",
    "ExecutionSpan",
    "ExecutionSpans",
    "SliceSpan",
    "TwirledSliceSpan",
    "TwirledSliceSpanV2",
]


ShapeType = tuple[int, ...]


class ExecutionSpan(abc.ABC):
    """When a subset of a job's result data was taken (mirrors qiskit-ibm-runtime's class)."""

    def __init__(self, start: datetime, stop: datetime, data_slices: dict[int, Any]) -> None:
        self._start = start
        self._stop = stop
        self._data_slices = dict(data_slices)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExecutionSpan) and (type(self), self._key()) == (
            type(other),
            other._key(),
        )

    __hash__ = None  # type: ignore[assignment]

    def __lt__(self, other: ExecutionSpan) -> bool:
        return (self.start, self.stop) < (other.start, other.stop)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(<start='{self.start:%Y-%m-%d %H:%M:%S}', "
            f"stop='{self.stop:%Y-%m-%d %H:%M:%S}', size={self.size}>)"
        )

    def _key(self) -> tuple[Any, ...]:
        return (self._start, self._stop, self._data_slices)

    @property
    def start(self) -> datetime:
        """The start time of the span, in UTC."""
        return self._start

    @property
    def stop(self) -> datetime:
        """The stop time of the span, in UTC."""
        return self._stop

    @property
    def duration(self) -> float:
        """The duration of the span, in seconds."""
        return (self._stop - self._start).total_seconds()

    @property
    def pub_idxs(self) -> list[int]:
        """Indices of the pubs with data in this span."""
        return sorted(self._data_slices)

    @property
    def size(self) -> int:
        """How many results (shots, for a sampler) depend on this span, over all pubs."""
        return sum(int(self.mask(idx).sum()) for idx in self._data_slices)

    @abc.abstractmethod
    def mask(self, pub_idx: int) -> NDArray[np.bool_]:
        """Boolean array, shaped like the pub's data, marking the parts taken in this span."""

    def contains_pub(self, pub_idx: int | Iterable[int]) -> bool:
        """Whether any of the given pubs has data in this span."""
        wanted = {pub_idx} if isinstance(pub_idx, int) else set(pub_idx)
        return not wanted.isdisjoint(self._data_slices)

    def filter_by_pub(self, pub_idx: int | Iterable[int]) -> ExecutionSpan:
        """A copy of this span that keeps only the given pubs."""
        wanted = {pub_idx} if isinstance(pub_idx, int) else set(pub_idx)
        kept = {i: v for i, v in self._data_slices.items() if i in wanted}
        return type(self)(self._start, self._stop, kept)

    def _check(self, pub_idx: int) -> Any:
        if pub_idx not in self._data_slices:
            raise KeyError(f"Pub {pub_idx} is not included in the span.")
        return self._data_slices[pub_idx]


def _grid_size(shape: ShapeType, args: slice, shots: slice) -> int:
    """Cells of a (flattened leading axes) x (last axis) grid selected by two slices."""
    return len(range(math.prod(shape[:-1]))[args]) * len(range(shape[-1])[shots])


class SliceSpan(ExecutionSpan):
    """Span over a flat slice of each pub's data: ``{pub: (shape, slice)}``."""

    def mask(self, pub_idx: int) -> NDArray[np.bool_]:
        shape, flat = self._check(pub_idx)
        out = np.zeros(shape, dtype=np.bool_)
        out.reshape(-1)[flat] = True
        return out


class DoubleSliceSpan(ExecutionSpan):
    """Span over (flat parameter slice, shot slice): ``{pub: (shape, args, shots)}``."""

    @property
    def size(self) -> int:
        """How many results depend on this span, over all pubs."""
        return sum(_grid_size(*item) for item in self._data_slices.values())

    def mask(self, pub_idx: int) -> NDArray[np.bool_]:
        shape, args, shots = self._check(pub_idx)
        out = np.zeros(shape, dtype=np.bool_)
        out.reshape(math.prod(shape[:-1]), shape[-1])[args, shots] = True
        return out


class TwirledSliceSpan(ExecutionSpan):
    """Twirled span: ``{pub: (twirled_shape, at_front, args, shots)}``."""

    @property
    def size(self) -> int:
        """Results in this span over all pubs (like qiskit-ibm-runtime: ignores pub_shots)."""
        return sum(_grid_size(item[0], item[2], item[3]) for item in self._data_slices.values())

    def mask(self, pub_idx: int) -> NDArray[np.bool_]:
        shape, at_front, args, shots = self._check(pub_idx)[:4]
        out = np.zeros(shape, dtype=np.bool_)
        out.reshape(math.prod(shape[:-1]), shape[-1])[args, shots] = True
        if at_front:  # move the randomization axis next to the shots axis
            out = np.moveaxis(out, 0, -2)
            shape = (*shape[1:-1], shape[0], shape[-1])
        return out.reshape(*shape[:-2], shape[-2] * shape[-1])


class TwirledSliceSpanV2(TwirledSliceSpan):
    """Twirled span that also knows each pub's requested shots (5-tuples)."""

    def mask(self, pub_idx: int) -> NDArray[np.bool_]:
        return super().mask(pub_idx)[..., : self._data_slices[pub_idx][4]]


class ExecutionSpans:
    """List-like collection of :class:`ExecutionSpan` (result ``metadata.execution``)."""

    def __init__(self, spans: Iterable[ExecutionSpan]) -> None:
        self._spans = list(spans)

    def __len__(self) -> int:
        return len(self._spans)

    @overload
    def __getitem__(self, idx: int) -> ExecutionSpan: ...
    @overload
    def __getitem__(self, idx: slice | list[int]) -> ExecutionSpans: ...
    def __getitem__(self, idx: int | slice | list[int]) -> ExecutionSpan | ExecutionSpans:
        if isinstance(idx, int):
            return self._spans[idx]
        if isinstance(idx, slice):
            return ExecutionSpans(self._spans[idx])
        return ExecutionSpans(self._spans[i] for i in idx)

    def __iter__(self) -> Iterator[ExecutionSpan]:
        return iter(self._spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExecutionSpans) and self._spans == other._spans

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ExecutionSpans({self._spans!r})"

    @property
    def pub_idxs(self) -> list[int]:
        """Indices of the pubs with data in any span."""
        return sorted({i for span in self._spans for i in span.pub_idxs})

    @property
    def start(self) -> datetime:
        """Earliest span start."""
        return min(span.start for span in self._spans)

    @property
    def stop(self) -> datetime:
        """Latest span stop."""
        return max(span.stop for span in self._spans)

    @property
    def duration(self) -> float:
        """Seconds from the earliest start to the latest stop."""
        return (self.stop - self.start).total_seconds()

    def filter_by_pub(self, pub_idx: int | Iterable[int]) -> ExecutionSpans:
        """Every span, filtered to the given pubs."""
        return ExecutionSpans(span.filter_by_pub(pub_idx) for span in self._spans)

    def sort(self, inplace: bool = True) -> ExecutionSpans:
        """Sort by ``(start, stop)``, in place or on a copy."""
        target = self if inplace else ExecutionSpans(self._spans)
        target._spans.sort()
        return target
