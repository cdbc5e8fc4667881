# Writes example.mat, the crate doc's example input. Run with scipy (1.17.1 was used):
#   /work/venv-torch/bin/python make_example.py
import numpy as np
import scipy.io

names = np.empty((1, 3), dtype=object)
names[0, 0], names[0, 1], names[0, 2] = "Ada", "Grace", "Jauhojärvi"
db = np.empty((1, 1), dtype=[("name", object), ("box", object)])
db[0, 0]["name"] = names
db[0, 0]["box"] = np.array([[10.0, 11, 12, 13], [21, 22, 23, 24], [31, 32, 33, 34]])
scipy.io.savemat("example.mat", {"db": db}, do_compression=True)
