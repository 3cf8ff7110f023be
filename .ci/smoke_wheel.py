"""Smoke check of an installed sksynth wheel, run from outside the clone.

Usage: python smoke_wheel.py WHEEL CLONE
"""

import sys
import zipfile
from pathlib import Path

wheel, clone = Path(sys.argv[1]), Path(sys.argv[2]).resolve()

names = zipfile.ZipFile(wheel).namelist()
top_level = {name.split("/", 1)[0] for name in names}
assert top_level == {"sksynth", wheel.name.split("-py3")[0] + ".dist-info"}, top_level
data = sorted(n for n in names if n.startswith("sksynth/datasets/data/"))
assert [Path(n).name for n in data if n.endswith(".csv.gz")] == [
    "adult.csv.gz",
    "energy_data.csv.gz",
    "stock_data.csv.gz",
], data
assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)

import sksynth  # noqa: E402
from sksynth import GANSampler  # noqa: E402
from sksynth.datasets import load_adult  # noqa: E402

location = Path(sksynth.__file__).resolve()
assert clone not in location.parents, f"imported from the clone: {location}"
assert wheel.name.startswith(f"sksynth-{sksynth.__version__}-"), wheel.name

adult = load_adult()
sampler = GANSampler(epochs=1, min_steps=0, device="cpu", random_state=0)
synthetic = sampler.fit(adult.sample(2000, random_state=0)).sample(500, random_state=0)
assert synthetic.shape == (500, adult.shape[1])
assert synthetic.dtypes.equals(adult.dtypes)
print(f"sksynth {sksynth.__version__} from {location.parent}: {len(names)} files,")
print(f"  load_adult() {adult.shape}, GANSampler fit/sample {synthetic.shape}: ok")
