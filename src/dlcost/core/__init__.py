"""Pure numbers: the formulas of the seed papers. No I/O, clock, environment or printing."""
