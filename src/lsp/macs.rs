//! MAC counts of each pass of a layer, from the pass selection: `select`
//! builds the pass's graph (forward conv, igrad transposed conv over the
//! dilated and padded error, fgrad conv with the dilated error as kernel),
//! whose one 2-D convolution gives the MACs per slice; the layer has
//! `Convs::of(layer, pass)` such convolutions. This is what row-stationary
//! computes, zeros inserted by dilation and padding included.

use crate::ir::Convs;
use crate::ir::Module;
use crate::model::{Arch, Layer};
use crate::options::{Dataflow, PassKind};
use crate::passes::{run_pipeline, PassOptions};

pub struct PassMacs {
    pub pass: PassKind,
    /// 2-D convolutions of the pass over the whole layer.
    pub convs: u128,
    /// MACs of one 2-D convolution, or why select refused the pass.
    pub per_conv: Result<u128, String>,
}

impl PassMacs {
    pub fn total(&self) -> Option<u128> {
        self.per_conv
            .as_ref()
            .ok()
            .and_then(|m| m.checked_mul(self.convs))
    }
}

pub const PASSES: [PassKind; 3] = [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad];

pub fn of(layer: &Layer) -> Vec<PassMacs> {
    PASSES
        .iter()
        .map(|&pass| PassMacs {
            pass,
            convs: Convs::of(layer, pass).total(),
            per_conv: per_conv(layer, pass),
        })
        .collect()
}

fn per_conv(layer: &Layer, pass: PassKind) -> Result<u128, String> {
    // The arch only sets the element type of the graph's tensors.
    let mut m = Module::new(layer.clone(), Arch::eyeriss(), pass, Dataflow::Rs);
    run_pipeline(&mut m, &PassOptions::default(), Some("select")).map_err(|d| d.message)?;
    let g = m.graph.as_ref().ok_or("select built no graph")?;
    let (_, _, kernel, out) = g.conv().ok_or("the pass has no convolution")?;
    let (k, o) = (
        g.shape(kernel).ok_or("kernel has no shape")?,
        g.shape(out).ok_or("output has no shape")?,
    );
    Ok(u128::from(k.h) * u128::from(k.w) * u128::from(o.h) * u128::from(o.w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Hw;

    #[test]
    fn forward_total_is_the_layers_mac_count_and_backward_passes_follow_select() {
        // 5 x 5 input, 3 x 3 filter, pad 1, 2 channels, 4 filters, batch 3.
        let l = Layer::from_sizes(
            "l",
            Hw::square(5),
            2,
            Hw::square(3),
            4,
            Hw::square(1),
            Hw::square(1),
            3,
            1,
        )
        .unwrap();
        let m = of(&l);
        assert_eq!(m[0].total(), Some(u128::from(l.forward_macs())));
        // igrad: the 7 x 7 padded input gradient, 3 x 3 taps, per (n, c, m).
        assert_eq!(m[1].per_conv, Ok(7 * 7 * 9));
        assert_eq!(m[1].convs, 3 * 2 * 4);
        // fgrad: the 3 x 3 filter gradient, 5 x 5 error taps.
        assert_eq!(m[2].per_conv, Ok(9 * 25));
    }
}
