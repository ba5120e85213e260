//! Memory specifications in DRAMPower's JSON memspec format (v5 and later:
//! `{"memspec": {"memarchitecturespec": …, "mempowerspec": …,
//! "memtimingspec": …}}`, currents in A, tCK in s, other timings in clock
//! cycles). Internally currents are kept in mA and tCK in ns, so that
//! mA · V · ns gives pJ directly.

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::{DramError, MemspecFault, MemspecOrigin};

/// The memspecs compiled into the binary: name, JSON text.
const BUILTIN: &[(&str, &str)] = &[
    ("ddr4-1866", include_str!("../../memspecs/ddr4-1866.json")),
    ("ddr4-2400", include_str!("../../memspecs/ddr4-2400.json")),
    (
        "lpddr4-3200",
        include_str!("../../memspecs/lpddr4-3200.json"),
    ),
];

use super::limits::{MAX_ELECTRICAL, MAX_MEMSPEC_BYTES, MAX_TIMING_CYCLES};
pub use crate::model::memspec_names::is_memspec_name;
use crate::model::memspec_names::BUILTIN_MEMSPECS as BUILTIN_NAMES;

/// Names accepted by [`memspec`] besides a path to a `.json` file.
pub fn builtin_memspecs() -> &'static [&'static str] {
    BUILTIN_NAMES
}

/// One supply rail with the IDD currents DRAMPower uses on it (mA).
/// DDR4 has VDD and VPP; LPDDR4 has VDD1 and VDD2.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoltageDomain {
    pub name: String,
    /// Supply voltage (V).
    pub volts: f64,
    /// One-bank ACT-PRE loop current.
    pub i0: f64,
    /// Precharged standby.
    pub i2n: f64,
    /// Precharge power-down (IDD2P, the key named like the I2N one with
    /// `2p` for `2n`); i2n when the memspec has none, so a memspec without
    /// it saves nothing by powering down.
    pub i2p: f64,
    /// Active standby.
    pub i3n: f64,
    /// Burst read.
    pub i4r: f64,
    /// Burst write.
    pub i4w: f64,
    /// All-bank refresh (IDD5B, or IDD5 / IDD5ab).
    pub i5: f64,
    /// DRAMPower's I_beta: the current during the precharge part of the
    /// IDD0 loop. Defaults to i0, as in DRAMPower.
    pub ibeta: f64,
}

/// Timing parameters in memory-clock cycles (tCK in ns).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Timing {
    pub tck_ns: f64,
    pub rcd: u64,
    pub rp: u64,
    pub ras: u64,
    pub rc: u64,
    pub rl: u64,
    pub wl: u64,
    pub rtp: u64,
    pub wr: u64,
    pub ccd_s: u64,
    pub ccd_l: u64,
    pub rrd_s: u64,
    pub rrd_l: u64,
    pub faw: u64,
    pub wtr_s: u64,
    pub wtr_l: u64,
    /// Refresh interval; 0 means the generator issues no refresh.
    pub refi: u64,
    pub rfc: u64,
    pub dqsck: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemSpec {
    pub id: String,
    pub memory_type: String,
    /// Data pins per device.
    pub width: u32,
    pub banks: u32,
    pub bank_groups: u32,
    pub ranks: u32,
    pub rows: u32,
    pub columns: u32,
    pub burst_length: u32,
    pub data_rate: u32,
    /// Devices side by side in one rank (64-bit bus of x8 parts: 8).
    pub devices: u32,
    /// DRAMPower's bank-wise factor rho (1 = no bank-wise scaling).
    pub rho: f64,
    pub timing: Timing,
    pub domains: Vec<VoltageDomain>,
}

impl MemSpec {
    /// Cycles one burst occupies on the data bus (BL / data rate).
    pub fn burst_cycles(&self) -> u64 {
        u64::from(self.burst_length / self.data_rate.max(1))
    }

    /// Bytes one RD or WR moves across the whole rank.
    pub fn burst_bytes(&self) -> u64 {
        u64::from(self.burst_length) * u64::from(self.width) * u64::from(self.devices) / 8
    }

    /// Bus width of the rank in bits.
    pub fn rank_width_bits(&self) -> u32 {
        self.width * self.devices
    }

