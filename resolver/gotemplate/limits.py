"""Resource bounds for parsing and executing untrusted templates.

Owns `Limits`, the caps that guarantee no template (however hostile) hangs or exhausts
memory: template size, nesting depth, output size, range iterations and evaluation steps.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps applied while parsing (`max_template_size`, `max_depth`) and executing (the rest).

    `max_output` also bounds every intermediate string a function builds, so a template
    cannot grow a value exponentially in a variable without printing it.
    """

    max_template_size: int = 4 * MIB
    max_depth: int = 100
    max_output: int = MIB
    max_range_iterations: int = 100_000
    max_steps: int = 5_000_000


DEFAULT_LIMITS = Limits()
