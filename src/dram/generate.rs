//! From DRAM traffic (read/write transfers of byte ranges) to a command
//! stream: transfers are served in order, split into bursts of
//! BL x rank-width bytes, mapped by [`super::address_map`] and scheduled by
//! [`super::scheduler`] under an open-page policy.

use serde::Serialize;

use super::address_map::AddressMap;
use super::command::Command;
use super::error::DramError;
use super::limits::{MAX_COMMANDS, MAX_CYCLES};
use super::memspec::MemSpec;
use super::scheduler::CommandScheduler;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferKind {
    Read,
    Write,
}

/// One DRAM transfer: `len` bytes read or written from byte address `addr`
/// (split into bursts by the generator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Transfer {
    pub kind: TransferKind,
    pub addr: u64,
    pub len: u64,
}

impl Transfer {
    pub fn read(addr: u64, len: u64) -> Transfer {
        Transfer {
            kind: TransferKind::Read,
            addr,
            len,
        }
    }

    pub fn write(addr: u64, len: u64) -> Transfer {
        Transfer {
            kind: TransferKind::Write,
            addr,
            len,
        }
    }
}

/// How the bursts are placed in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pacing {
    /// Back to back, as fast as the timing allows.
    #[default]
    Greedy,
    /// Burst i not before i * (cover_cycles / bursts): traffic spread over
    /// the whole duration, as the original simulator's trace does.
    Spread,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GenOptions {
    /// Duration (memory-clock cycles) the stream must cover; refreshes
    /// continue until then.
    pub cover_cycles: u64,
    pub pacing: Pacing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generated {
    pub commands: Vec<Command>,
    /// End of the covered period: the later of `cover_cycles` and the
    /// completion of the last burst or refresh. Pass it to `energy`.
    pub end_cycle: u64,
}

/// Command stream for `transfers`, ending when the last one completes.
/// Inputs too large to schedule (see [`generate_for`]) give an empty list.
pub fn generate(memspec: &MemSpec, transfers: &[Transfer]) -> Vec<Command> {
    generate_for(memspec, transfers, &GenOptions::default())
        .map(|g| g.commands)
        .unwrap_or_default()
}

/// Number of bursts a transfer touches.
fn bursts_of(r: &Transfer, bb: u64) -> u64 {
    if r.len == 0 {
        return 0;
    }
    let first = r.addr / bb;
    let last = r.addr.saturating_add(r.len - 1) / bb;
    last - first + 1
}

/// Command stream for `transfers` covering at least `opts.cover_cycles`.
/// Fails (rather than exhausting memory) when the traffic plus the
/// refreshes would exceed 2^27 commands.
pub fn generate_for(
    memspec: &MemSpec,
    transfers: &[Transfer],
    opts: &GenOptions,
) -> Result<Generated, DramError> {
    // Keeps every cycle sum in the scheduler far from u64 overflow.
    if opts.cover_cycles > MAX_CYCLES {
        return Err(DramError::DurationTooLong {
            cycles: opts.cover_cycles,
        });
    }
    let map = AddressMap::new(memspec);
    let bb = map.burst_bytes();
    let total: u64 = transfers
        .iter()
        .fold(0u64, |acc, r| acc.saturating_add(bursts_of(r, bb)));
    // Up to three commands per burst, two per refresh interval.
    let refreshes = match memspec.timing.refi {
        0 => 0,
        refi => opts.cover_cycles / refi + 1,
    };
    let estimate = total
        .saturating_mul(3)
        .saturating_add(refreshes.saturating_mul(2));
    if estimate > MAX_COMMANDS {
        return Err(DramError::TooManyCommands {
            bursts: total,
            cycles: opts.cover_cycles,
        });
    }
    let interval = match opts.pacing {
        Pacing::Spread if total > 0 => opts.cover_cycles / total,
        _ => 0,
    };
    let mut s = CommandScheduler::new(memspec);
    let mut i = 0u64;
    for r in transfers {
        let write = r.kind == TransferKind::Write;
        let first = r.addr / bb;
        for k in 0..bursts_of(r, bb) {
            s.access(write, map.locate(first + k), i * interval);
            i += 1;
        }
    }
    // Refresh goes on until the end of the covered period.
    s.refresh_due(opts.cover_cycles.saturating_sub(1));
    let end_cycle = opts.cover_cycles.max(s.busy_until).max(s.bus_free());
    Ok(Generated {
        commands: s.out,
        end_cycle,
    })
}
