//! Which string the administrator reads for each thing that can happen: pure mappings,
//! tested natively, so every proxy code and every local check has its own message.

use sis_onboard_protocol::{
    CredentialField, RepairReason, ValidationErrorCode as Code, ValidationWarning,
};

use crate::i18n::{Key, Lang};
use crate::sis::Sis;
use crate::urls::{Problem, Repair};

/// The message for a validation error code (each says what to do about it).
pub fn validation_error(code: Code) -> Key {
    match code {
        Code::MalformedUrl => Key::ErrMalformedUrl,
        Code::NotHttps => Key::ErrNotHttps,
        Code::NotOneRosterRoot => Key::ErrNotRoot,
        Code::NotTokenEndpoint => Key::ErrNotToken,
        Code::OneRoster11 => Key::ErrOneRoster11,
        Code::UnknownHost => Key::ErrUnknownHost,
        Code::ConnectionRefused => Key::ErrRefused,
        Code::TlsFailure => Key::ErrTls,
        Code::Timeout => Key::ErrTimeout,
        Code::InvalidClient => Key::ErrInvalidClient,
        Code::InsufficientScope => Key::ErrScope,
        Code::InactiveConnection => Key::ErrInactive,
        Code::NoDataShared => Key::ErrNoData,
        Code::RateLimited => Key::ErrUpstreamRateLimited,
        Code::UpstreamError => Key::ErrUpstream,
        Code::MalformedResponse => Key::ErrMalformedResponse,
        Code::ResponseTooLarge => Key::ErrTooLarge,
        Code::ForbiddenDestination => Key::ErrForbidden,
        Code::NonAsciiHost => Key::ErrNonAsciiHost,
        Code::TokenHostMismatch => Key::ErrTokenHostMismatch,
    }
}

/// Where a validation error is shown: next to its field, or (None) above the buttons.
/// A refused client id and secret are shown at the secret, the value most often mistyped.
pub fn error_field(code: Code, field: Option<CredentialField>) -> Option<CredentialField> {
    match (code, field) {
        (Code::InvalidClient, Some(CredentialField::ClientId)) => Some(CredentialField::ClientId),
        (Code::InvalidClient, _) => Some(CredentialField::ClientSecret),
        (_, field) => field,
    }
}

/// Why a repaired connection failed: the wizard's message for its code, or the proxy's
/// message when this language has no text for it.
pub fn failing_reason(lang: Lang, sis: Sis, vendor: &str, reason: &RepairReason) -> String {
    let text = lang.format(
        sis.word(validation_error(reason.code)),
        &[("vendor", vendor)],
    );
    if text.trim().is_empty() {
        reason.message.clone()
    } else {
        text
    }
}

/// Whether Infinite Campus refused the connection's keys, so the administrator needs new ones.
pub fn needs_new_keys(code: Code) -> bool {
    code == Code::InvalidClient
}

/// The message for a local URL problem.
pub fn problem(problem: Problem) -> Key {
    match problem {
        Problem::Empty => Key::ProblemEmpty,
        Problem::NotUrl => Key::ProblemNotUrl,
        Problem::NotHttps => Key::ProblemNotHttps,
        Problem::OneRoster11 => Key::ProblemOneRoster11,
        Problem::TokenUrlInBaseField => Key::ProblemTokenInBase,
        Problem::BaseUrlInTokenField => Key::ProblemBaseInToken,
        Problem::NotRosteringRoot => Key::ProblemNotRoot,
        Problem::NotTokenUrl => Key::ProblemNotToken,
        Problem::MissingAppName => Key::ProblemNoApp,
        Problem::NonAsciiHost => Key::ProblemNonAsciiHost,
    }
}

/// The note for a repair the wizard made.
pub fn repair(repair: Repair) -> Key {
    match repair {
        Repair::Trimmed => Key::RepairTrimmed,
        Repair::TrailingSlash => Key::RepairSlash,
        Repair::CutAfterRoot => Key::RepairCut,
        Repair::AddedScheme => Key::RepairScheme,
        Repair::LowerCased => Key::RepairLowerCase,
        Repair::StandardForm => Key::RepairStandardForm,
    }
}

/// The message for a warning.
pub fn warning(warning: ValidationWarning) -> Key {
    match warning {
        ValidationWarning::NoDemographicsScope => Key::WarnNoDemographics,
        ValidationWarning::OneSchoolShared => Key::WarnOneSchool,
        ValidationWarning::CountsAreLowerBounds => Key::WarnLowerBounds,
        ValidationWarning::NoDistrictOrg => Key::WarnNoDistrict,
    }
}

/// The line that says the connection works: "Connected to {district}", or only "Connected"
/// when the server lists no district, so an empty name never reads as a broken sentence.
pub fn report_passed(lang: Lang, district: &str) -> String {
    if district.trim().is_empty() {
        lang.text(Key::ReportPassedUnnamed).to_owned()
    } else {
        lang.format(Key::ReportPassed, &[("district", district)])
    }
}