    /// The same part on a rank of `bits` data pins (e.g. 32 or 64).
    pub fn with_rank_width(mut self, bits: u32) -> Result<MemSpec, DramError> {
        if bits == 0 || self.width == 0 || !bits.is_multiple_of(self.width) {
            return Err(DramError::RankWidth {
                bits,
                width: self.width,
            });
        }
        self.devices = bits / self.width;
        Ok(self)
    }

    /// Bank group of a bank, numbered as DRAMPower does (consecutive banks
    /// share a group).
    pub fn bank_group(&self, bank: u32) -> u32 {
        let per_group = (self.banks / self.bank_groups.max(1)).max(1);
        bank / per_group
    }
}

/// A built-in memspec by name (see [`builtin_memspecs`]) or a path to a
/// DRAMPower JSON memspec (a regular file of at most [`MAX_MEMSPEC_BYTES`]).
pub fn memspec(name_or_path: &str) -> Result<MemSpec, DramError> {
    let lower = name_or_path.to_ascii_lowercase();
    if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == lower) {
        return parse_memspec(text).map_err(|e| e.with_origin(MemspecOrigin::Builtin(lower)));
    }
    if !name_or_path.ends_with(".json") && !std::path::Path::new(name_or_path).exists() {
        return Err(DramError::UnknownMemspec {
            name: name_or_path.to_string(),
        });
    }
    let path = || name_or_path.to_string();
    let bytes = crate::io::read_capped(std::path::Path::new(name_or_path), MAX_MEMSPEC_BYTES)
        .map_err(|e| match e {
            crate::io::ReadError::Unreadable(why) => {
                DramError::MemspecUnreadable { path: path(), why }
            }
            crate::io::ReadError::TooLarge { cap } => {
                DramError::MemspecTooLarge { path: path(), cap }
            }
        })?;
    let file = || MemspecOrigin::File(path());
    let text = String::from_utf8(bytes).map_err(|_| DramError::Memspec {
        origin: file(),
        fault: MemspecFault::NotUtf8,
    })?;
    parse_memspec(&text).map_err(|e| e.with_origin(file()))
}

/// Parses the text of a DRAMPower JSON memspec.
pub fn parse_memspec(text: &str) -> Result<MemSpec, DramError> {
    parse_text(text).map_err(MemspecFault::in_text)
}

fn parse_text(text: &str) -> Result<MemSpec, MemspecFault> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| MemspecFault::InvalidJson(e.to_string()))?;
    let spec = root
        .get("memspec")
        .and_then(Value::as_object)
        .ok_or_else(|| MemspecFault::MissingObject("memspec".into()))?;
    let arch = section(spec, "memarchitecturespec")?;
    let power = section(spec, "mempowerspec")?;
    let timing = section(spec, "memtimingspec")?;
    let memory_type = spec
        .get("memoryType")
        .and_then(Value::as_str)
        .ok_or_else(|| MemspecFault::MissingString("memoryType".into()))?
        .to_string();
    let id = spec
        .get("memoryId")
        .and_then(Value::as_str)
        .unwrap_or("unnamed")
        .to_string();

    let ms = MemSpec {
        id,
        width: uint(arch, &["width"], None)?,
        banks: uint(arch, &["nbrOfBanks"], None)?,
        bank_groups: uint(arch, &["nbrOfBankGroups"], Some(1))?.max(1),
        ranks: uint(arch, &["nbrOfRanks"], Some(1))?.max(1),
        rows: uint(arch, &["nbrOfRows"], None)?,
        columns: uint(arch, &["nbrOfColumns"], None)?,
        burst_length: uint(arch, &["burstLength"], None)?,
        data_rate: uint(arch, &["dataRate"], Some(2))?,
        devices: uint(arch, &["nbrOfDevices"], Some(1))?.max(1),
        rho: spec
            .get("bankwisespec")
            .and_then(|b| b.get("factRho"))
            .and_then(Value::as_f64)
            .unwrap_or(1.0),
        timing: parse_timing(timing)?,
        domains: parse_domains(&memory_type, power)?,
        memory_type,
    };
    validate(&ms)?;
    Ok(ms)
}

fn section<'a>(
    spec: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a Map<String, Value>, MemspecFault> {
    spec.get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| MemspecFault::MissingObject(key.into()))
}

