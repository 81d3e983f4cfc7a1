//! What `q` matches on: one folding of text, the same in every store.
//!
//! Both the searched text (a title or a name) and `q` are folded, then `q` must be a substring
//! of the text. Folding is, in order:
//!
//! 1. Unicode canonical composition (NFC), so a decomposed `cafe\u{301}` and a composed `café`
//!    are one text;
//! 2. Unicode default full case folding (`CaseFolding.txt`, statuses C and F), so `ΟΔΥΣΣΕΑΣ`,
//!    `οδυσσεας` and `Οδυσσέας`' final sigma fold alike, and `ß` matches `ss`;
//! 3. a combining dot above (U+0307) straight after an `i` is dropped, so the Turkish dotted
//!    capital `İ` (which step 2 folds to `i` + U+0307) matches a plain `i`: `istanbul` finds
//!    `İstanbul`. The dotless `ı` stays a letter of its own (folding is not Turkic: `I` folds
//!    to `i`, never to `ı`), so `ılık` is found by `ılık`, and not by `ilik` or `ILIK`;
//! 4. NFC again, since folding can leave text decomposed.
//!
//! Stores never fold on their own: the memory store keeps each row's folded text, and the
//! PostgreSQL store keeps it in a column (`title_folded`, `name_folded`) written with the row,
//! with a trigram index over it.

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;

/// U+0307 COMBINING DOT ABOVE.
const DOT_ABOVE: char = '\u{307}';

/// `text` folded for search; see the module docs.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut after_i = false;
    for c in text.nfc().default_case_fold() {
        if c == DOT_ABOVE && after_i {
            after_i = false;
            continue;
        }
        after_i = c == 'i';
        folded.push(c);
    }
    if unicode_normalization::is_nfc_quick(folded.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        folded
    } else {
        folded.nfc().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    fn finds(text: &str, q: &str) -> bool {
        fold(text).contains(&fold(q))
    }

    #[test]
    fn case_and_composition_do_not_matter() {
        assert!(finds("Star Wars", "star"));
        assert!(finds("ΟΔΥΣΣΕΑΣ", "οδυσσεας"));
        assert!(finds("Οδυσσεας", "ΟΔΥΣΣΕΑΣ"));
        assert!(finds("Café", "cafe\u{301}"));
        assert!(finds("cafe\u{301} society", "CAFÉ"));
        assert!(finds("Straße", "STRASSE"));
        assert!(finds("Ǆemal", "ǆ"));
    }

    #[test]
    fn the_turkish_dotted_capital_i_is_an_i_and_the_dotless_i_a_letter_of_its_own() {
        assert!(finds("İstanbul", "istanbul"));
        assert!(finds("İstanbul", "ISTANBUL"));
        assert!(finds("istanbul", "İSTANBUL"));
        assert!(finds("Diyarbakır", "bakır"));
        assert!(!finds("Diyarbakır", "bakir"));
        assert!(!finds("ılık", "ILIK"));
        assert_eq!(fold("İ"), "i");
    }

    #[test]
    fn accents_and_other_letters_still_count() {
        assert!(!finds("Café", "cafe"));
        assert!(!finds("Amélie", "amelie"));
        assert!(finds("Amélie", "AMÉLIE"));
        assert_eq!(fold(""), "");
        assert_eq!(fold("100% _x_"), "100% _x_");
    }
}
