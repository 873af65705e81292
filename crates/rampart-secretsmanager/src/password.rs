//! GetRandomPassword's generator: characters drawn uniformly (rejection sampling) from the
//! OS CSPRNG out of the included classes (lowercase, uppercase, digits, AWS's punctuation set,
//! optionally the space), minus ExcludeCharacters; with RequireEachIncludedType (the default)
//! every included class appears at least once.

use rampart_crypto::random::below;

/// AWS's punctuation characters.
pub const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub length: usize,
    pub exclude: String,
    pub lowercase: bool,
    pub uppercase: bool,
    pub numbers: bool,
    pub punctuation: bool,
    pub space: bool,
    pub require_each: bool,
}

/// Why no password can be made.
#[derive(Debug, PartialEq, Eq)]
pub enum PasswordError {
    /// Every character is excluded.
    NoCharacters,
    /// Fewer characters than included classes while each class is required.
    TooShort,
}

/// The character classes left after exclusions (empty classes dropped).
fn classes(o: &Options) -> Vec<Vec<char>> {
    let sets: [(bool, String); 5] = [
        (o.lowercase, ('a'..='z').collect()),
        (o.uppercase, ('A'..='Z').collect()),
        (o.numbers, ('0'..='9').collect()),
        (o.punctuation, PUNCTUATION.to_owned()),
        (o.space, " ".to_owned()),
    ];
    sets.into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, set)| set.chars().filter(|c| !o.exclude.contains(*c)).collect())
        .filter(|set: &Vec<char>| !set.is_empty())
        .collect()
}

/// A uniform index below `n` (at most a few thousand).
fn index(n: usize) -> usize {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    usize::try_from(below(n)).unwrap_or(0)
}

/// A password as `options` ask.
pub fn generate(options: &Options) -> Result<String, PasswordError> {
    let classes = classes(options);
    let all: Vec<char> = classes.iter().flatten().copied().collect();
    if all.is_empty() {
        return Err(PasswordError::NoCharacters);
    }
    if options.require_each && options.length < classes.len() {
        return Err(PasswordError::TooShort);
    }
    let mut out: Vec<char> = Vec::with_capacity(options.length);
    if options.require_each {
        for class in &classes {
            out.push(class[index(class.len())]);
        }
    }
    while out.len() < options.length {
        out.push(all[index(all.len())]);
    }
    // Fisher–Yates, so the required characters are not at the front.
    for i in (1..out.len()).rev() {
        let j = index(i + 1);
        out.swap(i, j);
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn options(length: usize) -> Options {
        Options {
            length,
            exclude: String::new(),
            lowercase: true,
            uppercase: true,
            numbers: true,
            punctuation: true,
            space: false,
            require_each: true,
        }
    }

    #[test]
    fn every_included_class_appears() {
        for _ in 0..200 {
            let p = generate(&options(4)).unwrap();
            assert_eq!(p.chars().count(), 4);
            assert!(p.chars().any(|c| c.is_ascii_lowercase()));
            assert!(p.chars().any(|c| c.is_ascii_uppercase()));
            assert!(p.chars().any(|c| c.is_ascii_digit()));
            assert!(p.chars().any(|c| PUNCTUATION.contains(c)));
        }
    }

    #[test]
    fn exclusions_hold_and_errors_are_reported() {
        let mut o = options(64);
        o.punctuation = false;
        o.exclude = "abcABC012".into();
        let p = generate(&o).unwrap();
        assert!(
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() && !"abcABC012".contains(c))
        );
        assert_eq!(generate(&options(3)), Err(PasswordError::TooShort));
        o.require_each = false;
        o.length = 1;
        assert_eq!(generate(&o).unwrap().len(), 1);
        let none = Options {
            lowercase: false,
            uppercase: false,
            numbers: false,
            punctuation: false,
            ..options(8)
        };
        assert_eq!(generate(&none), Err(PasswordError::NoCharacters));
        let space = Options {
            space: true,
            ..none
        };
        assert_eq!(generate(&space).unwrap(), "        ");
    }
}