/// First present key among `keys` as an unsigned integer.
fn uint(
    obj: &Map<String, Value>,
    keys: &[&str],
    default: Option<u32>,
) -> Result<u32, MemspecFault> {
    for k in keys {
        if let Some(v) = obj.get(*k) {
            return v
                .as_u64()
                .and_then(|x| u32::try_from(x).ok())
                .ok_or_else(|| MemspecFault::NotInteger(k.to_string()));
        }
    }
    default.ok_or_else(|| MemspecFault::Missing(keys[0].into()))
}

fn cycles(
    obj: &Map<String, Value>,
    keys: &[&str],
    default: Option<u64>,
) -> Result<u64, MemspecFault> {
    for k in keys {
        if let Some(v) = obj.get(*k) {
            return v
                .as_u64()
                .filter(|&x| x <= MAX_TIMING_CYCLES)
                .ok_or_else(|| MemspecFault::BadTiming {
                    key: k.to_string(),
                    value: v.to_string(),
                });
        }
    }
    default.ok_or_else(|| MemspecFault::MissingTiming(keys[0].into()))
}

fn num(obj: &Map<String, Value>, key: &str, default: Option<f64>) -> Result<f64, MemspecFault> {
    match obj.get(key) {
        Some(v) => v
            .as_f64()
            .filter(|x| x.is_finite() && (0.0..=MAX_ELECTRICAL).contains(x))
            .ok_or_else(|| MemspecFault::BadNumber {
                key: key.into(),
                value: v.to_string(),
            }),
        None => default.ok_or_else(|| MemspecFault::Missing(key.into())),
    }
}

fn parse_timing(t: &Map<String, Value>) -> Result<Timing, MemspecFault> {
    let tck_s = t
        .get("tCK")
        .ok_or_else(|| MemspecFault::Missing("tCK".into()))?
        .as_f64()
        .filter(|x| x.is_finite() && *x > 0.0)
        .ok_or(MemspecFault::TckNotPositive)?;
    // Old DRAMSys files give tCK in ps (e.g. 625); DRAMPower's in s.
    let tck_ns = if tck_s > 1e-3 {
        tck_s / 1000.0
    } else {
        tck_s * 1e9
    };
    let ras = cycles(t, &["RAS"], None)?;
    let rp = cycles(t, &["RP", "RPpb"], None)?;
    let rrd_s = cycles(t, &["RRD_S", "RRD"], Some(0))?;
    let ccd_s = cycles(t, &["CCD_S", "CCD"], Some(0))?;
    let wtr_s = cycles(t, &["WTR_S", "WTR"], Some(0))?;
    Ok(Timing {
        tck_ns,
        rcd: cycles(t, &["RCD"], None)?,
        rp,
        ras,
        rc: cycles(t, &["RC", "RCpb"], Some(ras + rp))?.max(ras + rp),
        rl: cycles(t, &["RL", "CL"], None)?,
        wl: cycles(t, &["WL"], None)?,
        rtp: cycles(t, &["RTP"], Some(0))?,
        wr: cycles(t, &["WR"], None)?,
        ccd_s,
        ccd_l: cycles(t, &["CCD_L", "CCD"], Some(ccd_s))?,
        rrd_s,
        rrd_l: cycles(t, &["RRD_L", "RRD"], Some(rrd_s))?,
        faw: cycles(t, &["FAW"], Some(0))?,
        wtr_s,
        wtr_l: cycles(t, &["WTR_L", "WTR"], Some(wtr_s))?,
        refi: cycles(t, &["REFI"], Some(0))?,
        rfc: cycles(t, &["RFC1", "RFC", "RFCab"], None)?,
        dqsck: cycles(t, &["DQSCK"], Some(0))?,
    })
}

