//! Every PE's scratchpads in one place, entry-major: entry `a` of PE `i` is
//! at `a * n + i`. PEs that execute the same control word in a cycle read
//! the same entry, so their reads touch neighbouring words instead of one
//! allocation per PE.

/// Marks an entry that nothing has written yet (a delivery that has not
/// arrived, a psum never stored). Data values are small integers and never
/// equal it.
pub const EMPTY: i64 = i64::MIN;

/// One kind of scratchpad (ifmap, filter or psum) of all PEs.
pub struct Bank {
    n: usize,
    /// Entries of each PE (addresses beyond are out of range).
    size: Vec<u32>,
    words: Vec<i64>,
}

impl Bank {
    /// A bank of `n` PEs with `size[i]` entries each, all empty.
    pub fn new(size: Vec<u32>) -> Bank {
        let n = size.len();
        let rows = size.iter().copied().max().unwrap_or(0) as usize;
        Bank {
            n,
            size,
            words: vec![EMPTY; rows * n],
        }
    }

    #[inline]
    pub fn get(&self, pe: usize, addr: u32) -> Option<i64> {
        if addr >= self.size[pe] {
            return None;
        }
        Some(self.words[addr as usize * self.n + pe])
    }

    /// The fewest entries any of the PEs `pes` has: an address below it
    /// is in range for every one of them.
    pub fn least_size(&self, pes: &[usize]) -> u32 {
        pes.iter().map(|&i| self.size[i]).min().unwrap_or(0)
    }

    /// Entry `addr` of PE `pe`, which the caller knows to be in range
    /// ([`Bank::least_size`]).
    #[inline]
    pub fn at(&self, pe: usize, addr: u32) -> i64 {
        self.words[addr as usize * self.n + pe]
    }

    /// Entry `addr` of every PE, in PE order (`addr` in range for the PEs
    /// the caller reads: [`Bank::least_size`]).
    #[inline]
    pub fn entry(&self, addr: u32) -> &[i64] {
        let at = addr as usize * self.n;
        &self.words[at..at + self.n]
    }

    /// Every entry of every PE, entry-major, and the number of PEs.
    #[inline]
    pub fn words_mut(&mut self) -> (&mut [i64], usize) {
        (&mut self.words, self.n)
    }

    /// Writes entry `addr` of PE `pe`, which the caller knows to be in
    /// range ([`Bank::least_size`]).
    #[inline]
    pub fn put(&mut self, pe: usize, addr: u32, v: i64) {
        self.words[addr as usize * self.n + pe] = v;
    }

    #[inline]
    pub fn set(&mut self, pe: usize, addr: u32, v: i64) -> Option<()> {
        if addr >= self.size[pe] {
            return None;
        }
        self.words[addr as usize * self.n + pe] = v;
        Some(())
    }
}

/// The three banks of the array.
pub struct Scratchpads {
    pub ifmap: Bank,
    pub filter: Bank,
    pub psum: Bank,
}
