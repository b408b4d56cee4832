//! The wizard's flow: its steps, in order, how the administrator moves between them, and
//! the draft of everything they entered (the secret excepted), which survives a reload.

use serde::{Deserialize, Serialize};

use crate::i18n::Key;
use sis_onboard_protocol::{SessionConfig, Strategy};

/// A step of the flow, in the order the administrator meets them (the derived order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub enum Step {
    #[default]
    /// Who is connecting, for which app.
    #[serde(rename = "start")]
    Start,
    /// Which student information system.
    #[serde(rename = "source")]
    Source,
    /// Where the connection is stored.
    #[serde(rename = "region")]
    Region,
    /// OneRoster 1.2 API or Custom Data Extract.
    #[serde(rename = "strategy")]
    Strategy,
    /// The Data Extract Utility steps (Custom Data Extract only).
    #[serde(rename = "data_extract")]
    DataExtract,
    /// Generating the OneRoster connection in Infinite Campus.
    #[serde(rename = "generate_connection")]
    GenerateConnection,
    /// Entering and validating the credentials.
    #[serde(rename = "credentials")]
    Credentials,
    /// Well done.
    #[serde(rename = "done")]
    Done,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 8] = [
        Step::Start,
        Step::Source,
        Step::Region,
        Step::Strategy,
        Step::DataExtract,
        Step::GenerateConnection,
        Step::Credentials,
        Step::Done,
    ];

    /// The step's name in the stepper.
    pub fn label(self) -> Key {
        match self {
            Step::Start => Key::StepStart,
            Step::Source => Key::StepSource,
            Step::Region => Key::StepRegion,
            Step::Strategy => Key::StepStrategy,
            Step::DataExtract => Key::StepDataExtract,
            Step::GenerateConnection => Key::StepGenerate,
            Step::Credentials => Key::StepCredentials,
            Step::Done => Key::StepDone,
        }
    }

    /// A stable id for the step, used in test ids and (later) in events.
    pub fn id(self) -> &'static str {
        match self {
            Step::Start => "start",
            Step::Source => "source",
            Step::Region => "region",
            Step::Strategy => "strategy",
            Step::DataExtract => "data-extract",
            Step::GenerateConnection => "generate-connection",
            Step::Credentials => "credentials",
            Step::Done => "done",
        }
    }

    fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step after this one, skipping the data extract unless the administrator chose it.
    pub fn next(self, uses_data_extract: bool) -> Option<Step> {
        Step::ALL
            .iter()
            .copied()
            .skip(self.index() + 1)
            .find(|s| uses_data_extract || *s != Step::DataExtract)
    }

    /// The step before this one, skipping the data extract unless the administrator chose it.
    pub fn prev(self, uses_data_extract: bool) -> Option<Step> {
        Step::ALL[..self.index()]
            .iter()
            .rev()
            .copied()
            .find(|s| uses_data_extract || *s != Step::DataExtract)
    }
}

/// What the administrator entered and chose, everything but the secret: kept in
/// `sessionStorage` under the session's id, so a reload loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Where they are.
    pub step: Step,
    /// They confirmed they administer Infinite Campus.
    pub is_admin: bool,
    /// The source chosen (a catalog id).
    pub source: Option<String>,
    /// The region chosen.
    pub region: Option<String>,
    /// The strategy chosen.
    pub strategy: Option<Strategy>,
    /// "OneRoster API URL", as typed.
    pub base_url: String,
    /// "Token Endpoint", as typed.
    pub token_url: String,
    /// "Client ID", as typed.
    pub client_id: String,
    /// Set once the connection is stored.
    pub completed: Option<Completed>,
    /// The data sets chosen on the Custom Data Extract path, in catalog order (None: not
    /// chosen yet, so the catalog's defaults apply once it is loaded).
    pub data_sets: Option<Vec<String>>,
    /// The ids of the data extract checklist's ticked items (see [`checklist`]).
    pub ticks: Option<Vec<String>>,
    /// The session repairs an existing connection: taken from the session on every load,
    /// never stored.
    #[serde(skip)]
    pub repairing: bool,
}

