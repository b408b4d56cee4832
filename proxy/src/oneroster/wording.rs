//! Whose words a validation message speaks in: Infinite Campus's (its menus, its
//! `appName` token URLs) for Infinite Campus, a OneRoster provider's for any other source.
//! Only the words depend on the source; every check is OneRoster 1.2's own.

use sis_onboard_protocol::INFINITE_CAMPUS;

/// The wording of one validation's messages, chosen once from the request's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// Names Infinite Campus, where its screens are and what its addresses look like.
    InfiniteCampus,
    /// Says "your OneRoster provider": a district on another system reads no Infinite Campus
    /// menu it does not have.
    OneRoster,
}

impl Wording {
    /// The wording for a request's `source`: Infinite Campus's when it names none (absent or
    /// blank, as from a client older than sources) or names Infinite Campus; a provider's for
    /// any other id, an unknown one included, since only Infinite Campus has its menus.
    pub fn for_source(source: Option<&str>) -> Self {
        match source.map(str::trim) {
            None | Some("") => Self::InfiniteCampus,
            Some(id) if id == INFINITE_CAMPUS => Self::InfiniteCampus,
            Some(_) => Self::OneRoster,
        }
    }

    /// `infinite_campus` in Infinite Campus's wording, `oneroster` in a provider's.
    pub fn pick<T>(self, infinite_campus: T, oneroster: T) -> T {
        match self {
            Self::InfiniteCampus => infinite_campus,
            Self::OneRoster => oneroster,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_infinite_campus_or_no_source_speaks_of_infinite_campus() {
        for (source, wording) in [
            (None, Wording::InfiniteCampus),
            (Some("infinite_campus"), Wording::InfiniteCampus),
            (Some(" infinite_campus "), Wording::InfiniteCampus),
            (Some("oneroster_generic"), Wording::OneRoster),
            (Some("powerschool"), Wording::OneRoster),
            (Some("no_such_source"), Wording::OneRoster),
            (Some(""), Wording::InfiniteCampus),
            (Some("  "), Wording::InfiniteCampus),
        ] {
            assert_eq!(Wording::for_source(source), wording, "{source:?}");
        }
        assert_eq!(Wording::InfiniteCampus.pick("ic", "or"), "ic");
        assert_eq!(Wording::OneRoster.pick("ic", "or"), "or");
    }
}
