"""Naming the step a piece of work is at, for its logs and for where it stopped."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Stepped(Protocol):
    at: str


S = TypeVar("S", bound=Stepped)


def step(name: str) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """While the method runs, `self.at` is `name`; when it returns, `at` is again the step that
    called it. When it raises, `at` stays `name`: where the work stopped."""

    def decorate(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        def stepped(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            caller, self.at = self.at, name
            result = method(self, *args, **kwargs)
            self.at = caller
            return result

        functools.update_wrapper(stepped, method)
        return stepped

    return decorate
