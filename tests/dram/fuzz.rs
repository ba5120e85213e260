//! No input panics: arbitrary trace text, command lists and transfers.

use cnnc::dram::{
    energy, generate_for, memspec, parse_trace, Command, CommandKind, GenOptions, Pacing, Transfer,
};
use proptest::prelude::*;

fn kind(i: u8) -> CommandKind {
    [
        CommandKind::Act,
        CommandKind::Pre,
        CommandKind::PreA,
        CommandKind::Rd,
        CommandKind::Wr,
        CommandKind::Ref,
    ][usize::from(i % 6)]
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig::default()))]
    #[test]
    fn any_text_parses_or_errors(text in "[0-9A-Z, \n#-]{0,200}|(18446744073709551[0-9]{3},(REF|RDA|WRA|ACT|PRE),[0-9]\n){1,4}") {
        let spec = memspec("ddr4-1866").unwrap();
        if let Ok(t) = parse_trace(&spec, &text) {
            let e = energy(&spec, &t.commands, t.end.unwrap_or(0));
            prop_assert!(e.total.is_finite());
        }
    }

    #[test]
    fn any_commands_give_finite_energy(
        cmds in proptest::collection::vec((any::<u64>(), any::<u8>(), any::<u32>()), 0..50),
        end in any::<u64>(),
    ) {
        let spec = memspec("lpddr4-3200").unwrap();
        let cmds: Vec<Command> = cmds
            .into_iter()
            .map(|(c, k, b)| Command::new(c, kind(k), b))
            .collect();
        prop_assert!(energy(&spec, &cmds, end).total.is_finite());
    }

    #[test]
    fn any_transfers_schedule(
        reqs in proptest::collection::vec((any::<bool>(), any::<u64>(), 0u64..5000), 0..20),
        cover in 0u64..200_000,
        spread in any::<bool>(),
    ) {
        let spec = memspec("ddr4-2400").unwrap();
        let reqs: Vec<Transfer> = reqs
            .into_iter()
            .map(|(w, a, l)| if w { Transfer::write(a, l) } else { Transfer::read(a, l) })
            .collect();
        let pacing = if spread { Pacing::Spread } else { Pacing::Greedy };
        let g = generate_for(&spec, &reqs, &GenOptions { cover_cycles: cover, pacing }).unwrap();
        prop_assert!(g.end_cycle >= cover);
        prop_assert!(g.commands.windows(2).all(|w| w[0].cycle < w[1].cycle));
    }
}
