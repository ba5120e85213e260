#!/bin/bash
# One shard of the sweep per task of the job array: `--shard auto` reads
# K and N from SLURM_ARRAY_TASK_ID, _MIN and _COUNT.
#SBATCH --job-name=cnnc-sweep
#SBATCH --array=1-4
#SBATCH --cpus-per-task=1
#SBATCH --time=00:30:00
#SBATCH --output=logs/sweep-%a.log
set -euo pipefail
cnnc sweep examples/conv4.cnn --pass igrad --dataflow rs,gflow \
    --vary array=6x7,12x14,8x8 --vary glb.bank=2KiB,4KiB \
    --shard auto \
    -o "shards/sweep-$(printf %03d "${SLURM_ARRAY_TASK_ID}").csv"
