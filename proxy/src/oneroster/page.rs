//! Decodes a OneRoster answer keeping only what validation reads: the wrapper's first
//! record (its `type`, `name`, `title` and `parent`) and how many records follow, never a
//! JSON tree of the whole body.
//!
//! A server may answer 2 MiB of records to a `limit=1` probe; decoded as a tree that is
//! tens of MiB per probe, so everything past the first record is counted and skipped.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The members of one OneRoster record that validation reads; any other member is skipped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Record {
    /// `type` (`district`, `school` …), when a string.
    pub kind: Option<String>,
    /// `name`, when a string.
    pub name: Option<String>,
    /// `title` (an academic session's), when a string.
    pub title: Option<String>,
    /// `sourcedId`, when a string.
    pub sourced_id: Option<String>,
    /// `parent`, a reference read as a record (only its `sourcedId` matters).
    pub parent: Option<Box<Record>>,
}

/// A list answer: its first record and how many records the array holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Page {
    /// The first record, when the array has one.
    pub first: Option<Record>,
    /// How many records the array holds, the first included.
    pub len: u64,
}

/// Decodes `{ "<key>": <T>, … }`: None when the answer is JSON but has no `key` member; an
/// error when it is not JSON, not an object, or `key` is not a `T`.
pub fn decode_wrapped<T>(body: &[u8], key: &str) -> Result<Option<T>, serde_json::Error>
where
    T: for<'de> Deserialize<'de>,
{
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = Wrapped::<T> {
        key,
        member: std::marker::PhantomData,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// The seed that finds one member of the top-level object and skips the others.
struct Wrapped<'k, T> {
    key: &'k str,
    member: std::marker::PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Wrapped<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Wrapped<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with a `{}` member", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if found.is_none() && key == self.key {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

impl<'de> Deserialize<'de> for Page {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(PageVisitor)
    }
}

struct PageVisitor;

impl<'de> Visitor<'de> for PageVisitor {
    type Value = Page;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Page, A::Error> {
        let Some(first) = seq.next_element::<Record>()? else {
            return Ok(Page::default());
        };
        let mut len = 1;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            len += 1;
        }
        Ok(Page {
            first: Some(first),
            len,
        })
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RecordVisitor)
    }
}

/// Reads an object's known members; anything that is not an object reads as an empty
/// record, as a JSON tree would have answered no member for it.
struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut record = Record::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => record.kind = map.next_value::<Text>()?.0,
                "name" => record.name = map.next_value::<Text>()?.0,
                "title" => record.title = map.next_value::<Text>()?.0,
                "sourcedId" => record.sourced_id = map.next_value::<Text>()?.0,
                "parent" => record.parent = Some(Box::new(map.next_value::<Record>()?)),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(record)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Record, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Record::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Record, E> {
        Ok(Record::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Record, E> {
        Ok(Record::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Record, E> {
        Ok(Record::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Record, E> {
        Ok(Record::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<Record, E> {
        Ok(Record::default())
    }

    fn visit_unit<E>(self) -> Result<Record, E> {
        Ok(Record::default())
    }
}

/// A member kept only when it is a string, as `Value::as_str` reads it.
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, text: &str) -> Result<Text, E> {
        Ok(Text(Some(text.to_owned())))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_unit<E>(self) -> Result<Text, E> {
        Ok(Text(None))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_record_and_counts_the_rest() {
        let body = br#"{"links":{"x":[1]},"orgs":[{"sourcedId":"d1","type":"district","name":"Lakeshore","parent":{"sourcedId":"p"},"extra":[{}]},{"sourcedId":"s1"},3,"x"]}"#;
        let page = decode_wrapped::<Page>(body, "orgs").unwrap().unwrap();
        assert_eq!(page.len, 4);
        let first = page.first.unwrap();
        assert_eq!(first.kind.as_deref(), Some("district"));
        assert_eq!(first.name.as_deref(), Some("Lakeshore"));
        assert_eq!(first.parent.unwrap().sourced_id.as_deref(), Some("p"));
    }

    #[test]
    fn non_string_members_read_as_absent() {
        let body = br#"{"academicSessions":[{"title":5,"name":{"a":"b"},"type":null}]}"#;
        let page = decode_wrapped::<Page>(body, "academicSessions")
            .unwrap()
            .unwrap();
        assert_eq!(page.first, Some(Record::default()));
        let page = decode_wrapped::<Page>(br#"{"orgs":[]}"#, "orgs")
            .unwrap()
            .unwrap();
        assert_eq!(page, Page::default());
    }

    #[test]
    fn a_missing_member_is_none_and_bad_json_an_error() {
        assert_eq!(
            decode_wrapped::<Page>(br#"{"users":[]}"#, "orgs").unwrap(),
            None
        );
        assert!(decode_wrapped::<Page>(br#"{"orgs":{}}"#, "orgs").is_err());
        assert!(decode_wrapped::<Page>(br#"[{"orgs":[]}]"#, "orgs").is_err());
        assert!(decode_wrapped::<Page>(br#"{"orgs":[{"sourcedId":"d1","#, "orgs").is_err());
        assert!(decode_wrapped::<Page>(br#"{"orgs":[]} trailing"#, "orgs").is_err());
        let org = decode_wrapped::<Record>(br#"{"org":{"name":"Lakeshore"}}"#, "org").unwrap();
        assert_eq!(org.and_then(|o| o.name).as_deref(), Some("Lakeshore"));
    }
}
