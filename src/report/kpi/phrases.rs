//! The phrases of a pricing's formula and note that [`super::Facts`] counts: `ungroupable` and `not
//! grouped by DIP` (the grouper could not group the case), `QY (` and `.ambiguous` (an ambiguous
//! case), `extreme cost` (passed to fee-for-service for its cost).
//!
//! A text is read once for all five. Each phrase holds one of three bytes that formulas seldom
//! carry: `u` (`ungroupable`, `not grouped by DIP`, `.ambiguous`), `Q` (`QY (`) or `x` (`extreme
//! cost`). `memchr3` finds those bytes, and each one found is compared with the phrases that hold it,
//! at the place they hold it. Every occurrence of a phrase has its byte at that place, so every
//! occurrence is found, as a search for each phrase would find it (the tests compare the two).

/// The grouper could not group the case: `ungroupable` or `not grouped by DIP`.
pub(super) const UNGROUPABLE: u8 = 1;
/// The case was ambiguous (QY): `QY (` or `.ambiguous`.
pub(super) const AMBIGUOUS: u8 = 2;
/// `extreme cost`.
pub(super) const EXTREME: u8 = 4;

/// Each phrase, what it says, and where in it its rare byte is.
const PHRASES: [(&[u8], u8, usize); 5] = [
    (b"ungroupable", UNGROUPABLE, 0),
    (b"not grouped by DIP", UNGROUPABLE, 7),
    (b"QY (", AMBIGUOUS, 0),
    (b".ambiguous", AMBIGUOUS, 6),
    (b"extreme cost", EXTREME, 1),
];

/// What a text says: [`UNGROUPABLE`], [`AMBIGUOUS`] and [`EXTREME`] for the phrases it holds.
pub(super) fn said(text: &str) -> u8 {
    let text = text.as_bytes();
    let mut said = 0;
    for i in memchr::memchr3_iter(b'u', b'Q', b'x', text) {
        for &(phrase, what, at) in &PHRASES {
            if phrase[at] == text[i] && i >= at && text[i - at..].starts_with(phrase) {
                said |= what;
            }
        }
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use settlement::money::Fen;

    /// The search [`said`] replaces: each phrase looked for on its own.
    fn said_by_search(text: &str) -> u8 {
        let has = |phrase: &str| text.contains(phrase);
        let mut said = 0;
        if has("ungroupable") || has("not grouped by DIP") {
            said |= UNGROUPABLE;
        }
        if has("QY (") || has(".ambiguous") {
            said |= AMBIGUOUS;
        }
        if has("extreme cost") {
            said |= EXTREME;
        }
        said
    }

    #[test]
    fn every_rare_byte_is_in_its_phrase() {
        for (p, _, at) in PHRASES {
            assert!(matches!(p[at], b'u' | b'Q' | b'x'), "{p:?}");
        }
    }

    #[test]
    fn the_engine_s_texts() {
        let cases = [
            ("DRG OB19 weight 0.5176 → base 51.7600 pts; coefficient 1 (同病同价); normal: 51.7600 × 1", 0),
            ("uplift: 116.0700 × 1.05 × (r 0.6557 + 0.2)", 0),
            ("QY (drg.ambiguous): total cost 1234.00 × 0.8", AMBIGUOUS),
            ("ungroupable 0 (drg.ungroupable): paid fee-for-service", UNGROUPABLE),
            ("not grouped by DIP (no code): paid fee-for-service", UNGROUPABLE),
            ("extreme cost r 5.1234 (drg.extreme): paid fee-for-service", EXTREME),
            ("excluded (LOS <= 2): ffs: 12.00 − 3.00 = 9.00", 0),
            ("ungroupable; QY (x); extreme cost", UNGROUPABLE | AMBIGUOUS | EXTREME),
            ("uungroupablextreme cost.ambiguous", UNGROUPABLE | AMBIGUOUS | EXTREME),
            ("", 0),
        ];
        for (text, want) in cases {
            assert_eq!(said(text), want, "{text}");
            assert_eq!(said_by_search(text), want, "{text}");
        }
    }

    /// Texts made of pieces of the phrases, their rare bytes, and other text, so that phrases are
    /// often whole, often cut, and overlap one another.
    fn texts() -> impl Strategy<Value = String> {
        let fixed = prop::sample::select(vec![
            "ungroupable",
            "ungroup",
            "groupable",
            "not grouped by DIP",
            "not grouped",
            " by DIP",
            "QY (",
            "QY",
            " (",
            ".ambiguous",
            ".ambig",
            "uous",
            "extreme cost",
            "extreme",
            "e",
            "x",
            "u",
            "Q",
            ".",
            " ",
            " × ",
            "同病同价",
        ])
        .prop_map(String::from);
        let piece = prop_oneof![3 => fixed, 1 => "[a-zQYx .()0-9]{0,12}"];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn one_pass_finds_what_each_search_finds(text in texts()) {
            prop_assert_eq!(said(&text), said_by_search(&text), "{:?}", text);
        }

        #[test]
        fn facts_are_what_the_texts_say(formula in texts(), note in texts()) {
            let p = settlement::price::Priced {
                formula: formula.clone(),
                note: note.clone(),
                ..settlement::price::Priced::placeholder()
            };
            let f = super::super::Facts::of(&p, Fen(1), Fen(2));
            // The facts as they were found before: each phrase searched in each text.
            let texts = [formula.as_str(), note.as_str()];
            let any = |phrases: &[&str]| {
                texts.iter().any(|t| phrases.iter().any(|p| t.contains(p)))
            };
            let ungroupable = any(&["ungroupable", "not grouped by DIP"]);
            prop_assert_eq!(f.ungroupable, ungroupable);
            prop_assert_eq!(f.ambiguous, !ungroupable && any(&["QY (", ".ambiguous"]));
            prop_assert_eq!(f.extreme_ffs, note.contains("extreme cost"));
        }
    }
}
