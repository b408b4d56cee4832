//! Custom Data Extract plans: the catalog of data sets with the extracts generated for a
//! session's prefix, and the plan a completion stores. The SQL lives here, in the proxy, not
//! in the wizard's bundle; and completion regenerates the same plan, so what is stored is
//! what the administrator was shown.

use sis_onboard_protocol::{DataSetOffer, ExtractCatalog, ExtractPlan, PlannedExtract, Strategy};

use crate::error::ProxyError;
use crate::store::SessionOffer;

/// The refusal when a session does not offer the Custom Data Extract path.
fn not_offered() -> ProxyError {
    ProxyError::bad_request(
        "strategy",
        "strategy 'custom_data_extract' is not offered by this session",
    )
}

/// The data sets and, for each, the extract to create in Infinite Campus, in `lang` (a BCP 47
/// tag), for a session that offers the Custom Data Extract path.
pub fn catalog(offer: &SessionOffer, lang: &str) -> Result<ExtractCatalog, ProxyError> {
    if !offer.strategies.contains(&Strategy::CustomDataExtract) {
        return Err(not_offered());
    }
    let prefix = &offer.extract_name_prefix;
    let all: Vec<String> = extracts::CATALOG.iter().map(|d| d.id.to_owned()).collect();
    let generated = extracts::generate(prefix, &all)
        .map_err(|e| ProxyError::Internal(format!("the catalog generates itself: {e}")))?;
    let data_sets = extracts::CATALOG
        .iter()
        .zip(generated)
        .map(|(set, extract)| DataSetOffer {
            id: set.id.to_owned(),
            name: set.name.get(lang).to_owned(),
            description: set.description.get(lang).to_owned(),
            yields: set.yields.get(lang).to_owned(),
            default: set.default,
            extract_name: extract.name,
            query: extract.query,
            query_sha256: extract.query_sha256,
        })
        .collect();
    Ok(ExtractCatalog {
        required_value: extracts::required_value(prefix),
        name_prefix: extracts::sanitize_prefix(prefix),
        data_sets,
    })
}

/// The plan a completion stores: for the Custom Data Extract path, the extracts of the
/// chosen data sets (at least one, all from the catalog); for the OneRoster path, none
/// (and no data sets may be named).
pub fn plan_for(
    offer: &SessionOffer,
    strategy: Strategy,
    data_sets: &[String],
) -> Result<Option<ExtractPlan>, ProxyError> {
    match strategy {
        Strategy::OneRosterApi if data_sets.is_empty() => Ok(None),
        Strategy::OneRosterApi => Err(ProxyError::bad_request(
            "data_sets",
            "data_sets must be empty on the oneroster_api path",
        )),
        Strategy::CustomDataExtract => {
            if !offer.strategies.contains(&Strategy::CustomDataExtract) {
                return Err(not_offered());
            }
            if data_sets.is_empty() {
                return Err(ProxyError::bad_request(
                    "data_sets",
                    "choose at least one data set on the custom_data_extract path",
                ));
            }
            let prefix = &offer.extract_name_prefix;
            let generated = extracts::generate(prefix, data_sets).map_err(|e| {
                let known: Vec<&str> = extracts::CATALOG.iter().map(|d| d.id).collect();
                ProxyError::bad_request("data_sets", format!("{e}; the data sets are {known:?}"))
            })?;
            Ok(Some(ExtractPlan {
                required_value: extracts::required_value(prefix),
                extracts: generated
                    .into_iter()
                    .map(|e| PlannedExtract {
                        data_set: e.data_set.to_owned(),
                        name: e.name,
                        query_sha256: e.query_sha256,
                    })
                    .collect(),
            }))
        }
    }
}
