//! `--shard auto`: the slice a task of a scheduler's job array runs, from
//! the variables the scheduler sets. Each scheduler numbers its tasks its
//! own way; every one here gives this task's index and enough to count the
//! tasks, except PBS, which gives only the index (see [`from_job_array`]).
//!
//! | scheduler | index | first | count or last | step |
//! |---|---|---|---|---|
//! | Slurm | `SLURM_ARRAY_TASK_ID` | `SLURM_ARRAY_TASK_MIN` | `SLURM_ARRAY_TASK_COUNT` (count) | `SLURM_ARRAY_TASK_STEP` |
//! | SGE, Open Grid Scheduler | `SGE_TASK_ID` (`undefined` outside an array) | `SGE_TASK_FIRST` | `SGE_TASK_LAST` (last) | `SGE_TASK_STEPSIZE` |
//! | LSF | `LSB_JOBINDEX` (`0` outside an array) | always 1 | `LSB_JOBINDEX_END` (last) | `LSB_JOBINDEX_STEP` |
//! | PBS Pro, Torque | `PBS_ARRAY_INDEX`, `PBS_ARRAYID` | not set | not set | not set |

use crate::diag::{Code, Diagnostic};

use super::spec::Shard;

/// The shard a job-array task runs, and where it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub shard: Shard,
    /// `Slurm`, `SGE`, `LSF`.
    pub scheduler: &'static str,
    /// The variables and their values, as `NAME=VALUE, ...`.
    pub variables: String,
}

/// Reads variables by name (the process environment, or a test's map).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn help_outside() -> &'static str {
    "run it as a task of a job array (Slurm `sbatch --array=1-N`, SGE `qsub -t 1-N`, LSF `bsub -J \"name[1-N]\"`), or give the slice yourself: `--shard K/N`"
}

fn bad(scheduler: &str, variables: &str, why: &str, help: &str) -> Diagnostic {
    Diagnostic::error(
        Code::BadJobArray,
        format!("`--shard auto`: {scheduler}'s job array ({variables}): {why}"),
    )
    .with_help(help.to_string())
}

/// The shard of the job-array task this process runs in: the first
/// scheduler whose index variable is set (Slurm, SGE, LSF, then PBS).
pub fn from_job_array(env: Env<'_>) -> Result<Found, Diagnostic> {
    let slurm = Scheme {
        scheduler: "Slurm",
        index: "SLURM_ARRAY_TASK_ID",
        first: Some("SLURM_ARRAY_TASK_MIN"),
        size: Size::Count("SLURM_ARRAY_TASK_COUNT"),
        step: "SLURM_ARRAY_TASK_STEP",
        outside: None,
        help:
            "submit with a range, `sbatch --array=1-N` (or `--array=A-B:S`), not a list of indices",
    };
    let sge = Scheme {
        scheduler: "SGE",
        index: "SGE_TASK_ID",
        first: Some("SGE_TASK_FIRST"),
        size: Size::Last("SGE_TASK_LAST"),
        step: "SGE_TASK_STEPSIZE",
        outside: Some("undefined"),
        help: "submit with `qsub -t 1-N`",
    };
    let lsf = Scheme {
        scheduler: "LSF",
        index: "LSB_JOBINDEX",
        first: None,
        size: Size::Last("LSB_JOBINDEX_END"),
        step: "LSB_JOBINDEX_STEP",
        outside: Some("0"),
        help: "submit with `bsub -J \"name[1-N]\"`: LSF does not tell where the indices start, so they must start at 1",
    };
    for scheme in [slurm, sge, lsf] {
        if let Some(found) = scheme.read(env)? {
            return Ok(found);
        }
    }
    for name in ["PBS_ARRAY_INDEX", "PBS_ARRAYID"] {
        if let Some(v) = env(name) {
            return Err(bad(
                "PBS",
                &format!("{name}={v}"),
                "PBS gives this task's index but not the size of its array",
                &format!("with an array of `qsub -J 1-N` (Torque: `-t 1-N`), give the slice yourself: `--shard ${name}/N`"),
            ));
        }
    }
    Err(Diagnostic::error(
        Code::NoJobArray,
        "`--shard auto` outside a job array: no SLURM_ARRAY_TASK_ID, SGE_TASK_ID, LSB_JOBINDEX or PBS_ARRAY_INDEX is set",
    )
    .with_help(help_outside()))
}

