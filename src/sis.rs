//! Which system the administrator is connecting, as far as the wording goes: Infinite
//! Campus, with its menus and names, or any other OneRoster 1.2 server, described in
//! OneRoster's own terms. The flow and the checks are the same; the words differ, and the
//! Infinite Campus-only parts (its menu path, the `appName` token URL, Custom Data
//! Extracts) are not shown for another provider.

use sis_onboard_protocol::{INFINITE_CAMPUS, SessionConfig};

use crate::i18n::Key;

/// The system whose words the wizard uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sis {
    /// Infinite Campus: its menus, its field names, its token URL.
    InfiniteCampus,
    /// Any other OneRoster 1.2 provider (and the words for "not chosen yet" when the
    /// session offers more than Infinite Campus).
    OneRoster,
}

impl Sis {
    /// The system of the chosen source; before one is chosen, Infinite Campus only when it
    /// is the session's one connectable source.
    pub fn of(session: &SessionConfig, source: Option<&str>) -> Self {
        let campus = |id: &str| id == INFINITE_CAMPUS;
        match source {
            Some(id) => {
                if campus(id) {
                    Sis::InfiniteCampus
                } else {
                    Sis::OneRoster
                }
            }
            None => {
                let mut connectable = session.sources.iter().filter(|s| s.implemented);
                if connectable.all(|s| campus(&s.id)) {
                    Sis::InfiniteCampus
                } else {
                    Sis::OneRoster
                }
            }
        }
    }

    /// The key whose text says what `key` says, in this system's words.
    pub fn word(self, key: Key) -> Key {
        match self {
            Sis::InfiniteCampus => key,
            Sis::OneRoster => ONEROSTER_WORDS
                .iter()
                .find(|(campus, _)| *campus == key)
                .map_or(key, |(_, generic)| *generic),
        }
    }
}

/// The Infinite Campus wording's keys and their OneRoster counterparts.
pub const ONEROSTER_WORDS: &[(Key, Key)] = &[
    (Key::StepGenerate, Key::OrStepGenerate),
    (Key::StartConfirm, Key::OrStartConfirm),
    (Key::StartHint, Key::OrStartHint),
    (Key::GenerateTitle, Key::OrGuideTitle),
    (Key::GenerateIntro, Key::OrGuideIntro),
    (Key::GenerateOlder, Key::OrGuideHint),
    (Key::CredentialsIntro, Key::OrCredentialsIntro),
    (Key::BaseUrlLabel, Key::OrBaseUrlLabel),
    (Key::BaseUrlHelp, Key::OrBaseUrlHelp),
    (Key::TokenUrlLabel, Key::OrTokenUrlLabel),
    (Key::TokenUrlHelp, Key::OrTokenUrlHelp),
    (Key::ClientIdHelp, Key::OrClientIdHelp),
    (Key::SecretHelp, Key::OrSecretHelp),
    (Key::ProblemNotUrl, Key::OrProblemNotUrl),
    (Key::ProblemOneRoster11, Key::OrProblemOneRoster11),
    (Key::ProblemTokenInBase, Key::OrProblemTokenInBase),
    (Key::ProblemBaseInToken, Key::OrProblemBaseInToken),
    (Key::ProblemNotRoot, Key::OrProblemNotRoot),
    (Key::WarnNoDemographics, Key::OrWarnNoDemographics),
    (Key::WarnOneSchool, Key::OrWarnOneSchool),
    (Key::ErrMalformedUrl, Key::OrErrMalformedUrl),
    (Key::ErrNotRoot, Key::OrErrNotRoot),
    (Key::ErrNotToken, Key::OrErrNotToken),
    (Key::ErrOneRoster11, Key::OrErrOneRoster11),
    (Key::ErrRefused, Key::OrErrRefused),
    (Key::ErrInvalidClient, Key::OrErrInvalidClient),
    (Key::ErrScope, Key::OrErrScope),
    (Key::ErrInactive, Key::OrErrInactive),
    (Key::ErrNoData, Key::OrErrNoData),
    (Key::ErrUpstreamRateLimited, Key::OrErrUpstreamRateLimited),
    (Key::ErrUpstream, Key::OrErrUpstream),
    (Key::ErrForbidden, Key::OrErrForbidden),
    (Key::ErrTokenHostMismatch, Key::OrErrTokenHostMismatch),
    (Key::RepairModeNewKeys, Key::OrRepairModeNewKeys),
];

