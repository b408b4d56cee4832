//! Every string the administrator reads, in one table per language (`en.rs`, `es.rs`).
//!
//! A table is an array as long as [`Key`] has variants, so a missing entry does not compile;
//! a test checks that each entry sits at its key's index and that both languages use the
//! same `{placeholders}`.

mod en;
mod es;

/// The languages the wizard speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// The language for a BCP 47 tag such as `es-MX`; English for anything not spoken.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The host element's `lang`, else the browser's first language we speak, else English.
    pub fn choose<'a>(host: Option<&str>, browser: impl IntoIterator<Item = &'a str>) -> Self {
        host.filter(|t| !t.trim().is_empty())
            .and_then(Lang::from_tag)
            .or_else(|| browser.into_iter().find_map(Lang::from_tag))
            .unwrap_or(Lang::En)
    }

    /// The BCP 47 tag, for the `lang` attribute of the wizard's root.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// A count with thousands grouped as the language writes them (3,200 / 3.200).
    pub fn number(self, n: u64) -> String {
        let separator = match self {
            Lang::En => ',',
            Lang::Es => '.',
        };
        let digits = n.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(digit);
        }
        grouped
    }

    /// The readable table (the tests read it; the bundle holds the packed form).
    #[cfg(test)]
    fn table(self) -> &'static [(Key, &'static str); COUNT] {
        match self {
            Lang::En => &en::TABLE,
            Lang::Es => &es::TABLE,
        }
    }

    /// The text of `key`.
    #[inline(never)]
    pub fn text(self, key: Key) -> &'static str {
        let (text, ends) = match self {
            Lang::En => (EN_TEXT, &EN.ends),
            Lang::Es => (ES_TEXT, &ES.ends),
        };
        let index = key as usize;
        let start = index
            .checked_sub(1)
            .map_or(0, |before| ends[before] as usize);
        text.get(start..ends[index] as usize).unwrap_or_default()
    }

    /// The text of `key` with each `{name}` replaced by its value.
    #[inline(never)]
    pub fn format(self, key: Key, values: &[(&str, &str)]) -> String {
        let mut text = self.text(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// A language's strings as the bundle holds them: every text back to back, and where each
/// one ends. Built at compile time from the readable tables, which stay out of the wasm: a
/// table entry (key, pointer, length) costs 12 bytes that hardly compress, an end 2.
struct Packed<const LEN: usize> {
    text: [u8; LEN],
    ends: [u16; COUNT],
}

const fn packed_len(table: &[(Key, &str); COUNT]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < COUNT {
        len += table[i].1.len();
        i += 1;
    }
    assert!(
        len <= u16::MAX as usize,
        "a language's strings outgrew u16 offsets"
    );
    len
}

const fn pack<const LEN: usize>(table: &[(Key, &str); COUNT]) -> Packed<LEN> {
    let mut packed = Packed {
        text: [0; LEN],
        ends: [0; COUNT],
    };
    let (mut at, mut i) = (0, 0);
    while i < COUNT {
        let bytes = table[i].1.as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            packed.text[at] = bytes[j];
            at += 1;
            j += 1;
        }
        packed.ends[i] = at as u16;
        i += 1;
    }
    packed
}

/// `bytes` as text, at compile time (they are whole strings laid end to end).
const fn utf8(bytes: &'static [u8]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => panic!("packed strings are not UTF-8"),
    }
}

static EN: Packed<{ packed_len(&en::TABLE) }> = pack(&en::TABLE);
static ES: Packed<{ packed_len(&es::TABLE) }> = pack(&es::TABLE);
static EN_TEXT: &str = utf8(&EN.text);
static ES_TEXT: &str = utf8(&ES.text);

macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// A string of the wizard.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Key { $($key),* }

        /// Every key, in table order.
        pub const ALL_KEYS: &[Key] = &[$(Key::$key),*];
    };
}

/// How many strings each table holds.
pub const COUNT: usize = ALL_KEYS.len();

