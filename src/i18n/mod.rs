//! Every string the administrator reads, in one table per language: `en.json`, `es.json`,
//! `fr.json`, each a list of `[key, text]` in the order of [`Key`].
//!
//! The tables are not compiled into the wasm: `cargo xtask build` writes each as a file of
//! its own (`sis-onboard-<lang>-<hash>.txt`, the texts one per line), the loader fetches the
//! chosen language's file alongside the wasm, and [`Lang::install`] takes it in. A page
//! downloads one language instead of all three (3 to 4 KB gzip each). Tests check that every
//! table lists every key in order, without line breaks, with the same `{placeholders}`.

use std::sync::OnceLock;

/// The languages the wizard speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    En,
    /// Spanish.
    Es,
    /// French (written for Quebec: Canadian French conventions).
    Fr,
}

impl Lang {
    /// The language for a BCP 47 tag such as `es-MX` or `fr-CA`; none for a language not spoken.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The BCP 47 tag, for the `lang` attribute of the wizard's root.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
        }
    }

    /// A count with thousands grouped as the language writes them (3,200 / 3.200 / 3 200,
    /// French with a no-break space so a count never wraps).
    pub fn number(self, n: u64) -> String {
        let separator = match self {
            Lang::En => ',',
            Lang::Es => '.',
            Lang::Fr => '\u{a0}',
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

    /// A moment (seconds since the Unix epoch) as the browser writes dates and times in
    /// this language, in the administrator's time zone ("Dec 4, 2026, 7:23 AM").
    pub fn date_time(self, seconds: i64) -> String {
        use wasm_bindgen::JsValue;
        // Milliseconds stay exact in an f64 for any date a check can have.
        let date = js_sys::Date::new(&JsValue::from_f64(seconds as f64 * 1000.0));
        let options = js_sys::Object::new();
        for (name, style) in [("dateStyle", "medium"), ("timeStyle", "short")] {
            let _ = js_sys::Reflect::set(&options, &name.into(), &style.into());
        }
        date.to_locale_string(self.tag(), &options).into()
    }

    /// Takes in this language's strings: the text of its strings file, one string per line
    /// in the order of [`Key`]. False, and nothing installed, when the text does not have
    /// one line per key (not this build's file). The first strings a page installs for a
    /// language stay (they are kept for the page's life, like compiled-in strings).
    pub fn install(self, strings: String) -> bool {
        if strings.split('\n').count() != COUNT {
            return false;
        }
        let slot = &STRINGS[self as usize];
        if slot.get().is_none() {
            let _ = slot.set(strings.leak().split('\n').collect());
        }
        true
    }

    /// The text of `key` (empty before [`Lang::install`]).
    pub fn text(self, key: Key) -> &'static str {
        #[cfg(not(target_arch = "wasm32"))]
        if STRINGS[self as usize].get().is_none() {
            native::install(self);
        }
        STRINGS[self as usize]
            .get()
            .and_then(|texts| texts.get(key as usize))
            .copied()
            .unwrap_or_default()
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn format(self, key: Key, values: &[(&str, &str)]) -> String {
        let mut rest = self.text(key);
        let mut text = String::with_capacity(rest.len());
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            rest = &rest[open..];
            let known = rest.find('}').and_then(|close| {
                let name = &rest[1..close];
                let (_, value) = values.iter().find(|(n, _)| *n == name)?;
                Some((*value, close))
            });
            match known {
                Some((value, close)) => {
                    text.push_str(value);
                    rest = &rest[close + 1..];
                }
                None => {
                    text.push('{');
                    rest = &rest[1..];
                }
            }
        }
        text.push_str(rest);
        text
    }
}

