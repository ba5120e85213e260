"""The walk-through of docs/python.md as one script: it prints the tables
the page shows and draws its three figures (docs/figures/python_*.png).

    pip install ./python pandas matplotlib
    python docs/figures/python_walkthrough.py      # from the clone's root
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import cnnc  # noqa: E402

pd.set_option("display.width", 120)
OUT = "docs/figures/"

# 1. Cost a network: one row per layer.
net = cnnc.run("examples/alexnet.cnn", layer="alexnet")
frame = cnnc.to_frame(net)
frame["energy_uj"] = frame["energy_pj.total"] / 1e6
print(frame[["layer", "cycles", "time_us", "energy_uj", "utilisation"]].to_string(index=False))
print("totals:", net["totals"]["cycles"], "cycles,", net["totals"]["energy_pj"] / 1e6, "uJ")

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.bar(frame["layer"].str.replace("alexnet.", "", regex=False), frame["energy_uj"])
ax.set_ylabel("energy (µJ)")
ax.set_title("AlexNet forward pass on Eyeriss (row-stationary), per layer")
fig.tight_layout()
fig.savefig(OUT + "python_alexnet_energy.png", dpi=110)

# 2. Compare dataflows: the input-gradient pass, row-stationary vs Grad-Flow.
both = cnnc.to_frame(cnnc.run("examples/alexnet.cnn", layer="alexnet", passes="igrad", compare=True))
table = both.pivot(index="layer", columns="dataflow", values="energy_pj.total") / 1e9
table["gflow / rs"] = table["gflow"] / table["rs"]
print(table.round(3).to_string())
# Where each side's figures come from: simulated cycle by cycle, or the
# analytic estimate (Grad-Flow's whole layers are estimated today).
source = both.groupby("dataflow")["cycles_from"].agg(lambda s: "/".join(sorted(set(s))))
print(source.to_string())

fig, ax = plt.subplots(figsize=(6, 3.2))
layers = [name.replace("alexnet.", "") for name in table.index]
x = range(len(layers))
ax.bar([i - 0.2 for i in x], table["rs"], width=0.4, label=f"row-stationary ({source['rs']})")
ax.bar([i + 0.2 for i in x], table["gflow"], width=0.4, label=f"Grad-Flow ({source['gflow']})")
ax.set_xticks(list(x), layers)
ax.set_ylabel("energy (mJ)")
ax.set_title("AlexNet input-gradient pass on eyeriss, batch 4")
ax.legend()
fig.tight_layout()
fig.savefig(OUT + "python_alexnet_dataflows.png", dpi=110)

# 3. Sweep an arch key: the PE array's shape, both dataflows.
shapes = ["6x7", "8x8", "12x14", "16x16", "14x24", "32x32"]
points = cnnc.to_frame(
    cnnc.sweep("examples/conv4.cnn", vary={"array": shapes}, passes="igrad", dataflow=["rs", "gflow"])
)
points["energy_uj"] = points["energy_pj"] / 1e6
print(points[["arch.array", "dataflow", "cycles", "energy_uj", "utilisation", "pareto"]].to_string(index=False))

fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.2))
for dataflow, rows in points.groupby("dataflow", sort=False):
    label = f"{dataflow} ({'/'.join(sorted(set(rows['cycles_from'])))})"
    left.plot(rows["arch.array"], rows["energy_uj"], marker="o", label=label)
    right.plot(rows["arch.array"], rows["cycles"] / 1e6, marker="o", label=label)
left.set_ylabel("energy (µJ)")
right.set_ylabel("cycles (millions)")
for ax in (left, right):
    ax.set_xlabel("array (rows x columns)")
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", labelsize=8)
    ax.legend()
fig.suptitle("AlexNet conv4, input gradient: the PE array's shape")
fig.tight_layout()
fig.savefig(OUT + "python_conv4_array_sweep.png", dpi=110)
