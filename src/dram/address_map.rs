//! Address map: byte address -> (bank, row, column burst).
//!
//! Row:bank:column interleaving (RoBaCo) at burst granularity. With
//! `burst_bytes` bytes per RD/WR (BL x rank width / 8) and
//! `bursts_per_row = columns / BL`:
//!
//! ```text
//! burst  = addr / burst_bytes
//! column = burst % bursts_per_row            (column burst within the row)
//! page   = burst / bursts_per_row
//! k      = page % banks                      (bank slot)
//! row    = (page / banks) % rows             (wraps beyond the capacity)
//! bank   = (k % groups) * banks_per_group + k / groups
//! ```
//!
//! A streaming access fills one row (8 KiB for a 64-bit DDR4 x8 rank),
//! then moves to the next bank. The bank slot is spread over bank groups
//! first, so consecutive pages sit in different groups and ACTs/bursts
//! to them only need the short tRRD_S / tCCD_S spacing.

use super::memspec::MemSpec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub bank: u32,
    pub row: u64,
    pub column: u64,
}

/// A memspec's byte-address -> bank/row/column layout (not a dataflow
/// mapping, which is `ir::Mapping`).
pub struct AddressMap {
    burst_bytes: u64,
    bursts_per_row: u64,
    banks: u64,
    groups: u64,
    per_group: u64,
    rows: u64,
}

impl AddressMap {
    pub fn new(spec: &MemSpec) -> AddressMap {
        let banks = u64::from(spec.banks.max(1));
        // A group count that does not divide the banks is treated as one
        // group, so every slot maps to a distinct bank.
        let groups = match u64::from(spec.bank_groups.max(1)) {
            g if banks.is_multiple_of(g) => g,
            _ => 1,
        };
        AddressMap {
            burst_bytes: spec.burst_bytes().max(1),
            bursts_per_row: u64::from(spec.columns / spec.burst_length.max(1)).max(1),
            banks,
            groups,
            per_group: banks / groups,
            rows: u64::from(spec.rows.max(1)),
        }
    }

    pub fn burst_bytes(&self) -> u64 {
        self.burst_bytes
    }

    /// Where burst number `burst` (= address / burst_bytes) lives.
    pub fn locate(&self, burst: u64) -> Location {
        let column = burst % self.bursts_per_row;
        let page = burst / self.bursts_per_row;
        let k = page % self.banks;
        let row = (page / self.banks) % self.rows;
        let bank = (k % self.groups) * self.per_group + k / self.groups;
        // bank < banks <= 2^16 by memspec validation.
        Location {
            bank: bank as u32,
            row,
            column,
        }
    }
}
