//! The wizard's flow: its steps, in order, and how the administrator moves between them.

/// A step of the flow, in the order the administrator meets them (the derived order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Who is connecting, for which app.
    Start,
    /// Which student information system.
    Source,
    /// Where the connection is stored.
    Region,
    /// OneRoster 1.2 API or Custom Data Extract.
    Strategy,
    /// The Data Extract Utility steps (Custom Data Extract only).
    DataExtract,
    /// Generating the OneRoster connection in Infinite Campus.
    GenerateConnection,
    /// Entering and validating the credentials.
    Credentials,
    /// Well done.
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
    pub fn label(self) -> &'static str {
        match self {
            Step::Start => "Start",
            Step::Source => "Data source",
            Step::Region => "Region",
            Step::Strategy => "Strategy",
            Step::DataExtract => "Data extract",
            Step::GenerateConnection => "Generate connection",
            Step::Credentials => "Credentials",
            Step::Done => "Done",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_extract_step_is_only_on_its_path() {
        assert_eq!(Step::Strategy.next(false), Some(Step::GenerateConnection));
        assert_eq!(Step::Strategy.next(true), Some(Step::DataExtract));
        assert_eq!(Step::GenerateConnection.prev(false), Some(Step::Strategy));
        assert_eq!(Step::GenerateConnection.prev(true), Some(Step::DataExtract));
    }

    #[test]
    fn the_flow_has_ends() {
        assert_eq!(Step::Start.prev(true), None);
        assert_eq!(Step::Done.next(true), None);
        assert_eq!(Step::Start.next(false), Some(Step::Source));
    }
}