/// The checklist item of creating data set `id`'s extract.
pub fn extract_tick(id: &str) -> String {
    format!("extract:{id}")
}

/// The items of the data extract checklist for the chosen data sets: opening the Data
/// Extract Utility, one extract per data set, then scheduling them.
pub fn checklist(data_sets: &[String]) -> Vec<String> {
    let mut items = vec!["open".to_owned()];
    items.extend(data_sets.iter().map(|id| extract_tick(id)));
    items.push("schedule".to_owned());
    items
}

/// A stored connection, as the Done step shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completed {
    /// The proxy's opaque id.
    pub connection_id: String,
    /// The district's name.
    pub district: String,
}

impl Draft {
    /// A fresh draft: a session that offers only one region or strategy has it chosen. A
    /// repair session (which offers exactly the connection's region, source and strategy)
    /// opens at Credentials with the stored values filled in, the secret excepted.
    pub fn new(session: &SessionConfig) -> Self {
        let only = |ids: Vec<String>| (ids.len() == 1).then(|| ids[0].clone());
        let mut draft = Self {
            region: only(session.regions.iter().map(|r| r.id.clone()).collect()),
            source: only(
                session
                    .sources
                    .iter()
                    .filter(|s| s.implemented)
                    .map(|s| s.id.clone())
                    .collect(),
            )
            .filter(|_| session.sources.len() == 1),
            ..<Self as Default>::default()
        };
        draft.fit_strategy(session);
        if let Some(repair) = &session.repair {
            // The administrator confirmed their role when the connection was made.
            draft.is_admin = true;
            draft.repairing = true;
            draft.step = Step::Credentials;
            draft.base_url.clone_from(&repair.base_url);
            draft.token_url.clone_from(&repair.token_url);
            draft.client_id.clone_from(&repair.client_id);
        }
        draft
    }

    /// A stored draft (None: none, or unreadable), kept only where it still fits the
    /// session (a choice the session no longer offers is dropped, and the administrator is
    /// taken back to make it again).
    pub fn restore(session: &SessionConfig, stored: Option<Draft>) -> Self {
        let Some(mut draft) = stored else {
            return Self::new(session);
        };
        if !draft
            .source
            .as_ref()
            .is_some_and(|id| session.sources.iter().any(|s| &s.id == id && s.implemented))
        {
            draft.source = None;
        }
        if !draft
            .region
            .as_ref()
            .is_some_and(|id| session.regions.iter().any(|r| &r.id == id))
        {
            draft.region = None;
        }
        // A choice dropped where only one is left is made again, as for a fresh draft.
        let fresh = Self::new(session);
        draft.source = draft.source.or(fresh.source);
        draft.region = draft.region.or(fresh.region);
        draft.fit_strategy(session);
        // The draft of a repair session started from the stored values, so what it holds
        // is the administrator's own; only a blank field takes the stored value again.
        draft.repairing = fresh.repairing;
        for (typed, stored) in [
            (&mut draft.base_url, fresh.base_url),
            (&mut draft.token_url, fresh.token_url),
            (&mut draft.client_id, fresh.client_id),
        ] {
            if typed.trim().is_empty() {
                *typed = stored;
            }
        }
        // The data extract step is only on the Custom Data Extract path (a strategy changed
        // for the source leaves it): resume at the strategy, which says what was chosen.
        if draft.step == Step::DataExtract && !draft.uses_data_extract() {
            draft.step = Step::Strategy;
        }
        // Never resume past a step whose choice is missing.
        let first_missing = Step::ALL
            .into_iter()
            .filter(|s| draft.uses_data_extract() || *s != Step::DataExtract)
            .find(|s| *s < draft.step && !draft.may_leave(*s));
        if let Some(step) = first_missing {
            draft.step = step;
        }
        // Validation needs the secret, which is never kept: resume on Credentials at most.
        if draft.step == Step::Done && draft.completed.is_none() {
            draft.step = Step::Credentials;
        }
        draft
    }