/// Each language's strings once installed, by [`Lang`].
static STRINGS: [OnceLock<Vec<&'static str>>; 3] =
    [OnceLock::new(), OnceLock::new(), OnceLock::new()];

/// The tables as the source holds them, `[key, text]` in key order.
pub const SOURCES: [(Lang, &str); 3] = [
    (Lang::En, include_str!("en.json")),
    (Lang::Es, include_str!("es.json")),
    (Lang::Fr, include_str!("fr.json")),
];

/// The table `source` as its `(key, text)` pairs.
pub fn pairs(source: &str) -> Vec<(String, String)> {
    // The tables are this crate's own files, checked by its tests: not input to recover from.
    serde_json::from_str(source).expect("a string table is a list of [key, text]")
}

/// The strings file the build writes for the table `source`: its texts, one per line. The
/// unit and browser tests install this; the shipped wasm never reads a table.
pub fn strings_file(source: &str) -> String {
    let texts: Vec<String> = pairs(source).into_iter().map(|(_, text)| text).collect();
    texts.join("\n")
}

/// Outside the browser (the unit tests) the strings come from the source tables.
#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::{Lang, SOURCES, strings_file};

    pub fn install(lang: Lang) {
        let (_, source) = SOURCES[lang as usize];
        assert!(
            lang.install(strings_file(source)),
            "{lang:?}: a key without its text"
        );
    }
}

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
    RepairTrimmed, RepairSlash, RepairCut, RepairScheme, RepairLowerCase, RepairStandardForm,
    ProblemEmpty, ProblemNotUrl, ProblemNotHttps, ProblemOneRoster11, ProblemTokenInBase,
    ProblemBaseInToken, ProblemNotRoot, ProblemNotToken, ProblemNoApp, ProblemNonAsciiHost,
    // The validation report
    ReportPassed, ReportFailed, Schools, Students, Teachers, Classes, AtLeast,
    SchoolYear, CheckToken, CheckDistrict, CheckSchools, CheckStudents, CheckTeachers,
    CheckClasses, CheckYear, CheckPassed, CheckFailed,
    WarnNoDemographics, WarnOneSchool, WarnLowerBounds,
    // Validation error codes
    ErrMalformedUrl, ErrNotHttps, ErrNotRoot, ErrNotToken, ErrOneRoster11, ErrUnknownHost,
    ErrRefused, ErrTls, ErrTimeout, ErrInvalidClient, ErrScope, ErrInactive, ErrNoData,
    ErrUpstreamRateLimited, ErrUpstream, ErrMalformedResponse, ErrTooLarge, ErrForbidden,
    ErrNonAsciiHost,
    // Talking to the proxy
    NetOffline, NetUnreachable, NetExpired, NetInvalidSession, NetRateLimited, NetOther,
    // Done
    DoneTitle, DoneSummary, DoneRegion, DoneSync, DoneSupport, DoneSupportNone,
    // Exit
    ExitedTitle, ExitedBody,
    // Appended, so a table installed by an older build keeps its lines' meaning
    WarnNoDistrict, ReportPassedUnnamed, ErrTokenHostMismatch,
    // Repair mode
    RepairModeTitle, RepairModeIntro, RepairModeReason, RepairModeNewKeys, DoneRepaired,
    // Any other OneRoster 1.2 provider (see `crate::sis`), and the sources' needs
    OrStepGenerate, OrStartConfirm, OrStartHint, OrGuideTitle, OrGuideIntro, OrGuide1, OrGuide2, OrGuide3, OrGuide4, OrGuide5, OrGuideHint, OrCredentialsIntro, OrBaseUrlLabel, OrBaseUrlHelp, OrTokenUrlLabel, OrTokenUrlHelp, OrClientIdHelp, OrSecretHelp, OrProblemNotUrl, OrProblemOneRoster11, OrProblemTokenInBase, OrProblemBaseInToken, OrProblemNotRoot, OrWarnNoDemographics, OrWarnOneSchool, OrErrMalformedUrl, OrErrNotRoot, OrErrNotToken, OrErrOneRoster11, OrErrRefused, OrErrInvalidClient, OrErrScope, OrErrInactive, OrErrNoData, OrErrUpstreamRateLimited, OrErrUpstream, OrErrForbidden, OrErrTokenHostMismatch, OrRepairModeNewKeys, OrStrategyOnly, SourceNeedsCampus, SourceNeedsOneRoster, SourceTryOneRoster, SourceOtherName,
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
    fn each_table_lists_every_key_in_order_on_one_line() {
        for (lang, source) in SOURCES {
            let pairs = pairs(source);
            let keys: Vec<String> = pairs.iter().map(|(key, _)| key.clone()).collect();
            let expected: Vec<String> = ALL_KEYS.iter().map(|key| format!("{key:?}")).collect();
            assert_eq!(
                keys, expected,
                "{lang:?}: keys missing, extra or out of order"
            );
            for (key, text) in &pairs {
                assert!(!text.trim().is_empty(), "{lang:?}: {key} is empty");
                // The shipped file holds one string per line.
                assert!(
                    !text.contains(['\n', '\r']),
                    "{lang:?}: {key} has a line break"
                );
            }
        }
    }

    #[test]
    fn strings_without_one_line_per_key_are_refused() {
        assert!(!Lang::Es.install("Atrás\nContinuar".to_owned()));
        assert!(!Lang::Es.install(String::new()));
        let one_too_many = vec!["x"; COUNT + 1].join("\n");
        assert!(!Lang::Es.install(one_too_many));
    }

    #[test]
    fn the_installed_strings_are_the_tables() {
        for (lang, source) in SOURCES {
            for (key, (_, text)) in ALL_KEYS.iter().zip(pairs(source)) {
                assert_eq!(lang.text(*key), text, "{lang:?}: {key:?}");
            }
        }
    }

    #[test]
    fn every_language_uses_the_same_placeholders_as_english() {
        for (lang, _) in SOURCES {
            for key in ALL_KEYS {
                assert_eq!(
                    placeholders(Lang::En.text(*key)),
                    placeholders(lang.text(*key)),
                    "{lang:?}: {key:?}"
                );
            }
        }
    }

    #[test]
    fn no_language_is_english_left_untranslated() {
        for (lang, _) in SOURCES.into_iter().filter(|(lang, _)| *lang != Lang::En) {
            let same: Vec<_> = ALL_KEYS
                .iter()
                .filter(|k| Lang::En.text(**k) == lang.text(**k))
                .filter(|k| !matches!(k, Key::BaseUrlLabel | Key::ClientIdLabel | Key::StrategyApi))
                .collect();
            assert!(same.len() <= 3, "{lang:?} untranslated: {same:?}");
        }
    }

    #[test]
    fn each_language_is_chosen_by_its_tags_and_names_itself() {
        for (tag, lang) in [
            ("en", Lang::En),
            ("en-GB", Lang::En),
            ("es", Lang::Es),
            ("es-MX", Lang::Es),
            ("fr", Lang::Fr),
            ("fr-CA", Lang::Fr),
            ("fr-FR", Lang::Fr),
            ("fr_CA", Lang::Fr),
            (" FR-ca ", Lang::Fr),
        ] {
            assert_eq!(Lang::from_tag(tag), Some(lang), "{tag}");
        }
        for tag in ["", "de", "fra", "frc", "pt-BR"] {
            assert_eq!(Lang::from_tag(tag), None, "{tag}");
        }
        for (lang, _) in SOURCES {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(Lang::En.number(3200), "3,200");
        assert_eq!(Lang::Es.number(3200), "3.200");
        assert_eq!(Lang::Fr.number(3200), "3\u{a0}200");
        assert_eq!(Lang::Fr.number(1_234_567), "1\u{a0}234\u{a0}567");
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
        assert_eq!(
            Lang::Es.format(Key::StepOf, &[("n", "2"), ("total", "7")]),
            "Paso 2 de 7"
        );
        assert_eq!(
            Lang::Fr.format(Key::StepOf, &[("n", "2"), ("total", "7")]),
            "Étape 2 sur 7"
        );
    }

    #[test]
    fn a_value_is_written_as_it_is_and_unknown_braces_stay() {
        // A vendor named like a placeholder is not filled in again.
        assert_eq!(
            Lang::En.format(Key::StartTitle, &[("vendor", "{vendor} {n}")]),
            "Connect your student information system to {vendor} {n}"
        );
        assert_eq!(
            Lang::En.format(Key::StepOf, &[("n", "2")]),
            Lang::En.text(Key::StepOf).replace("{n}", "2")
        );
    }
}
