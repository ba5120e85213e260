//! The binary form: little-endian, magic `CNNCSIG\0`, then the version, then
//! the program's fields in declaration order. `decode(encode(p)) == p`.

use super::isa::{Ctl, DeliveryRun, Delta, InitRun, Insn, PeEntry, Program, VERSION};
use crate::model::Hw;
use crate::vocab::{Net, OutKind, Src, SrcKind};

const MAGIC: &[u8; 8] = b"CNNCSIG\0";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not a cnnc signal program (bad magic)")]
    BadMagic,
    #[error("unsupported version {0} (this cnnc reads version {VERSION})")]
    Version(u32),
    #[error("truncated at byte {0}")]
    Truncated(usize),
    #[error("invalid tag {tag} at byte {at}")]
    Tag { tag: u8, at: usize },
    #[error("{0} trailing bytes")]
    Trailing(usize),
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn ctl(&mut self, c: &Ctl) {
        for f in c.fields() {
            self.u32(f);
        }
        self.u8(c.flags);
    }
    fn src(&mut self, s: &Src) {
        self.u8(s.kind as u8);
        self.u32(s.r);
        self.u32(s.c);
    }
    fn runs(&mut self, runs: &[InitRun]) {
        self.u32(runs.len() as u32);
        for r in runs {
            self.src(&r.src);
            self.u32(r.count);
            self.i32(r.dr);
            self.i32(r.dc);
            self.u32(r.gap);
            self.u32(r.reps);
            self.i32(r.rep_dr);
            self.i32(r.rep_dc);
        }
    }
}

/// Encodes a program.
impl Program {
    /// Size of the program in the binary form, in bytes.
    pub fn encoded_len(&self) -> usize {
        encode(self).len()
    }
}

pub fn encode(p: &Program) -> Vec<u8> {
    let mut w = W(Vec::new());
    w.0.extend_from_slice(MAGIC);
    w.u32(p.version);
    w.u32(p.rows);
    w.u32(p.cols);
    w.u32(p.length);
    w.u8(p.out_kind as u8);
    w.u64(p.out_shape.h);
    w.u64(p.out_shape.w);
    w.u32(p.pipeline_mul);
    w.u32(p.pipeline_add);
    w.u32(p.top_rows.len() as u32);
    for &x in &p.top_rows {
        w.u32(x);
    }
    w.u32(p.codes.len() as u32);
    for code in &p.codes {
        w.u32(code.len() as u32);
        for insn in code {
            match insn {
                Insn::Idle { cycles } => {
                    w.u8(0);
                    w.u32(*cycles);
                }
                Insn::Step(c) => {
                    w.u8(1);
                    w.ctl(c);
                }
                Insn::Repeat { count, len, delta } => {
                    w.u8(2);
                    w.u32(*count);
                    w.u32(*len);
                    for d in delta.0 {
                        w.i32(d);
                    }
                }
            }
        }
    }
    w.u32(p.pes.len() as u32);
    for pe in &p.pes {
        w.u32(pe.code);
        w.u32(pe.out_base);
        w.u32(pe.start);
        w.u32(pe.psum_entries);
        w.u32(pe.ifmap_capacity);
        w.u32(pe.filter_capacity);
        w.runs(&pe.ifmap_init);
        w.runs(&pe.filter_init);
    }
    w.u32(p.deliveries.len() as u32);
    for d in &p.deliveries {
        w.u32(d.cycle);
        w.u32(d.cycle_step);
        w.u32(d.count);
        w.i32(d.dr);
        w.i32(d.dc);
        w.u32(d.addr_step);
        w.u8(d.net as u8);
        w.u8(d.local as u8);
        w.src(&d.src);
        w.u32(d.targets.len() as u32);
        for &(pe, addr) in &d.targets {
            w.u32(pe);
            w.u32(addr);
        }
    }
    w.0
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
}

