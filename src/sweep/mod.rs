//! `cnnc sweep`: one layer or network costed over the cross product of arch
//! values (`--vary KEY=V1,V2,...`) and dataflows, in parallel, one row per
//! design point, in a fixed order; `--shard K/N` runs a contiguous slice of
//! that order (`--shard auto`: the task's own, from the job array's
//! variables), and `cnnc sweep-merge` joins the slices and marks the
//! energy-latency Pareto front, which needs every point (docs/workflow.md).

pub mod job_array;
pub mod merge;
pub mod pareto;
pub mod point;
pub mod rows;
pub mod spec;