/// The keys only Infinite Campus's path shows: a OneRoster provider never reads them.
pub const CAMPUS_ONLY: &[Key] = &[
    Key::StrategyExtract,
    Key::StrategyExtractHelp,
    Key::Generate1,
    Key::Generate2,
    Key::Generate3,
    Key::Generate4,
    Key::Generate5,
    Key::ProblemNotToken,
    Key::ProblemNoApp,
    Key::TokenOffer,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{ALL_KEYS, Lang, SOURCES};
    use sis_onboard_protocol::{ONEROSTER_GENERIC, Strategy, source_option};

    /// Words that belong to Infinite Campus alone.
    const CAMPUS_WORDS: [&str; 4] = [
        "Infinite Campus",
        "appName",
        "Instruction",
        "Token Endpoint",
    ];

    fn is_extract_step(key: Key) -> bool {
        format!("{key:?}").starts_with("Extract")
    }

    #[test]
    fn a_oneroster_provider_never_reads_infinite_campus_words() {
        for key in ALL_KEYS.iter().copied() {
            // The Source step describes Infinite Campus by name, beside the other sources.
            if CAMPUS_ONLY.contains(&key) || is_extract_step(key) || key == Key::SourceNeedsCampus {
                continue;
            }
            let text = Lang::En.text(Sis::OneRoster.word(key));
            for word in CAMPUS_WORDS {
                assert!(!text.contains(word), "{key:?} reads {word:?}: {text}");
            }
            // Every language: the product's name and its token URL's parameter.
            for (lang, _) in SOURCES {
                let text = lang.text(Sis::OneRoster.word(key));
                for word in &CAMPUS_WORDS[..2] {
                    assert!(
                        !text.contains(word),
                        "{lang:?} {key:?} reads {word:?}: {text}"
                    );
                }
            }
        }
    }

    #[test]
    fn each_counterpart_is_its_own_text_in_every_language() {
        for (lang, _) in SOURCES {
            for (campus, generic) in ONEROSTER_WORDS {
                assert_ne!(
                    lang.text(*campus),
                    lang.text(*generic),
                    "{lang:?}: {campus:?}"
                );
                assert_eq!(Sis::InfiniteCampus.word(*campus), *campus);
            }
        }
    }

    fn session(sources: &[&str]) -> SessionConfig {
        SessionConfig {
            session_id: "s".into(),
            display_name: "Acme".into(),
            support_contact: None,
            expires_at: 0,
            regions: vec![],
            sources: sources.iter().filter_map(|id| source_option(id)).collect(),
            strategies: Strategy::ALL.to_vec(),
            extract_name_prefix: "Acme".into(),
            repair: None,
        }
    }

    #[test]
    fn the_system_is_the_chosen_source_or_the_only_connectable_one() {
        let campus_only = session(&[INFINITE_CAMPUS, "skyward"]);
        assert_eq!(Sis::of(&campus_only, None), Sis::InfiniteCampus);
        let both = session(&[INFINITE_CAMPUS, ONEROSTER_GENERIC]);
        assert_eq!(Sis::of(&both, None), Sis::OneRoster);
        assert_eq!(Sis::of(&both, Some(INFINITE_CAMPUS)), Sis::InfiniteCampus);
        assert_eq!(Sis::of(&both, Some(ONEROSTER_GENERIC)), Sis::OneRoster);
        assert_eq!(
            Sis::of(&session(&[ONEROSTER_GENERIC]), None),
            Sis::OneRoster
        );
    }
}