/// How a scheduler gives the array's size.
enum Size {
    /// The number of tasks.
    Count(&'static str),
    /// The last index.
    Last(&'static str),
}

/// One scheduler's variables.
struct Scheme {
    scheduler: &'static str,
    index: &'static str,
    /// The first index; `None`: it is 1.
    first: Option<&'static str>,
    size: Size,
    /// Unset means 1.
    step: &'static str,
    /// The index's value outside an array, where the scheduler sets one.
    outside: Option<&'static str>,
    help: &'static str,
}

impl Scheme {
    /// `None` when this scheduler's index is not set (or says "no array").
    fn read(&self, env: Env<'_>) -> Result<Option<Found>, Diagnostic> {
        let Some(index) = env(self.index) else {
            return Ok(None);
        };
        if self.outside == Some(index.trim()) {
            return Ok(None);
        }
        let mut shown = vec![format!("{}={index}", self.index)];
        let mut get = |name: &str, default: Option<u64>| -> Result<u64, String> {
            match env(name) {
                Some(v) => {
                    shown.push(format!("{name}={v}"));
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("`{name}` is `{v}`, not a whole number"))
                }
                None => default.ok_or_else(|| format!("`{name}` is not set")),
            }
        };
        let parsed = (|| {
            let i = index
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("`{}` is `{index}`, not a whole number", self.index))?;
            let first = match self.first {
                Some(name) => get(name, None)?,
                None => 1,
            };
            let step = get(self.step, Some(1))?.max(1);
            let n = match self.size {
                Size::Count(name) => get(name, None)?,
                Size::Last(name) => {
                    let last = get(name, None)?;
                    if last < first {
                        return Err(format!("the last index {last} is below the first {first}"));
                    }
                    (last - first) / step + 1
                }
            };
            Ok((i, first, step, n))
        })();
        let variables = shown.join(", ");
        let (i, first, step, n) =
            parsed.map_err(|why| bad(self.scheduler, &variables, &why, self.help))?;
        let offset = i.checked_sub(first).filter(|o| o % step == 0);
        let k = offset.map(|o| o / step + 1).filter(|&k| k <= n && n > 0);
        let Some(k) = k else {
            return Err(bad(
                self.scheduler,
                &variables,
                &format!(
                    "index {i} is not one of the {n} indices {first}, {}, ... with step {step}",
                    first + step
                ),
                self.help,
            ));
        };
        let (Ok(k), Ok(n)) = (usize::try_from(k), usize::try_from(n)) else {
            return Err(bad(self.scheduler, &variables, "too many tasks", self.help));
        };
        Ok(Some(Found {
            shard: Shard { k, n },
            scheduler: self.scheduler,
            variables,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn found(vars: &[(&str, &str)]) -> Result<Found, Diagnostic> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_job_array(&|name| map.get(name).cloned())
    }

    fn shard(vars: &[(&str, &str)]) -> (usize, usize) {
        let f = found(vars).unwrap();
        (f.shard.k, f.shard.n)
    }

    #[test]
    fn slurm_arrays_from_any_first_index_and_step() {
        let v = |id, min, count| {
            shard(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", min),
                ("SLURM_ARRAY_TASK_COUNT", count),
            ])
        };
        assert_eq!(v("1", "1", "4"), (1, 4));
        assert_eq!(v("4", "1", "4"), (4, 4));
        assert_eq!(v("0", "0", "4"), (1, 4));
        assert_eq!(v("3", "0", "4"), (4, 4));
        let stepped = shard(&[
            ("SLURM_ARRAY_TASK_ID", "8"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_STEP", "4"),
        ]);
        assert_eq!(stepped, (3, 4));
        let f = found(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ])
        .unwrap();
        assert_eq!(f.scheduler, "Slurm");
        assert_eq!(
            f.variables,
            "SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=4"
        );
    }

    #[test]
    fn a_slurm_list_of_indices_is_refused() {
        // `--array=1,3,7`: min 1, count 3; index 7 is not the third.
        let e = found(&[
            ("SLURM_ARRAY_TASK_ID", "7"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ])
        .unwrap_err();
        assert_eq!(e.code, Code::BadJobArray);
        let e = found(&[("SLURM_ARRAY_TASK_ID", "2")]).unwrap_err();
        assert!(e.message.contains("SLURM_ARRAY_TASK_MIN"), "{}", e.message);
    }

    #[test]
    fn sge_and_lsf_count_from_first_last_and_step() {
        let sge = |id, first, last, step| {
            shard(&[
                ("SGE_TASK_ID", id),
                ("SGE_TASK_FIRST", first),
                ("SGE_TASK_LAST", last),
                ("SGE_TASK_STEPSIZE", step),
            ])
        };
        assert_eq!(sge("1", "1", "4", "1"), (1, 4));
        assert_eq!(sge("7", "1", "10", "3"), (3, 4));
        let lsf = shard(&[("LSB_JOBINDEX", "3"), ("LSB_JOBINDEX_END", "4")]);
        assert_eq!(lsf, (3, 4));
        let lsf = shard(&[
            ("LSB_JOBINDEX", "5"),
            ("LSB_JOBINDEX_END", "9"),
            ("LSB_JOBINDEX_STEP", "2"),
        ]);
        assert_eq!(lsf, (3, 5));
    }

    #[test]
    fn outside_an_array_is_its_own_error() {
        assert_eq!(found(&[]).unwrap_err().code, Code::NoJobArray);
        // What SGE and LSF set for a job that is not an array.
        let plain = [("SGE_TASK_ID", "undefined"), ("LSB_JOBINDEX", "0")];
        assert_eq!(found(&plain).unwrap_err().code, Code::NoJobArray);
        let pbs = found(&[("PBS_ARRAY_INDEX", "3")]).unwrap_err();
        assert_eq!(pbs.code, Code::BadJobArray);
        assert!(pbs.help.unwrap().contains("$PBS_ARRAY_INDEX/N"));
    }
}