impl R<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(DecodeError::Truncated(self.at))?;
        let s = self
            .b
            .get(self.at..end)
            .ok_or(DecodeError::Truncated(self.at))?;
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(a))
    }
    fn i32(&mut self) -> Result<i32, DecodeError> {
        Ok(self.u32()? as i32)
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    /// A length prefix, bounded by the bytes left so that a corrupt length
    /// cannot make us allocate without bound.
    fn len(&mut self, min_item: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_item) > self.b.len() - self.at {
            return Err(DecodeError::Truncated(self.at));
        }
        Ok(n)
    }
    fn ctl(&mut self) -> Result<Ctl, DecodeError> {
        let f = [
            self.u32()?,
            self.u32()?,
            self.u32()?,
            self.u32()?,
            self.u32()?,
        ];
        let flags = self.u8()?;
        Ok(Ctl::IDLE.with_fields(f).with_flags(flags))
    }
    fn src(&mut self) -> Result<Src, DecodeError> {
        let at = self.at;
        let kind = match self.u8()? {
            0 => SrcKind::Zero,
            1 => SrcKind::Ifmap,
            2 => SrcKind::Filter,
            3 => SrcKind::Error,
            4 => SrcKind::Psum,
            tag => return Err(DecodeError::Tag { tag, at }),
        };
        Ok(Src {
            kind,
            r: self.u32()?,
            c: self.u32()?,
        })
    }
    fn runs(&mut self) -> Result<Vec<InitRun>, DecodeError> {
        let n = self.len(37)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let src = self.src()?;
            v.push(InitRun {
                src,
                count: self.u32()?,
                dr: self.i32()?,
                dc: self.i32()?,
                gap: self.u32()?,
                reps: self.u32()?,
                rep_dr: self.i32()?,
                rep_dc: self.i32()?,
            });
        }
        Ok(v)
    }
}

/// Decodes a program written by [`encode`].
pub fn decode(b: &[u8]) -> Result<Program, DecodeError> {
    let mut r = R { b, at: 0 };
    if r.take(8).map_err(|_| DecodeError::BadMagic)? != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    let version = r.u32()?;
    if version != VERSION {
        return Err(DecodeError::Version(version));
    }
    let rows = r.u32()?;
    let cols = r.u32()?;
    let length = r.u32()?;
    let at = r.at;
    let out_kind = match r.u8()? {
        0 => OutKind::Ofmap,
        1 => OutKind::InputGrad,
        2 => OutKind::FilterGrad,
        tag => return Err(DecodeError::Tag { tag, at }),
    };
    let out_shape = Hw::new(r.u64()?, r.u64()?);
    let pipeline_mul = r.u32()?;
    let pipeline_add = r.u32()?;
    let ntop = r.len(4)?;
    let mut top_rows = Vec::with_capacity(ntop);
    for _ in 0..ntop {
        top_rows.push(r.u32()?);
    }
    let ncodes = r.len(4)?;
    let mut codes = Vec::with_capacity(ncodes);
    for _ in 0..ncodes {
        let n = r.len(5)?;
        let mut code = Vec::with_capacity(n);
        for _ in 0..n {
            let at = r.at;
            code.push(match r.u8()? {
                0 => Insn::Idle { cycles: r.u32()? },
                1 => Insn::Step(r.ctl()?),
                2 => Insn::Repeat {
                    count: r.u32()?,
                    len: r.u32()?,
                    delta: Delta([r.i32()?, r.i32()?, r.i32()?, r.i32()?, r.i32()?]),
                },
                tag => return Err(DecodeError::Tag { tag, at }),
            });
        }
        codes.push(code);
    }
    let npes = r.len(32)?;
    let mut pes = Vec::with_capacity(npes);
    for _ in 0..npes {
        pes.push(PeEntry {
            code: r.u32()?,
            out_base: r.u32()?,
            start: r.u32()?,
            psum_entries: r.u32()?,
            ifmap_capacity: r.u32()?,
            filter_capacity: r.u32()?,
            ifmap_init: r.runs()?,
            filter_init: r.runs()?,
        });
    }
    let ndel = r.len(34)?;
    let mut deliveries = Vec::with_capacity(ndel);
    for _ in 0..ndel {
        let cycle = r.u32()?;
        let cycle_step = r.u32()?;
        let count = r.u32()?;
        let dr = r.i32()?;
        let dc = r.i32()?;
        let addr_step = r.u32()?;
        let at = r.at;
        let net = match r.u8()? {
            0 => Net::Ifmap,
            1 => Net::Filter,
            2 => Net::Psum,
            tag => return Err(DecodeError::Tag { tag, at }),
        };
        let at = r.at;
        let local = match r.u8()? {
            0 => false,
            1 => true,
            tag => return Err(DecodeError::Tag { tag, at }),
        };
        let src = r.src()?;
        let nt = r.len(8)?;
        let mut targets = Vec::with_capacity(nt);
        for _ in 0..nt {
            targets.push((r.u32()?, r.u32()?));
        }
        deliveries.push(DeliveryRun {
            cycle,
            cycle_step,
            count,
            net,
            local,
            src,
            dr,
            dc,
            targets,
            addr_step,
        });
    }
    if r.at != b.len() {
        return Err(DecodeError::Trailing(b.len() - r.at));
    }
    Ok(Program {
        version,
        rows,
        cols,
        length,
        out_kind,
        out_shape,
        pipeline_mul,
        pipeline_add,
        top_rows,
        codes,
        pes,
        deliveries,
    })
}