/// The name of a check of the report (its `id`), or None for one this wizard does not know.
pub fn check(id: &str) -> Option<Key> {
    Some(match id {
        "token" => Key::CheckToken,
        "district" => Key::CheckDistrict,
        "schools" => Key::CheckSchools,
        "students" => Key::CheckStudents,
        "teachers" => Key::CheckTeachers,
        "classes" => Key::CheckClasses,
        "academic_session" => Key::CheckYear,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODES: [Code; 20] = [
        Code::MalformedUrl,
        Code::NotHttps,
        Code::NotOneRosterRoot,
        Code::NotTokenEndpoint,
        Code::OneRoster11,
        Code::UnknownHost,
        Code::ConnectionRefused,
        Code::TlsFailure,
        Code::Timeout,
        Code::InvalidClient,
        Code::InsufficientScope,
        Code::InactiveConnection,
        Code::NoDataShared,
        Code::RateLimited,
        Code::UpstreamError,
        Code::MalformedResponse,
        Code::ResponseTooLarge,
        Code::ForbiddenDestination,
        Code::NonAsciiHost,
        Code::TokenHostMismatch,
    ];

    #[test]
    fn every_validation_code_has_its_own_message() {
        for (lang, _) in crate::i18n::SOURCES {
            for sis in [Sis::InfiniteCampus, Sis::OneRoster] {
                let mut texts: Vec<&str> = CODES
                    .iter()
                    .map(|c| lang.text(sis.word(validation_error(*c))))
                    .collect();
                texts.sort_unstable();
                texts.dedup();
                assert_eq!(texts.len(), CODES.len(), "{lang:?} {sis:?}");
            }
        }
    }

    #[test]
    fn a_report_without_a_district_says_connected_without_a_name() {
        assert_eq!(report_passed(Lang::En, ""), "Connected");
        assert_eq!(report_passed(Lang::Es, ""), "Conectado");
        assert_eq!(report_passed(Lang::Fr, ""), "Connecté");
        assert_eq!(
            report_passed(Lang::Fr, "Centre de services scolaire des Laurentides"),
            "Connecté à Centre de services scolaire des Laurentides"
        );
        assert_eq!(
            report_passed(Lang::En, "Lakeshore District"),
            "Connected to Lakeshore District"
        );
        assert_eq!(
            Lang::En.text(warning(ValidationWarning::NoDistrictOrg)),
            Lang::En.text(Key::WarnNoDistrict)
        );
    }

    #[test]
    fn a_failing_repair_reads_the_wizard_message_for_its_code() {
        let reason = RepairReason {
            code: Code::TlsFailure,
            message: "proxy text".into(),
            checked_at: 0,
        };
        for lang in [Lang::Es, Lang::Fr] {
            let text = failing_reason(lang, Sis::InfiniteCampus, "Acme", &reason);
            assert_eq!(
                text,
                lang.format(Key::ErrTls, &[("vendor", "Acme")]),
                "{lang:?}: localized, vendor filled in"
            );
            assert!(text.contains("Acme") && !text.contains("proxy text"));
        }
        // A OneRoster provider's connection is told in its words.
        let refused = RepairReason {
            code: Code::InvalidClient,
            message: "proxy text".into(),
            checked_at: 0,
        };
        let text = failing_reason(Lang::Fr, Sis::OneRoster, "Acme", &refused);
        assert_eq!(text, Lang::Fr.text(Key::OrErrInvalidClient));
        assert!(!failing_reason(Lang::En, Sis::OneRoster, "Acme", &refused).contains("Campus"));
        assert!(needs_new_keys(Code::InvalidClient));
        assert!(!needs_new_keys(Code::InactiveConnection));
    }

    #[test]
    fn a_refused_secret_is_shown_at_the_secret() {
        assert_eq!(
            error_field(Code::InvalidClient, None),
            Some(CredentialField::ClientSecret)
        );
        assert_eq!(
            error_field(Code::InvalidClient, Some(CredentialField::ClientId)),
            Some(CredentialField::ClientId)
        );
        assert_eq!(
            error_field(Code::Timeout, Some(CredentialField::TokenUrl)),
            Some(CredentialField::TokenUrl)
        );
        assert_eq!(error_field(Code::InactiveConnection, None), None);
    }

    #[test]
    fn one_roster_11_reads_differently_from_a_wrong_base_url() {
        assert_ne!(
            validation_error(Code::OneRoster11),
            validation_error(Code::NotOneRosterRoot)
        );
        assert!(
            Lang::En
                .text(validation_error(Code::OneRoster11))
                .contains("1.2")
        );
    }

    #[test]
    fn the_report_checks_have_names() {
        for id in [
            "token",
            "district",
            "schools",
            "students",
            "teachers",
            "classes",
            "academic_session",
        ] {
            assert!(check(id).is_some(), "{id}");
        }
        assert_eq!(check("gradebook"), None);
    }
}