    /// The id chosen on a choice step (Source, Region, Strategy).
    pub fn choice(&self, step: Step) -> Option<String> {
        match step {
            Step::Source => self.source.clone(),
            Step::Region => self.region.clone(),
            Step::Strategy => self.strategy.map(|s| s.as_str().to_owned()),
            _ => None,
        }
    }

    /// Records the id picked on a choice step of `session`. A source that does not connect
    /// by the strategy chosen so far drops it (Custom Data Extracts are Infinite Campus's).
    pub fn choose(&mut self, session: &SessionConfig, step: Step, id: String) {
        match step {
            Step::Source => self.source = Some(id),
            Step::Region => self.region = Some(id),
            Step::Strategy => self.strategy = Strategy::from_name(&id),
            _ => {}
        }
        self.fit_strategy(session);
    }

    /// The strategies the session offers for the chosen source (all the session's before
    /// one is chosen), in the session's order.
    pub fn strategies(&self, session: &SessionConfig) -> Vec<Strategy> {
        let source = self
            .source
            .as_ref()
            .and_then(|id| session.sources.iter().find(|s| &s.id == id));
        session
            .strategies
            .iter()
            .copied()
            // An older proxy's catalog names no strategies: the session's apply.
            .filter(|s| source.is_none_or(|o| o.strategies.is_empty() || o.strategies.contains(s)))
            .collect()
    }

    /// Keeps the strategy only while it is offered for the chosen source; where one is
    /// left, it is chosen.
    fn fit_strategy(&mut self, session: &SessionConfig) {
        let offered = self.strategies(session);
        if !self.strategy.is_some_and(|s| offered.contains(&s)) {
            self.strategy = (offered.len() == 1).then(|| offered[0]);
        }
    }

    /// The data sets chosen (none before the catalog's defaults are applied).
    pub fn chosen_data_sets(&self) -> &[String] {
        self.data_sets.as_deref().unwrap_or(&[])
    }

    /// Chooses (`on`) or drops data set `id`, keeping the catalog's order (`order`); ids
    /// not in `order` are dropped.
    pub fn choose_data_set(&mut self, id: &str, on: bool, order: &[String]) {
        let chosen = self.chosen_data_sets();
        let added = on && !chosen.iter().any(|c| c == id);
        let next = order
            .iter()
            .filter(|o| if *o == id { on } else { chosen.contains(o) })
            .cloned()
            .collect();
        self.data_sets = Some(next);
        // A new extract is neither created nor scheduled yet, whatever was ticked before.
        if added {
            self.tick(&extract_tick(id), false);
            self.tick("schedule", false);
        }
    }

    /// Fits the data sets to a loaded catalog (ids in `order`, `defaults` chosen for the
    /// administrator): a first visit gets the defaults; a stored choice keeps only what the
    /// catalog still has, in its order.
    pub fn fit_data_sets(&mut self, order: &[String], defaults: Vec<String>) {
        self.data_sets = Some(match &self.data_sets {
            None => defaults,
            Some(chosen) => order
                .iter()
                .filter(|id| chosen.contains(id))
                .cloned()
                .collect(),
        });
    }

    /// Whether checklist item `item` is ticked.
    pub fn ticked(&self, item: &str) -> bool {
        self.ticks
            .as_ref()
            .is_some_and(|t| t.iter().any(|i| i == item))
    }

    /// Ticks (`on`) or unticks checklist item `item`.
    pub fn tick(&mut self, item: &str, on: bool) {
        let ticks = self.ticks.get_or_insert_with(Vec::new);
        ticks.retain(|i| i != item);
        if on {
            ticks.push(item.to_owned());
        }
    }

    /// Whether the Custom Data Extract path was chosen.
    pub fn uses_data_extract(&self) -> bool {
        self.strategy == Some(Strategy::CustomDataExtract)
    }

