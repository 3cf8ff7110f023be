"""What every sampler needs; imports nothing else from sksynth.

Validation, devices, seeding, the memory guard, the model file, the training
log, weight averaging, data-parallel training, recurrent blocks, labels,
panels, the table-column rules and the values a model file stores.
"""
