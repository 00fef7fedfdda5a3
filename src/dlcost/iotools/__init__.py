"""User files: the config, saved measurements, scenario TOML, pilot points and observation CSV.

The only place dlcost reads or writes a user's files; the library's computations
take what these return as arguments.
"""
