"""Tools for developers of samplers; import the submodules themselves."""
