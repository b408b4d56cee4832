//! Source: the data sources the session lists; those not implemented are marked and cannot
//! be chosen. A search box appears when the list is long.

use leptos::prelude::*;

use sis_onboard_protocol::{INFINITE_CAMPUS, ONEROSTER_GENERIC};

use crate::components::frame::{Choice, Choices, Frame, Nav};
use crate::ctx::ctx;
use crate::i18n::Key;
use crate::state::Step;

/// More sources than this get a search box.
pub const SEARCH_FROM: usize = 6;

/// True when every word of the search `query` is somewhere in `name`, ignoring ASCII case.
/// The catalog's names (`SOURCE_CATALOG`) are product names in ASCII, so ASCII folding finds
/// every one; a letter outside ASCII matches as typed. Unicode case folding would find
/// nothing more here and costs the bundle 7 KB brotli (its case tables; README, "Bundle size").
pub fn matches(name: &str, query: &str) -> bool {
    let name = name.to_ascii_lowercase();
    query
        .to_ascii_lowercase()
        .split_whitespace()
        .all(|word| name.contains(word))
}

/// The source step.
#[component]
pub fn SourceStep() -> impl IntoView {
    let ctx = ctx();
    let sources = ctx.session.with_value(|s| s.sources.clone());
    let searchable = sources.len() > SEARCH_FROM;
    let query = RwSignal::new(String::new());
    // A source not connectable by name may still be, as any OneRoster 1.2 provider, when
    // the session offers that.
    let generic_offered = sources
        .iter()
        .any(|s| s.id == ONEROSTER_GENERIC && s.implemented);
    let unavailable = ctx.lang.text(if generic_offered {
        Key::SourceTryOneRoster
    } else {
        Key::SourceUnavailable
    });
    // Each choice: its name in the administrator's language, and what it needs.
    let choices: Vec<Choice> = sources
        .into_iter()
        .map(|s| {
            let (name, needs) = match s.id.as_str() {
                INFINITE_CAMPUS => (s.name, Some(Key::SourceNeedsCampus)),
                ONEROSTER_GENERIC => (
                    ctx.lang.text(Key::SourceOtherName).to_owned(),
                    Some(Key::SourceNeedsOneRoster),
                ),
                _ => (s.name, None),
            };
            let help = if s.implemented {
                needs.map(|key| ctx.lang.text(key).to_owned())
            } else {
                Some(unavailable.to_owned())
            };
            (s.id, name, help, s.implemented)
        })
        .collect();
    let options = Memo::new(move |_| {
        query.with(|q| {
            choices
                .iter()
                .filter(|(_, name, _, _)| matches(name, q))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let no_match = move || {
        options.with(Vec::is_empty).then(|| {
            view! {
                <p class="sis-hint" role="status" data-testid="no-match">
                    {ctx.lang.format(Key::SourceNoMatch, &[("query", &query.get())])}
                </p>
            }
        })
    };
    view! {
        <Frame step=Step::Source title=ctx.t(Key::SourceTitle).to_owned()>
            <p>{ctx.t(Key::SourceIntro)}</p>
            {searchable.then(|| view! {
                <label class="sis-field">
                    <span class="sis-label">{ctx.t(Key::SourceSearch)}</span>
                    <input
                        type="search"
                        class="sis-input"
                        data-testid="source-search"
                        autocomplete="off"
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                </label>
            })}
            <Choices
                legend=ctx.t(Key::SourceTitle).to_owned()
                options
                step=Step::Source
            />
            {no_match}
            <Nav/>
        </Frame>
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn search_matches_every_word_in_any_case() {
        assert!(matches("Infinite Campus", "campus"));
        assert!(matches("Infinite Campus", "INF camp"));
        assert!(!matches("Infinite Campus", "skyward"));
        assert!(matches("Skyward", ""));
        // Letters outside ASCII match as typed.
        assert!(matches("Éducation Québec", "québec Édu"));
        assert!(!matches("Éducation Québec", "QUÉBEC"));
    }

    #[test]
    fn every_catalog_name_is_ascii_so_ascii_folding_finds_it() {
        for sis_onboard_protocol::CatalogSource { name, .. } in sis_onboard_protocol::SOURCE_CATALOG
        {
            assert!(
                name.is_ascii(),
                "{name} needs Unicode case folding in `matches`"
            );
        }
    }
}
