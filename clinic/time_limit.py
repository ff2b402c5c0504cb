"""Running one piece of heavy work in a child process that is stopped after a time limit.

Issue 15: a hostile picture kept a home-care sheet's PDF (WeasyPrint) busy for over a
minute, until gunicorn killed the whole worker, and every later print of that sheet did the
same. Drawing in a forked child bounds it: the worker waits at most the limit, kills the
child, and answers in words. Forking is cheap (the child shares the worker's memory, with
WeasyPrint already imported), unlike starting a fresh interpreter, which would cost more
than the drawing itself. The work must not touch the database: the child inherits the
worker's connections, and must never use them, so the caller prepares everything first.
"""

import gc
import multiprocessing
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TimeLimitExceeded(Exception):
    """The work took longer than its limit and was stopped."""


class ChildFailed(Exception):
    """The work failed in the child (its error's name only: the message may hold data)."""


def run_with_time_limit(function: Callable[..., T], *args, seconds: float) -> T:
    """function(*args) in a forked child; its result if it comes within `seconds`."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_work, args=(sender, function, args), daemon=True)
    child.start()
    sender.close()  # the child holds the only sending end: its death ends the wait
    try:
        if not receiver.poll(seconds):
            raise TimeLimitExceeded
        succeeded, value = receiver.recv()
    except EOFError:
        raise ChildFailed("the child ended without an answer") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if not succeeded:
        raise ChildFailed(value)
    return value


def _work(sender, function, args):
    # The worker's objects are the child's only to read: the child's garbage collector
    # leaves them alone rather than walk (and so copy) every page the worker holds.
    gc.freeze()
    try:
        answer = (True, function(*args))
    except Exception as error:  # reported to the parent by name
        answer = (False, type(error).__name__)
    sender.send(answer)
    sender.close()