    /// Whether the administrator may go on from `step` (Credentials needs a validation,
    /// which the credentials step itself tracks).
    pub fn may_leave(&self, step: Step) -> bool {
        match step {
            Step::Start => self.is_admin,
            Step::Source => self.source.is_some(),
            Step::Region => self.region.is_some(),
            Step::Strategy => self.strategy.is_some(),
            // At least one data set, and every step of its checklist ticked; a repaired
            // connection's extracts exist already, so the checklist is only a reminder.
            Step::DataExtract => {
                let chosen = self.chosen_data_sets();
                self.repairing
                    || !chosen.is_empty() && checklist(chosen).iter().all(|item| self.ticked(item))
            }
            Step::GenerateConnection => true,
            Step::Credentials => self.completed.is_some(),
            Step::Done => false,
        }
    }
}

/// The `sessionStorage` key of a session's draft.
pub fn storage_key(session_id: &str) -> String {
    format!("sis-onboard:{session_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sis_onboard_protocol::{INFINITE_CAMPUS, ONEROSTER_GENERIC, RegionOption, source_option};

    /// A stored draft as the wizard writes it, with the given step and choices.
    fn stored(step: &str, source: &str, region: &str, strategy: Option<&str>) -> String {
        let strategy = strategy.map_or("null".to_owned(), |s| format!("\"{s}\""));
        format!(
            r#"{{"step":"{step}","is_admin":true,"source":"{source}","region":"{region}","strategy":{strategy},"base_url":"","token_url":"","client_id":"","completed":null}}"#
        )
    }

    fn parse(json: &str) -> Option<Draft> {
        serde_json::from_str(json).ok()
    }

    fn session() -> SessionConfig {
        SessionConfig {
            session_id: "abc".into(),
            display_name: "Acme".into(),
            support_contact: None,
            expires_at: 0,
            regions: vec![
                RegionOption {
                    id: "us".into(),
                    label: "United States".into(),
                    labels: Default::default(),
                },
                RegionOption {
                    id: "eu".into(),
                    label: "European Union".into(),
                    labels: Default::default(),
                },
            ],
            sources: vec![
                source_option("infinite_campus").expect("in the catalog"),
                source_option("skyward").expect("in the catalog"),
            ],
            strategies: Strategy::ALL.to_vec(),
            extract_name_prefix: "Acme".into(),
            repair: None,
        }
    }

    #[test]
    fn a_draft_round_trips_without_any_secret_field() {
        let draft = Draft {
            step: Step::Credentials,
            is_admin: true,
            source: Some("infinite_campus".into()),
            region: Some("eu".into()),
            strategy: Some(Strategy::OneRosterApi),
            base_url: "https://x/ims/oneroster/rostering/v1p2".into(),
            token_url: "https://x/oauth2/token".into(),
            client_id: "id".into(),
            completed: None,
            data_sets: None,
            ticks: None,
            repairing: false,
        };
        let json = serde_json::to_string(&draft).unwrap_or_default();
        assert!(!json.contains("secret"), "{json}");
        assert_eq!(Draft::restore(&session(), parse(&json)), draft);
    }

    #[test]
    fn a_restored_draft_drops_what_the_session_no_longer_offers() {
        let json = stored("credentials", "skyward", "mars", Some("oneroster_api"));
        let draft = Draft::restore(&session(), parse(&json));
        assert_eq!(draft.source, None);
        assert_eq!(draft.region, None);
        assert_eq!(draft.step, Step::Source, "back to the first missing choice");
        assert_eq!(
            Draft::restore(&session(), parse("not json")),
            Draft::new(&session())
        );
    }

    #[test]
    fn a_dropped_choice_with_one_option_left_is_made_again() {
        let mut one = session();
        one.regions.truncate(1);
        let json = stored("strategy", "infinite_campus", "eu", None);
        let draft = Draft::restore(&one, parse(&json));
        assert_eq!(draft.region.as_deref(), Some("us"));
        assert_eq!(draft.step, Step::Strategy);
    }

    #[test]
    fn the_extract_path_resumes_no_further_than_its_step() {
        let json = stored(
            "credentials",
            "infinite_campus",
            "us",
            Some("custom_data_extract"),
        );
        assert_eq!(
            Draft::restore(&session(), parse(&json)).step,
            Step::DataExtract
        );
    }

    #[test]
    fn done_is_only_resumed_once_completed() {
        let json = stored("done", "infinite_campus", "us", Some("oneroster_api"));
        assert_eq!(
            Draft::restore(&session(), parse(&json)).step,
            Step::Credentials
        );
    }

    #[test]
    fn single_choices_are_made_for_the_administrator() {
        let mut one = session();
        one.regions.truncate(1);
        one.strategies = vec![Strategy::OneRosterApi];
        let draft = Draft::new(&one);
        assert_eq!(draft.region.as_deref(), Some("us"));
        assert_eq!(draft.strategy, Some(Strategy::OneRosterApi));
        assert_eq!(
            draft.source, None,
            "two sources listed: the administrator picks"
        );
    }

    #[test]
    fn choice_steps_read_and_write_their_choice() {
        let session = session();
        let mut draft = Draft::new(&session);
        draft.choose(&session, Step::Strategy, "custom_data_extract".into());
        assert_eq!(draft.strategy, Some(Strategy::CustomDataExtract));
        assert_eq!(
            draft.choice(Step::Strategy).as_deref(),
            Some("custom_data_extract")
        );
        draft.choose(&session, Step::Region, "eu".into());
        assert_eq!(draft.choice(Step::Region).as_deref(), Some("eu"));
        assert_eq!(draft.choice(Step::Start), None);
    }

    /// A session listing Infinite Campus and any other OneRoster 1.2 provider.
    fn with_generic() -> SessionConfig {
        let mut session = session();
        session
            .sources
            .push(source_option(ONEROSTER_GENERIC).expect("in the catalog"));
        session
    }

    #[test]
    fn a_oneroster_provider_is_offered_the_api_only_and_has_it_chosen() {
        let session = with_generic();
        let mut draft = Draft::new(&session);
        assert_eq!(draft.strategies(&session), Strategy::ALL.to_vec());
        draft.choose(&session, Step::Source, ONEROSTER_GENERIC.into());
        assert_eq!(draft.strategies(&session), vec![Strategy::OneRosterApi]);
        assert_eq!(draft.strategy, Some(Strategy::OneRosterApi));
        // Back to Infinite Campus: the choice made for them stays, the other is offered.
        draft.choose(&session, Step::Source, INFINITE_CAMPUS.into());
        assert_eq!(draft.strategies(&session), Strategy::ALL.to_vec());
        draft.choose(&session, Step::Strategy, "custom_data_extract".into());
        assert!(draft.uses_data_extract());
        // A Custom Data Extract chosen for Infinite Campus is dropped for another provider.
        draft.choose(&session, Step::Source, ONEROSTER_GENERIC.into());
        assert_eq!(draft.strategy, Some(Strategy::OneRosterApi));
        assert!(!draft.uses_data_extract());
    }

    #[test]
    fn a_stored_extract_choice_does_not_survive_a_oneroster_provider() {
        let json = stored(
            "credentials",
            ONEROSTER_GENERIC,
            "us",
            Some("custom_data_extract"),
        );
        let draft = Draft::restore(&with_generic(), parse(&json));
        assert_eq!(draft.strategy, Some(Strategy::OneRosterApi));
        assert_eq!(draft.step, Step::Credentials);
        assert!(!draft.uses_data_extract());
        // Stored on the extract step, it resumes at the strategy, not on a step off its path.
        let json = stored(
            "data_extract",
            ONEROSTER_GENERIC,
            "us",
            Some("custom_data_extract"),
        );
        let draft = Draft::restore(&with_generic(), parse(&json));
        assert_eq!(draft.step, Step::Strategy);
    }

    #[test]
    fn each_step_says_when_it_may_be_left() {
        let mut draft = Draft::new(&session());
        assert!(!draft.may_leave(Step::Start));
        draft.is_admin = true;
        assert!(draft.may_leave(Step::Start));
        assert!(!draft.may_leave(Step::Source));
        assert!(draft.may_leave(Step::GenerateConnection));
        assert!(!draft.may_leave(Step::Credentials));
    }

    #[test]
    fn the_data_extract_step_is_only_on_its_path() {
        assert_eq!(Step::Strategy.next(false), Some(Step::GenerateConnection));
        assert_eq!(Step::Strategy.next(true), Some(Step::DataExtract));
        assert_eq!(Step::GenerateConnection.prev(false), Some(Step::Strategy));
        assert_eq!(Step::GenerateConnection.prev(true), Some(Step::DataExtract));
    }

    fn ids(items: &[&str]) -> Vec<String> {
        items.iter().map(|i| (*i).to_owned()).collect()
    }

    #[test]
    fn data_sets_keep_the_catalog_order_and_unknown_ones_drop() {
        let order = ids(&["extended_rostering", "attendance", "historical"]);
        let mut draft = Draft::new(&session());
        assert!(draft.chosen_data_sets().is_empty());
        draft.data_sets = Some(ids(&["gone"]));
        draft.choose_data_set("historical", true, &order);
        draft.choose_data_set("extended_rostering", true, &order);
        assert_eq!(
            draft.chosen_data_sets(),
            ids(&["extended_rostering", "historical"])
        );
        draft.choose_data_set("extended_rostering", false, &order);
        assert_eq!(draft.chosen_data_sets(), ids(&["historical"]));
    }

    #[test]
    fn a_loaded_catalog_chooses_its_defaults_or_trims_a_stored_choice() {
        let order = ids(&["extended_rostering", "attendance", "historical"]);
        let mut fresh = Draft::new(&session());
        fresh.fit_data_sets(&order, ids(&["extended_rostering"]));
        assert_eq!(fresh.chosen_data_sets(), ids(&["extended_rostering"]));
        let mut stored = Draft::new(&session());
        stored.data_sets = Some(ids(&["historical", "gone", "attendance"]));
        stored.fit_data_sets(&order, ids(&["extended_rostering"]));
        assert_eq!(
            stored.chosen_data_sets(),
            ids(&["attendance", "historical"])
        );
    }

    #[test]
    fn the_data_extract_step_is_left_once_every_item_is_ticked() {
        let order = ids(&["extended_rostering", "attendance"]);
        let mut draft = Draft::new(&session());
        assert!(!draft.may_leave(Step::DataExtract), "no data set chosen");
        draft.choose_data_set("extended_rostering", true, &order);
        assert_eq!(
            checklist(draft.chosen_data_sets()),
            ids(&["open", "extract:extended_rostering", "schedule"])
        );
        for item in ["open", "extract:extended_rostering"] {
            draft.tick(item, true);
            assert!(!draft.may_leave(Step::DataExtract));
        }
        draft.tick("schedule", true);
        assert!(draft.may_leave(Step::DataExtract));
        // A second data set adds its own item, and must be scheduled too.
        draft.choose_data_set("attendance", true, &order);
        assert!(!draft.may_leave(Step::DataExtract));
        assert!(
            !draft.ticked("schedule"),
            "the new extract is not scheduled yet"
        );
        draft.tick("extract:attendance", true);
        draft.tick("schedule", true);
        assert!(draft.may_leave(Step::DataExtract));
        // Dropped and chosen again, a data set starts unticked.
        draft.choose_data_set("attendance", false, &order);
        draft.choose_data_set("attendance", true, &order);
        assert!(!draft.ticked("extract:attendance"));
        draft.tick("extract:attendance", true);
        draft.tick("schedule", true);
        // Unticking takes it back; ticking twice keeps one tick.
        draft.tick("open", true);
        draft.tick("open", false);
        assert!(!draft.ticked("open"));
        assert!(!draft.may_leave(Step::DataExtract));
        // Dropping every data set blocks the step again.
        draft.tick("open", true);
        draft.choose_data_set("extended_rostering", false, &order);
        draft.choose_data_set("attendance", false, &order);
        assert!(!draft.may_leave(Step::DataExtract));
    }

    #[test]
    fn choices_and_ticks_survive_the_round_trip_through_storage() {
        let order = ids(&["extended_rostering", "attendance"]);
        let mut draft = Draft::new(&session());
        draft.strategy = Some(Strategy::CustomDataExtract);
        draft.choose_data_set("attendance", true, &order);
        draft.tick("open", true);
        let read = parse(&serde_json::to_string(&draft).unwrap_or_default());
        assert_eq!(read, Some(draft));
    }

    #[test]
    fn a_draft_stored_before_data_extracts_existed_still_reads() {
        let json = stored("region", "infinite_campus", "us", None);
        let draft = parse(&json);
        assert!(draft.is_some(), "missing data_sets and ticks read as None");
        assert_eq!(draft.and_then(|d| d.data_sets), None);
    }

    /// A repair session: exactly the connection's region, source and strategy.
    fn repair_session(strategy: Strategy) -> SessionConfig {
        let mut repair = session();
        repair.regions.truncate(1);
        repair.sources.truncate(1);
        repair.strategies = vec![strategy];
        repair.repair = Some(sis_onboard_protocol::RepairTarget {
            connection_id: "conn_1".into(),
            district_name: "Springfield".into(),
            base_url: "https://x/ims/oneroster/rostering/v1p2".into(),
            token_url: "https://x/oauth2/token".into(),
            client_id: "stored-id".into(),
            failing: None,
        });
        repair
    }

    #[test]
    fn a_repair_opens_at_credentials_with_the_stored_values_and_every_choice_made() {
        let draft = Draft::restore(&repair_session(Strategy::OneRosterApi), None);
        assert_eq!(draft.step, Step::Credentials);
        assert_eq!(
            (
                draft.base_url.as_str(),
                draft.token_url.as_str(),
                draft.client_id.as_str()
            ),
            (
                "https://x/ims/oneroster/rostering/v1p2",
                "https://x/oauth2/token",
                "stored-id"
            )
        );
        assert_eq!(draft.region.as_deref(), Some("us"));
        assert_eq!(draft.source.as_deref(), Some("infinite_campus"));
        assert_eq!(draft.strategy, Some(Strategy::OneRosterApi));
        for step in [Step::Start, Step::Source, Step::Region, Step::Strategy] {
            assert!(draft.may_leave(step), "{step:?}: Back and forward again");
        }
        assert_eq!(
            Draft::restore(&session(), None).step,
            Step::Start,
            "an ordinary session starts at the start"
        );
    }

    #[test]
    fn a_repair_keeps_what_the_administrator_typed_over_the_stored_values() {
        let session = repair_session(Strategy::OneRosterApi);
        let mut typed = Draft::new(&session);
        typed.client_id = "new-id".into();
        typed.token_url = String::new();
        // They went Back to read how to generate keys, then reloaded.
        typed.step = Step::GenerateConnection;
        let json = serde_json::to_string(&typed).unwrap_or_default();
        assert!(
            !json.contains("repairing"),
            "taken from the session: {json}"
        );
        let draft = Draft::restore(&session, parse(&json));
        assert_eq!(draft.client_id, "new-id", "typed values win");
        assert_eq!(
            draft.token_url, "https://x/oauth2/token",
            "a blank one is filled"
        );
        assert_eq!(draft.step, Step::GenerateConnection, "where they were");
        assert!(draft.repairing);
    }

    #[test]
    fn a_repaired_extract_connection_is_not_sent_back_to_the_checklist() {
        let session = repair_session(Strategy::CustomDataExtract);
        let draft = Draft::restore(&session, None);
        assert_eq!(draft.step, Step::Credentials);
        assert!(draft.may_leave(Step::DataExtract));
        let json = serde_json::to_string(&draft).unwrap_or_default();
        assert_eq!(
            Draft::restore(&session, parse(&json)).step,
            Step::Credentials
        );
        assert!(
            !Draft::new(&session_with(Strategy::CustomDataExtract)).may_leave(Step::DataExtract)
        );
    }

    fn session_with(strategy: Strategy) -> SessionConfig {
        SessionConfig {
            strategies: vec![strategy],
            ..session()
        }
    }

    #[test]
    fn the_flow_has_ends() {
        assert_eq!(Step::Start.prev(true), None);
        assert_eq!(Step::Done.next(true), None);
        assert_eq!(Step::Start.next(false), Some(Step::Source));
    }
}
