//! "Did you mean" suggestions by edit distance.

/// Levenshtein distance, ASCII case differences counting half (so `mhz`
/// finds `MHz` before `Hz`). Returned doubled to stay an integer.
fn distance2(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| 2 * j).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = 2 * (i + 1);
        for (j, cb) in b.iter().enumerate() {
            let subst = if ca == cb {
                0
            } else if ca.eq_ignore_ascii_case(cb) {
                1
            } else {
                2
            };
            cur[j + 1] = (prev[j] + subst).min(prev[j + 1] + 2).min(cur[j] + 2);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate, if it is close enough to be a plausible typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Long garbage words are not worth comparing against everything.
    if word.len() > 64 {
        return None;
    }
    let chars = word.chars().count();
    let limit = 2 * (chars / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length (counted
        // double): a candidate too long or too short is skipped without
        // the quadratic comparison (a suggestion looks through every name
        // of the file).
        .filter(|c| c.len() <= 64 && 2 * c.chars().count().abs_diff(chars) <= limit)
        .map(|c| (distance2(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// `did you mean `x`?` text, or nothing.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    suggestion(word, candidates).map(|(_, text)| text)
}

/// The closest candidate and its `did you mean` text, for diagnostics that
/// also carry the replacement as data.
pub fn suggestion<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<(&'a str, String)> {
    closest(word, candidates).map(|c| (c, format!("did you mean `{c}`?")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        assert_eq!(
            closest("filer", ["filter", "filters", "ifmap"]),
            Some("filter")
        );
        assert_eq!(closest("mhz", ["Hz", "kHz", "MHz", "GHz"]), Some("MHz"));
        assert_eq!(closest("zzzzzz", ["filter", "ifmap"]), None);
    }
}