/// Reads one rail: `keys` are the JSON names of (V, I0, I2N, I3N, I4R,
/// I4W, I5, I_beta).
fn domain(
    p: &Map<String, Value>,
    name: &str,
    keys: [&str; 8],
) -> Result<VoltageDomain, MemspecFault> {
    let ma = |k: &str| num(p, k, Some(0.0)).map(|a| a * 1000.0);
    let i0 = ma(keys[1])?;
    let i2n = ma(keys[2])?;
    let i2p = match p.get(&keys[2].replace("2n", "2p")) {
        Some(_) => ma(&keys[2].replace("2n", "2p"))?,
        None => i2n,
    };
    Ok(VoltageDomain {
        name: name.to_string(),
        volts: num(p, keys[0], None)?,
        i0,
        i2n,
        i2p,
        i3n: ma(keys[3])?,
        i4r: ma(keys[4])?,
        i4w: ma(keys[5])?,
        i5: ma(keys[6])?,
        ibeta: match p.get(keys[7]) {
            Some(_) => ma(keys[7])?,
            None => i0,
        },
    })
}

fn parse_domains(kind: &str, p: &Map<String, Value>) -> Result<Vec<VoltageDomain>, MemspecFault> {
    match kind.to_ascii_uppercase().as_str() {
        "DDR4" | "DDR3" | "DDR5" => {
            let idd5 = if p.contains_key("idd5B") {
                "idd5B"
            } else {
                "idd5"
            };
            let vdd = domain(
                p,
                "VDD",
                [
                    "vdd",
                    "idd0",
                    "idd2n",
                    "idd3n",
                    "idd4r",
                    "idd4w",
                    idd5,
                    "iBeta_vdd",
                ],
            )?;
            let mut out = vec![vdd];
            if p.contains_key("vpp") {
                out.push(domain(
                    p,
                    "VPP",
                    [
                        "vpp",
                        "ipp0",
                        "ipp2n",
                        "ipp3n",
                        "ipp4r",
                        "ipp4w",
                        "ipp5B",
                        "iBeta_vpp",
                    ],
                )?);
            }
            Ok(out)
        }
        "LPDDR4" | "LPDDR5" => Ok(vec![
            domain(
                p,
                "VDD1",
                [
                    "vdd1",
                    "idd01",
                    "idd2n1",
                    "idd3n1",
                    "idd4r1",
                    "idd4w1",
                    "idd51",
                    "iBeta_vdd1",
                ],
            )?,
            domain(
                p,
                "VDD2",
                [
                    "vdd2",
                    "idd02",
                    "idd2n2",
                    "idd3n2",
                    "idd4r2",
                    "idd4w2",
                    "idd52",
                    "iBeta_vdd2",
                ],
            )?,
        ]),
        other => Err(MemspecFault::UnsupportedType(other.to_string())),
    }
}

/// Rejects specs on which the generator or the equations would divide by
/// zero or never make progress.
fn validate(m: &MemSpec) -> Result<(), MemspecFault> {
    let positive = [
        ("width", m.width),
        ("nbrOfBanks", m.banks),
        ("nbrOfRows", m.rows),
        ("nbrOfColumns", m.columns),
        ("burstLength", m.burst_length),
        ("dataRate", m.data_rate),
    ];
    for (k, v) in positive {
        if v == 0 {
            return Err(MemspecFault::NotPositive(k));
        }
    }
    if m.columns < m.burst_length {
        return Err(MemspecFault::ColumnsBelowBurst);
    }
    if !m.burst_length.is_multiple_of(m.data_rate) {
        return Err(MemspecFault::BurstNotMultiple);
    }
    if !(1e-3..=1e6).contains(&m.timing.tck_ns) {
        return Err(MemspecFault::TckRange);
    }
    let bounded = [
        ("width", m.width, 1024),
        ("nbrOfBanks", m.banks, 1 << 16),
        ("nbrOfRanks", m.ranks, 1024),
        ("nbrOfRows", m.rows, 1 << 24),
        ("nbrOfColumns", m.columns, 1 << 24),
        ("burstLength", m.burst_length, 1024),
        ("dataRate", m.data_rate, 16),
        ("nbrOfDevices", m.devices, 1024),
    ];
    for (k, v, max) in bounded {
        if v > max {
            return Err(MemspecFault::AboveMax {
                key: k,
                max,
                value: v,
            });
        }
    }
    if m.timing.ras == 0 {
        return Err(MemspecFault::RasZero);
    }
    if m.banks > 1 << 16 || m.bank_groups > m.banks {
        return Err(MemspecFault::Banks);
    }
    if !(0.0..=1.0).contains(&m.rho) {
        return Err(MemspecFault::Rho);
    }
    Ok(())
}
