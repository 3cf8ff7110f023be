"""What every sampler needs; imports nothing else from sksynth.

Validation, devices, seeding, the memory guard, the model file and the values
it stores, output files written whole or not at all, the training loop and its
callbacks (log, weight averaging, data-parallel training), recurrent blocks,
labels, panels and the table-column rules.
"""
