//! English.

use super::{COUNT, Key::*};

/// Every string, in key order.
pub const TABLE: [(super::Key, &str); COUNT] = [
    (
        OptMissingSession,
        "This page did not start an onboarding session. Ask the app for a new onboarding link. (Developers: set the `session` attribute to a session token from POST /v1/sessions.)",
    ),
    (
        OptBadApi,
        "This onboarding page is misconfigured. (Developers: the `api` attribute must be the proxy's URL, such as https://onboarding.example.com or /.)",
    ),
    (Loading, "Loading…"),
    (Back, "Back"),
    (Continue, "Continue"),
    (Exit, "Exit"),
    (Progress, "Progress"),
    (StepOf, "Step {n} of {total}"),
    (StepStart, "Start"),
    (StepSource, "Data source"),
    (StepRegion, "Region"),
    (StepStrategy, "Strategy"),
    (StepDataExtract, "Data extract"),
    (StepGenerate, "Generate connection"),
    (StepCredentials, "Credentials"),
    (StepDone, "Done"),
    (
        StartTitle,
        "Connect your student information system to {vendor}",
    ),
    (
        StartIntro,
        "{vendor} needs your district's rosters: schools, classes, teachers and students. This takes about ten minutes, and you can go back at any time without losing what you entered.",
    ),
    (
        StartConfirm,
        "I am an Infinite Campus administrator for my district.",
    ),
    (
        StartHint,
        "Only an administrator can generate the connection in Infinite Campus. If that is not you, forward this page to your district's administrator.",
    ),
    (StartButton, "Get started"),
    (
        SourceTitle,
        "Where does your district keep its student data?",
    ),
    (SourceIntro, "Choose your student information system."),
    (SourceSearch, "Search data sources"),
    (SourceUnavailable, "Not available yet"),
    (SourceNoMatch, "No data source matches “{query}”."),
    (RegionTitle, "Where should your connection be stored?"),
    (
        RegionIntro,
        "{vendor} keeps your connection in the region you choose. Pick the one your district's data policy requires.",
    ),
    (StrategyTitle, "How should your data be shared?"),
    (
        StrategyIntro,
        "If you are not sure, choose the OneRoster 1.2 API.",
    ),
    (StrategyApi, "OneRoster 1.2 API"),
    (
        StrategyApiHelp,
        "Shares basic roster data: schools, classes, teachers, students and enrollments.",
    ),
    (StrategyExtract, "Custom Data Extract"),
    (
        StrategyExtractHelp,
        "Also shares data outside OneRoster, such as attendance or historical records, through Infinite Campus's Data Extract Utility.",
    ),
    (ExtractTitle, "Set up the data extracts in Infinite Campus"),
    (
        ExtractIntro,
        "Each data set you choose becomes one scheduled extract in Infinite Campus's Data Extract Utility. Tick each step as you finish it.",
    ),
    (ExtractDataSets, "Data sets to share"),
    (ExtractYields, "Contains: {yields}"),
    (ExtractNoneChosen, "Choose at least one data set."),
    (ExtractChecklist, "Steps in Infinite Campus"),
    (
        ExtractOpen,
        "In Infinite Campus, expand System Administration in the sidebar, then under Data Utilities select Data Extract Utility.",
    ),
    (ExtractNew, "Click New and choose the SQL extract type."),
    (
        ExtractRequired,
        "Fill every field marked with an asterisk (*) with:",
    ),
    (ExtractName, "Name the extract:"),
    (ExtractPaste, "Paste this query into the SQL field:"),
    (
        ExtractTest,
        "Click Test Extract. A pop-up says that no data was returned: that is expected, close it. Then click Save.",
    ),
    (ExtractCreated, "I created and tested {name}"),
    (
        ExtractSchedule,
        "For each new extract (their names start with {prefix}), select it, set a time in the future, and click Save.",
    ),
    (Copy, "Copy"),
    (CopyQuery, "Copy Query"),
    (Copied, "Copied"),
    (
        CopyFallback,
        "Your browser did not allow copying. The text is selected: press Ctrl+C (⌘C on a Mac).",
    ),
    (
        ExtractFailed,
        "The data extract steps could not be loaded. {vendor} may not offer Custom Data Extract for this session: go back and choose the OneRoster 1.2 API, or try again later.",
    ),
    (
        GenerateTitle,
        "Generate a OneRoster 1.2 connection in Infinite Campus",
    ),
    (
        GenerateIntro,
        "Sign in to Infinite Campus in another tab, then:",
    ),
    (Generate1, "In the sidebar, click Instruction."),
    (
        Generate2,
        "Under Settings, select Digital Learning Application Configuration.",
    ),
    (
        Generate3,
        "Select Other OneRoster Provisioning Credentials.",
    ),
    (
        Generate4,
        "Click Generate New OneRoster Connection, then select OneRoster 1.2 (not 1.1).",
    ),
    (
        Generate5,
        "Click Generate. Keep that screen open: it shows the Client ID, Secret, Token URL and Base URL you need next.",
    ),
    (
        GenerateOlder,
        "In older versions of Infinite Campus this is under System Administration › Learning Interoperability.",
    ),
    (CredentialsTitle, "Enter your connection details"),
    (
        CredentialsIntro,
        "Copy each value from the connection screen in Infinite Campus.",
    ),
    (BaseUrlLabel, "OneRoster API URL"),
    (
        BaseUrlHelp,
        "The Base URL on the connection screen. It ends in /ims/oneroster/rostering/v1p2.",
    ),
    (TokenUrlLabel, "Token Endpoint"),
    (
        TokenUrlHelp,
        "The Token URL on the connection screen. It ends in /oauth2/token?appName=…",
    ),
    (ClientIdLabel, "Client ID"),
    (ClientIdHelp, "The Client ID on the connection screen."),
    (SecretLabel, "Client Secret"),
    (
        SecretHelp,
        "The Secret on the connection screen. It is sent once to {vendor} and never stored in this browser.",
    ),
    (ShowSecret, "Show"),
    (HideSecret, "Hide"),
    (Validate, "Validate Configuration"),
    (ContinueSetup, "Continue Setup"),
    (Validating, "Checking your connection…"),
    (
        ValidateAgain,
        "You changed a value. Validate the configuration again before continuing.",
    ),
    (
        TokenOffer,
        "The Token Endpoint for this URL is probably {url}",
    ),
    (UseThis, "Use it"),
    (FieldRequired, "Enter this value."),
    (RepairTrimmed, "We removed spaces around the value."),
    (RepairSlash, "We removed a trailing slash."),
    (RepairCut, "We kept the address up to …/rostering/v1p2."),
    (ProblemEmpty, "Enter this value."),
    (
        ProblemNotUrl,
        "This is not a web address. Copy it again from Infinite Campus.",
    ),
    (ProblemNotHttps, "The address must start with https://."),
    (
        ProblemOneRoster11,
        "This is a OneRoster 1.1 address. Generate a new connection and select OneRoster 1.2.",
    ),
    (
        ProblemTokenInBase,
        "This is the Token URL. Paste it into Token Endpoint, and the Base URL here.",
    ),
    (
        ProblemBaseInToken,
        "This is the Base URL. Paste it into OneRoster API URL, and the Token URL here.",
    ),
    (
        ProblemNotRoot,
        "The Base URL ends in /ims/oneroster/rostering/v1p2. Copy it again from Infinite Campus.",
    ),
    (
        ProblemNotToken,
        "The Token URL ends in /oauth2/token. Copy it again from Infinite Campus.",
    ),
    (
        ProblemNoApp,
        "The Token URL ends in ?appName= and your app name. Copy all of it from Infinite Campus.",
    ),
    (ReportPassed, "Connected to {district}"),
    (ReportFailed, "The configuration did not validate."),
    (Schools, "Schools"),
    (Students, "Students"),
    (Teachers, "Teachers"),
    (Classes, "Classes"),
    (AtLeast, "at least {n}"),
    (SchoolYear, "School year"),
    (CheckToken, "Sign in with the Client ID and Secret"),
    (CheckDistrict, "Find the district"),
    (CheckSchools, "Count schools"),
    (CheckStudents, "Count students"),
    (CheckTeachers, "Count teachers"),
    (CheckClasses, "Count classes"),
    (CheckYear, "Find the school year"),
    (CheckPassed, "passed"),
    (CheckFailed, "failed"),
    (
        WarnNoDemographics,
        "Demographics are not shared. If {vendor} needs them, add the demographics scope to the connection in Infinite Campus.",
    ),
    (
        WarnOneSchool,
        "Only one school is shared. If more should be, edit the connection's schools in Infinite Campus.",
    ),
    (
        WarnLowerBounds,
        "Your server does not report totals, so the counts are minimums.",
    ),
    (
        ErrMalformedUrl,
        "This address is not valid. Copy it again from Infinite Campus.",
    ),
    (ErrNotHttps, "The address must start with https://."),
    (
        ErrNotRoot,
        "This is not a OneRoster 1.2 Base URL. Copy the Base URL exactly as Infinite Campus shows it.",
    ),
    (
        ErrNotToken,
        "This is not a token endpoint. Copy the Token URL exactly as Infinite Campus shows it.",
    ),
    (
        ErrOneRoster11,
        "This is a OneRoster 1.1 connection. In Infinite Campus, generate a new connection and select OneRoster 1.2.",
    ),
    (
        ErrUnknownHost,
        "This server name does not exist. Check the address for typos.",
    ),
    (
        ErrRefused,
        "The server refused the connection. Check the address, or ask your IT team whether Infinite Campus is reachable.",
    ),
    (
        ErrTls,
        "The server's security certificate is not trusted. Check the address; a self-hosted server may need its certificate added by {vendor}.",
    ),
    (
        ErrTimeout,
        "The server did not answer in time. Try again in a minute.",
    ),
    (
        ErrInvalidClient,
        "Infinite Campus did not accept this Client ID and Secret. Copy both again; if they still fail, generate a new connection.",
    ),
    (
        ErrScope,
        "This connection does not share roster data. In Infinite Campus, turn on roster sync for the connection.",
    ),
    (
        ErrInactive,
        "This connection is not active. In Infinite Campus, make sure the connection is switched on, then validate again.",
    ),
    (
        ErrNoData,
        "This connection shares no schools. In Infinite Campus, choose the schools whose data to share, then validate again.",
    ),
    (
        ErrUpstreamRateLimited,
        "Infinite Campus is receiving too many requests. Wait a minute, then validate again.",
    ),
    (
        ErrUpstream,
        "Infinite Campus had a problem answering. Try again in a few minutes.",
    ),
    (
        ErrMalformedResponse,
        "The server's answer was not OneRoster data. Check that this is the Base URL of a OneRoster 1.2 connection.",
    ),
    (
        ErrTooLarge,
        "The server's answer was far larger than expected. Check the address.",
    ),
    (
        ErrForbidden,
        "This address cannot be used. Enter your district's Infinite Campus address.",
    ),
    (
        NetOffline,
        "You are offline. Check your internet connection; nothing you entered is lost.",
    ),
    (
        NetUnreachable,
        "We could not reach the onboarding service. Try again in a minute; nothing you entered is lost.",
    ),
    (
        NetExpired,
        "This onboarding session has expired. Go back to {vendor} and open the integration link again.",
    ),
    (
        NetInvalidSession,
        "This onboarding link is not valid. Go back to {vendor} and open the integration link again.",
    ),
    (
        NetRateLimited,
        "Too many attempts. Wait a minute, then try again.",
    ),
    (
        NetOther,
        "Something went wrong on our side. Please try again.",
    ),
    (DoneTitle, "Well done!"),
    (DoneSummary, "{district} is now connected to {vendor}."),
    (DoneRegion, "Stored in: {region}"),
    (DoneSync, "Your data will sync within 24 hours."),
    (DoneSupport, "Questions? Contact {support}."),
    (
        DoneSupportNone,
        "Questions? Contact {vendor}'s support team.",
    ),
    (ExitedTitle, "You left the setup"),
    (
        ExitedBody,
        "Nothing was connected. Open the integration link again to continue where you left off.",
    ),
];
