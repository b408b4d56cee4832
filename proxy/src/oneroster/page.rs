//! Decodes a OneRoster answer keeping only what validation reads: the wrapper's first
//! record (its `type`, `name`, `title` and `parent`) and how many records follow, never a
//! JSON tree of the whole body.
//!
//! A server may answer 2 MiB of records to a `limit=1` probe; decoded as a tree that is
//! tens of MiB per probe, so everything past the first record is counted and skipped, and
//! a large answer is decoded as it arrives rather than held whole.

use std::fmt;
use std::io::Read;

use axum::body::Bytes;
use reqwest::header::CONTENT_TYPE;

use crate::net_guard::{ReadError, read_capped};

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

/// Decodes `{ "<key>": <T>, … }` from a reader, as [`decode_wrapped`] does from a slice.
fn decode_wrapped_from<T>(reader: impl Read, key: &str) -> Result<Option<T>, serde_json::Error>
where
    T: for<'de> Deserialize<'de>,
{
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let value = Wrapped::<T> {
        key,
        member: std::marker::PhantomData,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A list answer as read: a web page, or JSON decoded to its page (None when it is not a
/// OneRoster list under the expected key).
#[derive(Debug)]
pub enum Answer {
    /// The answer is HTML (by its content type or its first byte).
    Html,
    /// The answer's page, None when malformed.
    Page(Option<Page>),
}

/// Answers this small (by `Content-Length`) are read whole, then decoded: cheaper than a
/// decoding thread, and a few of them in flight are still far below the memory goal.
const READ_WHOLE_BELOW: u64 = 64 * 1024;

/// How many chunks may wait between the connection and the decoder.
const CHUNKS_IN_FLIGHT: usize = 1;

/// True when [`read_page`] decodes the answer while it arrives (large or unsized) rather
/// than reading it whole.
pub fn is_streamed(response: &reqwest::Response) -> bool {
    response
        .content_length()
        .is_none_or(|len| len >= READ_WHOLE_BELOW)
}

/// Reads a list answer of at most `max` bytes and decodes its `key` member. A large or
/// unsized answer is decoded while it arrives, on a blocking thread (`serde_json` reads
/// synchronously), so only a few chunks of it are in memory at once. Too large or cut off
/// wins over malformed, as when the whole body was read first.
pub async fn read_page(
    mut response: reqwest::Response,
    max: usize,
    key: &'static str,
) -> Result<Answer, ReadError> {
    if response
        .content_length()
        .is_some_and(|len| len > max as u64)
    {
        return Err(ReadError::TooLarge);
    }
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("html"));
    if is_html {
        drain(&mut response, 0, max).await?;
        return Ok(Answer::Html);
    }
    if response
        .content_length()
        .is_some_and(|len| len < READ_WHOLE_BELOW)
    {
        let body = read_capped(response, max).await?;
        if starts_with_markup(&body) {
            return Ok(Answer::Html);
        }
        return Ok(Answer::Page(decode_wrapped(&body, key).ok().flatten()));
    }
    // Whatever comes before the first non-blank byte, kept to tell HTML from JSON.
    let mut head = Vec::new();
    let mut read = 0;
    let first_byte = loop {
        let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? else {
            break None;
        };
        read += chunk.len();
        if read > max {
            return Err(ReadError::TooLarge);
        }
        let found = chunk.iter().copied().find(|b| !b.is_ascii_whitespace());
        head.push(chunk);
        if found.is_some() {
            break found;
        }
    };
    if first_byte == Some(b'<') {
        drain(&mut response, read, max).await?;
        return Ok(Answer::Html);
    }
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(CHUNKS_IN_FLIGHT);
    let decoder = tokio::task::spawn_blocking(move || {
        let reader = ChunkReader {
            receiver,
            current: Bytes::new(),
        };
        decode_wrapped_from::<Page>(reader, key).ok().flatten()
    });
    let mut head = head.into_iter();
    let mut decoder_listens = true;
    let fed = loop {
        let chunk = match head.next() {
            Some(chunk) => chunk,
            None => match response.chunk().await {
                Ok(Some(chunk)) => {
                    read += chunk.len();
                    if read > max {
                        break Err(ReadError::TooLarge);
                    }
                    chunk
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(ReadError::Transport(e)),
            },
        };
        // A decoder that stopped (bad JSON) still leaves the body to be read for its size.
        if decoder_listens && sender.send(chunk).await.is_err() {
            decoder_listens = false;
        }
    };
    // The decoder sees the end of the body (or of what was read) and finishes.
    drop(sender);
    let page = decoder.await;
    fed?;
    Ok(Answer::Page(page.ok().flatten()))
}

/// Reads the rest of a body only to know whether it stays within `max`.
async fn drain(
    response: &mut reqwest::Response,
    mut read: usize,
    max: usize,
) -> Result<(), ReadError> {
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        read += chunk.len();
        if read > max {
            return Err(ReadError::TooLarge);
        }
    }
    Ok(())
}

/// True when the first non-blank byte opens markup.
fn starts_with_markup(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// The body's chunks, as they arrive, read by the decoding thread.
struct ChunkReader {
    receiver: tokio::sync::mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.receiver.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
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

    /// A response of `body` as reqwest hands it over (its size known, past the read-whole size).
    fn response(content_type: &str, body: String) -> reqwest::Response {
        let response = axum::http::Response::builder()
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .unwrap();
        reqwest::Response::from(response)
    }

    fn big_list(key: &str, tail: &str) -> String {
        let records = r#"{"sourcedId":"p"},"#.repeat(10_000);
        format!("  {{\"{key}\":[{{\"name\":\"first\"}},{records}{{}}]{tail}")
    }

    #[tokio::test]
    async fn a_large_answer_is_decoded_as_it_arrives_with_the_same_outcomes() {
        let max = 2 * 1024 * 1024;
        let answer = read_page(
            response("application/json", big_list("users", "}")),
            max,
            "users",
        );
        let Ok(Answer::Page(Some(page))) = answer.await else {
            panic!("not a page");
        };
        assert_eq!(page.len, 10_002);
        assert_eq!(page.first.unwrap().name.as_deref(), Some("first"));
        let cut = read_page(
            response("application/json", big_list("users", "")),
            max,
            "users",
        );
        assert!(matches!(cut.await, Ok(Answer::Page(None))));
        let wrong_key = read_page(
            response("application/json", big_list("orgs", "}")),
            max,
            "users",
        );
        assert!(matches!(wrong_key.await, Ok(Answer::Page(None))));
        let page = format!("\n <html>{}</html>", "x".repeat(100_000));
        let html = read_page(response("application/json", page), max, "users");
        assert!(matches!(html.await, Ok(Answer::Html)));
        let too_large = read_page(
            response("application/json", big_list("users", "}")),
            100_000,
            "users",
        );
        assert!(matches!(too_large.await, Err(ReadError::TooLarge)));
    }
}