keys! {
    // Shared
    OptMissingSession, OptBadApi, Loading, Back, Continue, Exit, Progress, StepOf,
    StepStart, StepSource, StepRegion, StepStrategy, StepDataExtract, StepGenerate,
    StepCredentials, StepDone,
    // Start
    StartTitle, StartIntro, StartConfirm, StartHint, StartButton,
    // Source
    SourceTitle, SourceIntro, SourceSearch, SourceUnavailable, SourceNoMatch,
    // Region
    RegionTitle, RegionIntro,
    // Strategy
    StrategyTitle, StrategyIntro, StrategyApi, StrategyApiHelp, StrategyExtract,
    StrategyExtractHelp,
    // Data extract
    ExtractTitle, ExtractIntro, ExtractDataSets, ExtractYields, ExtractNoneChosen,
    ExtractChecklist, ExtractOpen, ExtractNew, ExtractRequired, ExtractName, ExtractPaste,
    ExtractTest, ExtractCreated, ExtractSchedule, Copy, CopyQuery, Copied, CopyFallback,
    ExtractFailed,
    // Generate connection
    GenerateTitle, GenerateIntro, Generate1, Generate2, Generate3, Generate4, Generate5,
    GenerateOlder,
    // Credentials
    CredentialsTitle, CredentialsIntro, BaseUrlLabel, BaseUrlHelp, TokenUrlLabel,
    TokenUrlHelp, ClientIdLabel, ClientIdHelp, SecretLabel, SecretHelp, ShowSecret,
    HideSecret, Validate, ContinueSetup, Validating, ValidateAgain, TokenOffer, UseThis,
    FieldRequired,
    RepairTrimmed, RepairSlash, RepairCut,
    ProblemEmpty, ProblemNotUrl, ProblemNotHttps, ProblemOneRoster11, ProblemTokenInBase,
    ProblemBaseInToken, ProblemNotRoot, ProblemNotToken, ProblemNoApp,
    // The validation report
    ReportPassed, ReportFailed, Schools, Students, Teachers, Classes, AtLeast,
    SchoolYear, CheckToken, CheckDistrict, CheckSchools, CheckStudents, CheckTeachers,
    CheckClasses, CheckYear, CheckPassed, CheckFailed,
    WarnNoDemographics, WarnOneSchool, WarnLowerBounds,
    // Validation error codes
    ErrMalformedUrl, ErrNotHttps, ErrNotRoot, ErrNotToken, ErrOneRoster11, ErrUnknownHost,
    ErrRefused, ErrTls, ErrTimeout, ErrInvalidClient, ErrScope, ErrInactive, ErrNoData,
    ErrUpstreamRateLimited, ErrUpstream, ErrMalformedResponse, ErrTooLarge, ErrForbidden,
    // Talking to the proxy
    NetOffline, NetUnreachable, NetExpired, NetInvalidSession, NetRateLimited, NetOther,
    // Done
    DoneTitle, DoneSummary, DoneRegion, DoneSync, DoneSupport, DoneSupportNone,
    // Exit
    ExitedTitle, ExitedBody,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_key_has_its_entry_in_both_languages() {
        for lang in [Lang::En, Lang::Es] {
            for (index, (key, text)) in lang.table().iter().enumerate() {
                assert_eq!(*key as usize, index, "{lang:?}: {key:?} is out of place");
                assert!(!text.trim().is_empty(), "{lang:?}: {key:?} is empty");
            }
        }
    }

    #[test]
    fn the_packed_strings_are_the_tables() {
        for lang in [Lang::En, Lang::Es] {
            for (key, text) in lang.table() {
                assert_eq!(lang.text(*key), *text, "{lang:?}: {key:?}");
            }
        }
    }

    #[test]
    fn both_languages_use_the_same_placeholders() {
        for key in ALL_KEYS {
            assert_eq!(
                placeholders(Lang::En.text(*key)),
                placeholders(Lang::Es.text(*key)),
                "{key:?}"
            );
        }
    }

    #[test]
    fn spanish_is_not_english_left_untranslated() {
        let same: Vec<_> = ALL_KEYS
            .iter()
            .filter(|k| Lang::En.text(**k) == Lang::Es.text(**k))
            .filter(|k| !matches!(k, Key::BaseUrlLabel | Key::ClientIdLabel | Key::StrategyApi))
            .collect();
        assert!(same.len() <= 3, "untranslated: {same:?}");
    }

    #[test]
    fn the_language_follows_the_host_then_the_browser() {
        assert_eq!(Lang::choose(Some("es-MX"), ["en-US"]), Lang::Es);
        assert_eq!(Lang::choose(Some("en"), ["es"]), Lang::En);
        assert_eq!(Lang::choose(None, ["fr-FR", "es-419"]), Lang::Es);
        assert_eq!(Lang::choose(Some(""), ["de"]), Lang::En);
        assert_eq!(Lang::choose(Some("fr"), ["es"]), Lang::Es);
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(Lang::En.number(3200), "3,200");
        assert_eq!(Lang::Es.number(3200), "3.200");
        assert_eq!(Lang::En.number(1_000_000), "1,000,000");
        assert_eq!(Lang::En.number(999), "999");
        assert_eq!(Lang::En.number(0), "0");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Lang::En.format(Key::StartTitle, &[("vendor", "Acme")]),
            "Connect your student information system to Acme"
        );
    }
}
